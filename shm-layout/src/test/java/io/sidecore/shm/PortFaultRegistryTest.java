package io.sidecore.shm;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Stable ids, names and registers of {@link PortFault}: tools and the port region store the id, operators read the
 * name, so a pinned entry never changes.
 */
class PortFaultRegistryTest
{
    @ParameterizedTest(name = "{0} = {1} {2}")
    @CsvSource({
        "TX_RING_OUTSIDE_MEMORY, 1, tx_ring_outside_memory, 0x3800",
        "TX_RING_LENGTH_ZERO, 2, tx_ring_length_zero, 0x3808",
        "TX_HEAD_BEYOND_RING, 3, tx_head_beyond_ring, 0x3810",
        "TX_TAIL_BEYOND_RING, 4, tx_tail_beyond_ring, 0x3818",
        "RX_RING_OUTSIDE_MEMORY, 5, rx_ring_outside_memory, 0x2800",
        "RX_RING_LENGTH_ZERO, 6, rx_ring_length_zero, 0x2808",
        "RX_HEAD_BEYOND_RING, 7, rx_head_beyond_ring, 0x2810",
        "RX_TAIL_BEYOND_RING, 8, rx_tail_beyond_ring, 0x2818",
    })
    void shouldKeepPortFaultIdNameAndRegisterStable(
        final String constant, final int id, final String faultName, final String register)
    {
        final PortFault fault = PortFault.valueOf(constant);
        assertEquals(id, fault.id());
        assertEquals(faultName, fault.faultName());
        assertEquals(LayoutAssertions.parseInt(register), fault.registerOffset());
        assertSame(fault, PortFault.byId(id));
    }

    @Test
    void shouldGiveFaultsUniqueIdsAndNamesAndDescriptions()
    {
        final Set<Integer> ids = new HashSet<>();
        final Set<String> names = new HashSet<>();
        for (final PortFault fault : PortFault.values())
        {
            assertTrue(ids.add(fault.id()), "duplicate id " + fault.id());
            assertTrue(names.add(fault.faultName()), "duplicate name " + fault.faultName());
            assertTrue(fault.id() > PortFault.NO_FAULT_ID && fault.id() < PortFault.MAX_ID);
            assertTrue(fault.faultName().matches("[a-z0-9_]+"), fault.faultName());
            assertTrue(fault.description().contains("value: "), "says what the value is: " + fault);
            assertTrue(!E1000Registers.registerName(fault.registerOffset()).startsWith("0x"),
                "names a known register: " + fault);
        }
    }

    @ParameterizedTest(name = "byId({0})")
    @CsvSource({ "-1", "0", "9", "64", "2147483647" })
    void shouldReturnNullForNoFaultAndUnusedIds(final int id)
    {
        assertNull(PortFault.byId(id));
    }
}
