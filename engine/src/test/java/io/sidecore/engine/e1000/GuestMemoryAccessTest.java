package io.sidecore.engine.e1000;

import io.sidecore.engine.mem.GuestMemory;
import io.sidecore.engine.mem.GuestMemoryRegion;
import io.sidecore.shm.E1000Registers;
import io.sidecore.shm.PortCounter;
import io.sidecore.shm.PortFault;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static io.sidecore.engine.e1000.DeviceHarness.RAM_BYTES;
import static io.sidecore.engine.e1000.DeviceHarness.RAM_GPA;
import static io.sidecore.engine.e1000.TxTestSupport.putLegacy;
import static io.sidecore.engine.e1000.TxTestSupport.ring;
import static io.sidecore.shm.E1000RxDescriptor.ERR_RXE;
import static io.sidecore.shm.E1000TxDescriptor.CMD_EOP;
import static io.sidecore.shm.E1000TxDescriptor.CMD_RS;
import static io.sidecore.shm.E1000TxDescriptor.STA_DD;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The device honours the access the VMM granted each guest-memory region and never reaches past a region: it reads
 * but never writes a read-only region (a ROM), and a buffer that runs from one RAM region into the adjacent one is
 * refused as a DMA fault (counted under {@link GuestMemory.Rejection#SPANS_REGIONS}) without a byte written on
 * either side.
 */
class GuestMemoryAccessTest
{
    private static final long ROM_GPA = 0xFFF0_0000L;
    private static final int ROM_BYTES = 0x1_0000;
    private static final long RAM_END_GPA = RAM_GPA + RAM_BYTES;
    private static final int NEXT_RAM_BYTES = 0x1_0000;
    private static final int RS_EOP = CMD_RS | CMD_EOP;

    private final MemorySegment rom = Arena.ofAuto().allocate(ROM_BYTES, 4096);
    private final UnsafeBuffer romBuffer = new UnsafeBuffer(rom.address(), ROM_BYTES);
    private final MemorySegment nextRam = Arena.ofAuto().allocate(NEXT_RAM_BYTES, 4096);
    private final UnsafeBuffer nextRamBuffer = new UnsafeBuffer(nextRam.address(), NEXT_RAM_BYTES);

    @Test
    void shouldDropFrameAsDmaFaultAndLeaveRomUntouchedWhenRxBufferIsInReadOnlyRegion()
    {
        final DeviceHarness h = withExtraRegions(new DeviceHarness());
        RxFrames.ready(h, 8);
        h.putRxDescriptor(0, ROM_GPA + 0x100);
        final byte[] romBefore = romBytes();

        assertFalse(h.receive(DeviceHarness.broadcastFrame(100, 1)));

        assertEquals(1, h.counter(PortCounter.RX_DROP_DMA_FAULT));
        assertEquals(ERR_RXE, h.rxErrors(0));
        assertEquals(1, h.guestMemory.rejectionCount(GuestMemory.Rejection.READ_ONLY));
        assertArrayEquals(romBefore, romBytes());
        assertFalse(h.device.isFaulted());
    }

    @Test
    void shouldTransmitFrameWhoseBufferIsInReadOnlyRegion()
    {
        final DeviceHarness h = withExtraRegions(TxTestSupport.harness(8));
        final byte[] frame = DeviceHarness.broadcastFrame(60, 7);
        romBuffer.putBytes(0x200, frame);
        putLegacy(h, 0, ROM_GPA + 0x200, frame.length, RS_EOP, 0, 0, 0);
        ring(h, 1);

        assertEquals(1, h.pollTx());

        assertEquals(1, h.wire.size());
        assertArrayEquals(frame, h.wire.get(0));
        assertEquals(STA_DD, h.txStatus(0));
    }

    @Test
    void shouldFaultPortAndLeaveRomUntouchedWhenTxRingIsInReadOnlyRegion()
    {
        final DeviceHarness h = withExtraRegions(TxTestSupport.harness(8));
        h.write(E1000Registers.TDBAL, (int)ROM_GPA);
        final byte[] romBefore = romBytes();
        ring(h, 1);

        assertEquals(0, h.pollTx());

        assertEquals(PortFault.TX_RING_OUTSIDE_MEMORY, h.device.fault(),
            "a ring in a ROM is outside the memory the device may write");
        assertEquals(1, h.counter(PortCounter.RING_FAULTS));
        assertEquals(1, h.guestMemory.rejectionCount(GuestMemory.Rejection.READ_ONLY));
        assertArrayEquals(romBefore, romBytes());
    }

    @Test
    void shouldFaultPortAndLeaveRomUntouchedWhenRxRingIsInReadOnlyRegion()
    {
        final DeviceHarness h = withExtraRegions(new DeviceHarness());
        RxFrames.ready(h, 8);
        h.write(E1000Registers.RDBAL, (int)ROM_GPA);
        final byte[] romBefore = romBytes();

        assertFalse(h.receive(DeviceHarness.broadcastFrame(100, 1)));

        assertTrue(h.device.isFaulted());
        assertEquals(1, h.counter(PortCounter.RING_FAULTS));
        assertArrayEquals(romBefore, romBytes());
    }

    @Test
    void shouldDropFrameAsDmaFaultAndWriteNeitherRegionWhenRxBufferSpansTwoAdjacentRegions()
    {
        final DeviceHarness h = withExtraRegions(new DeviceHarness());
        RxFrames.ready(h, 8);
        h.putRxDescriptor(0, RAM_END_GPA - 100);

        assertFalse(h.receive(DeviceHarness.broadcastFrame(200, 3)));

        assertEquals(1, h.counter(PortCounter.RX_DROP_DMA_FAULT));
        assertEquals(1, h.guestMemory.rejectionCount(GuestMemory.Rejection.SPANS_REGIONS));
        assertArrayEquals(new byte[100], h.getBytes(RAM_END_GPA - 100, 100));
        final byte[] nextHead = new byte[200];
        nextRamBuffer.getBytes(0, nextHead);
        assertArrayEquals(new byte[200], nextHead);
        assertFalse(h.device.isFaulted());
    }

    @Test
    void shouldCompleteDescriptorAndCountDmaFaultWhenTxBufferSpansTwoAdjacentRegions()
    {
        final DeviceHarness h = withExtraRegions(TxTestSupport.harness(8));
        putLegacy(h, 0, RAM_END_GPA - 30, 60, RS_EOP, 0, 0, 0);
        ring(h, 1);

        assertEquals(1, h.pollTx());

        assertEquals(STA_DD, h.txStatus(0));
        assertEquals(1, h.counter(PortCounter.TX_DROP_DMA_FAULT));
        assertEquals(1, h.guestMemory.rejectionCount(GuestMemory.Rejection.SPANS_REGIONS));
        assertEquals(0, h.wire.size());
    }

    /**
     * Add a 64 KiB read-only region (a ROM, filled with a pattern) and a RAM region right after the harness's RAM.
     */
    private DeviceHarness withExtraRegions(final DeviceHarness h)
    {
        for (int i = 0; i < ROM_BYTES; i++)
        {
            romBuffer.putByte(i, (byte)(i * 31 + 5));
        }
        h.guestMemory.add(GuestMemoryRegion.ofSegment(ROM_GPA, rom, GuestMemoryRegion.READ));
        h.guestMemory.add(GuestMemoryRegion.ofSegment(RAM_END_GPA, nextRam, GuestMemoryRegion.READ_WRITE));
        return h;
    }

    private byte[] romBytes()
    {
        final byte[] bytes = new byte[ROM_BYTES];
        romBuffer.getBytes(0, bytes);
        return bytes;
    }
}
