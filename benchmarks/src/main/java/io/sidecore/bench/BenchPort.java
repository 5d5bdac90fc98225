package io.sidecore.bench;

import io.sidecore.engine.e1000.E1000Device;
import io.sidecore.engine.e1000.InterruptLine;
import io.sidecore.engine.e1000.PortConfig;
import io.sidecore.engine.e1000.RegisterImage;
import io.sidecore.engine.frame.FrameMetadata;
import io.sidecore.engine.frame.FrameSink;
import io.sidecore.engine.mem.GuestMemory;
import io.sidecore.engine.net.InternetChecksum;
import io.sidecore.engine.net.PacketHeaders;
import io.sidecore.engine.status.PortCounters;
import io.sidecore.shm.E1000Registers;
import io.sidecore.shm.E1000RxDescriptor;
import io.sidecore.shm.E1000TxDescriptor;
import io.sidecore.shm.PciConfig;
import io.sidecore.shm.PortRegionDescriptor;
import io.sidecore.tools.guest.Descriptors;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

/**
 * Benchmark harness: one {@link E1000Device} over simulated guest RAM (native memory), a {@link NullSink}, no
 * interrupt line and a fixed clock. Helpers write descriptors and buffers the way a guest driver does, straight into
 * guest RAM and the register image, so a benchmark can re-arm a ring without trapped accesses and without allocating.
 * <p>
 * Kept on the benchmark side (rather than reusing the engine's test-jar {@code DeviceHarness}) so the benchmarks
 * depend only on the engine's public API and carry no per-frame copying test sink.
 */
final class BenchPort
{
    /** Guest RAM starts here (guest-physical). */
    static final long RAM_GPA = 0x10_0000L;
    /** Guest RAM size: two rings plus room for the largest buffer layouts below. */
    static final int RAM_BYTES = 8 * 1024 * 1024;
    /** TX ring location. */
    static final long TX_RING_GPA = RAM_GPA;
    /** RX ring location. */
    static final long RX_RING_GPA = RAM_GPA + 0x1_0000L;
    /** TX buffers start here. */
    static final long TX_BUFFERS_GPA = RAM_GPA + 0x2_0000L;
    /** RX buffers start here (after 2 MiB of TX buffers). */
    static final long RX_BUFFERS_GPA = TX_BUFFERS_GPA + 0x20_0000L;
    /** Distance between the TX buffers of small frames, one per descriptor (as a driver's 2 KiB skb data). */
    static final int SMALL_TX_BUFFER_STRIDE = 2048;
    /** RX buffer size the ring is set up with (RCTL.BSIZE = 00, BSEX = 0: 2048 bytes, SDM 13.4.22). */
    static final int RX_BUFFER_BYTES = 2048;
    /** The clock every call is given: benchmarks do not exercise moderation timers. */
    static final long NOW_NS = 1_000_000_000L;
    /** The port's MAC. */
    static final byte[] MAC = {0x02, 0x00, 0x00, 0x00, 0x00, 0x01};
    /** A peer's MAC, the source of received frames and the destination of transmitted ones. */
    static final byte[] PEER_MAC = {0x02, 0x00, 0x00, 0x00, 0x00, 0x02};

    static final int ETHERNET_HEADER_LENGTH = PacketHeaders.ETHERNET_HEADER_BYTES;
    static final int IPV4_HEADER_LENGTH = 20;
    static final int TCP_HEADER_LENGTH = 20;
    static final int UDP_HEADER_LENGTH = 8;
    static final int TCP_HEADERS_LENGTH = ETHERNET_HEADER_LENGTH + IPV4_HEADER_LENGTH + TCP_HEADER_LENGTH;
    /** Largest buffer the Linux e1000 driver puts behind one TX descriptor (E1000_MAX_DATA_PER_TXD). */
    static final int MAX_DATA_PER_TX_DESCRIPTOR = 4096;

    private static final int ETHERTYPE_LOCAL_EXPERIMENTAL = 0x88B5;
    private static final int TCP_FLAG_PSH_ACK = 0x18;

