package io.sidecore.launcher;

import io.sidecore.engine.EngineContext;
import io.sidecore.engine.agent.EventFdKick;
import io.sidecore.engine.agent.Kick;
import io.sidecore.engine.agent.ThreadKick;
import io.sidecore.engine.port.PortSettings;
import io.sidecore.shm.PortRegionDescriptor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfigurationTest
{
    private final List<String> propertiesSet = new ArrayList<>();

    @AfterEach
    void clearProperties()
    {
        for (final String name : propertiesSet)
        {
            System.clearProperty(name);
        }
    }

    @Test
    void shouldUseDocumentedDefaultsWhenNothingSet()
    {
        assertEquals(1, Configuration.sidecoreCount());
        assertEquals("busy", Configuration.idleStrategy());
        assertEquals(50_000L, Configuration.idleMaxParkNs());
        assertEquals(64, Configuration.portTxDescriptorBudget());
        assertEquals(PortRegionDescriptor.DEFAULT_SHARED_PAGES, Configuration.sharedPages());
        assertArrayEquals(new int[0], Configuration.cores());
        assertFalse(Configuration.portCsbOffered());
    }

    @Test
    void shouldReadPropertiesWithUnits()
    {
        set(Configuration.IDLE_MAX_PARK_PROP_NAME, "20us");
        set(Configuration.PORT_TX_BYTE_BUDGET_PROP_NAME, "64k");
        set(Configuration.MAC_AGING_PROP_NAME, "5s");
        set(Configuration.CROSS_SHARD_RING_LENGTH_PROP_NAME, "2m");

        assertEquals(20_000L, Configuration.idleMaxParkNs());
        assertEquals(65_536L, Configuration.portTxByteBudget());
        assertEquals(5_000_000_000L, Configuration.macAgingNs());
        assertEquals(2 * 1024 * 1024, Configuration.crossShardRingLength());
    }

    @Test
    void shouldNamePropertyWhenValueDoesNotParse()
    {
        set(Configuration.SIDECORE_COUNT_PROP_NAME, "two");

        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, Configuration::sidecoreCount);
        assertEquals("sidecore.sidecores must be an integer: two", ex.getMessage());
    }

    @Test
    void shouldNamePropertyWhenDurationDoesNotParse()
    {
        set(Configuration.IDLE_MAX_PARK_PROP_NAME, "soon");

        final IllegalArgumentException ex =
            assertThrows(IllegalArgumentException.class, Configuration::idleMaxParkNs);
        assertEquals("sidecore.idle.max.park must be a duration (e.g. 50us, 10ms, 1s): soon", ex.getMessage());
    }

    @Test
    void shouldParseCoreList()
    {
        assertArrayEquals(new int[]{2, 3}, Configuration.parseCores(" 2, 3 "));
        assertEquals("sidecore.cores lists core 1 twice: 1,1",
            assertThrows(IllegalArgumentException.class, () -> Configuration.parseCores("1,1")).getMessage());
        assertEquals("sidecore.cores must list core numbers: 'x' in '1,x'",
            assertThrows(IllegalArgumentException.class, () -> Configuration.parseCores("1,x")).getMessage());
    }

    @Test
    void shouldParseSharedPagesAsBitmap()
    {
        assertEquals((1 << 2) | (1 << 3) | 1, Configuration.parseSharedPages("0x2000, 0x3000,0"));
        assertEquals(0, Configuration.parseSharedPages(""));
        assertEquals("sidecore.port.shared.pages entries must be page-aligned offsets inside BAR0 (0x0 to 0x1f000): " +
            "0x2818", assertThrows(IllegalArgumentException.class,
            () -> Configuration.parseSharedPages("0x2818")).getMessage());
    }

    @Test
    void shouldBuildPortDefaultsFromProperties()
    {
        set(Configuration.PORT_TX_RATE_FRAMES_PROP_NAME, "1000");
        set(Configuration.PORT_TX_BURST_FRAMES_PROP_NAME, "16");

        final PortSettings settings = Configuration.portDefaults();

        assertEquals(64, settings.txDescriptorBudget());
        assertEquals(1000, settings.txFramesPerSecond());
        assertEquals(16, settings.txBurstFrames());
    }

    @Test
    void shouldRejectBadPortDefaultWithNamedValue()
    {
        set(Configuration.PORT_RX_FRAME_BUDGET_PROP_NAME, "0");

        final IllegalArgumentException ex =
            assertThrows(IllegalArgumentException.class, Configuration::portDefaults);
        assertEquals("rxFrameBudget must be in [1, 65536]: 0", ex.getMessage());
    }

    @Test
    void shouldBuildEngineContextThatConcludesWithDefaults()
    {
        final EngineContext ctx = Configuration.engineContext().countersFile(null);

        ctx.conclude();

        assertTrue(ctx.isConcluded());
        assertEquals(Configuration.SIDECORE_COUNT_DEFAULT, ctx.sidecoreCount());
        assertEquals(Configuration.IDLE_MAX_PARK_DEFAULT_NS, ctx.idleMaxParkNs());
        assertEquals(Configuration.CROSS_SHARD_DRAIN_LIMIT_DEFAULT, ctx.crossShardDrainLimit());
    }

    @Test
    void shouldMakeEventFdKicksWhenKickNotSet()
    {
        assertEquals(Configuration.KICK_EVENTFD, Configuration.kick());

        try (Kick kick = Configuration.engineContext().kickFactory().apply(0))
        {
            assertInstanceOf(EventFdKick.class, kick);
            assertTrue(kick.fd() >= 0, "a guest process can write it");
        }
    }

    @Test
    void shouldMakeThreadKicksWhenKickIsThread()
    {
        set(Configuration.KICK_PROP_NAME, "thread");

        try (Kick kick = Configuration.engineContext().kickFactory().apply(0))
        {
            assertInstanceOf(ThreadKick.class, kick);
            assertEquals(Kick.NO_FD, kick.fd());
        }
    }

    @Test
    void shouldNamePropertyWhenKickUnknown()
    {
        set(Configuration.KICK_PROP_NAME, "doorbell");

        assertEquals("sidecore.idle.kick must be 'eventfd' or 'thread': doorbell",
            assertThrows(IllegalArgumentException.class, Configuration::engineContext).getMessage());
    }

    @Test
    void shouldFailConclusionWhenIdleStrategyUnknown()
    {
        set(Configuration.IDLE_STRATEGY_PROP_NAME, "lazy");

        final EngineContext ctx = Configuration.engineContext().countersFile(null);

        assertEquals("idleStrategy must be 'busy' or 'adaptive': lazy",
            assertThrows(IllegalArgumentException.class, ctx::conclude).getMessage());
    }

    @Test
    void shouldRejectGuestRingSizeNotMultipleOfEight()
    {
        set(Configuration.GUEST_TX_RING_DESCRIPTORS_PROP_NAME, "100");

        assertEquals("sidecore.guest.tx.ring.descriptors must be a multiple of 8 in [8, 65536]: 100",
            assertThrows(IllegalArgumentException.class, Configuration::guestTxRingDescriptors).getMessage());
    }

    private void set(final String name, final String value)
    {
        System.setProperty(name, value);
        propertiesSet.add(name);
    }
}
