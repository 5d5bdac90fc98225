package io.sidecore.bench;

/**
 * JVM options of the benchmark forks, as compile-time constants for {@code @Fork(jvmArgsAppend = ...)}.
 */
final class ForkOptions
{
    /** Agrona's direct access to {@code jdk.internal.misc.Unsafe}. */
    static final String ADD_OPENS_MISC = "--add-opens=java.base/jdk.internal.misc=ALL-UNNAMED";
    /** The engine's Foreign Function &amp; Memory calls. */
    static final String NATIVE_ACCESS = "--enable-native-access=ALL-UNNAMED";
    /** Agrona buffers without bounds checks: the device's own validation of guest input is the only guard. */
    static final String NO_BOUNDS_CHECKS = "-Dagrona.disable.bounds.checks=true";

    private ForkOptions()
    {
    }
}
