package io.sidecore.engine.e1000;

import io.sidecore.engine.net.InternetChecksum;
import io.sidecore.shm.E1000Registers;
import io.sidecore.shm.PortCounter;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static io.sidecore.engine.e1000.RxFrames.PROTOCOL_TCP;
import static io.sidecore.engine.e1000.RxFrames.PROTOCOL_UDP;
import static io.sidecore.engine.e1000.RxFrames.ipv4;
import static io.sidecore.shm.E1000RxDescriptor.ERR_IPE;
import static io.sidecore.shm.E1000RxDescriptor.ERR_TCPE;
import static io.sidecore.shm.E1000RxDescriptor.STA_DD;
import static io.sidecore.shm.E1000RxDescriptor.STA_EOP;
import static io.sidecore.shm.E1000RxDescriptor.STA_IPCS;
import static io.sidecore.shm.E1000RxDescriptor.STA_IXSM;
import static io.sidecore.shm.E1000RxDescriptor.STA_TCPCS;
import static io.sidecore.shm.E1000RxDescriptor.STA_VP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Receive checksum offload status (SDM 3.2.9, RXCSUM IPOFL/TUOFL) as written into the EOP descriptor.
 */
class RxChecksumTest
{
    private static final int BOTH = E1000Registers.RXCSUM_IPOFL | E1000Registers.RXCSUM_TUOFL;

    private final DeviceHarness h = new DeviceHarness();

    @BeforeEach
    void setUp()
    {
        RxFrames.ready(h, 16);
    }

    @Test
    void shouldSetIxsmWhenNoChecksumOffloadEnabled()
    {
        assertTrue(h.receive(ipv4(PROTOCOL_TCP, 100, -1)));

        assertEquals(STA_DD | STA_EOP | STA_IXSM, h.rxStatus(0));
        assertEquals(0, h.rxErrors(0));
    }

    @Test
    void shouldSetIpcsAndTcpcsWhenTcpOverIpv4Valid()
    {
        h.write(E1000Registers.RXCSUM, BOTH);

        assertTrue(h.receive(ipv4(PROTOCOL_TCP, 1000, -1)));

        assertEquals(STA_DD | STA_EOP | STA_IPCS | STA_TCPCS, h.rxStatus(0));
        assertEquals(0, h.rxErrors(0));
    }

    @Test
    void shouldSetTcpcsOnlyWhenOnlyTuoflEnabled()
    {
        // Linux e1000 programs RXCSUM |= TUOFL.
        h.write(E1000Registers.RXCSUM, E1000Registers.RXCSUM_TUOFL);

        assertTrue(h.receive(ipv4(PROTOCOL_TCP, 1000, -1)));

        assertEquals(STA_DD | STA_EOP | STA_TCPCS, h.rxStatus(0));
    }

    @Test
    void shouldSetIpcsOnlyWhenOnlyIpoflEnabled()
    {
        h.write(E1000Registers.RXCSUM, E1000Registers.RXCSUM_IPOFL);

        assertTrue(h.receive(ipv4(PROTOCOL_TCP, 1000, -1)));

        assertEquals(STA_DD | STA_EOP | STA_IPCS, h.rxStatus(0));
    }

    @Test
    void shouldSetTcpeWhenTcpChecksumWrong()
    {
        h.write(E1000Registers.RXCSUM, BOTH);
        final byte[] frame = ipv4(PROTOCOL_TCP, 200, -1);
        frame[frame.length - 1] ^= 0x01;

        assertTrue(h.receive(frame));

        assertEquals(STA_DD | STA_EOP | STA_IPCS | STA_TCPCS, h.rxStatus(0));
        assertEquals(ERR_TCPE, h.rxErrors(0));
        assertEquals(1, h.counter(PortCounter.RX_FRAMES));
    }

    @Test
    void shouldSetIpeWhenIpHeaderChecksumWrong()
    {
        h.write(E1000Registers.RXCSUM, BOTH);
        final byte[] frame = ipv4(PROTOCOL_TCP, 200, -1);
        frame[14 + 8] = 63;

        assertTrue(h.receive(frame));

        assertEquals(STA_DD | STA_EOP | STA_IPCS | STA_TCPCS, h.rxStatus(0));
        assertEquals(ERR_IPE, h.rxErrors(0));
    }

    @Test
    void shouldSetTcpcsWhenUdpChecksumValid()
    {
        h.write(E1000Registers.RXCSUM, BOTH);

        assertTrue(h.receive(ipv4(PROTOCOL_UDP, 333, -1)));

        assertEquals(STA_DD | STA_EOP | STA_IPCS | STA_TCPCS, h.rxStatus(0));
        assertEquals(0, h.rxErrors(0));
    }

