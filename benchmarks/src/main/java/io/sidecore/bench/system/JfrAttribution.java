package io.sidecore.bench.system;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedMethod;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What the daemon's JVM did during each measured interval, from its JFR recording: collections, safepoints,
 * compilations and deoptimizations (the causes of long passes other than the thread being off its core, which
 * {@link ThreadStats} shows), where the sidecore thread spent its time (execution samples, by top frame) and where it
 * allocated (allocation samples). The attribution is by time: an event counts for the interval it overlaps.
 */
final class JfrAttribution
{
    /** The sidecore thread's Java name. */
    static final String SIDECORE_THREAD = "sidecore-0";

    private static final String OWN_PACKAGE_PREFIX = "io.sidecore.";

    private static final int TOP_FRAMES = 8;

    private final List<RecordedEvent> events;

    private JfrAttribution(final List<RecordedEvent> events)
    {
        this.events = events;
    }

    /**
     * @param recording the daemon's recording.
     * @param err       where a recording that ends early (the daemon was killed while dumping it) is reported.
     * @return its events (those before a truncation), or null when there is no recording.
     */
    static JfrAttribution read(final Path recording, final java.io.PrintStream err)
    {
        if (!Files.exists(recording))
        {
            return null;
        }
        final List<RecordedEvent> kept = new ArrayList<>();
        try (RecordingFile file = new RecordingFile(recording))
        {
            while (file.hasMoreEvents())
            {
                final RecordedEvent event = file.readEvent();
                switch (event.getEventType().getName())
                {
                    case "jdk.GarbageCollection", "jdk.SafepointBegin", "jdk.Compilation", "jdk.Deoptimization",
                         "jdk.ExecutionSample", "jdk.ObjectAllocationSample", "jdk.ObjectAllocationOutsideTLAB" ->
                        kept.add(event);
                    default ->
                    {
                    }
                }
            }
        }
        catch (final IOException ex)
        {
            err.println("sidecore bench: the daemon's JFR recording ends early (" + ex.getMessage() + "); " +
                "attributing with the " + kept.size() + " events before that");
        }
        return new JfrAttribution(kept);
    }

    /**
     * @param run a measured interval.
     * @return the OUTLIERS line's fields for it: collections, safepoints, compilations, deoptimizations, and the
     *     sidecore thread's run queue wait and involuntary switches.
     */
    String outliers(final RunResult run)
    {
        long collections = 0;
        Duration collectionTime = Duration.ZERO;
        long safepoints = 0;
        Duration safepointTime = Duration.ZERO;
        Duration safepointMax = Duration.ZERO;
        long compilations = 0;
        long deoptimizations = 0;
        long sidecoreAllocationSamples = 0;
        final Map<String, Integer> allocationSites = new HashMap<>();
        for (final RecordedEvent event : events)
        {
            if (!overlaps(event, run.start(), run.end()))
            {
                continue;
            }
            switch (event.getEventType().getName())
            {
                case "jdk.GarbageCollection" ->
                {
                    collections++;
                    collectionTime = collectionTime.plus(event.getDuration());
                }
                case "jdk.SafepointBegin" ->
                {
                    safepoints++;
                    safepointTime = safepointTime.plus(event.getDuration());
                    if (event.getDuration().compareTo(safepointMax) > 0)
                    {
                        safepointMax = event.getDuration();
                    }
                }
                case "jdk.Compilation" -> compilations++;
                case "jdk.Deoptimization" -> deoptimizations++;
                case "jdk.ObjectAllocationSample", "jdk.ObjectAllocationOutsideTLAB" ->
                {
                    if (isSidecore(event.getThread("eventThread")))
                    {
                        sidecoreAllocationSamples++;
                        allocationSites.merge(event.getClass("objectClass").getName() + "@" +
                            topFrame(event.getStackTrace()), 1, Integer::sum);
                    }
                }
                default ->
                {
                }
            }
        }
        return String.format(Locale.ROOT, "gc=%d gc_ms=%.2f safepoints=%d safepoint_ms=%.2f safepoint_max_ms=%.2f " +
                "compilations=%d deopts=%d sidecore_alloc_events=%d%s",
            collections, millis(collectionTime), safepoints, millis(safepointTime), millis(safepointMax),
            compilations, deoptimizations, sidecoreAllocationSamples,
            allocationSites.isEmpty() ? "" : " sidecore_alloc_sites=" + allocationSites);
    }

