package io.sidecore.engine.e1000;

import io.sidecore.engine.frame.FrameSink;
import io.sidecore.shm.E1000Registers;
import io.sidecore.shm.E1000TxDescriptor;
import io.sidecore.tools.guest.Descriptors;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Test support for the transmit path: descriptor writers for the three TX formats and a builder of Ethernet/IP/TCP
 * or UDP packets prepared the way the Linux e1000 driver prepares them for TSO or checksum offload.
 */
public final class TxTestSupport
{
    static final int ETH_HEADER = 14;
    static final int ETHERTYPE_IPV4 = 0x0800;
    static final int ETHERTYPE_IPV6 = 0x86DD;
    static final int PROTO_TCP = 6;
    static final int PROTO_UDP = 17;
    static final int TCP_FIN = 0x01;
    public static final int TCP_PSH = 0x08;
    public static final int TCP_ACK = 0x10;
    static final byte[] DST_MAC = {0x02, 0x00, 0x00, 0x00, 0x00, 0x02};

    private TxTestSupport()
    {
    }

    /**
     * A ready harness: TX ring of {@code count} descriptors enabled, link up.
     *
     * @param count ring size.
     * @return harness.
     */
    static DeviceHarness harness(final int count)
    {
        return harness(count, null);
    }

    /**
     * A ready harness with a given sink.
     *
     * @param count ring size.
     * @param sink  sink or null for the capturing wire.
     * @return harness.
     */
    static DeviceHarness harness(final int count, final FrameSink sink)
    {
        final DeviceHarness h = new DeviceHarness(false, sink);
        h.registers.set(E1000Registers.STATUS, h.registers.get(E1000Registers.STATUS) | E1000Registers.STATUS_LU);
        h.setUpTxRing(count);
        return h;
    }

    static long bufferGpa(final int slot)
    {
        return DeviceHarness.BUFFERS_GPA + slot * 0x1_0000L;
    }

    static void putLegacy(
        final DeviceHarness h,
        final int index,
        final long gpa,
        final int lengthBytes,
        final int cmd,
        final int cso,
        final int css,
        final int special)
    {
        h.putRawTx(index, gpa, Descriptors.legacyTxHigh(lengthBytes, cmd, cso, 0, css, special));
    }

    static void putContext(
        final DeviceHarness h,
        final int index,
        final int ipcss,
        final int ipcso,
        final int ipcse,
        final int tucss,
        final int tucso,
        final int tucse,
        final int paylen,
        final int tucmd,
        final int hdrlen,
        final int mss)
    {
        h.putRawTx(index, Descriptors.contextTxLow(ipcss, ipcso, ipcse, tucss, tucso, tucse),
            Descriptors.contextTxHigh(paylen, tucmd, hdrlen, mss));
    }

    static void putData(
        final DeviceHarness h,
        final int index,
        final long gpa,
        final int lengthBytes,
        final int dcmd,
        final int popts,
        final int special)
    {
        h.putRawTx(index, gpa, Descriptors.dataTxHigh(lengthBytes, dcmd, popts, special));
    }

    /**
     * Advance TDT as the guest does (shared page, no trap).
     *
     * @param h    harness.
     * @param tail new tail.
     */
    static void ring(final DeviceHarness h, final int tail)
    {
        h.writeShared(E1000Registers.TDT, tail);
    }

    /**
     * Write a packet into guest memory, split across descriptors of the given sizes starting at ring index
     * {@code first}: data descriptors with {@code dcmd}; the last gets EOP and RS.
     *
     * @return next free ring index.
     */
    static int putDataChain(
        final DeviceHarness h,
        final int first,
        final byte[] packet,
        final int[] splits,
        final int dcmd,
        final int popts,
        final int special)
    {
        h.putBytes(bufferGpa(0), packet);
        int index = first;
        int offset = 0;
        for (int i = 0; i < splits.length; i++)
        {
            final boolean last = i == splits.length - 1;
            final int length = last ? packet.length - offset : splits[i];
            final int cmd = dcmd | (last ? E1000TxDescriptor.CMD_EOP | E1000TxDescriptor.CMD_RS : 0);
            putData(h, index, bufferGpa(0) + offset, length, cmd, popts, special);
            offset += length;
            index++;
        }
        return index;
    }

    /**
     * Description of a built packet.
     */
    public static final class Packet
    {
        public byte[] bytes;
        public boolean ipv4;
        public boolean tcp;
        public int ipHeaderLength;
        public int l4HeaderLength;
        public int ipStart = ETH_HEADER;
        public int l4Start;
        public int headerLength;
        public int payloadLength;
        public int tcpSequence;
        public int ipIdentification;
        public int tcpFlags;

        int tucso()
        {
            return l4Start + (tcp ? 16 : 6);
        }

