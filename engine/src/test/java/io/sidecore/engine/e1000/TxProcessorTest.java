package io.sidecore.engine.e1000;

import io.sidecore.shm.E1000Registers;
import io.sidecore.shm.E1000TxDescriptor;
import io.sidecore.shm.PortCounter;
import io.sidecore.shm.PortFault;
import io.sidecore.tools.guest.Descriptors;
import org.junit.jupiter.api.Test;

import java.nio.ByteOrder;
import java.util.Arrays;

import static io.sidecore.engine.e1000.TxTestSupport.bufferGpa;
import static io.sidecore.engine.e1000.TxTestSupport.harness;
import static io.sidecore.engine.e1000.TxTestSupport.putContext;
import static io.sidecore.engine.e1000.TxTestSupport.putData;
import static io.sidecore.engine.e1000.TxTestSupport.putLegacy;
import static io.sidecore.engine.e1000.TxTestSupport.ring;
import static io.sidecore.shm.E1000TxDescriptor.CMD_EOP;
import static io.sidecore.shm.E1000TxDescriptor.CMD_IDE;
import static io.sidecore.shm.E1000TxDescriptor.CMD_RPS;
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
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The TX ring walk and every validation branch of the transmit path: one test per branch, asserting the DD
 * write-back, what reached the wire and the counter deltas.
 */
final class TxProcessorTest
{
    private static final int RS_EOP = CMD_RS | CMD_EOP;

    private static byte[] frame(final int lengthBytes, final int seed)
    {
        return DeviceHarness.broadcastFrame(lengthBytes, seed);
    }

    private static void putLegacyFrame(final DeviceHarness h, final int index, final byte[] frame, final int cmd)
    {
        final long gpa = bufferGpa(index);
        h.putBytes(gpa, frame);
        putLegacy(h, index, gpa, frame.length, cmd, 0, 0, 0);
    }

    private static int icr(final DeviceHarness h)
    {
        return h.registers.get(E1000Registers.ICR);
    }

    private static long drops(final DeviceHarness h)
    {
        return h.counters.totalDrops();
    }

    /**
     * What a dropped packet leaves behind (SDM 3.3.3.2: the device reports a descriptor done whatever became of its
     * data, so the driver can reclaim it): nothing on the wire, exactly one drop counted under {@code counter}, every
     * descriptor consumed (TDH at {@code descriptors}), DD written back to the last one (it carries RS), DD left
     * clear on those before it (no RS) and TXDW raised.
     */
    private static void assertDroppedAndCompleted(
        final DeviceHarness h, final PortCounter counter, final int descriptors)
    {
        assertEquals(0, h.wire.size(), "nothing on the wire");
        assertEquals(1, h.counter(counter), counter.counterName());
        assertEquals(1, drops(h), "one drop, under one counter");
        assertEquals(descriptors, h.registers.get(E1000Registers.TDH), "every descriptor consumed");
        assertEquals(STA_DD, h.txStatus(descriptors - 1), "DD written back to the descriptor with RS");
        for (int i = 0; i < descriptors - 1; i++)
        {
            assertEquals(0, h.txStatus(i), "no write-back without RS: descriptor " + i);
        }
        assertEquals(E1000Registers.ICR_TXDW, icr(h) & E1000Registers.ICR_TXDW, "TXDW raised");
    }

    // ---------------------------------------------------------------- ring walk

    @Test
    void shouldSendLegacyFrameAndWriteBackDdWhenRsSet()
    {
        final DeviceHarness h = harness(8);
        final byte[] frame = frame(60, 1);
        putLegacyFrame(h, 0, frame, RS_EOP);
        ring(h, 1);

        assertEquals(1, h.pollTx());

        assertEquals(1, h.wire.size());
        assertArrayEquals(frame, h.wire.get(0));
        assertEquals(STA_DD, h.txStatus(0));
        assertEquals(1, h.registers.get(E1000Registers.TDH));
        assertEquals(1, h.counter(PortCounter.TX_FRAMES));
        assertEquals(60, h.counter(PortCounter.TX_BYTES));
        assertEquals(1, h.counter(PortCounter.TX_DESCRIPTORS));
        assertEquals(0, drops(h));
    }

