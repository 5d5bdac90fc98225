package io.sidecore.engine.backend;

import io.sidecore.engine.os.TapDevice;
import io.sidecore.engine.status.PortCounters;
import io.sidecore.shm.os.Errno;
import io.sidecore.shm.os.OsException;

/**
 * Opens a host TAP interface for a {@link TapBackend}: {@code IFF_TAP | IFF_NO_PI | IFF_VNET_HDR}, non-blocking,
 * a 10-byte {@code virtio_net_hdr} on every frame, and {@code TUNSETOFFLOAD} telling the kernel that this reader
 * completes partial checksums and cuts TCP super-frames, so the host may send them.
 */
public final class TapOpener
{
    /** Interface flags TAPs are opened with. */
    public static final int TAP_FLAGS = TapDevice.IFF_TAP | TapDevice.IFF_NO_PI | TapDevice.IFF_VNET_HDR;
    /** Offloads asked for first; falls back to CSUM only, then none, when the kernel refuses. */
    public static final int WANTED_OFFLOADS = TapDevice.TUN_F_CSUM | TapDevice.TUN_F_TSO4 | TapDevice.TUN_F_TSO6;

    private TapOpener()
    {
    }

    /**
     * Open (create or attach) the TAP {@code name} in the calling thread's network namespace, configured for
     * offloads, with the guest's default largest frame.
     *
     * @param name     interface name.
     * @param counters the port's counters.
     * @return the backend.
     * @throws OsException when the TAP cannot be opened or configured.
     */
    public static TapBackend open(final String name, final PortCounters counters)
    {
        return open(name, counters, TapBackend.DEFAULT_MAX_RX_FRAME_BYTES);
    }

    /**
     * Open (create or attach) the TAP {@code name}, configured for offloads.
     *
     * @param name            interface name.
     * @param counters        the port's counters.
     * @param maxRxFrameBytes largest frame handed to the guest (GSO frames are segmented to fit).
     * @return the backend.
     * @throws OsException when the TAP cannot be opened or configured (nothing is left open).
     */
    public static TapBackend open(final String name, final PortCounters counters, final int maxRxFrameBytes)
    {
        final TapDevice tap = TapDevice.open(name, TAP_FLAGS, true);
        try
        {
            tap.setVnetHeaderSize(VirtioNetHeader.LENGTH);
            final int offloads = negotiateOffloads(tap);
            return new TapBackend(tap, counters, maxRxFrameBytes, offloads);
        }
        catch (final RuntimeException ex)
        {
            tap.close();
            throw ex;
        }
    }

    private static int negotiateOffloads(final TapDevice tap)
    {
        final int[] candidates = {WANTED_OFFLOADS, TapDevice.TUN_F_CSUM, 0};
        for (final int candidate : candidates)
        {
            try
            {
                tap.setOffload(candidate);
                return candidate;
            }
            catch (final OsException ex)
            {
                if (ex.errno() != Errno.EINVAL || candidate == 0)
                {
                    throw ex;
                }
            }
        }
        return 0;
    }
}
