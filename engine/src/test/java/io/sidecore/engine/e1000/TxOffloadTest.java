package io.sidecore.engine.e1000;

import io.sidecore.engine.frame.FrameMetadata;
import io.sidecore.engine.frame.FrameSink;
import io.sidecore.shm.E1000Registers;
import io.sidecore.shm.PortCounter;
import io.sidecore.shm.PortRegionDescriptor;
import org.agrona.DirectBuffer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static io.sidecore.engine.e1000.TxPacketVerifier.u16;
import static io.sidecore.engine.e1000.TxTestSupport.TCP_ACK;
import static io.sidecore.engine.e1000.TxTestSupport.TCP_FIN;
import static io.sidecore.engine.e1000.TxTestSupport.TCP_PSH;
import static io.sidecore.engine.e1000.TxTestSupport.bufferGpa;
import static io.sidecore.engine.e1000.TxTestSupport.build;
import static io.sidecore.engine.e1000.TxTestSupport.harness;
import static io.sidecore.engine.e1000.TxTestSupport.payload;
import static io.sidecore.engine.e1000.TxTestSupport.putContext;
import static io.sidecore.engine.e1000.TxTestSupport.putData;
import static io.sidecore.engine.e1000.TxTestSupport.putDataChain;
import static io.sidecore.engine.e1000.TxTestSupport.putLegacy;
import static io.sidecore.engine.e1000.TxTestSupport.ring;
import static io.sidecore.shm.E1000TxDescriptor.CMD_EOP;
import static io.sidecore.shm.E1000TxDescriptor.CMD_IC;
import static io.sidecore.shm.E1000TxDescriptor.CMD_RS;
import static io.sidecore.shm.E1000TxDescriptor.CMD_TSE;
import static io.sidecore.shm.E1000TxDescriptor.CMD_VLE;
import static io.sidecore.shm.E1000TxDescriptor.POPTS_IXSM;
import static io.sidecore.shm.E1000TxDescriptor.POPTS_TXSM;
import static io.sidecore.shm.E1000TxDescriptor.STA_DD;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Checksum insertion, VLAN insertion, TCP segmentation and the hand-off to offload-capable sinks, on fixed examples
 * (the randomised checks are in {@link TxTsoPropertyTest}).
 */
final class TxOffloadTest
{
    private static final int RS_EOP = CMD_RS | CMD_EOP;
    /** RCTL.LBM = 01, MAC loopback (SDM 13.4.22). */
    private static final int RCTL_MAC_LOOPBACK = 1 << 6;

    /** Context descriptor for a built packet: TSO or checksum slot. */
    private static void putContextFor(
        final DeviceHarness h, final int index, final TxTestSupport.Packet p, final boolean tse, final int mss)
    {
        final int ipcso = p.ipv4 ? p.ipStart + 10 : 0;
        final int ipcse = p.ipv4 ? p.l4Start - 1 : 0;
        putContext(h, index, p.ipStart, ipcso, ipcse, p.l4Start, p.tucso(), 0,
            tse ? p.payloadLength : 0, p.tucmd(tse), tse ? p.headerLength : 0, mss);
    }

    private static List<byte[]> payloads(final List<byte[]> frames, final boolean vlan)
    {
        final List<byte[]> result = new ArrayList<>();
        for (final byte[] frame : frames)
        {
            final TxPacketVerifier.Parsed parsed = TxPacketVerifier.verify(frame, vlan);
            result.add(Arrays.copyOfRange(frame, parsed.payloadStart, frame.length));
        }
        return result;
    }

    private static byte[] concat(final List<byte[]> parts)
    {
        int total = 0;
        for (final byte[] part : parts)
        {
            total += part.length;
        }
        final byte[] result = new byte[total];
        int offset = 0;
        for (final byte[] part : parts)
        {
            System.arraycopy(part, 0, result, offset, part.length);
            offset += part.length;
        }
        return result;
    }

    // ---------------------------------------------------------------- checksum insertion

