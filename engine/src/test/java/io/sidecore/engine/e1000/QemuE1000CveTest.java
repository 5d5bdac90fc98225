package io.sidecore.engine.e1000;

import io.sidecore.engine.frame.FrameMetadata;
import io.sidecore.engine.frame.FrameSink;
import io.sidecore.shm.E1000Registers;
import io.sidecore.shm.E1000RxDescriptor;
import io.sidecore.shm.E1000TxDescriptor;
import io.sidecore.shm.PciConfig;
import io.sidecore.shm.PortCounter;
import io.sidecore.shm.PortFault;
import org.agrona.DirectBuffer;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static io.sidecore.engine.e1000.TxTestSupport.bufferGpa;
import static io.sidecore.engine.e1000.TxTestSupport.harness;
import static io.sidecore.engine.e1000.TxTestSupport.putContext;
import static io.sidecore.engine.e1000.TxTestSupport.putData;
import static io.sidecore.engine.e1000.TxTestSupport.putLegacy;
import static io.sidecore.engine.e1000.TxTestSupport.ring;
import static io.sidecore.shm.E1000TxDescriptor.CMD_EOP;
import static io.sidecore.shm.E1000TxDescriptor.CMD_RS;
import static io.sidecore.shm.E1000TxDescriptor.CMD_TSE;
import static io.sidecore.shm.E1000TxDescriptor.POPTS_TXSM;
import static io.sidecore.shm.E1000TxDescriptor.STA_DD;
import static io.sidecore.shm.E1000TxDescriptor.TUCMD_IP;
import static io.sidecore.shm.E1000TxDescriptor.TUCMD_TCP;
import static io.sidecore.shm.E1000TxDescriptor.TUCMD_TSE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One test per known QEMU e1000 security bug (the e1000 checklist, section 6), each named after its CVE and fed the
 * guest (or wire) input that broke QEMU. Each asserts what the device must do instead: the call returns within a
 * bound (run under {@code assertTimeoutPreemptively}, so a loop fails the test rather than hanging the build) and
 * without an exception, guest memory changes only where the device may write (the status bytes of the descriptors
 * it completes, the buffers it fills), nothing leaves the port that should not, and the input is counted under the
 * one named counter it belongs to.
 */
class QemuE1000CveTest
{
    private static final Duration BOUND = Duration.ofSeconds(10);
    private static final int RS_EOP = CMD_RS | CMD_EOP;
    private static final int RX_RING = 16;
    /** Where the guest's BIOS placed BAR0 (a guest-physical address outside its RAM). */
    private static final int BAR0_GPA = 0xFEB0_0000;

    @Test
    void cve2012_0029ShouldDropOversizePacketWhenLegacyChainWithoutEopExceedsStagingBuffer()
    {
        // Five 0xFFFF-byte legacy descriptors without EOP (more than the 64 KiB staging buffer), one with EOP, then a
        // well-formed frame: QEMU copied past its buffer; the chain must be dropped whole and the next frame sent.
        final DeviceHarness h = harness(8);
        for (int i = 0; i < 5; i++)
        {
            putLegacy(h, i, bufferGpa(0), 0xFFFF, CMD_RS, 0, 0, 0);
        }
        putLegacy(h, 5, bufferGpa(0), 100, RS_EOP, 0, 0, 0);
        final byte[] frame = DeviceHarness.broadcastFrame(60, 1);
        h.putBytes(bufferGpa(1), frame);
        putLegacy(h, 6, bufferGpa(1), frame.length, RS_EOP, 0, 0, 0);
        ring(h, 7);
        final byte[] ram = ram(h);

        assertEquals(7, pollTxBounded(h));

        assertEquals(1, h.counter(PortCounter.TX_DROP_OVERSIZE));
        assertEquals(1, h.counters.totalDrops(), "one drop, under one counter");
        assertEquals(7, h.counter(PortCounter.TX_DESCRIPTORS));
        assertEquals(1, h.counter(PortCounter.TX_FRAMES));
        assertEquals(1, h.wire.size());
        assertArrayEquals(frame, h.wire.get(0), "the frame after the dropped chain is sent intact");
        assertEquals(7, h.registers.get(E1000Registers.TDH));
        assertTxCompleted(h, ram, 0, 1, 2, 3, 4, 5, 6);
    }

