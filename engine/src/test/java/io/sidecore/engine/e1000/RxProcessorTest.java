package io.sidecore.engine.e1000;

import io.sidecore.shm.E1000Registers;
import io.sidecore.shm.PciConfig;
import io.sidecore.shm.PortCounter;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Arrays;

import static io.sidecore.engine.e1000.DeviceHarness.RAM_BYTES;
import static io.sidecore.engine.e1000.DeviceHarness.RAM_GPA;
import static io.sidecore.engine.e1000.DeviceHarness.RX_RING_GPA;
import static io.sidecore.engine.e1000.RxFrames.BROADCAST;
import static io.sidecore.engine.e1000.RxFrames.ETHER_TYPE_TEST;
import static io.sidecore.engine.e1000.RxFrames.VET_8021Q;
import static io.sidecore.engine.e1000.RxFrames.frame;
import static io.sidecore.engine.e1000.RxFrames.receiveAddress;
import static io.sidecore.engine.e1000.RxFrames.tagged;
import static io.sidecore.shm.E1000RxDescriptor.ERR_RXE;
import static io.sidecore.shm.E1000RxDescriptor.STA_DD;
import static io.sidecore.shm.E1000RxDescriptor.STA_EOP;
import static io.sidecore.shm.E1000RxDescriptor.STA_IXSM;
import static io.sidecore.shm.E1000RxDescriptor.STA_PIF;
import static io.sidecore.shm.E1000RxDescriptor.STA_VP;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The receive path branch by branch: descriptor write-back, bytes in guest memory, RDH, interrupt causes, guest
 * statistics and port counters.
 */
class RxProcessorTest
{
    private static final int RING = 16;
    private static final byte[] UNICAST = {0x02, 0x11, 0x22, 0x33, 0x44, 0x55};
    private static final byte[] MULTICAST = {0x01, 0x00, 0x5E, 0x00, 0x00, (byte)0xFB};

    private final DeviceHarness h = new DeviceHarness();

    @BeforeEach
    void setUp()
    {
        RxFrames.ready(h, RING);
    }

    // ---- delivery ----

    @Test
    void shouldDeliverFrameIntoFirstDescriptorWhenReceiverReady()
    {
        final byte[] frame = DeviceHarness.broadcastFrame(100, 1);

        assertTrue(h.receive(frame));

        assertEquals(STA_DD | STA_EOP | STA_IXSM, h.rxStatus(0));
        assertEquals(104, h.rxLength(0));
        assertEquals(0, h.rxErrors(0));
        assertEquals(0, h.rxSpecial(0));
        assertEquals(0, h.rxChecksum(0));
        assertEquals(h.rxBufferGpa(0), h.rxBufferAddress(0));
        assertArrayEquals(frame, h.getBytes(h.rxBufferGpa(0), 100));
        assertEquals(1, rdh());
        assertEquals(0, h.rxStatus(1));
        assertOutcome(PortCounter.RX_FRAMES);
        assertEquals(100, h.counter(PortCounter.RX_BYTES));
        assertEquals(1, h.counter(PortCounter.RX_DESCRIPTORS));
    }

    @Test
    void shouldRaiseRxt0WhenFrameDelivered()
    {
        h.receive(DeviceHarness.broadcastFrame(100, 1));

        assertEquals(E1000Registers.ICR_RXT0, icr());
    }

    @Test
    void shouldLeaveRxt0ToRdtrPacketTimerWhenDelayed()
    {
        h.write(E1000Registers.ITR, 0);
        h.write(E1000Registers.RDTR, 10);
        h.write(E1000Registers.IMS, E1000Registers.ICR_RXT0);

        assertTrue(h.receive(DeviceHarness.broadcastFrame(100, 1)));

        assertEquals(E1000Registers.ICR_RXT0, icr());
        assertFalse(h.device.interrupts().isLineAsserted());
        h.nowNs += 10 * 1024 + 1;
        h.device.onTimers(h.nowNs);
        assertTrue(h.device.interrupts().isLineAsserted());
    }

    @Test
    void shouldDeliverConsecutiveFramesIntoConsecutiveDescriptors()
    {
        final byte[] first = DeviceHarness.broadcastFrame(64, 1);
        final byte[] second = DeviceHarness.broadcastFrame(200, 2);

        assertTrue(h.receive(first));
        assertTrue(h.receive(second));

        assertEquals(2, rdh());
        assertEquals(68, h.rxLength(0));
        assertEquals(204, h.rxLength(1));
        assertArrayEquals(second, h.getBytes(h.rxBufferGpa(1), 200));
        assertEquals(2, h.counter(PortCounter.RX_FRAMES));
    }

    @Test
    void shouldWrapHeadToZeroWhenFrameSpansRingEnd()
    {
        h.write(E1000Registers.RCTL, rctl() | bsize(0, 1));
        h.writeShared(E1000Registers.RDH, RING - 1);
        h.writeShared(E1000Registers.RDT, 3);
        final byte[] frame = DeviceHarness.broadcastFrame(1500, 3);

        assertTrue(h.receive(frame));

        assertEquals(1, rdh());
        assertEquals(STA_DD, h.rxStatus(RING - 1));
        assertEquals(1024, h.rxLength(RING - 1));
        assertEquals(STA_DD | STA_EOP | STA_IXSM, h.rxStatus(0));
        assertEquals(1504 - 1024, h.rxLength(0));
        assertArrayEquals(Arrays.copyOf(frame, 1024), h.getBytes(h.rxBufferGpa(RING - 1), 1024));
        assertArrayEquals(Arrays.copyOfRange(frame, 1024, 1500), h.getBytes(h.rxBufferGpa(0), 476));
    }

