package io.sidecore.engine;

import io.sidecore.engine.agent.SidecoreEngine;
import io.sidecore.engine.frame.FrameSink;
import io.sidecore.engine.port.Port;
import io.sidecore.engine.proxy.EngineProxy;
import io.sidecore.engine.e1000.E1000Device;
import io.sidecore.engine.e1000.InterruptController;
import io.sidecore.engine.e1000.InterruptLine;
import io.sidecore.engine.e1000.RegisterImage;
import io.sidecore.engine.mem.GuestMemory;
import io.sidecore.engine.status.PortCounters;
import io.sidecore.shm.CsbDescriptor;
import io.sidecore.shm.E1000Registers;
import io.sidecore.shm.E1000TxDescriptor;
import io.sidecore.shm.PciConfig;
import io.sidecore.tools.guest.Descriptors;
import io.sidecore.shm.PortCounter;
import org.agrona.concurrent.CachedNanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;


import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The whole-device reset a VMM asks for (vfio-user DEVICE_RESET, a VM reboot, a VMM that went away), issued while
 * traffic flows: afterwards every BAR0 register, every PHY register, every configuration-space byte, the I/O address
 * latch and the interrupt state are those of a device just powered on, and the device touches guest memory no more.
 */
class PowerOnResetTest
{
    private static final long CSB_GPA = TestGuest.RAM_GPA + 0x3F_F000L;
    private static final int RING = 64;

    private final CachedNanoClock clock = new CachedNanoClock();
    private SidecoreEngine engine;

    @AfterEach
    void tearDown()
    {
        if (null != engine)
        {
            engine.close();
        }
    }

    @Test
    void shouldBeInPowerOnStateAndDoNoMoreDmaWhenResetInTheMiddleOfTraffic()
    {
        engine = new SidecoreEngine(TestContexts.invoker(clock, 1));
        final EngineProxy proxy = engine.proxy();
        final TestGuest sender = new TestGuest(1);
        final TestGuest target = new TestGuest(2, true);
        sender.attachToSwitch(proxy);
        final Port port = target.attachToSwitch(proxy);
        sender.setUpTx(RING);
        sender.setUpRx(RING);
        target.setUpTx(RING);
        target.setUpRx(RING);
        busyTarget(proxy, sender, target, port);

        proxy.resetDevice(port);

        final byte[] ramAfterReset = ram(target);
        final int edgesAfterReset = target.irqLevels.size();
        final long tdhBefore = port.registers().get(E1000Registers.TDH);
        for (int i = 0; i < 20; i++)
        {
            sender.send(sender.frameTo(target.mac, 200, i), sender.frameTo(TestGuest.macOf(0xFF), 60, i));
            sender.drainRx();
            clock.update(clock.nanoTime() + 50_000);
            engine.doWork();
        }

        assertPowerOnState(proxy, target, port);
        assertArrayEquals(ramAfterReset, ram(target), "no byte of the target's memory written after the reset");
        assertEquals(edgesAfterReset, target.irqLevels.size(), "no interrupt after the reset");
        assertEquals(tdhBefore, port.registers().get(E1000Registers.TDH));
        assertTrue(port.counters().get(PortCounter.RX_DROP_DISABLED) > 0, "the sender's frames found it disabled");
        assertFalse(port.isCsbActive(), "the CSB is released");
        assertEquals(1, port.counters().get(PortCounter.DEVICE_RESETS));
    }

