package io.sidecore.bench.demo;

import java.nio.file.Path;

/**
 * What one demo run does, validated on construction so that a bad option fails before anything starts.
 *
 * @param guests       synthetic guests, {@value #MIN_GUESTS}..{@value #MAX_GUESTS}.
 * @param seconds      length of the measured run, {@value #MIN_SECONDS}..{@value #MAX_SECONDS}.
 * @param warmupSeconds sending before the measured run, not counted (JIT compilation, caches), {@value
 *                      #MIN_WARMUP_SECONDS}..{@value #MAX_WARMUP_SECONDS}.
 * @param frameBytes   bytes of each frame a guest hands its NIC (Ethernet header and payload, no FCS),
 *                     {@value #MIN_FRAME_BYTES}..{@value #MAX_FRAME_BYTES}.
 * @param csb          guests use the Communication Status Block instead of doorbell writes.
 * @param pin          pin the sidecore to a free core (and keep the guests off it).
 * @param countersFile where to publish the counters for {@code sidecore stat}, or null to keep them in private memory.
 * @param captureDirectory where each port captures its traffic, both directions, into {@code <port>.pcapng}, or
 *                     null for no capture.
 * @param captureFileBytes rotate a capture file before it would exceed this many bytes (the newest
 *                     {@value #CAPTURE_FILES} files of each port are kept), {@value #MIN_CAPTURE_FILE_BYTES}..{@value
 *                     #MAX_CAPTURE_FILE_BYTES}.
 */
public record DemoOptions(
    int guests, int seconds, int warmupSeconds, int frameBytes, boolean csb, boolean pin, Path countersFile,
    Path captureDirectory, long captureFileBytes)
{
    /** Fewest guests. */
    public static final int MIN_GUESTS = 1;
    /** Most guests: the guest RAM sizing and the one guest thread are planned for this many. */
    public static final int MAX_GUESTS = 64;
    /** Default number of guests. */
    public static final int DEFAULT_GUESTS = 8;
    /** Shortest run. */
    public static final int MIN_SECONDS = 1;
    /** Longest run: an hour. */
    public static final int MAX_SECONDS = 3600;
    /** Default run length. */
    public static final int DEFAULT_SECONDS = 5;
    /** No warm-up. */
    public static final int MIN_WARMUP_SECONDS = 0;
    /** Longest warm-up. */
    public static final int MAX_WARMUP_SECONDS = 60;
    /** Default warm-up: long enough for the JIT to compile the data path. */
    public static final int DEFAULT_WARMUP_SECONDS = 2;
    /** Smallest frame: the Ethernet minimum without FCS. */
    public static final int MIN_FRAME_BYTES = 60;
    /** Largest frame: a 1500-byte MTU plus the Ethernet header, without FCS. */
    public static final int MAX_FRAME_BYTES = 1514;
    /** Default frame size. */
    public static final int DEFAULT_FRAME_BYTES = 64;
    /** Smallest capture file: room for the file header and a few hundred frames. */
    public static final long MIN_CAPTURE_FILE_BYTES = 64 * 1024L;
    /** Largest capture file. */
    public static final long MAX_CAPTURE_FILE_BYTES = 1L << 40;
    /** Default capture file size before rotation: at line rate the demo's traffic fills it in well under a second. */
    public static final long DEFAULT_CAPTURE_FILE_BYTES = 64L << 20;
    /** Capture files kept per port: the current one and the one before. */
    public static final int CAPTURE_FILES = 2;

    /**
     * Validate.
     *
     * @throws IllegalArgumentException naming the option, its allowed range and the value given.
     */
    public DemoOptions
    {
        checkRange("--guests", guests, MIN_GUESTS, MAX_GUESTS);
        checkRange("--seconds", seconds, MIN_SECONDS, MAX_SECONDS);
        checkRange("--warmup-seconds", warmupSeconds, MIN_WARMUP_SECONDS, MAX_WARMUP_SECONDS);
        checkRange("--frame-bytes", frameBytes, MIN_FRAME_BYTES, MAX_FRAME_BYTES);
        checkRange("--capture-file-bytes", captureFileBytes, MIN_CAPTURE_FILE_BYTES, MAX_CAPTURE_FILE_BYTES);
    }

    /**
     * Options without capture.
     *
     * @param guests        synthetic guests.
     * @param seconds       length of the measured run.
     * @param warmupSeconds sending before the measured run.
     * @param frameBytes    bytes of each frame.
     * @param csb           guests use the CSB.
     * @param pin           pin the sidecore.
     * @param countersFile  where to publish the counters, or null.
     */
    public DemoOptions(
        final int guests, final int seconds, final int warmupSeconds, final int frameBytes, final boolean csb,
        final boolean pin, final Path countersFile)
    {
        this(guests, seconds, warmupSeconds, frameBytes, csb, pin, countersFile, null, DEFAULT_CAPTURE_FILE_BYTES);
    }

    /**
     * The defaults: {@value #DEFAULT_GUESTS} guests, {@value #DEFAULT_SECONDS} s after {@value
     * #DEFAULT_WARMUP_SECONDS} s of warm-up, {@value #DEFAULT_FRAME_BYTES}-byte frames, doorbells (no CSB), pinned,
     * counters in memory, no capture.
     *
     * @return the options.
     */
    public static DemoOptions defaults()
    {
        return new DemoOptions(
            DEFAULT_GUESTS, DEFAULT_SECONDS, DEFAULT_WARMUP_SECONDS, DEFAULT_FRAME_BYTES, false, true, null);
    }

    private static void checkRange(final String option, final long value, final long min, final long max)
    {
        if (value < min || value > max)
        {
            throw new IllegalArgumentException(option + " must be in " + min + ".." + max + ": " + value);
        }
    }
}
