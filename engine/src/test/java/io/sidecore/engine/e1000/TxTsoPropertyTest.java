package io.sidecore.engine.e1000;

import io.sidecore.shm.E1000Registers;
import io.sidecore.shm.E1000TxDescriptor;
import io.sidecore.shm.PortCounter;
import io.sidecore.tools.guest.Descriptors;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static io.sidecore.engine.e1000.TxTestSupport.TCP_ACK;
import static io.sidecore.engine.e1000.TxTestSupport.TCP_FIN;
import static io.sidecore.engine.e1000.TxTestSupport.TCP_PSH;
import static io.sidecore.engine.e1000.TxTestSupport.bufferGpa;
import static io.sidecore.engine.e1000.TxTestSupport.putContext;
import static io.sidecore.engine.e1000.TxTestSupport.putDataChain;
import static io.sidecore.shm.E1000TxDescriptor.CMD_TSE;
import static io.sidecore.shm.E1000TxDescriptor.POPTS_IXSM;
import static io.sidecore.shm.E1000TxDescriptor.POPTS_TXSM;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Property-based checks of the transmit path with jqwik: TSO over random payload sizes, MSS, header layouts, IPv4 and
 * IPv6, TCP and UDP, descriptor splits and VLAN tags must give segments whose payloads re-assemble to the original,
 * whose every IP/TCP/UDP length and checksum verifies (with an independent verifier), whose TCP sequence numbers are
 * contiguous and whose PSH/FIN appear only on the last segment; and random descriptor soup must never throw and must
 * account every completed packet exactly once.
 * <p>
 * One harness per test class is reused across tries (guest RAM is native memory freed only by GC), reset before
 * each try; counters are compared as deltas.
 */
final class TxTsoPropertyTest
{
    private static final int RING = 64;
    private static DeviceHarness shared;

    private static DeviceHarness fresh()
    {
        if (null == shared)
        {
            shared = TxTestSupport.harness(RING);
        }
        final DeviceHarness h = shared;
        h.device.tx.reset();
        h.wire.clear();
        h.registers.set(E1000Registers.CTRL, 0);
        h.registers.set(E1000Registers.VET, E1000Registers.VET_RESET_VALUE);
        h.registers.set(E1000Registers.TDH, 0);
        h.registers.set(E1000Registers.TDT, 0);
        h.registers.set(E1000Registers.TSCTC, 0);
        h.registers.set(E1000Registers.ICR, 0);
        h.ramBuffer.setMemory(h.ramOffset(DeviceHarness.TX_RING_GPA), RING * 16, (byte)0);
        return h;
    }

    private static long[] snapshot(final DeviceHarness h)
    {
        final PortCounter[] all = PortCounter.values();
        final long[] values = new long[PortCounter.SLOTS_PER_PORT];
        for (final PortCounter counter : all)
        {
            values[counter.id()] = h.counter(counter);
        }
        return values;
    }

    private static long delta(final DeviceHarness h, final long[] before, final PortCounter counter)
    {
        return h.counter(counter) - before[counter.id()];
    }

    private static long dropDelta(final DeviceHarness h, final long[] before)
    {
        long total = 0;
        for (final PortCounter counter : PortCounter.values())
        {
            if (counter.isDrop())
            {
                total += delta(h, before, counter);
            }
        }
        return total;
    }

    private static int[] randomSplits(final Random random, final int packetLength, final int extraSplits)
    {
        final int[] splits = new int[extraSplits + 1];
        int remaining = packetLength;
        for (int i = 0; i < extraSplits; i++)
        {
            final int size = 0 == remaining ? 0 : random.nextInt(remaining + 1);
            splits[i] = size;
            remaining -= size;
        }
        splits[extraSplits] = 0;
        return splits;
    }

