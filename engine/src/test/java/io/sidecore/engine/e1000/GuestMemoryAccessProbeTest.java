package io.sidecore.engine.e1000;

import io.sidecore.engine.mem.GuestMemory;
import io.sidecore.engine.status.PortCounters;
import io.sidecore.shm.E1000Registers;
import io.sidecore.shm.PciConfig;
import io.sidecore.shm.PortCounter;
import io.sidecore.shm.PortRegionDescriptor;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The memory layer's test hook: every host range the device reads or writes in guest memory is reported to the probe
 * before the access, for TX (the ring, each buffer) and RX (each descriptor, each buffer), so a checker with its own
 * map of the regions sees reads as well as writes. The planted-bug switch is off unless a test JVM sets it.
 */
class GuestMemoryAccessProbeTest
{
    private static final long RAM_GPA = 0x10_0000L;
    private static final int RAM_BYTES = 1 << 20;
    private static final long TX_RING_GPA = RAM_GPA;
    private static final long RX_RING_GPA = RAM_GPA + 0x1000;
    private static final long TX_BUFFER_GPA = RAM_GPA + 0x2000;
    private static final long RX_BUFFER_GPA = RAM_GPA + 0x4000;
    private static final byte[] MAC = {0x02, 0, 0, 0, 0, 0x01};

    private final MemorySegment ram = Arena.ofAuto().allocate(RAM_BYTES, 4096);
    private final UnsafeBuffer ramBuffer = new UnsafeBuffer(ram.address(), RAM_BYTES);
    private final List<long[]> accesses = new ArrayList<>();
    private final GuestMemory guestMemory = new GuestMemory()
        .accessProbe((address, length, write) -> accesses.add(new long[]{ address, length, write ? 1 : 0 }));
    private final PortCounters counters = PortCounters.inPrivateMemory("probe");
    private final RegisterImage registers = RegisterImage.allocate();
    private final List<Integer> frameLengths = new ArrayList<>();
    private final E1000Device device;

    GuestMemoryAccessProbeTest()
    {
        guestMemory.addRegion(RAM_GPA, ram);
        device = new E1000Device(new PortConfig(0, "probe", MAC, false, PortRegionDescriptor.DEFAULT_SHARED_PAGES),
            registers, guestMemory, counters,
            (frame, offset, lengthBytes, metadata, nowNs) ->
            {
                frameLengths.add(lengthBytes);
                return -1;
            },
            level -> {});
        device.configWrite(PciConfig.COMMAND_OFFSET, 2, PciConfig.COMMAND_MEMORY_SPACE | PciConfig.COMMAND_BUS_MASTER);
    }

    @Test
    void shouldReportRingAndBufferRangesBeforeTransmitting()
    {
        device.mmioWrite(E1000Registers.TDBAL, (int)TX_RING_GPA, 0);
        device.mmioWrite(E1000Registers.TDLEN, 128, 0);
        device.mmioWrite(E1000Registers.TCTL, E1000Registers.TCTL_EN, 0);
        ramBuffer.putLong(0, TX_BUFFER_GPA, ByteOrder.LITTLE_ENDIAN);
        ramBuffer.putShort(8, (short)100, ByteOrder.LITTLE_ENDIAN);
        ramBuffer.putByte(11, (byte)0x09);
        registers.setRelease(E1000Registers.TDT, 1);
        accesses.clear();

        device.pollTx(0, 64);

        assertEquals(List.of(100), frameLengths);
        assertEquals(3, accesses.size(), "the ring view, then the buffer view: touched, then copied");
        assertAccess(accesses.get(0), TX_RING_GPA, 128, true);
        assertAccess(accesses.get(1), TX_BUFFER_GPA, 100, false);
        assertAccess(accesses.get(2), TX_BUFFER_GPA, 100, false);
    }

