package io.sidecore.launcher.daemon;

import io.sidecore.launcher.Configuration;
import io.sidecore.launcher.ConfigurationException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * {@code tools/sidecore daemon [--config FILE]}: parse, build, start, then serve until SIGTERM or SIGINT.
 * <p>
 * A signal runs the JVM's shutdown hooks; the daemon's hook takes the daemon down ({@link Daemon#close()}) and ends
 * the process with status 0 ({@link Runtime#halt(int)}: a JVM ended by a signal would otherwise report 128 + the
 * signal). A configuration that does not parse ends it with status 2 and one line naming the key and the value; a
 * daemon that cannot start (another daemon on the control socket, a directory owned by someone else) with status 1
 * and one line.
 */
@Command(
    name = "sidecore daemon",
    mixinStandardHelpOptions = true,
    versionProvider = DaemonMain.VersionProvider.class,
    sortOptions = false,
    usageHelpAutoWidth = true,
    description = "Run the sidecore daemon: the sidecores, the ports and the control socket, until SIGTERM or SIGINT.",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
        "0:stopped by SIGTERM or SIGINT after taking every port down",
        "1:could not start (the reason is the one line on standard error)",
        "2:usage error, or a configuration value that is not valid (the key and value are named)" })
public final class DaemonMain implements Callable<Integer>
{
    /** Exit status of a daemon stopped by a signal. */
    public static final int EXIT_STOPPED = 0;
    /** Exit status of a daemon that could not start. */
    public static final int EXIT_START_FAILED = 1;
    /** Exit status of a bad command line or configuration. */
    public static final int EXIT_CONFIGURATION = 2;

    @Option(names = "--config", paramLabel = "FILE",
        description = "properties file with sidecore.* settings (default: the embedded defaults)")
    private Path configFile;

    @Option(names = "--print-settings", description = "print every setting as the README's Markdown table and exit")
    private boolean printSettings;

    private final PrintStream out;
    private final PrintStream err;
    private final Map<String, String> environment;
    private final CountDownLatch stopped = new CountDownLatch(1);

    /**
     * Reports the daemon's version.
     */
    static final class VersionProvider implements CommandLine.IVersionProvider
    {
        /**
         * {@inheritDoc}
         */
        public String[] getVersion()
        {
            return new String[]{ "sidecore daemon " + Daemon.VERSION };
        }
    }

    DaemonMain(final PrintStream out, final PrintStream err, final Map<String, String> environment)
    {
        this.out = out;
        this.err = err;
        this.environment = environment;
    }

    /**
     * @param args command line.
     */
    public static void main(final String[] args)
    {
        final int status = new CommandLine(new DaemonMain(System.out, System.err, System.getenv())).execute(args);
        System.exit(status);
    }

    /**
     * {@inheritDoc}
     */
    public Integer call()
    {
        if (printSettings)
        {
            out.print(Configuration.markdownTable());
            return EXIT_STOPPED;
        }
        final Configuration config;
        final Daemon daemon;
        try
        {
            config = null == configFile ? Configuration.defaults() : Configuration.load(configFile);
            config.validate();
            Daemon.declaredPorts(config);
            daemon = Daemon.start(config, environment);
        }
        catch (final ConfigurationException ex)
        {
            err.println("sidecore daemon: invalid configuration: " + ex.getMessage());
            return EXIT_CONFIGURATION;
        }
        catch (final DaemonStartException ex)
        {
            err.println("sidecore daemon: cannot start: " + ex.getMessage());
            return EXIT_START_FAILED;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() ->
        {
            daemon.close();
            stopped.countDown();
            Runtime.getRuntime().halt(EXIT_STOPPED);
        }, "sidecore-shutdown"));
        try
        {
            stopped.await();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        return EXIT_STOPPED;
    }
}
