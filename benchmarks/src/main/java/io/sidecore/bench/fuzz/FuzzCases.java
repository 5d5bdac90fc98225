package io.sidecore.bench.fuzz;

import io.sidecore.engine.proxy.TrappedAccess;
import io.sidecore.shm.E1000Registers;
import io.sidecore.shm.E1000TxDescriptor;
import io.sidecore.shm.PortCounter;
import io.sidecore.shm.PortFault;
import io.sidecore.tools.guest.Descriptors;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;
import java.util.SplittableRandom;

/**
 * The fuzzer's inputs. {@link #apply(NamedCase)} runs one named adversarial case against the hostile ports and
 * returns its oracle: what the device must have done, checked once the rig let the sidecores settle (a drop counted
 * once under its one named counter and no other, a fault with its name, a frame sent). {@link #random} writes random
 * registers (trapped and shared), descriptors and wire frames, biased towards the values that matter (0, all ones,
 * region boundaries, ring sizes), with no oracle but the rig's invariants.
 */
final class FuzzCases
{
    /** The oracle of a case: null when the device did what it must, else what it did instead. */
    @FunctionalInterface
    interface Check
    {
        String verify();
    }

    private static final Check NO_CHECK = () -> null;
    private static final int ETHERNET_BYTES = 14;
    private static final int HEADERS_BYTES = 54;
    private static final int HOSTILE_ETHER_TYPE = 0x88B6;
    private static final int TX_DESCRIPTOR_CMD = E1000TxDescriptor.CMD_EOP | E1000TxDescriptor.CMD_RS;
    private static final int[] TRAPPED_REGISTERS = {
        E1000Registers.CTRL, E1000Registers.STATUS, E1000Registers.EECD, E1000Registers.EERD, E1000Registers.MDIC,
        E1000Registers.ICR, E1000Registers.ITR, E1000Registers.ICS, E1000Registers.IMS, E1000Registers.IMC,
        E1000Registers.RCTL, E1000Registers.TCTL, E1000Registers.VET, E1000Registers.RXCSUM, E1000Registers.VFTA,
        E1000Registers.VFTA + 4, 0x5200, 0x5400, 0x5404, 0x4000, 0x1F000, 0x0004, 0x3828, 0x2820, 0x282C, 0x3820,
        0x382C };
    private static final int[] SHARED_REGISTERS = {
        E1000Registers.TDBAL, E1000Registers.TDBAH, E1000Registers.TDLEN, E1000Registers.TDH, E1000Registers.TDT,
        E1000Registers.RDBAL, E1000Registers.RDBAH, E1000Registers.RDLEN, E1000Registers.RDH, E1000Registers.RDT,
        E1000Registers.CSBAL, E1000Registers.CSBAH };

    private final FuzzRig rig;
    private final SplittableRandom random;

    FuzzCases(final FuzzRig rig, final SplittableRandom random)
    {
        this.rig = rig;
        this.random = random;
    }