    @Test
    void cve2012_6075ShouldDropJumboFrameWithoutDmaWhenLongPacketsAreDisabled()
    {
        // A 9000-byte frame from the wire against 2048-byte buffers with RCTL.LPE = RCTL.SBP = 0: QEMU wrote past the
        // guest's buffer. It must be dropped before any DMA and counted as oversize (and in the ROC statistic).
        final DeviceHarness h = new DeviceHarness();
        RxFrames.ready(h, RX_RING);
        final byte[] ram = ram(h);

        assertFalse(receiveBounded(h, DeviceHarness.broadcastFrame(9000, 1)));

        assertRxOutcome(h, PortCounter.RX_DROP_OVERSIZE);
        assertEquals(1, h.registers.get(E1000Registers.ROC));
        assertEquals(0, h.counter(PortCounter.RX_DESCRIPTORS));
        assertArrayEquals(ram, ram(h), "no byte of guest memory written");
        assertEquals(0, h.registers.getAcquire(E1000Registers.RDH));
        assertEquals(0, h.registers.get(E1000Registers.ICR), "no interrupt cause for a dropped frame");

        h.write(E1000Registers.RCTL, h.registers.get(E1000Registers.RCTL) | E1000Registers.RCTL_LPE);

        assertFalse(receiveBounded(h, DeviceHarness.broadcastFrame(RxProcessor.MAX_LONG_FRAME_LENGTH + 1, 2)));

        assertEquals(2, h.counter(PortCounter.RX_DROP_OVERSIZE), "with LPE, past 16380 bytes is still oversize");
        assertArrayEquals(ram, ram(h), "no byte of guest memory written");
    }

    @Test
    void cve2015_6815ShouldTerminateAndDropWhenTsoContextHasZeroHeaderAndMss()
    {
        // A TSO context with HDRLEN = 0 and MSS = 0, then a TSE data descriptor: QEMU copied 0 bytes forever.
        final DeviceHarness h = harness(8);
        h.putBytes(bufferGpa(0), DeviceHarness.broadcastFrame(100, 1));
        putContext(h, 0, 0, 0, 0, 0, 0, 0, 100, TUCMD_TSE, 0, 0);
        putData(h, 1, bufferGpa(0), 100, RS_EOP | CMD_TSE, POPTS_TXSM, 0);

        assertTsoPacketDroppedAndCompleted(h, 2, PortCounter.TX_DROP_MALFORMED);
    }

    @Test
    void cve2016_1981ShouldFaultPortWithoutReadingWhenTxHeadIsBeyondRing()
    {
        // TDLEN = 128 (8 descriptors), TDH = 100, TDT = 200: QEMU's head wrapped and never met its start or the tail.
        final DeviceHarness h = harness(8);
        h.writeShared(E1000Registers.TDH, 100);
        ring(h, 200);
        final byte[] ram = ram(h);

        assertEquals(0, pollTxBounded(h));

        assertTrue(h.device.isFaulted());
        assertEquals(PortFault.TX_HEAD_BEYOND_RING, h.device.fault());
        assertEquals(E1000Registers.TDH, h.device.faultState().register());
        assertEquals(100, h.device.faultState().value());
        assertEquals(1, h.counter(PortCounter.RING_FAULTS));
        assertEquals(0, h.counter(PortCounter.TX_DESCRIPTORS), "no descriptor read");
        assertEquals(0, h.wire.size());
        assertArrayEquals(ram, ram(h), "no byte of guest memory written");
        assertEquals(0, pollTxBounded(h), "a faulted port does no work");
        assertEquals(1, h.counter(PortCounter.RING_FAULTS), "the fault is counted once");
    }

    @Test
    void cve2016_1981ShouldFaultPortWithoutReadingWhenRxHeadIsBeyondRing()
    {
        // RDLEN = 128 (8 descriptors), RDH = 100, RDT = 5: the same loop on the receive side.
        final DeviceHarness h = new DeviceHarness();
        RxFrames.ready(h, RX_RING);
        h.write(E1000Registers.RDLEN, 128);
        h.writeShared(E1000Registers.RDH, 100);
        h.writeShared(E1000Registers.RDT, 5);
        final byte[] ram = ram(h);

        assertFalse(receiveBounded(h, DeviceHarness.broadcastFrame(100, 1)));

        assertTrue(h.device.isFaulted());
        assertEquals(PortFault.RX_HEAD_BEYOND_RING, h.device.fault());
        assertEquals(1, h.counter(PortCounter.RING_FAULTS));
        assertRxOutcome(h, PortCounter.RX_DROP_DISABLED);
        assertEquals(0, h.counter(PortCounter.RX_DESCRIPTORS), "no descriptor read");
        assertArrayEquals(ram, ram(h), "no byte of guest memory written");
        assertEquals(100, h.registers.getAcquire(E1000Registers.RDH));
    }

