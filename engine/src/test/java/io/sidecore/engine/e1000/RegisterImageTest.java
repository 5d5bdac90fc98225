package io.sidecore.engine.e1000;

import io.sidecore.engine.frame.FrameSink;
import io.sidecore.engine.mem.GuestMemory;
import io.sidecore.engine.status.PortCounters;
import io.sidecore.shm.E1000Registers;
import io.sidecore.shm.PortRegionDescriptor;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The register image split by page: the doorbell pages (what a VMM maps) hold the shared pages and nothing else; the
 * trapped registers live in private memory.
 */
class RegisterImageTest
{
    private static final byte UNTOUCHED = (byte)0xA5;

    private final MemorySegment doorbellMemory =
        Arena.ofAuto().allocate(PortRegionDescriptor.DOORBELL_PAGES_LENGTH, E1000Registers.PAGE_LENGTH);
    private final UnsafeBuffer doorbellPages =
        new UnsafeBuffer(doorbellMemory.address(), PortRegionDescriptor.DOORBELL_PAGES_LENGTH);
    private final RegisterImage registers =
        new RegisterImage(doorbellPages, PortRegionDescriptor.DEFAULT_SHARED_PAGES);

    @Test
    void shouldNeverWriteTheDoorbellPagesOutsideTheSharedOnesWhateverTheGuestTraps()
    {
        doorbellPages.setMemory(0, PortRegionDescriptor.DOORBELL_PAGES_LENGTH, UNTOUCHED);
        final E1000Device device = device(registers);
        for (int offset = 0; offset < E1000Registers.BAR0_LENGTH; offset += 4)
        {
            device.mmioWrite(offset, -1, 0);
            device.mmioRead(offset, 0);
        }
        device.mmioWrite(E1000Registers.CTRL, E1000Registers.CTRL_RST, 0);
        device.powerOnReset();

        for (int offset = 0; offset < PortRegionDescriptor.DOORBELL_PAGES_LENGTH; offset++)
        {
            if (!registers.isShared(offset))
            {
                assertEquals(UNTOUCHED, doorbellPages.getByte(offset), "doorbell pages byte 0x" +
                    Integer.toHexString(offset) + " (" + E1000Registers.registerName(offset & ~3) + ")");
            }
        }
    }

    @Test
    void shouldKeepSharedRegistersInTheDoorbellPagesAndTrappedOnesInPrivateMemory()
    {
        final E1000Device device = device(registers);

        device.mmioWrite(E1000Registers.TDT, 5, 0);
        doorbellPages.putIntRelease(E1000Registers.RDT, 7);
        device.mmioWrite(E1000Registers.RCTL, E1000Registers.RCTL_EN, 0);

        assertEquals(5, doorbellPages.getInt(E1000Registers.TDT), "a trapped doorbell lands in the shared page");
        assertEquals(7, registers.getAcquire(E1000Registers.RDT), "the guest's doorbell is the device's RDT");
        assertEquals(0, doorbellPages.getInt(E1000Registers.RCTL), "RCTL traps: it is not in the doorbell pages");
        assertEquals(E1000Registers.RCTL_EN, registers.privateImage().getInt(E1000Registers.RCTL));
        assertEquals(E1000Registers.STATUS_RESET_VALUE, registers.privateImage().getInt(E1000Registers.STATUS));
    }

    @Test
    void shouldRefuseEveryAccessOutsideBar0ByItsOwnCheck()
    {
        for (final int offset : new int[]{-4, -1, E1000Registers.BAR0_LENGTH - 3, E1000Registers.BAR0_LENGTH,
            Integer.MAX_VALUE, Integer.MIN_VALUE})
        {
            assertThrows(IndexOutOfBoundsException.class, () -> registers.get(offset), "get " + offset);
            assertThrows(IndexOutOfBoundsException.class, () -> registers.set(offset, 1), "set " + offset);
            assertThrows(IndexOutOfBoundsException.class, () -> registers.getAcquire(offset), "acquire " + offset);
            assertThrows(IndexOutOfBoundsException.class, () -> registers.setRelease(offset, 1), "release " + offset);
            assertThrows(IndexOutOfBoundsException.class, () -> registers.compareAndSet(offset, 0, 1), "cas " + offset);
        }
        final int last = E1000Registers.BAR0_LENGTH - Integer.BYTES;
        registers.set(last, 0x1234_5678);
        assertEquals(0x1234_5678, registers.get(last));
    }

    @Test
    void shouldReadAndWriteEachRegisterInTheBufferThatHoldsItsPageWhetherNativeOrHeap()
    {
        final UnsafeBuffer heapPrivate = new UnsafeBuffer(new byte[E1000Registers.BAR0_LENGTH]);
        final UnsafeBuffer heapDoorbell = new UnsafeBuffer(new byte[E1000Registers.BAR0_LENGTH]);
        final RegisterImage heap =
            new RegisterImage(heapPrivate, heapDoorbell, PortRegionDescriptor.DEFAULT_SHARED_PAGES);

        heap.setRelease(E1000Registers.TDH, 9);
        heap.set(E1000Registers.ICR, 3);
        assertEquals(true, heap.compareAndSet(E1000Registers.RDT, 0, 4));

        assertEquals(9, heapDoorbell.getInt(E1000Registers.TDH));
        assertEquals(4, heapDoorbell.getInt(E1000Registers.RDT));
        assertEquals(3, heapPrivate.getInt(E1000Registers.ICR));
        assertEquals(0, heapDoorbell.getInt(E1000Registers.ICR));
        heapDoorbell.putInt(E1000Registers.TDT, 11);
        assertEquals(11, heap.getAcquire(E1000Registers.TDT));
        assertEquals(3, heap.get(E1000Registers.ICR));
    }