    @Test
    void shouldUpdateGuestStatisticsWhenBroadcastDelivered()
    {
        h.receive(DeviceHarness.broadcastFrame(100, 1));

        assertEquals(1, statistic(E1000Registers.GPRC));
        assertEquals(1, statistic(E1000Registers.TPR));
        assertEquals(1, statistic(E1000Registers.BPRC));
        assertEquals(0, statistic(E1000Registers.MPRC));
        assertEquals(104, statistic(E1000Registers.GORCL));
        assertEquals(104, statistic(E1000Registers.TORL));
        assertEquals(1, statistic(E1000Registers.PRC127));
    }

    @Test
    void shouldCountMprcWhenMulticastDelivered()
    {
        h.write(E1000Registers.RCTL, rctl() | E1000Registers.RCTL_MPE);

        assertTrue(h.receive(frame(MULTICAST, ETHER_TYPE_TEST, 1000, 1)));

        assertEquals(1, statistic(E1000Registers.MPRC));
        assertEquals(0, statistic(E1000Registers.BPRC));
        assertEquals(1, statistic(E1000Registers.PRC1023));
        assertEquals(1004, statistic(E1000Registers.GORCL));
    }

    // ---- not ready ----

    @Test
    void shouldDropAsDisabledWhenReceiverNotEnabled()
    {
        h.write(E1000Registers.RCTL, rctl() & ~E1000Registers.RCTL_EN);
        final byte[] ring = ringBytes();

        assertFalse(h.receive(DeviceHarness.broadcastFrame(100, 1)));

        assertOutcome(PortCounter.RX_DROP_DISABLED);
        assertArrayEquals(ring, ringBytes());
        assertEquals(0, rdh());
        assertEquals(0, icr());
        assertEquals(0, statistic(E1000Registers.MPC));
    }

    @Test
    void shouldDropAsDisabledWhenLinkDown()
    {
        h.registers.set(E1000Registers.STATUS, 0);

        assertFalse(h.receive(DeviceHarness.broadcastFrame(100, 1)));

        assertOutcome(PortCounter.RX_DROP_DISABLED);
        assertEquals(0, h.rxStatus(0));
        assertEquals(0, rdh());
    }

    @Test
    void shouldDropAsDisabledWhenBusMasteringOff()
    {
        h.device.configWrite(PciConfig.COMMAND_OFFSET, 2, PciConfig.COMMAND_MEMORY_SPACE);
        final byte[] ring = ringBytes();

        assertFalse(h.receive(DeviceHarness.broadcastFrame(100, 1)));

        assertOutcome(PortCounter.RX_DROP_DISABLED);
        assertArrayEquals(ring, ringBytes());
        assertEquals(0, rdh());
        assertEquals(0, h.device.rx.freeDescriptors());
    }

    @Test
    void shouldDropAsDisabledWhenPortFaulted()
    {
        h.writeShared(E1000Registers.RDT, RING + 1);
        assertFalse(h.receive(DeviceHarness.broadcastFrame(100, 1)), "the bad RDT faults the port");
        assertTrue(h.device.isFaulted());
        h.writeShared(E1000Registers.RDT, 1);
        final byte[] ring = ringBytes();
        final long disabledBefore = h.counter(PortCounter.RX_DROP_DISABLED);

        assertEquals(PortCounter.RX_DROP_DISABLED.id(),
            h.device.rx.receive(new org.agrona.concurrent.UnsafeBuffer(BROADCAST.clone()), 0, 6, h.nowNs));
        assertEquals(PortCounter.RX_DROP_DISABLED.id(), h.receiveOutcome(DeviceHarness.broadcastFrame(100, 1)));

        assertEquals(2, h.counter(PortCounter.RX_DROP_DISABLED) - disabledBefore);
        assertEquals(0, h.counter(PortCounter.RX_DROP_RUNT));
        assertArrayEquals(ring, ringBytes());
    }

    // ---- length ----

    @Test
    void shouldDropAsRuntWhenShorterThanEthernetHeader()
    {
        assertFalse(h.receive(Arrays.copyOf(BROADCAST, 13)));

        assertOutcome(PortCounter.RX_DROP_RUNT);
        assertEquals(0, h.rxStatus(0));
        assertEquals(0, rdh());
        assertEquals(0, statistic(E1000Registers.GPRC));
    }

    @Test
    void shouldDropAsBackendWhenLengthExceedsBuffer()
    {
        final int outcome = h.device.rx.receive(
            new org.agrona.concurrent.UnsafeBuffer(new byte[100]), 10, 100, h.nowNs);

        assertEquals(PortCounter.RX_DROP_BACKEND.id(), outcome);
        assertOutcome(PortCounter.RX_DROP_BACKEND);
    }

