package io.sidecore.systemtest;

import com.fasterxml.jackson.databind.JsonNode;
import io.sidecore.shm.control.ControlProtocol;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The synthetic guest as QEMU's stand-in: two guest processes attach over vfio-user to two ports' device sockets of
 * a daemon process (memfd DMA_MAP, sparse-mmapped doorbells, eventfd INTx with UNMASK), pass frames to each other
 * through the daemon's switch, and {@code stat} and {@code ctl stats} show what happened.
 */
@ExtendWith(SidecoreProcessesExtension.class)
class VfioUserGuestSystemTest
{
    private static final String MAC_A = "02:00:00:00:0a:01";
    private static final String MAC_B = "02:00:00:00:0b:01";

    private SidecoreProcesses processes;

    @Test
    void shouldPassTrafficBetweenTwoVfioUserGuestProcessesThroughTheSwitchThatStatShows() throws Exception
    {
        final Path config = processes.writeConfig("sidecore.properties", Map.of(
            "sidecore.ports", "a,b",
            "sidecore.ports.a.mac", MAC_A,
            "sidecore.ports.b.mac", MAC_B,
            "sidecore.command.timeout", "30s"));
        processes.startDaemon(config);
        final Path socketA = processes.file("run/ports/a.sock");
        final Path socketB = processes.file("run/ports/b.sock");

        final Process guestA = processes.startGuest(processes.file("guest-a.log"), "--vfio-user",
            socketA.toString(), "--send-to", MAC_B, "--seconds", "3");
        final Process guestB = processes.startGuest(processes.file("guest-b.log"), "--vfio-user",
            socketB.toString(), "--send-to", MAC_A, "--seconds", "3");
        final Matcher a = SidecoreProcesses.guestLine(guestA, processes.file("guest-a.log"));
        final Matcher b = SidecoreProcesses.guestLine(guestB, processes.file("guest-b.log"));

        assertEquals("a", a.group(1));
        assertEquals(MAC_A, a.group(2), "the driver read the port's MAC from its EEPROM");
        assertTrue(Long.parseLong(a.group(4)) > 0 && Long.parseLong(b.group(4)) > 0, "both sent");
        assertTrue(Long.parseLong(a.group(5)) > 0, "a received b's frames");
        assertTrue(Long.parseLong(b.group(5)) > 0, "b received a's frames");
        assertTrue(Long.parseLong(a.group(6)) > 0, "interrupts reached a through its trigger eventfd");

        final SidecoreProcesses.Run stat = processes.stat("--config", config.toString(), "--format", "json",
            "--no-errors");
        assertEquals(0, stat.exit(), stat.toString());
        final JsonNode snapshot = SidecoreProcesses.JSON.readTree(stat.out());
        assertTrue(SidecoreProcesses.portCounter(snapshot, "b", "rx_frames") >= Long.parseLong(b.group(5)),
            "stat shows at least the frames b's driver took");
        assertTrue(SidecoreProcesses.portCounter(snapshot, "a", "tx_frames") >= Long.parseLong(a.group(4)) - 256,
            "stat shows a's frames sent (all but those still in its ring when it stopped)");
        assertTrue(SidecoreProcesses.portCounter(snapshot, "a", "doorbells_shared") > 0,
            "doorbells polled from the mmapped page");

        final JsonNode stats = processes.ctlJson("--config", config.toString(), "stats", "a");
        final JsonNode vfioUser = stats.get(ControlProtocol.PORTS).get(0).get(ControlProtocol.VFIO_USER);
        assertEquals(1, vfioUser.get(ControlProtocol.DMA_MAPS).asLong(), "the guest's RAM, one memfd DMA_MAP");
        assertTrue(vfioUser.get(ControlProtocol.TRAPPED_ACCESSES).size() > 0, "trapped accesses by register");
        awaitDetached(config, "a");
        assertTrue(Files.exists(socketA), "the port keeps listening for the next VMM");
    }

    private void awaitDetached(final Path config, final String port) throws IOException, InterruptedException
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() - deadlineNs < 0)
        {
            final JsonNode list = processes.ctlJson("--config", config.toString(), "list");
            for (final JsonNode each : list.get(ControlProtocol.PORTS))
            {
                if (port.equals(each.get(ControlProtocol.NAME).asText()) &&
                    !each.get(ControlProtocol.ATTACHED).asBoolean())
                {
                    return;
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("port " + port + " still has its guest 60 s after the guest process ended");
    }

}
