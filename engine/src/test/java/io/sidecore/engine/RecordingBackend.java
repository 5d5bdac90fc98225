package io.sidecore.engine;

import io.sidecore.engine.backend.PortBackend;
import io.sidecore.engine.frame.FrameMetadata;
import io.sidecore.engine.frame.FrameSink;
import org.agrona.DirectBuffer;

import java.util.ArrayList;
import java.util.List;

/**
 * Test support: a backend that records its polls (into a log shared by several backends, to see the pass order),
 * the frame budgets it was given, and the frames the guest transmitted.
 */
final class RecordingBackend implements PortBackend
{
    final String name;
    final List<String> pollLog;
    final List<Integer> budgets = new ArrayList<>();
    final List<byte[]> frames = new ArrayList<>();
    boolean closed;

    RecordingBackend(final String name, final List<String> pollLog)
    {
        this.name = name;
        this.pollLog = pollLog;
    }

    public int onFrame(
        final DirectBuffer frame, final int offset, final int lengthBytes, final FrameMetadata metadata,
        final long nowNs)
    {
        final byte[] copy = new byte[lengthBytes];
        frame.getBytes(offset, copy);
        frames.add(copy);
        return DELIVERED;
    }

    public int poll(final long nowNs, final FrameSink toGuest, final int frameBudget, final long byteBudget)
    {
        pollLog.add(name);
        budgets.add(frameBudget);
        return 0;
    }

    public void close()
    {
        closed = true;
    }

    public String typeName()
    {
        return "recording";
    }
}