    @Test
    void shouldNotWriteBackDdWhenRsClear()
    {
        final DeviceHarness h = harness(8);
        putLegacyFrame(h, 0, frame(60, 1), CMD_EOP);
        ring(h, 1);

        h.pollTx();

        assertEquals(1, h.wire.size());
        assertEquals(0, h.txStatus(0));
        assertEquals(0, icr(h) & E1000Registers.ICR_TXDW);
    }

    @Test
    void shouldWriteBackDdWhenRpsSet()
    {
        final DeviceHarness h = harness(8);
        putLegacyFrame(h, 0, frame(60, 1), CMD_EOP | CMD_RPS);
        ring(h, 1);

        h.pollTx();

        assertEquals(STA_DD, h.txStatus(0));
        assertEquals(E1000Registers.ICR_TXDW, icr(h) & E1000Registers.ICR_TXDW);
    }

    @Test
    void shouldWriteOnlyTheStatusFieldOnWriteBack()
    {
        final DeviceHarness h = harness(8);
        final long gpa = bufferGpa(0);
        h.putBytes(gpa, frame(60, 1));
        // STA has EC, LC and TU set by the "guest" and a reserved bit in the upper nibble.
        h.putRawTx(0, gpa, Descriptors.legacyTxHigh(60, RS_EOP, 0, 0x1E, 0x33, 0xBEEF));
        ring(h, 1);

        h.pollTx();

        final int offset = h.ramOffset(DeviceHarness.TX_RING_GPA);
        assertEquals(gpa, h.ramBuffer.getLong(offset, ByteOrder.LITTLE_ENDIAN));
        assertEquals(Descriptors.legacyTxHigh(60, RS_EOP, 0, 0x11, 0x33, 0xBEEF),
            h.ramBuffer.getLong(offset + 8, ByteOrder.LITTLE_ENDIAN), "only STA changed: DD set, reserved bit kept");
    }

    @Test
    void shouldAssembleFrameSpanningDescriptors()
    {
        final DeviceHarness h = harness(8);
        final byte[] frame = frame(1514, 7);
        h.putBytes(bufferGpa(0), Arrays.copyOfRange(frame, 0, 100));
        h.putBytes(bufferGpa(1), Arrays.copyOfRange(frame, 100, 1000));
        h.putBytes(bufferGpa(2), Arrays.copyOfRange(frame, 1000, 1514));
        putLegacy(h, 0, bufferGpa(0), 100, 0, 0, 0, 0);
        putLegacy(h, 1, bufferGpa(1), 900, CMD_RS, 0, 0, 0);
        putLegacy(h, 2, bufferGpa(2), 514, RS_EOP, 0, 0, 0);
        ring(h, 3);

        assertEquals(3, h.pollTx());

        assertEquals(1, h.wire.size());
        assertArrayEquals(frame, h.wire.get(0));
        assertEquals(0, h.txStatus(0));
        assertEquals(STA_DD, h.txStatus(1));
        assertEquals(STA_DD, h.txStatus(2));
        assertEquals(3, h.counter(PortCounter.TX_DESCRIPTORS));
        assertEquals(1, h.counter(PortCounter.TX_FRAMES));
    }

    @Test
    void shouldRaiseTxdwAndTxqeWhenRingDrainedWithWriteBack()
    {
        final DeviceHarness h = harness(8);
        putLegacyFrame(h, 0, frame(60, 1), RS_EOP);
        ring(h, 1);

        h.pollTx();

        assertEquals(E1000Registers.ICR_TXDW | E1000Registers.ICR_TXQE, icr(h));
    }

