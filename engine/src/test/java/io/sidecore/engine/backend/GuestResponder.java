package io.sidecore.engine.backend;

import io.sidecore.engine.frame.FrameMetadata;
import io.sidecore.engine.frame.FrameSink;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Test support: the smallest IPv4 host that can stand behind a {@link TapBackend} in place of a guest. Answers ARP
 * and ICMP echo, accepts one TCP connection (in-order receive, an ACK per segment, FIN answered with FIN) or opens
 * one, and checks every frame it gets: IPv4 header and L4 checksums must verify.
 */
final class GuestResponder implements FrameSink
{
    static final byte[] MAC = {0x02, 0x5c, 0x00, 0x00, 0x00, 0x02};
    private static final int ISN = 0x10_00_00_00;
    private static final int WINDOW = 65535;
    private static final int PROTOCOL_ICMP = 1;
    private static final int PROTOCOL_TCP = 6;

    private final TapBackend backend;
    private final byte[] ip;
    private final byte[] hostIp;
    byte[] hostMac;

    int framesReceived;
    int maxFrameBytes;
    int badChecksums;
    int arpRepliesSent;
    int echoRequestsSeen;
    int echoRepliesSent;

    private int listenPort = -1;
    private int localPort;
    private int remotePort;
    int sendNext;
    int receiveNext;
    int hostAcknowledged;
    int hostWindow;
    boolean synReceived;
    boolean established;
    boolean finReceived;
    boolean resetReceived;
    final ByteArrayOutputStream received = new ByteArrayOutputStream();

    GuestResponder(final TapBackend backend, final byte[] ip, final byte[] hostIp)
    {
        this.backend = backend;
        this.ip = ip.clone();
        this.hostIp = hostIp.clone();
    }

    void listen(final int port)
    {
        listenPort = port;
        localPort = port;
        hostAcknowledged = ISN;
    }

    public int onFrame(
        final DirectBuffer buffer, final int offset, final int lengthBytes, final FrameMetadata metadata,
        final long nowNs)
    {
        final byte[] frame = new byte[lengthBytes];
        buffer.getBytes(offset, frame);
        framesReceived++;
        maxFrameBytes = Math.max(maxFrameBytes, lengthBytes);
        final int etherType = TestFrames.u16(frame, 12);
        if (etherType == 0x0806)
        {
            onArp(frame);
        }
        else if (etherType == 0x0800 && lengthBytes >= 34)
        {
            onIpv4(frame);
        }
        return DELIVERED;
    }

    private void onArp(final byte[] frame)
    {
        final int operation = TestFrames.u16(frame, 20);
        final byte[] senderMac = Arrays.copyOfRange(frame, 22, 28);
        final byte[] senderIp = Arrays.copyOfRange(frame, 28, 32);
        final byte[] targetIp = Arrays.copyOfRange(frame, 38, 42);
        if (Arrays.equals(senderIp, hostIp))
        {
            hostMac = senderMac;
        }
        if (operation == 1 && Arrays.equals(targetIp, ip))
        {
            send(arp(2, senderMac, senderIp));
            arpRepliesSent++;
        }
    }

    /**
     * Ask who has the host address (the reply teaches {@link #hostMac}).
     */
    void resolveHost()
    {
        send(arp(1, new byte[6], hostIp));
    }

    private byte[] arp(final int operation, final byte[] targetMac, final byte[] targetIp)
    {
        final ByteBuffer b = ByteBuffer.allocate(42).order(ByteOrder.BIG_ENDIAN);
        b.put(operation == 1 ? new byte[]{-1, -1, -1, -1, -1, -1} : targetMac).put(MAC).putShort((short)0x0806);
        b.putShort((short)1).putShort((short)0x0800).put((byte)6).put((byte)4).putShort((short)operation);
        b.put(MAC).put(ip).put(targetMac).put(targetIp);
        return b.array();
    }

    private void onIpv4(final byte[] raw)
    {
        final int ihl = (raw[14] & 0x0F) * 4;
        final int totalLength = TestFrames.u16(raw, 16);
        if (14 + totalLength > raw.length || totalLength < ihl)
        {
            badChecksums++;
            return;
        }
        final byte[] frame = Arrays.copyOf(raw, 14 + totalLength);
        final int protocol = frame[23] & 0xFF;
        final int l4 = 14 + ihl;
        if (!TestFrames.isIpv4HeaderValid(frame, 14) ||
            (protocol == PROTOCOL_TCP && !TestFrames.isL4ChecksumValid(frame, 14, false, PROTOCOL_TCP, l4)) ||
            (protocol == PROTOCOL_ICMP && TestFrames.fold(TestFrames.sum(frame, l4, frame.length - l4, 0)) != 0xFFFF))
        {
            badChecksums++;
            return;
        }
        if (!Arrays.equals(Arrays.copyOfRange(frame, 30, 34), ip))
        {
            return;
        }
        if (protocol == PROTOCOL_ICMP && (frame[l4] & 0xFF) == 8)
        {
            echoRequestsSeen++;
            send(echoReply(frame, l4));
            echoRepliesSent++;
        }
        else if (protocol == PROTOCOL_TCP)
        {
            onTcp(frame, l4);
        }
    }

