package io.sidecore.engine.e1000;

import io.sidecore.shm.E1000Registers;

/**
 * Test support for the receive path: frame builders, a plain reference Internet checksum, and receiver set-up.
 */
final class RxFrames
{
    static final byte[] BROADCAST = {(byte)0xFF, (byte)0xFF, (byte)0xFF, (byte)0xFF, (byte)0xFF, (byte)0xFF};
    static final byte[] SOURCE = {0x02, 0x00, 0x00, 0x00, 0x00, 0x09};
    static final int VET_8021Q = 0x8100;
    static final int ETHER_TYPE_TEST = 0x88B5;
    static final int ETHER_TYPE_IPV4 = 0x0800;
    static final int PROTOCOL_TCP = 6;
    static final int PROTOCOL_UDP = 17;

    private RxFrames()
    {
    }

    /**
     * Link up, VET = 0x8100, a ring of {@code count} descriptors with 2048-byte buffers, all but one given to the
     * device (RDT = count - 1), receiver enabled with broadcast accept, RXCSUM 0, ICR cleared.
     *
     * @param harness device.
     * @param count   descriptors.
     */
    static void ready(final DeviceHarness harness, final int count)
    {
        harness.registers.set(E1000Registers.STATUS, E1000Registers.STATUS_RESET_VALUE);
        harness.write(E1000Registers.VET, VET_8021Q);
        harness.setUpRxRing(count);
        harness.write(E1000Registers.RXCSUM, 0);
        harness.writeShared(E1000Registers.RDT, count - 1);
        harness.registers.set(E1000Registers.ICR, 0);
    }

    /**
     * Program RAL/RAH[n].
     *
     * @param harness device.
     * @param n       entry.
     * @param mac     address.
     * @param rahBits extra RAH bits (AV, ASEL).
     */
    static void receiveAddress(final DeviceHarness harness, final int n, final byte[] mac, final int rahBits)
    {
        final int ral = (mac[0] & 0xFF) | (mac[1] & 0xFF) << 8 | (mac[2] & 0xFF) << 16 | (mac[3] & 0xFF) << 24;
        final int rah = (mac[4] & 0xFF) | (mac[5] & 0xFF) << 8 | rahBits;
        harness.write(E1000Registers.ral(n), ral);
        harness.write(E1000Registers.rah(n), rah);
    }

    /**
     * An untagged frame.
     *
     * @param destination destination MAC.
     * @param etherType   EtherType.
     * @param lengthBytes total length, at least 14.
     * @param seed        payload pattern.
     * @return frame.
     */
    static byte[] frame(final byte[] destination, final int etherType, final int lengthBytes, final int seed)
    {
        final byte[] frame = new byte[lengthBytes];
        System.arraycopy(destination, 0, frame, 0, 6);
        System.arraycopy(SOURCE, 0, frame, 6, 6);
        putShort(frame, 12, etherType);
        for (int i = 14; i < lengthBytes; i++)
        {
            frame[i] = (byte)(seed + i * 7);
        }
        return frame;
    }

    /**
     * An 802.1Q-tagged frame.
     *
     * @param destination destination MAC.
     * @param tpid        tag protocol identifier (normally 0x8100).
     * @param tci         tag control information.
     * @param lengthBytes total length including the tag, at least 18.
     * @param seed        payload pattern.
     * @return frame.
     */
    static byte[] tagged(
        final byte[] destination, final int tpid, final int tci, final int lengthBytes, final int seed)
    {
        final byte[] frame = frame(destination, tpid, lengthBytes, seed);
        putShort(frame, 14, tci);
        putShort(frame, 16, ETHER_TYPE_TEST);
        return frame;
    }

    /**
     * A broadcast IPv4 frame carrying TCP or UDP with correct checksums.
     *
     * @param protocol      6 or 17.
     * @param payloadLength L4 payload bytes.
     * @param tci           tag TCI, or -1 for an untagged frame.
     * @return frame.
     */
    static byte[] ipv4(final int protocol, final int payloadLength, final int tci)
    {
        final int l2 = tci < 0 ? 14 : 18;
        final int l4HeaderLength = PROTOCOL_TCP == protocol ? 20 : 8;
        final int totalLength = 20 + l4HeaderLength + payloadLength;
        final byte[] frame = new byte[l2 + totalLength];
        System.arraycopy(BROADCAST, 0, frame, 0, 6);
        System.arraycopy(SOURCE, 0, frame, 6, 6);
        if (tci >= 0)
        {
            putShort(frame, 12, VET_8021Q);
            putShort(frame, 14, tci);
        }
        putShort(frame, l2 - 2, ETHER_TYPE_IPV4);
        final int ip = l2;
        frame[ip] = 0x45;
        putShort(frame, ip + 2, totalLength);
        putShort(frame, ip + 4, 0x1234);
        putShort(frame, ip + 6, 0x4000);
        frame[ip + 8] = 64;
        frame[ip + 9] = (byte)protocol;
        frame[ip + 12] = 10;
        frame[ip + 15] = 1;
        frame[ip + 16] = 10;
        frame[ip + 19] = 2;
        putShort(frame, ip + 10, ~checksum(frame, ip, 20, 0) & 0xFFFF);
        final int l4 = ip + 20;
        putShort(frame, l4, 40000);
        putShort(frame, l4 + 2, 80);
        if (PROTOCOL_TCP == protocol)
        {
            frame[l4 + 12] = 0x50;
            frame[l4 + 13] = 0x18;
            putShort(frame, l4 + 14, 65535);
        }
        else
        {
            putShort(frame, l4 + 4, l4HeaderLength + payloadLength);
        }
        for (int i = l4 + l4HeaderLength; i < frame.length; i++)
        {
            frame[i] = (byte)(i * 13);
        }
        final int l4Length = totalLength - 20;
        int pseudo = checksum(frame, ip + 12, 8, 0);
        pseudo += protocol + l4Length;
        int l4Checksum = ~checksum(frame, l4, l4Length, pseudo) & 0xFFFF;
        if (PROTOCOL_UDP == protocol && 0 == l4Checksum)
        {
            l4Checksum = 0xFFFF;
        }
        putShort(frame, l4 + (PROTOCOL_TCP == protocol ? 16 : 6), l4Checksum);
        return frame;
    }

    /**
     * Reference Internet checksum: 16-bit big-endian words, folded.
     *
     * @param bytes   data.
     * @param from    first byte.
     * @param length  bytes.
     * @param initial initial sum.
     * @return folded sum (not complemented).
     */
    static int checksum(final byte[] bytes, final int from, final int length, final int initial)
    {
        long sum = initial;
        for (int i = 0; i < length; i += 2)
        {
            final int high = bytes[from + i] & 0xFF;
            final int low = i + 1 < length ? bytes[from + i + 1] & 0xFF : 0;
            sum += (high << 8) | low;
        }
        while (sum > 0xFFFF)
        {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (int)sum;
    }

    /**
     * Big-endian 16-bit store.
     *
     * @param bytes  target.
     * @param offset where.
     * @param value  value.
     */
    static void putShort(final byte[] bytes, final int offset, final int value)
    {
        bytes[offset] = (byte)(value >>> 8);
        bytes[offset + 1] = (byte)value;
    }
}
