package io.sidecore.shm;

/**
 * Transmit descriptor formats (16 bytes, little-endian): legacy, TCP/IP context and TCP/IP data. SDM 3.3.
 * <pre>
 * Legacy (CMD.DEXT = 0), SDM 3.3.3:
 *    3                   2                   1
 *    1 0 9 8 7 6 5 4 3 2 1 0 9 8 7 6 5 4 3 2 1 0 9 8 7 6 5 4 3 2 1 0
 *   +---------------------------------------------------------------+
 *   |                    buffer address (64 bits)                   | 0
 *   +---------------+---------------+-------------------------------+
 *   |      CMD      |      CSO      |           length              | 8
 *   +---------------+---------------+---------------+---------------+
 *   |           special (VLAN)      |      CSS      |  RSV  |  STA  | 12
 *   +-------------------------------+---------------+---------------+
 *
 * Context (DEXT = 1, DTYP = 0000), SDM 3.3.6:
 *   +---------------+---------------+-------------------------------+
 *   |           IPCSE               |     IPCSO     |     IPCSS     | 0
 *   +-------------------------------+---------------+---------------+
 *   |           TUCSE               |     TUCSO     |     TUCSS     | 4
 *   +---------------+-------+-------+-------------------------------+
 *   |     TUCMD     | DTYP  |           PAYLEN (20 bits)            | 8
 *   +---------------+-------+-------+---------------+---------------+
 *   |              MSS              |    HDRLEN     |  RSV  |  STA  | 12
 *   +-------------------------------+---------------+---------------+
 *
 * Data (DEXT = 1, DTYP = 0001), SDM 3.3.7:
 *   +---------------------------------------------------------------+
 *   |                    buffer address (64 bits)                   | 0
 *   +---------------+-------+-------+-------------------------------+
 *   |     DCMD      | DTYP  |           DTALEN (20 bits)            | 8
 *   +---------------+-------+-------+---------------+---------------+
 *   |           special (VLAN)      |     POPTS     |  RSV  |  STA  | 12
 *   +-------------------------------+---------------+---------------+
 * </pre>
 */
public final class E1000TxDescriptor
{
    /** Every TX descriptor is 16 bytes. */
    public static final int LENGTH = 16;

    // ---- legacy ----
    public static final int BUFFER_ADDR_OFFSET = 0;
    public static final int LENGTH_OFFSET = 8;
    public static final int CSO_OFFSET = 10;
    public static final int CMD_OFFSET = 11;
    public static final int STATUS_OFFSET = 12;
    public static final int CSS_OFFSET = 13;
    public static final int SPECIAL_OFFSET = 14;

    // ---- context ----
    public static final int IPCSS_OFFSET = 0;
    public static final int IPCSO_OFFSET = 1;
    public static final int IPCSE_OFFSET = 2;
    public static final int TUCSS_OFFSET = 4;
    public static final int TUCSO_OFFSET = 5;
    public static final int TUCSE_OFFSET = 6;
    /** Dword 2 of context and data descriptors: length (bits 19:0), DTYP (23:20), command (31:24). */
    public static final int TYPE_LENGTH_CMD_OFFSET = 8;
    public static final int TUCMD_OFFSET = 11;
    public static final int HDRLEN_OFFSET = 13;
    public static final int MSS_OFFSET = 14;

    // ---- data ----
    public static final int POPTS_OFFSET = 13;

    /** PAYLEN/DTALEN mask within dword 2. */
    public static final int EXT_LENGTH_MASK = 0x000FFFFF;
    public static final int DTYP_SHIFT = 20;
    public static final int DTYP_MASK = 0xF << DTYP_SHIFT;
    public static final int DTYP_CONTEXT = 0;
    public static final int DTYP_DATA = 1;

    // ---- command bits (CMD of legacy, DCMD of data) ----
    public static final int CMD_EOP = 0x01;
    public static final int CMD_IFCS = 0x02;
    /** Legacy: insert checksum at CSO. Data: TSE (TCP segmentation enable). */
    public static final int CMD_IC = 0x04;
    public static final int CMD_TSE = 0x04;
    public static final int CMD_RS = 0x08;
    public static final int CMD_RPS = 0x10;
    public static final int CMD_DEXT = 0x20;
    public static final int CMD_VLE = 0x40;
    public static final int CMD_IDE = 0x80;

    // ---- context TUCMD bits ----
    /** 1 = TCP, 0 = UDP. */
    public static final int TUCMD_TCP = 0x01;
    /** 1 = IPv4, 0 = IPv6. */
    public static final int TUCMD_IP = 0x02;
    public static final int TUCMD_TSE = 0x04;
    public static final int TUCMD_RS = 0x08;
    public static final int TUCMD_DEXT = 0x20;
    public static final int TUCMD_IDE = 0x80;

    // ---- POPTS bits ----
    public static final int POPTS_IXSM = 0x01;
    public static final int POPTS_TXSM = 0x02;

    // ---- status bits ----
    public static final int STA_DD = 0x01;
    public static final int STA_EC = 0x02;
    public static final int STA_LC = 0x04;
    public static final int STA_TU = 0x08;

    private E1000TxDescriptor()
    {
    }
}
