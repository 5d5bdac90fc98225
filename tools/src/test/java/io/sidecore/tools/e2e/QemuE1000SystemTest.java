package io.sidecore.tools.e2e;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * System test (root, network namespace, QEMU under TCG from the prepared cache): the harness boots a real Linux
 * guest with QEMU's own e1000 and runs the probe and ping checks, with the proofs that it tested the right NIC. It
 * proves the harness end to end on this machine, so that the sidecore mode differs from it only in the NIC.
 * <p>
 * Needs the prepared guest environment ({@code tools/e2e/prepare.sh}, which {@code tools/sidecore test} runs
 * first); without it the test fails naming the command. Takes about half a minute on an idle machine (boot about
 * 6 s); its limits are the harness defaults, generous for a loaded 2-core machine.
 */
@Tag("system")
class QemuE1000SystemTest
{
    @Test
    void shouldProbeAndPingThroughQemusE1000WhenGuestBoots()
    {
        final Path home = E2eMain.findHome();
        final GuestCache cache = GuestCache.check(home.resolve("tools/e2e"), E2eSettings.defaultCacheDir());
        final Path logs = E2eRun.createLogDir(home.resolve("tools/target/e2e-system-test-" +
            LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss-SSS"))));
        final E2eSettings settings = new E2eSettings(
            NicMode.QEMU_E1000,
            E2eCheck.parseList("ping", NicMode.QEMU_E1000),
            E2eSettings.TRAFFIC_SECONDS_DEFAULT,
            Duration.ofSeconds(E2eSettings.BOOT_TIMEOUT_SECONDS_DEFAULT),
            Duration.ofSeconds(E2eSettings.COMMAND_TIMEOUT_SECONDS_DEFAULT),
            E2eSettings.GUEST_MEMORY_MIB_DEFAULT,
            logs,
            List.of(),
            home,
            0);
        final ByteArrayOutputStream printed = new ByteArrayOutputStream();
        final CheckReport report = new CheckReport(new PrintStream(printed, true, StandardCharsets.UTF_8));

        final int failures;
        final String namespace;
        try (E2eRun run = new E2eRun(settings, cache, report))
        {
            failures = run.execute();
            namespace = run.namespaceName();
        }

        final String output = printed.toString(StandardCharsets.UTF_8);
        assertEquals(0, failures, output + "\nlogs: " + logs);
        assertEquals(List.of("identity", "probe", "ping", "path"), report.passes(), output);
        assertTrue(output.contains("E2E PASS identity one NIC 0x8086:0x100e driven by e1000, interface eth0, MAC " +
            TestSubnet.guestMac(0)), output);
        assertTrue(output.contains("E2E PASS ping 5/5 echo replies guest->peer"), output);
        assertNotNull(namespace, output);
        assertFalse(HostCommand.run(Duration.ofSeconds(30), List.of("ip", "netns", "list")).output()
            .contains(namespace), "the run removed its namespace " + namespace);
    }
}
