package io.sidecore.shm;

/**
 * Legacy receive descriptor (16 bytes, little-endian). SDM 3.2.3.
 * <pre>
 *    3                   2                   1
 *    1 0 9 8 7 6 5 4 3 2 1 0 9 8 7 6 5 4 3 2 1 0 9 8 7 6 5 4 3 2 1 0
 *   +---------------------------------------------------------------+
 *   |                    buffer address (64 bits)                   | 0
 *   +-------------------------------+-------------------------------+
 *   |       packet checksum         |            length             | 8
 *   +-------------------------------+---------------+---------------+
 *   |           special (VLAN)      |    errors     |    status     | 12
 *   +-------------------------------+---------------+---------------+
 * </pre>
 * The device writes the status byte holding DD last, with release ordering, so a polling guest never sees a
 * half-written descriptor.
 */
public final class E1000RxDescriptor
{
    public static final int LENGTH = 16;

    public static final int BUFFER_ADDR_OFFSET = 0;
    public static final int LENGTH_OFFSET = 8;
    public static final int CHECKSUM_OFFSET = 10;
    public static final int STATUS_OFFSET = 12;
    public static final int ERRORS_OFFSET = 13;
    public static final int SPECIAL_OFFSET = 14;

    // ---- status (SDM 3.2.3.1) ----
    public static final int STA_DD = 0x01;
    public static final int STA_EOP = 0x02;
    public static final int STA_IXSM = 0x04;
    public static final int STA_VP = 0x08;
    public static final int STA_UDPCS = 0x10;
    public static final int STA_TCPCS = 0x20;
    public static final int STA_IPCS = 0x40;
    public static final int STA_PIF = 0x80;

    // ---- errors (SDM 3.2.3.2) ----
    public static final int ERR_CE = 0x01;
    public static final int ERR_SE = 0x02;
    public static final int ERR_SEQ = 0x04;
    public static final int ERR_CXE = 0x10;
    public static final int ERR_TCPE = 0x20;
    public static final int ERR_IPE = 0x40;
    public static final int ERR_RXE = 0x80;

    private E1000RxDescriptor()
    {
    }
}
