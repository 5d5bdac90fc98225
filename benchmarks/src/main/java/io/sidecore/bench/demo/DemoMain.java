package io.sidecore.bench.demo;

/**
 * Entry point of {@code tools/sidecore demo}: parse, build, run, exit with the run's status ({@link DemoCommand}).
 */
public final class DemoMain
{
    private static final String AFFINITY_LOG_LEVEL_PROP_NAME = "org.slf4j.simpleLogger.log.net.openhft";

    private DemoMain()
    {
    }

    /**
     * @param args {@code [--guests N] [--seconds S] [--frame-bytes B] [--csb] [--no-pin] [--counters-file PATH]}.
     */
    public static void main(final String[] args)
    {
        // OpenHFT Affinity logs every lock at INFO; the demo reports pinning itself.
        if (null == System.getProperty(AFFINITY_LOG_LEVEL_PROP_NAME))
        {
            System.setProperty(AFFINITY_LOG_LEVEL_PROP_NAME, "error");
        }
        System.exit(DemoCommand.execute(args, System.out, System.err));
    }
}
