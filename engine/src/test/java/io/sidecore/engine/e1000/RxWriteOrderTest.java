package io.sidecore.engine.e1000;

import io.sidecore.engine.frame.FrameSink;
import io.sidecore.engine.mem.GuestMemory;
import io.sidecore.engine.status.PortCounters;
import io.sidecore.shm.E1000Registers;
import io.sidecore.shm.E1000RxDescriptor;
import io.sidecore.shm.PciConfig;
import io.sidecore.shm.PortRegionDescriptor;
import io.sidecore.tools.guest.Descriptors;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The order of the stores the receive path makes, recorded through buffers that log every access (in the manner of
 * Agrona's InOrder test of the ring buffer's publication protocol): frame bytes, then the descriptor's length, then
 * its status dword with DD in one release store, then RDH with a release store.
 */
class RxWriteOrderTest
{
    private static final long RAM_GPA = 0x10_0000L;
    private static final int RAM_BYTES = 1 << 20;
    private static final long RING_GPA = RAM_GPA;
    private static final long BUFFERS_GPA = RAM_GPA + 0x1_0000L;
    private static final int RING = 8;

    private final List<Event> log = new ArrayList<>();
    private final MemorySegment ram = Arena.ofAuto().allocate(RAM_BYTES, 4096);
    private final UnsafeBuffer ramBuffer = new UnsafeBuffer(ram.address(), RAM_BYTES);
    private final RecordingBuffer registerBuffer = new RecordingBuffer(
        "register", ByteBuffer.allocateDirect(E1000Registers.BAR0_LENGTH));
    private final RegisterImage registers =
        new RegisterImage(registerBuffer, PortRegionDescriptor.DEFAULT_SHARED_PAGES);
    private final RecordingBuffer descriptors = new RecordingBuffer("descriptor", ByteBuffer.allocateDirect(0));
    private final RecordingBuffer data = new RecordingBuffer("data", ByteBuffer.allocateDirect(0));
    private RxProcessor rx;

    record Event(String buffer, String operation, long address, long value)
    {
    }

    /**
     * Logs writes (and descriptor reads) with their absolute address; reads and writes still reach memory.
     */
    final class RecordingBuffer extends UnsafeBuffer
    {
        private final String name;

        RecordingBuffer(final String name, final ByteBuffer initial)
        {
            super(initial);
            this.name = name;
        }

        public void putInt(final int index, final int value, final ByteOrder order)
        {
            log.add(new Event(name, "putInt", addressOffset() + index, value));
            super.putInt(index, value, order);
        }

        public void putInt(final int index, final int value)
        {
            log.add(new Event(name, "putInt", addressOffset() + index, value));
            super.putInt(index, value);
        }

        public void putIntRelease(final int index, final int value)
        {
            log.add(new Event(name, "putIntRelease", addressOffset() + index, value));
            super.putIntRelease(index, value);
        }

        public void putByte(final int index, final byte value)
        {
            log.add(new Event(name, "putByte", addressOffset() + index, value));
            super.putByte(index, value);
        }

        public void putShort(final int index, final short value, final ByteOrder order)
        {
            log.add(new Event(name, "putShort", addressOffset() + index, value));
            super.putShort(index, value, order);
        }

        public void putLong(final int index, final long value, final ByteOrder order)
        {
            log.add(new Event(name, "putLong", addressOffset() + index, value));
            super.putLong(index, value, order);
        }

        public void putBytes(final int index, final DirectBuffer source, final int sourceIndex, final int length)
        {
            log.add(new Event(name, "putBytes", addressOffset() + index, length));
            super.putBytes(index, source, sourceIndex, length);
        }

        public long getLong(final int index, final ByteOrder order)
        {
            log.add(new Event(name, "getLong", addressOffset() + index, 0));
            return super.getLong(index, order);
        }
    }

    @BeforeEach
    void setUp()
    {
        final GuestMemory guestMemory = new GuestMemory();
        guestMemory.addRegion(RAM_GPA, ram);
        final PortConfig config = new PortConfig(0, "order", DeviceHarness.MAC, false,
            PortRegionDescriptor.DEFAULT_SHARED_PAGES);
        final E1000Device device = new E1000Device(config, registers, guestMemory,
            PortCounters.inPrivateMemory("order"),
            (frame, offset, lengthBytes, metadata, nowNs) -> FrameSink.DELIVERED, asserted -> { });
        device.configWrite(PciConfig.COMMAND_OFFSET, 2, PciConfig.COMMAND_MEMORY_SPACE | PciConfig.COMMAND_BUS_MASTER);
        rx = new RxProcessor(new RingCollaborators(device.registers, device.guestMemory, device.counters,
            device.statistics, device.interrupts, device.pci, device.faults), descriptors, data);
        registers.set(E1000Registers.STATUS, E1000Registers.STATUS_RESET_VALUE);
        registers.set(E1000Registers.RCTL, E1000Registers.RCTL_EN | E1000Registers.RCTL_BAM |
            1 << E1000Registers.RCTL_BSIZE_SHIFT);
        registers.set(E1000Registers.VET, RxFrames.VET_8021Q);
        registers.set(E1000Registers.RDBAL, (int)RING_GPA);
        registers.set(E1000Registers.RDLEN, RING * 16);
        for (int i = 0; i < RING; i++)
        {
            Descriptors.putRx(ramBuffer, i * 16, BUFFERS_GPA + i * 2048L);
        }
        registers.set(E1000Registers.RDT, RING - 1);
        log.clear();
    }

