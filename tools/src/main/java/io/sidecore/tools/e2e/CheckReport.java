package io.sidecore.tools.e2e;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Prints a run's results as they happen, one greppable line each:
 * <pre>
 *   E2E PASS &lt;check&gt; &lt;detail&gt;
 *   E2E FAIL &lt;check&gt; &lt;reason&gt;        (further lines of the reason, e.g. a console tail, indented below)
 *   E2E INFO &lt;topic&gt; &lt;text&gt;
 *   E2E RESULT mode=... metric=... value=... unit=...
 * </pre>
 * then the throughput table and a summary line, and keeps the outcomes for the exit code.
 */
final class CheckReport
{
    private final PrintStream out;
    private final List<String> passed = new ArrayList<>();
    private final List<String> failed = new ArrayList<>();
    private final List<String[]> measurements = new ArrayList<>();

    /**
     * @param out where the lines go.
     */
    CheckReport(final PrintStream out)
    {
        this.out = out;
    }

    /**
     * @param check  the check.
     * @param detail what it showed.
     */
    void pass(final E2eCheck check, final String detail)
    {
        passed.add(check.cliName());
        out.println("E2E PASS " + check.cliName() + (detail.isEmpty() ? "" : " " + detail));
        out.flush();
    }

    /**
     * @param check  the check.
     * @param reason why it failed; lines after the first are printed indented below.
     */
    void fail(final E2eCheck check, final String reason)
    {
        fail(check.cliName(), reason);
    }

    /**
     * @param step   what failed: a check's name, or {@code setup} for what the checks need (namespace, network,
     *               daemon, guest boot).
     * @param reason why it failed; lines after the first are printed indented below.
     */
    void fail(final String step, final String reason)
    {
        failed.add(step);
        final String[] lines = reason.split("\n");
        out.println("E2E FAIL " + step + " " + lines[0]);
        for (int i = 1; i < lines.length; i++)
        {
            out.println("    " + lines[i]);
        }
        out.flush();
    }

    /**
     * @param topic what the information is about.
     * @param text  the information.
     */
    void info(final String topic, final String text)
    {
        out.println("E2E INFO " + topic + " " + text);
        out.flush();
    }

    /**
     * Record a measurement for the table, and print it as a RESULT line.
     *
     * @param mode   the NIC mode.
     * @param metric machine name of the metric, e.g. {@code tcp_guest_to_peer}.
     * @param label  what a reader of the table sees.
     * @param value  the value.
     * @param unit   its unit.
     */
    void measurement(final NicMode mode, final String metric, final String label, final double value,
        final String unit)
    {
        final String formatted = String.format(Locale.ROOT, "%.1f", value);
        measurements.add(new String[]{label, formatted, unit});
        out.println("E2E RESULT mode=" + mode + " metric=" + metric + " value=" + formatted + " unit=" + unit);
        out.flush();
    }

    /**
     * Print the throughput table and the summary line.
     *
     * @param heading the table's heading line (mode, versions, settings).
     */
    void finish(final String heading)
    {
        out.println();
        out.println("E2E TABLE " + heading);
        out.println(String.format(Locale.ROOT, "  %-42s %12s  %s", "measurement", "value", "unit"));
        for (final String[] row : measurements)
        {
            out.println(String.format(Locale.ROOT, "  %-42s %12s  %s", row[0], row[1], row[2]));
        }
        out.println();
        out.println("E2E SUMMARY passed=" + passed.size() + " failed=" + failed.size() +
            (failed.isEmpty() ? "" : " failed_checks=" + String.join(",", failed)));
        out.flush();
    }

    /**
     * @return the names of the checks that failed.
     */
    List<String> failures()
    {
        return failed;
    }

    /**
     * @return the names of the checks that passed.
     */
    List<String> passes()
    {
        return passed;
    }
}