    @Test
    void shouldInsertLegacyChecksumFromCssToEndAtCso()
    {
        final DeviceHarness h = harness(8);
        final TxTestSupport.Packet p = build(true, false, 0, 0, payload(101, 1), 0, 0, 1, false);
        h.putBytes(bufferGpa(0), p.bytes);
        // UDP checksum over the UDP header and payload, seeded with the pseudo-header sum in the field.
        putLegacy(h, 0, bufferGpa(0), p.bytes.length, RS_EOP | CMD_IC, p.tucso(), p.l4Start, 0);
        ring(h, 1);

        h.pollTx();

        final byte[] sent = h.wire.get(0);
        final long pseudo = TxPacketVerifier.sum16(sent, p.ipStart + 12, 8) + TxTestSupport.PROTO_UDP +
            (sent.length - p.l4Start);
        assertEquals(0xFFFF, TxPacketVerifier.fold(pseudo + TxPacketVerifier.sum16(sent, p.l4Start,
            sent.length - p.l4Start)));
        assertEquals(STA_DD, h.txStatus(0));
    }

    @Test
    void shouldSendUnchangedWhenLegacyChecksumOffsetIsOutOfRange()
    {
        // SDM 3.3.3.1: IC is ignored when CSO >= length - 1.
        final DeviceHarness h = harness(8);
        final byte[] frame = DeviceHarness.broadcastFrame(100, 3);
        h.putBytes(bufferGpa(0), frame);
        putLegacy(h, 0, bufferGpa(0), 100, RS_EOP | CMD_IC, 99, 14, 0);
        ring(h, 1);

        h.pollTx();

        assertArrayEquals(frame, h.wire.get(0));
        assertEquals(0, h.counters.totalDrops());
    }

    @Test
    void shouldInsertTcpAndIpv4ChecksumsWhenTxsmAndIxsm()
    {
        final DeviceHarness h = harness(8);
        final TxTestSupport.Packet p = build(true, true, 8, 12, payload(333, 2), TCP_ACK | TCP_PSH, 77, 5, false);
        putContextFor(h, 0, p, false, 0);
        putDataChain(h, 1, p.bytes, new int[] {30, 100, 0}, 0, POPTS_TXSM | POPTS_IXSM, 0);
        ring(h, 4);

        h.pollTx();

        assertEquals(1, h.wire.size());
        final TxPacketVerifier.Parsed parsed = TxPacketVerifier.verify(h.wire.get(0), false);
        assertEquals(333, parsed.payloadLength);
        assertEquals(0, h.counter(PortCounter.TX_TSO_SEGMENTS));
    }

    @Test
    void shouldInsertUdpChecksumOverIpv6()
    {
        final DeviceHarness h = harness(8);
        final TxTestSupport.Packet p = build(false, false, 0, 0, payload(999, 3), 0, 0, 0, false);
        putContextFor(h, 0, p, false, 0);
        putDataChain(h, 1, p.bytes, new int[] {54, 0}, 0, POPTS_TXSM, 0);
        ring(h, 3);

        h.pollTx();

        TxPacketVerifier.verify(h.wire.get(0), false);
    }

    @Test
    void shouldSendAllOnesWhenUdpChecksumComputesToZero()
    {
        final DeviceHarness h = harness(8);
        final TxTestSupport.Packet p = build(true, false, 0, 0, new byte[16], 0, 0, 9, false);
        // Choose the first payload word so that the ones' complement sum is 0xFFFF, i.e. the checksum is 0.
        final long sum = TxPacketVerifier.sum16(p.bytes, p.l4Start, p.bytes.length - p.l4Start);
        final int word = 0xFFFF - TxPacketVerifier.fold(sum);
        p.bytes[p.l4Start + 8] = (byte)(word >>> 8);
        p.bytes[p.l4Start + 9] = (byte)word;
        assertEquals(0xFFFF, TxPacketVerifier.fold(
            TxPacketVerifier.sum16(p.bytes, p.l4Start, p.bytes.length - p.l4Start)));
        putContextFor(h, 0, p, false, 0);
        putDataChain(h, 1, p.bytes, new int[] {0}, 0, POPTS_TXSM | POPTS_IXSM, 0);
        ring(h, 2);

        h.pollTx();

        final byte[] sent = h.wire.get(0);
        assertEquals(0xFFFF, u16(sent, p.tucso()));
        TxPacketVerifier.verify(sent, false);
    }