    @Test
    void cve2016_1981ShouldFaultPortWhenRingLengthIsZeroAndTailMoved()
    {
        // TDLEN = RDLEN = 0 (what the 0xFFF80 mask leaves of a small length): there is no descriptor to read at all.
        final DeviceHarness h = harness(8);
        h.writeShared(E1000Registers.TDLEN, 0);
        ring(h, 3);
        final byte[] ram = ram(h);

        assertEquals(0, pollTxBounded(h));

        assertEquals(PortFault.TX_RING_LENGTH_ZERO, h.device.fault());
        assertEquals(E1000Registers.TDLEN, h.device.faultState().register());
        assertEquals(1, h.counter(PortCounter.RING_FAULTS));
        assertEquals(0, h.counter(PortCounter.TX_DESCRIPTORS));

        final DeviceHarness rx = new DeviceHarness();
        RxFrames.ready(rx, RX_RING);
        rx.write(E1000Registers.RDLEN, 0);
        rx.writeShared(E1000Registers.RDT, 3);
        final byte[] rxRam = ram(rx);

        assertFalse(receiveBounded(rx, DeviceHarness.broadcastFrame(100, 1)));

        assertEquals(PortFault.RX_RING_LENGTH_ZERO, rx.device.fault());
        assertEquals(1, rx.counter(PortCounter.RING_FAULTS));
        assertRxOutcome(rx, PortCounter.RX_DROP_DISABLED);
        assertArrayEquals(ram, ram(h), "no byte of guest memory written");
        assertArrayEquals(rxRam, ram(rx), "no byte of guest memory written");
    }

    @Test
    void cve2021_20257aShouldTerminateAndDropWhenLegacyDataOutgrowsTsoContextBeforeTseDescriptor()
    {
        // ctx(TSE, HDRLEN 54, MSS 100), a 1000-byte legacy descriptor without EOP (past HDRLEN + MSS), then TSE data
        // with EOP: QEMU's "limit - size" underflowed and it looped.
        final DeviceHarness h = harness(8);
        putContext(h, 0, 14, 24, 33, 34, 50, 0, 1100, TUCMD_TSE | TUCMD_IP | TUCMD_TCP, 54, 100);
        putLegacy(h, 1, bufferGpa(0), 1000, 0, 0, 0, 0);
        putData(h, 2, bufferGpa(1), 100, RS_EOP | CMD_TSE, POPTS_TXSM, 0);

        assertTsoPacketDroppedAndCompleted(h, 3, PortCounter.TX_DROP_BAD_SEQUENCE);
    }

    @Test
    void cve2021_20257bShouldNotReenterTxWhenLoopedBackFrameIsDmaedToTdt()
    {
        // PHY loopback (BMCR bit 14) with the RX buffer at the device's own TDT register: in QEMU the RX DMA wrote
        // TDT, which started TX again from inside TX. The sink here loops every frame back into the port's receive
        // path from inside the TX pass and tries to re-enter TX, as that DMA did.
        assertLoopbackIntoRegistersIsContained(E1000Registers.TDT);
    }

    @Test
    void cve2021_3416ShouldNotRecurseWhenLoopbackRxBuffersAreDeviceRegisters()
    {
        // The same loopback with RX buffers at ICS, RCTL and RDT: no DMA may reach a register, and nothing recurses.
        assertLoopbackIntoRegistersIsContained(E1000Registers.ICS, E1000Registers.RCTL, E1000Registers.RDT);
    }

