package io.sidecore.engine.e1000;

import io.sidecore.shm.E1000TxDescriptor;

/**
 * Test support: the two descriptors a Linux e1000 guest writes for one TCP/IPv4 TSO packet with 20-byte IP and TCP
 * headers (SDM 3.3.6 context descriptor with TUCMD.TSE, 3.3.7 data descriptor with TSE, EOP, RS and the IXSM and TXSM
 * options), as the descriptors' two little-endian 64-bit words.
 */
public final class TcpTsoDescriptors
{
    /** Ethernet, IPv4 and TCP headers: HDRLEN. */
    public static final int HEADER_BYTES = 54;

    /** IPCSS 14, IPCSO 24, IPCSE 33, TUCSS 34, TUCSO 50, TUCSE 0 (to the end). */
    public static final long CONTEXT_LOW = 14 | 24L << 8 | 33L << 16 | 34L << 32 | 50L << 40;

    private TcpTsoDescriptors()
    {
    }

    /**
     * @param packetBytes the whole packet, headers included.
     * @param mss         maximum segment size.
     * @return the context descriptor's high word: PAYLEN, DTYP context, TUCMD (TSE, IP, TCP, DEXT), HDRLEN, MSS.
     */
    public static long contextHigh(final int packetBytes, final int mss)
    {
        return (packetBytes - HEADER_BYTES) | (long)E1000TxDescriptor.DTYP_CONTEXT << E1000TxDescriptor.DTYP_SHIFT |
            (long)(E1000TxDescriptor.TUCMD_TSE | E1000TxDescriptor.TUCMD_IP | E1000TxDescriptor.TUCMD_TCP |
            E1000TxDescriptor.TUCMD_DEXT) << 24 | (long)HEADER_BYTES << 40 | (long)mss << 48;
    }

    /**
     * @param packetBytes the whole packet, in one buffer.
     * @return the data descriptor's high word: DTALEN, DTYP data, DCMD (EOP, RS, TSE, DEXT), POPTS (IXSM, TXSM).
     */
    public static long dataHigh(final int packetBytes)
    {
        return packetBytes | (long)E1000TxDescriptor.DTYP_DATA << E1000TxDescriptor.DTYP_SHIFT |
            (long)(E1000TxDescriptor.CMD_EOP | E1000TxDescriptor.CMD_RS | E1000TxDescriptor.CMD_TSE |
            E1000TxDescriptor.CMD_DEXT) << 24 |
            (long)(E1000TxDescriptor.POPTS_IXSM | E1000TxDescriptor.POPTS_TXSM) << 40;
    }
}