    /**
     * @param runs measured intervals (a case's repetitions).
     * @return the sidecore thread's execution samples in them by the first frame of the project's own code (the JDK's
     *     and libraries' frames above it, such as Agrona's buffer accessors, are where the project's line spent the
     *     time), most frequent first, as {@code samples=N top=Class.method@line:share,...}.
     */
    String profile(final List<RunResult> runs)
    {
        final Map<String, Integer> byFrame = new HashMap<>();
        int samples = 0;
        for (final RecordedEvent event : events)
        {
            if (!"jdk.ExecutionSample".equals(event.getEventType().getName()) ||
                !isSidecore(event.getThread("sampledThread")) || !inAny(event, runs))
            {
                continue;
            }
            samples++;
            byFrame.merge(ownFrame(event.getStackTrace()), 1, Integer::sum);
        }
        final List<Map.Entry<String, Integer>> sorted = new ArrayList<>(byFrame.entrySet());
        sorted.sort((a, b) -> Integer.compare(b.getValue(), a.getValue()));
        final StringBuilder top = new StringBuilder();
        for (int i = 0; i < Math.min(TOP_FRAMES, sorted.size()); i++)
        {
            top.append(0 == i ? "" : ",").append(sorted.get(i).getKey()).append(':')
                .append(String.format(Locale.ROOT, "%.0f%%", 100.0 * sorted.get(i).getValue() / samples));
        }
        return "samples=" + samples + " top=" + (0 == top.length() ? "-" : top.toString());
    }

    private static boolean inAny(final RecordedEvent event, final List<RunResult> runs)
    {
        for (final RunResult run : runs)
        {
            if (overlaps(event, run.start(), run.end()))
            {
                return true;
            }
        }
        return false;
    }

    private static boolean overlaps(final RecordedEvent event, final Instant start, final Instant end)
    {
        return !event.getEndTime().isBefore(start) && !event.getStartTime().isAfter(end);
    }

    private static boolean isSidecore(final RecordedThread thread)
    {
        return null != thread && SIDECORE_THREAD.equals(thread.getJavaName());
    }

    private static String ownFrame(final RecordedStackTrace stackTrace)
    {
        if (null == stackTrace)
        {
            return "(no stack)";
        }
        for (final RecordedFrame frame : stackTrace.getFrames())
        {
            final String type = frame.getMethod().getType().getName();
            if (isOwnCode(type))
            {
                return frameKey(type, frame.getMethod().getName(), frame.getLineNumber());
            }
        }
        return topFrame(stackTrace);
    }

    /**
     * @param typeName a class's binary name.
     * @return true for the project's own classes.
     */
    static boolean isOwnCode(final String typeName)
    {
        return typeName.startsWith(OWN_PACKAGE_PREFIX);
    }

    /**
     * @param typeName   a class's binary name.
     * @param methodName the method.
     * @param line       its line, or a negative value when the recording has none.
     * @return {@code Class.method@line} (nested classes keep their {@code $}), without the line when unknown.
     */
    static String frameKey(final String typeName, final String methodName, final int line)
    {
        final String key = typeName.substring(typeName.lastIndexOf('.') + 1) + "." + methodName;
        return line < 0 ? key : key + "@" + line;
    }

    private static String topFrame(final RecordedStackTrace stackTrace)
    {
        if (null == stackTrace || stackTrace.getFrames().isEmpty())
        {
            return "(no stack)";
        }
        final RecordedMethod method = stackTrace.getFrames().get(0).getMethod();
        return frameKey(method.getType().getName(), method.getName(), -1);
    }

    private static double millis(final Duration duration)
    {
        return duration.toNanos() / 1e6;
    }
}
