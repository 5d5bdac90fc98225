package io.sidecore.engine.guest;

import io.sidecore.engine.e1000.DeviceHarness;
import io.sidecore.shm.CsbDescriptor;
import io.sidecore.shm.E1000Registers;
import io.sidecore.shm.E1000RxDescriptor;
import io.sidecore.shm.PortCounter;
import io.sidecore.tools.guest.GuestDriverConfig;
import io.sidecore.tools.guest.GuestDriverModel;
import io.sidecore.tools.guest.GuestFrameHandler;
import io.sidecore.tools.guest.TxDescriptorFormat;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The guest driver model (what Linux e1000 does) against the device model: probe, EEPROM, PHY and link, ring
 * set-up, then frames looped TX to RX through the device with the wire connected back to its receive path.
 */
class GuestDriverIntegrationTest
{
    private static final long LINK_TIMEOUT_NS = 2_000_000_000L;
    private static final long IDLE_STEP_NS = 100_000L;
    private static final byte[] PEER_MAC = {0x02, 0x00, 0x00, 0x00, 0x00, 0x02};

    private DeviceHarness harness;
    private DirectDeviceAccess access;
    private GuestDriverModel model;
    private final List<byte[]> received = new ArrayList<>();
    private final List<Integer> receivedStatus = new ArrayList<>();
    private final List<Integer> receivedSpecial = new ArrayList<>();
    private final GuestFrameHandler capture = (buffer, offset, lengthBytes, status, special) ->
    {
        final byte[] copy = new byte[lengthBytes];
        buffer.getBytes(offset, copy);
        received.add(copy);
        receivedStatus.add(status);
        receivedSpecial.add(special);
    };

    private void attach(final boolean csbOffered, final boolean shared, final GuestDriverConfig config)
    {
        harness = new DeviceHarness(csbOffered);
        access = new DirectDeviceAccess(harness, shared).loopback(true);
        model = new GuestDriverModel(access, access.guestRam(), config, capture);
    }

    private void bringUp(final boolean csbOffered, final boolean shared, final GuestDriverConfig config)
    {
        attach(csbOffered, shared, config);
        model.probe();
        model.open();
        assertTrue(model.waitForLink(LINK_TIMEOUT_NS, 1_000_000L), "link up");
        access.pump(model, IDLE_STEP_NS, 50);
        assertTrue(model.isLinkUp());
    }

    private static byte[] unicastFrame(final int lengthBytes, final int seed)
    {
        final byte[] frame = new byte[lengthBytes];
        System.arraycopy(DeviceHarness.MAC, 0, frame, 0, 6);
        System.arraycopy(PEER_MAC, 0, frame, 6, 6);
        frame[12] = (byte)0x88;
        frame[13] = (byte)0xB5;
        for (int i = 14; i < lengthBytes; i++)
        {
            frame[i] = (byte)(seed * 7 + i * 13);
        }
        return frame;
    }

    private long counter(final PortCounter counter)
    {
        return harness.counter(counter);
    }

    // ---- probe, EEPROM, PHY, link ----

    @Test
    void shouldProbeWithValidEepromChecksumAndTakeThePortMac()
    {
        attach(false, false, new GuestDriverConfig());

        model.probe();

        assertArrayEquals(DeviceHarness.MAC, model.macAddress());
        int sum = 0;
        for (int word = 0; word <= GuestDriverModel.EEPROM_CHECKSUM_WORD; word++)
        {
            sum += model.eepromWord(word);
        }
        assertEquals(GuestDriverModel.EEPROM_SUM, sum & 0xFFFF);
        assertFalse(model.isCsbOffered());
    }

    @Test
    void shouldResetTheMacThroughTheIoBarTwiceDuringProbe()
    {
        attach(false, false, new GuestDriverConfig());

        model.probe();

        assertEquals(2, counter(PortCounter.DEVICE_RESETS));
        assertEquals(4, model.registers().ioAccesses());
        assertEquals(0, harness.registers.get(E1000Registers.CTRL) & E1000Registers.CTRL_RST, "RST self-clears");
    }