    @Test
    void shouldPadShortFrameWithZerosToSixtyBytes()
    {
        final byte[] garbage = new byte[2048];
        Arrays.fill(garbage, (byte)0xAA);
        h.putBytes(h.rxBufferGpa(0), garbage);
        final byte[] frame = DeviceHarness.broadcastFrame(20, 5);

        assertTrue(h.receive(frame));

        assertEquals(64, h.rxLength(0));
        final byte[] expected = Arrays.copyOf(frame, 60);
        assertArrayEquals(expected, h.getBytes(h.rxBufferGpa(0), 60));
        assertEquals((byte)0xAA, h.getBytes(h.rxBufferGpa(0) + 60, 1)[0]);
        assertEquals(60, h.counter(PortCounter.RX_BYTES));
        assertEquals(1, statistic(E1000Registers.PRC64));
    }

    @Test
    void shouldDeliverHeaderOnlyFramePaddedWhenExactlyFourteenBytes()
    {
        assertTrue(h.receive(DeviceHarness.broadcastFrame(14, 0)));

        assertEquals(64, h.rxLength(0));
        assertOutcome(PortCounter.RX_FRAMES);
    }

    @Test
    void shouldDropAsOversizeWhenOneByteOverStandardMaximum()
    {
        assertFalse(h.receive(DeviceHarness.broadcastFrame(1519, 1)));

        assertOutcome(PortCounter.RX_DROP_OVERSIZE);
        assertEquals(1, statistic(E1000Registers.ROC));
    }

    @Test
    void shouldAcceptTaggedMaximumFrameWhen1522BytesOnWire()
    {
        final byte[] frame = tagged(BROADCAST, VET_8021Q, 5, 1518, 2);

        assertTrue(h.receive(frame));

        assertEquals(1522, h.rxLength(0));
        assertEquals(STA_DD | STA_EOP | STA_IXSM, h.rxStatus(0));
        assertArrayEquals(frame, h.getBytes(h.rxBufferGpa(0), 1518));
        assertEquals(1, statistic(E1000Registers.PRC1522));
    }

    @Test
    void shouldAcceptJumboFrameWhenLpeSet()
    {
        h.write(E1000Registers.RCTL, rctl() | E1000Registers.RCTL_LPE | bsize(1, 1));
        placeBuffers(RING, 16384);
        final byte[] frame = DeviceHarness.broadcastFrame(9000, 3);

        assertTrue(h.receive(frame));

        assertEquals(9004, h.rxLength(0));
        assertEquals(STA_DD | STA_EOP | STA_IXSM, h.rxStatus(0));
        assertArrayEquals(frame, h.getBytes(h.rxBufferAddress(0), 9000));
    }

    @Test
    void shouldDropAsOversizeWhenLongerThan16380WithLpe()
    {
        h.write(E1000Registers.RCTL, rctl() | E1000Registers.RCTL_LPE | bsize(1, 1));

        assertFalse(h.receive(DeviceHarness.broadcastFrame(16381, 1)));

        assertOutcome(PortCounter.RX_DROP_OVERSIZE);
        assertEquals(1, statistic(E1000Registers.ROC));
    }

    @Test
    void shouldAcceptOversizeFrameWhenSbpSet()
    {
        h.write(E1000Registers.RCTL, rctl() | E1000Registers.RCTL_SBP);
        final byte[] frame = DeviceHarness.broadcastFrame(2000, 4);

        assertTrue(h.receive(frame));

        assertEquals(2004, h.rxLength(0));
        assertArrayEquals(frame, h.getBytes(h.rxBufferGpa(0), 2000));
        assertEquals(0, statistic(E1000Registers.ROC));
    }

    @Test
    void shouldDropAsOversizeWhenLongerThan65535EvenWithSbp()
    {
        h.write(E1000Registers.RCTL, rctl() | E1000Registers.RCTL_SBP | E1000Registers.RCTL_LPE);

        assertFalse(h.receive(DeviceHarness.broadcastFrame(65536, 1)));

        assertOutcome(PortCounter.RX_DROP_OVERSIZE);
        assertEquals(0, rdh());
    }

    // ---- VLAN filter and strip ----

    @Test
    void shouldDropAsVlanFilteredWhenVfeSetAndVftaBitClear()
    {
        h.write(E1000Registers.RCTL, rctl() | E1000Registers.RCTL_VFE);
        h.write(E1000Registers.VFTA + 4 * (100 >>> 5), ~(1 << (100 & 31)));

        assertFalse(h.receive(tagged(BROADCAST, VET_8021Q, 100, 100, 1)));

        assertOutcome(PortCounter.RX_DROP_VLAN_FILTERED);
        assertEquals(0, h.rxStatus(0));
        assertEquals(0, rdh());
    }

    @Test
    void shouldAcceptTaggedFrameWhenVftaBitSet()
    {
        h.write(E1000Registers.RCTL, rctl() | E1000Registers.RCTL_VFE);
        h.write(E1000Registers.VFTA + 4 * (100 >>> 5), 1 << (100 & 31));

        assertTrue(h.receive(tagged(BROADCAST, VET_8021Q, 0x2000 | 100, 100, 1)));

        assertOutcome(PortCounter.RX_FRAMES);
    }

    @Test
    void shouldIgnoreVftaWhenVfeClear()
    {
        assertTrue(h.receive(tagged(BROADCAST, VET_8021Q, 100, 100, 1)));

        assertOutcome(PortCounter.RX_FRAMES);
    }

