package io.sidecore.engine.e1000;

import io.sidecore.shm.E1000Registers;
import io.sidecore.shm.PortCounter;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class UnknownRegisterTest
{
    @Test
    void shouldReadZeroAndCountWhenRegisterUnknown()
    {
        final DeviceHarness harness = new DeviceHarness();
        harness.registers.set(0x0024, 0x1234);

        assertEquals(0, harness.read(0x0024));
        assertEquals(0, harness.read(E1000Registers.FLA));
        assertEquals(0, harness.read(E1000Registers.SWSM));
        assertEquals(3, harness.counter(PortCounter.UNKNOWN_REGISTER_ACCESSES));
        assertEquals(3, harness.counter(PortCounter.TRAPPED_READS));
    }

    @Test
    void shouldIgnoreAndCountWriteToUnknownRegister()
    {
        final DeviceHarness harness = new DeviceHarness();

        harness.write(0x0E04, 0xFFFFFFFF);
        harness.write(0x2900, 0xFFFFFFFF);

        assertEquals(0, harness.registers.get(0x0E04));
        assertEquals(0, harness.registers.get(0x2900));
        assertEquals(2, harness.counter(PortCounter.UNKNOWN_REGISTER_ACCESSES));
        assertEquals(0, harness.counter(PortCounter.BAD_REGISTER_ACCESSES));
    }

    @Test
    void shouldReadZeroAndCountBadWhenUnaligned()
    {
        final DeviceHarness harness = new DeviceHarness();

        assertEquals(0, harness.read(E1000Registers.STATUS + 1));
        harness.write(E1000Registers.RCTL + 2, 0xFFFFFFFF);

        assertEquals(2, harness.counter(PortCounter.BAD_REGISTER_ACCESSES));
        assertEquals(0, harness.read(E1000Registers.RCTL));
    }

    @Test
    void shouldReadZeroAndCountBadWhenOutOfRange()
    {
        final DeviceHarness harness = new DeviceHarness();

        assertEquals(0, harness.read(E1000Registers.BAR0_LENGTH));
        assertEquals(0, harness.read(-4));
        harness.write(Integer.MAX_VALUE - 3, 1);
        harness.write(Integer.MIN_VALUE, 1);

        assertEquals(4, harness.counter(PortCounter.BAD_REGISTER_ACCESSES));
        assertEquals(0, harness.counter(PortCounter.UNKNOWN_REGISTER_ACCESSES));
    }

    @Test
    void shouldStorePacketBufferMemoryAsPlainRegisters()
    {
        final DeviceHarness harness = new DeviceHarness();

        harness.write(E1000Registers.PBM + 0x100, 0xCAFEF00D);

        assertEquals(0xCAFEF00D, harness.read(E1000Registers.PBM + 0x100));
        assertEquals(0, harness.counter(PortCounter.UNKNOWN_REGISTER_ACCESSES));
    }

    private static DeviceHarness shared;

    @Property(tries = 2000)
    void shouldCountEveryAccessOnceAndRefuseInvalidOnesWhenAnyRegisterIsAccessed(
        @ForAll @IntRange(min = -16, max = E1000Registers.BAR0_LENGTH + 16) final int offset,
        @ForAll final int value,
        @ForAll final boolean write)
    {
        if (null == shared)
        {
            shared = new DeviceHarness();
        }
        final DeviceHarness harness = shared;
        final long readsBefore = harness.counter(PortCounter.TRAPPED_READS);
        final long writesBefore = harness.counter(PortCounter.TRAPPED_WRITES);
        final long badBefore = harness.counter(PortCounter.BAD_REGISTER_ACCESSES);
        if (write)
        {
            harness.write(offset, value);
            harness.device.ioWrite(E1000Registers.IOADDR, offset, harness.nowNs);
            harness.device.ioWrite(E1000Registers.IODATA, value, harness.nowNs);
        }
        else
        {
            harness.read(offset);
            harness.device.ioWrite(E1000Registers.IOADDR, offset, harness.nowNs);
            harness.device.ioRead(E1000Registers.IODATA, harness.nowNs);
        }
        harness.device.configWrite(offset & 0xFF, 1 + (value & 3), value);
        harness.device.configRead(offset & 0xFF, 1 + ((value >>> 2) & 3));
        harness.device.onTimers(harness.nowNs + (value & 0xFFFFFL));

        assertEquals(write ? 0 : 2, harness.counter(PortCounter.TRAPPED_READS) - readsBefore,
            "each BAR0 read, direct or through IODATA, counted once");
        assertEquals(write ? 3 : 1, harness.counter(PortCounter.TRAPPED_WRITES) - writesBefore,
            "each BAR0 and IOADDR write counted once");
        final boolean bar0Valid = offset >= 0 && offset < E1000Registers.BAR0_LENGTH && 0 == (offset & 3);
        final long bad = harness.counter(PortCounter.BAD_REGISTER_ACCESSES) - badBefore;
        assertTrue(bar0Valid ? bad <= 2 : bad >= 1 && bad <= 4,
            "an access outside BAR0 or unaligned is refused and counted: offset " + offset + ", " + bad + " bad");
        assertEquals(0, harness.read(E1000Registers.SWSM), "an unknown register still reads 0");
    }
}
