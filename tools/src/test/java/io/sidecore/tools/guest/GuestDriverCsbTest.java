package io.sidecore.tools.guest;

import io.sidecore.shm.CsbDescriptor;
import io.sidecore.shm.E1000Registers;
import io.sidecore.shm.E1000RxDescriptor;
import io.sidecore.shm.PciConfig;
import io.sidecore.shm.PortRegionDescriptor;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteOrder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GuestDriverCsbTest
{
    private static final long RAM_GPA = 0x20_0000L;

    private final FakeE1000 device = new FakeE1000();
    private final GuestRam ram = GuestRam.allocate(RAM_GPA, 2 * 1024 * 1024);
    private final AtomicBuffer memory = ram.buffer();
    private final UnsafeBuffer frame = new UnsafeBuffer(new byte[128]);
    private GuestDriverModel model;

    @BeforeEach
    void offerCsb()
    {
        device.putConfig(PciConfig.SUBSYSTEM_ID_OFFSET, 2, PciConfig.SUBSYSTEM_ID_CSB);
        frame.setMemory(0, 6, (byte)0xFF);
    }

    private void open(final GuestDriverConfig config)
    {
        model = new GuestDriverModel(device, ram, config, GuestFrameHandler.NONE);
        model.probe();
        model.open();
    }

    private int csbField(final int fieldOffset)
    {
        return memory.getIntVolatile(ram.offset(model.csbGpa(), CsbDescriptor.CSB_LENGTH) + fieldOffset);
    }

    /** Play the host: accept the block and set its kick flags. */
    private void hostServes(final int needTxKick, final int needRxKick)
    {
        final int csb = ram.offset(model.csbGpa(), CsbDescriptor.CSB_LENGTH);
        memory.putInt(csb + CsbDescriptor.HOST_NEED_TXKICK_FIELD_OFFSET, needTxKick);
        memory.putInt(csb + CsbDescriptor.HOST_NEED_RXKICK_FIELD_OFFSET, needRxKick);
        memory.putIntRelease(csb + CsbDescriptor.HOST_VERSION_FIELD_OFFSET, CsbDescriptor.CSB_VERSION);
    }

    private void deviceReceives(final int index)
    {
        final int descriptor = ram.offset(model.rxRingGpa(), 16) + index * 16;
        memory.putShort(descriptor + E1000RxDescriptor.LENGTH_OFFSET, (short)68, ByteOrder.LITTLE_ENDIAN);
        memory.putByteVolatile(descriptor + E1000RxDescriptor.STATUS_OFFSET,
            (byte)(E1000RxDescriptor.STA_DD | E1000RxDescriptor.STA_EOP));
    }

    @Test
    void shouldRegisterCsbWithVersionLastAndCsbahBeforeCsbalWhenPortOffersIt()
    {
        open(new GuestDriverConfig());

        assertTrue(model.isCsbOffered());
        assertTrue(model.isCsbActive());
        assertFalse(model.isCsbServed());
        assertEquals(0, model.csbGpa() % CsbDescriptor.CSB_ALIGNMENT);
        assertEquals(CsbDescriptor.MAGIC, csbField(CsbDescriptor.MAGIC_FIELD_OFFSET));
        assertEquals(CsbDescriptor.CSB_VERSION, csbField(CsbDescriptor.VERSION_FIELD_OFFSET));
        assertEquals(CsbDescriptor.NEED_KICK, csbField(CsbDescriptor.GUEST_NEED_RXKICK_FIELD_OFFSET));
        assertEquals(CsbDescriptor.NO_KICK, csbField(CsbDescriptor.GUEST_NEED_TXKICK_FIELD_OFFSET));
        final int csbah = device.trace.indexOf("mmio W 0x02834 0x00000000 4");
        final int csbal = device.trace.indexOf(String.format("mmio W 0x02830 0x%08x 4", (int)model.csbGpa()));
        assertTrue(csbah >= 0 && csbal == csbah + 1, "CSBAH then CSBAL");
        assertEquals(254, csbField(CsbDescriptor.GUEST_RDT_FIELD_OFFSET));
        assertEquals(254, device.reg(E1000Registers.RDT), "host not serving yet: RDT still written");
    }

    @Test
    void shouldKeepWritingTdtWhileHostDoesNotServeTheCsb()
    {
        open(new GuestDriverConfig());
        final int before = device.trappedDoorbells;

        model.send(frame, 0, 64);

        assertEquals(1, csbField(CsbDescriptor.GUEST_TDT_FIELD_OFFSET));
        assertEquals(1, device.reg(E1000Registers.TDT));
        assertEquals(before + 1, device.trappedDoorbells);
        assertEquals(0, model.csbTxKicksSuppressed());
    }

    @Test
    void shouldSkipTdtWriteWhenHostServesAndNeedsNoKick()
    {
        open(new GuestDriverConfig());
        hostServes(CsbDescriptor.NO_KICK, CsbDescriptor.NO_KICK);
        final int before = device.trappedDoorbells;

        model.send(frame, 0, 64);
        model.send(frame, 0, 64);

        assertEquals(2, csbField(CsbDescriptor.GUEST_TDT_FIELD_OFFSET));
        assertEquals(0, device.reg(E1000Registers.TDT));
        assertEquals(before, device.trappedDoorbells);
        assertEquals(2, model.csbTxKicksSuppressed());
        assertEquals(0, model.csbTxKicks());
    }

    @Test
    void shouldKickWithTdtWriteWhenHostAsksForTxKick()
    {
        open(new GuestDriverConfig());
        hostServes(CsbDescriptor.NEED_KICK, CsbDescriptor.NO_KICK);

        model.send(frame, 0, 64);

        assertEquals(1, device.reg(E1000Registers.TDT));
        assertEquals(1, model.csbTxKicks());
        assertEquals(0, device.wakes, "a trapped kick needs no extra wake-up");
    }

    @Test
    void shouldWakeHostAfterKickThroughSharedPage()
    {
        device.sharedPages = PortRegionDescriptor.DEFAULT_SHARED_PAGES;
        open(new GuestDriverConfig());
        hostServes(CsbDescriptor.NEED_KICK, CsbDescriptor.NEED_KICK);

        model.send(frame, 0, 64);

        assertEquals(1, device.reg(E1000Registers.TDT));
        assertEquals(1, device.wakes);
        assertEquals(0, device.trappedDoorbells);
    }

    @Test
    void shouldReturnRxBuffersThroughGuestRdtAndKickOnlyWhenHostRunsDry()
    {
        open(new GuestDriverConfig().rxDescriptors(64));
        hostServes(CsbDescriptor.NO_KICK, CsbDescriptor.NO_KICK);
        final int rdtBefore = device.reg(E1000Registers.RDT);
        for (int i = 0; i < 20; i++)
        {
            deviceReceives(i);
        }

        model.poll(64);

        assertEquals(18, csbField(CsbDescriptor.GUEST_RDT_FIELD_OFFSET));
        assertEquals(rdtBefore, device.reg(E1000Registers.RDT), "no RDT write");
        assertEquals(2, model.csbRxKicksSuppressed());

        hostServes(CsbDescriptor.NO_KICK, CsbDescriptor.NEED_KICK);
        deviceReceives(20);
        model.poll(64);

        assertEquals(19, device.reg(E1000Registers.RDT));
        assertEquals(1, model.csbRxKicks());
    }

    @Test
    void shouldWithdrawNeedRxKickWhilePollingAndRequestItWhenDone()
    {
        open(new GuestDriverConfig());
        hostServes(CsbDescriptor.NO_KICK, CsbDescriptor.NO_KICK);
        final int[] flagDuringPoll = {-1};
        device.onImsWrite = () -> flagDuringPoll[0] = csbField(CsbDescriptor.GUEST_NEED_RXKICK_FIELD_OFFSET);

        model.onInterrupt();

        assertEquals(CsbDescriptor.NO_KICK, flagDuringPoll[0], "cleared while NAPI ran");
        assertEquals(CsbDescriptor.NEED_KICK, csbField(CsbDescriptor.GUEST_NEED_RXKICK_FIELD_OFFSET));
        assertFalse(model.isNapiScheduled());
    }

    @Test
    void shouldStayInPollingModeWhenFrameArrivesBetweenHarvestAndNeedKick()
    {
        open(new GuestDriverConfig());
        hostServes(CsbDescriptor.NO_KICK, CsbDescriptor.NO_KICK);
        device.onImsWrite = () ->
        {
            device.onImsWrite = null;
            deviceReceives(0);
        };

        model.onInterrupt();

        assertTrue(model.isNapiScheduled(), "double check saw DD");
        assertEquals(CsbDescriptor.NO_KICK, csbField(CsbDescriptor.GUEST_NEED_RXKICK_FIELD_OFFSET));
        assertEquals(1, model.napiPoll());
        assertFalse(model.isNapiScheduled());
        assertEquals(1, model.rxFrames());
    }

    @Test
    void shouldAskForTxCompletionInterruptWhenRingFull()
    {
        open(new GuestDriverConfig().txDescriptors(8));
        hostServes(CsbDescriptor.NO_KICK, CsbDescriptor.NO_KICK);
        while (model.send(frame, 0, 64))
        {
            assertEquals(CsbDescriptor.NO_KICK, csbField(CsbDescriptor.GUEST_NEED_TXKICK_FIELD_OFFSET));
        }

        assertEquals(1, model.txRingFullEvents());
        assertEquals(CsbDescriptor.NEED_KICK, csbField(CsbDescriptor.GUEST_NEED_TXKICK_FIELD_OFFSET));
    }

    @Test
    void shouldDriveCsbPortLikePlain82540WhenCsbDisabled()
    {
        open(new GuestDriverConfig().useCsbWhenOffered(false));

        model.send(frame, 0, 64);

        assertTrue(model.isCsbOffered());
        assertFalse(model.isCsbActive());
        assertEquals(0, model.csbGpa());
        assertEquals(1, device.reg(E1000Registers.TDT));
        assertTrue(device.trace.stream().noneMatch(line -> line.startsWith("mmio W 0x0283")));
    }

    @Test
    void shouldReleaseCsbWhenClosing()
    {
        open(new GuestDriverConfig());

        model.close();

        assertFalse(model.isCsbActive());
        final int csbal = device.trace.lastIndexOf("mmio W 0x02830 0x00000000 4");
        assertEquals("mmio W 0x02834 0x00000000 4", device.trace.get(csbal - 1));
    }
}