    /**
     * Run one named case against a clean port.
     *
     * @param named the case.
     * @return its oracle.
     */
    Check apply(final NamedCase named)
    {
        final HostilePort hp = rig.switchPort();
        final HostilePort hx = rig.wirePort();
        return switch (named)
        {
            case TX_VALID -> txExpect(hp, txFrame(hp, rig.sinkMac(), 60 + random.nextInt(1455)), PortCounter.TX_FRAMES);
            case TX_BUFFER_OUTSIDE -> txDrop(hp, 0x5000_0000L, 64, PortCounter.TX_DROP_DMA_FAULT);
            case TX_BUFFER_STRADDLES_END -> txDrop(hp, HostilePort.RAM_B_GPA + HostilePort.RAM_B_BYTES - 32,
                64 + random.nextInt(4096), PortCounter.TX_DROP_DMA_FAULT);
            case TX_BUFFER_SPANS_REGIONS -> txDrop(hp, HostilePort.RAM_B_GPA - 32, 64 + random.nextInt(1024),
                PortCounter.TX_DROP_DMA_FAULT);
            case TX_BUFFER_WRAPS -> txDrop(hp, -64L, 0x100, PortCounter.TX_DROP_DMA_FAULT);
            case TX_BUFFER_DOORBELL_PAGE -> txDrop(hp, HostilePort.BAR0_GPA + E1000Registers.TDT, 64,
                PortCounter.TX_DROP_DMA_FAULT);
            case TX_BUFFER_IN_ROM -> txExpect(hp, legacy(hp, 0, HostilePort.ROM_GPA, 128, TX_DESCRIPTOR_CMD),
                PortCounter.TX_FRAMES);
            case TX_LENGTH_ZERO_EOP -> txDrop(hp, HostilePort.txBufferGpa(0), 0, PortCounter.TX_DROP_EMPTY);
            case TX_LEGACY_0XFFFF_CHAIN -> legacyChain(hp);
            case TX_DATA_CHAIN_OVER_64K -> dataChain(hp);
            case TX_RUNT -> txDrop(hp, HostilePort.txBufferGpa(0), 1 + random.nextInt(13), PortCounter.TX_DROP_RUNT);
            case TX_CONTEXT_MID_PACKET -> contextMidPacket(hp);
            case TX_MIXED_KINDS -> mixedKinds(hp);
            case TX_TSE_WITHOUT_CONTEXT -> tseWithoutContext(hp);
            case TX_TSO_HDRLEN_MSS_ZERO -> tso(hp, 0, 0, 100, PortCounter.TX_DROP_MALFORMED);
            case TX_TSO_MSS_ZERO -> tso(hp, HEADERS_BYTES, 0, 1000, PortCounter.TX_DROP_MALFORMED);
            case TX_TSO_HEADER_BEYOND_PACKET -> tso(hp, 200, 100, -HEADERS_BYTES + 100, PortCounter.TX_DROP_MALFORMED);
            case TX_TSO_AFTER_LEGACY -> tsoAfterLegacy(hp);
            case TX_TSO_TINY_MSS -> tsoTinyMss(hp);
            case TX_RESERVED_DTYP -> reservedDtyp(hp);
            case TX_CHECKSUM_OFFSET_BEYOND -> checksumBeyond(hp);
            case TX_TO_SELF -> txDropFrame(hp, hp.mac, PortCounter.TX_DROP_NO_DESTINATION);
            case TX_SPOOFED_SOURCE -> spoofed(hp);
            case TX_MAC_FLOOD -> macFlood(hp);
            case TX_CROSS_SHARD_BURST -> crossShardBurst(hp);
            case TX_TSO_FLOOD_CROSS_SHARD -> tsoFloodCrossShard(hp);
            case TX_LOOPBACK_DMA_INTO_TDT -> phyLoopback(hp, hx, HostilePort.BAR0_GPA + E1000Registers.TDT);
            case TX_LOOPBACK_DMA_INTO_REGISTERS -> phyLoopback(hp, hx, HostilePort.BAR0_GPA + E1000Registers.RCTL);
            case WIRE_REFUSES -> wireRefuses(hx);
            case LOOPBACK_OVERSIZE -> loopbackOversize(rig.loopbackPort());
            case RX_VALID -> rxFrame(hx, hx.mac, 60 + random.nextInt(1455), PortCounter.RX_FRAMES);
            case RX_JUMBO_LPE_OFF -> rxFrame(hx, hx.mac, 1519 + random.nextInt(60000), PortCounter.RX_DROP_OVERSIZE);
            case RX_RUNT -> rxFrame(hx, hx.mac, random.nextInt(14), PortCounter.RX_DROP_RUNT);
            case RX_UNICAST_OTHER -> rxFrame(hx, rig.sinkMac(), 60, PortCounter.RX_DROP_FILTERED);
            case RX_VLAN_FILTERED -> vlanFiltered(hx);
            case RX_DISABLED -> rxDisabled(hx);
            case RX_RING_FULL -> rxRingFull(hx);
            case RX_NULL_BUFFERS -> nullBuffers(hx);
            case RX_BUFFER_OUTSIDE -> rxBuffer(hx, 0x6000_0000L);
            case RX_BUFFER_STRADDLES_END -> rxBuffer(hx, HostilePort.RAM_B_GPA + HostilePort.RAM_B_BYTES - 100);
            case RX_BUFFER_IN_ROM -> rxBuffer(hx, HostilePort.ROM_GPA);
            case RX_BUFFER_DOORBELL_PAGE -> rxBuffer(hx, HostilePort.BAR0_GPA + E1000Registers.RDT);
            case RX_BSIZE_256 -> smallBuffers(hx);
            case RX_BSEX_PAST_END -> bigBufferPastEnd(hx);
            case TX_TAIL_BEYOND_RING -> txFault(hp, E1000Registers.TDLEN, 128, E1000Registers.TDT,
                8 + random.nextInt(0xFFF0), PortFault.TX_TAIL_BEYOND_RING);
            case TX_HEAD_BEYOND_RING -> txHeadBeyond(hp);
            case TX_RING_LENGTH_ZERO -> txFault(hp, E1000Registers.TDLEN, 0, E1000Registers.TDT, 5,
                PortFault.TX_RING_LENGTH_ZERO);
            case TX_RING_LENGTH_NOT_MULTIPLE -> txFault(hp, E1000Registers.TDLEN, 1 + random.nextInt(127),
                E1000Registers.TDT, 1, PortFault.TX_RING_LENGTH_ZERO);
            case TX_RING_OUTSIDE -> txFault(hp, E1000Registers.TDBAL, 0x7000_0000, E1000Registers.TDT, 1,
                PortFault.TX_RING_OUTSIDE_MEMORY);
            case TX_RING_STRADDLES_END -> txFault(hp, E1000Registers.TDBAL,
                (int)(HostilePort.RAM_B_GPA + HostilePort.RAM_B_BYTES - 2048), E1000Registers.TDT, 1,
                PortFault.TX_RING_OUTSIDE_MEMORY);
            case RX_TAIL_BEYOND_RING -> rxFault(hx, E1000Registers.RDT, HostilePort.RING_DESCRIPTORS +
                random.nextInt(0xFF00), PortFault.RX_TAIL_BEYOND_RING);
            case RX_HEAD_BEYOND_RING -> rxHeadBeyond(hx);
            case RX_RING_LENGTH_ZERO -> rxRingLengthZero(hx);
            case RX_RING_OUTSIDE -> rxFault(hx, E1000Registers.RDBAL, 0x7100_0000, PortFault.RX_RING_OUTSIDE_MEMORY);
            case RX_RING_IN_ROM -> rxFault(hx, E1000Registers.RDBAL, (int)HostilePort.ROM_GPA,
                PortFault.RX_RING_OUTSIDE_MEMORY);
            case CSB_OUTSIDE -> csb(hp, 0x7200_0000L);
            case CSB_STRADDLES_END -> csb(hp, HostilePort.RAM_B_GPA + HostilePort.RAM_B_BYTES - 64);
            case ICS_STORM -> icsStorm(hp);
            case RESET_STORM -> resetStorm(hp);
            case BAD_REGISTER_ACCESS -> badAccess(hp);
            case MDIC_BAD_PHY -> mdicBadPhy(hp);
        };
    }