    @Test
    void shouldRaiseOnlyTxqeWhenNoDescriptorAskedForWriteBack()
    {
        final DeviceHarness h = harness(8);
        putLegacyFrame(h, 0, frame(60, 1), CMD_EOP);
        ring(h, 1);

        h.pollTx();

        assertEquals(E1000Registers.ICR_TXQE, icr(h));
    }

    @Test
    void shouldRaiseNothingWhenHeadEqualsTail()
    {
        final DeviceHarness h = harness(8);

        assertEquals(0, h.pollTx());

        assertEquals(0, icr(h));
        assertEquals(0, h.counter(PortCounter.TX_DESCRIPTORS));
    }

    @Test
    void shouldAssertLineWhenTxdwEnabled()
    {
        final DeviceHarness h = harness(8);
        h.write(E1000Registers.IMS, E1000Registers.ICR_TXDW);
        putLegacyFrame(h, 0, frame(60, 1), RS_EOP);
        ring(h, 1);

        h.pollTx();

        assertTrue(h.device.interrupts().isLineAsserted());
    }

    @Test
    void shouldStopAtBudgetWithoutTxqeAndResumeNextPass()
    {
        final DeviceHarness h = harness(8);
        for (int i = 0; i < 5; i++)
        {
            putLegacyFrame(h, i, frame(60, i), RS_EOP);
        }
        ring(h, 5);

        assertEquals(3, h.device.pollTx(h.nowNs, 3));

        assertEquals(3, h.registers.get(E1000Registers.TDH));
        assertEquals(3, h.wire.size());
        assertEquals(0, h.txStatus(3));
        assertEquals(E1000Registers.ICR_TXDW, icr(h));

        assertEquals(2, h.device.pollTx(h.nowNs, 3));

        assertEquals(5, h.registers.get(E1000Registers.TDH));
        assertEquals(5, h.wire.size());
        assertEquals(E1000Registers.ICR_TXDW | E1000Registers.ICR_TXQE, icr(h));
    }

    @Test
    void shouldDoNothingWhenBudgetIsZero()
    {
        final DeviceHarness h = harness(8);
        putLegacyFrame(h, 0, frame(60, 1), RS_EOP);
        ring(h, 1);

        assertEquals(0, h.device.pollTx(h.nowNs, 0));

        assertEquals(0, h.registers.get(E1000Registers.TDH));
        assertEquals(0, h.wire.size());
    }

    @Test
    void shouldWrapAroundTheEndOfTheRing()
    {
        final DeviceHarness h = harness(8);
        h.registers.set(E1000Registers.TDH, 6);
        ring(h, 6);
        putLegacyFrame(h, 6, frame(60, 6), RS_EOP);
        putLegacyFrame(h, 7, frame(61, 7), RS_EOP);
        putLegacyFrame(h, 0, frame(62, 0), RS_EOP);
        ring(h, 1);

        assertEquals(3, h.pollTx());

        assertEquals(1, h.registers.get(E1000Registers.TDH));
        assertEquals(3, h.wire.size());
        assertEquals(62, h.wire.get(2).length);
        assertEquals(STA_DD, h.txStatus(0));
    }

    @Test
    void shouldLeaveDescriptorsWhenTransmitterDisabledAndSendThemOnceEnabled()
    {
        final DeviceHarness h = harness(8);
        h.write(E1000Registers.TCTL, E1000Registers.TCTL_PSP);
        putLegacyFrame(h, 0, frame(60, 1), RS_EOP);
        ring(h, 1);

        assertEquals(0, h.pollTx());

        assertEquals(0, h.registers.get(E1000Registers.TDH));
        assertEquals(0, h.txStatus(0));
        assertEquals(0, h.wire.size());
        assertEquals(0, drops(h));

        h.write(E1000Registers.TCTL, E1000Registers.TCTL_EN | E1000Registers.TCTL_PSP);
        assertEquals(1, h.pollTx());
        assertEquals(1, h.wire.size());
    }

