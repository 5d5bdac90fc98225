package io.sidecore.bench;

import io.sidecore.engine.status.CountersFile;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * Counter updates of one pass over {@value #FRAMES_PER_PASS} frames, as the data path makes them: four counters per
 * frame (frames, bytes, descriptors, and one the switch or RX side adds) in a shared-memory counters file.
 * <ul>
 *   <li>{@code perFrameOpaque}: every frame stores every counter with an opaque store (what the engine does today:
 *       {@code AtomicCounter.incrementOpaque}/{@code getAndAddOpaque} per frame);</li>
 *   <li>{@code perPassOpaque}: the variant it should beat: the pass accumulates in locals and stores each counter
 *       once (issue 11 §0, "counters accumulated in locals and stored once per pass");</li>
 *   <li>{@code perFrameOrdered}: per-frame ordered (release) stores, the cost an ordered increment would add.</li>
 * </ul>
 * Scores are ns per frame.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {ForkOptions.ADD_OPENS_MISC, ForkOptions.NATIVE_ACCESS})
@State(Scope.Thread)
public class CounterIncrementBenchmark
{
    /** Frames per pass. */
    static final int FRAMES_PER_PASS = 32;

    private static final int COUNTERS = 4;

    private AtomicCounter frames;
    private AtomicCounter bytes;
    private AtomicCounter descriptors;
    private AtomicCounter delivered;
    private final int[] lengths = new int[FRAMES_PER_PASS];

    /**
     * Counters in a direct, cache-line aligned buffer, as in the mapped counters file.
     */
    @Setup
    public void setUp()
    {
        final CountersManager manager = CountersFile.privateCountersManager(COUNTERS);
        frames = manager.newCounter("frames");
        bytes = manager.newCounter("bytes");
        descriptors = manager.newCounter("descriptors");
        delivered = manager.newCounter("delivered");
        for (int i = 0; i < FRAMES_PER_PASS; i++)
        {
            lengths[i] = 60 + (i * 97) % 1455;
        }
    }

    /**
     * @return a counter value, so nothing is eliminated.
     */
    @Benchmark
    @OperationsPerInvocation(FRAMES_PER_PASS)
    public long perFrameOpaque()
    {
        final int[] lengths = this.lengths;
        for (int i = 0; i < FRAMES_PER_PASS; i++)
        {
            frames.incrementOpaque();
            bytes.getAndAddOpaque(lengths[i]);
            descriptors.incrementOpaque();
            delivered.incrementOpaque();
        }
        return frames.getPlain();
    }

    /**
     * @return a counter value, so nothing is eliminated.
     */
    @Benchmark
    @OperationsPerInvocation(FRAMES_PER_PASS)
    public long perPassOpaque()
    {
        final int[] lengths = this.lengths;
        long frameCount = 0;
        long byteCount = 0;
        for (int i = 0; i < FRAMES_PER_PASS; i++)
        {
            frameCount++;
            byteCount += lengths[i];
        }
        frames.getAndAddOpaque(frameCount);
        bytes.getAndAddOpaque(byteCount);
        descriptors.getAndAddOpaque(frameCount);
        delivered.getAndAddOpaque(frameCount);
        return frames.getPlain();
    }

    /**
     * @return a counter value, so nothing is eliminated.
     */
    @Benchmark
    @OperationsPerInvocation(FRAMES_PER_PASS)
    public long perFrameOrdered()
    {
        final int[] lengths = this.lengths;
        for (int i = 0; i < FRAMES_PER_PASS; i++)
        {
            frames.incrementRelease();
            bytes.getAndAddRelease(lengths[i]);
            descriptors.incrementRelease();
            delivered.incrementRelease();
        }
        return frames.getPlain();
    }
}