    /**
     * The check after a recovery: the port passes a valid frame (transmitted, or for the wire port received).
     *
     * @param port a port just reset and set up again.
     * @return its oracle.
     */
    Check validFrame(final HostilePort port)
    {
        if (port == rig.wirePort())
        {
            return rxFrame(port, port.mac, 60 + random.nextInt(1455), PortCounter.RX_FRAMES);
        }
        final byte[] destination = port == rig.loopbackPort() ? port.mac : rig.sinkMac();
        return txExpect(port, txFrame(port, destination, 60 + random.nextInt(1455)), PortCounter.TX_FRAMES);
    }

    // ---- TX ----

    /** A legacy descriptor at the tail; returns the number of descriptors written (1). */
    private static int legacy(final HostilePort port, final int at, final long gpa, final int length, final int cmd)
    {
        Descriptors.putLegacyTx(port.ram, HostilePort.txDescriptorOffset(port.txTail() + at), gpa, length, cmd);
        return 1;
    }

    private int txFrame(final HostilePort port, final byte[] destination, final int length)
    {
        port.putFrame(0, destination, port.mac, HOSTILE_ETHER_TYPE, length);
        return legacy(port, 0, HostilePort.txBufferGpa(0), length, TX_DESCRIPTOR_CMD);
    }

    private Check txExpect(final HostilePort port, final int descriptors, final PortCounter counter)
    {
        final CounterDelta delta = new CounterDelta(port.counters());
        port.publishTx(descriptors);
        return () -> 1 == delta.delta(counter) && 0 == delta.otherDrops(null) ? null :
            counter.counterName() + "+" + delta.delta(counter) + ", " + delta.describeDrops();
    }

    private Check txDrop(final HostilePort port, final long gpa, final int length, final PortCounter drop)
    {
        final int written = legacy(port, 0, gpa, length, TX_DESCRIPTOR_CMD);
        return expectDrop(port, written, drop, 1);
    }

    private Check txDropFrame(final HostilePort port, final byte[] destination, final PortCounter drop)
    {
        return expectDrop(port, txFrame(port, destination, 60 + random.nextInt(200)), drop, 1);
    }

    private Check expectDrop(final HostilePort port, final int descriptors, final PortCounter drop, final long count)
    {
        final CounterDelta delta = new CounterDelta(port.counters());
        if (descriptors > 0)
        {
            port.publishTx(descriptors);
        }
        return () -> count == delta.delta(drop) && 0 == delta.otherDrops(drop) ? null :
            "expected " + drop.counterName() + "+" + count + ", got " + delta.describeDrops();
    }

    private Check legacyChain(final HostilePort port)
    {
        for (int i = 0; i < 5; i++)
        {
            legacy(port, i, HostilePort.txBufferGpa(i), 0xFFFF, 0);
        }
        legacy(port, 5, HostilePort.txBufferGpa(5), 100, TX_DESCRIPTOR_CMD);
        return expectDrop(port, 6, PortCounter.TX_DROP_OVERSIZE, 1);
    }

    private Check dataChain(final HostilePort port)
    {
        final int descriptors = 17 + random.nextInt(8);
        for (int i = 0; i < descriptors; i++)
        {
            Descriptors.putDataTx(port.ram, HostilePort.txDescriptorOffset(port.txTail() + i),
                HostilePort.txBufferGpa(i), 4096, i == descriptors - 1 ? TX_DESCRIPTOR_CMD : 0, 0, 0);
        }
        return expectDrop(port, descriptors, PortCounter.TX_DROP_OVERSIZE, 1);
    }

    private Check contextMidPacket(final HostilePort port)
    {
        port.putFrame(0, rig.sinkMac(), port.mac, HOSTILE_ETHER_TYPE, 200);
        Descriptors.putDataTx(port.ram, HostilePort.txDescriptorOffset(port.txTail()), HostilePort.txBufferGpa(0),
            100, 0, 0, 0);
        putContext(port, 1, 0, 0, 0);
        Descriptors.putDataTx(port.ram, HostilePort.txDescriptorOffset(port.txTail() + 2),
            HostilePort.txBufferGpa(0) + 100, 100, TX_DESCRIPTOR_CMD, 0, 0);
        return expectDrop(port, 3, PortCounter.TX_DROP_BAD_SEQUENCE, 1);
    }

    private Check mixedKinds(final HostilePort port)
    {
        port.putFrame(0, rig.sinkMac(), port.mac, HOSTILE_ETHER_TYPE, 200);
        legacy(port, 0, HostilePort.txBufferGpa(0), 100, 0);
        Descriptors.putDataTx(port.ram, HostilePort.txDescriptorOffset(port.txTail() + 1),
            HostilePort.txBufferGpa(0) + 100, 100, TX_DESCRIPTOR_CMD, 0, 0);
        return expectDrop(port, 2, PortCounter.TX_DROP_BAD_SEQUENCE, 1);
    }

    private Check tseWithoutContext(final HostilePort port)
    {
        port.clean();
        putTcpHeaders(port, 0, 200);
        Descriptors.putDataTx(port.ram, HostilePort.txDescriptorOffset(port.txTail()), HostilePort.txBufferGpa(0),
            HEADERS_BYTES + 200, TX_DESCRIPTOR_CMD | E1000TxDescriptor.CMD_TSE, 0, 0);
        return expectDrop(port, 1, PortCounter.TX_DROP_NO_CONTEXT, 1);
    }

    private void putContext(final HostilePort port, final int at, final int headerBytes, final int mss,
        final int payloadBytes)
    {
        Descriptors.putContextTx(port.ram, HostilePort.txDescriptorOffset(port.txTail() + at),
            ETHERNET_BYTES, ETHERNET_BYTES + 10, ETHERNET_BYTES + 19, ETHERNET_BYTES + 20, ETHERNET_BYTES + 36, 0,
            payloadBytes, E1000TxDescriptor.TUCMD_TCP | E1000TxDescriptor.TUCMD_IP | E1000TxDescriptor.TUCMD_TSE,
            headerBytes, mss);
    }