    @Test
    void shouldIdentifyM88PhyAndBringLinkUpAfterOpen()
    {
        bringUp(false, false, new GuestDriverConfig());

        assertEquals(0x01410C20, model.phyId() & 0xFFFFFFF0);
        assertEquals(1000, model.linkSpeedMbps());
        assertTrue(model.isFullDuplex());
        assertTrue(0 != (harness.registers.get(E1000Registers.TCTL) & E1000Registers.TCTL_EN));
        assertTrue(harness.device.isLinkUp());
    }

    @Test
    void shouldProgramRingGeometryAndInterruptMaskIntoTheDevice()
    {
        bringUp(false, false, new GuestDriverConfig());

        assertEquals((int)model.txRingGpa(), harness.registers.get(E1000Registers.TDBAL));
        assertEquals(256 * 16, harness.registers.get(E1000Registers.TDLEN));
        assertEquals((int)model.rxRingGpa(), harness.registers.get(E1000Registers.RDBAL));
        assertEquals(256 * 16, harness.registers.get(E1000Registers.RDLEN));
        assertEquals(254, harness.registers.get(E1000Registers.RDT));
        assertEquals(E1000Registers.RCTL_EN | E1000Registers.RCTL_BAM,
            harness.registers.get(E1000Registers.RCTL) & (E1000Registers.RCTL_EN | E1000Registers.RCTL_BAM |
            E1000Registers.RCTL_UPE | E1000Registers.RCTL_MPE | E1000Registers.RCTL_SECRC));
        assertEquals(E1000Registers.IMS_LINUX_ENABLE_MASK, harness.registers.get(E1000Registers.IMS));
    }

    // ---- traffic ----

    /**
     * A Linux 8021q interface over the port (issue 12 §5), frames looped back on the wire: the driver adds the VLAN
     * ({@code e1000_vlan_rx_add_vid}: RCTL.VFE on, the id's VFTA bit), sends with hardware tag insertion (VLE and
     * the tag in the descriptor), and receives with hardware stripping (CTRL.VME: the tag in the special field,
     * status VP, the frame untagged); another VLAN's frames stop at the filter table (SDM 3.2.8, 3.3.11), and once
     * the last VLAN is removed the filter is off again.
     */
    @Test
    void shouldTagStripAndFilterFramesOfAn8021qInterface()
    {
        bringUp(false, false, new GuestDriverConfig());
        final int vlan100Priority1 = 1 << 13 | 100;
        model.addVlan(100);

        assertEquals(E1000Registers.RCTL_VFE, harness.read(E1000Registers.RCTL) & E1000Registers.RCTL_VFE);
        assertEquals(1 << 4, harness.read(E1000Registers.VFTA + 3 * 4), "VLAN 100 = word 3, bit 4");
        final byte[] frame = unicastFrame(200, 4);
        assertTrue(model.sendTagged(new UnsafeBuffer(frame), 0, frame.length, vlan100Priority1));
        access.pump(model, IDLE_STEP_NS, 50);

        final byte[] onWire = harness.wire.get(harness.wire.size() - 1);
        assertEquals(frame.length + 4, onWire.length, "the tag inserted after the source address");
        assertEquals(0x8100, (onWire[12] & 0xFF) << 8 | (onWire[13] & 0xFF));
        assertEquals(vlan100Priority1, (onWire[14] & 0xFF) << 8 | (onWire[15] & 0xFF));
        assertEquals(1, received.size());
        assertArrayEquals(frame, received.get(0), "stripped on receive");
        assertEquals(E1000RxDescriptor.STA_VP, receivedStatus.get(0) & E1000RxDescriptor.STA_VP);
        assertEquals(vlan100Priority1, (int)receivedSpecial.get(0));

        final long filteredBefore = counter(PortCounter.RX_DROP_VLAN_FILTERED);
        assertTrue(model.sendTagged(new UnsafeBuffer(frame), 0, frame.length, 200));
        access.pump(model, IDLE_STEP_NS, 50);
        assertEquals(1, received.size(), "VLAN 200 is not in the filter table");
        assertEquals(1, counter(PortCounter.RX_DROP_VLAN_FILTERED) - filteredBefore);

        model.removeVlan(100);
        assertEquals(0, harness.read(E1000Registers.RCTL) & E1000Registers.RCTL_VFE);
        assertEquals(0, harness.read(E1000Registers.VFTA + 3 * 4));
        assertTrue(model.sendTagged(new UnsafeBuffer(frame), 0, frame.length, 200));
        access.pump(model, IDLE_STEP_NS, 50);
        assertEquals(2, received.size(), "the filter is off without VLANs");
        assertEquals(200, (int)receivedSpecial.get(1));
    }