    @Test
    void shouldWriteDdLastInOneReleaseStorePerDescriptor()
    {
        assertTrue(receive(1500));

        final List<Event> writes = writesOf("descriptor");
        assertEquals(4, writes.size());
        for (int d = 0; d < 2; d++)
        {
            final long base = ram.address() + d * 16L;
            final Event length = writes.get(2 * d);
            final Event status = writes.get(2 * d + 1);
            assertEquals("putInt", length.operation());
            assertEquals(base + E1000RxDescriptor.LENGTH_OFFSET, length.address());
            assertEquals(0 == d ? 1024 : 1504 - 1024, length.value());
            assertEquals("putIntRelease", status.operation());
            assertEquals(base + E1000RxDescriptor.STATUS_OFFSET, status.address());
            assertEquals(E1000RxDescriptor.STA_DD, status.value() & E1000RxDescriptor.STA_DD);
        }
        assertEquals(E1000RxDescriptor.STA_DD, ramBuffer.getByte(12) & 0xFF);
        assertEquals(E1000RxDescriptor.STA_DD | E1000RxDescriptor.STA_EOP | E1000RxDescriptor.STA_IXSM,
            ramBuffer.getByte(16 + 12) & 0xFF);
    }

    @Test
    void shouldWriteBufferBeforeDescriptorAndRdhAfterLastDescriptor()
    {
        assertTrue(receive(1500));

        final List<String> order = new ArrayList<>();
        for (final Event event : log)
        {
            if ("data".equals(event.buffer()) && "putBytes".equals(event.operation()))
            {
                order.add("data@" + (event.address() - ramBufferAddress(BUFFERS_GPA)) / 2048);
            }
            else if ("descriptor".equals(event.buffer()) && event.operation().startsWith("put"))
            {
                order.add(event.operation() + "@" + (event.address() - ram.address()));
            }
            else if ("register".equals(event.buffer()) && event.address() ==
                registerBuffer.addressOffset() + E1000Registers.RDH)
            {
                order.add(event.operation() + "(RDH=" + event.value() + ")");
            }
        }
        assertEquals(List.of(
            "data@0", "putInt@8", "putIntRelease@12",
            "data@1", "putInt@24", "putIntRelease@28",
            "putIntRelease(RDH=2)"), order);
    }

    @Test
    void shouldReadEachBufferAddressExactlyOnce()
    {
        assertTrue(receive(1500));

        final List<Event> reads = new ArrayList<>();
        for (final Event event : log)
        {
            if ("getLong".equals(event.operation()))
            {
                reads.add(event);
            }
        }
        assertEquals(2, reads.size());
        assertEquals(ram.address(), reads.get(0).address());
        assertEquals(ram.address() + 16, reads.get(1).address());
    }

    @Test
    void shouldNotRescanAllNullRingUntilTailMoves()
    {
        // CVE-2020-28916 pattern: the first frame costs one pass over the free descriptors, later frames none.
        for (int i = 0; i < RING; i++)
        {
            Descriptors.putRx(ramBuffer, i * 16, 0);
        }

        assertFalse(receive(100));
        assertEquals(RING - 1, count("getLong"));
        assertFalse(receive(100));
        assertEquals(RING - 1, count("getLong"));
        assertEquals(0, writesOf("descriptor").size());

        registers.set(E1000Registers.RDT, RING - 2);
        assertFalse(receive(100));
        assertEquals(2 * RING - 3, count("getLong"));
    }

    @Test
    void shouldScanAgainAfterReset()
    {
        for (int i = 0; i < RING; i++)
        {
            Descriptors.putRx(ramBuffer, i * 16, 0);
        }
        assertFalse(receive(100));

        rx.reset();

        assertFalse(receive(100));
        assertEquals(2 * (RING - 1), count("getLong"));
    }

    @Test
    void shouldWriteNothingAndReadNoDescriptorWhenFrameOversize()
    {
        assertFalse(receive(9000));

        assertEquals(0, count("getLong"));
        assertEquals(0, writesOf("descriptor").size());
        assertEquals(0, writesOf("data").size());
        assertEquals(1, registers.get(E1000Registers.ROC));
    }

    private boolean receive(final int lengthBytes)
    {
        final byte[] frame = DeviceHarness.broadcastFrame(lengthBytes, 3);
        return FrameSink.DELIVERED == rx.receive(new UnsafeBuffer(frame), 0, frame.length, 1L);
    }

    private long ramBufferAddress(final long gpa)
    {
        return ram.address() + (gpa - RAM_GPA);
    }

    private List<Event> writesOf(final String buffer)
    {
        final List<Event> writes = new ArrayList<>();
        for (final Event event : log)
        {
            if (buffer.equals(event.buffer()) && event.operation().startsWith("put"))
            {
                writes.add(event);
            }
        }
        return writes;
    }

    private int count(final String operation)
    {
        int count = 0;
        for (final Event event : log)
        {
            if (operation.equals(event.operation()))
            {
                count++;
            }
        }
        return count;
    }
}
