package io.sidecore.bench.system;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code tools/sidecore bench --realvm} (issue 11 §4): the real-VM end-to-end harness ({@code tools/sidecore e2e},
 * {@code io.sidecore.tools.e2e}) run once per NIC mode (QEMU's own e1000, virtio-net, and a sidecore port through
 * vfio-user) with the throughput checks: iperf3 TCP both ways, a 64-byte UDP stream both ways and netperf TCP_RR;
 * their {@code E2E RESULT} lines gathered into one table (metrics down, modes across). A mode whose run fails shows
 * its first {@code E2E FAIL} line instead of numbers, and the exit status is 1.
 */
@Command(
    name = "sidecore bench --realvm",
    mixinStandardHelpOptions = true,
    description = "Real VMs under QEMU (TCG): iperf3 TCP both ways, UDP 64-byte stream, netperf TCP_RR, per NIC mode.")
public final class RealVmBenchMain implements Callable<Integer>
{
    static final String E2E_MAIN = "io.sidecore.tools.e2e.E2eMain";
    static final List<String> MODES = List.of("qemu-e1000", "virtio", "sidecore");
    static final String CHECKS = "tcp,udp,latency";

    /** The metric column's least width; a longer metric widens the whole column, so every row stays aligned. */
    private static final int MIN_METRIC_WIDTH = 44;

    @Option(names = "--realvm", required = true, description = "run the real-VM table")
    private boolean realVm;

    @Option(names = "--modes", split = ",", description = "NIC modes (default: qemu-e1000,virtio,sidecore)")
    private List<String> modes = new ArrayList<>(MODES);

    @Option(names = "--seconds", defaultValue = "5", description = "length of each measurement (default: 5)")
    private int seconds;

    @Option(names = "--out", paramLabel = "DIR", description = "results directory (default: " +
        "benchmarks/results/<timestamp>-realvm)")
    private Path out;

    /**
     * @param args command line.
     */
    public static void main(final String[] args)
    {
        System.exit(new CommandLine(new RealVmBenchMain()).execute(args));
    }

    /**
     * {@inheritDoc}
     */
    public Integer call() throws IOException, InterruptedException
    {
        final Path home = Path.of(System.getProperty("sidecore.home", "."));
        final Path results = null != out ? out : home.resolve("benchmarks/results").resolve(
            LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) + "-realvm");
        Files.createDirectories(results);
        final Map<String, Map<String, String>> table = new LinkedHashMap<>();
        final Map<String, String> failures = new LinkedHashMap<>();
        for (final String mode : modes)
        {
            System.out.println("REALVM mode=" + mode + " checks=" + CHECKS + " seconds=" + seconds);
            System.out.flush();
            final List<String> lines = runE2e(home, mode, results.resolve("e2e-" + mode + ".log"));
            final Map<String, String> values = new LinkedHashMap<>();
            for (final String line : lines)
            {
                if (line.startsWith("E2E RESULT "))
                {
                    final Map<String, String> fields = fields(line.substring("E2E RESULT ".length()));
                    values.put(fields.get("metric") + " (" + fields.get("unit") + ")", fields.get("value"));
                }
                else if (line.startsWith("E2E FAIL") && !failures.containsKey(mode))
                {
                    failures.put(mode, line);
                }
            }
            table.put(mode, values);
        }
        final List<String> report = table(table, failures);
        Files.write(results.resolve("realvm.txt"), report, StandardCharsets.UTF_8);
        for (final String line : report)
        {
            System.out.println(line);
        }
        System.out.println("RESULTS " + results);
        return failures.isEmpty() ? 0 : 1;
    }

    private List<String> runE2e(final Path home, final String mode, final Path log)
        throws IOException, InterruptedException
    {
        final List<String> args = List.of("--mode", mode, "--checks", CHECKS, "--seconds", Integer.toString(seconds));
        final List<String> command = new ArrayList<>(List.of(ChildJvm.javaBinary()));
        command.addAll(ChildJvm.projectJvmFlags());
        command.add("-Dsidecore.home=" + home);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(E2E_MAIN);
        command.addAll(args);
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        final List<String> lines = new ArrayList<>();
        try (BufferedReader reader = new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)))
        {
            String line;
            while (null != (line = reader.readLine()))
            {
                lines.add(line);
                if (line.startsWith("E2E "))
                {
                    System.out.println("  " + line);
                    System.out.flush();
                }
            }
        }
        process.waitFor();
        Files.write(log, lines, StandardCharsets.UTF_8);
        return lines;
    }

    /**
     * @param table     per mode, its metrics.
     * @param failures  per failed mode, its first failure line.
     * @return the table's lines: one row per metric, one column per mode, then one line per failed mode.
     */
    static List<String> table(final Map<String, Map<String, String>> table, final Map<String, String> failures)
    {
        final List<String> metrics = new ArrayList<>();
        for (final Map<String, String> values : table.values())
        {
            for (final String metric : values.keySet())
            {
                if (!metrics.contains(metric))
                {
                    metrics.add(metric);
                }
            }
        }
        int width = MIN_METRIC_WIDTH;
        for (final String metric : metrics)
        {
            width = Math.max(width, metric.length());
        }
        final String metricCell = "| %-" + width + "s |";
        final List<String> lines = new ArrayList<>();
        final StringBuilder header = new StringBuilder(String.format(Locale.ROOT, metricCell, "measurement"));
        final StringBuilder rule = new StringBuilder("|" + "-".repeat(width + 2) + "|");
        for (final String mode : table.keySet())
        {
            header.append(String.format(Locale.ROOT, " %12s |", mode));
            rule.append("-".repeat(13)).append(":|");
        }
        lines.add(header.toString());
        lines.add(rule.toString());
        for (final String metric : metrics)
        {
            final StringBuilder row = new StringBuilder(String.format(Locale.ROOT, metricCell, metric));
            for (final Map.Entry<String, Map<String, String>> column : table.entrySet())
            {
                final String value = column.getValue().get(metric);
                row.append(String.format(Locale.ROOT, " %12s |",
                    null != value ? value : failures.containsKey(column.getKey()) ? "FAILED" : "-"));
            }
            lines.add(row.toString());
        }
        failures.forEach((mode, line) -> lines.add("REALVM FAILED mode=" + mode + ": " + line));
        return lines;
    }

    private static Map<String, String> fields(final String text)
    {
        final Map<String, String> fields = new LinkedHashMap<>();
        for (final String field : text.split(" "))
        {
            final int equals = field.indexOf('=');
            if (equals > 0)
            {
                fields.put(field.substring(0, equals), field.substring(equals + 1));
            }
        }
        return fields;
    }
}
