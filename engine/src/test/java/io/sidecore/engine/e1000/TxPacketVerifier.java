package io.sidecore.engine.e1000;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An independent checker of frames that left the device: parses Ethernet (with an optional 802.1Q tag), IPv4 or
 * IPv6, TCP or UDP, and asserts that every length field and every checksum is right. It shares no code with the
 * device model: checksums are summed here 16 bits at a time over plain arrays.
 */
public final class TxPacketVerifier
{
    private TxPacketVerifier()
    {
    }

    /**
     * What a verified frame contains.
     */
    public static final class Parsed
    {
        public boolean vlan;
        public int tpid;
        public int tci;
        public boolean ipv4;
        public boolean tcp;
        public int ipStart;
        public int l4Start;
        public int ipIdentification;
        public int tcpSequence;
        public int tcpFlags;
        public int payloadStart;
        public int payloadLength;
        public int l4Checksum;
    }

    static long sum16(final byte[] bytes, final int offset, final int length)
    {
        long sum = 0;
        int i = 0;
        for (; i + 1 < length; i += 2)
        {
            sum += ((bytes[offset + i] & 0xFF) << 8) | (bytes[offset + i + 1] & 0xFF);
        }
        if (i < length)
        {
            sum += (bytes[offset + i] & 0xFF) << 8;
        }
        return sum;
    }

    static int fold(final long sum)
    {
        long s = sum;
        while (0 != (s >>> 16))
        {
            s = (s & 0xFFFF) + (s >>> 16);
        }
        return (int)s;
    }

    static int u16(final byte[] b, final int offset)
    {
        return ((b[offset] & 0xFF) << 8) | (b[offset + 1] & 0xFF);
    }

    static int u32(final byte[] b, final int offset)
    {
        return (u16(b, offset) << 16) | u16(b, offset + 2);
    }

    /**
     * Parse a frame and assert its IP and transport lengths and checksums.
     *
     * @param frame        what reached the wire.
     * @param expectedVlan whether an 802.1Q tag is expected after the MAC addresses.
     * @return parsed fields.
     */
    public static Parsed verify(final byte[] frame, final boolean expectedVlan)
    {
        final Parsed p = new Parsed();
        int etherTypeOffset = 12;
        if (expectedVlan)
        {
            p.vlan = true;
            p.tpid = u16(frame, 12);
            p.tci = u16(frame, 14);
            etherTypeOffset = 16;
        }
        final int etherType = u16(frame, etherTypeOffset);
        p.ipStart = etherTypeOffset + 2;
        final int proto;
        final long pseudo;
        final int l4Length;
        if (TxTestSupport.ETHERTYPE_IPV4 == etherType)
        {
            p.ipv4 = true;
            final int ihl = (frame[p.ipStart] & 0x0F) * 4;
            assertEquals(0xFFFF, fold(sum16(frame, p.ipStart, ihl)), "IPv4 header checksum");
            assertEquals(frame.length - p.ipStart, u16(frame, p.ipStart + 2), "IPv4 total length");
            p.ipIdentification = u16(frame, p.ipStart + 4);
            proto = frame[p.ipStart + 9] & 0xFF;
            p.l4Start = p.ipStart + ihl;
            l4Length = frame.length - p.l4Start;
            pseudo = sum16(frame, p.ipStart + 12, 8) + proto + l4Length;
        }
        else
        {
            assertEquals(TxTestSupport.ETHERTYPE_IPV6, etherType, "EtherType");
            assertEquals(frame.length - p.ipStart - 40, u16(frame, p.ipStart + 4), "IPv6 payload length");
            proto = frame[p.ipStart + 6] & 0xFF;
            p.l4Start = p.ipStart + 40;
            l4Length = frame.length - p.l4Start;
            pseudo = sum16(frame, p.ipStart + 8, 32) + proto + (l4Length >>> 16) + (l4Length & 0xFFFF);
        }
        final long l4Sum = sum16(frame, p.l4Start, l4Length);
        assertEquals(0xFFFF, fold(pseudo + l4Sum), "transport checksum");
        if (TxTestSupport.PROTO_TCP == proto)
        {
            p.tcp = true;
            p.tcpSequence = u32(frame, p.l4Start + 4);
            p.tcpFlags = frame[p.l4Start + 13] & 0xFF;
            p.payloadStart = p.l4Start + ((frame[p.l4Start + 12] & 0xF0) >>> 4) * 4;
            p.l4Checksum = u16(frame, p.l4Start + 16);
        }
        else
        {
            assertEquals(TxTestSupport.PROTO_UDP, proto, "protocol");
            assertEquals(l4Length, u16(frame, p.l4Start + 4), "UDP length");
            p.l4Checksum = u16(frame, p.l4Start + 6);
            assertNotEquals(0, p.l4Checksum, "a computed UDP checksum is never sent as 0");
            p.payloadStart = p.l4Start + 8;
        }
        p.payloadLength = frame.length - p.payloadStart;
        assertTrue(p.payloadLength >= 0, "payload length");
        return p;
    }
}
