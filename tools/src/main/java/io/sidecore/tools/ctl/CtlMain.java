package io.sidecore.tools.ctl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sidecore.shm.control.ControlProtocol;
import io.sidecore.shm.control.DaemonFiles;
import io.sidecore.tools.control.ControlClient;
import org.agrona.SystemUtil;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code tools/sidecore ctl}: the operator's client of the daemon's control socket. Each subcommand is one request;
 * the output is human-readable, or with {@code --json} the daemon's result object as one JSON line for scripts.
 * Exit status 0 when the daemon did it, 1 when it refused (the error code and reason on standard error) or cannot
 * be reached, 2 for a usage error.
 */
@Command(
    name = "sidecore ctl",
    mixinStandardHelpOptions = true,
    versionProvider = CtlMain.VersionProvider.class,
    sortOptions = false,
    usageHelpAutoWidth = true,
    description = "Control a running sidecore daemon through its control socket.",
    subcommands = {
        CtlMain.Version.class, CtlMain.CreatePort.class, CtlMain.DestroyPort.class, CtlMain.ListPorts.class,
        CtlMain.Stats.class, CtlMain.Set.class },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
        "0:done",
        "1:the daemon refused the request or cannot be reached (the reason is on standard error)",
        "2:usage error" })
public final class CtlMain implements Callable<Integer>
{
    /** Exit status: done. */
    static final int EXIT_OK = 0;
    /** Exit status: refused or unreachable. */
    static final int EXIT_FAILED = 1;

    @Spec
    private CommandSpec spec;

    @Option(names = "--socket", paramLabel = "PATH",
        description = "the daemon's control socket (default: --config's sidecore.control.socket, else " +
            DaemonFiles.DEFAULT_CONTROL_SOCKET + ")")
    private Path socket;

    @Option(names = "--config", paramLabel = "FILE",
        description = "the daemon's properties file, to find its control socket")
    private Path config;

    @Option(names = "--json", description = "print the daemon's result as one JSON line")
    private boolean json;

    /**
     * Reports the protocol this tool speaks.
     */
    static final class VersionProvider implements CommandLine.IVersionProvider
    {
        /**
         * {@inheritDoc}
         */
        public String[] getVersion()
        {
            return new String[]{ "sidecore ctl, control protocol version " + ControlProtocol.PROTOCOL_VERSION };
        }
    }

    /**
     * @param args command line.
     */
    public static void main(final String[] args)
    {
        System.exit(new CommandLine(new CtlMain()).execute(args));
    }

    /**
     * Without a subcommand: usage.
     *
     * @return the usage exit code.
     */
    public Integer call()
    {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required (version, " +
            "create-port, destroy-port, list, stats, set)");
    }

    private Path controlSocket()
    {
        try
        {
            return ControlClient.controlSocket(socket, config);
        }
        catch (final IOException ex)
        {
            throw new CommandLine.ParameterException(spec.commandLine(), ex.getMessage());
        }
    }

    /**
     * Send one request and print its result.
     */
    private int run(final CommandSpec command, final String name, final Map<String, Object> arguments,
        final Printer printer)
    {
        final PrintWriter out = command.commandLine().getOut();
        final PrintWriter err = command.commandLine().getErr();
        try (ControlClient client = ControlClient.connect(controlSocket()))
        {
            final ObjectNode request = client.newRequest(name);
            for (final Map.Entry<String, Object> argument : arguments.entrySet())
            {
                final Object value = argument.getValue();
                if (value instanceof Long number)
                {
                    request.put(argument.getKey(), number);
                }
                else if (value instanceof Boolean flag)
                {
                    request.put(argument.getKey(), flag);
                }
                else if (null != value)
                {
                    request.put(argument.getKey(), value.toString());
                }
            }
            final ControlClient.ControlResponse response = client.call(request);
            if (!response.ok())
            {
                err.println("sidecore ctl: " + name + " refused (" + response.errorCode() + "): " +
                    response.errorMessage());
                err.flush();
                return EXIT_FAILED;
            }
            if (json)
            {
                out.println(client.mapper().writeValueAsString(response.result()));
            }
            else
            {
                printer.print(out, response.result());
            }
            out.flush();
            return EXIT_OK;
        }
        catch (final IOException ex)
        {
            err.println("sidecore ctl: " + ex.getMessage());
            err.flush();
            return EXIT_FAILED;
        }
    }

    @FunctionalInterface
    private interface Printer
    {
        void print(PrintWriter out, JsonNode result);
    }