    @Test
    void shouldReReadRingGeometryOnEveryPass()
    {
        final DeviceHarness h = harness(8);
        putLegacyFrame(h, 0, frame(60, 1), RS_EOP);
        ring(h, 1);
        h.pollTx();
        // The guest moves the ring (as after a reset) without trapping: the next pass must use the new base.
        final long newRingGpa = DeviceHarness.RAM_GPA + 0x8000L;
        h.writeShared(E1000Registers.TDBAL, (int)newRingGpa);
        h.writeShared(E1000Registers.TDH, 0);
        h.writeShared(E1000Registers.TDT, 0);
        final byte[] second = frame(70, 2);
        h.putBytes(bufferGpa(5), second);
        final int offset = h.ramOffset(newRingGpa);
        Descriptors.putLegacyTx(h.ramBuffer, offset, bufferGpa(5), 70, RS_EOP);
        ring(h, 1);

        assertEquals(1, h.pollTx());

        assertArrayEquals(second, h.wire.get(1));
        assertEquals(STA_DD, h.ramBuffer.getByte(offset + 12));
    }

    @Test
    void shouldUpdateGuestStatisticsForEachFrame()
    {
        final DeviceHarness h = harness(8);
        putLegacyFrame(h, 0, frame(60, 1), RS_EOP);
        final byte[] multicast = frame(200, 2);
        multicast[0] = 0x01;
        putLegacyFrame(h, 1, multicast, RS_EOP);
        ring(h, 2);

        h.pollTx();

        assertEquals(2, h.registers.get(E1000Registers.GPTC));
        assertEquals(2, h.registers.get(E1000Registers.TPT));
        assertEquals(64 + 204, h.registers.get(E1000Registers.GOTCL));
        assertEquals(1, h.registers.get(E1000Registers.PTC64));
        assertEquals(1, h.registers.get(E1000Registers.PTC64 + 8));
        assertEquals(1, h.registers.get(E1000Registers.BPTC));
        assertEquals(1, h.registers.get(E1000Registers.MPTC));
    }

    @Test
    void shouldPublishHeadWhichTheGuestReadsBack()
    {
        final DeviceHarness h = harness(8);
        putLegacyFrame(h, 0, frame(60, 1), CMD_EOP | CMD_RS | CMD_IDE);
        putLegacyFrame(h, 1, frame(60, 2), CMD_EOP | CMD_RS | CMD_IDE);
        ring(h, 2);

        h.pollTx();

        assertEquals(2, h.registers.getAcquire(E1000Registers.TDH));
        assertEquals(2, h.wire.size());
    }

    // ---------------------------------------------------------------- ring faults (the CVEs: QemuE1000CveTest)

    @Test
    void shouldFaultPortWhenTailIsBeyondTheRing()
    {
        final DeviceHarness h = harness(8);
        putLegacyFrame(h, 0, frame(60, 1), RS_EOP);
        ring(h, 9);

        assertEquals(0, h.pollTx());

        assertFault(h, PortFault.TX_TAIL_BEYOND_RING, E1000Registers.TDT, 9);
        assertEquals(0, h.txStatus(0));
        assertEquals(0, h.wire.size());
    }

    @Test
    void shouldNotFaultWhenRingLengthIsZeroAndNothingIsPending()
    {
        final DeviceHarness h = harness(8);
        h.writeShared(E1000Registers.TDLEN, 0);

        assertEquals(0, h.pollTx());

        assertFalse(h.device.isFaulted());
    }

    @Test
    void shouldFaultPortWhenRingIsOutsideGuestMemory()
    {
        final DeviceHarness h = harness(8);
        h.writeShared(E1000Registers.TDBAL, (int)(DeviceHarness.RAM_GPA + DeviceHarness.RAM_BYTES - 64));
        ring(h, 1);

        assertEquals(0, h.pollTx());

        assertFault(h, PortFault.TX_RING_OUTSIDE_MEMORY, E1000Registers.TDBAL,
            DeviceHarness.RAM_GPA + DeviceHarness.RAM_BYTES - 64);
        assertEquals(1, h.counter(PortCounter.RING_FAULTS));
    }