    /**
     * Linux sends the same context descriptor before every offloaded packet; each one, the same as the context in
     * force (SDM 3.3.6), leaves every packet checksummed as the first.
     */
    @Test
    void shouldChecksumEveryPacketWhenEachCarriesTheContextInForceAgain()
    {
        final DeviceHarness h = harness(16);
        final TxTestSupport.Packet[] packets = new TxTestSupport.Packet[4];
        int index = 0;
        for (int i = 0; i < packets.length; i++)
        {
            packets[i] = build(true, false, 0, 0, payload(22 + i, 10 + i), 0, 0, 20 + i, false);
            putContextFor(h, index++, packets[i], false, 0);
            h.putBytes(bufferGpa(i), packets[i].bytes);
            putData(h, index++, bufferGpa(i), packets[i].bytes.length, RS_EOP, POPTS_TXSM | POPTS_IXSM, 0);
        }
        ring(h, index);

        h.pollTx();

        assertEquals(packets.length, h.wire.size());
        for (int i = 0; i < packets.length; i++)
        {
            TxPacketVerifier.verify(h.wire.get(i), false);
        }
        assertEquals(0, h.counters.totalDrops());
    }

    /**
     * A context descriptor that differs from the one in force in one field alone (TUCSO) replaces it: the next
     * packet's checksum goes where the new context says, and the old field keeps what the guest wrote.
     */
    @Test
    void shouldUseAContextThatDiffersFromTheOneInForceInOneFieldOnly()
    {
        final DeviceHarness h = harness(8);
        final TxTestSupport.Packet p = build(true, false, 0, 0, payload(30, 6), 0, 0, 3, false);
        final int payloadWord = p.l4Start + 8;
        putContextFor(h, 0, p, false, 0);
        h.putBytes(bufferGpa(0), p.bytes);
        putData(h, 1, bufferGpa(0), p.bytes.length, RS_EOP, POPTS_TXSM | POPTS_IXSM, 0);
        putContext(h, 2, p.ipStart, p.ipStart + 10, p.l4Start - 1, p.l4Start, payloadWord, 0, 0, p.tucmd(false),
            0, 0);
        putData(h, 3, bufferGpa(0), p.bytes.length, RS_EOP, POPTS_TXSM | POPTS_IXSM, 0);
        ring(h, 4);

        h.pollTx();

        assertEquals(2, h.wire.size());
        TxPacketVerifier.verify(h.wire.get(0), false);
        final byte[] second = h.wire.get(1);
        assertEquals(u16(p.bytes, p.tucso()), u16(second, p.tucso()), "the UDP checksum field left as written");
        assertNotEquals(u16(p.bytes, payloadWord), u16(second, payloadWord), "the checksum stored at the new TUCSO");
    }

    /**
     * A MAC reset forgets the contexts; the same context descriptor sent again afterwards is loaded again, so the
     * packet after it is checksummed rather than sent with a forgotten context's offsets.
     */
    @Test
    void shouldLoadTheSameContextAgainAfterAMacReset()
    {
        final DeviceHarness h = harness(8);
        final TxTestSupport.Packet p = build(true, false, 0, 0, payload(40, 7), 0, 0, 4, false);
        putContextFor(h, 0, p, false, 0);
        h.putBytes(bufferGpa(0), p.bytes);
        putData(h, 1, bufferGpa(0), p.bytes.length, RS_EOP, POPTS_TXSM | POPTS_IXSM, 0);
        ring(h, 2);
        h.pollTx();

        h.write(E1000Registers.CTRL, E1000Registers.CTRL_RST);
        h.registers.set(E1000Registers.STATUS, h.registers.get(E1000Registers.STATUS) | E1000Registers.STATUS_LU);
        h.setUpTxRing(8);
        putContextFor(h, 0, p, false, 0);
        putData(h, 1, bufferGpa(0), p.bytes.length, RS_EOP, POPTS_TXSM | POPTS_IXSM, 0);
        ring(h, 2);
        h.pollTx();

        assertEquals(2, h.wire.size());
        assertArrayEquals(h.wire.get(0), h.wire.get(1));
        TxPacketVerifier.verify(h.wire.get(1), false);
        assertEquals(0, h.counters.totalDrops());
    }

    @Test
    void shouldKeepChecksumAndTsoContextsSeparate()
    {
        final DeviceHarness h = harness(16);
        final TxTestSupport.Packet tso = build(true, true, 0, 0, payload(3000, 4), TCP_ACK, 1000, 1, true);
        final TxTestSupport.Packet csum = build(true, false, 0, 0, payload(200, 5), 0, 0, 2, false);
        putContextFor(h, 0, tso, true, 1000);
        putContextFor(h, 1, csum, false, 0);
        h.putBytes(bufferGpa(0), tso.bytes);
        putData(h, 2, bufferGpa(0), tso.bytes.length, RS_EOP | CMD_TSE, POPTS_TXSM | POPTS_IXSM, 0);
        h.putBytes(bufferGpa(1), csum.bytes);
        putData(h, 3, bufferGpa(1), csum.bytes.length, RS_EOP, POPTS_TXSM | POPTS_IXSM, 0);
        ring(h, 4);

        h.pollTx();

        assertEquals(4, h.wire.size());
        for (int i = 0; i < 3; i++)
        {
            assertTrue(TxPacketVerifier.verify(h.wire.get(i), false).tcp);
        }
        assertFalse(TxPacketVerifier.verify(h.wire.get(3), false).tcp);
    }

