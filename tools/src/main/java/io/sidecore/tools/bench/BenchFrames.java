package io.sidecore.tools.bench;

import io.sidecore.tools.guest.TxOffload;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;

/**
 * The frames the benchmark's guests send, prepared as a Linux guest's stack hands them to e1000: 64-byte frames are
 * IPv4/UDP with the UDP checksum offloaded ({@code e1000_tx_csum}: the stack computed the IP header checksum and put
 * the pseudo-header sum in the UDP checksum field); larger frames are IPv4/TCP with the TCP checksum offloaded the same
 * way; a frame larger than one MTU is a TSO packet ({@code e1000_tso}: IP total length and checksum 0, the TCP
 * checksum field holding the pseudo-header sum with a length of 0, MSS 1448 as for a 1500-byte MTU with TCP
 * timestamps; SDM 3.5).
 */
public final class BenchFrames
{
    /** Ethernet header bytes. */
    public static final int ETHERNET_HEADER_BYTES = 14;
    /** IPv4 header bytes (no options). */
    public static final int IPV4_HEADER_BYTES = 20;
    /** UDP header bytes. */
    public static final int UDP_HEADER_BYTES = 8;
    /** TCP header bytes (no options). */
    public static final int TCP_HEADER_BYTES = 20;
    /** Largest frame that is not a TSO packet: a 1500-byte MTU. */
    public static final int MAX_MTU_FRAME_BYTES = 1514;
    /** Largest frame size below which the frames are UDP. */
    public static final int MAX_UDP_FRAME_BYTES = 64;
    /** The MSS of TSO packets: a 1500-byte MTU less IP, TCP and timestamp option (1500 - 20 - 20 - 12). */
    public static final int TSO_MSS = 1448;

    private static final int ETHERTYPE_IPV4 = 0x0800;
    private static final int PROTOCOL_TCP = 6;
    private static final int PROTOCOL_UDP = 17;
    private static final int SOURCE_PORT = 40_000;
    private static final int DESTINATION_PORT = 5201;
    private static final int TCP_FLAGS_PSH_ACK = 0x18;

    private BenchFrames()
    {
    }

    /**
     * The kind of frame a frame size means here.
     */
    public enum Kind
    {
        /** IPv4/UDP with checksum offload. */
        UDP,
        /** IPv4/TCP with checksum offload. */
        TCP,
        /** IPv4/TCP, segmented by the device (TSO). */
        TCP_TSO
    }

    /**
     * @param frameBytes frame length without FCS, 60 to 65536.
     * @return what such a frame is: UDP up to {@link #MAX_UDP_FRAME_BYTES}, TCP up to {@link #MAX_MTU_FRAME_BYTES},
     *     TSO beyond.
     */
    public static Kind kindOf(final int frameBytes)
    {
        if (frameBytes < 60 || frameBytes > 65_536)
        {
            throw new IllegalArgumentException("frame length must be in [60, 65536]: " + frameBytes);
        }
        return frameBytes <= MAX_UDP_FRAME_BYTES ? Kind.UDP : frameBytes <= MAX_MTU_FRAME_BYTES ? Kind.TCP :
            Kind.TCP_TSO;
    }

    /**
     * @param frameBytes frame length.
     * @return the offload the frame asks for.
     */
    public static TxOffload offloadFor(final int frameBytes)
    {
        return switch (kindOf(frameBytes))
        {
            case UDP -> TxOffload.checksum(ETHERNET_HEADER_BYTES, IPV4_HEADER_BYTES, false);
            case TCP -> TxOffload.checksum(ETHERNET_HEADER_BYTES, IPV4_HEADER_BYTES, true);
            case TCP_TSO -> TxOffload.tso(ETHERNET_HEADER_BYTES, IPV4_HEADER_BYTES,
                ETHERNET_HEADER_BYTES + IPV4_HEADER_BYTES + TCP_HEADER_BYTES, TSO_MSS);
        };
    }

