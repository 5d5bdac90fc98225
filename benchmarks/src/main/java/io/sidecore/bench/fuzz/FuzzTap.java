package io.sidecore.bench.fuzz;

import io.sidecore.engine.backend.PortBackend;
import io.sidecore.engine.backend.TapBackend;
import io.sidecore.engine.backend.TapOpener;
import io.sidecore.engine.backend.VirtioNetHeader;
import io.sidecore.engine.frame.FrameMetadata;
import io.sidecore.engine.frame.FrameSink;
import io.sidecore.engine.os.TapDevice;
import io.sidecore.engine.status.PortCounters;
import io.sidecore.shm.os.Fds;
import io.sidecore.shm.os.LibC;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A hostile host side of a TAP: the port's backend is the engine's real {@link TapBackend}, reading from one end of a
 * {@code SOCK_SEQPACKET} socket pair (message boundaries kept, as a TAP keeps them) whose other end the fuzzer writes
 * {@code virtio_net_hdr}-prefixed frames into, as a host kernel would hand them to the TAP: any header (GSO type,
 * {@code gso_size}, header and checksum offsets), any length. So the backend's own checks (the {@code gso_size} floor,
 * malformed and truncated frames) are reached by fuzzer input, not by a double of them.
 * <p>
 * For the rig's conservation sum it counts what the backend moved towards the guest: every unit of work a poll
 * returns is one frame or segment handed to the port's receive side or one host frame the backend dropped and counted
 * under an {@code rx_drop_*} counter ({@link TapBackend#poll}).
 */
final class FuzzTap implements PortBackend
{
    /** Largest message the fuzzer writes: past the backend's read buffer, so a truncated read is reached too. */
    static final int MAX_MESSAGE_BYTES = VirtioNetHeader.LENGTH + 0x10000 + 1024 + 512;

    private final TapBackend backend;
    private final TapDevice peer;
    private final UnsafeBuffer message;
    private final MemorySegment messageSegment;
    private long sent;
    private long offered;
    private long taken;
    private int lastWriteResult;

    private FuzzTap(final TapBackend backend, final TapDevice peer, final MemorySegment messageSegment)
    {
        this.backend = backend;
        this.peer = peer;
        this.messageSegment = messageSegment;
        this.message = new UnsafeBuffer(messageSegment.address(), (int)messageSegment.byteSize());
    }

    /**
     * A backend for a port: the real TAP backend (with the TAP's offloads, so GSO frames are taken) over a fresh
     * socket pair.
     *
     * @param counters the port's counters.
     * @param arena    where the message buffer lives.
     * @return the backend.
     */
    static FuzzTap create(final PortCounters counters, final Arena arena)
    {
        final int[] pair = Fds.socketPair(LibC.SOCK_SEQPACKET | LibC.SOCK_NONBLOCK);
        final TapBackend backend = new TapBackend(TapDevice.adopt(pair[0], "fuzz-tap", TapOpener.TAP_FLAGS), counters,
            TapBackend.DEFAULT_MAX_RX_FRAME_BYTES, TapOpener.WANTED_OFFLOADS);
        final TapDevice peer = TapDevice.adopt(pair[1], "fuzz-tap-peer", TapOpener.TAP_FLAGS);
        return new FuzzTap(backend, peer, arena.allocate(MAX_MESSAGE_BYTES, 64));
    }

    /**
     * @return the buffer the next message is written into: a {@code virtio_net_hdr} at 0, the frame after it.
     */
    UnsafeBuffer message()
    {
        return message;
    }

    /**
     * Send the message written into {@link #message()} to the backend.
     *
     * @param lengthBytes its length, header included: 1 to {@link #MAX_MESSAGE_BYTES}.
     * @return true when the socket took it whole.
     */
    boolean send(final int lengthBytes)
    {
        if (lengthBytes < 1 || lengthBytes > MAX_MESSAGE_BYTES)
        {
            throw new IllegalArgumentException("message length out of range: " + lengthBytes);
        }
        lastWriteResult = peer.write(messageSegment, lengthBytes);
        if (lastWriteResult == lengthBytes)
        {
            sent++;
            return true;
        }
        return false;
    }

    /**
     * @return the last write's result: bytes written or a negative errno.
     */
    int lastWriteResult()
    {
        return lastWriteResult;
    }

    /**
     * @return true when the backend has read every message sent (a super-frame it is still cutting shows as work).
     */
    boolean isIdle()
    {
        return backend.rxFramesRead() == sent;
    }

    /**
     * @return frames and segments handed to the guest plus host frames the backend dropped, since the start.
     */
    long offered()
    {
        return offered;
    }

    /**
     * @return frames from the guest the backend took.
     */
    long taken()
    {
        return taken;
    }

    public int poll(final long nowNs, final FrameSink toGuest, final int frameBudget, final long byteBudget)
    {
        final int work = backend.poll(nowNs, toGuest, frameBudget, byteBudget);
        offered += work;
        return work;
    }

    public int onFrame(
        final DirectBuffer frame, final int offset, final int lengthBytes, final FrameMetadata metadata,
        final long nowNs)
    {
        final int outcome = backend.onFrame(frame, offset, lengthBytes, metadata, nowNs);
        if (FrameSink.isDelivered(outcome))
        {
            taken++;
        }
        return outcome;
    }

    public boolean acceptsOffload()
    {
        return backend.acceptsOffload();
    }

    public boolean hasCarrier(final long nowNs)
    {
        return backend.hasCarrier(nowNs);
    }

    public void close()
    {
        try
        {
            backend.close();
        }
        finally
        {
            peer.close();
        }
    }

    public String typeName()
    {
        return "fuzz-tap";
    }
}
