package io.sidecore.engine.backend;

import io.sidecore.engine.frame.FrameMetadata;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Test support: builds Ethernet/IPv4/IPv6/TCP/UDP frames and checks their headers and checksums independently of
 * the code under test (byte arithmetic of its own, RFC 1071 sums over byte pairs).
 */
public final class TestFrames
{
    /** Metadata of a complete frame (no offload work), shared read-only by the tests. */
    static final FrameMetadata PLAIN = new FrameMetadata();
    static final byte[] DST_MAC = {0x02, 0x00, 0x00, 0x00, 0x00, 0x01};
    static final byte[] SRC_MAC = {0x02, 0x00, 0x00, 0x00, 0x00, 0x02};
    static final byte[] SRC_IP4 = {(byte)192, 0, 2, 1};
    static final byte[] DST_IP4 = {(byte)192, 0, 2, 2};
    static final byte[] SRC_IP6 = ipv6(1);
    static final byte[] DST_IP6 = ipv6(2);
    static final int TCP_FIN = 0x01;
    static final int TCP_SYN = 0x02;
    static final int TCP_RST = 0x04;
    public static final int TCP_PSH = 0x08;
    public static final int TCP_ACK = 0x10;
    static final int TCP_CWR = 0x80;

    private TestFrames()
    {
    }

    private static byte[] ipv6(final int last)
    {
        final byte[] address = new byte[16];
        address[0] = 0x20;
        address[1] = 0x01;
        address[2] = 0x0d;
        address[3] = (byte)0xb8;
        address[15] = (byte)last;
        return address;
    }

    /**
     * @param number      the first byte, to tell frames apart.
     * @param lengthBytes length.
     * @return a frame of that length whose other bytes follow a fixed pattern.
     */
    public static byte[] numbered(final int number, final int lengthBytes)
    {
        final byte[] frame = new byte[lengthBytes];
        frame[0] = (byte)number;
        for (int i = 1; i < lengthBytes; i++)
        {
            frame[i] = (byte)(i * 13);
        }
        return frame;
    }

    static byte payloadByte(final int index)
    {
        return (byte)(index * 7 + 3);
    }

    /**
     * A TCP frame with correct lengths and checksums.
     */
    public static byte[] tcp(final boolean ipv6, final int payloadBytes, final int sequence, final int flags,
        final int ipId)
    {
        final byte[] frame = build(ipv6, 6, 20, payloadBytes, ipId);
        final int l4 = ipv6 ? 54 : 34;
        final ByteBuffer b = ByteBuffer.wrap(frame).order(ByteOrder.BIG_ENDIAN);
        b.putShort(l4, (short)40000);
        b.putShort(l4 + 2, (short)80);
        b.putInt(l4 + 4, sequence);
        b.putInt(l4 + 8, 1000);
        b.put(l4 + 12, (byte)(5 << 4));
        b.put(l4 + 13, (byte)flags);
        b.putShort(l4 + 14, (short)65535);
        b.putShort(l4 + 16, (short)checksumL4(frame, ipv6 ? 14 : 14, ipv6, 6, l4, frame.length - l4));
        return frame;
    }

    /**
     * A UDP frame with correct lengths and checksums.
     */
    public static byte[] udp(final boolean ipv6, final int payloadBytes, final int ipId)
    {
        final byte[] frame = build(ipv6, 17, 8, payloadBytes, ipId);
        final int l4 = ipv6 ? 54 : 34;
        final ByteBuffer b = ByteBuffer.wrap(frame).order(ByteOrder.BIG_ENDIAN);
        b.putShort(l4, (short)5000);
        b.putShort(l4 + 2, (short)6000);
        b.putShort(l4 + 4, (short)(frame.length - l4));
        int checksum = checksumL4(frame, 14, ipv6, 17, l4, frame.length - l4);
        if (checksum == 0)
        {
            checksum = 0xFFFF;
        }
        b.putShort(l4 + 6, (short)checksum);
        return frame;
    }

