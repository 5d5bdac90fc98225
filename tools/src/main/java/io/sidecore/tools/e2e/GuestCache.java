package io.sidecore.tools.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The prepared end-to-end environment that {@code tools/e2e/prepare.sh} builds and stamps: a Debian trixie root
 * holding QEMU (run from it through {@code tools/e2e/in-root.sh}) and the guest's kernel and initramfs. This class
 * never builds anything itself; it asks the script to validate (or build) and then reads the stamp.
 */
final class GuestCache
{
    /** Where the guest kernel lies, as a path inside the root (QEMU runs chrooted). */
    static final String KERNEL_IN_ROOT = "/opt/sidecore-e2e/vmlinuz";
    /** Where the guest initramfs lies, as a path inside the root. */
    static final String INITRAMFS_IN_ROOT = "/opt/sidecore-e2e/initramfs.cpio";

    private static final Duration CHECK_TIMEOUT = Duration.ofMinutes(2);
    private static final Duration PREPARE_TIMEOUT = Duration.ofMinutes(30);

    private final Path scriptsDir;
    private final Path cacheDir;
    private final Map<String, String> stamp;

    private GuestCache(final Path scriptsDir, final Path cacheDir, final Map<String, String> stamp)
    {
        this.scriptsDir = scriptsDir;
        this.cacheDir = cacheDir;
        this.stamp = stamp;
    }

    /**
     * Validate the cache without building it.
     *
     * @param scriptsDir the project's {@code tools/e2e} directory.
     * @param cacheDir   the cache directory.
     * @return the cache.
     * @throws E2eException naming the reason and the command that prepares it, when it is not valid.
     */
    static GuestCache check(final Path scriptsDir, final Path cacheDir)
    {
        final HostCommand.Result result = HostCommand.run(CHECK_TIMEOUT,
            prepareCommand(scriptsDir, cacheDir, "--check"));
        if (!result.succeeded())
        {
            throw new E2eException("the e2e guest environment is not prepared: " + result.output().strip() +
                "; prepare it with 'SIDECORE_E2E_CACHE=" + cacheDir + " " + scriptsDir.resolve("prepare.sh") +
                "' (tools/sidecore test and tools/sidecore e2e do it)");
        }
        return load(scriptsDir, cacheDir);
    }

    /**
     * Validate the cache, building it first when it is missing or stale; the script's progress goes to standard
     * error.
     *
     * @param scriptsDir the project's {@code tools/e2e} directory.
     * @param cacheDir   the cache directory.
     * @return the cache.
     * @throws E2eException with the script's reason when it cannot be prepared on this machine.
     */
    static GuestCache prepare(final Path scriptsDir, final Path cacheDir)
    {
        final ProcessBuilder builder = new ProcessBuilder(prepareCommand(scriptsDir, cacheDir, null))
            .redirectOutput(ProcessBuilder.Redirect.INHERIT)
            .redirectError(ProcessBuilder.Redirect.INHERIT);
        try
        {
            final Process process = builder.start();
            if (!process.waitFor(PREPARE_TIMEOUT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS))
            {
                process.destroyForcibly();
                throw new E2eException("preparing the e2e guest environment took longer than " + PREPARE_TIMEOUT);
            }
            if (0 != process.exitValue())
            {
                throw new E2eException("preparing the e2e guest environment failed (see the e2e-prepare lines " +
                    "above), exit code " + process.exitValue());
            }
        }
        catch (final IOException ex)
        {
            throw new E2eException("cannot run " + scriptsDir.resolve("prepare.sh") + ": " + ex.getMessage(), ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new E2eException("interrupted while preparing the e2e guest environment", ex);
        }
        return load(scriptsDir, cacheDir);
    }

    /**
     * @param stampText the stamp file's text.
     * @return its single-valued entries: {@code kernel}, {@code qemu}, {@code recipe}, {@code built}.
     */
    static Map<String, String> parseStamp(final String stampText)
    {
        final Map<String, String> entries = new LinkedHashMap<>();
        for (final String line : stampText.split("\n"))
        {
            final int space = line.indexOf(' ');
            if (space > 0)
            {
                final String key = line.substring(0, space);
                if (!"package".equals(key) && !"file".equals(key))
                {
                    entries.put(key, line.substring(space + 1).strip());
                }
            }
        }
        return entries;
    }

    /**
     * @return the root QEMU and the peer-side tools run from.
     */
    Path root()
    {
        return cacheDir.resolve("root");
    }

    /**
     * @return the QEMU version the stamp records, e.g. {@code 11.1.3}.
     */
    String qemuVersion()
    {
        return stamp.getOrDefault("qemu", "unknown");
    }

    /**
     * @return the guest kernel version the stamp records.
     */
    String kernelVersion()
    {
        return stamp.getOrDefault("kernel", "unknown");
    }

    /**
     * @param binds   host directories to mount at the same path inside the root (sockets QEMU connects to).
     * @param command a command line of the root (e.g. {@code qemu-system-x86_64 ...}).
     * @return the host command line that runs it chrooted, in a private mount namespace, with the same pid.
     */
    List<String> inRoot(final List<Path> binds, final List<String> command)
    {
        return inRootCommand(scriptsDir, root(), binds, command);
    }

    /**
     * @param scriptsDir the project's {@code tools/e2e} directory.
     * @param root       the prepared root.
     * @param binds      host directories to mount at the same path inside the root.
     * @param command    a command line of the root.
     * @return {@code in-root.sh ROOT [--bind DIR]... -- COMMAND...}.
     */
    static List<String> inRootCommand(
        final Path scriptsDir, final Path root, final List<Path> binds, final List<String> command)
    {
        final List<String> line = new ArrayList<>();
        line.add(scriptsDir.resolve("in-root.sh").toString());
        line.add(root.toString());
        for (final Path bind : binds)
        {
            line.add("--bind");
            line.add(bind.toString());
        }
        line.add("--");
        line.addAll(command);
        return line;
    }

    private static GuestCache load(final Path scriptsDir, final Path cacheDir)
    {
        try
        {
            final String text = Files.readString(cacheDir.resolve("stamp"), StandardCharsets.UTF_8);
            return new GuestCache(scriptsDir, cacheDir, parseStamp(text));
        }
        catch (final IOException ex)
        {
            throw new E2eException("cannot read the e2e cache stamp in " + cacheDir + ": " + ex.getMessage(), ex);
        }
    }

    private static List<String> prepareCommand(final Path scriptsDir, final Path cacheDir, final String option)
    {
        final List<String> command = new ArrayList<>(List.of("env", "SIDECORE_E2E_CACHE=" + cacheDir,
            scriptsDir.resolve("prepare.sh").toString()));
        if (null != option)
        {
            command.add(option);
        }
        return command;
    }
}