    /** Ethernet, IPv4 and TCP headers for a TSO packet of {@code payloadBytes} in TX buffer slot {@code slot}. */
    private void putTcpHeaders(final HostilePort port, final int slot, final int payloadBytes)
    {
        putTcpHeaders(port, slot, payloadBytes, rig.sinkMac());
    }

    private void putTcpHeaders(final HostilePort port, final int slot, final int payloadBytes,
        final byte[] destination)
    {
        port.putFrame(slot, destination, port.mac, 0x0800, HEADERS_BYTES + Math.max(0, payloadBytes));
        final UnsafeBuffer ram = port.ram;
        final int ip = (int)(HostilePort.txBufferGpa(slot) - HostilePort.RAM_A_GPA) + ETHERNET_BYTES;
        ram.putByte(ip, (byte)0x45);
        ram.putByte(ip + 1, (byte)0);
        ram.putShort(ip + 2, (short)(40 + Math.max(0, payloadBytes)), ByteOrder.BIG_ENDIAN);
        ram.putInt(ip + 4, 0, ByteOrder.BIG_ENDIAN);
        ram.putByte(ip + 8, (byte)64);
        ram.putByte(ip + 9, (byte)6);
        ram.putShort(ip + 10, (short)0, ByteOrder.BIG_ENDIAN);
        ram.putInt(ip + 12, 0x0A00_0001, ByteOrder.BIG_ENDIAN);
        ram.putInt(ip + 16, 0x0A00_0002, ByteOrder.BIG_ENDIAN);
        final int tcp = ip + 20;
        ram.putShort(tcp, (short)1000, ByteOrder.BIG_ENDIAN);
        ram.putShort(tcp + 2, (short)2000, ByteOrder.BIG_ENDIAN);
        ram.putInt(tcp + 4, 1, ByteOrder.BIG_ENDIAN);
        ram.putInt(tcp + 8, 0, ByteOrder.BIG_ENDIAN);
        ram.putByte(tcp + 12, (byte)0x50);
        ram.putByte(tcp + 13, (byte)0x18);
        ram.putShort(tcp + 14, (short)0xFFFF, ByteOrder.BIG_ENDIAN);
        ram.putInt(tcp + 16, 0, ByteOrder.BIG_ENDIAN);
    }

    private Check tso(final HostilePort port, final int headerBytes, final int mss, final int payloadBytes,
        final PortCounter drop)
    {
        putTcpHeaders(port, 0, Math.max(0, payloadBytes));
        putContext(port, 0, headerBytes, mss, Math.max(0, payloadBytes));
        Descriptors.putDataTx(port.ram, HostilePort.txDescriptorOffset(port.txTail() + 1), HostilePort.txBufferGpa(0),
            HEADERS_BYTES + payloadBytes, TX_DESCRIPTOR_CMD | E1000TxDescriptor.CMD_TSE,
            E1000TxDescriptor.POPTS_TXSM, 0);
        return expectDrop(port, 2, drop, 1);
    }

    private Check tsoAfterLegacy(final HostilePort port)
    {
        putTcpHeaders(port, 0, 2000);
        putContext(port, 0, HEADERS_BYTES, 100, 1100);
        legacy(port, 1, HostilePort.txBufferGpa(0), 1000, 0);
        Descriptors.putDataTx(port.ram, HostilePort.txDescriptorOffset(port.txTail() + 2),
            HostilePort.txBufferGpa(0) + 1000, 100, TX_DESCRIPTOR_CMD | E1000TxDescriptor.CMD_TSE, 0, 0);
        return expectDrop(port, 3, PortCounter.TX_DROP_BAD_SEQUENCE, 1);
    }

    /**
     * A TSO packet with an MSS of 1 to 64 bytes sent to the port's own address: every segment is switched and
     * dropped as having no destination, so each one is accounted for (issue 10 §0 hole 2 is its cost per pass).
     */
    private Check tsoTinyMss(final HostilePort port)
    {
        final int mss = 1 + random.nextInt(64);
        final int payload = 200 + random.nextInt(1800);
        putTcpHeaders(port, 0, payload, port.mac);
        putContext(port, 0, HEADERS_BYTES, mss, payload);
        Descriptors.putDataTx(port.ram, HostilePort.txDescriptorOffset(port.txTail() + 1), HostilePort.txBufferGpa(0),
            HEADERS_BYTES + payload, TX_DESCRIPTOR_CMD | E1000TxDescriptor.CMD_TSE,
            E1000TxDescriptor.POPTS_TXSM | E1000TxDescriptor.POPTS_IXSM, 0);
        final CounterDelta delta = new CounterDelta(port.counters());
        port.publishTx(2);
        final long segments = (payload + mss - 1) / mss;
        return () ->
        {
            final long sent = delta.delta(PortCounter.TX_FRAMES);
            final long dropped = delta.delta(PortCounter.TX_DROP_NO_DESTINATION);
            if (sent == segments && dropped == segments && dropped == delta.otherDrops(null))
            {
                return null;
            }
            if (0 == sent && 1 == delta.delta(PortCounter.TX_DROP_MALFORMED) && 1 == delta.otherDrops(null))
            {
                return null;
            }
            return "mss " + mss + " payload " + payload + ": tx_frames+" + sent + " (segments " + segments + "), " +
                delta.describeDrops();
        };
    }

