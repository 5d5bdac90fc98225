package io.sidecore.shm;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Stable ids and names of {@link PortCounter} and {@link SidecoreCounter}: a pinned entry must never change. New
 * entries may be appended without touching these tables; uniqueness is checked over all entries.
 */
class CounterRegistryTest
{
    @ParameterizedTest(name = "{0} = {1} {2}")
    @CsvSource({
        "TX_FRAMES, 0, tx_frames", "TX_BYTES, 1, tx_bytes", "RX_FRAMES, 2, rx_frames", "RX_BYTES, 3, rx_bytes",
        "TX_DESCRIPTORS, 4, tx_descriptors", "RX_DESCRIPTORS, 5, rx_descriptors",
        "TX_TSO_SEGMENTS, 6, tx_tso_segments",
        "TX_DROP_DMA_FAULT, 10, tx_drop_dma_fault", "TX_DROP_MALFORMED, 11, tx_drop_malformed",
        "TX_DROP_OVERSIZE, 12, tx_drop_oversize",
        "TX_DROP_EMPTY, 15, tx_drop_empty",
        "RX_DROP_RING_FULL, 20, rx_drop_ring_full", "RX_DROP_FILTERED, 21, rx_drop_filtered",
        "RX_DROP_VLAN_FILTERED, 22, rx_drop_vlan_filtered", "RX_DROP_OVERSIZE, 23, rx_drop_oversize",
        "RX_DROP_DMA_FAULT, 24, rx_drop_dma_fault", "RX_DROP_DISABLED, 25, rx_drop_disabled",
        "RX_DROP_RUNT, 26, rx_drop_runt", "RX_DROP_BACKEND, 27, rx_drop_backend",
        "INTERRUPTS_POSTED, 40, interrupts_posted", "INTERRUPTS_MODERATED, 41, interrupts_moderated",
        "DOORBELLS_SHARED, 42, doorbells_shared", "DOORBELLS_TRAPPED, 43, doorbells_trapped",
        "DOORBELLS_CSB, 44, doorbells_csb", "ICR_READS, 45, icr_reads", "TRAPPED_READS, 46, trapped_reads",
        "TRAPPED_WRITES, 47, trapped_writes", "UNKNOWN_REGISTER_ACCESSES, 48, unknown_register_accesses",
        "BAD_REGISTER_ACCESSES, 49, bad_register_accesses", "RING_FAULTS, 50, ring_faults",
        "DEVICE_RESETS, 51, device_resets", "CSB_KICKS, 52, csb_kicks", "TX_RATE_LIMITED, 53, tx_rate_limited",
        "BACKEND_READ_ERRORS, 58, backend_read_errors",
    })
    void shouldKeepPortCounterIdAndNameStable(final String constant, final int id, final String counterName)
    {
        final PortCounter counter = PortCounter.valueOf(constant);
        assertEquals(id, counter.id());
        assertEquals(counterName, counter.counterName());
        assertSame(counter, PortCounter.byId(id));
    }

    @ParameterizedTest(name = "{0} = {1} {2}")
    @CsvSource({
        "DUTY_CYCLES, 0, duty_cycles, false", "BUSY_RATIO_PPM, 1, busy_ratio_ppm, true",
        "MAX_CYCLE_TIME_NS, 2, max_cycle_time_ns, true",
        "CYCLE_TIME_THRESHOLD_EXCEEDED, 3, cycle_time_threshold_exceeded, false", "PARKS, 4, parks, false",
        "PORTS_OWNED, 5, ports_owned, true", "COMMANDS_PROCESSED, 6, commands_processed, false",
        "PROXY_OFFER_FAILURES, 7, proxy_offer_failures, false", "WAKEUPS, 8, wakeups, false",
        "TIMERS_EXPIRED, 9, timers_expired, false", "CROSS_SHARD_FRAMES, 10, cross_shard_frames, false",
        "ERRORS, 11, errors, false",
    })
    void shouldKeepSidecoreCounterIdAndNameStable(
        final String constant, final int id, final String counterName, final boolean gauge)
    {
        final SidecoreCounter counter = SidecoreCounter.valueOf(constant);
        assertEquals(id, counter.id());
        assertEquals(counterName, counter.counterName());
        assertEquals(gauge, counter.isGauge());
        assertSame(counter, SidecoreCounter.byId(id));
    }