    private static byte[] build(final boolean ipv6, final int protocol, final int l4HeaderBytes,
        final int payloadBytes, final int ipId)
    {
        final int l3 = 14;
        final int l4 = ipv6 ? l3 + 40 : l3 + 20;
        final byte[] frame = new byte[l4 + l4HeaderBytes + payloadBytes];
        final ByteBuffer b = ByteBuffer.wrap(frame).order(ByteOrder.BIG_ENDIAN);
        b.put(0, DST_MAC);
        b.put(6, SRC_MAC);
        b.putShort(12, (short)(ipv6 ? 0x86DD : 0x0800));
        if (ipv6)
        {
            b.put(l3, (byte)0x60);
            b.putShort(l3 + 4, (short)(frame.length - l4));
            b.put(l3 + 6, (byte)protocol);
            b.put(l3 + 7, (byte)64);
            b.put(l3 + 8, SRC_IP6);
            b.put(l3 + 24, DST_IP6);
        }
        else
        {
            b.put(l3, (byte)0x45);
            b.putShort(l3 + 2, (short)(frame.length - l3));
            b.putShort(l3 + 4, (short)ipId);
            b.putShort(l3 + 6, (short)0x4000);
            b.put(l3 + 8, (byte)64);
            b.put(l3 + 9, (byte)protocol);
            b.put(l3 + 12, SRC_IP4);
            b.put(l3 + 16, DST_IP4);
            b.putShort(l3 + 10, (short)finish(sum(frame, l3, 20, 0)));
        }
        for (int i = 0; i < payloadBytes; i++)
        {
            frame[l4 + l4HeaderBytes + i] = payloadByte(i);
        }
        return frame;
    }

    /**
     * Make a correct TCP frame look like what a Linux e1000 guest hands the device for TSO: IPv4 total length and
     * header checksum 0, TCP checksum seeded with the pseudo header without length (e1000_tso()).
     */
    public static byte[] asGuestTso(final byte[] frame, final boolean ipv6)
    {
        final byte[] copy = frame.clone();
        final ByteBuffer b = ByteBuffer.wrap(copy).order(ByteOrder.BIG_ENDIAN);
        final int l4 = ipv6 ? 54 : 34;
        if (ipv6)
        {
            b.putShort(14 + 4, (short)0);
        }
        else
        {
            b.putShort(14 + 2, (short)0);
            b.putShort(14 + 10, (short)0);
        }
        b.putShort(l4 + 16, (short)fold(pseudo(copy, 14, ipv6, 6, 0)));
        return copy;
    }

    static long sum(final byte[] data, final int offset, final int length, final long initial)
    {
        long sum = initial;
        for (int i = 0; i < length; i += 2)
        {
            final int high = data[offset + i] & 0xFF;
            final int low = i + 1 < length ? data[offset + i + 1] & 0xFF : 0;
            sum += (high << 8) | low;
        }
        return sum;
    }

    static int fold(final long value)
    {
        long sum = value;
        while (sum > 0xFFFF)
        {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (int)sum;
    }

    static int finish(final long value)
    {
        return ~fold(value) & 0xFFFF;
    }

    static long pseudo(final byte[] frame, final int l3, final boolean ipv6, final int protocol, final int l4Length)
    {
        final long addresses = ipv6 ? sum(frame, l3 + 8, 32, 0) : sum(frame, l3 + 12, 8, 0);
        return addresses + protocol + (l4Length >>> 16) + (l4Length & 0xFFFF);
    }

    private static int checksumL4(final byte[] frame, final int l3, final boolean ipv6, final int protocol,
        final int l4, final int l4Length)
    {
        return finish(sum(frame, l4, l4Length, pseudo(frame, l3, ipv6, protocol, l4Length)));
    }

    public static boolean isIpv4HeaderValid(final byte[] frame, final int l3)
    {
        return fold(sum(frame, l3, (frame[l3] & 0x0F) * 4, 0)) == 0xFFFF;
    }

    public static boolean isL4ChecksumValid(final byte[] frame, final int l3, final boolean ipv6, final int protocol,
        final int l4)
    {
        final int l4Length = frame.length - l4;
        return fold(sum(frame, l4, l4Length, pseudo(frame, l3, ipv6, protocol, l4Length))) == 0xFFFF;
    }

    static int u16(final byte[] frame, final int offset)
    {
        return ((frame[offset] & 0xFF) << 8) | (frame[offset + 1] & 0xFF);
    }

    static int u32(final byte[] frame, final int offset)
    {
        return (u16(frame, offset) << 16) | u16(frame, offset + 2);
    }

    static UnsafeBuffer buffer(final byte[] bytes)
    {
        return new UnsafeBuffer(bytes);
    }
}
