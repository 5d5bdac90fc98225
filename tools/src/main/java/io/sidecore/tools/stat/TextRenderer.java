package io.sidecore.tools.stat;

import io.sidecore.shm.E1000Registers;
import io.sidecore.shm.PortFault;
import io.sidecore.shm.PortFaultDescriptor;

import java.io.PrintWriter;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * The human-readable view:
 * <pre>
 * sidecore counters /dev/shm/sidecore/sidecore-counters.dat
 * version 1.0.0, pid 4242 (running), started 2025-01-01T00:00:00Z, heartbeat age 120 ms
 * port g0 (id 0)
 *   FAULTED tx_tail_beyond_ring: register TDT (0x03818) = 0x400, since 2025-01-01T00:00:05Z, fault 1 of the port
 *     (TDT names no descriptor of the TX ring; value: TDT)
 *   tx_frames                                          12000       1000.0/s
 *   ...
 * sidecore 0
 *   busy_ratio_ppm                                    250000
 *   ...
 * errors: none
 * </pre>
 * Rates appear in watch mode from the second snapshot on, for counters that are not gauges. A port quarantined by a
 * {@link PortFault} shows it first, by name, with the register, its value and when, from the counters file's fault
 * record.
 */
final class TextRenderer implements SnapshotRenderer
{
    /** ANSI: cursor home, clear screen; used in watch mode on a terminal, as AeronStat does. */
    static final String CLEAR_SCREEN = "\u001b[H\u001b[2J";

    private static final String COUNTER_FORMAT = "  %-34s %20d%n";
    private static final String COUNTER_WITH_RATE_FORMAT = "  %-34s %20d %14.1f/s%n";

    private final boolean clearScreen;
    private boolean first = true;

    /**
     * @param clearScreen clear the terminal before each snapshot after the first; otherwise separate snapshots with
     *                    a blank line.
     */
    TextRenderer(final boolean clearScreen)
    {
        this.clearScreen = clearScreen;
    }

    /**
     * {@inheritDoc}
     */
    public void render(final Snapshot snapshot, final Rates rates, final PrintWriter out)
    {
        if (clearScreen)
        {
            out.print(CLEAR_SCREEN);
        }
        else if (!first)
        {
            out.println();
        }
        first = false;

        out.println("sidecore counters " + snapshot.file());
        out.println(header(snapshot));
        for (final Snapshot.CounterGroup group : snapshot.groups())
        {
            out.println(groupTitle(group));
            if (CounterKind.PORT == group.kind())
            {
                final PortFaultDescriptor.Reading fault = snapshot.portFault(group.ownerId());
                if (null != fault && PortFault.NO_FAULT_ID != fault.faultId())
                {
                    renderFault(fault, out);
                }
            }
            final List<CounterEntry> entries = group.entries();
            for (int i = 0; i < entries.size(); i++)
            {
                final CounterEntry entry = entries.get(i);
                final double rate = rates.perSecond(entry);
                if (Double.isNaN(rate))
                {
                    out.printf(Locale.ROOT, COUNTER_FORMAT, entry.counterName(), entry.value());
                }
                else
                {
                    out.printf(Locale.ROOT, COUNTER_WITH_RATE_FORMAT, entry.counterName(), entry.value(), rate);
                }
            }
        }
        for (final String portName : snapshot.missingPorts())
        {
            out.println("port " + portName + ": not present");
        }
        if (null != snapshot.errors())
        {
            renderErrors(snapshot.errors(), out);
        }
    }

    /**
     * @param snapshot a snapshot.
     * @return the line with version, pid, start time and heartbeat age (flagged when stale).
     */
    static String header(final Snapshot snapshot)
    {
        final StringBuilder line = new StringBuilder(160)
            .append("version ").append(snapshot.version())
            .append(", pid ").append(snapshot.pid()).append(snapshot.pidAlive() ? " (running)" : " (not running)")
            .append(", started ").append(Instant.ofEpochMilli(snapshot.startTimestampMs()))
            .append(", heartbeat age ").append(snapshot.heartbeatAgeMs()).append(" ms");
        if (snapshot.isStale())
        {
            line.append(" STALE (no heartbeat for more than ").append(Snapshot.STALE_HEARTBEAT_MS)
                .append(" ms: the sidecore is not running or is stuck)");
        }
        return line.toString();
    }

    private static String groupTitle(final Snapshot.CounterGroup group)
    {
        return switch (group.kind())
        {
            case PORT -> "port " + group.name() + " (id " + group.ownerId() + ")";
            case SIDECORE -> "sidecore " + group.name();
            case OTHER -> "other";
        };
    }

    private static void renderFault(final PortFaultDescriptor.Reading reading, final PrintWriter out)
    {
        final PortFault fault = reading.fault();
        final String name = null != fault ? fault.faultName() : "fault id " + reading.faultId();
        out.println("  FAULTED " + name + ": register " + registerText(reading.register()) + " = 0x" +
            Long.toHexString(reading.value()) + ", since " + Instant.ofEpochMilli(reading.timestampMs()) + ", fault " +
            reading.faultCount() + " of the port");
        out.println("    (" + (null != fault ? fault.description() : "unknown to this tool: a newer daemon?") + ")");
    }

    /**
     * @param offset a BAR0 offset.
     * @return {@code "TDT (0x03818)"}.
     */
    static String registerText(final int offset)
    {
        return E1000Registers.registerName(offset) + " (0x" + String.format(Locale.ROOT, "%05X", offset) + ")";
    }

    private static void renderErrors(final List<ErrorEntry> errors, final PrintWriter out)
    {
        if (errors.isEmpty())
        {
            out.println("errors: none");
            return;
        }
        out.println("errors: " + errors.size() + " distinct");
        for (final ErrorEntry error : errors)
        {
            out.println("  count " + error.observationCount() + ", first " +
                Instant.ofEpochMilli(error.firstObservationMs()) + ", last " +
                Instant.ofEpochMilli(error.lastObservationMs()));
            for (final String line : error.encodedException().split("\\R"))
            {
                out.println("    " + line);
            }
        }
    }
}