    // ---------------------------------------------------------------- VLAN insertion

    @Test
    void shouldInsertVlanTagAfterMacAddressesWhenVmeAndVle()
    {
        final DeviceHarness h = harness(8);
        h.registers.set(E1000Registers.CTRL, E1000Registers.CTRL_VME);
        h.registers.set(E1000Registers.VET, 0x8100);
        final byte[] frame = DeviceHarness.broadcastFrame(60, 1);
        h.putBytes(bufferGpa(0), frame);
        putLegacy(h, 0, bufferGpa(0), 60, RS_EOP | CMD_VLE, 0, 0, 0x2123);
        ring(h, 1);

        h.pollTx();

        final byte[] sent = h.wire.get(0);
        assertEquals(64, sent.length);
        assertArrayEquals(Arrays.copyOfRange(frame, 0, 12), Arrays.copyOfRange(sent, 0, 12));
        assertEquals(0x8100, u16(sent, 12));
        assertEquals(0x2123, u16(sent, 14));
        assertArrayEquals(Arrays.copyOfRange(frame, 12, 60), Arrays.copyOfRange(sent, 16, 64));
        assertEquals(64, h.counter(PortCounter.TX_BYTES));
    }

    @Test
    void shouldNotInsertVlanTagWhenVmeClear()
    {
        final DeviceHarness h = harness(8);
        h.registers.set(E1000Registers.CTRL, 0);
        final byte[] frame = DeviceHarness.broadcastFrame(60, 1);
        h.putBytes(bufferGpa(0), frame);
        putLegacy(h, 0, bufferGpa(0), 60, RS_EOP | CMD_VLE, 0, 0, 0x0005);
        ring(h, 1);

        h.pollTx();

        assertArrayEquals(frame, h.wire.get(0));
    }

    @Test
    void shouldTakeVleAndTagFromEopDescriptorWhenNotSegmenting()
    {
        // SDM 3.3.3.1: VLE is valid only when EOP is set; a VLE on an earlier descriptor is ignored.
        final DeviceHarness h = harness(8);
        h.registers.set(E1000Registers.CTRL, E1000Registers.CTRL_VME);
        h.registers.set(E1000Registers.VET, 0x88A8);
        final byte[] frame = DeviceHarness.broadcastFrame(100, 1);
        h.putBytes(bufferGpa(0), frame);
        putLegacy(h, 0, bufferGpa(0), 50, CMD_VLE, 0, 0, 0x0111);
        putLegacy(h, 1, bufferGpa(0) + 50, 50, RS_EOP | CMD_VLE, 0, 0, 0x0222);
        putLegacy(h, 2, bufferGpa(0), 100, RS_EOP, 0, 0, 0x0333);
        ring(h, 3);

        h.pollTx();

        assertEquals(0x88A8, u16(h.wire.get(0), 12));
        assertEquals(0x0222, u16(h.wire.get(0), 14));
        assertArrayEquals(frame, h.wire.get(1));
    }

    @Test
    void shouldInsertVlanTagInEverySegmentFromFirstTseDescriptor()
    {
        final DeviceHarness h = harness(8);
        h.registers.set(E1000Registers.CTRL, E1000Registers.CTRL_VME);
        h.registers.set(E1000Registers.VET, 0x8100);
        final TxTestSupport.Packet p = build(true, true, 0, 0, payload(2500, 6), TCP_ACK, 5, 7, true);
        putContextFor(h, 0, p, true, 1000);
        h.putBytes(bufferGpa(0), p.bytes);
        putData(h, 1, bufferGpa(0), 1000, CMD_TSE | CMD_VLE, POPTS_TXSM | POPTS_IXSM, 0x0042);
        putData(h, 2, bufferGpa(0) + 1000, p.bytes.length - 1000, RS_EOP | CMD_TSE, POPTS_TXSM, 0);
        ring(h, 3);

        h.pollTx();

        assertEquals(3, h.wire.size());
        for (final byte[] segment : h.wire)
        {
            final TxPacketVerifier.Parsed parsed = TxPacketVerifier.verify(segment, true);
            assertEquals(0x8100, parsed.tpid);
            assertEquals(0x0042, parsed.tci);
        }
        assertArrayEquals(Arrays.copyOfRange(p.bytes, p.headerLength, p.bytes.length),
            concat(payloads(h.wire, true)));
    }