    final MemorySegment ram;
    final UnsafeBuffer ramBuffer;
    final GuestMemory guestMemory = new GuestMemory();
    final PortCounters counters = PortCounters.inPrivateMemory("bench");
    final RegisterImage registers = RegisterImage.allocate();
    final NullSink sink = new NullSink();
    final E1000Device device;
    private final byte[] mac;

    /**
     * A port in its reset state (link up, RAL0/RAH0 = {@link #MAC}) with bus mastering enabled, no ring programmed,
     * transmitting into {@link #sink}.
     */
    BenchPort()
    {
        this(MAC, null);
    }

    /**
     * A port in its reset state with its own address and where its transmitted frames go.
     *
     * @param mac    the port's address (RAL0/RAH0 once {@link #setUpRxRing} runs).
     * @param txSink where transmitted frames go, or null for {@link #sink}.
     */
    BenchPort(final byte[] mac, final FrameSink txSink)
    {
        this(mac, txSink, Arena.ofAuto().allocate(RAM_BYTES, 4096));
    }

    /**
     * A port in its reset state over the given guest RAM (e.g. a mapping in 2 MiB huge pages).
     *
     * @param mac    the port's address (RAL0/RAH0 once {@link #setUpRxRing} runs).
     * @param txSink where transmitted frames go, or null for {@link #sink}.
     * @param ram    guest RAM, {@link #RAM_BYTES} bytes or more, zeroed.
     */
    BenchPort(final byte[] mac, final FrameSink txSink, final MemorySegment ram)
    {
        if (ram.byteSize() < RAM_BYTES)
        {
            throw new IllegalArgumentException("guest RAM of " + ram.byteSize() + " bytes, " + RAM_BYTES + " needed");
        }
        this.mac = mac.clone();
        this.ram = ram;
        ramBuffer = new UnsafeBuffer(ram.address(), RAM_BYTES);
        guestMemory.addRegion(RAM_GPA, ram);
        final PortConfig config = new PortConfig(0, "bench", mac, false, PortRegionDescriptor.DEFAULT_SHARED_PAGES);
        device = new E1000Device(
            config, registers, guestMemory, counters, null == txSink ? sink : txSink, InterruptLine.NONE);
        // As the guest's PCI core and driver do at probe: DMA is gated on bus mastering (PCI 2.3 command bit 2).
        device.configWrite(PciConfig.COMMAND_OFFSET, 2,
            PciConfig.COMMAND_IO_SPACE | PciConfig.COMMAND_MEMORY_SPACE | PciConfig.COMMAND_BUS_MASTER);
        if (!device.isLinkUp() || !device.isBusMasterEnabled())
        {
            throw new IllegalStateException("port not ready: link=" + device.isLinkUp() + " busMaster=" +
                device.isBusMasterEnabled());
        }
    }

    /**
     * Frame sink that only counts: the cost measured is the device's, not a consumer's.
     */
    static final class NullSink implements FrameSink
    {
        long frames;
        long bytes;

        /**
         * {@inheritDoc}
         */
        public int onFrame(
            final DirectBuffer frame, final int offset, final int lengthBytes, final FrameMetadata metadata,
            final long nowNs)
        {
            frames++;
            bytes += lengthBytes;
            return DELIVERED;
        }
    }

    /**
     * The switch's destination for a port: its device's receive path, as the daemon's port hands it a switched
     * frame.
     */
    static final class ReceiveSink implements FrameSink
    {
        private final BenchPort port;
        private final boolean withMetadata;

        /**
         * @param port         the receiving port.
         * @param withMetadata hand the frame's metadata on (the carried checksum), as the daemon does, or none.
         */
        ReceiveSink(final BenchPort port, final boolean withMetadata)
        {
            this.port = port;
            this.withMetadata = withMetadata;
        }

        /**
         * {@inheritDoc}
         */
        public int onFrame(
            final DirectBuffer frame, final int offset, final int lengthBytes, final FrameMetadata metadata,
            final long nowNs)
        {
            return port.device.receive(frame, offset, lengthBytes, withMetadata ? metadata : null, nowNs);
        }
    }

