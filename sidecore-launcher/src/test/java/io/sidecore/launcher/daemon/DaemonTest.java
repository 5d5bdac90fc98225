package io.sidecore.launcher.daemon;

import io.sidecore.launcher.Configuration;
import io.sidecore.launcher.ConfigurationException;
import io.sidecore.launcher.control.TestDaemon;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.newsclub.net.unix.AFUNIXDatagramSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.DatagramPacket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The daemon's start and stop in this JVM: every setting read, its files and directories, the lock against a second
 * daemon, stale files, ports declared in the file, and systemd's notifications.
 */
class DaemonTest
{
    @TempDir
    Path directory;

    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void stop() throws Exception
    {
        for (int i = toClose.size() - 1; i >= 0; i--)
        {
            toClose.get(i).close();
        }
    }

    @Test
    void shouldReadEveryDeclaredSettingWhenItStarts()
    {
        final TestDaemon fixture = TestDaemon.in(directory, Map.of());
        final Configuration config = fixture.config();
        final Daemon daemon = Daemon.start(config.validate(), Map.of());
        toClose.add(daemon);

        assertEquals(java.util.Set.of(), config.unreadSettingNames(), "every setting has a reader");
    }

    @Test
    void shouldCreateItsFilesAndRemoveThemWhenStopped()
    {
        final TestDaemon daemon = started(Map.of());
        final Path socket = daemon.controlSocket();
        assertTrue(Files.exists(socket, LinkOption.NOFOLLOW_LINKS));
        assertTrue(Files.exists(DaemonLock.lockFileOf(socket)));
        assertTrue(Files.exists(directory.resolve("shm/counters.dat")));
        assertTrue(Files.isDirectory(directory.resolve("run/ports")));

        daemon.close();

        assertFalse(Files.exists(socket, LinkOption.NOFOLLOW_LINKS));
        assertFalse(Files.exists(DaemonLock.lockFileOf(socket)));
    }

    @Test
    void shouldRefuseSecondDaemonOnSameControlSocket()
    {
        started(Map.of());

        final DaemonStartException ex = assertThrows(DaemonStartException.class,
            () -> TestDaemon.in(directory, Map.of("sidecore.counters.file",
                directory.resolve("other/counters.dat").toString())).start());

        assertTrue(ex.getMessage().startsWith("another sidecore daemon (pid " + ProcessHandle.current().pid() +
            ") is serving " + directory.resolve("run/control.sock")), ex.getMessage());
    }

    @Test
    void shouldReplaceStaleControlSocketAndPortSockets() throws IOException
    {
        Files.createDirectories(directory.resolve("run/ports"));
        Files.writeString(directory.resolve("run/control.sock"), "stale");
        Files.writeString(directory.resolve("run/ports/old.sock"), "stale");

        final TestDaemon daemon = started(Map.of());

        assertFalse(Files.isRegularFile(daemon.controlSocket()), "replaced by a socket");
        assertFalse(Files.exists(directory.resolve("run/ports/old.sock")));
    }

    @Test
    void shouldRefuseDirectoryThatIsSymlink() throws IOException
    {
        Files.createDirectories(directory.resolve("elsewhere"));
        Files.createSymbolicLink(directory.resolve("run"), directory.resolve("elsewhere"));

        final DaemonStartException ex =
            assertThrows(DaemonStartException.class, () -> TestDaemon.in(directory, Map.of()).start());

        assertEquals("refusing " + directory.resolve("run") + ": it is a symbolic link, not a directory",
            ex.getMessage());
    }

    @Test
    void shouldRefuseDirectoryOwnedByAnotherUser() throws IOException
    {
        final Path run = Files.createDirectories(directory.resolve("run"));
        Files.setAttribute(run, "unix:uid", 65534);

        final DaemonStartException ex =
            assertThrows(DaemonStartException.class, () -> TestDaemon.in(directory, Map.of()).start());

        assertEquals("refusing " + run + ": owned by uid 65534, not by the daemon's uid " +
            DaemonDirectories.ownUid(), ex.getMessage());
    }

    @Test
    void shouldTightenModeOfItsOwnExistingDirectory() throws IOException
    {
        final Path run = Files.createDirectories(directory.resolve("run"));
        Files.setPosixFilePermissions(run, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));

        started(Map.of());

