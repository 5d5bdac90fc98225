package io.sidecore.tools.e2e;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One guest VM: QEMU from the prepared root under TCG, with shared memfd RAM, no NIC but the one the mode gives it,
 * the e2e kernel and initramfs, and its serial console on QEMU's standard input and output (driven through
 * {@link GuestConsole}). QEMU's own messages go to {@code NAME-qemu.log} beside the console transcript.
 */
final class QemuGuest implements AutoCloseable
{
    /**
     * The guest kernel's command line: serial console, quiet boot (the harness reads dmesg when it needs it) and no
     * IPv6, so that no router solicitations or neighbour discovery add frames the checks did not make.
     */
    static final String KERNEL_COMMAND_LINE = "console=ttyS0 quiet ipv6.disable=1";

    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);

    private final String name;
    private final Process process;
    private final GuestConsole console;
    private final Path qemuLog;

    private QemuGuest(final String name, final Process process, final GuestConsole console, final Path qemuLog)
    {
        this.name = name;
        this.process = process;
        this.console = console;
        this.qemuLog = qemuLog;
    }

    /**
     * The QEMU command line, as run inside the prepared root. Every choice here is one the SPEC fixes: TCG (KVM
     * fails on these machines), guest RAM in a shared memfd (the vfio-user server maps it), {@code -nic none} so the
     * pc machine adds no NIC of its own and only {@code nicArgs} give the guest one.
     *
     * @param memoryMib  guest RAM.
     * @param nicArgs    the arguments that give the guest its one NIC.
     * @param extraArgs  further QEMU arguments (tracing, debugging).
     * @return the command line.
     */
    static List<String> commandLine(final int memoryMib, final List<String> nicArgs, final List<String> extraArgs)
    {
        final List<String> command = new ArrayList<>(List.of(
            "qemu-system-x86_64",
            "-accel", "tcg",
            "-machine", "pc,memory-backend=mem",
            "-object", "memory-backend-memfd,id=mem,size=" + memoryMib + "M,share=on",
            "-m", memoryMib + "M",
            "-smp", "1",
            "-nodefaults",
            "-no-user-config",
            "-nic", "none",
            "-display", "none",
            "-monitor", "none",
            "-serial", "stdio",
            "-kernel", GuestCache.KERNEL_IN_ROOT,
            "-initrd", GuestCache.INITRAMFS_IN_ROOT,
            "-append", KERNEL_COMMAND_LINE));
        command.addAll(nicArgs);
        command.addAll(extraArgs);
        return command;
    }

    /**
     * Start QEMU (it boots at once).
     *
     * @param name        names the guest in messages and log files.
     * @param hostCommand the host command line that runs {@link #commandLine} (inside the namespace and the root).
     * @param logDir      where the console transcript and QEMU's log go.
     * @return the running guest.
     */
    static QemuGuest start(final String name, final List<String> hostCommand, final Path logDir)
    {
        final Path qemuLog = logDir.resolve(name + "-qemu.log");
        final Path transcriptPath = logDir.resolve(name + "-console.log");
        try
        {
            Files.writeString(qemuLog, String.join(" ", hostCommand) + "\n", StandardCharsets.UTF_8);
            final Process process = new ProcessBuilder(hostCommand)
                .redirectError(ProcessBuilder.Redirect.appendTo(qemuLog.toFile()))
                .start();
            final Writer transcript = Files.newBufferedWriter(transcriptPath, StandardCharsets.UTF_8);
            final GuestConsole console = new GuestConsole(name, process.getInputStream(), process.getOutputStream(),
                transcript);
            return new QemuGuest(name, process, console, qemuLog);
        }
        catch (final IOException ex)
        {
            throw new E2eException("cannot start QEMU for " + name + ": " + ex.getMessage(), ex);
        }
    }

    /**
     * @return the guest's name.
     */
    String name()
    {
        return name;
    }

    /**
     * @return the guest's serial console.
     */
    GuestConsole console()
    {
        return console;
    }

    /**
     * Wait until the guest's console shell is ready.
     *
     * @param fromPosition console position to wait from (0 at boot, the position before {@code reboot -f} after).
     * @param timeout      how long booting may take.
     * @return the ready line.
     * @throws E2eException with QEMU's own messages when it exited, or the console tail.
     */
    String awaitReady(final int fromPosition, final Duration timeout)
    {
        try
        {
            return console.awaitReady(fromPosition, timeout);
        }
        catch (final E2eException ex)
        {
            throw new E2eException(ex.getMessage() + qemuStatus(), ex);
        }
    }

    /**
     * @return how QEMU is doing, with the tail of its own log, for failure messages.
     */
    String qemuStatus()
    {
        final String state = process.isAlive() ? "QEMU is running" : "QEMU exited with " + process.exitValue();
        String log;
        try
        {
            log = Text.abbreviate(Files.readString(qemuLog, StandardCharsets.UTF_8));
        }
        catch (final IOException ex)
        {
            log = "(no log: " + ex.getMessage() + ")";
        }
        return "; " + state + "; " + qemuLog + ": " + log;
    }

    /**
     * Stop QEMU (SIGTERM, then SIGKILL) and close the console.
     */
    public void close()
    {
        try
        {
            process.destroy();
            if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS))
            {
                process.destroyForcibly();
                process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        finally
        {
            console.close();
        }
    }
}