    /**
     * Sixteen 60 KB TSO packets with an MSS of 48 (the device's floor) to the sink on the other sidecore: ~10,000
     * segments in one pass while no segment budget bounds TSO (issue 10 §0 hole 2), more than the cross-sidecore ring
     * holds.
     */
    private Check tsoFloodCrossShard(final HostilePort port)
    {
        final int packets = 16;
        final int payload = 60_000;
        putTcpHeaders(port, 0, payload, rig.sinkMac());
        for (int i = 0; i < packets; i++)
        {
            putContext(port, 2 * i, HEADERS_BYTES, 48, payload);
            Descriptors.putDataTx(port.ram, HostilePort.txDescriptorOffset(port.txTail() + 2 * i + 1),
                HostilePort.txBufferGpa(0), HEADERS_BYTES + payload, TX_DESCRIPTOR_CMD | E1000TxDescriptor.CMD_TSE,
                E1000TxDescriptor.POPTS_TXSM | E1000TxDescriptor.POPTS_IXSM, 0);
        }
        final CounterDelta delta = new CounterDelta(port.counters());
        port.publishTx(2 * packets);
        return () -> delta.delta(PortCounter.TX_FRAMES) == delta.delta(PortCounter.TX_TSO_SEGMENTS) &&
            delta.delta(PortCounter.TX_FRAMES) > 0 &&
            0 == delta.otherDrops(null) - delta.delta(PortCounter.TX_DROP_SWITCH_RING_FULL) ? null :
            "tx_frames+" + delta.delta(PortCounter.TX_FRAMES) + " tx_tso_segments+" +
                delta.delta(PortCounter.TX_TSO_SEGMENTS) + ", " + delta.describeDrops();
    }

    private Check reservedDtyp(final HostilePort port)
    {
        final int offset = HostilePort.txDescriptorOffset(port.txTail());
        port.ram.putLong(offset, HostilePort.txBufferGpa(0), ByteOrder.LITTLE_ENDIAN);
        port.ram.putInt(offset + 8, 100 | (0xF << E1000TxDescriptor.DTYP_SHIFT) |
            ((TX_DESCRIPTOR_CMD | E1000TxDescriptor.CMD_DEXT) << 24), ByteOrder.LITTLE_ENDIAN);
        port.ram.putInt(offset + 12, 0, ByteOrder.LITTLE_ENDIAN);
        return expectDrop(port, 1, PortCounter.TX_DROP_MALFORMED, 1);
    }

    private Check checksumBeyond(final HostilePort port)
    {
        port.putFrame(0, rig.sinkMac(), port.mac, HOSTILE_ETHER_TYPE, 100);
        Descriptors.putContextTx(port.ram, HostilePort.txDescriptorOffset(port.txTail()),
            14, 24, 0, 34, 200 + random.nextInt(50), 0, 0, E1000TxDescriptor.TUCMD_TCP, 0, 0);
        Descriptors.putDataTx(port.ram, HostilePort.txDescriptorOffset(port.txTail() + 1), HostilePort.txBufferGpa(0),
            100, TX_DESCRIPTOR_CMD, E1000TxDescriptor.POPTS_TXSM, 0);
        return expectDrop(port, 2, PortCounter.TX_DROP_MALFORMED, 1);
    }

    private Check spoofed(final HostilePort port)
    {
        final int victim = random.nextInt(rig.honestCount());
        final int claimed = (victim + 1) % rig.honestCount();
        port.putFrame(0, rig.honestMac(victim), rig.honestMac(claimed), HOSTILE_ETHER_TYPE, 64);
        legacy(port, 0, HostilePort.txBufferGpa(0), 64, TX_DESCRIPTOR_CMD);
        port.publishTx(1);
        return NO_CHECK;
    }

    private Check macFlood(final HostilePort port)
    {
        final int frames = 32;
        for (int i = 0; i < frames; i++)
        {
            final byte[] source = { 0x02, (byte)random.nextInt(256), (byte)random.nextInt(256),
                (byte)random.nextInt(256), (byte)random.nextInt(256), (byte)random.nextInt(256) };
            port.putFrame(i & 7, rig.sinkMac(), source, HOSTILE_ETHER_TYPE, 64);
            legacy(port, i, HostilePort.txBufferGpa(i & 7), 64, TX_DESCRIPTOR_CMD);
        }
        final CounterDelta delta = new CounterDelta(port.counters());
        port.publishTx(frames);
        return () -> frames == delta.delta(PortCounter.TX_FRAMES) ? null :
            "tx_frames+" + delta.delta(PortCounter.TX_FRAMES) + " of " + frames + ", " + delta.describeDrops();
    }

    private Check crossShardBurst(final HostilePort port)
    {
        final int frames = 64;
        final int length = 8192 + random.nextInt(8192);
        port.putFrame(0, rig.sinkMac(), port.mac, HOSTILE_ETHER_TYPE, length);
        for (int i = 0; i < frames; i++)
        {
            legacy(port, i, HostilePort.txBufferGpa(0), length, TX_DESCRIPTOR_CMD);
        }
        final CounterDelta delta = new CounterDelta(port.counters());
        port.publishTx(frames);
        return () -> frames == delta.delta(PortCounter.TX_FRAMES) ? null :
            "tx_frames+" + delta.delta(PortCounter.TX_FRAMES) + " of " + frames + ", " + delta.describeDrops();
    }

    /**
     * PHY loopback (BMCR bit 14 through MDIC) with the RX ring's buffers aimed at device registers, then a frame
     * sent: QEMU re-entered its TX path through the DMA (CVE-2021-20257 (b), CVE-2021-3416). Here the PHY loops the
     * frame back into the port's own RX ring (SDM 8.x, PHY control bit 14) from inside the TX pass, and a buffer at
     * device registers is no guest memory: nothing leaves the port, nothing is written, the frame is counted under
     * exactly one drop counter, and TX is not re-entered. A frame from the wire into the other port's ring, aimed the
     * same way, is refused as well.
     */
    private Check phyLoopback(final HostilePort tx, final HostilePort rx, final long bufferGpa)
    {
        tx.write(E1000Registers.MDIC, E1000Registers.MDIC_OP_WRITE | (1 << E1000Registers.MDIC_PHY_SHIFT) | 0x4140);
        tx.dirty();
        aimRxAt(tx, bufferGpa);
        aimRxAt(rx, bufferGpa);
        final CounterDelta delta = new CounterDelta(tx.counters());
        final int written = txFrame(tx, tx.mac, 64);
        tx.publishTx(written);
        queueWireFrame(rx, rx.mac, 64);
        return () -> 0 == delta.delta(PortCounter.RX_FRAMES) && 0 == delta.delta(PortCounter.TX_DROP_NO_DESTINATION) &&
            written == delta.otherDrops(null) ? null :
            "expected the looped-back frame dropped once on its own port, got rx_frames+" +
                delta.delta(PortCounter.RX_FRAMES) + " " + delta.describeDrops();
    }

