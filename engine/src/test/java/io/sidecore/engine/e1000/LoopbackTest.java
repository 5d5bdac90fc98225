package io.sidecore.engine.e1000;

import io.sidecore.engine.frame.FrameMetadata;
import io.sidecore.engine.frame.FrameSink;
import io.sidecore.shm.E1000Registers;
import io.sidecore.shm.E1000TxDescriptor;
import io.sidecore.shm.PortCounter;
import org.agrona.DirectBuffer;
import org.junit.jupiter.api.Test;

import static io.sidecore.engine.e1000.PhyMdicTest.mdicWrite;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * MAC loopback (SDM 13.4.22 RCTL.LBM = 01) and PHY loopback (PHY control register bit 14, what Linux's
 * {@code ethtool -t} uses on an 82540): a frame the guest transmits comes back on its own RX ring, nothing leaves
 * the port, nothing from outside enters.
 */
class LoopbackTest
{
    /** Linux's {@code e1000_integrated_phy_loopback}: loopback, 1000 Mb/s, full duplex, autonegotiation off. */
    private static final int BMCR_LOOPBACK_1000_FULL = 0x4140;
    private static final int RCTL_MAC_LOOPBACK = 1 << 6;
    private static final int RX_RING = 8;

    private final OffloadTakingSink wire = new OffloadTakingSink();
    private final DeviceHarness harness = new DeviceHarness(false, DeviceHarness.MAC, wire, true);

    private void setUpRings(final int extraRctl)
    {
        harness.setUpTxRing(8);
        harness.setUpRxRing(RX_RING);
        harness.write(E1000Registers.RCTL, E1000Registers.RCTL_EN | E1000Registers.RCTL_BAM | extraRctl);
        harness.write(E1000Registers.RDT, RX_RING - 1);
    }

    private byte[] sendOne(final int seed)
    {
        final byte[] frame = DeviceHarness.broadcastFrame(1024, seed);
        harness.putBytes(DeviceHarness.BUFFERS_GPA, frame);
        harness.putLegacyTx(0, DeviceHarness.BUFFERS_GPA, frame.length,
            E1000TxDescriptor.CMD_EOP | E1000TxDescriptor.CMD_IFCS | E1000TxDescriptor.CMD_RPS);
        harness.writeShared(E1000Registers.TDT, 1);
        assertEquals(1, harness.pollTx());
        return frame;
    }

    private void assertLoopedBack(final byte[] frame)
    {
        assertEquals(0, wire.frames, "nothing left the port");
        assertEquals(1, harness.counter(PortCounter.TX_FRAMES));
        assertEquals(1, harness.counter(PortCounter.RX_FRAMES));
        assertEquals(1, harness.read(E1000Registers.RDH));
        assertArrayEquals(frame, harness.getBytes(harness.rxBufferGpa(0), frame.length));
        assertEquals(frame.length + 4, harness.rxLength(0), "length with FCS");
        assertEquals(E1000TxDescriptor.STA_DD, harness.txStatus(0) & E1000TxDescriptor.STA_DD, "RPS written back");
    }

    @Test
    void shouldReturnTheFrameOnTheOwnRxRingAndSendNothingWhenThePhyLoopsBack()
    {
        setUpRings(0);
        mdicWrite(harness, E1000Registers.PHY_BMCR, BMCR_LOOPBACK_1000_FULL);
        assertTrue(harness.device.isLoopback());

        assertLoopedBack(sendOne(3));
    }

    @Test
    void shouldReturnTheFrameOnTheOwnRxRingAndSendNothingWhenTheMacLoopsBack()
    {
        setUpRings(RCTL_MAC_LOOPBACK);
        assertTrue(harness.device.isLoopback());

        assertLoopedBack(sendOne(4));
    }

    @Test
    void shouldLoopBackWhateverTheMediumWhenThePhyOrMacLoopsBack()
    {
        harness.device.setMediumUp(false, harness.nowNs);
        setUpRings(RCTL_MAC_LOOPBACK);

        assertLoopedBack(sendOne(5));
        assertEquals(0, harness.counter(PortCounter.TX_DROP_LINK_DOWN));
    }

    @Test
    void shouldDropFramesFromOutsideWhileLoopingBack()
    {
        setUpRings(0);
        mdicWrite(harness, E1000Registers.PHY_BMCR, BMCR_LOOPBACK_1000_FULL);

        assertEquals(FrameSink.dropped(PortCounter.RX_DROP_DISABLED),
            harness.receiveOutcome(DeviceHarness.broadcastFrame(100, 6)));
        assertEquals(0, harness.read(E1000Registers.RDH));
    }

