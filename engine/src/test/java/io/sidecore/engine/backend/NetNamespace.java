package io.sidecore.engine.backend;

import io.sidecore.shm.os.Fds;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Test support: a network namespace the test creates ({@code ip netns add sc-test-<random>}) and deletes on
 * {@link #close()}. Addresses and TAPs live only inside it. {@link #callInside} runs code on a fresh platform thread
 * that has entered the namespace (setns affects only that thread), so sockets and TAPs it opens belong to the
 * namespace while the test thread stays where it is.
 * <p>
 * Fails (never skips) with a clear message when {@code ip} or {@code /dev/net/tun} is missing.
 */
public final class NetNamespace implements AutoCloseable
{
    private static final String[] IP_CANDIDATES = {"/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"};

    final String name;
    private final String ip;
    private boolean deleted;

    private NetNamespace(final String name, final String ip)
    {
        this.name = name;
        this.ip = ip;
    }

    public static NetNamespace create() throws IOException
    {
        final String ip = findIp();
        if (!Files.exists(Path.of("/dev/net/tun")))
        {
            fail("/dev/net/tun is missing: this system test needs the tun module (modprobe tun) and root");
        }
        final String name = "sc-test-" + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 24);
        final NetNamespace namespace = new NetNamespace(name, ip);
        final Result result = run(List.of(ip, "netns", "add", name));
        if (result.exitCode != 0)
        {
            fail("'ip netns add " + name + "' failed (needs root / CAP_SYS_ADMIN): " + result.output);
        }
        namespace.ip("link", "set", "lo", "up");
        return namespace;
    }

    private static String findIp()
    {
        for (final String candidate : IP_CANDIDATES)
        {
            if (Files.isExecutable(Path.of(candidate)))
            {
                return candidate;
            }
        }
        return fail("the 'ip' command (iproute2) is missing: this system test needs it; tools/sidecore test installs " +
            "it (tools/lib/ensure-test-deps.sh), or apt-get install -y iproute2");
    }

    /**
     * {@code ip -n NAME args...}; fails the test when it fails.
     */
    public String ip(final String... args) throws IOException
    {
        final List<String> command = new ArrayList<>(List.of(ip, "-n", name));
        command.addAll(List.of(args));
        final Result result = run(command);
        if (result.exitCode != 0)
        {
            fail(String.join(" ", command) + " failed (" + result.exitCode + "): " + result.output);
        }
        return result.output;
    }

    /**
     * {@code ip -n NAME args...} returning the exit code (for expected failures).
     */
    int ipStatus(final String... args) throws IOException
    {
        final List<String> command = new ArrayList<>(List.of(ip, "-n", name));
        command.addAll(List.of(args));
        return run(command).exitCode;
    }

    /**
     * {@code ip netns exec NAME command...}; fails the test when it fails.
     */
    String exec(final String... command) throws IOException
    {
        final List<String> full = new ArrayList<>(List.of(ip, "netns", "exec", name));
        full.addAll(List.of(command));
        final Result result = run(full);
        if (result.exitCode != 0)
        {
            fail(String.join(" ", full) + " failed (" + result.exitCode + "): " + result.output);
        }
        return result.output;
    }

    long interfaceStatistic(final String interfaceName, final String statistic)
        throws IOException
    {
        return Long.parseLong(exec("cat", "/sys/class/net/" + interfaceName + "/statistics/" + statistic).trim());
    }

    /**
     * Run {@code action} on a new platform thread inside the namespace and return its result.
     */
    public <T> T callInside(final Callable<T> action) throws Exception
    {
        try
        {
            return startInside(action).get(60, TimeUnit.SECONDS);
        }
        catch (final ExecutionException ex)
        {
            if (ex.getCause() instanceof Exception cause)
            {
                throw cause;
            }
            throw new AssertionError(ex.getCause());
        }
    }

    /**
     * Start {@code action} on a new platform thread inside the namespace; the caller keeps running (and polling).
     */
    <T> CompletableFuture<T> startInside(final Callable<T> action)
    {
        final CompletableFuture<T> future = new CompletableFuture<>();
        Thread.ofPlatform().name("netns-" + name).daemon(true).start(() ->
        {
            try
            {
                Fds.enterNetworkNamespace("/run/netns/" + name);
                future.complete(action.call());
            }
            catch (final Throwable t)
            {
                future.completeExceptionally(t);
            }
        });
        return future;
    }

    public void close() throws IOException
    {
        if (!deleted)
        {
            deleted = true;
            final Result result = run(List.of(ip, "netns", "del", name));
            if (result.exitCode != 0)
            {
                fail("could not delete namespace " + name + ": " + result.output);
            }
        }
    }

    private record Result(int exitCode, String output)
    {
    }

    private static Result run(final List<String> command) throws IOException
    {
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try
        {
            if (!process.waitFor(30, TimeUnit.SECONDS))
            {
                process.destroyForcibly();
                fail(String.join(" ", command) + " hung");
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted waiting for " + String.join(" ", command), ex);
        }
        return new Result(process.exitValue(), output);
    }
}
