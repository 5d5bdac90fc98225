package io.sidecore.engine.e1000;

import io.sidecore.engine.frame.FrameMetadata;
import io.sidecore.engine.frame.FrameSink;
import io.sidecore.shm.E1000Registers;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static io.sidecore.engine.e1000.TxTestSupport.build;
import static io.sidecore.engine.e1000.TxTestSupport.harness;
import static io.sidecore.engine.e1000.TxTestSupport.payload;
import static io.sidecore.engine.e1000.TxTestSupport.putContext;
import static io.sidecore.engine.e1000.TxTestSupport.putDataChain;
import static io.sidecore.engine.e1000.TxTestSupport.ring;
import static io.sidecore.shm.E1000RxDescriptor.ERR_TCPE;
import static io.sidecore.shm.E1000RxDescriptor.STA_DD;
import static io.sidecore.shm.E1000RxDescriptor.STA_TCPCS;
import static io.sidecore.shm.E1000TxDescriptor.CMD_VLE;
import static io.sidecore.shm.E1000TxDescriptor.POPTS_IXSM;
import static io.sidecore.shm.E1000TxDescriptor.POPTS_TXSM;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A transport checksum the transmitting device inserted travels with the frame ({@link FrameMetadata#checksumCarried})
 * and the receiving device verifies it from the pseudo header instead of summing the segment again (issue 11 §0).
 * The receiver must reach exactly the verdict summing reaches, for every context a guest may program: the right or a
 * wrong pseudo-header sum in the field, the range starting elsewhere or ending early, bytes after the IP datagram,
 * an inserted VLAN tag, an IP checksum inserted after the transport one.
 */
class CarriedChecksumTest
{
    private static final int RX_BOTH = E1000Registers.RXCSUM_IPOFL | E1000Registers.RXCSUM_TUOFL;

    @Property(tries = 500)
    void shouldReachTheVerdictSummingReaches(
        @ForAll final boolean tcp,
        @ForAll @IntRange(min = 0, max = 1400) final int payloadBytes,
        @ForAll @IntRange(min = 0, max = 10) final int ipOptionWords,
        @ForAll @IntRange(min = -2, max = 2) final int partialError,
        @ForAll @IntRange(min = -3, max = 3) final int startShift,
        @ForAll @IntRange(min = 0, max = 2) final int endKind,
        @ForAll @IntRange(min = 0, max = 3) final int trailerBytes,
        @ForAll final boolean vlan,
        @ForAll final boolean ipChecksum,
        @ForAll final boolean ipChecksumInsideRange)
    {
        final TxTestSupport.Packet p = build(true, tcp, ipOptionWords * 4, 0, payload(payloadBytes, payloadBytes),
            0x18, 7, 9, false);
        final byte[] bytes = Arrays.copyOf(p.bytes, p.bytes.length + trailerBytes);
        Arrays.fill(bytes, p.bytes.length, bytes.length, (byte)0x5A);
        final int field = p.tucso();
        final int partial = ((bytes[field] & 0xFF) << 8 | (bytes[field + 1] & 0xFF)) + partialError * 0x1111;
        bytes[field] = (byte)(partial >>> 8);
        bytes[field + 1] = (byte)partial;
        final int tucss = p.l4Start + startShift;
        final int tucse = 0 == endKind ? 0 : 1 == endKind ? p.bytes.length - 1 : p.bytes.length - 3;
        final int ipcso = ipChecksumInsideRange ? tucss + 2 : p.ipStart + 10;
        final int rangeEnd = 0 == tucse ? bytes.length : tucse + 1;
        final boolean ipFieldInRange = ipChecksum && ipcso + 2 > tucss && ipcso < rangeEnd;

        final Sent sent = transmit(bytes, tucss, field, tucse, p.ipStart, ipcso, p.l4Start - 1, p.tucmd(false),
            POPTS_TXSM | (ipChecksum ? POPTS_IXSM : 0), vlan);

        final int summed = receiveStatus(sent.frame, null);
        final int carried = receiveStatus(sent.frame, sent.metadata);
        assertEquals(summed, carried, "RX status/errors with the carried checksum against summing");
        final boolean exactRange = 0 == startShift && 2 != endKind && 0 == trailerBytes && !ipFieldInRange;
        if (exactRange)
        {
            final int tagBytes = vlan ? 4 : 0;
            assertTrue(sent.metadata.carriesChecksumOf(p.l4Start + tagBytes, p.bytes.length + tagBytes,
                field + tagBytes), "the shortcut applies to the segment as the receiver parses it");
            assertEquals(STA_DD | STA_TCPCS, carried & (STA_DD | STA_TCPCS), "delivered with a checksum verdict");
            assertEquals(0 == partialError, 0 == (carried & (ERR_TCPE << 8)), "TCPE exactly when the partial is wrong");
            // The receiver really took the shortcut: with the segment's last byte changed in flight, summing finds
            // the change and the carried verdict does not see it.
            final byte[] changed = sent.frame.clone();
            changed[p.bytes.length + tagBytes - 1] ^= 0x01;
            assertEquals(carried, receiveStatus(changed, sent.metadata), "the carried verdict ignores the bytes");
            if (0 == partialError)
            {
                assertTrue(carried != receiveStatus(changed, null), "summing sees the changed byte");
            }
        }
        if (ipFieldInRange)
        {
            assertFalse(sent.metadata.checksumCarried, "an IP checksum inserted inside the range voids the carry");
        }
    }

    @Test
    void shouldTrustTheCarriedChecksumInsteadOfSummingTheSegment()
    {
        // Pins that the receiver uses the carried result: a payload byte changed after transmission (which the switch
        // never does) still gets the carried verdict, while summing finds the error.
        final TxTestSupport.Packet p = build(true, false, 0, 0, payload(18, 3), 0, 0, 1, false);
        final Sent sent = transmit(p.bytes, p.l4Start, p.tucso(), 0, p.ipStart, p.ipStart + 10, p.l4Start - 1,
            p.tucmd(false), POPTS_TXSM, false);
        sent.frame[sent.frame.length - 1] ^= 0x01;

        assertEquals(STA_TCPCS, receiveStatus(sent.frame, sent.metadata) & (STA_TCPCS | ERR_TCPE << 8));
        assertEquals(STA_TCPCS | ERR_TCPE << 8, receiveStatus(sent.frame, null) & (STA_TCPCS | ERR_TCPE << 8));
    }

    @Test
    void shouldReachTheSummingVerdictWhenTheUdpChecksumComesOutZeroAndIsSentAsAllOnes()
    {
        // RFC 768: a computed 0 is sent as 0xFFFF; both are ones' complement zero, so the carried verdict holds.
        final TxTestSupport.Packet p = build(true, false, 0, 0, payload(20, 5), 0, 0, 1, false);
        final int last = p.bytes.length - 2;
        p.bytes[last] = 0;
        p.bytes[last + 1] = 0;
        final long sum = TxPacketVerifier.sum16(p.bytes, p.l4Start, p.bytes.length - p.l4Start);
        final int word = 0xFFFF - TxPacketVerifier.fold(sum);
        p.bytes[last] = (byte)(word >>> 8);
        p.bytes[last + 1] = (byte)word;

        final Sent sent = transmit(p.bytes, p.l4Start, p.tucso(), 0, p.ipStart, p.ipStart + 10, p.l4Start - 1,
            p.tucmd(false), POPTS_TXSM, false);

        assertEquals(0xFFFF, (sent.frame[p.tucso()] & 0xFF) << 8 | sent.frame[p.tucso() + 1] & 0xFF);
        assertTrue(sent.metadata.checksumCarried);
        final int carried = receiveStatus(sent.frame, sent.metadata);
        assertEquals(receiveStatus(sent.frame, null), carried);
        assertEquals(STA_TCPCS, carried & (STA_TCPCS | ERR_TCPE << 8));
    }

    @Test
    void shouldCarryNothingFromALegacyOrOffloadedPath()
    {
        final FrameMetadata metadata = new FrameMetadata();
        metadata.checksumCarried = true;

        metadata.reset();

        assertFalse(metadata.checksumCarried);
        assertFalse(metadata.carriesChecksumOf(0, 0, 0));
    }

    private static Sent transmit(
        final byte[] bytes,
        final int tucss,
        final int tucso,
        final int tucse,
        final int ipcss,
        final int ipcso,
        final int ipcse,
        final int tucmd,
        final int popts,
        final boolean vlan)
    {
        final Sent sent = new Sent();
        final DeviceHarness h = harness(16, new FrameSink()
        {
            public int onFrame(
                final DirectBuffer frame, final int offset, final int lengthBytes, final FrameMetadata metadata,
                final long nowNs)
            {
                sent.frame = new byte[lengthBytes];
                frame.getBytes(offset, sent.frame);
                copy(metadata, sent.metadata);
                return DELIVERED;
            }
        });
        if (vlan)
        {
            h.registers.set(E1000Registers.CTRL, h.registers.get(E1000Registers.CTRL) | E1000Registers.CTRL_VME);
            h.write(E1000Registers.VET, 0x8100);
        }
        putContext(h, 0, ipcss, ipcso, ipcse, tucss, tucso, tucse, 0, tucmd, 0, 0);
        final int next = putDataChain(h, 1, bytes, new int[] {0}, vlan ? CMD_VLE : 0, popts, 0x0123);
        ring(h, next);
        h.pollTx();
        assertTrue(null != sent.frame, "the frame was sent");
        return sent;
    }

    private static int receiveStatus(final byte[] frame, final FrameMetadata metadata)
    {
        final DeviceHarness rx = new DeviceHarness();
        RxFrames.ready(rx, 16);
        rx.write(E1000Registers.RCTL, E1000Registers.RCTL_EN | E1000Registers.RCTL_BAM | E1000Registers.RCTL_UPE);
        rx.write(E1000Registers.RXCSUM, RX_BOTH);
        rx.device.receive(new UnsafeBuffer(frame), 0, frame.length, metadata, rx.nowNs);
        return rx.rxStatus(0) & 0xFF | (rx.rxErrors(0) & 0xFF) << 8;
    }

    private static void copy(final FrameMetadata from, final FrameMetadata to)
    {
        to.reset();
        to.checksumCarried = from.checksumCarried;
        to.carriedChecksumStartBytes = from.carriedChecksumStartBytes;
        to.carriedChecksumEndBytes = from.carriedChecksumEndBytes;
        to.carriedChecksumFieldBytes = from.carriedChecksumFieldBytes;
        to.carriedGuestPartial = from.carriedGuestPartial;
    }

    private static final class Sent
    {
        byte[] frame;
        final FrameMetadata metadata = new FrameMetadata();
    }
}