        assertEquals("rwx------", java.nio.file.attribute.PosixFilePermissions.toString(
            Files.getPosixFilePermissions(run)));
    }

    @Test
    void shouldGiveDirectoriesConfiguredGroup() throws IOException
    {
        started(Map.of("sidecore.control.group", "65534"));

        final Path run = directory.resolve("run");
        assertEquals("rwxr-x---", java.nio.file.attribute.PosixFilePermissions.toString(
            Files.getPosixFilePermissions(run)));
        assertEquals(65534, (int)(Integer)Files.getAttribute(run, "unix:gid"));
        assertEquals(65534, (int)(Integer)Files.getAttribute(directory.resolve("run/control.sock"), "unix:gid",
            LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void shouldCreatePortsDeclaredInConfiguration()
    {
        final TestDaemon daemon = started(Map.of(
            "sidecore.ports", "web,db",
            "sidecore.ports.web.mac", "02:00:00:00:00:01",
            "sidecore.ports.db.backend", "null",
            "sidecore.ports.db.moderation_ns", "128000"));

        assertEquals(List.of("web", "db"), daemon.daemon().registry().names());
    }

    @Test
    void shouldNameKeyOfBadDeclaredPort()
    {
        final Configuration config = TestDaemon.in(directory, Map.of(
            "sidecore.ports", "web",
            "sidecore.ports.web.mtu", "9000")).config();

        final ConfigurationException ex =
            assertThrows(ConfigurationException.class, () -> Daemon.declaredPorts(config));

        assertTrue(ex.getMessage().startsWith("sidecore.ports.web.mtu=9000: is not a port field"), ex.getMessage());
    }

    @Test
    void shouldStopWithOneLineAndStatusTwoWhenValueInvalid() throws IOException
    {
        final Path file = directory.resolve("bad.properties");
        Files.writeString(file, "sidecore.idle.max.park=soon\n");
        final ByteArrayOutputStream err = new ByteArrayOutputStream();

        final int status = new picocli.CommandLine(new DaemonMain(new PrintStream(new ByteArrayOutputStream()),
            new PrintStream(err, true, StandardCharsets.UTF_8), Map.of())).execute("--config", file.toString());

        assertEquals(DaemonMain.EXIT_CONFIGURATION, status);
        assertEquals("sidecore daemon: invalid configuration: sidecore.idle.max.park=soon: must be a duration " +
            "(e.g. 50us, 10ms, 1s)\n", err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void shouldStopWithStatusTwoWhenEngineRefusesCombination() throws IOException
    {
        final Path file = directory.resolve("bad.properties");
        Files.writeString(file, "sidecore.control.socket=" + directory.resolve("run/c.sock") + "\n" +
            "sidecore.port.socket.dir=" + directory.resolve("run/ports") + "\n" +
            "sidecore.counters.file=" + directory.resolve("shm/c.dat") + "\n" +
            "sidecore.command.queue.capacity=4\nsidecore.command.drain.limit=8\n");
        final ByteArrayOutputStream err = new ByteArrayOutputStream();

        final int status = new picocli.CommandLine(new DaemonMain(new PrintStream(new ByteArrayOutputStream()),
            new PrintStream(err, true, StandardCharsets.UTF_8), Map.of())).execute("--config", file.toString());

        assertEquals(DaemonMain.EXIT_CONFIGURATION, status);
        assertEquals("sidecore daemon: invalid configuration: sidecore.command.drain.limit=8: commandDrainLimit " +
            "must be in [1, 4]: 8\n", err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void shouldNotifySystemdReadyWatchdogAndStopping() throws IOException
    {
        final Path notifySocket = directory.resolve("notify.sock");
        try (AFUNIXDatagramSocket systemd = AFUNIXDatagramSocket.newInstance())
        {
            systemd.bind(AFUNIXSocketAddress.of(notifySocket));
            systemd.setSoTimeout(10_000);
            final Map<String, String> environment = new HashMap<>();
            environment.put(SystemdNotifier.NOTIFY_SOCKET_ENV, notifySocket.toString());
            environment.put(SystemdNotifier.WATCHDOG_USEC_ENV, "200000");
            final Daemon daemon = Daemon.start(TestDaemon.in(directory, Map.of()).config().validate(), environment);

            assertTrue(receive(systemd).startsWith("READY=1"));
            assertEquals("WATCHDOG=1", receive(systemd));
            daemon.close();
            String last;
            do
            {
                last = receive(systemd);
            }
            while ("WATCHDOG=1".equals(last));
            assertEquals("STOPPING=1", last);
        }
    }

    @Test
    void shouldReportStuckSidecoreOnlyWhenItsCounterStops()
    {
        final long[] cycles = {5, 9};
        final SidecoreLiveness liveness = new SidecoreLiveness(new java.util.function.LongSupplier[]{
            () -> cycles[0], () -> cycles[1] });

        cycles[0]++;
        cycles[1]++;
        assertEquals(SidecoreLiveness.NONE_STUCK, liveness.stuckSidecore());
        cycles[0]++;
        assertEquals(1, liveness.stuckSidecore());
        cycles[0]++;
        cycles[1]++;
        assertEquals(SidecoreLiveness.NONE_STUCK, liveness.stuckSidecore());
    }

    @Test
    void shouldIgnoreWatchdogMeantForAnotherProcess()
    {
        final SystemdNotifier notifier = SystemdNotifier.fromEnvironment(Map.of(
            SystemdNotifier.WATCHDOG_USEC_ENV, "1000000", SystemdNotifier.WATCHDOG_PID_ENV, "1"));

        assertFalse(notifier.isEnabled());
        assertEquals(SystemdNotifier.NO_WATCHDOG, notifier.watchdogIntervalNs());
        assertTrue(notifier.notify("READY=1"), "nobody listens: nothing to fail");
    }

    private static String receive(final AFUNIXDatagramSocket socket) throws IOException
    {
        final DatagramPacket packet = new DatagramPacket(new byte[512], 512);
        try
        {
            socket.receive(packet);
        }
        catch (final SocketTimeoutException ex)
        {
            throw new AssertionError("no notification within 10 s", ex);
        }
        return new String(packet.getData(), 0, packet.getLength(), StandardCharsets.UTF_8);
    }

    private TestDaemon started(final Map<String, String> overrides)
    {
        final TestDaemon daemon = TestDaemon.in(directory, overrides).start();
        toClose.add(daemon);
        return daemon;
    }
}