    @Test
    void shouldLoopFramesTxToRxWithIdenticalBytesWhenTdtWrittenPerPacket()
    {
        bringUp(false, false, new GuestDriverConfig());
        final int[] sizes = {60, 64, 128, 333, 512, 1000, 1514};
        final List<byte[]> sent = new ArrayList<>();
        final long trappedBefore = counter(PortCounter.DOORBELLS_TRAPPED);

        for (int i = 0; i < sizes.length; i++)
        {
            final byte[] frame = unicastFrame(sizes[i], i);
            sent.add(frame);
            assertTrue(model.send(new UnsafeBuffer(frame), 0, frame.length));
        }
        access.pump(model, IDLE_STEP_NS, 50);

        assertEquals(sizes.length, received.size());
        for (int i = 0; i < sizes.length; i++)
        {
            assertArrayEquals(sent.get(i), received.get(i), "frame " + i);
        }
        assertEquals(sizes.length, model.txDoorbells());
        assertTrue(counter(PortCounter.DOORBELLS_TRAPPED) - trappedBefore >= sizes.length);
        assertEquals(sizes.length, counter(PortCounter.TX_FRAMES));
        assertEquals(sizes.length, counter(PortCounter.RX_FRAMES));
        assertEquals(sizes.length, model.txCompletedFrames());
    }

    @Test
    void shouldLoopBatchWithOneTdtWrite()
    {
        bringUp(false, false, new GuestDriverConfig());
        final int count = 32;
        final DirectBuffer[] frames = new DirectBuffer[count];
        final int[] offsets = new int[count];
        final int[] lengths = new int[count];
        for (int i = 0; i < count; i++)
        {
            frames[i] = new UnsafeBuffer(unicastFrame(64 + 40 * i, i));
            lengths[i] = 64 + 40 * i;
        }
        final long doorbellsBefore = model.txDoorbells();

        assertEquals(count, model.sendBatch(frames, offsets, lengths, count));
        access.pump(model, IDLE_STEP_NS, 50);

        assertEquals(doorbellsBefore + 1, model.txDoorbells());
        assertEquals(count, received.size());
        for (int i = 0; i < count; i++)
        {
            final byte[] expected = new byte[lengths[i]];
            frames[i].getBytes(0, expected);
            assertArrayEquals(expected, received.get(i), "frame " + i);
        }
    }

    @Test
    void shouldRingDoorbellsThroughSharedPageWithoutTrappedDoorbellWrites()
    {
        bringUp(false, true, new GuestDriverConfig());
        final long trappedWritesBefore = counter(PortCounter.TRAPPED_WRITES);

        for (int i = 0; i < 20; i++)
        {
            final byte[] frame = unicastFrame(100 + i, i);
            model.send(new UnsafeBuffer(frame), 0, frame.length);
        }
        access.runDevice();

        assertEquals(0, counter(PortCounter.DOORBELLS_TRAPPED));
        assertEquals(trappedWritesBefore, counter(PortCounter.TRAPPED_WRITES), "no trapped write on the TX path");
        assertEquals(20, harness.registers.get(E1000Registers.TDT));
        assertEquals(20, counter(PortCounter.TX_FRAMES));
        access.pump(model, IDLE_STEP_NS, 50);
        assertEquals(20, received.size());
        assertEquals(0, counter(PortCounter.DOORBELLS_TRAPPED), "RX buffers returned through the shared page");
        assertTrue(model.registers().sharedWrites() >= 20);
    }