    /**
     * A quiet port's look ({@link RegisterImage#doorbellsAsLeft}) sees every change the image's own accessors see,
     * in whichever buffer holds the register: native and heap images, the doorbell pages shared (the default) or
     * all private.
     */
    @Test
    void shouldSeeEachChangeOfAQuietPortsRegistersInTheBufferThatHoldsThem()
    {
        final UnsafeBuffer heapPrivate = new UnsafeBuffer(new byte[E1000Registers.BAR0_LENGTH]);
        final UnsafeBuffer heapDoorbell = new UnsafeBuffer(new byte[E1000Registers.BAR0_LENGTH]);
        final int txPageOnly = 1 << (E1000Registers.TDT / E1000Registers.PAGE_LENGTH);
        final int rxPageOnly = 1 << (E1000Registers.RDT / E1000Registers.PAGE_LENGTH);
        final RegisterImage[] images = {
            registers,
            new RegisterImage(heapPrivate, heapDoorbell, PortRegionDescriptor.DEFAULT_SHARED_PAGES),
            RegisterImage.allocate(0),
            // The RX and the TX page in two different arrays, each way round: a register read through the other
            // page's array (or at the other page's address) reads a zero, not the value set.
            new RegisterImage(new UnsafeBuffer(new byte[E1000Registers.BAR0_LENGTH]),
                new UnsafeBuffer(new byte[E1000Registers.BAR0_LENGTH]), txPageOnly),
            new RegisterImage(new UnsafeBuffer(new byte[E1000Registers.BAR0_LENGTH]),
                new UnsafeBuffer(new byte[E1000Registers.BAR0_LENGTH]), rxPageOnly),
            new RegisterImage(new UnsafeBuffer(new byte[E1000Registers.BAR0_LENGTH]),
                new UnsafeBuffer(new byte[E1000Registers.BAR0_LENGTH]), 0),
        };
        for (final RegisterImage image : images)
        {
            image.set(E1000Registers.TDT, 5);
            image.set(E1000Registers.RDT, 7);
            image.set(E1000Registers.TDH, 3);
            image.set(E1000Registers.RDTR, 0xFFFF);
            image.set(E1000Registers.TIDV, 0x1234);
            assertTrue(image.doorbellsAsLeft(5, 7, 3), "timer fields only: as left");

            final int[][] changes = {
                {E1000Registers.TDT, 6, 5},
                {E1000Registers.RDT, 8, 7},
                {E1000Registers.TDH, 4, 3},
                {E1000Registers.RDTR, 0xFFFF | E1000Registers.RDTR_FPD, 0xFFFF},
                {E1000Registers.TIDV, 0x1234 | E1000Registers.TIDV_FPD, 0x1234},
                {E1000Registers.TIDV, 0x1234 | 0x10000, 0x1234},
            };
            for (final int[] change : changes)
            {
                image.set(change[0], change[1]);
                assertFalse(image.doorbellsAsLeft(5, 7, 3),
                    "register 0x" + Integer.toHexString(change[0]) + " = 0x" + Integer.toHexString(change[1]));
                image.set(change[0], change[2]);
                assertTrue(image.doorbellsAsLeft(5, 7, 3));
            }
            assertFalse(image.doorbellsAsLeft(4, 7, 3), "TDT the port last saw differs");
            assertFalse(image.doorbellsAsLeft(5, 6, 3), "RDT the port last saw differs");
            assertFalse(image.doorbellsAsLeft(5, 7, 2), "TDH the port left differs");
        }
        // The shared page really is where the quiet look reads: a guest's store into the doorbell page is seen.
        doorbellPages.putIntRelease(E1000Registers.TDT, 9);
        assertFalse(registers.doorbellsAsLeft(5, 7, 3));
        heapDoorbell.putInt(E1000Registers.RDT, 1);
        assertFalse(images[1].doorbellsAsLeft(5, 7, 3));
    }

    @Test
    void shouldAssembleTheWholeBar0ViewFromBothBuffers()
    {
        device(registers).mmioWrite(E1000Registers.TDT, 3, 0);
        final byte[] view = new byte[E1000Registers.BAR0_LENGTH];

        registers.copyTo(new UnsafeBuffer(view));

        final UnsafeBuffer bar0 = new UnsafeBuffer(view);
        assertEquals(3, bar0.getInt(E1000Registers.TDT));
        assertEquals(E1000Registers.CTRL_RESET_VALUE, bar0.getInt(E1000Registers.CTRL));
    }

    @Test
    void shouldRefuseAnImageThatSharesOtherPagesThanThePort()
    {
        final RegisterImage other = RegisterImage.allocate(PortRegionDescriptor.DEFAULT_SHARED_PAGES | 1);

        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> device(other));

        assertEquals("register image shares pages 0xd but the port shares 0xc", ex.getMessage());
    }

    @Test
    void shouldRefuseDoorbellPagesShorterThanBar0()
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> new RegisterImage(new UnsafeBuffer(new byte[E1000Registers.PAGE_LENGTH]), 0));

        assertEquals("doorbell pages too short: capacity=4096 required=131072", ex.getMessage());
    }

    private static E1000Device device(final RegisterImage registers)
    {
        return new E1000Device(
            PortConfig.of(0, "image", DeviceHarness.MAC), registers, new GuestMemory(),
            PortCounters.inPrivateMemory("image"), (frame, offset, lengthBytes, metadata, nowNs) -> FrameSink.DELIVERED,
            InterruptLine.NONE);
    }
}
