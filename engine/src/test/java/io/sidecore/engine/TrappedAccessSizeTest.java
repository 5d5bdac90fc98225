package io.sidecore.engine;

import io.sidecore.engine.agent.SidecoreEngine;
import io.sidecore.engine.port.Port;
import io.sidecore.engine.proxy.EngineProxy;
import io.sidecore.engine.proxy.TrappedAccess;
import io.sidecore.shm.E1000Registers;
import io.sidecore.shm.PciConfig;
import io.sidecore.shm.PortCounter;
import org.agrona.concurrent.CachedNanoClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Trapped accesses with their size through the proxy, as the vfio-user server makes them: the sidecore carries out
 * 1-, 2-, 4- and 8-byte accesses and reports the ones the device refuses.
 */
class TrappedAccessSizeTest
{
    private final CachedNanoClock clock = new CachedNanoClock();
    private SidecoreEngine engine;
    private EngineProxy proxy;
    private Port port;

    @BeforeEach
    void setUp()
    {
        engine = new SidecoreEngine(TestContexts.invoker(clock, 1));
        proxy = engine.proxy();
        port = new TestGuest(1).attachToSwitch(proxy);
    }

    @AfterEach
    void tearDown()
    {
        engine.close();
    }

    @Test
    void shouldWriteAndReadTheAddressedBytesWhenAccessIsNarrow()
    {
        proxy.write(port, TrappedAccess.MMIO_SPACE, E1000Registers.FCAL, 4, 0x11223344L);

        proxy.write(port, TrappedAccess.MMIO_SPACE, E1000Registers.FCAL + 1, 1, 0xAAL);
        proxy.write(port, TrappedAccess.MMIO_SPACE, E1000Registers.FCAL + 2, 2, 0xBBCCL);

        assertEquals(0xBBCCAA44, proxy.mmioRead(port, E1000Registers.FCAL));
        assertEquals(0xBBL, proxy.read(port, TrappedAccess.MMIO_SPACE, E1000Registers.FCAL + 3, 1));
        assertEquals(PciConfig.DEVICE_ID_82540EM >>> 8,
            proxy.read(port, TrappedAccess.CONFIG_SPACE, PciConfig.DEVICE_ID_OFFSET + 1, 1));
        assertEquals(0x0E80L, proxy.read(port, TrappedAccess.CONFIG_SPACE, PciConfig.VENDOR_ID_OFFSET + 1, 2),
            "configuration space takes any offset: 0x8086's high byte, 0x100E's low byte");
    }

    @Test
    void shouldCarryEightBytesAsTwoDwordsWhenAccessIsEightBytes()
    {
        proxy.write(port, TrappedAccess.MMIO_SPACE, E1000Registers.FCAL, 8, 0x0000_1234_5678_9ABCL);

        assertEquals(0x0000_1234_5678_9ABCL, proxy.read(port, TrappedAccess.MMIO_SPACE, E1000Registers.FCAL, 8));
        assertEquals(0x1234, proxy.mmioRead(port, E1000Registers.FCAH));
    }

    @Test
    void shouldThrowWithTheReasonAndCountWhenTheDeviceRefusesTheAccess()
    {
        final IllegalArgumentException read = assertThrows(IllegalArgumentException.class,
            () -> proxy.read(port, TrappedAccess.MMIO_SPACE, E1000Registers.STATUS + 1, 2));
        final IllegalArgumentException write = assertThrows(IllegalArgumentException.class,
            () -> proxy.write(port, TrappedAccess.IO_SPACE, E1000Registers.IOADDR, 8, 1L));

        assertEquals("BAR0 read of 2 bytes at 0x9 refused: it takes 1, 2, 4 or 8 bytes at a multiple of the size " +
            "inside 128 KiB (port g1)", read.getMessage());
        assertEquals("BAR1 write of 8 bytes at 0x0 refused: it takes 1, 2 or 4 bytes at a multiple of the size " +
            "inside 64 bytes (port g1)", write.getMessage());
        assertEquals(2, port.counters().get(PortCounter.BAD_REGISTER_ACCESSES));
        assertEquals(0, proxy.ioRead(port, E1000Registers.IOADDR), "the refused write changed nothing");
    }

    @Test
    void shouldKeepTheFourByteHelpersReadingZeroWhenTheDeviceRefuses()
    {
        assertEquals(0, proxy.mmioRead(port, E1000Registers.STATUS + 2));
        proxy.mmioWrite(port, E1000Registers.RCTL + 2, -1);

        assertEquals(0, proxy.mmioRead(port, E1000Registers.RCTL));
        assertEquals(2, port.counters().get(PortCounter.BAD_REGISTER_ACCESSES));
    }

    @Test
    void shouldReportRefusalOnTheSlotWhenOfferedWithoutWaiting()
    {
        final TrappedAccess refused = proxy.offerAccess(
            port, TrappedAccess.MMIO_SPACE, false, E1000Registers.STATUS, 3, 0);
        assertNotNull(refused);
        engine.doWork();
        assertTrue(refused.isComplete());
        assertTrue(refused.isRejected());
        refused.end();

        final TrappedAccess taken = proxy.offerAccess(
            port, TrappedAccess.MMIO_SPACE, false, E1000Registers.STATUS + 2, 2, 0);
        engine.doWork();
        assertFalse(taken.isRejected());
        assertEquals(E1000Registers.STATUS_RESET_VALUE >>> 16, taken.resultBytes());
        taken.end();
    }
}