    @Test
    void shouldDropAsVlanFilteredWhenCfienSetAndCfiDiffers()
    {
        h.write(E1000Registers.RCTL, rctl() | E1000Registers.RCTL_VFE | E1000Registers.RCTL_CFIEN);
        h.write(E1000Registers.VFTA + 4 * (7 >>> 5), 1 << 7);

        assertFalse(h.receive(tagged(BROADCAST, VET_8021Q, 0x1000 | 7, 100, 1)));
        assertTrue(h.receive(tagged(BROADCAST, VET_8021Q, 7, 100, 1)));

        assertEquals(1, h.counter(PortCounter.RX_DROP_VLAN_FILTERED));
        assertEquals(1, h.counter(PortCounter.RX_FRAMES));
    }

    @Test
    void shouldCountVlanFilterBeforeAddressFilterWhenBothReject()
    {
        h.write(E1000Registers.RCTL, rctl() | E1000Registers.RCTL_VFE);

        assertFalse(h.receive(tagged(UNICAST, VET_8021Q, 9, 100, 1)));

        assertOutcome(PortCounter.RX_DROP_VLAN_FILTERED);
    }

    @Test
    void shouldRecogniseTagsByVetRegister()
    {
        h.write(E1000Registers.VET, 0x88A8);
        h.write(E1000Registers.RCTL, rctl() | E1000Registers.RCTL_VFE);

        assertTrue(h.receive(tagged(BROADCAST, VET_8021Q, 9, 100, 1)));
        assertFalse(h.receive(tagged(BROADCAST, 0x88A8, 9, 100, 1)));

        assertEquals(1, h.counter(PortCounter.RX_FRAMES));
        assertEquals(1, h.counter(PortCounter.RX_DROP_VLAN_FILTERED));
    }

    @Test
    void shouldStripTagAndReportSpecialAndVpWhenVmeSet()
    {
        h.write(E1000Registers.CTRL, E1000Registers.CTRL_SLU | E1000Registers.CTRL_VME);
        h.registers.set(E1000Registers.ICR, 0);
        final byte[] frame = tagged(BROADCAST, VET_8021Q, 0xA00C, 100, 1);

        assertTrue(h.receive(frame));

        final byte[] expected = new byte[96];
        System.arraycopy(frame, 0, expected, 0, 12);
        System.arraycopy(frame, 16, expected, 12, 84);
        assertArrayEquals(expected, h.getBytes(h.rxBufferGpa(0), 96));
        assertEquals(100, h.rxLength(0));
        assertEquals(0xA00C, h.rxSpecial(0));
        assertEquals(STA_DD | STA_EOP | STA_IXSM | STA_VP, h.rxStatus(0));
        assertEquals(96, h.counter(PortCounter.RX_BYTES));
        assertEquals(104, statistic(E1000Registers.GORCL));
    }

    @Test
    void shouldReportVpAndSpecialOnEveryDescriptorWhenStrippedFrameSpans()
    {
        h.write(E1000Registers.CTRL, E1000Registers.CTRL_SLU | E1000Registers.CTRL_VME);
        h.write(E1000Registers.RCTL, rctl() | bsize(0, 3));
        final byte[] frame = tagged(BROADCAST, VET_8021Q, 0x0123, 300, 1);

        assertTrue(h.receive(frame));

        assertEquals(STA_DD | STA_VP, h.rxStatus(0));
        assertEquals(STA_DD | STA_VP | STA_EOP | STA_IXSM, h.rxStatus(1));
        assertEquals(0x0123, h.rxSpecial(0));
        assertEquals(0x0123, h.rxSpecial(1));
        assertEquals(256, h.rxLength(0));
        assertEquals(300 - 4 + 4 - 256, h.rxLength(1));
        final byte[] expected = new byte[296];
        System.arraycopy(frame, 0, expected, 0, 12);
        System.arraycopy(frame, 16, expected, 12, 284);
        assertArrayEquals(Arrays.copyOf(expected, 256), h.getBytes(h.rxBufferGpa(0), 256));
        assertArrayEquals(Arrays.copyOfRange(expected, 256, 296), h.getBytes(h.rxBufferGpa(1), 40));
    }

    @Test
    void shouldKeepTagWhenVmeClear()
    {
        final byte[] frame = tagged(BROADCAST, VET_8021Q, 0xA00C, 100, 1);

        assertTrue(h.receive(frame));

        assertArrayEquals(frame, h.getBytes(h.rxBufferGpa(0), 100));
        assertEquals(104, h.rxLength(0));
        assertEquals(0, h.rxSpecial(0));
        assertEquals(STA_DD | STA_EOP | STA_IXSM, h.rxStatus(0));
    }

    // ---- address filter ----

    @Test
    void shouldDropBroadcastAsFilteredWhenBamClear()
    {
        h.write(E1000Registers.RCTL, rctl() & ~E1000Registers.RCTL_BAM);

        assertFalse(h.receive(DeviceHarness.broadcastFrame(100, 1)));

        assertOutcome(PortCounter.RX_DROP_FILTERED);
        assertEquals(0, h.rxStatus(0));
        assertEquals(0, icr());
    }

    @Test
    void shouldAcceptUnicastWhenMatchingRal0WithAv()
    {
        receiveAddress(h, 0, UNICAST, E1000Registers.RAH_AV);

        assertTrue(h.receive(frame(UNICAST, ETHER_TYPE_TEST, 100, 1)));

        assertEquals(STA_DD | STA_EOP | STA_IXSM, h.rxStatus(0));
        assertEquals(0, statistic(E1000Registers.MPRC));
        assertEquals(0, statistic(E1000Registers.BPRC));
    }

