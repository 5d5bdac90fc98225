package io.sidecore.tools.e2e;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * System test (root, network namespace, TAP): the sidecore mode's wiring against a stand-in {@code tools/sidecore}
 * (test resource {@code fake-home/tools/sidecore}) that answers the daemon, ctl and stat command lines
 * {@link SidecoreDaemonNetwork} uses, answering as the real ones do (the real ones are driven by
 * {@code tools/sidecore e2e --mode sidecore}); the stand-in and the class change together.
 */
@Tag("system")
class SidecoreDaemonNetworkSystemTest
{
    @TempDir
    Path home;

    @TempDir
    Path logs;

    @Test
    void shouldGiveQemuThePortsSocketAndReadItsCountersWhenDaemonAnswers() throws IOException
    {
        final Path sidecore = home.resolve("tools/sidecore");
        Files.createDirectories(sidecore.getParent());
        Files.writeString(sidecore, Recorded.text("fake-home/tools/sidecore"), StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(sidecore, PosixFilePermissions.fromString("rwxr-xr-x"));
        final E2eSettings settings = new E2eSettings(NicMode.SIDECORE, E2eCheck.parseList("all", NicMode.SIDECORE), 1,
            Duration.ofSeconds(60), Duration.ofSeconds(60), 512, logs, List.of(), home, 60_000);
        final Path runDir = logs.resolve("sidecore");

        try (NetNamespace namespace = NetNamespace.create();
            SidecoreDaemonNetwork network = new SidecoreDaemonNetwork(namespace, settings))
        {
            final GuestNic nic = network.attach(0);

            final Path socket = runDir.resolve("ports/g0.sock");
            assertEquals(List.of("-device", "{\"driver\":\"vfio-user-pci\",\"socket\":{\"path\":\"" + socket +
                "\",\"type\":\"unix\"},\"x-msg-timeout\":60000}"), nic.qemuArgs());
            assertEquals(List.of(socket.getParent()), nic.binds());
            assertEquals("g0", nic.portName());
            assertEquals(TestSubnet.guestMac(0), nic.mac());
            assertTrue(namespace.ip("link", "show", "master", "br0").contains("sce2eup"),
                "the uplink TAP went into the namespace, onto the peer's bridge");

            writeStat(runDir, 0);
            assertEquals(new PortTraffic(11, 1100, 12, 1300), network.portTraffic(nic));
            final E2eException noDoorbells = assertThrows(E2eException.class, () -> network.provePath(nic));
            assertTrue(noDoorbells.getMessage().contains("no doorbell through the shared page"),
                noDoorbells.getMessage());
            writeStat(runDir, 7);
            assertTrue(network.provePath(nic).contains("doorbells 7 polled from the shared page, 3 trapped"));
        }

        final String calls = Files.readString(runDir.resolve("calls.log"), StandardCharsets.UTF_8);
        assertTrue(calls.contains("daemon daemon --config " + runDir.resolve("daemon.properties")), calls);
        assertTrue(calls.contains("ctl create-port uplink --backend uplink:sce2eup"), calls);
        assertTrue(calls.contains("ctl --json create-port g0 --mac " + TestSubnet.guestMac(0) +
            " --backend switch"), calls);
        assertTrue(calls.contains("stat --format json --file " + runDir.resolve("counters.dat") + " --port g0"),
            calls);
        final String properties = Files.readString(runDir.resolve("daemon.properties"), StandardCharsets.UTF_8);
        assertTrue(properties.contains(SidecoreDaemonNetwork.CONTROL_SOCKET_PROPERTY + "=" +
            runDir.resolve("control.sock")), properties);
        assertTrue(properties.contains(SidecoreDaemonNetwork.COUNTERS_FILE_PROPERTY + "=" +
            runDir.resolve("counters.dat")), properties);
        assertTrue(properties.contains(SidecoreDaemonNetwork.PORT_SOCKET_DIR_PROPERTY + "=" +
            runDir.resolve("ports")), properties);
    }

    private static void writeStat(final Path runDir, final long doorbellsShared) throws IOException
    {
        Files.writeString(runDir.resolve("stat.json"), "{\"ports\":[{\"id\":0,\"name\":\"uplink\",\"counters\":{}}," +
            "{\"id\":1,\"name\":\"g0\",\"counters\":{\"tx_frames\":11,\"tx_bytes\":1100,\"rx_frames\":12," +
            "\"rx_bytes\":1300,\"doorbells_shared\":" + doorbellsShared + ",\"doorbells_trapped\":3}}]}\n",
            StandardCharsets.UTF_8);
    }
}