    /**
     * Fail the trial unless the first {@code frames} RX descriptors hold a complete frame whose TCP/UDP checksum the
     * device verified (DD, EOP, TCPCS; IXSM clear): a benchmark of the checksum path must not measure another one.
     *
     * @param frames descriptors to check, from index 0.
     * @param what   the benchmark's parameters, for the message.
     */
    void requireVerifiedChecksums(final int frames, final String what)
    {
        final int good = E1000RxDescriptor.STA_DD | E1000RxDescriptor.STA_EOP | E1000RxDescriptor.STA_TCPCS;
        for (int i = 0; i < frames; i++)
        {
            final int status = rxStatus(i);
            if (good != (status & (good | E1000RxDescriptor.STA_IXSM)))
            {
                throw new IllegalStateException(what + " frame " + i + ": RX status 0x" + Integer.toHexString(status));
            }
        }
    }

    /**
     * @param gpa guest-physical address inside RAM.
     * @return offset in {@link #ramBuffer}.
     */
    int ramOffset(final long gpa)
    {
        return (int)(gpa - RAM_GPA);
    }

    /**
     * Program a TX ring of {@code count} descriptors at {@link #TX_RING_GPA} and enable the transmitter, through
     * trapped writes as a driver does.
     *
     * @param count descriptors, multiple of 8.
     */
    void setUpTxRing(final int count)
    {
        write(E1000Registers.TDBAL, (int)TX_RING_GPA);
        write(E1000Registers.TDBAH, (int)(TX_RING_GPA >>> 32));
        write(E1000Registers.TDLEN, count * E1000TxDescriptor.LENGTH);
        write(E1000Registers.TDH, 0);
        write(E1000Registers.TDT, 0);
        write(E1000Registers.TCTL, E1000Registers.TCTL_EN | E1000Registers.TCTL_PSP);
    }

    /**
     * Hand the first {@code tail} descriptors to the device again: TDH back to 0 (a register only the device
     * writes, set here directly) and TDT written into the shared page as the guest does (no trap).
     *
     * @param tail new TDT.
     */
    void rearmTx(final int tail)
    {
        registers.setRelease(E1000Registers.TDH, 0);
        registers.setRelease(E1000Registers.TDT, tail);
    }

    /**
     * Write a legacy TX descriptor (SDM 3.3.3).
     *
     * @param index       ring index.
     * @param bufferGpa   buffer address.
     * @param lengthBytes buffer length.
     * @param command     CMD byte.
     */
    void putLegacyTx(final int index, final long bufferGpa, final int lengthBytes, final int command)
    {
        Descriptors.putLegacyTx(ramBuffer, txDescriptorOffset(index), bufferGpa, lengthBytes, command);
    }

    /**
     * Write a TCP/IP context descriptor (SDM 3.3.6).
     *
     * @param index              ring index.
     * @param ipcss              IP checksum start.
     * @param ipcso              IP checksum offset.
     * @param ipcse              IP checksum end (inclusive).
     * @param tucss              TCP/UDP checksum start.
     * @param tucso              TCP/UDP checksum offset.
     * @param payloadLengthBytes PAYLEN.
     * @param tucmd              TUCMD (DEXT added).
     * @param headerLengthBytes  HDRLEN.
     * @param mss                MSS.
     */
    void putContextTx(
        final int index,
        final int ipcss,
        final int ipcso,
        final int ipcse,
        final int tucss,
        final int tucso,
        final int payloadLengthBytes,
        final int tucmd,
        final int headerLengthBytes,
        final int mss)
    {
        Descriptors.putContextTx(ramBuffer, txDescriptorOffset(index), ipcss, ipcso, ipcse, tucss, tucso, 0,
            payloadLengthBytes, tucmd, headerLengthBytes, mss);
    }

