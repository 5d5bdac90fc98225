package io.sidecore.launcher.control;

import io.sidecore.launcher.Configuration;
import io.sidecore.launcher.daemon.Daemon;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Test support: a daemon in this JVM, its files under a test's temporary directory, sidecores idling adaptively
 * (so a test does not keep a core busy), closed with the test.
 */
public final class TestDaemon implements AutoCloseable
{
    private final Path directory;
    private final Map<String, String> values;
    private Daemon daemon;

    private TestDaemon(final Path directory, final Map<String, String> values)
    {
        this.directory = directory;
        this.values = values;
    }

    /**
     * @param directory a temporary directory.
     * @param overrides settings besides the test defaults.
     * @return the daemon's configuration values, not started.
     */
    public static TestDaemon in(final Path directory, final Map<String, String> overrides)
    {
        final Map<String, String> values = new HashMap<>();
        values.put("sidecore.control.socket", directory.resolve("run/control.sock").toString());
        values.put("sidecore.port.socket.dir", directory.resolve("run/ports").toString());
        values.put("sidecore.counters.file", directory.resolve("shm/counters.dat").toString());
        values.put("sidecore.idle.strategy", "adaptive");
        values.put("sidecore.idle.max.park", "100us");
        values.putAll(overrides);
        return new TestDaemon(directory, values);
    }

    /**
     * @return the configuration.
     */
    public Configuration config()
    {
        return Configuration.of(values);
    }

    /**
     * @return this, started.
     */
    public TestDaemon start()
    {
        daemon = Daemon.start(config().validate(), Map.of());
        return this;
    }

    /**
     * @return the running daemon.
     */
    public Daemon daemon()
    {
        return daemon;
    }

    /**
     * @return the control socket.
     */
    public Path controlSocket()
    {
        return directory.resolve("run/control.sock");
    }

    /**
     * @return the directory.
     */
    public Path directory()
    {
        return directory;
    }

    /**
     * Stop the daemon.
     */
    public void close()
    {
        if (null != daemon)
        {
            daemon.close();
        }
    }
}