    @Test
    void shouldAcceptUnicastWhenMatchingLastReceiveAddress()
    {
        receiveAddress(h, 15, UNICAST, E1000Registers.RAH_AV);

        assertTrue(h.receive(frame(UNICAST, ETHER_TYPE_TEST, 100, 1)));
    }

    @Test
    void shouldDropUnicastAsFilteredWhenMatchingEntryLacksAv()
    {
        receiveAddress(h, 0, UNICAST, 0);

        assertFalse(h.receive(frame(UNICAST, ETHER_TYPE_TEST, 100, 1)));

        assertOutcome(PortCounter.RX_DROP_FILTERED);
    }

    @Test
    void shouldIgnoreReceiveAddressWhenAselSelectsSourceAddress()
    {
        receiveAddress(h, 0, UNICAST, E1000Registers.RAH_AV | 1 << 16);

        assertFalse(h.receive(frame(UNICAST, ETHER_TYPE_TEST, 100, 1)));

        assertOutcome(PortCounter.RX_DROP_FILTERED);
    }

    @Test
    void shouldAcceptAnyUnicastWhenUpeSet()
    {
        h.write(E1000Registers.RCTL, rctl() | E1000Registers.RCTL_UPE);

        assertTrue(h.receive(frame(UNICAST, ETHER_TYPE_TEST, 100, 1)));

        assertEquals(STA_DD | STA_EOP | STA_IXSM, h.rxStatus(0));
    }

    @Test
    void shouldNotAcceptMulticastWhenOnlyUpeSet()
    {
        h.write(E1000Registers.RCTL, rctl() | E1000Registers.RCTL_UPE);

        assertFalse(h.receive(frame(MULTICAST, ETHER_TYPE_TEST, 100, 1)));

        assertOutcome(PortCounter.RX_DROP_FILTERED);
    }

    @Test
    void shouldAcceptAnyMulticastWhenMpeSet()
    {
        h.write(E1000Registers.RCTL, rctl() | E1000Registers.RCTL_MPE);

        assertTrue(h.receive(frame(MULTICAST, ETHER_TYPE_TEST, 100, 1)));

        assertEquals(STA_DD | STA_EOP | STA_IXSM, h.rxStatus(0));
    }

    @Test
    void shouldDropMulticastAsFilteredWhenMtaBitClear()
    {
        assertFalse(h.receive(frame(MULTICAST, ETHER_TYPE_TEST, 100, 1)));

        assertOutcome(PortCounter.RX_DROP_FILTERED);
    }

    @ParameterizedTest
    @CsvSource({"0, 4", "1, 3", "2, 2", "3, 0"})
    void shouldAcceptMulticastWithPifWhenMtaBitSetForOffset(final int mo, final int shift)
    {
        h.write(E1000Registers.RCTL, rctl() | mo << E1000Registers.RCTL_MO_SHIFT);
        final int bit = ((((MULTICAST[5] & 0xFF) << 8) | (MULTICAST[4] & 0xFF)) >>> shift) & 0xFFF;
        h.write(E1000Registers.MTA + 4 * (bit >>> 5), 1 << (bit & 31));

        assertTrue(h.receive(frame(MULTICAST, ETHER_TYPE_TEST, 100, 1)));

        assertEquals(STA_DD | STA_EOP | STA_IXSM | STA_PIF, h.rxStatus(0));
        assertEquals(1, statistic(E1000Registers.MPRC));
    }

    @Test
    void shouldNotSetPifWhenMulticastMatchesExactly()
    {
        receiveAddress(h, 3, MULTICAST, E1000Registers.RAH_AV);

        assertTrue(h.receive(frame(MULTICAST, ETHER_TYPE_TEST, 100, 1)));

        assertEquals(STA_DD | STA_EOP | STA_IXSM, h.rxStatus(0));
    }

    @Test
    void shouldNotApplyMtaHashToUnicast()
    {
        // SDM 3.2.1: the hash is the multicast filter (QEMU also hashes unicast; no driver relies on that).
        for (int i = 0; i < E1000Registers.MTA_COUNT; i++)
        {
            h.write(E1000Registers.MTA + 4 * i, -1);
        }

        assertFalse(h.receive(frame(UNICAST, ETHER_TYPE_TEST, 100, 1)));
        assertTrue(h.receive(frame(MULTICAST, ETHER_TYPE_TEST, 100, 1)));

        assertEquals(1, h.counter(PortCounter.RX_DROP_FILTERED));
    }

    // ---- buffers and descriptors ----

    @ParameterizedTest
    @CsvSource({"0, 0, 2048", "0, 1, 1024", "0, 2, 512", "0, 3, 256", "1, 0, 2048", "1, 1, 16384", "1, 2, 8192",
        "1, 3, 4096"})
    void shouldSplitFrameByBufferSizeFromBsizeAndBsex(final int bsex, final int bsizeBits, final int bufferBytes)
    {
        RxFrames.ready(h, 64);
        placeBuffers(64, 16384);
        h.write(E1000Registers.RCTL, rctl() | E1000Registers.RCTL_LPE | bsize(bsex, bsizeBits));
        final byte[] frame = DeviceHarness.broadcastFrame(9000, 6);
        final int descriptors = (9004 + bufferBytes - 1) / bufferBytes;

        assertTrue(h.receive(frame));

        int offset = 0;
        for (int i = 0; i < descriptors; i++)
        {
            final boolean last = i == descriptors - 1;
            assertEquals(last ? STA_DD | STA_EOP | STA_IXSM : STA_DD, h.rxStatus(i), "descriptor " + i);
            final int length = Math.min(bufferBytes, 9004 - offset);
            assertEquals(length, h.rxLength(i), "descriptor " + i);
            final int data = Math.min(length, 9000 - offset);
            assertArrayEquals(Arrays.copyOfRange(frame, offset, offset + data), h.getBytes(h.rxBufferAddress(i), data));
            offset += length;
        }
        assertEquals(0, h.rxStatus(descriptors));
        assertEquals(descriptors, rdh());
        assertEquals(descriptors, h.counter(PortCounter.RX_DESCRIPTORS));
    }