    /**
     * Write a TCP/IP data descriptor (SDM 3.3.7).
     *
     * @param index       ring index.
     * @param bufferGpa   buffer address.
     * @param lengthBytes DTALEN.
     * @param dcmd        DCMD (DEXT added).
     * @param popts       POPTS.
     */
    void putDataTx(final int index, final long bufferGpa, final int lengthBytes, final int dcmd, final int popts)
    {
        Descriptors.putDataTx(ramBuffer, txDescriptorOffset(index), bufferGpa, lengthBytes, dcmd, popts, 0);
    }

    private int txDescriptorOffset(final int index)
    {
        return ramOffset(TX_RING_GPA) + index * E1000TxDescriptor.LENGTH;
    }

    /**
     * Program an RX ring of {@code count} descriptors with {@link #RX_BUFFER_BYTES}-byte buffers at
     * {@link #RX_RING_GPA}, the port's address in RAL0/RAH0, and enable the receiver with {@code rctlFlags}
     * (e.g. BAM). RDT is left at 0: no buffers given to the device yet.
     *
     * @param count     descriptors, multiple of 8.
     * @param rctlFlags RCTL bits besides EN.
     */
    void setUpRxRing(final int count, final int rctlFlags)
    {
        final byte[] mac = this.mac;
        write(E1000Registers.ral(0), (mac[0] & 0xFF) | (mac[1] & 0xFF) << 8 | (mac[2] & 0xFF) << 16 |
            (mac[3] & 0xFF) << 24);
        write(E1000Registers.rah(0), (mac[4] & 0xFF) | (mac[5] & 0xFF) << 8 | E1000Registers.RAH_AV);
        write(E1000Registers.RDBAL, (int)RX_RING_GPA);
        write(E1000Registers.RDBAH, (int)(RX_RING_GPA >>> 32));
        write(E1000Registers.RDLEN, count * E1000RxDescriptor.LENGTH);
        write(E1000Registers.RDH, 0);
        write(E1000Registers.RDT, 0);
        for (int i = 0; i < count; i++)
        {
            putRxDescriptor(i);
        }
        write(E1000Registers.RCTL, E1000Registers.RCTL_EN | rctlFlags);
    }

    /**
     * Give descriptor {@code index} back to the device with a cleared status, as a driver's refill does.
     *
     * @param index RX ring index.
     */
    void putRxDescriptor(final int index)
    {
        Descriptors.putRx(ramBuffer, ramOffset(RX_RING_GPA) + index * E1000RxDescriptor.LENGTH, rxBufferGpa(index));
    }

    /**
     * @param index RX ring index.
     * @return its buffer.
     */
    static long rxBufferGpa(final int index)
    {
        return RX_BUFFERS_GPA + (long)index * RX_BUFFER_BYTES;
    }

    /**
     * @param index RX ring index.
     * @return its status byte.
     */
    int rxStatus(final int index)
    {
        return ramBuffer.getByte(
            ramOffset(RX_RING_GPA) + index * E1000RxDescriptor.LENGTH + E1000RxDescriptor.STATUS_OFFSET) & 0xFF;
    }

    /**
     * Write an Ethernet frame with an experimental EtherType and a patterned payload.
     *
     * @param buffer      destination.
     * @param offset      first byte.
     * @param destination destination MAC.
     * @param source      source MAC.
     * @param lengthBytes total length, at least 14.
     */
    static void putEthernetFrame(
        final UnsafeBuffer buffer,
        final int offset,
        final byte[] destination,
        final byte[] source,
        final int lengthBytes)
    {
        buffer.putBytes(offset, destination);
        buffer.putBytes(offset + 6, source);
        buffer.putShort(offset + 12, (short)ETHERTYPE_LOCAL_EXPERIMENTAL, ByteOrder.BIG_ENDIAN);
        for (int i = ETHERNET_HEADER_LENGTH; i < lengthBytes; i++)
        {
            buffer.putByte(offset + i, (byte)(i * 31 + 7));
        }
    }

