package io.sidecore.launcher;

import io.sidecore.engine.EngineContext;
import io.sidecore.engine.agent.EventFdKick;
import io.sidecore.engine.agent.Kick;
import io.sidecore.engine.agent.ThreadKick;
import io.sidecore.engine.e1000.PortConfig;
import io.sidecore.engine.port.PortSettings;
import io.sidecore.shm.PortRegionDescriptor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfigurationTest
{
    @Test
    void shouldParseEveryDefault()
    {
        final Configuration config = Configuration.defaults();
        for (final Setting<?> setting : Configuration.SETTINGS)
        {
            config.get(setting);
        }
        assertTrue(config.unreadSettingNames().isEmpty());
        assertEquals(1, config.sidecoreCount());
        assertEquals("busy", config.get(Configuration.IDLE_STRATEGY));
        assertEquals(50_000L, config.get(Configuration.IDLE_MAX_PARK));
        assertEquals(PortRegionDescriptor.DEFAULT_SHARED_PAGES, config.get(Configuration.PORT_SHARED_PAGES));
        assertArrayEquals(new int[0], config.cores());
        assertFalse(config.get(Configuration.PORT_CSB_OFFERED));
    }

    @Test
    void shouldReadValuesWithUnits()
    {
        final Configuration config = Configuration.of(Map.of(
            "sidecore.idle.max.park", "20us",
            "sidecore.port.tx.byte.budget", "64k",
            "sidecore.mac.aging", "5s",
            "sidecore.cross.shard.ring.length", "2m"));

        assertEquals(20_000L, config.get(Configuration.IDLE_MAX_PARK));
        assertEquals(65_536L, config.get(Configuration.PORT_TX_BYTE_BUDGET));
        assertEquals(5_000_000_000L, config.get(Configuration.MAC_AGING));
        assertEquals(2L * 1024 * 1024, config.get(Configuration.CROSS_SHARD_RING_LENGTH));
    }

    @Test
    void shouldNameKeyAndValueWhenValueDoesNotParse()
    {
        final Configuration config = Configuration.of(Map.of("sidecore.idle.max.park", " soon "));

        final ConfigurationException ex =
            assertThrows(ConfigurationException.class, () -> config.get(Configuration.IDLE_MAX_PARK));
        assertEquals("sidecore.idle.max.park=soon: must be a duration (e.g. 50us, 10ms, 1s)", ex.getMessage());
        assertEquals("sidecore.idle.max.park", ex.key());
    }

    @Test
    void shouldNameKeyAndValueWhenValueOutOfRange()
    {
        final Configuration config = Configuration.of(Map.of("sidecore.port.rx.frame.budget", "0"));

        assertEquals("sidecore.port.rx.frame.budget=0: must be in [1, 65536]",
            assertThrows(ConfigurationException.class, config::validate).getMessage());
    }

    @Test
    void shouldRejectUnknownSidecoreKey()
    {
        final Configuration config = Configuration.of(Map.of("sidecore.socket.dir", "/run/x"));

        assertEquals("sidecore.socket.dir=/run/x: is not a sidecore setting",
            assertThrows(ConfigurationException.class, config::validate).getMessage());
    }

    @Test
    void shouldIgnoreKeysOutsideSidecore()
    {
        final Configuration config = Configuration.of(Map.of("java.io.tmpdir", "/tmp"));

        assertDoesNotThrow(config::validate, "a key outside sidecore.* is not ours to refuse");
        assertEquals(Configuration.of(Map.of()).get(Configuration.COMMAND_DRAIN_LIMIT),
            config.get(Configuration.COMMAND_DRAIN_LIMIT), "and it changes no setting");
    }

    @Test
    void shouldRejectDeclarationOfPortNotListed()
    {
        final Configuration config = Configuration.of(Map.of(
            "sidecore.ports", "web",
            "sidecore.ports.db.mac", "02:00:00:00:00:01"));

        assertEquals("sidecore.ports.db.mac=02:00:00:00:00:01: describes a port not listed in sidecore.ports",
            assertThrows(ConfigurationException.class, config::validate).getMessage());
    }

    @Test
    void shouldGiveDeclaredPortFieldsByName()
    {
        final Configuration config = Configuration.of(Map.of(
            "sidecore.ports", "web, db",
            "sidecore.ports.web.mac", "02:00:00:00:00:01",
            "sidecore.ports.web.backend", "null",
            "sidecore.ports.db.csb", "true"));

        config.validate();

        assertEquals(java.util.List.of("web", "db"), config.get(Configuration.PORTS));
        assertEquals(Map.of("mac", "02:00:00:00:00:01", "backend", "null"), config.portDeclaration("web"));
        assertEquals(Map.of("csb", "true"), config.portDeclaration("db"));
    }

    @Test
    void shouldParseCoreLists()
    {
        assertArrayEquals(new int[]{1}, SettingParsers.cores("1"));
        assertArrayEquals(new int[]{2, 3, 6}, SettingParsers.cores("2-3,6"));
        assertArrayEquals(new int[]{4, 0}, SettingParsers.cores("4, 0"));
        assertArrayEquals(new int[0], SettingParsers.cores("auto"));
        assertEquals(3, Configuration.of(Map.of("sidecore.cores", "2-3,6")).sidecoreCount());
    }

    @Test
    void shouldRejectBadCoreLists()
    {
        assertEquals("sidecore.cores=1,1: lists core 1 twice",
            assertThrows(ConfigurationException.class, () -> Configuration.CORES.parse("1,1")).getMessage());
        assertEquals("sidecore.cores=3-2: range 3-2 runs backwards",
            assertThrows(ConfigurationException.class, () -> Configuration.CORES.parse("3-2")).getMessage());
        assertEquals("sidecore.cores=1,x: must be 'auto' or a core list such as 1 or 2-3,6",
            assertThrows(ConfigurationException.class, () -> Configuration.CORES.parse("1,x")).getMessage());
        assertEquals("sidecore.cores=: must be 'auto' or a core list such as 1 or 2-3,6",
            assertThrows(ConfigurationException.class, () -> Configuration.CORES.parse("")).getMessage());
        assertEquals("sidecore.cores=9000: core 9000 is outside [0, 8191]",
            assertThrows(ConfigurationException.class, () -> Configuration.CORES.parse("9000")).getMessage());
    }

    @Test
    void shouldParseSharedPagesAsBitmap()
    {
        assertEquals((1 << 2) | (1 << 3) | 1, Configuration.PORT_SHARED_PAGES.parse("0x2000, 0x3000,0"));
        assertEquals(0, Configuration.PORT_SHARED_PAGES.parse(""));
        assertEquals("sidecore.port.shared.pages=0x2818: entries must be page-aligned offsets inside BAR0 " +
            "(0x0 to 0x1f000): 0x2818", assertThrows(ConfigurationException.class,
                () -> Configuration.PORT_SHARED_PAGES.parse("0x2818")).getMessage());
    }

    @Test
    void shouldParseIdListsSorted()
    {
        assertArrayEquals(new long[]{7, 1000}, Configuration.CONTROL_ALLOWED_UIDS.parse("1000,7"));
        assertArrayEquals(new long[0], Configuration.CONTROL_ALLOWED_GIDS.parse(""));
        assertEquals("sidecore.control.allowed.uids=qemu: must be a comma-separated list of numeric ids",
            assertThrows(ConfigurationException.class,
                () -> Configuration.CONTROL_ALLOWED_UIDS.parse("qemu")).getMessage());
    }

    @Test
    void shouldBuildPortDefaults()
    {
        final PortSettings settings = Configuration.of(Map.of(
            "sidecore.port.tx.frames.per.second", "1000",
            "sidecore.port.tx.burst.frames", "16")).portDefaults();

        assertEquals(64, settings.txDescriptorBudget());
        assertEquals(1000, settings.txFramesPerSecond());
        assertEquals(16, settings.txBurstFrames());
    }

    @Test
    void shouldBuildEngineContextThatConcludesWithDefaults()
    {
        final EngineContext ctx = Configuration.defaults().engineContext().countersFile(null);

        ctx.conclude();

        assertTrue(ctx.isConcluded());
        assertEquals(1, ctx.sidecoreCount());
        assertEquals(50_000L, ctx.idleMaxParkNs());
        assertEquals(256, ctx.crossShardDrainLimit());
    }

    /**
     * The yieldable pass time reaches the engine from the setting, by default and when set, whatever the quantum
     * (review: its javadoc once said it followed the quantum, which the daemon's path never did).
     */
    @Test
    void shouldGiveTheEngineTheYieldablePassTimeWhateverTheQuantum()
    {
        final EngineContext byDefault = Configuration.of(Map.of("sidecore.fair.quantum", "20us")).engineContext();
        final EngineContext set = Configuration.of(Map.of("sidecore.yieldable.pass", "1us")).engineContext();

        assertEquals(2_500L, byDefault.yieldablePassNs());
        assertEquals(20_000L, byDefault.fairQuantumNs());
        assertEquals(1_000L, set.yieldablePassNs());
    }

    /**
     * The RX read-ahead reaches the engine by default (32) and when set, 0 turning it off; past its maximum the
     * daemon refuses to start, naming the key.
     */
    @Test
    void shouldGiveTheEngineTheRxReadAheadAndRefuseOneBeyondItsMaximum()
    {
        assertEquals(32, Configuration.defaults().engineContext().rxReadAheadDescriptors());
        assertEquals(0, Configuration.of(Map.of("sidecore.rx.read.ahead.descriptors", "0")).engineContext()
            .rxReadAheadDescriptors());

        final Configuration beyond = Configuration.of(Map.of("sidecore.rx.read.ahead.descriptors", "257"));

        assertEquals("sidecore.rx.read.ahead.descriptors=257: must be in [0, 256]",
            assertThrows(ConfigurationException.class, beyond::validate).getMessage());
    }

    @Test
    void shouldNameKeyWhenEngineRefusesCombination()
    {
        final Configuration config = Configuration.of(Map.of(
            "sidecore.idle.min.park", "100us",
            "sidecore.idle.max.park", "50us"));
        final EngineContext ctx = config.engineContext().countersFile(null);

        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, ctx::conclude);
        final IllegalArgumentException named = config.nameSetting(ex);

        assertInstanceOf(ConfigurationException.class, named);
        assertEquals("sidecore.idle.max.park=50us: idleMaxParkNs must be in [100000, 1000000000]: 50000",
            named.getMessage());
    }

    @Test
    void shouldMakeEventFdKicksByDefault()
    {
        try (Kick kick = Configuration.defaults().engineContext().kickFactory().apply(0))
        {
            assertInstanceOf(EventFdKick.class, kick);
            assertTrue(kick.fd() >= 0, "a guest process can write it");
        }
    }

    @Test
    void shouldMakeThreadKicksWhenKickIsThread()
    {
        try (Kick kick = Configuration.of(Map.of("sidecore.kick", "thread")).kickFactory().apply(0))
        {
            assertInstanceOf(ThreadKick.class, kick);
            assertEquals(Kick.NO_FD, kick.fd());
        }
    }

    @Test
    void shouldLoadPropertiesFile(@TempDir final Path dir) throws IOException
    {
        final Path file = dir.resolve("sidecore.properties");
        Files.writeString(file, "# a comment\nsidecore.cores = 1\nsidecore.idle.strategy=adaptive\n",
            StandardCharsets.UTF_8);

        final Configuration config = Configuration.load(file).validate();

        assertArrayEquals(new int[]{1}, config.cores());
        assertEquals("adaptive", config.get(Configuration.IDLE_STRATEGY));
        assertEquals(file.toString(), config.source());
    }

    @Test
    void shouldNameFileThatCannotBeRead(@TempDir final Path dir)
    {
        final Path missing = dir.resolve("missing.properties");

        final ConfigurationException ex = assertThrows(ConfigurationException.class, () -> Configuration.load(missing));
        assertTrue(ex.getMessage().startsWith("--config=" + missing + ": cannot be read"), ex.getMessage());
    }

    @Test
    void shouldDeclareEachReaderThatExists() throws ReflectiveOperationException
    {
        for (final Setting<?> setting : Configuration.SETTINGS)
        {
            assertTrue(hasMember(setting.readerClass(), setting.readerName()),
                setting.name() + " is read by " + setting.readerClass().getSimpleName() + "." + setting.readerName() +
                ", which does not exist");
        }
    }

    @Test
    void shouldNameEngineMembersAfterTheirSettings()
    {
        final Set<Class<?>> engineReaders = Set.of(EngineContext.class, PortSettings.class, PortConfig.class);
        for (final Setting<?> setting : Configuration.SETTINGS)
        {
            if (!engineReaders.contains(setting.readerClass()))
            {
                continue;
            }
            final String key =
                setting.name().startsWith("sidecore.port.") && setting.readerClass() != EngineContext.class ?
                setting.name().substring("sidecore.port.".length()) : setting.name().substring("sidecore.".length());
            final String camel = camelCase(key);
            final String member = setting.readerName();
            assertTrue(member.equals(camel) || member.equals(camel + "Ns") || member.equals(camel + "Bytes") ||
                member.equals(camel + "Factory"),
                setting.name() + " is read as " + member + ": the engine's name must be " + camel +
                " (with a unit suffix where it has one)");
        }
    }

    @Test
    void shouldDeclareEachSettingOnce()
    {
        final Set<String> names = new HashSet<>();
        for (final Setting<?> setting : Configuration.SETTINGS)
        {
            assertTrue(names.add(setting.name()), "declared twice: " + setting.name());
            assertTrue(setting.name().startsWith("sidecore."), setting.name());
            assertFalse(setting.description().isBlank(), setting.name() + " has no documentation");
        }
    }

    @Test
    void shouldListEverySettingInReadme() throws IOException
    {
        final Path readme = Path.of(System.getProperty("user.dir")).getParent().resolve("README.md");
        final String text = Files.readString(readme, StandardCharsets.UTF_8);
        final String begin = "<!-- settings:begin -->\n";
        final String end = "<!-- settings:end -->";
        final int from = text.indexOf(begin);
        final int to = text.indexOf(end);
        assertTrue(from >= 0 && to > from, "README.md has no settings table between " + begin.trim() + " and " + end);

        assertEquals(Configuration.markdownTable(), text.substring(from + begin.length(), to),
            "README's settings table differs from Configuration; regenerate it with " +
            "'tools/sidecore daemon --print-settings'");
    }

    private static boolean hasMember(final Class<?> type, final String name)
    {
        for (final Method method : type.getDeclaredMethods())
        {
            if (method.getName().equals(name))
            {
                return true;
            }
        }
        for (final Field field : type.getDeclaredFields())
        {
            if (field.getName().equals(name))
            {
                return true;
            }
        }
        return false;
    }

    private static String camelCase(final String dotted)
    {
        final StringBuilder camel = new StringBuilder();
        for (final String part : dotted.split("\\."))
        {
            camel.append(camel.isEmpty() ? part : part.substring(0, 1).toUpperCase(Locale.ROOT) + part.substring(1));
        }
        return camel.toString();
    }
}
