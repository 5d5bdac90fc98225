package io.sidecore.engine.e1000;

import io.sidecore.shm.E1000Registers;
import io.sidecore.shm.E1000RxDescriptor;
import io.sidecore.shm.PortCounter;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.lifecycle.BeforeProperty;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Placement and accounting over random frames, buffer sizes and ring contents: the bytes reassembled from the
 * descriptors equal the padded (and, with VME, untagged) frame, EOP marks only the last descriptor, and every frame
 * ends in exactly one outcome counter.
 */
class RxPlacementPropertyTest
{
    private static final int RING = 64;
    private static final int SPACING = 16384;
    private static final int[] BUFFER_BYTES = {2048, 1024, 512, 256, 2048, 16384, 8192, 4096};

    private DeviceHarness h;

    @BeforeProperty
    void createHarness()
    {
        h = new DeviceHarness();
        RxFrames.ready(h, RING);
    }

    @Property(tries = 300)
    void shouldReassembleFrameFromDescriptors(
        @ForAll @IntRange(min = 14, max = 9000) final int lengthBytes,
        @ForAll @IntRange(min = 0, max = 7) final int bufferSelect,
        @ForAll final boolean secrc,
        @ForAll final boolean vme,
        @ForAll final boolean tagged,
        @ForAll @IntRange(min = 0, max = 0xFFFF) final int tci,
        @ForAll @IntRange(min = 0, max = RING - 1) final int head)
    {
        resetRing(head, (head + RING - 1) % RING);
        final int rctl = E1000Registers.RCTL_EN | E1000Registers.RCTL_BAM | E1000Registers.RCTL_LPE |
            (bufferSelect >= 4 ? E1000Registers.RCTL_BSEX : 0) |
            (bufferSelect & 3) << E1000Registers.RCTL_BSIZE_SHIFT | (secrc ? E1000Registers.RCTL_SECRC : 0);
        h.write(E1000Registers.RCTL, rctl);
        h.write(E1000Registers.CTRL, E1000Registers.CTRL_SLU | (vme ? E1000Registers.CTRL_VME : 0));
        final byte[] frame = tagged && lengthBytes >= 18 ?
            RxFrames.tagged(RxFrames.BROADCAST, RxFrames.VET_8021Q, tci, lengthBytes, tci) :
            DeviceHarness.broadcastFrame(lengthBytes, tci);
        final byte[] padded = Arrays.copyOf(frame, Math.max(60, lengthBytes));
        final boolean strip = vme && tagged && lengthBytes >= 18;
        final byte[] expected = strip ? strip(padded) : padded;
        final int total = expected.length + (secrc ? 0 : 4);
        final int bufferBytes = BUFFER_BYTES[bufferSelect];
        final int descriptors = (total + bufferBytes - 1) / bufferBytes;
        final long descriptorsBefore = h.counter(PortCounter.RX_DESCRIPTORS);

        final boolean delivered = h.receive(frame);

        assertTrue(delivered, "a broadcast frame with a free descriptor for each buffer-sized piece is delivered");
        final byte[] reassembled = new byte[expected.length];
        int offset = 0;
        int reported = 0;
        for (int i = 0; i < descriptors; i++)
        {
            final int index = (head + i) % RING;
            final int status = h.rxStatus(index);
            final boolean last = i == descriptors - 1;
            assertEquals(last, 0 != (status & E1000RxDescriptor.STA_EOP), "EOP on descriptor " + i);
            assertEquals(E1000RxDescriptor.STA_DD, status & E1000RxDescriptor.STA_DD);
            assertEquals(strip, 0 != (status & E1000RxDescriptor.STA_VP));
            assertEquals(strip ? tci : 0, h.rxSpecial(index));
            final int length = h.rxLength(index);
            reported += length;
            final int data = Math.min(length, expected.length - offset);
            System.arraycopy(h.getBytes(h.rxBufferAddress(index), data), 0, reassembled, offset, data);
            offset += data;
        }
        assertEquals(total, reported);
        assertArrayEquals(expected, reassembled);
        assertEquals(0, h.rxStatus((head + descriptors) % RING));
        assertEquals((head + descriptors) % RING, h.registers.getAcquire(E1000Registers.RDH));
        assertEquals(descriptors, h.counter(PortCounter.RX_DESCRIPTORS) - descriptorsBefore);
    }