    /**
     * Write an IPv4/TCP packet prepared for TSO the way Linux e1000_tso does: IP total length and header checksum 0,
     * the TCP checksum field holding the pseudo-header sum computed with a length of 0 (SDM 3.5).
     *
     * @param gpa                where in guest RAM.
     * @param payloadLengthBytes TCP payload after the 54 header bytes.
     */
    void putTsoPacket(final long gpa, final int payloadLengthBytes)
    {
        final UnsafeBuffer b = ramBuffer;
        final int ip = putIpv4Headers(gpa, PacketHeaders.PROTOCOL_TCP, 0);
        final int tcp = ip + IPV4_HEADER_LENGTH;
        b.putShort(tcp, (short)40000, ByteOrder.BIG_ENDIAN);
        b.putShort(tcp + 2, (short)5201, ByteOrder.BIG_ENDIAN);
        b.putInt(tcp + 4, 0x1000_0000, ByteOrder.BIG_ENDIAN);
        b.putInt(tcp + 8, 0x2000_0000, ByteOrder.BIG_ENDIAN);
        b.putByte(tcp + 12, (byte)((TCP_HEADER_LENGTH / 4) << 4));
        b.putByte(tcp + 13, (byte)TCP_FLAG_PSH_ACK);
        b.putShort(tcp + 14, (short)0xFFFF, ByteOrder.BIG_ENDIAN);
        b.putShort(tcp + 18, (short)0, ByteOrder.BIG_ENDIAN);
        final int pseudoHeaderSum =
            InternetChecksum.fold(InternetChecksum.pseudoHeader(b, ip, false, PacketHeaders.PROTOCOL_TCP, 0));
        b.putShort(tcp + PacketHeaders.TCP_CHECKSUM_OFFSET, (short)pseudoHeaderSum, ByteOrder.BIG_ENDIAN);
        for (int i = 0; i < payloadLengthBytes; i++)
        {
            b.putByte(tcp + TCP_HEADER_LENGTH + i, (byte)(i * 131 + 17));
        }
    }

    /**
     * Write the Ethernet header (to the peer, from the port) and an IPv4 header (10.0.0.1 to 10.0.0.2, DF, TTL 64)
     * with a zero header checksum.
     *
     * @param gpa            where the frame starts in guest RAM.
     * @param protocol       IP protocol number.
     * @param ipLengthBytes  IP total length (0 as Linux leaves it in a TSO packet).
     * @return offset of the IP header in {@link #ramBuffer}.
     */
    private int putIpv4Headers(final long gpa, final int protocol, final int ipLengthBytes)
    {
        final int start = ramOffset(gpa);
        final UnsafeBuffer b = ramBuffer;
        b.putBytes(start, PEER_MAC);
        b.putBytes(start + 6, MAC);
        b.putShort(start + PacketHeaders.ETHER_TYPE_OFFSET, (short)PacketHeaders.ETHERTYPE_IPV4, ByteOrder.BIG_ENDIAN);
        final int ip = start + ETHERNET_HEADER_LENGTH;
        b.putByte(ip, (byte)0x45);
        b.putByte(ip + 1, (byte)0);
        b.putShort(ip + 2, (short)ipLengthBytes, ByteOrder.BIG_ENDIAN);
        b.putShort(ip + 4, (short)0x1234, ByteOrder.BIG_ENDIAN);
        b.putShort(ip + 6, (short)0x4000, ByteOrder.BIG_ENDIAN);
        b.putByte(ip + 8, (byte)64);
        b.putByte(ip + PacketHeaders.IPV4_PROTOCOL_OFFSET, (byte)protocol);
        b.putShort(ip + PacketHeaders.IPV4_CHECKSUM_OFFSET, (short)0, ByteOrder.BIG_ENDIAN);
        b.putInt(ip + 12, 0x0A00_0001, ByteOrder.BIG_ENDIAN);
        b.putInt(ip + 16, 0x0A00_0002, ByteOrder.BIG_ENDIAN);
        return ip;
    }

