package io.sidecore.tools.guest;

import jdk.jfr.Event;
import jdk.jfr.Name;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedMethod;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingStream;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The JIT's compilations and deoptimisations while a test measures allocation, from the JVM's own events (JFR,
 * in-process), so a test can tell the rounds the JIT may have touched from the steady state.
 * <p>
 * A round is touched by the JIT when it overlaps a compilation of the measured code (the project's and Agrona's), or
 * the time from a deoptimisation on the measuring thread during the measurement to the end of the next compilation
 * of the deoptimised method (until then it runs in the interpreter, which allocates the objects compiled code had
 * scalar-replaced); without such a compilation, every later round. Times are wall-clock
 * nanoseconds, and each interval is widened by {@link #MARGIN_NS} to cover the difference between JFR's clock and
 * {@link Instant#now()}.
 */
final class JitActivity implements AutoCloseable
{
    private static final long MARGIN_NS = 2_000_000L;
    private static final long FLUSH_WAIT_SECONDS = 60;
    /** A deoptimisation this long before a measurement is reported with it. */
    private static final long RECENT_NS = 1_000_000_000L;

    private final RecordingStream stream = new RecordingStream();
    private final List<RecordedEvent> compilations = new ArrayList<>();
    private final List<RecordedEvent> deoptimisations = new ArrayList<>();
    private final CountDownLatch flushed = new CountDownLatch(1);
    private final long measuringThreadId = Thread.currentThread().threadId();

    /**
     * Marks a point in the event stream: once it is read, every JIT event before it has been read.
     */
    @Name("io.sidecore.test.JitActivityFlush")
    static final class FlushMarker extends Event
    {
    }

    private JitActivity()
    {
    }

    /**
     * @return JIT events recorded from now on, for measurements on the calling thread (start it before the warm-up:
     *         starting JFR loads and compiles code).
     */
    static JitActivity start()
    {
        final JitActivity activity = new JitActivity();
        final RecordingStream stream = activity.stream;
        stream.enable("jdk.Compilation").withThreshold(Duration.ZERO).withoutStackTrace();
        stream.enable("jdk.Deoptimization").withoutStackTrace();
        stream.enable(FlushMarker.class);
        stream.onEvent("jdk.Compilation", event -> activity.add(activity.compilations, event));
        stream.onEvent("jdk.Deoptimization", event -> activity.add(activity.deoptimisations, event));
        stream.onEvent("io.sidecore.test.JitActivityFlush", event -> activity.flushed.countDown());
        stream.startAsync();
        return activity;
    }

    /**
     * @return wall-clock time in ns, the clock the JIT events are compared with.
     */
    static long nowNs()
    {
        final Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    /**
     * Wait until every JIT event until now has been read.
     *
     * @throws InterruptedException when interrupted.
     * @throws AssertionError       when the events do not arrive within a minute.
     */
    void awaitEventsUntilNow() throws InterruptedException
    {
        new FlushMarker().commit();
        if (!flushed.await(FLUSH_WAIT_SECONDS, TimeUnit.SECONDS))
        {
            throw new AssertionError("JFR did not deliver its events within " + FLUSH_WAIT_SECONDS + " s");
        }
    }

    /**
     * @param measuredFromNs start of the first round ({@link #nowNs()}): deoptimisations before it are the warm-up's
     *                       (code the rounds do not run, or that the warm-up waited to see recompiled).
     * @param startNs        start of a round.
     * @param endNs          its end.
     * @return what the JIT did that touched the round, or an empty string.
     */
    synchronized String activityBetween(final long measuredFromNs, final long startNs, final long endNs)
    {
        final StringBuilder activity = new StringBuilder();
        for (final RecordedEvent compilation : compilations)
        {
            if (isOnMeasuredPath(compilation) &&
                overlaps(startNs, endNs, nanos(compilation.getStartTime()), nanos(compilation.getEndTime())))
            {
                activity.append(describe(compilation)).append("; ");
            }
        }
        for (final RecordedEvent deoptimisation : deoptimisations)
        {
            final long fromNs = nanos(deoptimisation.getStartTime());
            if (!isOnMeasuringThread(deoptimisation) || fromNs < measuredFromNs)
            {
                continue;
            }
            if (overlaps(startNs, endNs, fromNs, recompiledNs(deoptimisation, fromNs)))
            {
                activity.append(describe(deoptimisation)).append("; ");
            }
        }
        return activity.toString();
    }

    /**
     * @param fromNs start of the measurement ({@link #nowNs()}).
     * @param toNs   its end.
     * @return the JIT events of the measured code and thread in that time, for a failure message.
     */
    synchronized String eventsBetween(final long fromNs, final long toNs)
    {
        final StringBuilder all = new StringBuilder();
        for (final RecordedEvent event : compilations)
        {
            if (isOnMeasuredPath(event) &&
                overlaps(fromNs, toNs, nanos(event.getStartTime()), nanos(event.getEndTime())))
            {
                all.append(describe(event)).append("; ");
            }
        }
        for (final RecordedEvent event : deoptimisations)
        {
            final long deoptimisedNs = nanos(event.getStartTime());
            if (isOnMeasuringThread(event) && overlaps(fromNs, toNs, deoptimisedNs, deoptimisedNs + RECENT_NS))
            {
                all.append(describe(event)).append("; ");
            }
        }
        return all.isEmpty() ? "none" : all.toString();
    }

    @Override
    public void close()
    {
        stream.close();
    }

    private synchronized void add(final List<RecordedEvent> events, final RecordedEvent event)
    {
        events.add(event);
    }

    private long recompiledNs(final RecordedEvent deoptimisation, final long fromNs)
    {
        final String method = methodName(deoptimisation.getValue("method"));
        final String root = rootMethodOf(deoptimisation.getInt("compileId"));
        long endNs = Long.MAX_VALUE;
        for (final RecordedEvent compilation : compilations)
        {
            final String compiled = methodName(compilation.getValue("method"));
            final long compiledStartNs = nanos(compilation.getStartTime());
            if (compiledStartNs >= fromNs && (compiled.equals(method) || compiled.equals(root)))
            {
                endNs = Math.min(endNs, nanos(compilation.getEndTime()));
            }
        }
        return endNs;
    }

    private String rootMethodOf(final int compileId)
    {
        for (final RecordedEvent compilation : compilations)
        {
            if (compilation.getInt("compileId") == compileId)
            {
                return methodName(compilation.getValue("method"));
            }
        }
        return "";
    }

    /**
     * A compilation of the project's code or of the buffers it calls: what the measured thread runs. The JVM compiles
     * other code all along (JFR's own consumer, the test runner), which runs on other threads.
     */
    private static boolean isOnMeasuredPath(final RecordedEvent compilation)
    {
        final String method = methodName(compilation.getValue("method"));
        return method.startsWith("io.sidecore.") || method.startsWith("org.agrona.");
    }

    private boolean isOnMeasuringThread(final RecordedEvent deoptimisation)
    {
        final RecordedThread thread = deoptimisation.getThread();
        return null != thread && thread.getJavaThreadId() == measuringThreadId;
    }

    private static boolean overlaps(final long startNs, final long endNs, final long fromNs, final long toNs)
    {
        final long widenedToNs = Long.MAX_VALUE - MARGIN_NS < toNs ? Long.MAX_VALUE : toNs + MARGIN_NS;
        return fromNs - MARGIN_NS <= endNs && startNs <= widenedToNs;
    }

    private static long nanos(final Instant instant)
    {
        return instant.getEpochSecond() * 1_000_000_000L + instant.getNano();
    }

    private static String methodName(final RecordedMethod method)
    {
        return null == method ? "" : method.getType().getName() + "." + method.getName();
    }

    private static String describe(final RecordedEvent event)
    {
        final String what = "jdk.Deoptimization".equals(event.getEventType().getName()) ?
            "deoptimised " + methodName(event.getValue("method")) + " (" + event.getValue("reason") + ")" :
            "compiled " + methodName(event.getValue("method")) + " at level " + event.getValue("compileLevel");
        return what + " at " + event.getStartTime();
    }
}