    // ---------------------------------------------------------------- TCP segmentation

    @Test
    void shouldSegmentIpv4TcpAndUpdateEveryHeaderField()
    {
        final DeviceHarness h = harness(8);
        final byte[] data = payload(2500, 7);
        final TxTestSupport.Packet p = build(true, true, 0, 12, data, TCP_ACK | TCP_PSH | TCP_FIN, 0xFFFF_FC00, 0xFFFE,
            true);
        putContextFor(h, 0, p, true, 1000);
        putDataChain(h, 1, p.bytes, new int[] {p.headerLength, 700, 0}, CMD_TSE, POPTS_TXSM | POPTS_IXSM, 0);
        ring(h, 4);

        assertEquals(4, h.pollTx());

        assertEquals(3, h.wire.size());
        final int[] expectedPayload = {1000, 1000, 500};
        for (int i = 0; i < 3; i++)
        {
            final TxPacketVerifier.Parsed s = TxPacketVerifier.verify(h.wire.get(i), false);
            assertEquals(expectedPayload[i], s.payloadLength);
            assertEquals((0xFFFE + i) & 0xFFFF, s.ipIdentification, "IPv4 ID wraps");
            assertEquals(0xFFFF_FC00 + i * 1000, s.tcpSequence, "sequence wraps");
            final int expectedFlags = 2 == i ? TCP_ACK | TCP_PSH | TCP_FIN : TCP_ACK;
            assertEquals(expectedFlags, s.tcpFlags);
        }
        assertArrayEquals(data, concat(payloads(h.wire, false)));
        assertEquals(3, h.counter(PortCounter.TX_TSO_SEGMENTS));
        assertEquals(3, h.counter(PortCounter.TX_FRAMES));
        assertEquals(1, h.registers.get(E1000Registers.TSCTC));
        assertEquals(0, h.registers.get(E1000Registers.TSCTFC));
        assertEquals(3, h.registers.get(E1000Registers.GPTC));
        assertEquals(STA_DD, h.txStatus(3));
    }

    @Test
    void shouldSegmentIpv6TcpWithPayloadLengthExcludingFixedHeader()
    {
        final DeviceHarness h = harness(8);
        final byte[] data = payload(4000, 8);
        final TxTestSupport.Packet p = build(false, true, 0, 0, data, TCP_ACK, 12345, 0, true);
        putContextFor(h, 0, p, true, 1440);
        putDataChain(h, 1, p.bytes, new int[] {0}, CMD_TSE, POPTS_TXSM, 0);
        ring(h, 2);

        h.pollTx();

        assertEquals(3, h.wire.size());
        final byte[] first = h.wire.get(0);
        assertEquals(20 + 1440, u16(first, 14 + 4));
        assertArrayEquals(data, concat(payloads(h.wire, false)));
    }

    @Test
    void shouldSegmentUdpWithItsOwnLengthAndChecksumPerSegment()
    {
        final DeviceHarness h = harness(8);
        final byte[] data = payload(3001, 9);
        final TxTestSupport.Packet p = build(true, false, 0, 0, data, 0, 0, 100, true);
        putContextFor(h, 0, p, true, 1472);
        putDataChain(h, 1, p.bytes, new int[] {0}, CMD_TSE, POPTS_TXSM | POPTS_IXSM, 0);
        ring(h, 2);

        h.pollTx();

        assertEquals(3, h.wire.size());
        assertEquals(8 + 57, u16(h.wire.get(2), 14 + 20 + 4));
        assertEquals(102, TxPacketVerifier.verify(h.wire.get(2), false).ipIdentification);
        assertArrayEquals(data, concat(payloads(h.wire, false)));
    }

    @Test
    void shouldSendOneHeaderOnlySegmentWhenTsoPacketHasNoPayload()
    {
        final DeviceHarness h = harness(8);
        final TxTestSupport.Packet p = build(true, true, 0, 0, new byte[0], TCP_ACK | TCP_FIN, 9, 9, true);
        putContextFor(h, 0, p, true, 1000);
        putDataChain(h, 1, p.bytes, new int[] {0}, CMD_TSE, POPTS_TXSM | POPTS_IXSM, 0);
        ring(h, 2);

        h.pollTx();

        assertEquals(1, h.wire.size());
        final TxPacketVerifier.Parsed s = TxPacketVerifier.verify(h.wire.get(0), false);
        assertEquals(0, s.payloadLength);
        assertEquals(TCP_ACK | TCP_FIN, s.tcpFlags);
    }