    @Property(tries = 400)
    void tsoSegmentsShouldReassembleVerifyAndKeepSequenceContiguous(
        @ForAll final boolean ipv4,
        @ForAll final boolean tcp,
        @ForAll @IntRange(min = 0, max = 30_000) final int payloadLength,
        @ForAll @IntRange(min = TsoSegmenter.MIN_MSS_BYTES, max = 9_000) final int mss,
        @ForAll @IntRange(min = 0, max = 10) final int ipOptionWords,
        @ForAll @IntRange(min = 0, max = 10) final int tcpOptionWords,
        @ForAll @IntRange(min = 0, max = 6) final int extraSplits,
        @ForAll final boolean vlan,
        @ForAll final boolean pshFin,
        @ForAll final int seed)
    {
        final DeviceHarness h = fresh();
        final Random random = new Random(seed);
        if (vlan)
        {
            h.registers.set(E1000Registers.CTRL, E1000Registers.CTRL_VME);
        }
        final int flags = TCP_ACK | (pshFin ? TCP_PSH | TCP_FIN : 0);
        final int sequence = random.nextInt();
        final int identification = random.nextInt(0x10000);
        final byte[] data = TxTestSupport.payload(payloadLength, seed);
        final TxTestSupport.Packet p = TxTestSupport.build(ipv4, tcp, ipv4 ? ipOptionWords * 4 : 0,
            tcp ? tcpOptionWords * 4 : 0, data, flags, sequence, identification, true);
        final int popts = POPTS_TXSM | (ipv4 ? POPTS_IXSM : 0);
        putContext(h, 0, p.ipStart, ipv4 ? p.ipStart + 10 : 0, ipv4 ? p.l4Start - 1 : 0, p.l4Start, p.tucso(), 0,
            payloadLength, p.tucmd(true), p.headerLength, mss);
        final int tci = random.nextInt(0x10000);
        final int next = putDataChain(h, 1, p.bytes, randomSplits(random, p.bytes.length, extraSplits),
            CMD_TSE | (vlan ? E1000TxDescriptor.CMD_VLE : 0), popts, tci);
        final long[] before = snapshot(h);

        TxTestSupport.ring(h, next);
        h.pollTx();

        final int expectedSegments = 0 == payloadLength ? 1 : (payloadLength + mss - 1) / mss;
        assertEquals(expectedSegments, h.wire.size());
        final ByteArrayOutputStream reassembled = new ByteArrayOutputStream();
        for (int i = 0; i < expectedSegments; i++)
        {
            final byte[] frame = h.wire.get(i);
            final TxPacketVerifier.Parsed s = TxPacketVerifier.verify(frame, vlan);
            final boolean last = i == expectedSegments - 1;
            assertEquals(last ? payloadLength - i * mss : mss, s.payloadLength);
            reassembled.write(frame, s.payloadStart, s.payloadLength);
            if (vlan)
            {
                assertEquals(E1000Registers.VET_RESET_VALUE, s.tpid);
                assertEquals(tci, s.tci);
            }
            if (ipv4)
            {
                assertEquals((identification + i) & 0xFFFF, s.ipIdentification);
            }
            if (tcp)
            {
                assertEquals(sequence + i * mss, s.tcpSequence);
                assertEquals(last ? flags : TCP_ACK, s.tcpFlags);
            }
        }
        assertArrayEquals(data, reassembled.toByteArray());
        assertEquals(expectedSegments, delta(h, before, PortCounter.TX_TSO_SEGMENTS));
        assertEquals(1, h.registers.get(E1000Registers.TSCTC));
        assertEquals(0, dropDelta(h, before));
        assertEquals(E1000TxDescriptor.STA_DD, h.txStatus(next - 1));
    }

    @Property(tries = 300)
    void checksumOffloadShouldProduceVerifiableFrames(
        @ForAll final boolean ipv4,
        @ForAll final boolean tcp,
        @ForAll @IntRange(min = 0, max = 9_000) final int payloadLength,
        @ForAll @IntRange(min = 0, max = 10) final int optionWords,
        @ForAll @IntRange(min = 0, max = 6) final int extraSplits,
        @ForAll final int seed)
    {
        final DeviceHarness h = fresh();
        final byte[] data = TxTestSupport.payload(payloadLength, seed);
        final TxTestSupport.Packet p = TxTestSupport.build(ipv4, tcp, ipv4 ? optionWords * 4 : 0,
            tcp ? optionWords * 4 : 0, data, TCP_ACK | TCP_PSH, seed, seed, false);
        putContext(h, 0, p.ipStart, ipv4 ? p.ipStart + 10 : 0, ipv4 ? p.l4Start - 1 : 0, p.l4Start, p.tucso(), 0,
            0, p.tucmd(false), 0, 0);
        final int next = putDataChain(h, 1, p.bytes, randomSplits(new Random(seed), p.bytes.length, extraSplits), 0,
            POPTS_TXSM | (ipv4 ? POPTS_IXSM : 0), 0);
        final long[] before = snapshot(h);

        TxTestSupport.ring(h, next);
        h.pollTx();

        assertEquals(1, h.wire.size());
        final byte[] frame = h.wire.get(0);
        final TxPacketVerifier.Parsed s = TxPacketVerifier.verify(frame, false);
        assertArrayEquals(data, Arrays.copyOfRange(frame, s.payloadStart, frame.length));
        assertEquals(1, delta(h, before, PortCounter.TX_FRAMES));
        assertEquals(0, delta(h, before, PortCounter.TX_TSO_SEGMENTS));
    }