    /**
     * @return {@code true} once the port's guest memory is mapped, {@code attaching} or {@code detaching} while a
     *         guest holds the port but its memory is not (yet, or any more) mapped, {@code false} without a guest.
     */
    static String attached(final JsonNode port)
    {
        if (!port.path(ControlProtocol.ATTACHED).asBoolean())
        {
            return "false";
        }
        final String state = port.path(ControlProtocol.GUEST_STATE).asText(ControlProtocol.GUEST_STATE_ATTACHED);
        return ControlProtocol.GUEST_STATE_ATTACHED.equals(state) ? "true" : state;
    }

    private static void printPort(final PrintWriter out, final JsonNode port)
    {
        out.printf(Locale.ROOT, "%s id=%d mac=%s backend=%s sidecore=%d transport=%s attached=%s%s%s%s link=%s " +
                "guest_link=%s moderation_ns=%d tx_frames_per_second=%d tx_bytes_per_second=%d socket=%s%n",
            port.path(ControlProtocol.NAME).asText(),
            port.path(ControlProtocol.PORT_ID).asLong(),
            port.path(ControlProtocol.MAC).asText(),
            port.path(ControlProtocol.BACKEND).asText(),
            port.path(ControlProtocol.SIDECORE).asLong(),
            port.path(ControlProtocol.TRANSPORT).asText(),
            attached(port),
            port.has(ControlProtocol.GUEST_PID) ? " guest=" + port.path(ControlProtocol.GUEST_TRANSPORT).asText() +
                " guest_pid=" + port.path(ControlProtocol.GUEST_PID).asLong() : "",
            port.path(ControlProtocol.FAULTED).asBoolean() ?
                " FAULTED(" + port.path(ControlProtocol.FAULT_REASON).asText() + ")" : "",
            ControlProtocol.STATE_HALF_CREATED.equals(port.path(ControlProtocol.STATE).asText()) ?
                " STATE(" + ControlProtocol.STATE_HALF_CREATED + ")" : "",
            port.path(ControlProtocol.LINK).asText("?"),
            port.path(ControlProtocol.GUEST_LINK).asText("?"),
            port.path(ControlProtocol.MODERATION_NS).asLong(),
            port.path(ControlProtocol.TX_FRAMES_PER_SECOND).asLong(),
            port.path(ControlProtocol.TX_BYTES_PER_SECOND).asLong(),
            port.has(ControlProtocol.SOCKET) ? port.path(ControlProtocol.SOCKET).asText() : "none");
    }

    /**
     * A vfio-user port's endpoint counts (ctl stats): its scalars, its refused DMA maps by reason, then every trapped
     * access by register.
     */
    private static void printVfioUser(final PrintWriter out, final JsonNode endpoint)
    {
        if (endpoint.isMissingNode())
        {
            return;
        }
        out.println("  vfio-user endpoint");
        for (final Map.Entry<String, JsonNode> field : endpoint.properties())
        {
            if (field.getValue().isNumber())
            {
                out.printf(Locale.ROOT, "    %-38s %d%n", field.getKey(), field.getValue().asLong());
            }
        }
        for (final Map.Entry<String, JsonNode> reason : endpoint.path(ControlProtocol.DMA_MAPS_REFUSED).properties())
        {
            out.printf(Locale.ROOT, "    %-38s %d%n", ControlProtocol.DMA_MAPS_REFUSED + "." + reason.getKey(),
                reason.getValue().asLong());
        }
        for (final JsonNode access : endpoint.path(ControlProtocol.TRAPPED_ACCESSES))
        {
            out.printf(Locale.ROOT, "    trapped %-6s %-8s %-14s %-5s %d%n",
                access.path(ControlProtocol.REGION).asText(), access.path(ControlProtocol.OFFSET).asText(),
                access.path(ControlProtocol.REGISTER).asText(),
                access.path(ControlProtocol.WRITE).asBoolean() ? "write" : "read",
                access.path(ControlProtocol.COUNT).asLong());
        }
    }

    private static Long duration(final CommandSpec command, final String option, final String text)
    {
        return parse(command, option, text, SystemUtil::parseDuration, "a duration such as 0, 50us, 1ms");
    }

    private static Long size(final CommandSpec command, final String option, final String text)
    {
        return parse(command, option, text, SystemUtil::parseSize, "a number, with k, m or g allowed");
    }

    private static Long parse(final CommandSpec command, final String option, final String text,
        final java.util.function.ToLongBiFunction<String, String> parser, final String what)
    {
        if (null == text)
        {
            return null;
        }
        try
        {
            return parser.applyAsLong(option, text);
        }
        catch (final NumberFormatException ex)
        {
            throw new CommandLine.ParameterException(command.commandLine(), option + " must be " + what + ": " +
                text);
        }
    }

    /**
     * The run-time settings of a port, as options (create-port and set).
     */
    static final class SettingsOptions
    {
        @Option(names = "--moderation", paramLabel = "DURATION",
            description = "floor on the interval between two interrupts (e.g. 0, 128us)")
        String moderation;