    @Test
    void shouldCountTsctfcWhenPayloadDoesNotMatchPaylen()
    {
        final DeviceHarness h = harness(8);
        final TxTestSupport.Packet p = build(true, true, 0, 0, payload(1500, 1), TCP_ACK, 0, 0, true);
        putContext(h, 0, p.ipStart, p.ipStart + 10, p.l4Start - 1, p.l4Start, p.tucso(), 0,
            999, p.tucmd(true), p.headerLength, 1000);
        putDataChain(h, 1, p.bytes, new int[] {0}, CMD_TSE, POPTS_TXSM | POPTS_IXSM, 0);
        ring(h, 2);

        h.pollTx();

        assertEquals(2, h.wire.size());
        assertEquals(1, h.registers.get(E1000Registers.TSCTFC));
        assertEquals(1, h.registers.get(E1000Registers.TSCTC));
    }

    @Test
    void shouldReuseTsoContextForConsecutivePackets()
    {
        final DeviceHarness h = harness(8);
        final TxTestSupport.Packet p = build(true, true, 0, 0, payload(2000, 2), TCP_ACK, 0, 0, true);
        putContextFor(h, 0, p, true, 1000);
        h.putBytes(bufferGpa(0), p.bytes);
        putData(h, 1, bufferGpa(0), p.bytes.length, RS_EOP | CMD_TSE, POPTS_TXSM | POPTS_IXSM, 0);
        putData(h, 2, bufferGpa(0), p.bytes.length, RS_EOP | CMD_TSE, POPTS_TXSM | POPTS_IXSM, 0);
        ring(h, 3);

        h.pollTx();

        assertEquals(4, h.wire.size());
        assertEquals(2, h.registers.get(E1000Registers.TSCTC));
        for (final byte[] segment : h.wire)
        {
            TxPacketVerifier.verify(segment, false);
        }
    }

    // ---------------------------------------------------------------- offload-capable sinks

    /** A sink that takes offload frames whole, like a TAP with IFF_VNET_HDR. */
    private static class OffloadSink implements FrameSink
    {
        final List<byte[]> frames = new ArrayList<>();
        final List<int[]> infos = new ArrayList<>();

        public int onFrame(
            final DirectBuffer frame, final int offset, final int lengthBytes, final FrameMetadata offload,
            final long nowNs)
        {
            final byte[] copy = new byte[lengthBytes];
            frame.getBytes(offset, copy);
            frames.add(copy);
            infos.add(offload.isComplete() ? null : new int[] {offload.gsoType, offload.gsoSizeBytes,
                offload.headerLengthBytes, offload.needsChecksum ? 1 : 0, offload.checksumStartBytes,
                offload.checksumOffsetBytes, offload.vlanTci});
            return DELIVERED;
        }

        public boolean acceptsOffload()
        {
            return true;
        }
    }

    /** A sink whose answer to the offload question the test sets, counting the questions and what it got. */
    private static final class SwitchableOffloadSink implements FrameSink
    {
        boolean accepts;
        int questions;
        int offloadFrames;
        int completeFrames;

        public int onFrame(
            final DirectBuffer frame, final int offset, final int lengthBytes, final FrameMetadata offload,
            final long nowNs)
        {
            if (offload.isComplete())
            {
                completeFrames++;
            }
            else
            {
                offloadFrames++;
            }
            return DELIVERED;
        }

        public boolean acceptsOffload()
        {
            questions++;
            return accepts;
        }
    }

    private static int putChecksumPackets(final DeviceHarness h, final int first, final TxTestSupport.Packet p)
    {
        int index = first;
        for (int i = 0; i < 3; i++)
        {
            putContextFor(h, index, p, false, 0);
            index = putDataChain(h, index + 1, p.bytes, new int[] {0}, 0, POPTS_TXSM | POPTS_IXSM, 0);
        }
        return index;
    }