        int tucmd(final boolean tse)
        {
            return (tcp ? E1000TxDescriptor.TUCMD_TCP : 0) |
                (ipv4 ? E1000TxDescriptor.TUCMD_IP : 0) |
                (tse ? E1000TxDescriptor.TUCMD_TSE : 0);
        }
    }

    /**
     * Build a packet. For TSO the IP length fields and the IPv4 checksum are 0 and the transport checksum field holds
     * the pseudo-header sum with a length of 0 (Linux e1000_tso); otherwise lengths are real and the field holds the
     * pseudo-header sum including the transport length (CHECKSUM_PARTIAL).
     */
    public static Packet build(
        final boolean ipv4,
        final boolean tcp,
        final int ipOptionsBytes,
        final int tcpOptionsBytes,
        final byte[] payload,
        final int tcpFlags,
        final int tcpSequence,
        final int ipIdentification,
        final boolean tso)
    {
        final Packet p = new Packet();
        p.ipv4 = ipv4;
        p.tcp = tcp;
        p.ipHeaderLength = ipv4 ? 20 + ipOptionsBytes : 40;
        p.l4HeaderLength = tcp ? 20 + tcpOptionsBytes : 8;
        p.l4Start = ETH_HEADER + p.ipHeaderLength;
        p.headerLength = p.l4Start + p.l4HeaderLength;
        p.payloadLength = payload.length;
        p.tcpSequence = tcpSequence;
        p.ipIdentification = ipIdentification & 0xFFFF;
        p.tcpFlags = tcpFlags;
        final int total = p.headerLength + payload.length;
        final ByteBuffer b = ByteBuffer.allocate(total).order(ByteOrder.BIG_ENDIAN);
        b.put(DST_MAC).put(DeviceHarness.MAC).putShort((short)(ipv4 ? ETHERTYPE_IPV4 : ETHERTYPE_IPV6));
        final int proto = tcp ? PROTO_TCP : PROTO_UDP;
        final int l4Length = p.l4HeaderLength + payload.length;
        if (ipv4)
        {
            b.put((byte)(0x40 | (p.ipHeaderLength / 4))).put((byte)0);
            b.putShort((short)(tso ? 0 : p.ipHeaderLength + l4Length));
            b.putShort((short)ipIdentification).putShort((short)0x4000);
            b.put((byte)64).put((byte)proto).putShort((short)0);
            b.putInt(0x0A000001).putInt(0x0A000002);
            for (int i = 0; i < ipOptionsBytes; i++)
            {
                b.put((byte)(i == ipOptionsBytes - 1 ? 0 : 1));
            }
        }
        else
        {
            b.putInt(0x60000000).putShort((short)(tso ? 0 : l4Length)).put((byte)proto).put((byte)64);
            for (int i = 0; i < 16; i++)
            {
                b.put((byte)(0x20 + i));
            }
            for (int i = 0; i < 16; i++)
            {
                b.put((byte)(0x40 + i));
            }
        }
        if (tcp)
        {
            b.putShort((short)40000).putShort((short)80).putInt(tcpSequence).putInt(0x11223344);
            b.put((byte)((p.l4HeaderLength / 4) << 4)).put((byte)tcpFlags).putShort((short)0xFFFF);
            b.putShort((short)0).putShort((short)0);
            for (int i = 0; i < tcpOptionsBytes; i++)
            {
                b.put((byte)1);
            }
        }
        else
        {
            b.putShort((short)5000).putShort((short)6000).putShort((short)(tso ? 0 : l4Length)).putShort((short)0);
        }
        b.put(payload);
        p.bytes = b.array();
        final int pseudo = pseudoHeaderSum(p.bytes, ipv4, proto, tso ? 0 : l4Length);
        p.bytes[p.tucso()] = (byte)(pseudo >>> 8);
        p.bytes[p.tucso() + 1] = (byte)pseudo;
        return p;
    }

    /**
     * Folded (not complemented) pseudo-header sum, computed independently of the code under test.
     */
    static int pseudoHeaderSum(final byte[] frame, final boolean ipv4, final int proto, final int l4Length)
    {
        long sum = 0;
        if (ipv4)
        {
            sum += TxPacketVerifier.sum16(frame, ETH_HEADER + 12, 8);
        }
        else
        {
            sum += TxPacketVerifier.sum16(frame, ETH_HEADER + 8, 32);
        }
        sum += proto;
        sum += (l4Length >>> 16) + (l4Length & 0xFFFF);
        return TxPacketVerifier.fold(sum);
    }

    public static byte[] payload(final int length, final int seed)
    {
        final byte[] bytes = new byte[length];
        int x = seed * 0x9E3779B9 + 1;
        for (int i = 0; i < length; i++)
        {
            x = x * 1103515245 + 12345;
            bytes[i] = (byte)(x >>> 16);
        }
        return bytes;
    }
}