        @Option(names = "--tx-descriptor-budget", paramLabel = "N", description = "TX descriptors per pass")
        String txDescriptorBudget;

        @Option(names = "--tx-byte-budget", paramLabel = "BYTES", description = "TX bytes per pass")
        String txByteBudget;

        @Option(names = "--rx-frame-budget", paramLabel = "N", description = "RX frames per pass")
        String rxFrameBudget;

        @Option(names = "--tx-frames-per-second", paramLabel = "N", description = "TX frame rate, 0 for no limit")
        String txFramesPerSecond;

        @Option(names = "--tx-burst-frames", paramLabel = "N", description = "TX frame burst")
        String txBurstFrames;

        @Option(names = "--tx-bytes-per-second", paramLabel = "BYTES", description = "TX byte rate, 0 for no limit")
        String txBytesPerSecond;

        @Option(names = "--tx-burst-bytes", paramLabel = "BYTES", description = "TX byte burst")
        String txBurstBytes;

        void addTo(final CommandSpec command, final Map<String, Object> arguments)
        {
            arguments.put(ControlProtocol.MODERATION_NS, duration(command, "--moderation", moderation));
            arguments.put(ControlProtocol.TX_DESCRIPTOR_BUDGET,
                size(command, "--tx-descriptor-budget", txDescriptorBudget));
            arguments.put(ControlProtocol.TX_BYTE_BUDGET, size(command, "--tx-byte-budget", txByteBudget));
            arguments.put(ControlProtocol.RX_FRAME_BUDGET, size(command, "--rx-frame-budget", rxFrameBudget));
            arguments.put(ControlProtocol.TX_FRAMES_PER_SECOND,
                size(command, "--tx-frames-per-second", txFramesPerSecond));
            arguments.put(ControlProtocol.TX_BURST_FRAMES, size(command, "--tx-burst-frames", txBurstFrames));
            arguments.put(ControlProtocol.TX_BYTES_PER_SECOND,
                size(command, "--tx-bytes-per-second", txBytesPerSecond));
            arguments.put(ControlProtocol.TX_BURST_BYTES, size(command, "--tx-burst-bytes", txBurstBytes));
        }
    }

    /**
     * What every subcommand is given: the main command (its options) and its own spec.
     */
    abstract static class Subcommand implements Callable<Integer>
    {
        @ParentCommand
        CtlMain parent;

        @Spec
        CommandSpec spec;
    }

    /**
     * {@code version}.
     */
    @Command(name = "version", mixinStandardHelpOptions = true, description = "the daemon's version and pid")
    static final class Version extends Subcommand
    {

        /**
         * {@inheritDoc}
         */
        public Integer call()
        {
            return parent.run(spec, ControlProtocol.CMD_VERSION, Map.of(), (out, result) ->
                out.printf(Locale.ROOT, "sidecore daemon %s, protocol %d, pid %d, counters file %s%n",
                    result.path(ControlProtocol.DAEMON).asText(),
                    result.path(ControlProtocol.PROTOCOL_VERSION_FIELD).asInt(),
                    result.path(ControlProtocol.PID).asLong(),
                    result.path(ControlProtocol.COUNTERS_FILE).asText()));
        }
    }

    /**
     * {@code create-port}.
     */
    @Command(name = "create-port", mixinStandardHelpOptions = true, sortOptions = false,
        description = "create a port; prints its device socket")
    static final class CreatePort extends Subcommand
    {

        @Parameters(paramLabel = "NAME", description = "port name, 1 to 32 of [A-Za-z0-9_.-]")
        private String name;

        @Option(names = "--mac", paramLabel = "MAC", description = "unicast MAC (default: derived from the name)")
        private String mac;

        @Option(names = "--backend", paramLabel = "BACKEND", description = "switch (default), null, tap:IFNAME, or " +
            "uplink:IFNAME (the switch's uplink to the host through that TAP; takes no guest)")
        private String backend;

        @Option(names = "--csb", arity = "0..1", paramLabel = "BOOL",
            description = "offer the CSB paravirtual extension (default: sidecore.port.csb.offered)")
        private Boolean csb;

        @Option(names = "--sidecore", paramLabel = "N", description = "place the port on sidecore N " +
            "(default: the least loaded)")
        private Long sidecore;

        @Option(names = "--capture", paramLabel = "FILE", description = "record the port's traffic to this pcap file")
        private String capture;

        @Option(names = "--transport", paramLabel = "TRANSPORT", description = "vfio-user (default: a device " +
            "socket for QEMU's vfio-user-pci, and native attach) or native (native attach only, no device socket)")
        private String transport;

        @CommandLine.Mixin
        private SettingsOptions settings;