    private static void aimRxAt(final HostilePort port, final long bufferGpa)
    {
        final int head = port.readShared(E1000Registers.RDH) & 0xFFFF;
        for (int i = 0; i < 4; i++)
        {
            port.putRx((head + i) % HostilePort.RING_DESCRIPTORS, bufferGpa);
        }
        port.dirty();
    }

    private Check wireRefuses(final HostilePort port)
    {
        port.wire.refuse(1);
        return expectDrop(port, txFrame(port, rig.sinkMac(), 60 + random.nextInt(1400)), PortCounter.TX_DROP_BACKEND,
            1);
    }

    private Check loopbackOversize(final HostilePort port)
    {
        return expectDrop(port, txFrame(port, port.mac, 2049 + random.nextInt(6000)), PortCounter.RX_DROP_BACKEND, 1);
    }

    // ---- RX (frames from the hostile wire) ----

    private void queueWireFrame(final HostilePort port, final byte[] destination, final int length)
    {
        final UnsafeBuffer slot = port.wire.nextSlot();
        if (null == slot)
        {
            return;
        }
        if (length >= 14)
        {
            slot.putBytes(0, destination);
            slot.putBytes(6, rig.sinkMac());
            slot.putShort(12, (short)HOSTILE_ETHER_TYPE, ByteOrder.BIG_ENDIAN);
        }
        for (int i = Math.max(0, Math.min(length, 14)); i < length; i++)
        {
            slot.putByte(i, (byte)i);
        }
        port.wire.commit(length);
    }

    private Check rxFrame(final HostilePort port, final byte[] destination, final int length,
        final PortCounter expected)
    {
        final CounterDelta delta = new CounterDelta(port.counters());
        queueWireFrame(port, destination, length);
        if (PortCounter.RX_FRAMES == expected)
        {
            return () -> 1 == delta.delta(expected) && 0 == delta.otherDrops(null) ? null :
                "rx_frames+" + delta.delta(expected) + ", " + delta.describeDrops();
        }
        return () -> 1 == delta.delta(expected) && 0 == delta.otherDrops(expected) ? null :
            "expected " + expected.counterName() + "+1, got " + delta.describeDrops();
    }

    private Check vlanFiltered(final HostilePort port)
    {
        port.write(E1000Registers.RCTL, port.read(E1000Registers.RCTL) | E1000Registers.RCTL_VFE);
        port.dirty();
        final UnsafeBuffer slot = port.wire.nextSlot();
        final CounterDelta delta = new CounterDelta(port.counters());
        slot.putBytes(0, port.mac);
        slot.putBytes(6, rig.sinkMac());
        slot.putShort(12, (short)0x8100, ByteOrder.BIG_ENDIAN);
        slot.putShort(14, (short)(1 + random.nextInt(4094)), ByteOrder.BIG_ENDIAN);
        slot.putShort(16, (short)HOSTILE_ETHER_TYPE, ByteOrder.BIG_ENDIAN);
        port.wire.commit(64);
        return () -> 1 == delta.delta(PortCounter.RX_DROP_VLAN_FILTERED) &&
            0 == delta.otherDrops(PortCounter.RX_DROP_VLAN_FILTERED) ? null : "got " + delta.describeDrops();
    }

    private Check rxDisabled(final HostilePort port)
    {
        port.write(E1000Registers.RCTL, 0);
        port.dirty();
        return rxFrame(port, port.mac, 64, PortCounter.RX_DROP_DISABLED);
    }

    private Check rxRingFull(final HostilePort port)
    {
        port.writeShared(E1000Registers.RDT, port.readShared(E1000Registers.RDH));
        port.dirty();
        return rxFrame(port, port.mac, 64, PortCounter.RX_DROP_RING_FULL);
    }

    private Check nullBuffers(final HostilePort port)
    {
        for (int i = 0; i < HostilePort.RING_DESCRIPTORS; i++)
        {
            port.putRx(i, 0);
        }
        port.dirty();
        return rxFrame(port, port.mac, 64 + random.nextInt(1400), PortCounter.RX_DROP_RING_FULL);
    }

    private Check rxBuffer(final HostilePort port, final long bufferGpa)
    {
        port.putRx(port.readShared(E1000Registers.RDH) & 0xFF, bufferGpa);
        port.dirty();
        return rxFrame(port, port.mac, 200 + random.nextInt(1300), PortCounter.RX_DROP_DMA_FAULT);
    }

    private Check smallBuffers(final HostilePort port)
    {
        port.write(E1000Registers.RCTL, E1000Registers.RCTL_EN | E1000Registers.RCTL_BAM | E1000Registers.RCTL_SECRC |
            (3 << E1000Registers.RCTL_BSIZE_SHIFT));
        port.dirty();
        final CounterDelta delta = new CounterDelta(port.counters());
        final int length = 257 + random.nextInt(1200);
        queueWireFrame(port, port.mac, length);
        return () -> 1 == delta.delta(PortCounter.RX_FRAMES) &&
            (length + 255) / 256 == delta.delta(PortCounter.RX_DESCRIPTORS) ? null :
            "length " + length + ": rx_frames+" + delta.delta(PortCounter.RX_FRAMES) + " rx_descriptors+" +
                delta.delta(PortCounter.RX_DESCRIPTORS) + ", " + delta.describeDrops();
    }

