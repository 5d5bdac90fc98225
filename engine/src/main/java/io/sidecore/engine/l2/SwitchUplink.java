package io.sidecore.engine.l2;

import io.sidecore.engine.backend.PortBackend;
import io.sidecore.engine.e1000.YieldSignal;
import io.sidecore.engine.frame.FrameMetadata;
import io.sidecore.engine.frame.FrameSink;
import io.sidecore.engine.status.PortCounters;
import io.sidecore.shm.PortCounter;
import org.agrona.DirectBuffer;

/**
 * The switch's way out to the host: a port with no guest whose switch slot is a host backend (a TAP), as a VALE
 * switch has a host port. Frames the switch sends to the uplink's slot (flooded, or to an address learned behind
 * it) are written to the host; frames the host sends out of the TAP are switched from the uplink's slot, so the
 * guests on the switch and the host's network (a bridge the TAP is on) reach each other.
 * <p>
 * The uplink's port has a device like any port but never a guest (the daemon refuses one), so it transmits nothing
 * of its own. Its counters count what crosses the uplink, seen from the switch: {@link PortCounter#TX_FRAMES} and
 * {@link PortCounter#TX_BYTES} for frames written to the host, {@link PortCounter#RX_FRAMES} and
 * {@link PortCounter#RX_BYTES} for frames read from the host and handed to the switch. A frame the host side refuses
 * is counted there under its drop reason ({@code tx_drop_backend} ...); a frame from the host the switch cannot
 * place is counted by the switch on this port as the source ({@code tx_drop_no_destination} ...). The host's
 * addresses are learned and age like any other; the uplink pins none. Frames cross complete (the switch takes no
 * offload): the host backend segments and checksums what it reads, and writes complete frames.
 * <p>
 * Runs on the agent thread that owns the port, like every backend.
 */
public final class SwitchUplink implements PortBackend
{
    /** {@link #typeName()} of this backend. */
    public static final String TYPE_NAME = "uplink";

    private final PortBackend host;
    private final L2Switch l2Switch;
    private final int slot;
    private final PortCounters counters;
    private final FrameSink intoSwitch = this::fromHost;
    private final FrameSink outOfSwitch = this::toHost;

    /**
     * @param host     the host side (a TAP backend), owned by the uplink from now on.
     * @param l2Switch the owning sidecore's part of the switch.
     * @param slot     the uplink's switch slot.
     * @param counters the uplink port's counters.
     */
    public SwitchUplink(final PortBackend host, final L2Switch l2Switch, final int slot, final PortCounters counters)
    {
        this.host = host;
        this.l2Switch = l2Switch;
        this.slot = slot;
        this.counters = counters;
    }

    /**
     * @return where the switch delivers frames for the uplink's slot: out to the host.
     */
    public FrameSink switchDestination()
    {
        return outOfSwitch;
    }

    /**
     * The port's device transmits nothing (it never has a guest); whatever it would is sent to the host, like a
     * frame from the switch.
     */
    public int onFrame(
        final DirectBuffer frame, final int offset, final int lengthBytes, final FrameMetadata metadata,
        final long nowNs)
    {
        return host.onFrame(frame, offset, lengthBytes, metadata, nowNs);
    }

    /**
     * Move up to {@code frameBudget} frames and about {@code byteBudget} bytes from the host into the switch;
     * {@code toGuest} is not used (an uplink has no guest).
     */
    public int poll(final long nowNs, final FrameSink toGuest, final int frameBudget, final long byteBudget)
    {
        return host.poll(nowNs, intoSwitch, frameBudget, byteBudget);
    }

    /**
     * Close the host side.
     */
    public void close()
    {
        host.close();
    }

    /**
     * @return "uplink".
     */
    public String typeName()
    {
        return TYPE_NAME;
    }

    /**
     * @return whether the host-side backend's polls ask the kernel (a TAP uplink reads its TAP every poll).
     */
    public boolean pollsTheKernel()
    {
        return host.pollsTheKernel();
    }

    /**
     * The host side's input yields as a port's own would.
     */
    public void yieldInputWhen(final YieldSignal signal)
    {
        host.yieldInputWhen(signal);
    }

    /**
     * @return the host side.
     */
    public PortBackend host()
    {
        return host;
    }

    /**
     * @return the uplink's switch slot.
     */
    public int slot()
    {
        return slot;
    }

    private int fromHost(
        final DirectBuffer frame, final int offset, final int lengthBytes, final FrameMetadata metadata,
        final long nowNs)
    {
        counters.increment(PortCounter.RX_FRAMES);
        counters.add(PortCounter.RX_BYTES, lengthBytes);
        return l2Switch.forward(slot, frame, offset, lengthBytes, metadata);
    }

    private int toHost(
        final DirectBuffer frame, final int offset, final int lengthBytes, final FrameMetadata metadata,
        final long nowNs)
    {
        final int outcome = host.onFrame(frame, offset, lengthBytes, metadata, nowNs);
        if (FrameSink.DELIVERED == outcome)
        {
            counters.increment(PortCounter.TX_FRAMES);
            counters.add(PortCounter.TX_BYTES, lengthBytes);
        }
        return outcome;
    }
}