    // ---------------------------------------------------------------- per-packet validation

    @Test
    void shouldCompleteDescriptorAndCountDmaFaultOncePerPacketWhenBufferOutsideGuestMemory()
    {
        final DeviceHarness h = harness(8);
        putLegacy(h, 0, 0x10L, 100, CMD_RS, 0, 0, 0);
        putLegacy(h, 1, DeviceHarness.RAM_GPA + DeviceHarness.RAM_BYTES - 10, 100, RS_EOP, 0, 0, 0);
        putLegacyFrame(h, 2, frame(60, 3), RS_EOP);
        ring(h, 3);

        assertEquals(3, h.pollTx());

        assertEquals(STA_DD, h.txStatus(0));
        assertEquals(STA_DD, h.txStatus(1));
        assertEquals(1, h.counter(PortCounter.TX_DROP_DMA_FAULT));
        assertEquals(1, drops(h));
        assertEquals(1, h.wire.size());
        assertEquals(60, h.wire.get(0).length);
        assertFalse(h.device.isFaulted());
    }

    @Test
    void shouldTransferNoDataForNullBufferAddress()
    {
        // SDM 3.3.3: "descriptors with a null address transfer no data".
        final DeviceHarness h = harness(8);
        final byte[] frame = frame(60, 1);
        putLegacy(h, 0, 0L, 500, CMD_RS, 0, 0, 0);
        putLegacyFrame(h, 1, frame, RS_EOP);
        ring(h, 2);

        h.pollTx();

        assertArrayEquals(frame, h.wire.get(0));
        assertEquals(STA_DD, h.txStatus(0));
        assertEquals(0, drops(h));
    }

    @Test
    void shouldSendLargestPacketWhenDataLengthUsesBit16()
    {
        // DTALEN is 20 bits (SDM 3.3.7): 0x10000 is a 65536-byte buffer, exactly the staging size.
        final DeviceHarness h = harness(8);
        final byte[] big = frame(TxProcessor.MAX_PACKET_BYTES, 3);
        h.putBytes(bufferGpa(0), big);
        putData(h, 0, bufferGpa(0), TxProcessor.MAX_PACKET_BYTES, RS_EOP, 0, 0);
        ring(h, 1);

        h.pollTx();

        assertEquals(1, h.wire.size());
        assertArrayEquals(big, h.wire.get(0));
    }

    @Test
    void shouldDropOversizeWhenDataLengthExceedsStagingBuffer()
    {
        final DeviceHarness h = harness(8);
        putData(h, 0, bufferGpa(0), 0xFFFFF, RS_EOP, 0, 0);
        ring(h, 1);

        h.pollTx();

        assertEquals(1, h.counter(PortCounter.TX_DROP_OVERSIZE));
        assertEquals(STA_DD, h.txStatus(0));
        assertEquals(0, h.wire.size());
    }

    @Test
    void shouldDropEmptyPacketWhenZeroLengthDataDescriptorHasEop()
    {
        // VirtualBox 2018: a lone zero-length data descriptor with EOP.
        final DeviceHarness h = harness(8);
        putData(h, 0, bufferGpa(0), 0, RS_EOP, 0, 0);
        ring(h, 1);

        assertEquals(1, h.pollTx());

        assertEquals(1, h.counter(PortCounter.TX_DROP_EMPTY));
        assertEquals(STA_DD, h.txStatus(0));
        assertEquals(0, h.wire.size());
    }

    @Test
    void shouldSendPacketWhenZeroLengthDescriptorEndsIt()
    {
        final DeviceHarness h = harness(8);
        final byte[] frame = frame(80, 4);
        h.putBytes(bufferGpa(0), frame);
        putData(h, 0, bufferGpa(0), 80, 0, 0, 0);
        putData(h, 1, bufferGpa(1), 0, RS_EOP, 0, 0);
        ring(h, 2);

        h.pollTx();

        assertArrayEquals(frame, h.wire.get(0));
        assertEquals(0, drops(h));
    }