    @Property(tries = 500)
    void shouldEndEveryFrameInExactlyOneOutcome(
        @ForAll @IntRange(min = 0, max = 20000) final int lengthBytes,
        @ForAll @IntRange(min = 0, max = 0xFFFF) final int rctlBits,
        @ForAll @IntRange(min = 0, max = RING - 1) final int head,
        @ForAll @IntRange(min = 0, max = RING - 1) final int tail,
        @ForAll @Size(RING) final List<@IntRange(min = 0, max = 9) Integer> bufferKinds,
        @ForAll final boolean broadcast)
    {
        resetRing(head, tail);
        for (int i = 0; i < RING; i++)
        {
            final int kind = bufferKinds.get(i);
            final long address = 0 == kind ? 0 : 1 == kind ? DeviceHarness.RAM_GPA + DeviceHarness.RAM_BYTES - 64 :
                DeviceHarness.BUFFERS_GPA + (long)i * SPACING;
            h.putRxDescriptor(i, address);
        }
        final int passedBits = E1000Registers.RCTL_EN | E1000Registers.RCTL_SBP | E1000Registers.RCTL_UPE |
            E1000Registers.RCTL_MPE | E1000Registers.RCTL_LPE | E1000Registers.RCTL_RDMTS_MASK |
            E1000Registers.RCTL_BAM;
        final int rctl = (rctlBits & passedBits) | (rctlBits >>> 12 & 3) << E1000Registers.RCTL_BSIZE_SHIFT |
            (0 != (rctlBits & 1) ? E1000Registers.RCTL_BSEX : 0) |
            (0 != (rctlBits & 1 << 14) ? E1000Registers.RCTL_SECRC : 0);
        h.write(E1000Registers.RCTL, rctl);
        final int built = Math.max(lengthBytes, 14);
        final byte[] frame = broadcast ? DeviceHarness.broadcastFrame(built, 1) :
            RxFrames.frame(new byte[]{0x02, 1, 2, 3, 4, 5}, 0x0800, built, 1);
        final byte[] sized = Arrays.copyOf(frame, lengthBytes);
        final long[] before = outcomes();
        final long descriptorsBefore = h.counter(PortCounter.RX_DESCRIPTORS);

        final boolean delivered = h.receive(sized);

        final long[] after = outcomes();
        long changed = 0;
        for (int i = 0; i < before.length; i++)
        {
            changed += after[i] - before[i];
        }
        assertEquals(1, changed);
        assertEquals(delivered ? 1 : 0, after[0] - before[0]);
        final long consumed = h.counter(PortCounter.RX_DESCRIPTORS) - descriptorsBefore;
        assertEquals((head + consumed) % RING, h.registers.getAcquire(E1000Registers.RDH),
            "RDH moves by exactly the descriptors consumed and stays inside the ring");
        assertFalse(h.device.isFaulted(), "a head and tail inside the ring never fault the port");
    }

    private void resetRing(final int head, final int tail)
    {
        for (int i = 0; i < RING; i++)
        {
            h.putRxDescriptor(i, DeviceHarness.BUFFERS_GPA + (long)i * SPACING);
        }
        h.writeShared(E1000Registers.RDH, head);
        h.writeShared(E1000Registers.RDT, tail);
    }

    private long[] outcomes()
    {
        final PortCounter[] all = PortCounter.values();
        final long[] values = new long[all.length];
        int n = 0;
        values[n++] = h.counter(PortCounter.RX_FRAMES);
        for (final PortCounter counter : all)
        {
            if (counter.counterName().startsWith("rx_drop_"))
            {
                values[n++] = h.counter(counter);
            }
        }
        return Arrays.copyOf(values, n);
    }

    private static byte[] strip(final byte[] tagged)
    {
        final byte[] untagged = new byte[tagged.length - 4];
        System.arraycopy(tagged, 0, untagged, 0, 12);
        System.arraycopy(tagged, 16, untagged, 12, tagged.length - 16);
        return untagged;
    }
}