    @Test
    void shouldReportLengthWithoutFcsWhenSecrcSet()
    {
        h.write(E1000Registers.RCTL, rctl() | E1000Registers.RCTL_SECRC);

        assertTrue(h.receive(DeviceHarness.broadcastFrame(100, 1)));

        assertEquals(100, h.rxLength(0));
        assertEquals(104, statistic(E1000Registers.GORCL));
    }

    @Test
    void shouldNotWriteFcsBytesWhenReportingThem()
    {
        final byte[] marker = {1, 2, 3, 4, 5, 6, 7, 8};
        h.putBytes(h.rxBufferGpa(0) + 100, marker);

        assertTrue(h.receive(DeviceHarness.broadcastFrame(100, 1)));

        assertEquals(104, h.rxLength(0));
        assertArrayEquals(marker, h.getBytes(h.rxBufferGpa(0) + 100, 8));
    }

    @Test
    void shouldUseExtraDescriptorForFcsWhenFrameFillsBuffer()
    {
        h.write(E1000Registers.RCTL, rctl() | E1000Registers.RCTL_SBP);
        final byte[] marker = {9, 9, 9, 9};
        h.putBytes(h.rxBufferGpa(1), marker);
        final byte[] frame = DeviceHarness.broadcastFrame(2046, 7);

        assertTrue(h.receive(frame));

        assertEquals(2048, h.rxLength(0));
        assertEquals(STA_DD, h.rxStatus(0));
        assertEquals(2, h.rxLength(1));
        assertEquals(STA_DD | STA_EOP | STA_IXSM, h.rxStatus(1));
        assertArrayEquals(frame, h.getBytes(h.rxBufferGpa(0), 2046));
        assertArrayEquals(marker, h.getBytes(h.rxBufferGpa(1), 4));
        assertEquals(2, rdh());
    }

    @Test
    void shouldConsumeNullDescriptorsWithoutData()
    {
        h.putRxDescriptor(0, 0);
        h.putRxDescriptor(1, 0);
        final byte[] frame = DeviceHarness.broadcastFrame(100, 1);

        assertTrue(h.receive(frame));

        assertEquals(STA_DD, h.rxStatus(0));
        assertEquals(0, h.rxLength(0));
        assertEquals(STA_DD, h.rxStatus(1));
        assertEquals(STA_DD | STA_EOP | STA_IXSM, h.rxStatus(2));
        assertEquals(104, h.rxLength(2));
        assertArrayEquals(frame, h.getBytes(h.rxBufferGpa(2), 100));
        assertEquals(3, rdh());
        assertEquals(3, h.counter(PortCounter.RX_DESCRIPTORS));
        assertOutcome(PortCounter.RX_FRAMES);
    }

    @Test
    void shouldSkipNullDescriptorInsideSpanningFrame()
    {
        h.write(E1000Registers.RCTL, rctl() | bsize(0, 1));
        h.putRxDescriptor(1, 0);
        final byte[] frame = DeviceHarness.broadcastFrame(1500, 2);

        assertTrue(h.receive(frame));

        assertEquals(STA_DD, h.rxStatus(0));
        assertEquals(1024, h.rxLength(0));
        assertEquals(STA_DD, h.rxStatus(1));
        assertEquals(0, h.rxLength(1));
        assertEquals(STA_DD | STA_EOP | STA_IXSM, h.rxStatus(2));
        assertEquals(480, h.rxLength(2));
        assertArrayEquals(Arrays.copyOfRange(frame, 1024, 1500), h.getBytes(h.rxBufferGpa(2), 476));
        assertEquals(3, rdh());
    }

    // ---- ring state ----

    @Test
    void shouldDropAsRingFullWhenHeadEqualsTail()
    {
        h.writeShared(E1000Registers.RDT, 0);
        final byte[] ring = ringBytes();

        assertFalse(h.receive(DeviceHarness.broadcastFrame(100, 1)));

        assertOutcome(PortCounter.RX_DROP_RING_FULL);
        assertEquals(1, statistic(E1000Registers.RNBC));
        assertEquals(1, statistic(E1000Registers.MPC));
        assertEquals(E1000Registers.ICR_RXO, icr());
        assertArrayEquals(ring, ringBytes());
        assertEquals(0, rdh());
        assertEquals(0, statistic(E1000Registers.GPRC));
    }

