package io.sidecore.engine.e1000;

import io.sidecore.engine.frame.FrameMetadata;
import io.sidecore.engine.frame.FrameSink;
import io.sidecore.shm.PortCounter;
import org.agrona.DirectBuffer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static io.sidecore.engine.e1000.TxTestSupport.harness;
import static io.sidecore.engine.e1000.TxTestSupport.putLegacy;
import static io.sidecore.engine.e1000.TxTestSupport.ring;
import static io.sidecore.shm.E1000TxDescriptor.CMD_EOP;
import static io.sidecore.shm.E1000TxDescriptor.CMD_RS;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@link PortCounter#TX_FRAMES} and {@link PortCounter#TX_BYTES} are stored once per TX pass, not per frame (issue 11
 * §0): while a pass emits its frames the counters keep the value they had when it began, and when it returns they
 * have grown by exactly the frames and bytes it emitted, also when a budget cut the pass short.
 */
final class TxCountersPerPassTest
{
    private static final int FRAMES = 12;

    @Test
    void shouldStoreFramesAndBytesOncePerPassIncludingPassesCutByBudgets()
    {
        final List<long[]> seenDuringPass = new ArrayList<>();
        final DeviceHarness[] harness = new DeviceHarness[1];
        final long[] emittedBytes = new long[1];
        final FrameSink sink = (frame, offset, lengthBytes, metadata, nowNs) -> onFrame(
            harness[0], seenDuringPass, emittedBytes, frame, lengthBytes, metadata);
        final DeviceHarness h = harness(64, sink);
        harness[0] = h;
        long bytes = 0;
        for (int i = 0; i < FRAMES; i++)
        {
            final byte[] frame = DeviceHarness.broadcastFrame(60 + 100 * i, i);
            final long gpa = DeviceHarness.BUFFERS_GPA + i * 2048L;
            h.putBytes(gpa, frame);
            putLegacy(h, i, gpa, frame.length, CMD_EOP | CMD_RS, 0, 0, 0);
            bytes += frame.length;
        }
        ring(h, FRAMES);

        long framesBefore = 0;
        long bytesBefore = 0;
        int passes = 0;
        while (h.counter(PortCounter.TX_FRAMES) < FRAMES)
        {
            seenDuringPass.clear();
            emittedBytes[0] = 0;
            h.device.pollTx(h.nowNs, 64, 5, Long.MAX_VALUE);
            passes++;
            assertEquals(Math.min(5, FRAMES - framesBefore), seenDuringPass.size(), "frames of pass " + passes);
            for (final long[] seen : seenDuringPass)
            {
                assertEquals(framesBefore, seen[0], "tx_frames while pass " + passes + " runs");
                assertEquals(bytesBefore, seen[1], "tx_bytes while pass " + passes + " runs");
            }
            assertEquals(framesBefore + seenDuringPass.size(), h.counter(PortCounter.TX_FRAMES), "after the pass");
            assertEquals(bytesBefore + emittedBytes[0], h.counter(PortCounter.TX_BYTES), "after the pass");
            framesBefore = h.counter(PortCounter.TX_FRAMES);
            bytesBefore = h.counter(PortCounter.TX_BYTES);
        }
        assertEquals(3, passes, "the frame budget of 5 cut 12 frames into 3 passes");
        assertEquals(bytes, h.counter(PortCounter.TX_BYTES));
    }

    private static int onFrame(
        final DeviceHarness h, final List<long[]> seen, final long[] emittedBytes, final DirectBuffer frame,
        final int lengthBytes, final FrameMetadata metadata)
    {
        seen.add(new long[] {h.counter(PortCounter.TX_FRAMES), h.counter(PortCounter.TX_BYTES)});
        emittedBytes[0] += lengthBytes;
        return FrameSink.DELIVERED;
    }
}