    @Test
    void shouldDropRuntShorterThanEthernetHeader()
    {
        final DeviceHarness h = harness(8);
        putLegacyFrame(h, 0, frame(60, 1), 0);
        putLegacy(h, 0, bufferGpa(0), 13, RS_EOP, 0, 0, 0);
        ring(h, 1);

        h.pollTx();

        assertEquals(1, h.counter(PortCounter.TX_DROP_RUNT));
        assertEquals(STA_DD, h.txStatus(0));
        assertEquals(0, h.wire.size());
    }

    @Test
    void shouldDropPacketWhenContextDescriptorArrivesInTheMiddleOfIt()
    {
        final DeviceHarness h = harness(8);
        final byte[] frame = frame(60, 1);
        h.putBytes(bufferGpa(0), frame);
        putData(h, 0, bufferGpa(0), 30, CMD_RS, 0, 0);
        putContext(h, 1, 14, 24, 33, 34, 50, 0, 0, TUCMD_IP | TUCMD_TCP | CMD_RS, 0, 0);
        putData(h, 2, bufferGpa(0) + 30, 30, RS_EOP, 0, 0);
        putData(h, 3, bufferGpa(0), 60, RS_EOP, 0, 0);
        ring(h, 4);

        assertEquals(4, h.pollTx());

        assertEquals(1, h.counter(PortCounter.TX_DROP_BAD_SEQUENCE));
        assertEquals(1, drops(h));
        for (int i = 0; i < 4; i++)
        {
            assertEquals(STA_DD, h.txStatus(i));
        }
        assertEquals(1, h.wire.size());
        assertArrayEquals(frame, h.wire.get(0));
    }

    @Test
    void shouldDropPacketMixingPlainAndTseDataDescriptors()
    {
        final DeviceHarness h = harness(8);
        putContext(h, 0, 14, 24, 33, 34, 50, 0, 100, TUCMD_TSE | TUCMD_IP | TUCMD_TCP, 54, 100);
        putData(h, 1, bufferGpa(0), 54, 0, 0, 0);
        putData(h, 2, bufferGpa(1), 100, RS_EOP | CMD_TSE, POPTS_TXSM, 0);
        ring(h, 3);

        h.pollTx();

        assertDroppedAndCompleted(h, PortCounter.TX_DROP_BAD_SEQUENCE, 3);
    }

    @Test
    void shouldDropNoContextWhenTseDataArrivesWithoutTsoContext()
    {
        final DeviceHarness h = harness(8);
        // A checksum context does not count as a TSO context.
        putContext(h, 0, 14, 24, 33, 34, 50, 0, 0, TUCMD_IP | TUCMD_TCP, 0, 0);
        putData(h, 1, bufferGpa(0), 200, RS_EOP | CMD_TSE, POPTS_TXSM, 0);
        ring(h, 2);

        h.pollTx();

        assertEquals(1, h.counter(PortCounter.TX_DROP_NO_CONTEXT));
        assertEquals(STA_DD, h.txStatus(1));
        assertEquals(0, h.wire.size());
    }

    @Test
    void shouldDropNoContextWhenChecksumRequestedWithoutChecksumContext()
    {
        final DeviceHarness h = harness(8);
        h.putBytes(bufferGpa(0), frame(100, 1));
        putData(h, 0, bufferGpa(0), 100, RS_EOP, POPTS_TXSM, 0);
        ring(h, 1);

        h.pollTx();

        assertDroppedAndCompleted(h, PortCounter.TX_DROP_NO_CONTEXT, 1);
    }

