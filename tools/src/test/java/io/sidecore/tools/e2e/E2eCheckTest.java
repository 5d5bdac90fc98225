package io.sidecore.tools.e2e;

import org.junit.jupiter.api.Test;

import java.util.EnumSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class E2eCheckTest
{
    @Test
    void shouldAlwaysIncludeProofChecksWhenOneCheckSelected()
    {
        assertEquals(EnumSet.of(E2eCheck.IDENTITY, E2eCheck.PROBE, E2eCheck.PING, E2eCheck.PATH, E2eCheck.REBOOT),
            E2eCheck.parseList("reboot", NicMode.SIDECORE));
    }

    @Test
    void shouldSelectEveryCheckWhenAll()
    {
        assertEquals(EnumSet.allOf(E2eCheck.class), E2eCheck.parseList("all", NicMode.SIDECORE));
        assertEquals(EnumSet.allOf(E2eCheck.class), E2eCheck.parseList("all", NicMode.QEMU_E1000));
    }

    @Test
    void shouldLeaveOutTheSelfTestWhenAllForVirtio()
    {
        final Set<E2eCheck> expected = EnumSet.allOf(E2eCheck.class);
        expected.remove(E2eCheck.SELFTEST);

        assertEquals(expected, E2eCheck.parseList("all", NicMode.VIRTIO));
        assertEquals(expected, E2eCheck.parseList("ping, all", NicMode.VIRTIO));
    }

    @Test
    void shouldRefuseTheSelfTestNamedForVirtio()
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> E2eCheck.parseList("ping,selftest", NicMode.VIRTIO));

        assertEquals("check 'selftest' needs an e1000 NIC: virtio_net has no ethtool self-test (--mode virtio)",
            ex.getMessage());
        assertTrue(E2eCheck.parseList("selftest", NicMode.QEMU_E1000).contains(E2eCheck.SELFTEST));
    }

    @Test
    void shouldNameValidChecksWhenUnknownCheck()
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> E2eCheck.parseList("ping, jumbo", NicMode.SIDECORE));

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
