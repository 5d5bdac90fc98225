package io.sidecore.engine.backend;

import io.sidecore.engine.os.TapDevice;
import io.sidecore.engine.status.PortCounters;
import io.sidecore.shm.PortCounter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.concurrent.ThreadLocalRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * System test (root, two network namespaces this test creates and deletes): the TAP's carrier is asked by name in the
 * namespace it was opened in, and a host may move the TAP elsewhere or rename it after the daemon opened it (the
 * system benchmark moves each TAP into a namespace of its own; before this test the port's link then stayed down
 * for good, and its guest's set-up failed with "the link of port b0 did not come up").
 */
@Tag("system")
class TapCarrierAcrossNamespacesSystemTest
{
    private NetNamespace home;
    private NetNamespace elsewhere;
    private String tapName;
    private TapDevice tap;

    @BeforeEach
    void openATapInItsHomeNamespace() throws Exception
    {
        home = NetNamespace.create();
        elsewhere = NetNamespace.create();
        tapName = "scmv" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x10000, 0xFFFFF));
        tap = home.callInside(() -> TapDevice.open(tapName, TapDevice.IFF_TAP | TapDevice.IFF_NO_PI, true));
    }

    @AfterEach
    void removeEverything() throws Exception
    {
        try
        {
            tap.close();
        }
        finally
        {
            try
            {
                home.close();
            }
            finally
            {
                elsewhere.close();
            }
        }
    }

    @Test
    void shouldAssumeCarrierOfATapMovedIntoAnotherNamespaceAndLoseItWhenTheInterfaceIsDeleted() throws Exception
    {
        assertFalse(tap.hasCarrier(), "down in its home namespace: no carrier");
        assertTrue(tap.isCarrierVisible());

        home.ip("link", "set", tapName, "netns", elsewhere.name);
        elsewhere.ip("link", "set", tapName, "up");
        assertTrue(tap.hasCarrier(), "moved out of sight: its carrier is assumed, not denied forever");
        assertFalse(tap.isCarrierVisible());

        elsewhere.ip("link", "delete", tapName);
        assertFalse(tap.hasCarrier(), "the interface is gone: the descriptor is detached");
    }

    @Test
    void shouldNotReadAnotherInterfaceThatTookTheNameOfAMovedTap() throws Exception
    {
        home.ip("link", "set", tapName, "netns", elsewhere.name);
        home.ip("tuntap", "add", "dev", tapName, "mode", "tap");
        home.ip("link", "set", tapName, "up");
        elsewhere.ip("link", "set", tapName, "up");
        assertTrue(tap.hasCarrier());
        assertFalse(tap.isCarrierVisible(), "the persistent TAP that took the name is not this TAP");
    }

    @Test
    void shouldFollowARenamedTap() throws Exception
    {
        home.ip("link", "set", tapName, "name", tapName + "r");
        assertFalse(tap.hasCarrier(), "renamed, still down");
        assertTrue(tap.isCarrierVisible(), "found under its new name");

        home.ip("link", "set", tapName + "r", "up");
        home.ip("link", "set", tapName + "r", "carrier", "on");
        assertTrue(tap.hasCarrier(), "up under its new name");
        assertTrue(tap.isCarrierVisible());
    }

    @Test
    void shouldLookTheInterfaceUpAgainWhenItsIndexWasNotFoundAtOpen() throws Exception
    {
        tap.forgetInterfaceIndex();

        assertFalse(tap.hasCarrier(), "found on the next check: down in its home namespace");
        assertTrue(tap.isCarrierVisible());
        home.ip("link", "set", tapName, "up");
        home.ip("link", "set", tapName, "carrier", "on");
        assertTrue(tap.hasCarrier());
        home.ip("link", "set", tapName, "down");
        assertFalse(tap.hasCarrier(), "its carrier is read, not assumed forever");
    }

    @Test
    void shouldReportCarrierUnknownWhileTheInterfaceCannotBeFoundAndReadItOnceItCan() throws Exception
    {
        home.ip("link", "set", tapName, "netns", elsewhere.name);
        tap.forgetInterfaceIndex();
        assertTrue(tap.hasCarrier(), "out of sight: assumed");
        assertFalse(tap.isCarrierVisible(), "and reported as unknown");

        elsewhere.ip("link", "set", tapName, "netns", home.name);
        assertFalse(tap.hasCarrier(), "back in sight and down");
        assertTrue(tap.isCarrierVisible());
    }

    @Test
    void shouldCountEachCarrierCheckThatCouldOnlyAssumeTheCarrier() throws Exception
    {
        final PortCounters counters = PortCounters.inPrivateMemory("carrier-unknown");
        final TapBackend backend = new TapBackend(tap, counters, TapBackend.DEFAULT_MAX_RX_FRAME_BYTES, 0);
        long nowNs = 0;
        assertFalse(backend.hasCarrier(nowNs), "down in its home namespace");
        assertEquals(0, counters.get(PortCounter.TAP_CARRIER_UNKNOWN), "read, not assumed");

        home.ip("link", "set", tapName, "netns", elsewhere.name);
        nowNs += TapBackend.CARRIER_CHECK_INTERVAL_NS;
        assertTrue(backend.hasCarrier(nowNs), "out of sight: assumed");
        assertTrue(backend.hasCarrier(nowNs + 1), "not asked again before the next check is due");
        assertEquals(1, counters.get(PortCounter.TAP_CARRIER_UNKNOWN), "one check, one assumption");

        elsewhere.ip("link", "set", tapName, "netns", home.name);
        nowNs += TapBackend.CARRIER_CHECK_INTERVAL_NS;
        assertFalse(backend.hasCarrier(nowNs), "back in sight and down");
        assertEquals(1, counters.get(PortCounter.TAP_CARRIER_UNKNOWN), "read again: no more assumptions counted");
    }
}