    @Test
    void shouldDropMalformedWhenMssIsZeroWithHeader()
    {
        final DeviceHarness h = harness(8);
        h.putBytes(bufferGpa(0), frame(200, 1));
        putContext(h, 0, 14, 24, 33, 34, 50, 0, 146, TUCMD_TSE | TUCMD_IP | TUCMD_TCP, 54, 0);
        putData(h, 1, bufferGpa(0), 200, RS_EOP | CMD_TSE, POPTS_TXSM, 0);
        ring(h, 2);

        h.pollTx();

        assertDroppedAndCompleted(h, PortCounter.TX_DROP_MALFORMED, 2);
    }

    @Test
    void shouldDropMalformedWhenHeaderLengthExceedsPacket()
    {
        final DeviceHarness h = harness(8);
        h.putBytes(bufferGpa(0), frame(50, 1));
        putContext(h, 0, 14, 24, 33, 34, 50, 0, 0, TUCMD_TSE | TUCMD_IP | TUCMD_TCP, 54, 100);
        putData(h, 1, bufferGpa(0), 50, RS_EOP | CMD_TSE, POPTS_TXSM, 0);
        ring(h, 2);

        h.pollTx();

        assertDroppedAndCompleted(h, PortCounter.TX_DROP_MALFORMED, 2);
    }

    @Test
    void shouldDropMalformedWhenTsoIpHeaderStartLeavesNoRoomInHeader()
    {
        final DeviceHarness h = harness(8);
        h.putBytes(bufferGpa(0), frame(300, 1));
        // IPCSS 40 + 20-byte IPv4 header > HDRLEN 54.
        putContext(h, 0, 40, 50, 59, 34, 50, 0, 246, TUCMD_TSE | TUCMD_IP | TUCMD_TCP, 54, 100);
        putData(h, 1, bufferGpa(0), 300, RS_EOP | CMD_TSE, POPTS_TXSM, 0);
        ring(h, 2);

        h.pollTx();

        assertDroppedAndCompleted(h, PortCounter.TX_DROP_MALFORMED, 2);
    }

    @Test
    void shouldDropMalformedWhenTsoChecksumOffsetIsBeyondHeader()
    {
        final DeviceHarness h = harness(8);
        h.putBytes(bufferGpa(0), frame(300, 1));
        putContext(h, 0, 14, 24, 33, 34, 60, 0, 246, TUCMD_TSE | TUCMD_IP | TUCMD_TCP, 54, 100);
        putData(h, 1, bufferGpa(0), 300, RS_EOP | CMD_TSE, POPTS_TXSM, 0);
        ring(h, 2);

        h.pollTx();

        assertDroppedAndCompleted(h, PortCounter.TX_DROP_MALFORMED, 2);
    }

    @Test
    void shouldDropMalformedWhenChecksumOffsetIsBeyondPacket()
    {
        final DeviceHarness h = harness(8);
        h.putBytes(bufferGpa(0), frame(100, 1));
        putContext(h, 0, 14, 24, 33, 34, 99, 0, 0, TUCMD_IP | TUCMD_TCP, 0, 0);
        putData(h, 1, bufferGpa(0), 100, RS_EOP, POPTS_TXSM, 0);
        ring(h, 2);

        h.pollTx();

        assertEquals(1, h.counter(PortCounter.TX_DROP_MALFORMED));
        assertEquals(STA_DD, h.txStatus(1));
        assertEquals(0, h.wire.size());
    }

    @Test
    void shouldDropMalformedWhenChecksumStartIsBeyondPacket()
    {
        final DeviceHarness h = harness(8);
        h.putBytes(bufferGpa(0), frame(100, 1));
        putContext(h, 0, 120, 24, 0, 34, 50, 0, 0, TUCMD_IP | TUCMD_TCP, 0, 0);
        putData(h, 1, bufferGpa(0), 100, RS_EOP, E1000TxDescriptor.POPTS_IXSM, 0);
        ring(h, 2);

        h.pollTx();

        assertDroppedAndCompleted(h, PortCounter.TX_DROP_MALFORMED, 2);
    }

