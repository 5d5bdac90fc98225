package io.sidecore.bench.demo;

import io.sidecore.engine.proxy.CaptureSummary;

import java.util.Locale;

/**
 * The demo's output lines. The {@code PORT} and {@code SUMMARY} lines are a contract (the README, the tests and
 * scripts read them): fixed field order, {@code key=value}, rates with three decimals and a dot.
 * <ul>
 *   <li>{@code mpps = rx_frames / seconds / 1e6}</li>
 *   <li>{@code gbps = rx_bytes * 8 / seconds / 1e9}, where {@code rx_bytes} is what the devices wrote into the
 *       guests' RX buffers</li>
 *   <li>{@code unaccounted = tx_frames - rx_frames - dropped}</li>
 * </ul>
 */
final class DemoReport
{
    private DemoReport()
    {
    }

    /**
     * @param frames  frames.
     * @param seconds interval.
     * @return millions of frames per second.
     */
    static double mpps(final long frames, final double seconds)
    {
        return frames / seconds / 1e6;
    }

    /**
     * @param bytes   bytes.
     * @param seconds interval.
     * @return gigabits per second.
     */
    static double gbps(final long bytes, final double seconds)
    {
        return bytes * 8.0 / seconds / 1e9;
    }

    /**
     * One line per second of the run: totals over every port, then the slowest and fastest port's receive rate.
     *
     * @param elapsedSeconds seconds since the run started.
     * @param interval       counts of the interval (this sample minus the previous one).
     * @param seconds        length of the interval.
     * @param busyRatio      the sidecores' mean busy ratio over their last window, 0..1, or negative if unknown.
     * @return the line.
     */
    static String progressLine(
        final int elapsedSeconds, final TrafficSnapshot interval, final double seconds, final double busyRatio)
    {
        double minMpps = Double.MAX_VALUE;
        double maxMpps = 0;
        for (int i = 0; i < interval.portCount(); i++)
        {
            final double portMpps = mpps(interval.rxFrames(i), seconds);
            minMpps = Math.min(minMpps, portMpps);
            maxMpps = Math.max(maxMpps, portMpps);
        }
        final String busy = busyRatio < 0 ? "n/a" : String.format(Locale.ROOT, "%.1f%%", busyRatio * 100);
        return String.format(Locale.ROOT,
            "%4ds  rx %.3f Mpps %.3f Gbps  tx %.3f Mpps  per port rx Mpps min %.3f max %.3f  dropped %d  " +
                "sidecore busy %s",
            elapsedSeconds,
            mpps(interval.totalRxFrames(), seconds),
            gbps(interval.totalRxBytes(), seconds),
            mpps(interval.totalTxFrames(), seconds),
            minMpps,
            maxMpps,
            interval.totalDropped(),
            busy);
    }

    /**
     * @param name    port name.
     * @param capture what the port's capture recorded (warm-up and drain included, not only the measured run).
     * @return {@code CAPTURE port=<name> file=<path> frames=<n> rotations=<n>}.
     */
    static String captureLine(final String name, final CaptureSummary capture)
    {
        return String.format(Locale.ROOT, "CAPTURE port=%s file=%s frames=%d rotations=%d",
            name, capture.file(), capture.framesCaptured(), capture.filesRotated());
    }

    /**
     * @param name  port name.
     * @param total counts of the run.
     * @param port  port index.
     * @return {@code PORT name=<name> tx_frames=<n> rx_frames=<n> dropped=<n>}.
     */
    static String portLine(final String name, final TrafficSnapshot total, final int port)
    {
        return "PORT name=" + name +
            " tx_frames=" + total.txFrames(port) +
            " rx_frames=" + total.rxFrames(port) +
            " dropped=" + total.dropped(port);
    }

    /**
     * @param guests  guests.
     * @param seconds length of the run.
     * @param total   counts of the run.
     * @return {@code SUMMARY guests=N seconds=S tx_frames=T rx_frames=R dropped=D unaccounted=U mpps=X gbps=Y}.
     */
    static String summaryLine(final int guests, final int seconds, final TrafficSnapshot total)
    {
        return String.format(Locale.ROOT,
            "SUMMARY guests=%d seconds=%d tx_frames=%d rx_frames=%d dropped=%d unaccounted=%d mpps=%.3f gbps=%.3f",
            guests,
            seconds,
            total.totalTxFrames(),
            total.totalRxFrames(),
            total.totalDropped(),
            total.unaccounted(),
            mpps(total.totalRxFrames(), seconds),
            gbps(total.totalRxBytes(), seconds));
    }
}
