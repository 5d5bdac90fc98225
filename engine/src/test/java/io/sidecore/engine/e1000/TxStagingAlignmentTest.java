package io.sidecore.engine.e1000;

import io.sidecore.engine.frame.FrameSink;
import io.sidecore.shm.E1000Registers;
import io.sidecore.shm.PortCounter;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static io.sidecore.engine.e1000.TxTestSupport.bufferGpa;
import static io.sidecore.engine.e1000.TxTestSupport.harness;
import static io.sidecore.engine.e1000.TxTestSupport.payload;
import static io.sidecore.engine.e1000.TxTestSupport.putLegacy;
import static io.sidecore.engine.e1000.TxTestSupport.ring;
import static io.sidecore.shm.E1000TxDescriptor.CMD_EOP;
import static io.sidecore.shm.E1000TxDescriptor.CMD_RS;
import static io.sidecore.shm.E1000TxDescriptor.CMD_VLE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A packet is staged at the same offset within a 64-byte line as its first buffer in guest memory
 * ({@link TxProcessor#packetStartFor}), for short packets and for long ones (whose staging copy is split at the
 * source's next line); the bytes sent are the guest's, with the 802.1Q tag inserted in the headroom before the packet
 * at every offset (the smallest headroom included).
 */
final class TxStagingAlignmentTest
{
    private static final int LINE_BYTES = 64;
    private static final int FRAME_BYTES = 100;
    private static final long SLOT_BYTES = 2048;

    @Test
    void shouldStageEachPacketAtItsFirstBuffersOffsetWithinALine()
    {
        assertEachOffsetStaged(FRAME_BYTES);
    }

    @Test
    void shouldStageEachLongPacketAtItsFirstBuffersOffsetThroughTheLineSplitCopy()
    {
        // 1514 bytes: at every offset but 0 the staging copy is split at the source's next line.
        assertEachOffsetStaged(1514);
    }

    private static void assertEachOffsetStaged(final int frameBytes)
    {
        final List<Integer> lineOffsets = new ArrayList<>();
        final List<byte[]> frames = new ArrayList<>();
        final DeviceHarness h = harness(128, recording(lineOffsets, frames));
        final List<byte[]> sent = new ArrayList<>();
        final List<Integer> expectedLineOffsets = new ArrayList<>();
        for (int bufferOffset = 0; bufferOffset < LINE_BYTES; bufferOffset++)
        {
            final long gpa = DeviceHarness.BUFFERS_GPA + bufferOffset * SLOT_BYTES + bufferOffset;
            final byte[] frame = payload(frameBytes, bufferOffset);
            h.putBytes(gpa, frame);
            putLegacy(h, bufferOffset, gpa, frameBytes, CMD_EOP | CMD_RS, 0, 0, 0);
            sent.add(frame);
            expectedLineOffsets.add(lineOffset(h, gpa));
        }
        ring(h, LINE_BYTES);

        h.pollTx();

        assertEquals(expectedLineOffsets, lineOffsets, "each frame at its first buffer's offset within a line");
        assertFramesEqual(sent, frames);
        assertEquals(LINE_BYTES, h.counter(PortCounter.TX_FRAMES));
    }

    @Test
    void shouldKeepTheFirstBuffersOffsetForAPacketGatheredFromSeveralBuffers()
    {
        final List<Integer> lineOffsets = new ArrayList<>();
        final List<byte[]> frames = new ArrayList<>();
        final DeviceHarness h = harness(16, recording(lineOffsets, frames));
        final byte[] frame = payload(3 * FRAME_BYTES, 7);
        final long[] gpas = {bufferGpa(1) + 37, bufferGpa(2) + 5, bufferGpa(3) + 60};
        for (int i = 0; i < gpas.length; i++)
        {
            h.putBytes(gpas[i], Arrays.copyOfRange(frame, i * FRAME_BYTES, (i + 1) * FRAME_BYTES));
            putLegacy(h, i, gpas[i], FRAME_BYTES, i == gpas.length - 1 ? CMD_EOP | CMD_RS : 0, 0, 0, 0);
        }
        ring(h, gpas.length);

        h.pollTx();

        assertEquals(List.of(lineOffset(h, gpas[0])), lineOffsets, "the packet starts where its first buffer does");
        assertFramesEqual(List.of(frame), frames);
    }

    @Test
    void shouldInsertTheVlanTagInTheHeadroomAtEveryOffset()
    {
        final List<Integer> lineOffsets = new ArrayList<>();
        final List<byte[]> frames = new ArrayList<>();
        final DeviceHarness h = harness(128, recording(lineOffsets, frames));
        h.write(E1000Registers.CTRL, h.read(E1000Registers.CTRL) | E1000Registers.CTRL_VME);
        h.write(E1000Registers.VET, 0x8100);
        final int tci = 0x2123;
        final List<byte[]> expected = new ArrayList<>();
        final List<Integer> expectedLineOffsets = new ArrayList<>();
        for (int bufferOffset = 0; bufferOffset < LINE_BYTES; bufferOffset++)
        {
            final long gpa = DeviceHarness.BUFFERS_GPA + bufferOffset * SLOT_BYTES + bufferOffset;
            final byte[] frame = payload(FRAME_BYTES, bufferOffset);
            h.putBytes(gpa, frame);
            putLegacy(h, bufferOffset, gpa, FRAME_BYTES, CMD_EOP | CMD_RS | CMD_VLE, 0, 0, tci);
            expected.add(tagged(frame, 0x8100, tci));
            expectedLineOffsets.add((lineOffset(h, gpa) - 4) & (LINE_BYTES - 1));
        }
        ring(h, LINE_BYTES);

        h.pollTx();

        assertEquals(expectedLineOffsets, lineOffsets, "each tagged frame starts 4 bytes before its buffer's offset");
        assertFramesEqual(expected, frames);
    }

    private static FrameSink recording(final List<Integer> lineOffsets, final List<byte[]> frames)
    {
        return (frame, offset, lengthBytes, metadata, nowNs) ->
        {
            lineOffsets.add((int)((frame.addressOffset() + offset) & (LINE_BYTES - 1)));
            final byte[] copy = new byte[lengthBytes];
            frame.getBytes(offset, copy);
            frames.add(copy);
            return FrameSink.DELIVERED;
        };
    }

    private static int lineOffset(final DeviceHarness h, final long gpa)
    {
        return (int)((h.ram.address() + h.ramOffset(gpa)) & (LINE_BYTES - 1));
    }

    private static byte[] tagged(final byte[] frame, final int vet, final int tci)
    {
        final byte[] out = new byte[frame.length + 4];
        System.arraycopy(frame, 0, out, 0, 12);
        out[12] = (byte)(vet >>> 8);
        out[13] = (byte)vet;
        out[14] = (byte)(tci >>> 8);
        out[15] = (byte)tci;
        System.arraycopy(frame, 12, out, 16, frame.length - 12);
        return out;
    }

    private static void assertFramesEqual(final List<byte[]> expected, final List<byte[]> actual)
    {
        assertEquals(expected.size(), actual.size(), "frames sent");
        for (int i = 0; i < expected.size(); i++)
        {
            assertArrayEquals(expected.get(i), actual.get(i), "frame " + i);
        }
    }
}