    /**
     * The device asks its sink whether it takes offload frames once per TX pass, not per packet (issue 11 §0: the
     * question went down the device, the port and the backend for every frame), and a sink whose answer changed
     * between passes gets the new treatment from the next pass on: whole frames with the checksum left to do, then
     * frames whose checksums the device inserted.
     */
    @Test
    void shouldAskTheSinkOncePerPassWhetherItTakesOffloadAndHonourANewAnswerFromTheNextPass()
    {
        final SwitchableOffloadSink sink = new SwitchableOffloadSink();
        sink.accepts = true;
        final DeviceHarness h = harness(16, sink);
        final TxTestSupport.Packet p = build(true, false, 0, 0, payload(300, 3), 0, 0, 1, false);
        final int firstPassEnd = putChecksumPackets(h, 0, p);
        ring(h, firstPassEnd);

        h.pollTx();

        assertEquals(1, sink.questions, "one question for the pass's three packets");
        assertEquals(3, sink.offloadFrames);
        sink.accepts = false;
        ring(h, putChecksumPackets(h, firstPassEnd, p));

        h.pollTx();

        assertEquals(2, sink.questions);
        assertEquals(3, sink.completeFrames, "checksums inserted by the device from the pass after the change");
        assertEquals(3, sink.offloadFrames);
        assertEquals(6, h.counter(PortCounter.TX_FRAMES));
    }

    /**
     * With page 0 shared the guest sets RCTL.LBM with a plain store, from another vCPU, whenever it likes, here in the
     * middle of a TX pass (the sink stores it while taking the pass's first frame): the device then asks whether its
     * port takes offload frames for every frame, so the frames after the store loop back with the checksums the device
     * inserted, never with offload work left (SDM 13.4.22: the MAC loops back what it would have sent).
     */
    @Test
    void shouldInsertTheChecksumsOfFramesLoopedBackAfterAStoreOfRctlIntoASharedPageMidPass()
    {
        final int rctl = E1000Registers.RCTL_EN | E1000Registers.RCTL_BAM | E1000Registers.RCTL_UPE;
        final DeviceHarness[] device = new DeviceHarness[1];
        final OffloadSink sink = new OffloadSink()
        {
            public int onFrame(
                final DirectBuffer frame, final int offset, final int lengthBytes, final FrameMetadata offload,
                final long nowNs)
            {
                device[0].writeShared(E1000Registers.RCTL, rctl | RCTL_MAC_LOOPBACK);
                return super.onFrame(frame, offset, lengthBytes, offload, nowNs);
            }
        };
        final DeviceHarness h = new DeviceHarness(false, DeviceHarness.MAC, sink, true,
            PortRegionDescriptor.DEFAULT_SHARED_PAGES | 1);
        device[0] = h;
        h.registers.set(E1000Registers.STATUS, h.registers.get(E1000Registers.STATUS) | E1000Registers.STATUS_LU);
        h.setUpRxRing(8);
        h.writeShared(E1000Registers.RCTL, rctl);
        h.writeShared(E1000Registers.RDT, 7);
        h.setUpTxRing(16);
        final TxTestSupport.Packet p = build(true, false, 0, 0, payload(300, 3), 0, 0, 1, false);
        ring(h, putChecksumPackets(h, 0, p));

        h.pollTx();

        assertEquals(1, sink.frames.size(), "the first frame, before the store");
        assertNotEquals(null, sink.infos.get(0), "it went to the port with its offload work left, as asked");
        assertEquals(2, h.counter(PortCounter.RX_FRAMES), "the two after it, looped back");
        for (int i = 0; i < 2; i++)
        {
            final byte[] looped = h.getBytes(h.rxBufferGpa(i), h.rxLength(i) - 4);
            TxPacketVerifier.verify(looped, false);
        }
    }