    @Test
    void shouldGivePortCountersUniqueIdsAndNamesInsideTheirSlots()
    {
        final Set<Integer> ids = new HashSet<>();
        final Set<String> names = new HashSet<>();
        for (final PortCounter counter : PortCounter.values())
        {
            assertTrue(ids.add(counter.id()), "duplicate id " + counter.id());
            assertTrue(names.add(counter.counterName()), "duplicate name " + counter.counterName());
            assertTrue(counter.id() >= 0 && counter.id() < PortCounter.SLOTS_PER_PORT);
            assertTrue(counter.counterName().matches("[a-z0-9_]+"), counter.counterName());
            assertTrue(!counter.description().isEmpty());
        }
        assertEquals(64, PortCounter.SLOTS_PER_PORT);
    }

    @Test
    void shouldGiveSidecoreCountersUniqueIdsAndNamesInsideTheirSlots()
    {
        final Set<Integer> ids = new HashSet<>();
        final Set<String> names = new HashSet<>();
        for (final SidecoreCounter counter : SidecoreCounter.values())
        {
            assertTrue(ids.add(counter.id()), "duplicate id " + counter.id());
            assertTrue(names.add(counter.counterName()), "duplicate name " + counter.counterName());
            assertTrue(counter.id() >= 0 && counter.id() < SidecoreCounter.SLOTS_PER_SIDECORE);
            assertTrue(counter.counterName().matches("[a-z0-9_]+"), counter.counterName());
            assertTrue(!counter.description().isEmpty());
        }
        assertEquals(32, SidecoreCounter.SLOTS_PER_SIDECORE);
    }

    @ParameterizedTest(name = "byId({0})")
    @CsvSource({ "-1", "38", "13", "14", "64", "2147483647" })
    void shouldReturnNullForUnusedPortCounterSlot(final int id)
    {
        assertNull(PortCounter.byId(id));
    }

    @Test
    void shouldKeepRemovedPortCounterIdReserved()
    {
        assertTrue(PortCounter.isReserved(13), "tx_drop_link_down was removed; its id is never reused");
        assertTrue(PortCounter.isReserved(14), "tx_drop_bus_master_off was removed; its id is never reused");
        assertNull(PortCounter.byId(13));
        assertNull(PortCounter.byId(14));
        for (final PortCounter counter : PortCounter.values())
        {
            assertTrue(!PortCounter.isReserved(counter.id()), counter + " uses a reserved id");
        }
    }

    @ParameterizedTest(name = "byId({0})")
    @CsvSource({ "-1", "31", "32" })
    void shouldReturnNullForUnusedSidecoreCounterSlot(final int id)
    {
        assertNull(SidecoreCounter.byId(id));
    }

    @Test
    void shouldClassifyEveryDropCounterByName()
    {
        for (final PortCounter counter : PortCounter.values())
        {
            final String name = counter.counterName();
            assertEquals(name.startsWith("tx_drop_") || name.startsWith("rx_drop_"), counter.isDrop(), name);
        }
        assertTrue(PortCounter.RX_DROP_RING_FULL.isDrop());
        assertTrue(!PortCounter.RX_FRAMES.isDrop());
    }

    @Test
    void shouldAcceptUniqueIdsInRange()
    {
        assertDoesNotThrow(() -> LayoutUtil.checkUniqueIds("test counter", new int[]{ 0, 3, 1, 31 }, 32),
            "ids 0 and 31 are the bounds of 32 slots; order does not matter");
    }

    @Test
    void shouldRejectDuplicateIdWithExactMessage()
    {
        final IllegalStateException ex = assertThrows(IllegalStateException.class,
            () -> LayoutUtil.checkUniqueIds("sidecore counter", new int[]{ 0, 5, 5 }, 32));
        assertEquals("sidecore counter id already in use: id=5", ex.getMessage());
    }

    @ParameterizedTest(name = "id={0}")
    @CsvSource({ "-1", "32" })
    void shouldRejectIdOutOfRangeWithExactMessage(final int id)
    {
        final IllegalStateException ex = assertThrows(IllegalStateException.class,
            () -> LayoutUtil.checkUniqueIds("sidecore counter", new int[]{ 0, id }, 32));
        assertEquals("sidecore counter id out of range: id=" + id + " slots=32", ex.getMessage());
    }
}