    @Test
    void shouldNotSetTcpcsWhenUdpSentWithoutChecksum()
    {
        h.write(E1000Registers.RXCSUM, BOTH);
        final byte[] frame = ipv4(PROTOCOL_UDP, 100, -1);
        frame[14 + 20 + 6] = 0;
        frame[14 + 20 + 7] = 0;

        assertTrue(h.receive(frame));

        assertEquals(STA_DD | STA_EOP | STA_IPCS, h.rxStatus(0));
        assertEquals(0, h.rxErrors(0));
    }

    @Test
    void shouldNotComputeL4ChecksumWhenIpv4Fragment()
    {
        h.write(E1000Registers.RXCSUM, BOTH);
        final byte[] frame = ipv4(PROTOCOL_TCP, 100, -1);
        frame[14 + 6] = 0x20;
        fixIpChecksum(frame, 14);

        assertTrue(h.receive(frame));

        assertEquals(STA_DD | STA_EOP | STA_IPCS, h.rxStatus(0));
        assertEquals(0, h.rxErrors(0));
    }

    @Test
    void shouldSetNoChecksumBitsWhenFrameNotIpv4()
    {
        h.write(E1000Registers.RXCSUM, BOTH);

        assertTrue(h.receive(DeviceHarness.broadcastFrame(100, 1)));

        assertEquals(STA_DD | STA_EOP, h.rxStatus(0));
        assertEquals(0, h.rxErrors(0));
    }

    @Test
    void shouldSetNoChecksumBitsWhenIpTotalLengthExceedsFrame()
    {
        h.write(E1000Registers.RXCSUM, BOTH);
        final byte[] frame = ipv4(PROTOCOL_TCP, 100, -1);
        RxFrames.putShort(frame, 14 + 2, 2000);
        fixIpChecksum(frame, 14);

        assertTrue(h.receive(frame));

        assertEquals(STA_DD | STA_EOP, h.rxStatus(0));
    }

    @Test
    void shouldVerifyChecksumOfPaddedShortFrameOverIpLengthOnly()
    {
        h.write(E1000Registers.RXCSUM, BOTH);
        final byte[] frame = ipv4(PROTOCOL_UDP, 2, -1);

        assertTrue(h.receive(frame));

        assertEquals(64, h.rxLength(0));
        assertEquals(STA_DD | STA_EOP | STA_IPCS | STA_TCPCS, h.rxStatus(0));
        assertEquals(0, h.rxErrors(0));
    }

    @Test
    void shouldVerifyChecksumBehindVlanTagWhenTagStripped()
    {
        h.write(E1000Registers.RXCSUM, BOTH);
        h.write(E1000Registers.CTRL, E1000Registers.CTRL_SLU | E1000Registers.CTRL_VME);

        assertTrue(h.receive(ipv4(PROTOCOL_TCP, 500, 0x0042)));

        assertEquals(STA_DD | STA_EOP | STA_IPCS | STA_TCPCS | STA_VP, h.rxStatus(0));
        assertEquals(0x0042, h.rxSpecial(0));
        assertEquals(0, h.rxErrors(0));
    }

    @Test
    void shouldReportChecksumOnlyOnEopDescriptorWhenFrameSpans()
    {
        h.write(E1000Registers.RXCSUM, BOTH);
        h.write(E1000Registers.RCTL, h.registers.get(E1000Registers.RCTL) | 3 << E1000Registers.RCTL_BSIZE_SHIFT);

        assertTrue(h.receive(ipv4(PROTOCOL_TCP, 600, -1)));

        assertEquals(STA_DD, h.rxStatus(0));
        assertEquals(STA_DD, h.rxStatus(1));
        assertEquals(STA_DD | STA_EOP | STA_IPCS | STA_TCPCS, h.rxStatus(2));
    }

    @Property(tries = 500)
    void shouldSumAsReferenceChecksum(
        @ForAll @Size(min = 1, max = 200) final byte[] bytes,
        @ForAll @IntRange(min = 0, max = 200) final int from,
        @ForAll @IntRange(min = 0, max = 200) final int length)
    {
        final int start = Math.min(from, bytes.length);
        final int count = Math.min(length, bytes.length - start);

        final int folded = InternetChecksum.fold(InternetChecksum.sum(new UnsafeBuffer(bytes), start, count, 0));

        assertEquals(RxFrames.checksum(bytes, start, count, 0), folded);
    }

    private static void fixIpChecksum(final byte[] frame, final int ip)
    {
        RxFrames.putShort(frame, ip + 10, 0);
        RxFrames.putShort(frame, ip + 10, ~RxFrames.checksum(frame, ip, 20, 0) & 0xFFFF);
    }
}
