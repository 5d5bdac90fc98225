package io.sidecore.launcher.daemon;

import org.newsclub.net.unix.AFUNIXDatagramSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

/**
 * systemd's notification protocol ({@code sd_notify(3)}): one datagram per state change ({@code READY=1},
 * {@code STOPPING=1}, {@code WATCHDOG=1}, {@code STATUS=...}) to the Unix socket named by {@code $NOTIFY_SOCKET} (a
 * path, or {@code @name} in the abstract namespace). Without {@code $NOTIFY_SOCKET} (not started by systemd with
 * {@code Type=notify}) every call does nothing. {@code $WATCHDOG_USEC} (with {@code $WATCHDOG_PID} unset or this
 * process's pid) asks for a {@code WATCHDOG=1} at least that often.
 */
public final class SystemdNotifier implements AutoCloseable
{
    /** Environment variable naming the notification socket. */
    public static final String NOTIFY_SOCKET_ENV = "NOTIFY_SOCKET";
    /** Environment variable with the watchdog interval, µs. */
    public static final String WATCHDOG_USEC_ENV = "WATCHDOG_USEC";
    /** Environment variable with the pid the watchdog applies to. */
    public static final String WATCHDOG_PID_ENV = "WATCHDOG_PID";
    /** {@link #watchdogIntervalNs()} when no watchdog is asked for. */
    public static final long NO_WATCHDOG = 0;

    private final AFUNIXSocketAddress address;
    private final AFUNIXDatagramSocket socket;
    private final long watchdogIntervalNs;

    private SystemdNotifier(final AFUNIXSocketAddress address, final AFUNIXDatagramSocket socket,
        final long watchdogIntervalNs)
    {
        this.address = address;
        this.socket = socket;
        this.watchdogIntervalNs = watchdogIntervalNs;
    }

    /**
     * @param environment the process environment.
     * @return a notifier for it (one that does nothing when no socket is named).
     * @throws DaemonStartException when the socket is named but cannot be used, or the watchdog interval is bad.
     */
    public static SystemdNotifier fromEnvironment(final Map<String, String> environment)
    {
        final String socketName = environment.get(NOTIFY_SOCKET_ENV);
        final long watchdogNs = watchdogIntervalNs(environment);
        if (null == socketName || socketName.isEmpty())
        {
            return new SystemdNotifier(null, null, NO_WATCHDOG);
        }
        try
        {
            final AFUNIXSocketAddress address = socketName.startsWith("@") ?
                AFUNIXSocketAddress.inAbstractNamespace(socketName.substring(1)) :
                AFUNIXSocketAddress.of(Path.of(socketName));
            return new SystemdNotifier(address, AFUNIXDatagramSocket.newInstance(), watchdogNs);
        }
        catch (final IOException ex)
        {
            throw new DaemonStartException("cannot use " + NOTIFY_SOCKET_ENV + "=" + socketName + ": " + ex, ex);
        }
    }

    private static long watchdogIntervalNs(final Map<String, String> environment)
    {
        final String usec = environment.get(WATCHDOG_USEC_ENV);
        if (null == usec || usec.isEmpty())
        {
            return NO_WATCHDOG;
        }
        final String pid = environment.get(WATCHDOG_PID_ENV);
        if (null != pid && !pid.isEmpty() && !pid.equals(Long.toString(ProcessHandle.current().pid())))
        {
            return NO_WATCHDOG;
        }
        try
        {
            final long value = Long.parseLong(usec.trim());
            if (value <= 0 || value > Long.MAX_VALUE / 1000)
            {
                throw new NumberFormatException("out of range");
            }
            return value * 1000;
        }
        catch (final NumberFormatException ex)
        {
            throw new DaemonStartException("bad " + WATCHDOG_USEC_ENV + "=" + usec + ": " + ex.getMessage(), ex);
        }
    }

    /**
     * @return true when systemd listens.
     */
    public boolean isEnabled()
    {
        return null != socket;
    }

    /**
     * @return how often systemd wants {@code WATCHDOG=1}, ns, or {@link #NO_WATCHDOG}.
     */
    public long watchdogIntervalNs()
    {
        return watchdogIntervalNs;
    }

    /**
     * Send one notification.
     *
     * @param state e.g. {@code READY=1}, several separated by newlines.
     * @return true when sent (or nobody listens), false when the send failed.
     */
    public synchronized boolean notify(final String state)
    {
        if (null == socket)
        {
            return true;
        }
        final byte[] bytes = state.getBytes(StandardCharsets.UTF_8);
        try
        {
            socket.getChannel().send(ByteBuffer.wrap(bytes), address);
            return true;
        }
        catch (final IOException ex)
        {
            return false;
        }
    }

    /**
     * Close the socket.
     */
    public synchronized void close()
    {
        if (null != socket)
        {
            socket.close();
        }
    }
}