    @Test
    void cve2020_28916ShouldMakeOneBoundedPassAndTakeNoFrameWhenEveryRxBufferIsNull()
    {
        // e1000e looped on a ring whose every descriptor has buffer address 0: the frame is dropped as ring full
        // (RNBC, RXO), the ring is not consumed and nothing is written, at the largest ring a guest can make.
        final DeviceHarness h = new DeviceHarness();
        RxFrames.ready(h, 4096);
        for (int i = 0; i < 4096; i++)
        {
            h.putRxDescriptor(i, 0);
        }
        final byte[] ram = ram(h);

        assertFalse(receiveBounded(h, DeviceHarness.broadcastFrame(100, 1)));
        assertFalse(receiveBounded(h, DeviceHarness.broadcastFrame(100, 2)));

        assertEquals(2, h.counter(PortCounter.RX_DROP_RING_FULL));
        assertEquals(0, h.counter(PortCounter.RX_FRAMES));
        assertEquals(0, h.counter(PortCounter.RX_DESCRIPTORS), "no descriptor consumed");
        assertEquals(2, h.registers.get(E1000Registers.RNBC));
        assertEquals(E1000Registers.ICR_RXO, h.registers.get(E1000Registers.ICR));
        assertArrayEquals(ram, ram(h), "no byte of guest memory written");
        assertEquals(0, h.registers.getAcquire(E1000Registers.RDH));
        assertFalse(h.device.isFaulted());
    }

    /**
     * Transmit one frame per register with PHY loopback on (set through MDIC, as a guest does) and each RX buffer at
     * that register's guest-physical address in BAR0: the device loops each frame back into its own receive path
     * from inside the TX pass; the sink would loop back and re-enter TX any frame that left the port.
     */
    private static void assertLoopbackIntoRegistersIsContained(final int... registerOffsets)
    {
        final List<Integer> reentered = new ArrayList<>();
        final LoopbackSink sink = new LoopbackSink(reentered);
        final DeviceHarness h = harness(8, sink);
        sink.device = h.device;
        h.device.configWrite(PciConfig.BAR0_OFFSET, 4, BAR0_GPA);
        h.write(E1000Registers.MDIC, E1000Registers.MDIC_OP_WRITE |
            E1000Registers.PHY_ADDRESS << E1000Registers.MDIC_PHY_SHIFT |
            E1000Registers.PHY_BMCR << E1000Registers.MDIC_REG_SHIFT |
            E1000Registers.PHY_BMCR_LOOPBACK);
        assertTrue(h.device.isPhyLoopback(), "the guest turned PHY loopback on");
        RxFrames.ready(h, RX_RING);
        final int frames = registerOffsets.length;
        for (int i = 0; i < frames; i++)
        {
            h.putRxDescriptor(i, (BAR0_GPA & 0xFFFF_FFFFL) + registerOffsets[i]);
            final byte[] frame = DeviceHarness.broadcastFrame(60, i);
            h.putBytes(bufferGpa(i), frame);
            putLegacy(h, i, bufferGpa(i), frame.length, RS_EOP, 0, 0, 0);
        }
        ring(h, frames);
        final int[] registersBefore = new int[frames];
        for (int i = 0; i < frames; i++)
        {
            registersBefore[i] = h.registers.get(registerOffsets[i]);
        }
        final byte[] ram = ram(h);

        assertEquals(frames, pollTxBounded(h));

        // PHY loopback is the device's own (SDM 8.x, PHY control bit 14): each frame returns on the port's own RX
        // ring from inside the TX pass, so that receive is the DMA QEMU's CVE made, and nothing leaves the port.
        assertEquals(0, sink.frames, "nothing left the port: the PHY looped every frame back");
        assertEquals(frames, h.counter(PortCounter.TX_FRAMES));
        assertEquals(List.of(), reentered, "TX was not re-entered from inside its own pass");
        assertEquals(frames, h.counter(PortCounter.RX_DROP_DMA_FAULT),
            "each looped-back frame counted as a DMA fault: a register is not guest memory");
        assertEquals(0, h.counter(PortCounter.RX_FRAMES));
        for (int i = 0; i < frames; i++)
        {
            assertEquals(registersBefore[i], h.registers.get(registerOffsets[i]),
                "register 0x" + Integer.toHexString(registerOffsets[i]) + " unchanged by the receive");
        }
        assertEquals(frames, h.registers.get(E1000Registers.TDH));
        assertEquals(frames, h.registers.getAcquire(E1000Registers.RDH), "each bad RX descriptor completed");
        final byte[] expected = ram.clone();
        final int rxRingOffset = h.ramOffset(DeviceHarness.RX_RING_GPA);
        for (int i = 0; i < frames; i++)
        {
            // SDM 3.2.3: completed with length 0, DD, EOP and RXE, so the driver drops the frame and recycles it.
            final int descriptor = rxRingOffset + i * E1000RxDescriptor.LENGTH;
            expected[descriptor + E1000RxDescriptor.STATUS_OFFSET] =
                (byte)(E1000RxDescriptor.STA_DD | E1000RxDescriptor.STA_EOP);
            expected[descriptor + E1000RxDescriptor.ERRORS_OFFSET] = (byte)E1000RxDescriptor.ERR_RXE;
            assertEquals(0, h.rxLength(i), "nothing received into descriptor " + i);
            expected[h.ramOffset(DeviceHarness.TX_RING_GPA) + i * E1000TxDescriptor.LENGTH +
                E1000TxDescriptor.STATUS_OFFSET] = (byte)STA_DD;
        }
        assertArrayEquals(expected, ram(h),
            "guest memory written only in the completed descriptors: no byte of a frame anywhere");
    }