    /**
     * The target in the middle of everything: frames received, one held by the RX delay timer, an ITR window open, a
     * TX packet half assembled, a CSB served, a PHY register, the I/O latch and configuration space written.
     */
    private void busyTarget(
        final EngineProxy proxy, final TestGuest sender, final TestGuest target, final Port port)
    {
        proxy.mmioWrite(port, E1000Registers.IMS, E1000Registers.IMS_LINUX_ENABLE_MASK);
        proxy.mmioWrite(port, E1000Registers.ITR, 1000);
        proxy.mmioWrite(port, E1000Registers.ICS, E1000Registers.ICR_LSC);
        proxy.mmioWrite(port, E1000Registers.RDTR, 100);
        proxy.mmioWrite(port, E1000Registers.RADV, 200);
        proxy.mmioWrite(port, E1000Registers.MDIC, E1000Registers.MDIC_OP_WRITE |
            E1000Registers.PHY_ADDRESS << E1000Registers.MDIC_PHY_SHIFT |
            E1000Registers.PHY_ANAR << E1000Registers.MDIC_REG_SHIFT | 0x0061);
        proxy.ioWrite(port, E1000Registers.IOADDR, E1000Registers.STATUS);
        proxy.configWrite(port, PciConfig.LATENCY_TIMER_OFFSET, 1, 0x40);
        proxy.configWrite(port, PciConfig.INTERRUPT_LINE_OFFSET, 1, 11);
        proxy.configWrite(port, PciConfig.BAR0_OFFSET, 4, 0xFEB0_0000);
        target.registerCsb(CSB_GPA, CsbDescriptor.MAGIC, CsbDescriptor.CSB_VERSION);
        engine.doWork();
        assertTrue(port.isCsbActive());

        final int offset = (int)(TestGuest.TX_RING_GPA - TestGuest.RAM_GPA);
        Descriptors.putLegacyTx(target.ramBuffer, offset, TestGuest.TX_BUFFERS_GPA, 100, E1000TxDescriptor.CMD_RS);
        target.csb(CsbDescriptor.GUEST_TDT_FIELD_OFFSET, 1);
        for (int i = 0; i < 8; i++)
        {
            sender.send(sender.frameTo(target.mac, 128, i));
            engine.doWork();
        }

        assertEquals(8, port.counters().get(PortCounter.RX_FRAMES));
        assertTrue(port.device().interrupts().nextDeadlineNs() != InterruptController.NO_DEADLINE,
            "a moderation timer is pending");
        assertEquals(1, port.counters().get(PortCounter.TX_DESCRIPTORS), "half a packet is staged");
        assertTrue(port.device().interrupts().isOutputAsserted(), "the line is up");
    }

    private static void assertPowerOnState(final EngineProxy proxy, final TestGuest target, final Port port)
    {
        final E1000Device reference = new E1000Device(
            target.config, RegisterImage.allocate(target.config.sharedPages()), new GuestMemory(),
            PortCounters.inPrivateMemory("reference"),
            (FrameSink)(frame, offset, lengthBytes, metadata, nowNs) -> FrameSink.DELIVERED,
            InterruptLine.NONE);

        final byte[] expectedRegisters = new byte[E1000Registers.BAR0_LENGTH];
        reference.registers().copyTo(new UnsafeBuffer(expectedRegisters));
        final byte[] registers = new byte[E1000Registers.BAR0_LENGTH];
        port.registers().copyTo(new UnsafeBuffer(registers));
        for (int offset = 0; offset < E1000Registers.BAR0_LENGTH; offset += 4)
        {
            assertEquals(new UnsafeBuffer(expectedRegisters).getInt(offset), new UnsafeBuffer(registers).getInt(offset),
                "BAR0 register " + E1000Registers.registerName(offset));
        }
        assertArrayEquals(expectedRegisters, registers);

        for (int offset = 0; offset < PciConfig.CONFIG_SPACE_LENGTH; offset++)
        {
            assertEquals(reference.configRead(offset, 1), proxy.configRead(port, offset, 1),
                "configuration space byte 0x" + Integer.toHexString(offset));
        }
        assertEquals(0, proxy.configRead(port, PciConfig.COMMAND_OFFSET, 2), "no bus mastering, no I/O, no memory");
        assertEquals(reference.ioRead(E1000Registers.IOADDR, 0), proxy.ioRead(port, E1000Registers.IOADDR));
        assertEquals(0, proxy.ioRead(port, E1000Registers.IOADDR));

        assertFalse(port.device().interrupts().isLineAsserted());
        assertFalse(port.device().interrupts().isOutputAsserted());
        assertEquals(InterruptController.NO_DEADLINE, port.device().interrupts().nextDeadlineNs());
        assertFalse(port.device().isFaulted());

        for (int register = 0; register < E1000Registers.PHY_REGISTER_COUNT; register++)
        {
            final int command = E1000Registers.MDIC_OP_READ | E1000Registers.PHY_ADDRESS <<
                E1000Registers.MDIC_PHY_SHIFT | register << E1000Registers.MDIC_REG_SHIFT;
            reference.mmioWrite(E1000Registers.MDIC, command, 0);
            proxy.mmioWrite(port, E1000Registers.MDIC, command);
            assertEquals(reference.mmioRead(E1000Registers.MDIC, 0), proxy.mmioRead(port, E1000Registers.MDIC),
                "PHY register " + register);
        }
    }

    private static byte[] ram(final TestGuest guest)
    {
        final byte[] bytes = new byte[TestGuest.RAM_BYTES];
        guest.ramBuffer.getBytes(0, bytes);
        return bytes;
    }
}