    private byte[] echoReply(final byte[] request, final int l4)
    {
        final byte[] reply = request.clone();
        System.arraycopy(request, 6, reply, 0, 6);
        System.arraycopy(MAC, 0, reply, 6, 6);
        System.arraycopy(request, 30, reply, 26, 4);
        System.arraycopy(request, 26, reply, 30, 4);
        reply[24] = 0;
        reply[25] = 0;
        final int headerChecksum = TestFrames.finish(TestFrames.sum(reply, 14, l4 - 14, 0));
        reply[24] = (byte)(headerChecksum >>> 8);
        reply[25] = (byte)headerChecksum;
        reply[l4] = 0;
        reply[l4 + 2] = 0;
        reply[l4 + 3] = 0;
        final int icmpChecksum = TestFrames.finish(TestFrames.sum(reply, l4, reply.length - l4, 0));
        reply[l4 + 2] = (byte)(icmpChecksum >>> 8);
        reply[l4 + 3] = (byte)icmpChecksum;
        return reply;
    }

    private void onTcp(final byte[] frame, final int l4)
    {
        hostMac = Arrays.copyOfRange(frame, 6, 12);
        final int sourcePort = TestFrames.u16(frame, l4);
        final int destinationPort = TestFrames.u16(frame, l4 + 2);
        final int sequence = TestFrames.u32(frame, l4 + 4);
        final int acknowledgement = TestFrames.u32(frame, l4 + 8);
        final int dataOffset = ((frame[l4 + 12] & 0xFF) >>> 4) * 4;
        final int flags = frame[l4 + 13] & 0xFF;
        final int payloadBytes = frame.length - l4 - dataOffset;
        if (destinationPort != localPort)
        {
            return;
        }
        if ((flags & TestFrames.TCP_RST) != 0)
        {
            resetReceived = true;
            return;
        }
        if ((flags & TestFrames.TCP_ACK) != 0 && acknowledgement - hostAcknowledged > 0)
        {
            hostAcknowledged = acknowledgement;
            hostWindow = TestFrames.u16(frame, l4 + 14);
        }
        if ((flags & TestFrames.TCP_SYN) != 0)
        {
            remotePort = sourcePort;
            receiveNext = sequence + 1;
            if ((flags & TestFrames.TCP_ACK) == 0 && localPort == listenPort)
            {
                synReceived = true;
                sendNext = ISN;
                send(tcp(ISN, receiveNext, TestFrames.TCP_SYN | TestFrames.TCP_ACK, true, null, 0, 0));
                sendNext = ISN + 1;
            }
            else
            {
                established = true;
                send(tcp(sendNext, receiveNext, TestFrames.TCP_ACK, false, null, 0, 0));
            }
            return;
        }
        if (sourcePort != remotePort)
        {
            return;
        }
        established = true;
        final int alreadyHave = receiveNext - sequence;
        if (payloadBytes > 0 && alreadyHave >= 0 && alreadyHave < payloadBytes)
        {
            received.write(frame, l4 + dataOffset + alreadyHave, payloadBytes - alreadyHave);
            receiveNext += payloadBytes - alreadyHave;
        }
        if ((flags & TestFrames.TCP_FIN) != 0 && sequence + payloadBytes == receiveNext && !finReceived)
        {
            finReceived = true;
            receiveNext++;
            send(tcp(sendNext, receiveNext, TestFrames.TCP_FIN | TestFrames.TCP_ACK, false, null, 0, 0));
            sendNext++;
        }
        else if (payloadBytes > 0 || (flags & TestFrames.TCP_FIN) != 0)
        {
            send(tcp(sendNext, receiveNext, TestFrames.TCP_ACK, false, null, 0, 0));
        }
    }

    /**
     * Active open towards the host.
     */
    void connect(final int localPortNumber, final int hostPort)
    {
        localPort = localPortNumber;
        remotePort = hostPort;
        sendNext = ISN;
        hostAcknowledged = ISN;
        send(tcp(ISN, 0, TestFrames.TCP_SYN, true, null, 0, 0));
        sendNext = ISN + 1;
    }

    /**
     * A correct TCP frame from this host to the host side.
     */
    byte[] tcp(final int sequence, final int acknowledgement, final int flags, final boolean mssOption,
        final byte[] payload, final int payloadOffset, final int payloadBytes)
    {
        final int optionBytes = mssOption ? 4 : 0;
        final int l4 = 34;
        final byte[] frame = new byte[l4 + 20 + optionBytes + payloadBytes];
        final ByteBuffer b = ByteBuffer.wrap(frame).order(ByteOrder.BIG_ENDIAN);
        b.put(0, hostMac).put(6, MAC).putShort(12, (short)0x0800);
        b.put(14, (byte)0x45).putShort(16, (short)(frame.length - 14)).putShort(20, (short)0x4000);
        b.put(22, (byte)64).put(23, (byte)PROTOCOL_TCP).put(26, ip).put(30, hostIp);
        b.putShort(24, (short)TestFrames.finish(TestFrames.sum(frame, 14, 20, 0)));
        b.putShort(l4, (short)localPort).putShort(l4 + 2, (short)remotePort);
        b.putInt(l4 + 4, sequence).putInt(l4 + 8, acknowledgement);
        b.put(l4 + 12, (byte)(((20 + optionBytes) / 4) << 4)).put(l4 + 13, (byte)flags);
        b.putShort(l4 + 14, (short)WINDOW);
        if (mssOption)
        {
            b.putInt(l4 + 20, 0x0204_05B4);
        }
        if (payloadBytes > 0)
        {
            System.arraycopy(payload, payloadOffset, frame, l4 + 20 + optionBytes, payloadBytes);
        }
        final int l4Length = frame.length - l4;
        b.putShort(l4 + 16, (short)TestFrames.finish(TestFrames.sum(frame, l4, l4Length,
            TestFrames.pseudo(frame, 14, false, PROTOCOL_TCP, l4Length))));
        return frame;
    }

    private void send(final byte[] frame)
    {
        backend.onFrame(new UnsafeBuffer(frame), 0, frame.length, TestFrames.PLAIN, 0L);
    }
}