    @Test
    void shouldSegmentInTheDeviceAndNeverHandOffloadWorkToThePortWhileLoopingBack()
    {
        setUpRings(RCTL_MAC_LOOPBACK | E1000Registers.RCTL_UPE);
        final TxTestSupport.Packet tso = TxTestSupport.build(true, true, 0, 0, TxTestSupport.payload(2500, 7),
            TxTestSupport.TCP_ACK, 1000, 1, true);
        TxTestSupport.putContext(harness, 0, tso.ipStart, tso.ipStart + 10, tso.l4Start - 1, tso.l4Start,
            tso.tucso(), 0, tso.payloadLength, tso.tucmd(true), tso.headerLength, 1000);
        harness.putBytes(TxTestSupport.bufferGpa(1), tso.bytes);
        TxTestSupport.putData(harness, 1, TxTestSupport.bufferGpa(1), tso.bytes.length,
            E1000TxDescriptor.CMD_EOP | E1000TxDescriptor.CMD_RS | E1000TxDescriptor.CMD_TSE,
            E1000TxDescriptor.POPTS_TXSM | E1000TxDescriptor.POPTS_IXSM, 0);
        TxTestSupport.ring(harness, 2);

        harness.pollTx();

        assertEquals(0, wire.offloadQuestionsAnsweredTrue, "the port was not asked to take offload frames");
        assertEquals(0, wire.frames);
        assertEquals(3, harness.counter(PortCounter.RX_FRAMES), "three segments on the own RX ring");
        assertEquals(3, harness.counter(PortCounter.TX_TSO_SEGMENTS));
    }

    @Test
    void shouldSendToThePortAgainOnceLoopbackEnds()
    {
        setUpRings(RCTL_MAC_LOOPBACK);
        sendOne(8);
        harness.write(E1000Registers.RCTL, E1000Registers.RCTL_EN | E1000Registers.RCTL_BAM);
        assertFalse(harness.device.isLoopback());

        harness.putLegacyTx(1, DeviceHarness.BUFFERS_GPA, 100, E1000TxDescriptor.CMD_EOP);
        harness.writeShared(E1000Registers.TDT, 2);
        harness.pollTx();

        assertEquals(1, wire.frames);
    }

    // Each way either loopback bit changes (a trapped MDIC or RCTL write, a MAC reset, the PHY held in reset, a
    // power-on reset, a plain store into a shared page 0) is seen by the very next frame; these pin it for any later
    // attempt to keep the answer between frames.

    @Test
    void shouldSendToThePortAgainOnceTheGuestClearsPhyLoopbackThroughMdic()
    {
        setUpRings(0);
        mdicWrite(harness, E1000Registers.PHY_BMCR, BMCR_LOOPBACK_1000_FULL);
        assertTrue(harness.device.isLoopback());
        // Loopback off, 1000 Mb/s full duplex forced (autonegotiation stays off, so the link is up at once).
        mdicWrite(harness, E1000Registers.PHY_BMCR, BMCR_LOOPBACK_1000_FULL & ~E1000Registers.PHY_BMCR_LOOPBACK);

        assertFalse(harness.device.isLoopback());
        sendOne(9);
        assertEquals(1, wire.frames);
        assertEquals(0, harness.counter(PortCounter.RX_FRAMES));
    }

    @Test
    void shouldEndMacLoopbackWithAMacReset()
    {
        setUpRings(RCTL_MAC_LOOPBACK);
        assertTrue(harness.device.isLoopback());

        harness.write(E1000Registers.CTRL, E1000Registers.CTRL_RST);

        assertFalse(harness.device.isLoopback(), "RCTL back at 0 (SDM 13.4.22)");
    }

    @Test
    void shouldEndPhyLoopbackWhileThePhyIsHeldInResetAndWithAPowerOnReset()
    {
        setUpRings(0);
        mdicWrite(harness, E1000Registers.PHY_BMCR, BMCR_LOOPBACK_1000_FULL);
        harness.write(E1000Registers.CTRL, E1000Registers.CTRL_PHY_RST);
        assertFalse(harness.device.isLoopback(), "a PHY held in reset has its reset BMCR (SDM 13.4.1 PHY_RST)");

        harness.write(E1000Registers.CTRL, 0);
        mdicWrite(harness, E1000Registers.PHY_BMCR, BMCR_LOOPBACK_1000_FULL);
        assertTrue(harness.device.isLoopback());
        harness.device.powerOnReset();

        assertFalse(harness.device.isLoopback(), "power-on BMCR and RCTL");
    }

    @Test
    void shouldSeeMacLoopbackAtTheNextFrameWhenTheGuestStoresRctlIntoASharedPage()
    {
        final DeviceHarness shared = new DeviceHarness(false, DeviceHarness.MAC, wire, true,
            io.sidecore.shm.PortRegionDescriptor.DEFAULT_SHARED_PAGES | 1);
        shared.setUpTxRing(8);
        shared.setUpRxRing(RX_RING);
        shared.write(E1000Registers.RDT, RX_RING - 1);

        // Page 0 shared: RCTL is a plain store into the guest's page, no trapped write the device could act on.
        shared.writeShared(E1000Registers.RCTL, E1000Registers.RCTL_EN | E1000Registers.RCTL_BAM | RCTL_MAC_LOOPBACK);
        assertTrue(shared.device.isLoopback());
        shared.writeShared(E1000Registers.RCTL, E1000Registers.RCTL_EN | E1000Registers.RCTL_BAM);

        assertFalse(shared.device.isLoopback());
    }

    /** The port's side: counts frames, takes offload frames when asked. */
    private static final class OffloadTakingSink implements FrameSink
    {
        int frames;
        int offloadQuestionsAnsweredTrue;

        public int onFrame(
            final DirectBuffer frame, final int offset, final int lengthBytes, final FrameMetadata metadata,
            final long nowNs)
        {
            frames++;
            return DELIVERED;
        }

        public boolean acceptsOffload()
        {
            offloadQuestionsAnsweredTrue++;
            return true;
        }
    }
}
