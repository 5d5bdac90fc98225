package io.sidecore.tools.guest;

import io.sidecore.shm.E1000TxDescriptor;

/**
 * The offload a frame asks of the device, as Linux e1000 asks it: a TCP/IP context descriptor (SDM 3.3.6) written
 * before the frame's extended data descriptors (SDM 3.3.7), which carry {@link #popts()} and, for TSO, DCMD.TSE.
 * Linux writes one context per frame that needs offload ({@code e1000_tso}, {@code e1000_tx_csum}).
 *
 * @param ipcss        IP checksum start (0 with no IP checksum offload).
 * @param ipcso        IP checksum offset.
 * @param ipcse        IP checksum end, inclusive (0: to the end).
 * @param tucss        TCP/UDP checksum start.
 * @param tucso        TCP/UDP checksum offset.
 * @param tucse        TCP/UDP checksum end (0: to the end).
 * @param tucmd        TUCMD without DEXT: TCP (clear for UDP), IP, TSE.
 * @param headerBytes  HDRLEN (TSO).
 * @param mss          MSS (TSO).
 * @param popts        POPTS of every data descriptor: TXSM, IXSM.
 */
public record TxOffload(
    int ipcss, int ipcso, int ipcse, int tucss, int tucso, int tucse, int tucmd, int headerBytes, int mss, int popts)
{
    private static final int IPV4_CHECKSUM_FIELD = 10;
    private static final int TCP_CHECKSUM_FIELD = 16;
    private static final int UDP_CHECKSUM_FIELD = 6;

    /**
     * Linux {@code e1000_tx_csum} for IPv4: the stack computed the IP header checksum; the device computes the
     * TCP or UDP checksum from {@code tucss} to the end (POPTS.TXSM).
     *
     * @param ipOffset  where the IP header starts (14 without a VLAN tag).
     * @param ipHeaderBytes the IP header's length.
     * @param tcp       TCP (else UDP).
     * @return the request.
     */
    public static TxOffload checksum(final int ipOffset, final int ipHeaderBytes, final boolean tcp)
    {
        final int tucss = ipOffset + ipHeaderBytes;
        return new TxOffload(0, 0, 0, tucss, tucss + (tcp ? TCP_CHECKSUM_FIELD : UDP_CHECKSUM_FIELD), 0,
            tcp ? E1000TxDescriptor.TUCMD_TCP : 0, 0, 0, E1000TxDescriptor.POPTS_TXSM);
    }

    /**
     * Linux {@code e1000_tso} for IPv4/TCP: the IP and TCP checksums and lengths of every segment are the device's
     * (TUCMD.IP | TCP | TSE, POPTS.IXSM | TXSM); the stack left IP total length and checksum 0 and the TCP checksum
     * holding the pseudo-header sum with a length of 0 (SDM 3.5).
     *
     * @param ipOffset      where the IP header starts.
     * @param ipHeaderBytes the IP header's length.
     * @param headerBytes   all headers (Ethernet, IP, TCP).
     * @param mss           segment payload size.
     * @return the request.
     */
    public static TxOffload tso(final int ipOffset, final int ipHeaderBytes, final int headerBytes, final int mss)
    {
        final int tucss = ipOffset + ipHeaderBytes;
        return new TxOffload(ipOffset, ipOffset + IPV4_CHECKSUM_FIELD, tucss - 1, tucss, tucss + TCP_CHECKSUM_FIELD,
            0, E1000TxDescriptor.TUCMD_IP | E1000TxDescriptor.TUCMD_TCP | E1000TxDescriptor.TUCMD_TSE, headerBytes, mss,
            E1000TxDescriptor.POPTS_IXSM | E1000TxDescriptor.POPTS_TXSM);
    }

    /**
     * @return true for TCP segmentation.
     */
    public boolean isTso()
    {
        return 0 != (tucmd & E1000TxDescriptor.TUCMD_TSE);
    }
}
