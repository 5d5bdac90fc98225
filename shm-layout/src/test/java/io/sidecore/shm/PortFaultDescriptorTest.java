package io.sidecore.shm;

import io.sidecore.shm.PortFaultDescriptor.Reading;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static io.sidecore.shm.LayoutAssertions.assertLayout;
import static io.sidecore.shm.LayoutAssertions.field;
import static io.sidecore.shm.LayoutAssertions.intConstant;
import static io.sidecore.shm.LayoutAssertions.parseInt;
import static io.sidecore.shm.PortFaultDescriptor.FAULT_COUNT_FIELD_OFFSET;
import static io.sidecore.shm.PortFaultDescriptor.FAULT_ID_FIELD_OFFSET;
import static io.sidecore.shm.PortFaultDescriptor.PORT_ID_FIELD_OFFSET;
import static io.sidecore.shm.PortFaultDescriptor.RECORD_LENGTH;
import static io.sidecore.shm.PortFaultDescriptor.REGISTER_FIELD_OFFSET;
import static io.sidecore.shm.PortFaultDescriptor.SEQUENCE_FIELD_OFFSET;
import static io.sidecore.shm.PortFaultDescriptor.SLOT_IN_USE;
import static io.sidecore.shm.PortFaultDescriptor.SLOT_STATE_FIELD_OFFSET;
import static io.sidecore.shm.PortFaultDescriptor.TIMESTAMP_FIELD_OFFSET;
import static io.sidecore.shm.PortFaultDescriptor.VALUE_FIELD_OFFSET;
import static io.sidecore.shm.PortFaultDescriptor.beginWrite;
import static io.sidecore.shm.PortFaultDescriptor.endWrite;
import static io.sidecore.shm.PortFaultDescriptor.read;
import static io.sidecore.shm.PortFaultDescriptor.recordOffset;
import static io.sidecore.shm.PortFaultDescriptor.slotCount;
import static io.sidecore.shm.PortFaultDescriptor.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

class PortFaultDescriptorTest
{
    private static final int SLOTS = 4;

    private final UnsafeBuffer section =
        new UnsafeBuffer(BufferUtil.allocateDirectAligned(SLOTS * RECORD_LENGTH, LayoutUtil.CACHE_LINE_LENGTH));

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource({
        "RECORD_LENGTH, 64", "SEQUENCE_FIELD_OFFSET, 0", "SLOT_STATE_FIELD_OFFSET, 8", "PORT_ID_FIELD_OFFSET, 12",
        "FAULT_ID_FIELD_OFFSET, 16", "REGISTER_FIELD_OFFSET, 20", "VALUE_FIELD_OFFSET, 24",
        "TIMESTAMP_FIELD_OFFSET, 32", "FAULT_COUNT_FIELD_OFFSET, 40", "SLOT_FREE, 0", "SLOT_IN_USE, 1",
    })
    void shouldPinPortFaultRecordConstant(final String name, final String value)
    {
        assertEquals(parseInt(value), intConstant(PortFaultDescriptor.class, name));
    }

    @Test
    void shouldPinEveryPortFaultRecordConstant()
    {
        LayoutAssertions.assertEveryConstantPinned(
            PortFaultDescriptor.class, PortFaultDescriptorTest.class, "shouldPinPortFaultRecordConstant");
    }

    @Test
    void shouldLayOutRecordWithoutOverlapInOneCacheLine()
    {
        assertLayout("port fault record", RECORD_LENGTH,
            field("sequence", SEQUENCE_FIELD_OFFSET, 8),
            field("slot state", SLOT_STATE_FIELD_OFFSET, 4),
            field("port id", PORT_ID_FIELD_OFFSET, 4),
            field("fault id", FAULT_ID_FIELD_OFFSET, 4),
            field("register", REGISTER_FIELD_OFFSET, 4),
            field("value", VALUE_FIELD_OFFSET, 8),
            field("timestamp", TIMESTAMP_FIELD_OFFSET, 8),
            field("fault count", FAULT_COUNT_FIELD_OFFSET, 8));
        assertEquals(LayoutUtil.CACHE_LINE_LENGTH, RECORD_LENGTH);
        assertEquals(2 * RECORD_LENGTH, recordOffset(2));
        assertEquals(SLOTS, slotCount(SLOTS * RECORD_LENGTH));
    }

    @Test
    void shouldReadNothingFromSlotNeverUsed()
    {
        assertNull(read(section, 1, 3));
    }

    @Test
    void shouldReadWhatTheWriterPublished()
    {
        write(2, 7, PortFault.TX_TAIL_BEYOND_RING, E1000Registers.TDT, 0x400L, 1_700_000_000_123L, 1);

        final Reading reading = read(section, 2, 3);

        assertEquals(new Reading(SLOT_IN_USE, 7, PortFault.TX_TAIL_BEYOND_RING.id(), E1000Registers.TDT, 0x400L,
            1_700_000_000_123L, 1), reading);
        assertSame(PortFault.TX_TAIL_BEYOND_RING, reading.fault());
        assertEquals(4, section.getLong(recordOffset(2) + SEQUENCE_FIELD_OFFSET), "two writes, each +2");
    }

    @Test
    void shouldReadNoFaultAfterClearWithCountKept()
    {
        write(0, 3, PortFault.RX_RING_OUTSIDE_MEMORY, E1000Registers.RDBAL, 0x1_0000_0000L, 5L, 2);
        final int offset = recordOffset(0);
        final long sequence = beginWrite(section, offset);
        section.putInt(offset + FAULT_ID_FIELD_OFFSET, PortFault.NO_FAULT_ID);
        section.putInt(offset + REGISTER_FIELD_OFFSET, 0);
        section.putLong(offset + VALUE_FIELD_OFFSET, 0);
        endWrite(section, offset, sequence);

        final Reading reading = read(section, 0, 3);

        assertNull(reading.fault());
        assertEquals(2, reading.faultCount());
        assertEquals(5L, reading.timestampMs());
    }

    @Test
    void shouldGiveUpWhileWriteIsInProgress()
    {
        write(1, 1, PortFault.TX_HEAD_BEYOND_RING, E1000Registers.TDH, 9, 1, 1);
        final long sequence = beginWrite(section, recordOffset(1));

        assertNull(read(section, 1, 5), "an odd sequence is never read as a record");
        assertEquals(1, sequence & 1);

        endWrite(section, recordOffset(1), sequence);
        assertEquals(9, read(section, 1, 1).value());
    }

    private void write(
        final int slot,
        final int portId,
        final PortFault fault,
        final int register,
        final long value,
        final long timestampMs,
        final long faultCount)
    {
        final int offset = recordOffset(slot);
        PortFaultDescriptor.write(section, offset, SLOT_IN_USE, portId, PortFault.NO_FAULT_ID, 0, 0, 0, 0);
        PortFaultDescriptor.write(
            section, offset, SLOT_IN_USE, portId, fault.id(), register, value, timestampMs, faultCount);
    }
}
