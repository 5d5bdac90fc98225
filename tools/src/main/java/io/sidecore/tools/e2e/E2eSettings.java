package io.sidecore.tools.e2e;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * The settings of one end-to-end run. Each default is declared here once; {@code tools/sidecore e2e}'s options and
 * the system test take them from here.
 *
 * @param mode                 which NIC the guests get.
 * @param checks               which checks run ({@link E2eCheck#ALWAYS} included).
 * @param trafficSeconds       length of each iperf3 and netperf measurement.
 * @param bootTimeout          how long a guest may take to reach its console shell.
 * @param commandTimeout       how long an ordinary console command may take.
 * @param guestMemoryMib       RAM per guest (a shared memfd).
 * @param logDir               where console transcripts, QEMU's and the peers' logs go.
 * @param extraQemuArgs        further QEMU arguments (e.g. {@code -trace vfio_user_*}).
 * @param sidecoreHome         the project checkout whose {@code tools/sidecore} the sidecore mode runs.
 * @param vfioUserMsgTimeoutMs QEMU's vfio-user reply timeout ({@code x-msg-timeout}); 0 leaves QEMU's default.
 */
record E2eSettings(
    NicMode mode,
    Set<E2eCheck> checks,
    int trafficSeconds,
    Duration bootTimeout,
    Duration commandTimeout,
    int guestMemoryMib,
    Path logDir,
    List<String> extraQemuArgs,
    Path sidecoreHome,
    int vfioUserMsgTimeoutMs)
{
    /** Environment variable naming the cache directory (the same one tools/e2e/prepare.sh reads). */
    static final String CACHE_DIR_ENV = "SIDECORE_E2E_CACHE";
    /** Default cache directory. */
    static final String CACHE_DIR_DEFAULT = "/var/cache/sidecore/e2e";
    /** Default length of each traffic measurement: long enough to pass TCP slow start under TCG. */
    static final int TRAFFIC_SECONDS_DEFAULT = 5;
    /**
     * Default boot limit. A guest boots to its shell in about 10 s on an idle machine under TCG; this leaves room for
     * a 2-core machine busy with other builds.
     */
    static final int BOOT_TIMEOUT_SECONDS_DEFAULT = 300;
    /** Default limit of an ordinary console command (generous for the same reason). */
    static final int COMMAND_TIMEOUT_SECONDS_DEFAULT = 120;
    /** Default guest RAM: the SPEC's shared memfd of 512 MiB. */
    static final int GUEST_MEMORY_MIB_DEFAULT = 512;

    /**
     * @return the cache directory: {@value #CACHE_DIR_ENV} when set, else {@value #CACHE_DIR_DEFAULT}.
     */
    static Path defaultCacheDir()
    {
        final String fromEnvironment = System.getenv(CACHE_DIR_ENV);
        return Path.of(null != fromEnvironment && !fromEnvironment.isBlank() ? fromEnvironment : CACHE_DIR_DEFAULT);
    }

    /**
     * @return how long a traffic command (iperf3, netperf) may take on the console: its own length plus the
     * ordinary command limit.
     */
    Duration trafficTimeout()
    {
        return commandTimeout.plusSeconds(trafficSeconds);
    }
}