    @Test
    void shouldHandTsoPacketWholeToOffloadSink()
    {
        final OffloadSink sink = new OffloadSink();
        final DeviceHarness h = harness(8, sink);
        h.registers.set(E1000Registers.CTRL, E1000Registers.CTRL_VME);
        h.registers.set(E1000Registers.VET, 0x8100);
        final TxTestSupport.Packet p = build(true, true, 0, 0, payload(5000, 3), TCP_ACK, 1, 1, true);
        putContextFor(h, 0, p, true, 1448);
        h.putBytes(bufferGpa(0), p.bytes);
        putData(h, 1, bufferGpa(0), p.bytes.length, RS_EOP | CMD_TSE | CMD_VLE, POPTS_TXSM | POPTS_IXSM, 7);
        ring(h, 2);

        h.pollTx();

        assertEquals(1, sink.frames.size());
        final byte[] whole = sink.frames.get(0);
        assertEquals(p.bytes.length + 4, whole.length);
        final int[] info = sink.infos.get(0);
        assertEquals(FrameMetadata.GSO_TCPV4, info[0]);
        assertEquals(1448, info[1]);
        assertEquals(p.headerLength + 4, info[2]);
        assertEquals(1, info[3]);
        assertEquals(p.l4Start + 4, info[4]);
        assertEquals(16, info[5]);
        assertEquals(7, info[6], "the inserted tag's TCI travels in the metadata");
        // IP total length now describes the whole packet; the field holds the pseudo-header sum with the length.
        assertEquals(p.bytes.length - 14, u16(whole, 18 + 2));
        final int l4Length = p.bytes.length - p.l4Start;
        assertEquals(TxTestSupport.pseudoHeaderSum(p.bytes, true, TxTestSupport.PROTO_TCP, l4Length),
            u16(whole, p.tucso() + 4));
        assertEquals(0xFFFF, TxPacketVerifier.fold(TxPacketVerifier.sum16(whole, 18, 20)));
        assertEquals(1, h.counter(PortCounter.TX_FRAMES));
        assertEquals(0, h.counter(PortCounter.TX_TSO_SEGMENTS));
        assertEquals(4, h.registers.get(E1000Registers.GPTC));
        assertEquals(1, h.registers.get(E1000Registers.TSCTC));
    }

    @Test
    void shouldHandChecksumPacketToOffloadSinkWithChecksumOffsets()
    {
        final OffloadSink sink = new OffloadSink();
        final DeviceHarness h = harness(8, sink);
        final TxTestSupport.Packet p = build(true, false, 0, 0, payload(300, 3), 0, 0, 1, false);
        putContextFor(h, 0, p, false, 0);
        putDataChain(h, 1, p.bytes, new int[] {0}, 0, POPTS_TXSM | POPTS_IXSM, 0);
        ring(h, 2);

        h.pollTx();

        final int[] info = sink.infos.get(0);
        assertEquals(FrameMetadata.GSO_NONE, info[0]);
        assertEquals(1, info[3]);
        assertEquals(p.l4Start, info[4]);
        assertEquals(6, info[5]);
        assertEquals(FrameMetadata.NO_VLAN_TAG, info[6], "no tag inserted");
        final byte[] whole = sink.frames.get(0);
        assertEquals(0xFFFF, TxPacketVerifier.fold(TxPacketVerifier.sum16(whole, 14, 20)));
        assertEquals(1, h.registers.get(E1000Registers.GPTC));
    }

    @Test
    void shouldSegmentUdpTsoInSoftwareEvenForOffloadSink()
    {
        final OffloadSink sink = new OffloadSink();
        final DeviceHarness h = harness(8, sink);
        final TxTestSupport.Packet p = build(true, false, 0, 0, payload(3000, 3), 0, 0, 1, true);
        putContextFor(h, 0, p, true, 1000);
        putDataChain(h, 1, p.bytes, new int[] {0}, CMD_TSE, POPTS_TXSM | POPTS_IXSM, 0);
        ring(h, 2);

        h.pollTx();

        assertEquals(3, sink.frames.size());
        for (int i = 0; i < 3; i++)
        {
            assertEquals(null, sink.infos.get(i));
            TxPacketVerifier.verify(sink.frames.get(i), false);
        }
    }

    @Test
    void shouldSegmentTcpTsoInDeviceForOffloadSinkWhenMssBelowLinuxFloor()
    {
        final OffloadSink sink = new OffloadSink();
        final DeviceHarness h = harness(8, sink);
        final TxTestSupport.Packet p = build(true, true, 0, 0, payload(400, 3), TCP_ACK, 1, 1, true);
        putContextFor(h, 0, p, true, TsoSegmenter.MIN_OFFLOAD_MSS_BYTES - 1);
        putDataChain(h, 1, p.bytes, new int[] {0}, CMD_TSE, POPTS_TXSM | POPTS_IXSM, 0);
        ring(h, 2);

        h.pollTx();

        final int segments = (400 + TsoSegmenter.MIN_OFFLOAD_MSS_BYTES - 2) / (TsoSegmenter.MIN_OFFLOAD_MSS_BYTES - 1);
        assertEquals(segments, sink.frames.size(), "cut here, within the port's budget, not in the host kernel");
        for (int i = 0; i < segments; i++)
        {
            assertEquals(null, sink.infos.get(i));
            TxPacketVerifier.verify(sink.frames.get(i), false);
        }
    }
}