    /**
     * Write an IPv4/UDP frame as a Linux guest hands it to e1000 with CHECKSUM_PARTIAL: IP header complete with its
     * checksum, the UDP checksum field holding the pseudo-header sum for the device to finish (SDM 3.3.6).
     *
     * @param gpa         where in guest RAM.
     * @param lengthBytes whole frame, at least 42.
     */
    void putUdpFrame(final long gpa, final int lengthBytes)
    {
        final UnsafeBuffer b = ramBuffer;
        final int ipLength = lengthBytes - ETHERNET_HEADER_LENGTH;
        final int ip = putIpv4Headers(gpa, PacketHeaders.PROTOCOL_UDP, ipLength);
        b.putShort(ip + PacketHeaders.IPV4_CHECKSUM_OFFSET,
            (short)~InternetChecksum.fold(InternetChecksum.sum(b, ip, IPV4_HEADER_LENGTH)), ByteOrder.BIG_ENDIAN);
        final int udp = ip + IPV4_HEADER_LENGTH;
        final int udpLength = ipLength - IPV4_HEADER_LENGTH;
        b.putShort(udp, (short)40000, ByteOrder.BIG_ENDIAN);
        b.putShort(udp + 2, (short)5201, ByteOrder.BIG_ENDIAN);
        b.putShort(udp + 4, (short)udpLength, ByteOrder.BIG_ENDIAN);
        for (int i = UDP_HEADER_LENGTH; i < udpLength; i++)
        {
            b.putByte(udp + i, (byte)(i * 131 + 17));
        }
        final int pseudoHeaderSum = InternetChecksum.fold(
            InternetChecksum.pseudoHeader(b, ip, false, PacketHeaders.PROTOCOL_UDP, udpLength));
        b.putShort(udp + 6, (short)pseudoHeaderSum, ByteOrder.BIG_ENDIAN);
    }

    /**
     * Fill the TX ring from index 0 with IPv4/UDP frames of {@code frameBytes} bytes, each in its own 2 KiB buffer
     * from {@link #TX_BUFFERS_GPA}, as Linux e1000_tx_csum writes every CHECKSUM_PARTIAL frame: a context descriptor
     * (SDM 3.3.6, no TSE: TUCSS at the UDP header, TUCSO at its checksum field), then one data descriptor with
     * POPTS.TXSM (SDM 3.3.7.1) and EOP | IFCS | RS.
     *
     * @param frames     frames to write.
     * @param frameBytes length of each frame.
     * @return descriptors written (two per frame).
     */
    int putUdpChecksumFrames(final int frames, final int frameBytes)
    {
        final int ipStart = ETHERNET_HEADER_LENGTH;
        final int udpStart = ipStart + IPV4_HEADER_LENGTH;
        final int dataCommand = E1000TxDescriptor.CMD_EOP | E1000TxDescriptor.CMD_IFCS | E1000TxDescriptor.CMD_RS;
        int index = 0;
        for (int i = 0; i < frames; i++)
        {
            final long bufferGpa = TX_BUFFERS_GPA + (long)i * SMALL_TX_BUFFER_STRIDE;
            putUdpFrame(bufferGpa, frameBytes);
            putContextTx(index++, ipStart, ipStart + 10, udpStart - 1, udpStart, udpStart + 6, 0,
                E1000TxDescriptor.TUCMD_IP, 0, 0);
            putDataTx(index++, bufferGpa, frameBytes, dataCommand, E1000TxDescriptor.POPTS_TXSM);
        }
        return index;
    }

    /**
     * Fail the trial unless the device is healthy and has dropped nothing: a benchmark must not measure early exits.
     *
     * @param what the benchmark's parameters, for the message.
     */
    void requireNoFaultOrDrop(final String what)
    {
        final long drops = counters.totalDrops();
        if (device.isFaulted() || 0 != drops)
        {
            throw new IllegalStateException(what + ": faulted=" + device.fault() + " drops=" + drops);
        }
    }

    /**
     * Trapped register write.
     *
     * @param offset BAR0 offset.
     * @param value  value.
     */
    void write(final int offset, final int value)
    {
        device.mmioWrite(offset, value, NOW_NS);
    }
}