    private Check bigBufferPastEnd(final HostilePort port)
    {
        port.write(E1000Registers.RCTL, E1000Registers.RCTL_EN | E1000Registers.RCTL_BAM | E1000Registers.RCTL_SECRC |
            E1000Registers.RCTL_LPE | E1000Registers.RCTL_BSEX | (1 << E1000Registers.RCTL_BSIZE_SHIFT));
        port.putRx(port.readShared(E1000Registers.RDH) & 0xFF, HostilePort.RAM_B_GPA + HostilePort.RAM_B_BYTES - 4096);
        port.dirty();
        return rxFrame(port, port.mac, 4097 + random.nextInt(12000), PortCounter.RX_DROP_DMA_FAULT);
    }

    // ---- ring faults ----

    private Check txFault(final HostilePort port, final int register, final int value, final int doorbell,
        final int tail, final PortFault fault)
    {
        port.clean();
        port.writeShared(register, value);
        port.writeShared(doorbell, tail);
        port.dirty();
        return expectFault(port, fault);
    }

    private Check txHeadBeyond(final HostilePort port)
    {
        port.clean();
        port.writeShared(E1000Registers.TDLEN, 128);
        port.writeShared(E1000Registers.TDH, 100);
        port.writeShared(E1000Registers.TDT, 200);
        port.dirty();
        return expectFault(port, PortFault.TX_HEAD_BEYOND_RING);
    }

    private Check rxFault(final HostilePort port, final int register, final int value, final PortFault fault)
    {
        port.writeShared(register, value);
        port.dirty();
        queueWireFrame(port, port.mac, 64);
        return expectFault(port, fault);
    }

    private Check rxHeadBeyond(final HostilePort port)
    {
        port.writeShared(E1000Registers.RDLEN, 128);
        port.writeShared(E1000Registers.RDH, 100);
        port.writeShared(E1000Registers.RDT, 5);
        port.dirty();
        queueWireFrame(port, port.mac, 64);
        return expectFault(port, PortFault.RX_HEAD_BEYOND_RING);
    }

    private Check rxRingLengthZero(final HostilePort port)
    {
        port.writeShared(E1000Registers.RDLEN, 0);
        port.writeShared(E1000Registers.RDT, 3);
        port.dirty();
        queueWireFrame(port, port.mac, 64);
        return expectFault(port, PortFault.RX_RING_LENGTH_ZERO);
    }

    private static Check expectFault(final HostilePort port, final PortFault fault)
    {
        return () -> port.port().isFaulted() && fault == port.port().device().fault() ? null :
            "expected fault " + fault.faultName() + ", port " +
                (port.port().isFaulted() ? "faulted with " + port.port().device().fault() : "not faulted");
    }

    // ---- CSB, interrupts, resets, registers ----

    private Check csb(final HostilePort port, final long gpa)
    {
        port.writeShared(E1000Registers.CSBAH, (int)(gpa >>> 32));
        port.writeShared(E1000Registers.CSBAL, (int)gpa | 1);
        port.dirty();
        return () -> !port.port().isCsbActive() && !port.port().isFaulted() ? null :
            "a CSB at 0x" + Long.toHexString(gpa) + " was served (or faulted the port)";
    }

    private Check icsStorm(final HostilePort port)
    {
        port.write(E1000Registers.IMS, 0xFFFF);
        port.write(E1000Registers.ITR, 0);
        for (int i = 0; i < 256; i++)
        {
            port.write(E1000Registers.ICS, 1 << random.nextInt(17));
        }
        port.dirty();
        return NO_CHECK;
    }

    private Check resetStorm(final HostilePort port)
    {
        final CounterDelta delta = new CounterDelta(port.counters());
        final int resets = 16 + random.nextInt(16);
        for (int i = 0; i < resets; i++)
        {
            port.write(E1000Registers.CTRL, E1000Registers.CTRL_RST);
        }
        port.dirty();
        return () -> resets == delta.delta(PortCounter.DEVICE_RESETS) ? null :
            "device_resets+" + delta.delta(PortCounter.DEVICE_RESETS) + " of " + resets;
    }

    private Check badAccess(final HostilePort port)
    {
        final CounterDelta delta = new CounterDelta(port.counters());
        try
        {
            rig.proxy().write(port.port(), TrappedAccess.MMIO_SPACE, 0x0002 + 4 * random.nextInt(16), 4, 1);
        }
        catch (final IllegalArgumentException expected)
        {
            return () -> 1 == delta.delta(PortCounter.BAD_REGISTER_ACCESSES) ? null :
                "bad_register_accesses+" + delta.delta(PortCounter.BAD_REGISTER_ACCESSES);
        }
        return () -> "a misaligned 4-byte write was not refused";
    }

    private Check mdicBadPhy(final HostilePort port)
    {
        final CounterDelta delta = new CounterDelta(port.counters());
        port.write(E1000Registers.MDIC, E1000Registers.MDIC_OP_READ | ((2 + random.nextInt(30)) <<
            E1000Registers.MDIC_PHY_SHIFT) | (1 << E1000Registers.MDIC_REG_SHIFT));
        return () -> 1 == delta.delta(PortCounter.PHY_ACCESS_ERRORS) ? null :
            "phy_access_errors+" + delta.delta(PortCounter.PHY_ACCESS_ERRORS);
    }

    // ---- random ----