    @Test
    void shouldClearIcrAndUnmaskWhenServicingAnInterrupt()
    {
        bringUp(false, false, new GuestDriverConfig());
        final byte[] frame = unicastFrame(200, 1);
        model.send(new UnsafeBuffer(frame), 0, frame.length);
        final long icrReadsBefore = counter(PortCounter.ICR_READS);

        final int interrupts = access.pump(model, IDLE_STEP_NS, 50);

        assertTrue(interrupts >= 1);
        assertTrue(counter(PortCounter.ICR_READS) - icrReadsBefore >= interrupts);
        assertEquals(0, harness.registers.get(E1000Registers.ICR) & E1000Registers.IMS_LINUX_ENABLE_MASK);
        assertEquals(E1000Registers.IMS_LINUX_ENABLE_MASK, harness.registers.get(E1000Registers.IMS));
        assertTrue(0 != (model.lastIcr() & (E1000Registers.ICR_RXT0 | E1000Registers.ICR_TXDW)));
        assertFalse(model.isNapiScheduled());
        assertEquals(1, received.size());
    }

    @Test
    void shouldLoopFrameSpanningTxDescriptors()
    {
        bringUp(false, false, new GuestDriverConfig().txBufferBytes(512));
        final byte[] frame = unicastFrame(1514, 5);

        model.send(new UnsafeBuffer(frame), 0, frame.length);
        access.pump(model, IDLE_STEP_NS, 50);

        assertEquals(1, received.size());
        assertArrayEquals(frame, received.get(0));
        assertEquals(3, counter(PortCounter.TX_DESCRIPTORS), "512 + 512 + 490");
    }

    @Test
    void shouldLoopFramesSentAsExtendedDataDescriptors()
    {
        bringUp(false, false, new GuestDriverConfig().txDescriptorFormat(TxDescriptorFormat.DATA));
        final byte[] frame = unicastFrame(777, 3);

        model.send(new UnsafeBuffer(frame), 0, frame.length);
        access.pump(model, IDLE_STEP_NS, 50);

        assertEquals(1, received.size());
        assertArrayEquals(frame, received.get(0));
    }

    @Test
    void shouldReceiveShortFramePaddedTo60Bytes()
    {
        bringUp(false, false, new GuestDriverConfig());
        final byte[] frame = unicastFrame(42, 9);

        model.send(new UnsafeBuffer(frame), 0, frame.length);
        access.pump(model, IDLE_STEP_NS, 50);

        final byte[] expected = new byte[60];
        System.arraycopy(frame, 0, expected, 0, 42);
        assertEquals(1, received.size());
        assertArrayEquals(expected, received.get(0));
    }

    @Test
    void shouldDropFrameSpanningRxDescriptorsLikeLinuxNonJumboPath()
    {
        bringUp(false, false, new GuestDriverConfig().rxBufferBytes(1024));
        final byte[] big = unicastFrame(1500, 1);
        final byte[] small = unicastFrame(500, 2);

        model.send(new UnsafeBuffer(big), 0, big.length);
        model.send(new UnsafeBuffer(small), 0, small.length);
        access.pump(model, IDLE_STEP_NS, 50);

        assertEquals(1, model.rxMultiDescriptorDrops());
        assertEquals(1, received.size());
        assertArrayEquals(small, received.get(0));
        assertEquals(2, counter(PortCounter.RX_FRAMES), "the device delivered both");
    }