    @Test
    void shouldReportDescriptorAndBufferRangesBeforeReceiving()
    {
        device.mmioWrite(E1000Registers.RDBAL, (int)RX_RING_GPA, 0);
        device.mmioWrite(E1000Registers.RDLEN, 128, 0);
        device.mmioWrite(E1000Registers.RCTL, E1000Registers.RCTL_EN | E1000Registers.RCTL_BAM, 0);
        ramBuffer.putLong((int)(RX_RING_GPA - RAM_GPA), RX_BUFFER_GPA, ByteOrder.LITTLE_ENDIAN);
        registers.setRelease(E1000Registers.RDT, 1);
        final UnsafeBuffer frame = new UnsafeBuffer(new byte[64]);
        frame.setMemory(0, 6, (byte)0xFF);
        accesses.clear();

        device.receive(frame, 0, 64, 0);

        assertEquals(1, counters.get(PortCounter.RX_FRAMES));
        assertTrue(accesses.size() >= 3, "descriptor read, buffer write, descriptor write-back: " + accesses.size());
        assertAccess(accesses.get(0), RX_RING_GPA, 16, true);
        assertAccess(accesses.get(1), RX_BUFFER_GPA, 64, true);
        assertAccess(accesses.get(accesses.size() - 1), RX_RING_GPA, 16, true);
    }

    /**
     * The RX read-ahead's reads go through views too: at a batch's first frame, one read-only access per descriptor
     * it reads ahead (16 bytes) and one per buffer (1 byte), as many as the previous batch received, wrapping at the
     * ring's end, before the frame's own descriptor and buffer; a buffer address of 0 is not followed.
     */
    @Test
    void shouldReportTheRxReadAheadsReadsAcrossTheRingsEnd()
    {
        final int descriptors = 8;
        device.mmioWrite(E1000Registers.RDBAL, (int)RX_RING_GPA, 0);
        device.mmioWrite(E1000Registers.RDLEN, descriptors * 16, 0);
        device.mmioWrite(E1000Registers.RCTL, E1000Registers.RCTL_EN | E1000Registers.RCTL_BAM, 0);
        for (int i = 0; i < descriptors; i++)
        {
            ramBuffer.putLong((int)(RX_RING_GPA - RAM_GPA) + 16 * i, i == 7 ? 0 : RX_BUFFER_GPA + 2048L * i,
                ByteOrder.LITTLE_ENDIAN);
        }
        registers.setRelease(E1000Registers.RDT, 5);
        final UnsafeBuffer frame = new UnsafeBuffer(new byte[64]);
        frame.setMemory(0, 6, (byte)0xFF);
        receiveBatch(frame, 5);
        assertEquals(5, registers.get(E1000Registers.RDH));
        for (int i = 0; i < descriptors; i++)
        {
            ramBuffer.putByte((int)(RX_RING_GPA - RAM_GPA) + 16 * i + 12, (byte)0);
        }
        registers.setRelease(E1000Registers.RDT, 4);
        accesses.clear();

        receiveBatch(frame, 1);

        assertEquals(6, counters.get(PortCounter.RX_FRAMES));
        final int[] aheadOf = {5, 6, 7, 0, 1};
        int next = 0;
        for (final int index : aheadOf)
        {
            assertAccess(accesses.get(next++), RX_RING_GPA + 16L * index, 16, false);
            if (7 != index)
            {
                assertAccess(accesses.get(next++), RX_BUFFER_GPA + 2048L * index, 1, false);
            }
        }
        assertAccess(accesses.get(next), RX_RING_GPA + 16L * 5, 16, true);
        assertAccess(accesses.get(next + 1), RX_BUFFER_GPA + 2048L * 5, 64, true);
    }

    private void receiveBatch(final UnsafeBuffer frame, final int frames)
    {
        device.rxBatching(true, 0);
        for (int i = 0; i < frames; i++)
        {
            assertEquals(-1, device.receive(frame, 0, 64, 0), "frame " + i);
        }
        device.rxBatching(false, 0);
    }

    @Test
    void shouldHandOutPlainViewsWithoutProbe()
    {
        assertEquals(io.sidecore.engine.mem.DataPathBuffer.class, new GuestMemory().newView(true).getClass());
    }

    @Test
    void shouldKeepRegionEndCheckUnlessTestJvmPlantsTheBug()
    {
        assertFalse(GuestMemory.isRegionEndCheckSkipped(), "no test JVM of the suite plants the bug");
        assertEquals(GuestMemory.NO_MAPPING, guestMemory.translateForRead(RAM_GPA + RAM_BYTES - 8, 16));
    }

    private void assertAccess(final long[] access, final long gpa, final long length, final boolean write)
    {
        assertEquals(ram.address() + (gpa - RAM_GPA), access[0], "host address");
        assertEquals(length, access[1], "length");
        assertEquals(write ? 1 : 0, access[2], "write");
    }
}