    @Test
    void shouldDropAsRingFullWithoutWritingWhenFrameNeedsMoreDescriptorsThanFree()
    {
        h.write(E1000Registers.RCTL, rctl() | bsize(0, 2));
        h.writeShared(E1000Registers.RDT, 2);
        final byte[] ring = ringBytes();
        final byte[] buffers = h.getBytes(h.rxBufferGpa(0), 2 * 2048);

        assertFalse(h.receive(DeviceHarness.broadcastFrame(1100, 1)));

        assertOutcome(PortCounter.RX_DROP_RING_FULL);
        assertArrayEquals(ring, ringBytes());
        assertArrayEquals(buffers, h.getBytes(h.rxBufferGpa(0), 2 * 2048));
        assertEquals(0, rdh());
        assertEquals(E1000Registers.ICR_RXO, icr());
    }

    @Test
    void shouldDropAsRingFullWhenNullDescriptorsLeaveTooFewBuffers()
    {
        h.writeShared(E1000Registers.RDT, 2);
        h.putRxDescriptor(0, 0);
        h.putRxDescriptor(1, 0);
        final byte[] ring = ringBytes();

        assertFalse(h.receive(DeviceHarness.broadcastFrame(100, 1)));

        assertOutcome(PortCounter.RX_DROP_RING_FULL);
        assertArrayEquals(ring, ringBytes());
        assertEquals(0, rdh());
    }

    @Test
    void shouldDeliverAgainWhenGuestReplacesNullBuffersAndMovesTail()
    {
        h.writeShared(E1000Registers.RDT, 2);
        h.putRxDescriptor(0, 0);
        h.putRxDescriptor(1, 0);
        assertFalse(h.receive(DeviceHarness.broadcastFrame(100, 1)));

        h.writeShared(E1000Registers.RDT, 3);

        assertTrue(h.receive(DeviceHarness.broadcastFrame(100, 1)));
        assertEquals(3, rdh());
        assertEquals(STA_DD | STA_EOP | STA_IXSM, h.rxStatus(2));
    }

    @Test
    void shouldFaultPortWhenRdtBeyondRing()
    {
        h.write(E1000Registers.RDLEN, 128);
        h.writeShared(E1000Registers.RDT, 200);

        assertFalse(h.receive(DeviceHarness.broadcastFrame(100, 1)));

        assertTrue(h.device.isFaulted());
        assertOutcome(PortCounter.RX_DROP_DISABLED);
        assertEquals(0, h.rxStatus(0));
    }

    @Test
    void shouldFaultPortWhenRingBaseOutsideGuestMemory()
    {
        h.write(E1000Registers.RDBAL, (int)(RAM_GPA + RAM_BYTES - 128));

        assertFalse(h.receive(DeviceHarness.broadcastFrame(100, 1)));

        assertTrue(h.device.isFaulted());
        assertEquals(1, h.counter(PortCounter.RING_FAULTS));
        assertOutcome(PortCounter.RX_DROP_DISABLED);
    }

    @Test
    void shouldDropAsRingFullWithoutFaultWhenRdlenZeroAndRingNotSetUp()
    {
        h.write(E1000Registers.RDLEN, 0);
        h.writeShared(E1000Registers.RDT, 0);

        assertFalse(h.receive(DeviceHarness.broadcastFrame(100, 1)));

        assertFalse(h.device.isFaulted());
        assertOutcome(PortCounter.RX_DROP_RING_FULL);
        assertEquals(1, statistic(E1000Registers.RNBC));
        assertEquals(E1000Registers.ICR_RXO, icr());
    }

    @Test
    void shouldDropAsDmaFaultAndCompleteDescriptorWhenBufferOutsideGuestMemory()
    {
        h.putRxDescriptor(0, RAM_GPA + RAM_BYTES - 50);

        assertFalse(h.receive(DeviceHarness.broadcastFrame(100, 1)));

        assertOutcome(PortCounter.RX_DROP_DMA_FAULT);
        assertEquals(STA_DD | STA_EOP, h.rxStatus(0));
        assertEquals(ERR_RXE, h.rxErrors(0));
        assertEquals(0, h.rxLength(0));
        assertEquals(1, rdh());
        assertEquals(1, h.counter(PortCounter.RX_DESCRIPTORS));
        assertEquals(E1000Registers.ICR_RXT0, icr() & E1000Registers.ICR_RXT0);
        assertFalse(h.device.isFaulted());
        assertEquals(0, statistic(E1000Registers.GPRC));
        final byte[] tail = h.getBytes(RAM_GPA + RAM_BYTES - 50, 50);
        assertArrayEquals(new byte[50], tail);
    }

    @Test
    void shouldWriteNoByteOfFrameWhenAnyBufferOfSpanIsOutsideMemory()
    {
        h.write(E1000Registers.RCTL, rctl() | bsize(0, 1));
        h.putRxDescriptor(1, 0x10);
        final byte[] buffer0 = h.getBytes(h.rxBufferGpa(0), 1024);

        assertFalse(h.receive(DeviceHarness.broadcastFrame(1500, 1)));

        assertArrayEquals(buffer0, h.getBytes(h.rxBufferGpa(0), 1024));
        assertEquals(STA_DD, h.rxStatus(0));
        assertEquals(0, h.rxLength(0));
        assertEquals(STA_DD | STA_EOP, h.rxStatus(1));
        assertEquals(ERR_RXE, h.rxErrors(1));
        assertEquals(2, rdh());
        assertOutcome(PortCounter.RX_DROP_DMA_FAULT);
    }