    /**
     * Build a frame.
     *
     * @param frameBytes  its length.
     * @param destination destination MAC.
     * @param source      source MAC.
     * @param sourceIp    source IPv4 address.
     * @param destinationIp destination IPv4 address.
     * @return the frame, in a buffer of exactly that length.
     */
    public static UnsafeBuffer build(
        final int frameBytes, final byte[] destination, final byte[] source, final int sourceIp,
        final int destinationIp)
    {
        final Kind kind = kindOf(frameBytes);
        final UnsafeBuffer frame = new UnsafeBuffer(new byte[frameBytes]);
        frame.putBytes(0, destination);
        frame.putBytes(6, source);
        frame.putShort(12, (short)ETHERTYPE_IPV4, ByteOrder.BIG_ENDIAN);
        final int ip = ETHERNET_HEADER_BYTES;
        final int l4 = ip + IPV4_HEADER_BYTES;
        final boolean udp = Kind.UDP == kind;
        final boolean tso = Kind.TCP_TSO == kind;
        final int ipTotalLength = tso ? 0 : frameBytes - ETHERNET_HEADER_BYTES;
        frame.putByte(ip, (byte)0x45);
        frame.putShort(ip + 2, (short)ipTotalLength, ByteOrder.BIG_ENDIAN);
        frame.putShort(ip + 4, (short)0x1234, ByteOrder.BIG_ENDIAN);
        frame.putShort(ip + 6, (short)0x4000, ByteOrder.BIG_ENDIAN);
        frame.putByte(ip + 8, (byte)64);
        frame.putByte(ip + 9, (byte)(udp ? PROTOCOL_UDP : PROTOCOL_TCP));
        frame.putInt(ip + 12, sourceIp, ByteOrder.BIG_ENDIAN);
        frame.putInt(ip + 16, destinationIp, ByteOrder.BIG_ENDIAN);
        if (!tso)
        {
            frame.putShort(ip + 10, (short)ipv4HeaderChecksum(frame, ip), ByteOrder.BIG_ENDIAN);
        }
        final int payloadStart = l4 + (udp ? UDP_HEADER_BYTES : TCP_HEADER_BYTES);
        for (int i = payloadStart; i < frameBytes; i++)
        {
            frame.putByte(i, (byte)(i * 31 + 7));
        }
        frame.putShort(l4, (short)SOURCE_PORT, ByteOrder.BIG_ENDIAN);
        frame.putShort(l4 + 2, (short)DESTINATION_PORT, ByteOrder.BIG_ENDIAN);
        final int l4Length = frameBytes - l4;
        if (udp)
        {
            frame.putShort(l4 + 4, (short)l4Length, ByteOrder.BIG_ENDIAN);
            frame.putShort(l4 + 6, (short)pseudoHeaderSum(frame, ip, PROTOCOL_UDP, l4Length), ByteOrder.BIG_ENDIAN);
        }
        else
        {
            frame.putInt(l4 + 4, 0x1000_0000, ByteOrder.BIG_ENDIAN);
            frame.putInt(l4 + 8, 0x2000_0000, ByteOrder.BIG_ENDIAN);
            frame.putByte(l4 + 12, (byte)((TCP_HEADER_BYTES / 4) << 4));
            frame.putByte(l4 + 13, (byte)TCP_FLAGS_PSH_ACK);
            frame.putShort(l4 + 14, (short)0xFFFF, ByteOrder.BIG_ENDIAN);
            frame.putShort(l4 + 16, (short)pseudoHeaderSum(frame, ip, PROTOCOL_TCP, tso ? 0 : l4Length),
                ByteOrder.BIG_ENDIAN);
        }
        return frame;
    }

    /**
     * The IPv4 header checksum (RFC 791) of a header whose checksum field is 0.
     *
     * @param buffer where the header is.
     * @param ip     its first byte.
     * @return the checksum.
     */
    static int ipv4HeaderChecksum(final MutableDirectBuffer buffer, final int ip)
    {
        long sum = 0;
        for (int i = 0; i < IPV4_HEADER_BYTES; i += 2)
        {
            sum += buffer.getShort(ip + i, ByteOrder.BIG_ENDIAN) & 0xFFFF;
        }
        return ~fold(sum) & 0xFFFF;
    }

    /**
     * The folded, not complemented, one's complement sum of the TCP/UDP pseudo-header (RFC 768, RFC 793): what Linux
     * puts in the checksum field for the device to complete.
     */
    static int pseudoHeaderSum(final MutableDirectBuffer buffer, final int ip, final int protocol, final int length)
    {
        long sum = 0;
        for (int i = 12; i < 20; i += 2)
        {
            sum += buffer.getShort(ip + i, ByteOrder.BIG_ENDIAN) & 0xFFFF;
        }
        sum += protocol + length;
        return fold(sum);
    }

    private static int fold(final long value)
    {
        long sum = value;
        while (0 != (sum >>> 16))
        {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (int)sum;
    }
}
