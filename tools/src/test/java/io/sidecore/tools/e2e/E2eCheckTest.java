package io.sidecore.tools.e2e;

import org.junit.jupiter.api.Test;

import java.util.EnumSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class E2eCheckTest
{
    @Test
    void shouldAlwaysIncludeProofChecksWhenOneCheckSelected()
    {
        assertEquals(EnumSet.of(E2eCheck.IDENTITY, E2eCheck.PROBE, E2eCheck.PING, E2eCheck.PATH, E2eCheck.REBOOT),
            E2eCheck.parseList("reboot"));
    }

    @Test
    void shouldSelectEveryCheckWhenAll()
    {
        assertEquals(EnumSet.allOf(E2eCheck.class), E2eCheck.parseList("all"));
    }

    @Test
    void shouldNameValidChecksWhenUnknownCheck()
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> E2eCheck.parseList("ping, jumbo"));

        assertTrue(ex.getMessage().contains("unknown check 'jumbo'"), ex.getMessage());
        assertTrue(ex.getMessage().contains("mtu9000"), ex.getMessage());
    }

    @Test
    void shouldListEveryCheckInHelpText()
    {
        assertEquals(E2eCheck.names(), E2eMain.CHECK_NAMES);
    }

    @Test
    void shouldRejectUnknownMode()
    {
        assertEquals(NicMode.VIRTIO, NicMode.fromCliName("virtio"));
        assertThrows(IllegalArgumentException.class, () -> NicMode.fromCliName("e1000"));
    }
}