    /**
     * One random input against a random hostile port.
     *
     * @return the kind, for the tally.
     */
    String random()
    {
        final HostilePort port = rig.hostilePort(random.nextInt(rig.hostileCount()));
        port.dirty();
        switch (random.nextInt(6))
        {
            case 0:
                randomTrapped(port);
                return "random-trapped-register";
            case 1:
                port.writeShared(SHARED_REGISTERS[random.nextInt(SHARED_REGISTERS.length)], interesting());
                return "random-shared-register";
            case 2:
                randomTxDescriptors(port);
                return "random-tx-descriptors";
            case 3:
                randomRxDescriptors(port);
                return "random-rx-descriptors";
            case 4:
                randomWireFrames();
                return "random-wire-frames";
            default:
                rig.proxy().write(port.port(), TrappedAccess.CONFIG_SPACE, 4, 2, random.nextInt(0x10000));
                return "random-config-command";
        }
    }

    private void randomTrapped(final HostilePort port)
    {
        final int offset = random.nextInt(4) == 0 ? random.nextInt(0x20000) :
            TRAPPED_REGISTERS[random.nextInt(TRAPPED_REGISTERS.length)];
        final int size = 1 << random.nextInt(4);
        final int space = random.nextInt(10) == 0 ? TrappedAccess.IO_SPACE : TrappedAccess.MMIO_SPACE;
        try
        {
            if (random.nextBoolean())
            {
                rig.proxy().write(port.port(), space, offset, size, interesting() & 0xFFFF_FFFFL);
            }
            else
            {
                rig.proxy().read(port.port(), space, offset, size);
            }
        }
        catch (final IllegalArgumentException refused)
        {
            // A refused access (misaligned, odd size, out of range): counted by the device, as it should be.
        }
    }

    private int interesting()
    {
        return switch (random.nextInt(8))
        {
            case 0 -> 0;
            case 1 -> -1;
            case 2 -> random.nextInt(256);
            case 3 -> 1 << random.nextInt(32);
            case 4 -> (int)(HostilePort.RAM_B_GPA + HostilePort.RAM_B_BYTES - random.nextInt(8192));
            case 5 -> (int)HostilePort.RAM_A_GPA + random.nextInt(HostilePort.RAM_A_BYTES);
            case 6 -> 128 * random.nextInt(4096);
            default -> random.nextInt();
        };
    }

    private long interestingGpa()
    {
        return switch (random.nextInt(6))
        {
            case 0 -> 0;
            case 1 -> HostilePort.txBufferGpa(random.nextInt(8)) + random.nextInt(0x10000);
            case 2 -> HostilePort.RAM_B_GPA + HostilePort.RAM_B_BYTES - random.nextInt(0x10000);
            case 3 -> HostilePort.RAM_B_GPA - random.nextInt(0x1000);
            case 4 -> HostilePort.ROM_GPA + random.nextInt(HostilePort.ROM_BYTES);
            default -> random.nextLong();
        };
    }

    private void randomTxDescriptors(final HostilePort port)
    {
        final int count = 1 + random.nextInt(8);
        final int tail = port.readShared(E1000Registers.TDT) & 0xFFFF;
        for (int i = 0; i < count; i++)
        {
            final int offset = HostilePort.txDescriptorOffset(tail + i);
            port.ram.putLong(offset, interestingGpa(), ByteOrder.LITTLE_ENDIAN);
            final int length = switch (random.nextInt(5))
            {
                case 0 -> 0;
                case 1 -> 0xFFFF;
                case 2 -> 14 + random.nextInt(1500);
                case 3 -> random.nextInt(0x100000);
                default -> random.nextInt(64);
            };
            port.ram.putInt(offset + 8, length & 0xFFFF | random.nextInt() & 0xFFFF_0000, ByteOrder.LITTLE_ENDIAN);
            port.ram.putInt(offset + 12, random.nextInt(), ByteOrder.LITTLE_ENDIAN);
            if (random.nextInt(3) == 0)
            {
                port.ram.putInt(offset + 8, (length & E1000TxDescriptor.EXT_LENGTH_MASK) |
                    (random.nextInt(2) << E1000TxDescriptor.DTYP_SHIFT) |
                    ((random.nextInt(256) | E1000TxDescriptor.CMD_DEXT) << 24), ByteOrder.LITTLE_ENDIAN);
            }
        }
        port.writeShared(E1000Registers.TDT, (tail + count) % HostilePort.RING_DESCRIPTORS);
    }

    private void randomRxDescriptors(final HostilePort port)
    {
        final int head = port.readShared(E1000Registers.RDH) & 0xFF;
        final int count = 1 + random.nextInt(8);
        for (int i = 0; i < count; i++)
        {
            port.putRx((head + i) % HostilePort.RING_DESCRIPTORS, interestingGpa());
        }
        if (random.nextBoolean())
        {
            port.write(E1000Registers.RCTL, random.nextInt() | E1000Registers.RCTL_EN);
        }
        randomWireFrames();
    }

    private void randomWireFrames()
    {
        final HostilePort port = rig.wirePort();
        final int frames = 1 + random.nextInt(4);
        for (int i = 0; i < frames; i++)
        {
            final int length = switch (random.nextInt(5))
            {
                case 0 -> random.nextInt(60);
                case 1 -> 60 + random.nextInt(1455);
                case 2 -> 1515 + random.nextInt(20000);
                case 3 -> random.nextInt(FuzzWire.MAX_FRAME_BYTES);
                default -> 64;
            };
            final byte[] destination = switch (random.nextInt(4))
            {
                case 0 -> new byte[]{ -1, -1, -1, -1, -1, -1 };
                case 1 -> new byte[]{ 0x01, 0x00, 0x5E, 0, 0, (byte)random.nextInt(256) };
                case 2 -> rig.sinkMac();
                default -> port.mac;
            };
            queueWireFrame(port, destination, length);
        }
    }
}