    /**
     * Plays PHY loopback: every frame the device transmits goes straight back into its own receive path, then the
     * sink tries to run a TX pass, all from inside the device's TX pass.
     */
    private static final class LoopbackSink implements FrameSink
    {
        private final List<Integer> reentered;
        private E1000Device device;
        private int frames;

        LoopbackSink(final List<Integer> reentered)
        {
            this.reentered = reentered;
        }

        public int onFrame(
            final DirectBuffer frame, final int offset, final int lengthBytes, final FrameMetadata metadata,
            final long nowNs)
        {
            frames++;
            device.receive(frame, offset, lengthBytes, nowNs);
            reentered.add(device.pollTx(nowNs, 64));
            return DELIVERED;
        }
    }

    /**
     * Ring the {@code descriptors} the test wrote (a TSO packet whose last descriptor carries RS) and expect one
     * bounded pass to consume them all, drop the packet under {@code counter} and complete the last descriptor.
     */
    private static void assertTsoPacketDroppedAndCompleted(
        final DeviceHarness h, final int descriptors, final PortCounter counter)
    {
        ring(h, descriptors);
        final byte[] ram = ram(h);

        assertEquals(descriptors, pollTxBounded(h));

        assertEquals(1, h.counter(counter), counter.counterName());
        assertEquals(1, h.counters.totalDrops(), "one drop, under one counter");
        assertEquals(0, h.counter(PortCounter.TX_TSO_SEGMENTS));
        assertEquals(0, h.wire.size());
        assertEquals(descriptors, h.registers.get(E1000Registers.TDH));
        assertFalse(h.device.tx.isPacketPending(), "nothing of the packet is kept for the next one");
        assertTxCompleted(h, ram, descriptors - 1);
    }

    private static int pollTxBounded(final DeviceHarness h)
    {
        return assertTimeoutPreemptively(BOUND, () -> h.device.pollTx(h.nowNs, 1 << 16), "pollTx did not return");
    }

    private static boolean receiveBounded(final DeviceHarness h, final byte[] frame)
    {
        return assertTimeoutPreemptively(BOUND, () -> h.receive(frame), "receive did not return");
    }

    private static byte[] ram(final DeviceHarness h)
    {
        return h.getBytes(DeviceHarness.RAM_GPA, DeviceHarness.RAM_BYTES);
    }

    /**
     * Guest memory differs from {@code before} only in the status bytes of the given TX descriptors, which now
     * carry DD (SDM 3.3.3.2: the device writes back only the status of a descriptor with RS).
     */
    private static void assertTxCompleted(final DeviceHarness h, final byte[] before, final int... descriptors)
    {
        final byte[] expected = before.clone();
        final int ringOffset = h.ramOffset(DeviceHarness.TX_RING_GPA);
        for (final int index : descriptors)
        {
            final int statusOffset = ringOffset + index * E1000TxDescriptor.LENGTH + E1000TxDescriptor.STATUS_OFFSET;
            expected[statusOffset] = (byte)STA_DD;
            assertEquals(STA_DD, h.txStatus(index), "DD written back to descriptor " + index);
        }
        assertArrayEquals(expected, ram(h), "guest memory written only in the completed descriptors' status");
    }

    private static void assertRxOutcome(final DeviceHarness h, final PortCounter expected)
    {
        long outcomes = h.counter(PortCounter.RX_FRAMES);
        for (final PortCounter counter : PortCounter.values())
        {
            if (counter.isDrop() && counter.counterName().startsWith("rx_"))
            {
                outcomes += h.counter(counter);
            }
        }
        assertEquals(1, h.counter(expected), expected.counterName());
        assertEquals(1, outcomes, "exactly one RX outcome");
    }
}