    @Test
    void shouldDropMalformedWhenChecksumEndPrecedesStart()
    {
        final DeviceHarness h = harness(8);
        h.putBytes(bufferGpa(0), frame(100, 1));
        putContext(h, 0, 14, 24, 33, 34, 50, 20, 0, TUCMD_IP | TUCMD_TCP, 0, 0);
        putData(h, 1, bufferGpa(0), 100, RS_EOP, POPTS_TXSM, 0);
        ring(h, 2);

        h.pollTx();

        assertDroppedAndCompleted(h, PortCounter.TX_DROP_MALFORMED, 2);
    }

    @Test
    void shouldDropMalformedWhenDescriptorTypeIsReserved()
    {
        final DeviceHarness h = harness(8);
        h.putRawTx(0, bufferGpa(0), Descriptors.extendedTxHigh(100, 0x7, RS_EOP, 0, 0, 0));
        putLegacyFrame(h, 1, frame(60, 1), RS_EOP);
        ring(h, 2);

        assertEquals(2, h.pollTx());

        assertEquals(1, h.counter(PortCounter.TX_DROP_MALFORMED));
        assertEquals(STA_DD, h.txStatus(0));
        assertEquals(1, h.wire.size());
    }

    @Test
    void shouldKeepPartialPacketAcrossPasses()
    {
        final DeviceHarness h = harness(8);
        final byte[] frame = frame(120, 5);
        h.putBytes(bufferGpa(0), frame);
        putLegacy(h, 0, bufferGpa(0), 60, CMD_RS, 0, 0, 0);
        ring(h, 1);

        h.pollTx();

        assertTrue(h.device.tx.isPacketPending());
        assertEquals(0, h.wire.size());
        assertEquals(STA_DD, h.txStatus(0));

        putLegacy(h, 1, bufferGpa(0) + 60, 60, RS_EOP, 0, 0, 0);
        ring(h, 2);
        h.pollTx();

        assertArrayEquals(frame, h.wire.get(0));
        assertFalse(h.device.tx.isPacketPending());
    }

    @Test
    void shouldDiscardPartialPacketAndContextsOnReset()
    {
        final DeviceHarness h = harness(8);
        putContext(h, 0, 14, 24, 33, 34, 50, 0, 0, TUCMD_IP | TUCMD_TCP, 0, 0);
        putLegacy(h, 1, bufferGpa(0), 60, 0, 0, 0, 0);
        ring(h, 2);
        h.pollTx();

        h.device.tx.reset();

        assertFalse(h.device.tx.isPacketPending());
        h.putBytes(bufferGpa(1), frame(100, 1));
        putData(h, 2, bufferGpa(1), 100, RS_EOP, POPTS_TXSM, 0);
        ring(h, 3);
        h.pollTx();
        assertEquals(1, h.counter(PortCounter.TX_DROP_NO_CONTEXT));
        assertEquals(0, h.wire.size());
        assertEquals(STA_DD, h.txStatus(2), "the dropped packet's descriptor is still completed");
    }

    @Test
    void shouldNeverThrowForArbitraryDescriptorWords()
    {
        final DeviceHarness h = harness(64);
        long x = 0x1234_5678_9ABCL;
        for (int round = 0; round < 50; round++)
        {
            for (int i = 0; i < 64; i++)
            {
                x = x * 6364136223846793005L + 1442695040888963407L;
                final long low = 0 == (i & 1) ? bufferGpa(i & 7) + (x >>> 50) : x;
                x = x * 6364136223846793005L + 1442695040888963407L;
                h.putRawTx(i, low, x);
            }
            final int head = h.registers.get(E1000Registers.TDH);
            ring(h, (head + 63) % 64);

            h.pollTx();

            assertFalse(h.device.isFaulted());
            assertEquals((head + 63) % 64, h.registers.get(E1000Registers.TDH));
        }
    }

    private static void assertFault(
        final DeviceHarness h, final PortFault fault, final int register, final long value)
    {
        assertEquals(fault, h.device.fault());
        assertEquals(register, h.device.faultState().register());
        assertEquals(value, h.device.faultState().value());
    }
}
