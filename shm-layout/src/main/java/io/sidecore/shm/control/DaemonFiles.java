package io.sidecore.shm.control;

import io.sidecore.shm.CountersFileDescriptor;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * Where a running daemon's operator-facing files are, as its properties file says: the contract by which the tools
 * ({@code ctl --config}, {@code stat --config}) find the control socket and the counters file from the same file the
 * daemon was started with, without linking the daemon. The daemon's {@code Configuration} declares these settings
 * (documentation, parsing) under the names and defaults given here.
 */
public final class DaemonFiles
{
    /** Property naming the control socket. */
    public static final String CONTROL_SOCKET_PROP_NAME = "sidecore.control.socket";
    /** Default control socket. */
    public static final String DEFAULT_CONTROL_SOCKET = "/run/sidecore/control.sock";
    /** Property naming the counters file. */
    public static final String COUNTERS_FILE_PROP_NAME = "sidecore.counters.file";
    /** Default counters file. */
    public static final String DEFAULT_COUNTERS_FILE = CountersFileDescriptor.DEFAULT_FILE;

    private DaemonFiles()
    {
    }

    /**
     * Read a daemon properties file.
     *
     * @param file the file.
     * @return its properties.
     * @throws IOException when it cannot be read.
     */
    public static Properties load(final Path file) throws IOException
    {
        final Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8))
        {
            properties.load(reader);
        }
        return properties;
    }

    /**
     * @param properties a daemon's properties.
     * @return the control socket they name, or the default.
     */
    public static Path controlSocket(final Properties properties)
    {
        return Path.of(properties.getProperty(CONTROL_SOCKET_PROP_NAME, DEFAULT_CONTROL_SOCKET).trim());
    }

    /**
     * @param properties a daemon's properties.
     * @return the counters file they name, or the default.
     */
    public static Path countersFile(final Properties properties)
    {
        return Path.of(properties.getProperty(COUNTERS_FILE_PROP_NAME, DEFAULT_COUNTERS_FILE).trim());
    }
}
