package io.sidecore.tools.stat;

import io.sidecore.shm.CounterTypes;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CounterSelectionTest
{
    private static final CounterEntry G0_TX_FRAMES = new CounterEntry(
        0, CounterTypes.PORT_COUNTER_TYPE_ID, "port=g0 tx_frames", CounterKind.PORT, 0, "g0", "tx_frames", false, 1);
    private static final CounterEntry G10_RX_FRAMES = new CounterEntry(
        1, CounterTypes.PORT_COUNTER_TYPE_ID, "port=g10 rx_frames", CounterKind.PORT, 10, "g10", "rx_frames", false, 1);
    private static final CounterEntry SIDECORE1_PARKS = new CounterEntry(
        2, CounterTypes.SIDECORE_COUNTER_TYPE_ID, "sidecore=1 parks", CounterKind.SIDECORE, 1, "1", "parks", false, 1);
    private static final CounterEntry OTHER = new CounterEntry(
        3, CounterTypes.SYSTEM_COUNTER_TYPE_ID, "daemon errors", CounterKind.OTHER, -1, "", "daemon errors", false, 1);

    @Test
    void shouldAcceptEverythingWhenNoFilterOrPort()
    {
        final CounterSelection selection = CounterSelection.parse(List.of(), List.of());

        assertTrue(selection.accepts(G0_TX_FRAMES));
        assertTrue(selection.accepts(SIDECORE1_PARKS));
        assertTrue(selection.accepts(OTHER));
        assertTrue(CounterSelection.ALL.accepts(OTHER));
    }

    @Test
    void shouldFindRegexAnywhereInLabelWhenNoKeyGiven()
    {
        final CounterSelection selection = CounterSelection.parse(List.of("g0 tx|errors"), List.of());

        assertTrue(selection.accepts(G0_TX_FRAMES));
        assertTrue(selection.accepts(OTHER));
        assertFalse(selection.accepts(G10_RX_FRAMES));
        assertFalse(selection.accepts(SIDECORE1_PARKS));
    }

    @Test
    void shouldMatchWholeNamesWhenKeyGiven()
    {
        assertTrue(CounterSelection.parse(List.of("port=g0"), List.of()).accepts(G0_TX_FRAMES));
        assertFalse(CounterSelection.parse(List.of("port=g"), List.of()).accepts(G0_TX_FRAMES));
        assertFalse(CounterSelection.parse(List.of("port=g.*"), List.of()).accepts(SIDECORE1_PARKS));
        assertTrue(CounterSelection.parse(List.of("counter=.x_frames"), List.of()).accepts(G10_RX_FRAMES));
        assertFalse(CounterSelection.parse(List.of("counter=frames"), List.of()).accepts(G10_RX_FRAMES));
        assertTrue(CounterSelection.parse(List.of("sidecore=1"), List.of()).accepts(SIDECORE1_PARKS));
        assertFalse(CounterSelection.parse(List.of("sidecore=1"), List.of()).accepts(G0_TX_FRAMES));
        assertTrue(CounterSelection.parse(List.of("label=^port=g1"), List.of()).accepts(G10_RX_FRAMES));
    }

    @Test
    void shouldTreatTextBeforeEqualsAsLabelRegexWhenNotAKey()
    {
        assertTrue(CounterSelection.parse(List.of("daemon=x|errors"), List.of()).accepts(OTHER));
        assertTrue(CounterSelection.parse(List.of("label=port=g0 tx"), List.of()).accepts(G0_TX_FRAMES));
        assertFalse(CounterSelection.parse(List.of("label=port=g0 tx"), List.of()).accepts(G10_RX_FRAMES));
    }

    @Test
    void shouldAcceptOnlyNamedPortsExactlyWhenPortsGiven()
    {
        final CounterSelection selection = CounterSelection.parse(List.of(), List.of("g1", "g10"));

        assertTrue(selection.accepts(G10_RX_FRAMES));
        assertFalse(selection.accepts(G0_TX_FRAMES));
        assertFalse(selection.accepts(SIDECORE1_PARKS));
        assertFalse(selection.accepts(OTHER));
        assertEquals(List.of("g1", "g10"), selection.portNames());
    }

    @Test
    void shouldNameFilterWhenRegexInvalid()
    {
        final IllegalArgumentException ex = assertThrows(
            IllegalArgumentException.class, () -> CounterSelection.parse(List.of("ok", "port=[g"), List.of()));

        assertEquals("invalid --filter 'port=[g': Unclosed character class near index 1", ex.getMessage());
    }
}