        /**
         * {@inheritDoc}
         */
        public Integer call()
        {
            final Map<String, Object> arguments = new java.util.LinkedHashMap<>();
            arguments.put(ControlProtocol.TRANSPORT, transport);
            arguments.put(ControlProtocol.NAME, name);
            arguments.put(ControlProtocol.MAC, mac);
            arguments.put(ControlProtocol.BACKEND, backend);
            arguments.put(ControlProtocol.CSB, csb);
            arguments.put(ControlProtocol.SIDECORE, sidecore);
            arguments.put(ControlProtocol.CAPTURE, capture);
            settings.addTo(spec, arguments);
            return parent.run(spec, ControlProtocol.CMD_CREATE_PORT, arguments, (out, result) ->
            {
                out.print("created ");
                printPort(out, result.path(ControlProtocol.PORT));
            });
        }
    }

    /**
     * {@code destroy-port}.
     */
    @Command(name = "destroy-port", mixinStandardHelpOptions = true, description = "destroy a port")
    static final class DestroyPort extends Subcommand
    {

        @Parameters(paramLabel = "NAME", description = "the port")
        private String name;

        /**
         * {@inheritDoc}
         */
        public Integer call()
        {
            return parent.run(spec, ControlProtocol.CMD_DESTROY_PORT, Map.of(ControlProtocol.NAME, name),
                (out, result) -> out.println("destroyed " +
                    result.path(ControlProtocol.PORT).path(ControlProtocol.NAME).asText()));
        }
    }

    /**
     * {@code list}.
     */
    @Command(name = "list", mixinStandardHelpOptions = true, description = "every port, one per line")
    static final class ListPorts extends Subcommand
    {

        /**
         * {@inheritDoc}
         */
        public Integer call()
        {
            return parent.run(spec, ControlProtocol.CMD_LIST, Map.of(), (out, result) ->
            {
                final JsonNode ports = result.path(ControlProtocol.PORTS);
                if (ports.isEmpty())
                {
                    out.println("no ports");
                }
                for (final JsonNode port : ports)
                {
                    printPort(out, port);
                }
            });
        }
    }

    /**
     * {@code stats}.
     */
    @Command(name = "stats", mixinStandardHelpOptions = true, description = "counters of one port or of all")
    static final class Stats extends Subcommand
    {

        @Parameters(paramLabel = "NAME", arity = "0..1", description = "the port (default: all)")
        private String name;

        /**
         * {@inheritDoc}
         */
        public Integer call()
        {
            final Map<String, Object> arguments = new java.util.HashMap<>();
            arguments.put(ControlProtocol.NAME, name);
            return parent.run(spec, ControlProtocol.CMD_STATS, arguments, (out, result) ->
            {
                for (final JsonNode port : result.path(ControlProtocol.PORTS))
                {
                    out.println("port " + port.path(ControlProtocol.NAME).asText());
                    for (final Map.Entry<String, JsonNode> counter : port.path(ControlProtocol.COUNTERS).properties())
                    {
                        out.printf(Locale.ROOT, "  %-40s %d%n", counter.getKey(), counter.getValue().asLong());
                    }
                    printVfioUser(out, port.path(ControlProtocol.VFIO_USER));
                }
            });
        }
    }

    /**
     * {@code set}.
     */
    @Command(name = "set", mixinStandardHelpOptions = true, sortOptions = false,
        description = "change a running port's moderation, budgets, rate limits, capture or link")
    static final class Set extends Subcommand
    {

        @Parameters(paramLabel = "NAME", arity = "0..1", description = "the port (or --port NAME)")
        private String name;

        @Option(names = "--port", paramLabel = "NAME", description = "the port (instead of NAME)")
        private String port;

        @Option(names = "--capture", paramLabel = "on|off", description = "capture on or off")
        private String capture;

        @Option(names = "--link", paramLabel = "up|down",
            description = "the port's link, as plugging or pulling its cable (the guest sees a link change)")
        private String link;

        @CommandLine.Mixin
        private SettingsOptions settings;

        /**
         * {@inheritDoc}
         */
        public Integer call()
        {
            if ((null == name) == (null == port))
            {
                throw new CommandLine.ParameterException(spec.commandLine(),
                    "name the port once: NAME or --port NAME");
            }
            final Map<String, Object> arguments = new java.util.LinkedHashMap<>();
            arguments.put(ControlProtocol.NAME, null == name ? port : name);
            arguments.put(ControlProtocol.CAPTURE, capture);
            arguments.put(ControlProtocol.LINK, link);
            settings.addTo(spec, arguments);
            return parent.run(spec, ControlProtocol.CMD_SET, arguments, (out, result) ->
            {
                out.print("set ");
                printPort(out, result.path(ControlProtocol.PORT));
            });
        }
    }
}