    @Test
    void shouldDeliverEveryFrameThroughManyRingWrapsInBatches()
    {
        bringUp(false, true, new GuestDriverConfig().txDescriptors(64).rxDescriptors(64));
        final int batch = 16;
        final DirectBuffer[] frames = new DirectBuffer[batch];
        final int[] offsets = new int[batch];
        final int[] lengths = new int[batch];
        for (int i = 0; i < batch; i++)
        {
            frames[i] = new UnsafeBuffer(unicastFrame(60 + i * 90, i));
            lengths[i] = 60 + i * 90;
        }
        int sent = 0;
        for (int round = 0; round < 40; round++)
        {
            sent += model.sendBatch(frames, offsets, lengths, batch);
            access.pump(model, IDLE_STEP_NS, 20);
        }

        assertEquals(40 * batch, sent);
        assertEquals(sent, received.size());
        assertEquals(sent, model.rxFrames());
        assertEquals(sent, counter(PortCounter.TX_FRAMES));
        assertEquals(sent, counter(PortCounter.RX_FRAMES));
        assertEquals(0, counter(PortCounter.RX_DROP_RING_FULL));
        for (int i = 0; i < received.size(); i++)
        {
            final byte[] expected = new byte[lengths[i % batch]];
            frames[i % batch].getBytes(0, expected);
            assertArrayEquals(expected, received.get(i), "frame " + i);
        }
    }

    @Test
    void shouldReceiveBroadcastThroughBamAndForeignUnicastOnlyWhenPromiscuous()
    {
        bringUp(false, false, new GuestDriverConfig());
        final byte[] broadcast = unicastFrame(100, 1);
        for (int i = 0; i < 6; i++)
        {
            broadcast[i] = (byte)0xFF;
        }
        final byte[] foreign = unicastFrame(100, 2);
        foreign[5] = 0x77;

        model.send(new UnsafeBuffer(broadcast), 0, broadcast.length);
        model.send(new UnsafeBuffer(foreign), 0, foreign.length);
        access.pump(model, IDLE_STEP_NS, 50);

        assertEquals(1, received.size());
        assertArrayEquals(broadcast, received.get(0));
        assertEquals(1, counter(PortCounter.RX_DROP_FILTERED));

        received.clear();
        bringUp(false, false, new GuestDriverConfig().promiscuous(true));
        model.send(new UnsafeBuffer(foreign), 0, foreign.length);
        access.pump(model, IDLE_STEP_NS, 50);

        assertEquals(1, received.size());
        assertArrayEquals(foreign, received.get(0));
    }

    @Test
    void shouldPassTrafficAgainAfterCloseAndReopen()
    {
        bringUp(false, true, new GuestDriverConfig());
        final byte[] first = unicastFrame(500, 1);
        model.send(new UnsafeBuffer(first), 0, first.length);
        access.pump(model, IDLE_STEP_NS, 50);

        model.close();

        assertFalse(model.isOpen());
        assertEquals(0, harness.registers.get(E1000Registers.RCTL) & E1000Registers.RCTL_EN);
        assertEquals(0, harness.registers.get(E1000Registers.TCTL) & E1000Registers.TCTL_EN);

        model.open();
        assertTrue(model.waitForLink(LINK_TIMEOUT_NS, 1_000_000L));
        access.pump(model, IDLE_STEP_NS, 50);
        final byte[] second = unicastFrame(600, 2);
        model.send(new UnsafeBuffer(second), 0, second.length);
        access.pump(model, IDLE_STEP_NS, 50);

        assertEquals(2, received.size());
        assertArrayEquals(first, received.get(0));
        assertArrayEquals(second, received.get(1));
    }

    // ---- CSB ----

    @Test
    void shouldRegisterCsbAndKeepRingingDoorbellsWhileHostDoesNotServeIt()
    {
        bringUp(true, false, new GuestDriverConfig());
        final byte[] frame = unicastFrame(300, 4);

        model.send(new UnsafeBuffer(frame), 0, frame.length);
        access.pump(model, IDLE_STEP_NS, 50);

        assertTrue(model.isCsbOffered());
        assertTrue(model.isCsbActive());
        assertEquals(model.csbGpa(), CsbDescriptor.csbGpa(harness.registers.get(E1000Registers.CSBAL),
            harness.registers.get(E1000Registers.CSBAH)));
        assertEquals(1, received.size());
        assertEquals(0, model.csbTxKicksSuppressed());
    }

