package io.sidecore.bench.system;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The network namespace the TAP path's devices go into, created and deleted by the benchmark: the daemon opens each
 * TAP in its own namespace, the benchmark moves it here and brings it up, so the frames the guests send end in a
 * namespace of the benchmark's and nowhere else (the kernel drops them: no address there is theirs).
 */
final class TapNamespace implements AutoCloseable
{
    private static final long IP_TIMEOUT_MS = 30_000;

    private static volatile TapNamespace current;

    private final String name;
    private volatile boolean deleted;

    private TapNamespace(final String name)
    {
        this.name = name;
    }

    /**
     * Delete the namespace of this process if it is still there (the run was interrupted).
     */
    static void deleteLeftOver()
    {
        final TapNamespace namespace = current;
        if (null != namespace && !namespace.deleted)
        {
            namespace.close();
        }
    }

    /**
     * @return a new namespace {@code scbench-<pid>}.
     * @throws IOException when {@code ip} fails or is missing.
     * @throws InterruptedException when interrupted.
     */
    static TapNamespace create() throws IOException, InterruptedException
    {
        final String name = "scbench-" + ProcessHandle.current().pid();
        ip(List.of("netns", "add", name));
        current = new TapNamespace(name);
        return current;
    }

    /**
     * Move a TAP device into the namespace and bring it up.
     *
     * @param device its name.
     * @throws IOException when {@code ip} fails.
     * @throws InterruptedException when interrupted.
     */
    void adopt(final String device) throws IOException, InterruptedException
    {
        ip(List.of("link", "set", device, "netns", name));
        ip(List.of("-n", name, "link", "set", device, "up"));
    }

    /**
     * @return its name.
     */
    String name()
    {
        return name;
    }

    private static void ip(final List<String> args) throws IOException, InterruptedException
    {
        final List<String> command = new ArrayList<>(List.of("ip"));
        command.addAll(args);
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        if (!process.waitFor(IP_TIMEOUT_MS, TimeUnit.MILLISECONDS))
        {
            process.destroyForcibly();
            throw new IOException(String.join(" ", command) + " did not end");
        }
        final String output = new String(process.getInputStream().readAllBytes()).trim();
        if (0 != process.exitValue())
        {
            throw new IOException(String.join(" ", command) + " failed (" + process.exitValue() + "): " + output);
        }
    }

    /**
     * Delete the namespace (TAP devices the daemon closed are gone already).
     */
    public void close()
    {
        deleted = true;
        try
        {
            ip(List.of("netns", "delete", name));
        }
        catch (final IOException ex)
        {
            System.err.println("sidecore bench: namespace " + name + " not deleted: " + ex.getMessage());
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
