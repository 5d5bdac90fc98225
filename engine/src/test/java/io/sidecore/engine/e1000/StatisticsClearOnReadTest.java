package io.sidecore.engine.e1000;

import io.sidecore.shm.E1000Registers;
import io.sidecore.shm.PortCounter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

class StatisticsClearOnReadTest
{
    private static final int[] RESERVED_OFFSETS = {0x4024, 0x402C, 0x4044, 0x4084, 0x4098, 0x409C};

    private final DeviceHarness harness = new DeviceHarness();

    private static boolean isReserved(final int offset)
    {
        for (final int reserved : RESERVED_OFFSETS)
        {
            if (reserved == offset)
            {
                return true;
            }
        }
        return false;
    }

    @Test
    void shouldReturnAndClearThirtyTwoBitStatisticWhenRead()
    {
        harness.device.statistics.increment(E1000Registers.GPRC);
        harness.device.statistics.increment(E1000Registers.GPRC);

        assertEquals(2, harness.read(E1000Registers.GPRC));
        assertEquals(0, harness.read(E1000Registers.GPRC));
    }

    @Test
    void shouldClearMissedAndNoBufferCountersWhenRead()
    {
        harness.device.statistics.increment(E1000Registers.MPC);
        harness.device.statistics.increment(E1000Registers.RNBC);

        assertEquals(1, harness.read(E1000Registers.MPC));
        assertEquals(1, harness.read(E1000Registers.RNBC));
        assertEquals(0, harness.read(E1000Registers.MPC));
        assertEquals(0, harness.read(E1000Registers.RNBC));
    }

    @Test
    void shouldClearEveryStatisticRegisterWhenRead()
    {
        for (int offset = E1000Registers.STATS_FIRST; offset <= E1000Registers.STATS_LAST; offset += 4)
        {
            harness.registers.set(offset, 7);
        }
        for (int offset = E1000Registers.STATS_FIRST; offset <= E1000Registers.STATS_LAST; offset += 4)
        {
            harness.read(offset);
        }

        for (int offset = E1000Registers.STATS_FIRST; offset <= E1000Registers.STATS_LAST; offset += 4)
        {
            final int expected = isReserved(offset) ? 7 : 0;
            assertEquals(expected, harness.registers.get(offset), "offset 0x" + Integer.toHexString(offset));
        }
        assertEquals(RESERVED_OFFSETS.length, harness.counter(PortCounter.UNKNOWN_REGISTER_ACCESSES));
    }

    @ParameterizedTest
    @ValueSource(ints = {E1000Registers.GORCL, E1000Registers.GOTCL, E1000Registers.TORL, E1000Registers.TOTL})
    void shouldKeepBothHalvesWhenLowHalfOfOctetPairRead(final int lowOffset)
    {
        harness.device.statistics.add64(lowOffset, 0x1_0000_0040L);

        assertEquals(0x40, harness.read(lowOffset));
        assertEquals(0x40, harness.read(lowOffset));
        assertEquals(1, harness.registers.get(lowOffset + 4));
    }

    @ParameterizedTest
    @ValueSource(ints = {E1000Registers.GORCL, E1000Registers.GOTCL, E1000Registers.TORL, E1000Registers.TOTL})
    void shouldClearBothHalvesWhenHighHalfOfOctetPairRead(final int lowOffset)
    {
        harness.device.statistics.add64(lowOffset, 0x2_0000_0100L);

        assertEquals(0x100, harness.read(lowOffset));
        assertEquals(2, harness.read(lowOffset + 4));

        assertEquals(0, harness.read(lowOffset));
        assertEquals(0, harness.read(lowOffset + 4));
    }

    /**
     * A driver reads the low half, then the high half (Linux e1000_update_stats, every two seconds while traffic
     * flows); frames counted between the two reads must stay in the counter for the next read, not be cleared with
     * it. The e2e counters check once found a guest's rx_bytes 70 bytes short of the port's with equal frame counts:
     * one 66-byte frame landed between the guest's GORCL and GORCH reads.
     */
    @ParameterizedTest
    @ValueSource(ints = {E1000Registers.GORCL, E1000Registers.GOTCL, E1000Registers.TORL, E1000Registers.TOTL})
    void shouldKeepOctetsCountedBetweenTheLowAndTheHighHalfRead(final int lowOffset)
    {
        harness.device.statistics.add64(lowOffset, 0x100);
        assertEquals(0x100, harness.read(lowOffset));

        harness.device.statistics.add64(lowOffset, 70);
        assertEquals(0, harness.read(lowOffset + 4));

        assertEquals(70, harness.read(lowOffset));
        assertEquals(0, harness.read(lowOffset + 4));
        assertEquals(0, harness.read(lowOffset));
    }

    /**
     * The high half returned belongs to the same value as the low half read before it: a carry out of the low half
     * between the two reads must not pair the old low half with the new high half (which would count 2^32 bytes
     * that never were, and then lose the bytes that were).
     */
    @ParameterizedTest
    @ValueSource(ints = {E1000Registers.GORCL, E1000Registers.GOTCL, E1000Registers.TORL, E1000Registers.TOTL})
    void shouldPairTheHighHalfWithTheLowHalfReadBeforeItAcrossACarry(final int lowOffset)
    {
        harness.device.statistics.add64(lowOffset, 0xFFFF_FFF0L);
        assertEquals(0xFFFF_FFF0, harness.read(lowOffset));

        harness.device.statistics.add64(lowOffset, 0x20);
        assertEquals(0, harness.read(lowOffset + 4));

        assertEquals(0x20, harness.read(lowOffset));
        assertEquals(0, harness.read(lowOffset + 4));
    }

    /**
     * A MAC reset between the two reads clears the counters (SDM 13.7); the value latched by the low read is forgotten,
     * and a high read after the reset returns and clears what was counted since, as a high read without a low read
     * before it does.
     */
    @Test
    void shouldForgetTheLowHalfReadBeforeAMacReset()
    {
        harness.device.statistics.add64(E1000Registers.GORCL, 0x1_0000_0100L);
        assertEquals(0x100, harness.read(E1000Registers.GORCL));

        harness.write(E1000Registers.CTRL, E1000Registers.CTRL_RST);
        harness.device.statistics.add64(E1000Registers.GORCL, 0x2_0000_0000L);

        assertEquals(2, harness.read(E1000Registers.GORCH));
        assertEquals(0, harness.read(E1000Registers.GORCL));
        assertEquals(0, harness.read(E1000Registers.GORCH));
    }

    @Test
    void shouldIgnoreGuestWritesToStatistics()
    {
        harness.device.statistics.increment(E1000Registers.TPT);

        harness.write(E1000Registers.TPT, 1000);
        harness.write(E1000Registers.CRCERRS, 5);

        assertEquals(1, harness.read(E1000Registers.TPT));
        assertEquals(0, harness.read(E1000Registers.CRCERRS));
        assertEquals(0, harness.counter(PortCounter.UNKNOWN_REGISTER_ACCESSES));
    }

    @Test
    void shouldTreatReservedOffsetsInsideStatisticsBlockAsUnknown()
    {
        assertEquals(0, harness.read(0x4024));
        harness.write(0x4084, 1);

        assertEquals(2, harness.counter(PortCounter.UNKNOWN_REGISTER_ACCESSES));
        assertEquals(0, harness.registers.get(0x4084));
    }
}