    @Test
    void shouldSuppressKicksWhileHostPollsCsbAndKickWhenHostParks()
    {
        bringUp(true, true, new GuestDriverConfig());
        final CsbHost host = new CsbHost();
        host.accept();
        final long trappedBefore = counter(PortCounter.DOORBELLS_TRAPPED);
        final int tdtBefore = harness.registers.get(E1000Registers.TDT);

        for (int i = 0; i < 10; i++)
        {
            final byte[] frame = unicastFrame(90 + i, i);
            model.send(new UnsafeBuffer(frame), 0, frame.length);
        }
        assertEquals(tdtBefore, harness.registers.get(E1000Registers.TDT), "no doorbell while the host polls");
        host.pass();
        access.pump(model, IDLE_STEP_NS, 50);
        host.pass();

        assertEquals(10, model.csbTxKicksSuppressed());
        assertEquals(10, received.size());
        assertEquals(trappedBefore, counter(PortCounter.DOORBELLS_TRAPPED));

        host.park();
        final byte[] frame = unicastFrame(128, 11);
        model.send(new UnsafeBuffer(frame), 0, frame.length);

        assertEquals(1, model.csbTxKicks());
        assertEquals(tdtBefore + 11, harness.registers.get(E1000Registers.TDT), "the kick wrote TDT");
        assertEquals(1, access.wakeups(), "kick through the shared page wakes the parked host");
    }

    /**
     * Plays the sidecore's half of the CSB protocol ({@link CsbDescriptor}) for one port so the guest side can be
     * checked end to end against the device; the engine's own CSB host arrives with the agent.
     */
    private final class CsbHost
    {
        private int csbOffset;

        void accept()
        {
            final long gpa = CsbDescriptor.csbGpa(harness.registers.get(E1000Registers.CSBAL),
                harness.registers.get(E1000Registers.CSBAH));
            csbOffset = harness.ramOffset(gpa);
            CsbDescriptor.checkCsb(harness.ramBuffer.getInt(csbOffset + CsbDescriptor.MAGIC_FIELD_OFFSET),
                harness.ramBuffer.getIntVolatile(csbOffset + CsbDescriptor.VERSION_FIELD_OFFSET));
            put(CsbDescriptor.HOST_NEED_TXKICK_FIELD_OFFSET, CsbDescriptor.NO_KICK);
            put(CsbDescriptor.HOST_NEED_RXKICK_FIELD_OFFSET, CsbDescriptor.NO_KICK);
            publishHeads();
            harness.ramBuffer.putIntRelease(csbOffset + CsbDescriptor.HOST_VERSION_FIELD_OFFSET,
                CsbDescriptor.CSB_VERSION);
        }

        void pass()
        {
            harness.registers.setRelease(E1000Registers.TDT,
                harness.ramBuffer.getIntVolatile(csbOffset + CsbDescriptor.GUEST_TDT_FIELD_OFFSET));
            harness.registers.setRelease(E1000Registers.RDT,
                harness.ramBuffer.getIntVolatile(csbOffset + CsbDescriptor.GUEST_RDT_FIELD_OFFSET));
            access.runDevice();
            publishHeads();
        }

        void park()
        {
            put(CsbDescriptor.HOST_NEED_TXKICK_FIELD_OFFSET, CsbDescriptor.NEED_KICK);
        }

        private void publishHeads()
        {
            put(CsbDescriptor.HOST_TDH_FIELD_OFFSET, harness.registers.get(E1000Registers.TDH));
            put(CsbDescriptor.HOST_RDH_FIELD_OFFSET, harness.registers.get(E1000Registers.RDH));
        }

        private void put(final int field, final int value)
        {
            harness.ramBuffer.putIntVolatile(csbOffset + field, value);
        }
    }
}