    @Test
    void shouldIgnoreBitsAboveSixteenInSharedHeadAndTail()
    {
        h.writeShared(E1000Registers.RDH, 0x1_0002);
        h.writeShared(E1000Registers.RDT, 0x7_0005);

        assertTrue(h.receive(DeviceHarness.broadcastFrame(100, 1)));

        assertEquals(STA_DD | STA_EOP | STA_IXSM, h.rxStatus(2));
        assertEquals(3, rdh());
        assertFalse(h.device.isFaulted());
    }

    @Test
    void shouldUseRingGeometryRewrittenBetweenFrames()
    {
        assertTrue(h.receive(DeviceHarness.broadcastFrame(100, 1)));
        h.write(E1000Registers.RDBAL, (int)(RX_RING_GPA + 8 * 16));
        h.write(E1000Registers.RDLEN, 8 * 16);
        h.writeShared(E1000Registers.RDH, 0);
        h.writeShared(E1000Registers.RDT, 4);

        assertTrue(h.receive(DeviceHarness.broadcastFrame(100, 2)));

        assertEquals(STA_DD | STA_EOP | STA_IXSM, h.rxStatus(8));
        assertArrayEquals(DeviceHarness.broadcastFrame(100, 2), h.getBytes(h.rxBufferGpa(8), 100));
        assertEquals(1, rdh());
    }

    @Test
    void shouldPublishRdhAfterEveryFrame()
    {
        for (int i = 1; i <= 5; i++)
        {
            h.receive(DeviceHarness.broadcastFrame(60 + i, i));
            assertEquals(i, rdh());
        }
    }

    // ---- RXDMT0 ----

    @ParameterizedTest
    @CsvSource({"0, 8", "1, 4", "2, 2", "3, 1"})
    void shouldRaiseRxdmt0WhenFreeDescriptorsReachThreshold(final int rdmts, final int thresholdDescriptors)
    {
        h.write(E1000Registers.RCTL, rctl() | rdmts << E1000Registers.RCTL_RDMTS_SHIFT);
        h.writeShared(E1000Registers.RDT, thresholdDescriptors + 1);

        assertTrue(h.receive(DeviceHarness.broadcastFrame(100, 1)));

        assertEquals(E1000Registers.ICR_RXT0 | E1000Registers.ICR_RXDMT0, icr());
    }

    @ParameterizedTest
    @CsvSource({"0, 8", "1, 4", "2, 2", "3, 1"})
    void shouldNotRaiseRxdmt0WhenFreeDescriptorsAboveThreshold(final int rdmts, final int thresholdDescriptors)
    {
        h.write(E1000Registers.RCTL, rctl() | rdmts << E1000Registers.RCTL_RDMTS_SHIFT);
        h.writeShared(E1000Registers.RDT, thresholdDescriptors + 2);

        assertTrue(h.receive(DeviceHarness.broadcastFrame(100, 1)));

        assertEquals(E1000Registers.ICR_RXT0, icr());
    }

    // ---- free descriptors ----

    @Test
    void shouldReportFreeDescriptorsBetweenHeadAndTail()
    {
        assertEquals(RING - 1, h.device.rx.freeDescriptors());

        h.receive(DeviceHarness.broadcastFrame(100, 1));
        assertEquals(RING - 2, h.device.rx.freeDescriptors());

        h.writeShared(E1000Registers.RDH, 10);
        h.writeShared(E1000Registers.RDT, 3);
        assertEquals(RING - 7, h.device.rx.freeDescriptors());
    }

    @Test
    void shouldReportNoFreeDescriptorsWhenReceiverDisabledOrIndexBeyondRing()
    {
        h.write(E1000Registers.RCTL, rctl() & ~E1000Registers.RCTL_EN);
        assertEquals(0, h.device.rx.freeDescriptors());

        h.write(E1000Registers.RCTL, rctl() | E1000Registers.RCTL_EN);
        h.writeShared(E1000Registers.RDT, RING);
        assertEquals(0, h.device.rx.freeDescriptors());
        assertFalse(h.device.isFaulted());
    }

    // ---- helpers ----

    private int rctl()
    {
        return h.registers.get(E1000Registers.RCTL);
    }

    private static int bsize(final int bsex, final int bsizeBits)
    {
        return (0 != bsex ? E1000Registers.RCTL_BSEX : 0) | bsizeBits << E1000Registers.RCTL_BSIZE_SHIFT;
    }

    private int rdh()
    {
        return h.registers.getAcquire(E1000Registers.RDH);
    }

    private int icr()
    {
        return h.registers.get(E1000Registers.ICR);
    }

    private int statistic(final int offset)
    {
        return h.registers.get(offset);
    }

    private byte[] ringBytes()
    {
        return h.getBytes(RX_RING_GPA, RING * 16);
    }

    private void placeBuffers(final int count, final int spacingBytes)
    {
        for (int i = 0; i < count; i++)
        {
            h.putRxDescriptor(i, DeviceHarness.BUFFERS_GPA + (long)i * spacingBytes);
        }
    }

    private void assertOutcome(final PortCounter expected)
    {
        long total = h.counter(PortCounter.RX_FRAMES);
        for (final PortCounter counter : PortCounter.values())
        {
            if (counter.counterName().startsWith("rx_drop_"))
            {
                total += h.counter(counter);
            }
        }
        assertEquals(1, h.counter(expected), expected.counterName());
        assertEquals(1, total, "exactly one RX outcome");
    }
}