    @Property(tries = 300)
    void everyCompletedPacketShouldBeSentOrCountedExactlyOnce(@ForAll final long seed)
    {
        final DeviceHarness h = fresh();
        final Random random = new Random(seed);
        final byte[] noise = new byte[8192];
        random.nextBytes(noise);
        for (int slot = 0; slot < 4; slot++)
        {
            h.putBytes(bufferGpa(slot), noise);
        }
        if (random.nextBoolean())
        {
            h.registers.set(E1000Registers.CTRL, E1000Registers.CTRL_VME);
        }
        final int count = RING - 1;
        int endedPackets = 0;
        final List<Integer> writeBack = new ArrayList<>();
        for (int i = 0; i < count; i++)
        {
            final long low;
            final long high;
            switch (random.nextInt(5))
            {
                case 0:
                {
                    low = bufferGpa(random.nextInt(4)) + random.nextInt(64);
                    final int lengthBytes = random.nextInt(9000);
                    final int cmd = random.nextInt(0x100);
                    final int cso = random.nextInt(0x100);
                    high = Descriptors.legacyTxHigh(lengthBytes, cmd, cso, 0, random.nextInt(0x100), 0);
                    break;
                }

                case 1:
                {
                    low = random.nextLong() & 0x0000_FFFF_FFFF_FFFFL;
                    final int payloadBytes = random.nextInt(0x100000);
                    final int tucmd = random.nextInt(0x100);
                    final int headerBytes = random.nextInt(0x100);
                    high = Descriptors.contextTxHigh(payloadBytes, tucmd, headerBytes,
                        random.nextInt(1 + random.nextInt(4000)));
                    break;
                }

                case 2:
                {
                    low = bufferGpa(random.nextInt(4)) + random.nextInt(64);
                    final int lengthBytes = random.nextInt(3000);
                    final int dcmd = random.nextInt(0x100);
                    high = Descriptors.dataTxHigh(lengthBytes, dcmd, random.nextInt(4), 0);
                    break;
                }

                case 3:
                    low = random.nextLong();
                    high = random.nextLong();
                    break;

                default:
                {
                    low = bufferGpa(0);
                    final int lengthBytes = random.nextInt(200);
                    high = Descriptors.dataTxHigh(lengthBytes, E1000TxDescriptor.CMD_EOP | random.nextInt(0x100), 0, 0);
                    break;
                }
            }
            h.putRawTx(i, low, high);
            final int cmd = (int)(high >>> 24) & 0xFF;
            final int dtyp = (int)(high >>> 20) & 0xF;
            final boolean context = 0 != (cmd & 0x20) && 0 == dtyp;
            if (!context && 0 != (cmd & E1000TxDescriptor.CMD_EOP))
            {
                endedPackets++;
            }
            if (0 != (cmd & (E1000TxDescriptor.CMD_RS | E1000TxDescriptor.CMD_RPS)))
            {
                writeBack.add(i);
            }
        }
        final long[] before = snapshot(h);

        TxTestSupport.ring(h, count);
        int passes = 0;
        while (h.registers.get(E1000Registers.TDH) != count && passes++ < RING)
        {
            h.device.pollTx(h.nowNs, 1 + random.nextInt(16));
        }

        assertFalse(h.device.isFaulted(), String.valueOf(h.device.fault()));
        assertEquals(count, h.registers.get(E1000Registers.TDH));
        assertEquals(count, delta(h, before, PortCounter.TX_DESCRIPTORS));
        final long segments = delta(h, before, PortCounter.TX_TSO_SEGMENTS);
        final long plainFrames = delta(h, before, PortCounter.TX_FRAMES) - segments;
        final long tsoPackets = h.registers.get(E1000Registers.TSCTC);
        assertEquals(endedPackets, plainFrames + tsoPackets + dropDelta(h, before));
        for (final int index : writeBack)
        {
            assertEquals(E1000TxDescriptor.STA_DD, h.txStatus(index) & E1000TxDescriptor.STA_DD);
        }
    }

    @Property(tries = 100)
    void budgetShouldNotChangeWhatReachesTheWire(
        @ForAll @IntRange(min = 1, max = 8) final int budget,
        @ForAll @IntRange(min = 1, max = 5_000) final int payloadLength,
        @ForAll @IntRange(min = 0, max = 6) final int extraSplits,
        @ForAll final int seed)
    {
        final DeviceHarness h = fresh();
        final TxTestSupport.Packet p = TxTestSupport.build(true, true, 0, 0,
            TxTestSupport.payload(payloadLength, seed), TCP_ACK, seed, seed, true);
        putContext(h, 0, p.ipStart, p.ipStart + 10, p.l4Start - 1, p.l4Start, p.tucso(), 0, payloadLength,
            p.tucmd(true), p.headerLength, 536);
        final int next = putDataChain(h, 1, p.bytes, randomSplits(new Random(seed), p.bytes.length, extraSplits),
            CMD_TSE, POPTS_TXSM | POPTS_IXSM, 0);
        TxTestSupport.ring(h, next);
        int passes = 0;
        while (h.registers.get(E1000Registers.TDH) != next && passes++ < RING)
        {
            h.device.pollTx(h.nowNs, budget);
        }
        final List<byte[]> split = new ArrayList<>(h.wire);

        final DeviceHarness again = fresh();
        putContext(again, 0, p.ipStart, p.ipStart + 10, p.l4Start - 1, p.l4Start, p.tucso(), 0, payloadLength,
            p.tucmd(true), p.headerLength, 536);
        putDataChain(again, 1, p.bytes, new int[] {0}, CMD_TSE, POPTS_TXSM | POPTS_IXSM, 0);
        TxTestSupport.ring(again, 2);
        again.pollTx();

        assertEquals(again.wire.size(), split.size());
        for (int i = 0; i < split.size(); i++)
        {
            assertArrayEquals(again.wire.get(i), split.get(i));
        }
    }
}
