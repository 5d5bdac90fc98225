package io.sidecore.engine.e1000;

import io.sidecore.shm.E1000TxDescriptor;

/**
 * One offload context slot loaded from a TCP/IP context descriptor (SDM 3.3.6). The device keeps two: the TCP
 * segmentation slot (loaded by a context descriptor with TUCMD.TSE set) and the checksum-only slot (TSE clear); a
 * data descriptor's own TSE bit chooses the slot it uses (SDM 3.3.7.1 "TSE indicates that this descriptor is part of
 * the current TCP Segmentation context ... otherwise part of the normal context"). A slot stays loaded across
 * packets until the next context descriptor of its kind or a MAC reset.
 * <p>
 * The values are copied here as the guest wrote them; they are validated against each packet at the end of the
 * packet, when its length is known ({@link TsoSegmenter#validate}, {@link TxChecksumOffload#validate}).
 * <p>
 * Linux e1000 writes a context descriptor before every offloaded packet (e1000_tx_csum, e1000_tso), nearly always
 * the same one, so {@link #load} first compares the descriptor's two words with those the slot was loaded from and
 * decodes nothing when they match: the slot would be loaded with the values it holds.
 */
final class TxContext
{
    /** The bits of a context descriptor's second word the device ignores: STA (byte 12), written back with DD. */
    private static final long IGNORED_HIGH_BITS = 0xFFL << 32;

    private boolean loaded;
    private long loadedLow;
    private long loadedHigh;
    private int ipcss;
    private int ipcso;
    private int ipcse;
    private int tucss;
    private int tucso;
    private int tucse;
    private int payloadLengthBytes;
    private int tucmd;
    private int headerLengthBytes;
    private int mss;

    /**
     * Load the slot from a context descriptor (SDM 3.3.6: it stays in force until the next context descriptor of its
     * kind), unless it is the one the slot already holds.
     *
     * @param descriptor a decoded descriptor of kind {@link TxDescriptor#KIND_CONTEXT}.
     */
    void load(final TxDescriptor descriptor)
    {
        final long low = descriptor.low();
        final long high = descriptor.high() & ~IGNORED_HIGH_BITS;
        if (loaded && low == loadedLow && high == loadedHigh)
        {
            return;
        }
        loadedLow = low;
        loadedHigh = high;
        ipcss = descriptor.ipcss();
        ipcso = descriptor.ipcso();
        ipcse = descriptor.ipcse();
        tucss = descriptor.tucss();
        tucso = descriptor.tucso();
        tucse = descriptor.tucse();
        payloadLengthBytes = descriptor.payloadLengthBytes();
        tucmd = descriptor.command();
        headerLengthBytes = descriptor.headerLengthBytes();
        mss = descriptor.mss();
        loaded = true;
    }

    /**
     * Forget the slot (MAC reset).
     */
    void clear()
    {
        loaded = false;
        ipcss = 0;
        ipcso = 0;
        ipcse = 0;
        tucss = 0;
        tucso = 0;
        tucse = 0;
        payloadLengthBytes = 0;
        tucmd = 0;
        headerLengthBytes = 0;
        mss = 0;
    }

    /**
     * @return true once a context descriptor has loaded the slot.
     */
    boolean isLoaded()
    {
        return loaded;
    }

    /**
     * @return TUCMD.TCP: true for TCP, false for UDP.
     */
    boolean isTcp()
    {
        return 0 != (tucmd & E1000TxDescriptor.TUCMD_TCP);
    }

    /**
     * @return TUCMD.IP: true for IPv4, false for IPv6.
     */
    boolean isIpv4()
    {
        return 0 != (tucmd & E1000TxDescriptor.TUCMD_IP);
    }

    int ipcss()
    {
        return ipcss;
    }

    int ipcso()
    {
        return ipcso;
    }

    int ipcse()
    {
        return ipcse;
    }

    int tucss()
    {
        return tucss;
    }

    int tucso()
    {
        return tucso;
    }

    int tucse()
    {
        return tucse;
    }

    int payloadLengthBytes()
    {
        return payloadLengthBytes;
    }

    int headerLengthBytes()
    {
        return headerLengthBytes;
    }

    int mss()
    {
        return mss;
    }
}
