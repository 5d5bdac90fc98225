package io.sidecore.tools.guest;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sidecore.shm.E1000Registers;
import io.sidecore.shm.control.ControlProtocol;
import io.sidecore.shm.control.DaemonFiles;
import io.sidecore.shm.os.EventFd;
import io.sidecore.shm.os.Fds;
import io.sidecore.shm.os.MemFd;
import io.sidecore.shm.os.OsException;
import io.sidecore.shm.vfiouser.VfioUserClient;
import io.sidecore.shm.vfiouser.VfioUserClientException;
import io.sidecore.tools.control.ControlClient;
import io.sidecore.tools.vfiouser.VfioUserDeviceAccess;
import org.agrona.concurrent.UnsafeBuffer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code tools/sidecore guest}: the synthetic guest (the Linux e1000 driver model) as its own process, attached to a
 * port natively, as a VMM would: its RAM is a memfd sealed against shrinking, its interrupt an eventfd, both handed
 * to the daemon with the attach request; the port's doorbell pages are mapped from the region memfd the daemon hands
 * back; every other register access is a message on the connection. It probes, opens and links the device, then for
 * {@code --seconds} receives (interrupt, NAPI poll) and, with {@code --send-to}, sends frames as fast as the ring
 * takes them, and prints one line:
 * <pre>
 * GUEST port=g0 mac=02:00:00:00:00:01 pid=1234 seconds=5 tx_frames=T rx_frames=R interrupts=I trapped_accesses=A
 * </pre>
 * and, as they happen, one line per carrier change its link watchdog sees (Linux's messages, with STATUS.LU as the
 * device showed it): {@code GUEST LINK port=g0 NIC Link is Down status_lu=0}.
 * Without {@code --port} it creates a port of its own (named {@code guest-<pid>}, {@code --mac} or a MAC derived from
 * the name) and destroys it when done. A guest that dies does not need to clean up: the daemon lets the port go.
 * <p>
 * With {@code --vfio-user SOCKET} it attaches to an existing port's device socket instead, exactly as QEMU's
 * {@code vfio-user-pci} does ({@link VfioUserDeviceAccess}): its RAM a sealed memfd handed over by DMA_MAP, the
 * doorbell pages mapped from the sparse-mmap areas of BAR0's region info, every other register a REGION_READ/WRITE
 * message, INTx through a trigger eventfd, each interrupt ended with an UNMASK message (QEMU's path without KVM).
 * The GUEST line then names the port by its socket.
 */
@Command(
    name = "sidecore guest",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    usageHelpAutoWidth = true,
    description = "Run the synthetic guest driver as its own process, attached to a daemon's port natively or, with " +
        "--vfio-user, over the port's device socket as QEMU's vfio-user-pci.",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
        "0:ran for --seconds",
        "1:the daemon refused the guest, or the device misbehaved (the reason is on standard error)",
        "2:usage error" })
public final class GuestMain implements Callable<Integer>
{
    /** Guest-physical address of the guest's RAM: above 0, so a zeroed descriptor address faults. */
    static final long GUEST_RAM_GPA = 0x4000_0000L;
    /** EtherType of the guest's frames: IEEE 802 local experimental. */
    static final int ETHER_TYPE = 0x88B5;

    private static final int BATCH_FRAMES = 64;
    private static final long LINK_TIMEOUT_NS = 2_000_000_000L;
    private static final long LINK_POLL_NS = 1_000_000L;
    private static final int IDLE_WAIT_MS = 1;

    @Spec
    private CommandSpec spec;

    @Option(names = "--socket", paramLabel = "PATH",
        description = "the daemon's control socket (default: --config's, else " + DaemonFiles.DEFAULT_CONTROL_SOCKET +
            ")")
    private Path socket;

    @Option(names = "--config", paramLabel = "FILE", description = "the daemon's properties file")
    private Path config;

    @Option(names = "--port", paramLabel = "NAME", description = "attach to this existing port (default: create one)")
    private String port;

    @Option(names = "--mac", paramLabel = "MAC", description = "MAC of the port created without --port")
    private String mac;

    @Option(names = "--send-to", paramLabel = "MAC", description = "send frames to this MAC (default: only receive)")
    private String sendTo;

    @Option(names = "--frame-bytes", paramLabel = "B", defaultValue = "60",
        description = "length of each frame sent, 60 to 1514 (default: ${DEFAULT-VALUE})")
    private int frameBytes;

    @Option(names = "--seconds", paramLabel = "S", defaultValue = "5",
        description = "how long to run (default: ${DEFAULT-VALUE})")
    private double seconds;

    @Option(names = "--ram-bytes", paramLabel = "BYTES", defaultValue = "8388608",
        description = "guest RAM, a multiple of 4096 (default: ${DEFAULT-VALUE})")
    private long ramBytes;

    @Option(names = "--huge-pages",
        description = "guest RAM in 2 MiB huge pages (memfd MFD_HUGETLB, as memory-backend-memfd,hugetlb=on): the " +
            "host must have them reserved (sysctl vm.nr_hugepages); --ram-bytes then a multiple of 2 MiB")
    private boolean hugePages;

    @Option(names = "--vfio-user", paramLabel = "SOCKET",
        description = "attach over vfio-user to this port device socket (as QEMU's vfio-user-pci) instead of natively")
    private Path vfioUserSocket;

    @Option(names = "--unsealed-memory", hidden = true,
        description = "hand over RAM without F_SEAL_SHRINK (the daemon must refuse it; for tests)")
    private boolean unsealedMemory;

    private volatile long rxFrames;

    /**
     * @param args command line.
     */
    public static void main(final String[] args)
    {
        System.exit(new CommandLine(new GuestMain()).execute(args));
    }

    /**
     * {@inheritDoc}
     */
    public Integer call() throws IOException
    {
        if (frameBytes < 60 || frameBytes > 1514)
        {
            throw usage("--frame-bytes must be in [60, 1514]: " + frameBytes);
        }
        if (ramBytes < (2 << 20) || 0 != ramBytes % 4096 || ramBytes > (1L << 30))
        {
            throw usage("--ram-bytes must be a multiple of 4096 in [2 MiB, 1 GiB]: " + ramBytes);
        }
        if (hugePages && 0 != ramBytes % MemFd.HUGE_PAGE_BYTES)
        {
            throw usage("--ram-bytes must be a multiple of 2 MiB with --huge-pages: " + ramBytes);
        }
        if (!(seconds > 0))
        {
            throw usage("--seconds must be positive: " + seconds);
        }
        final byte[] destination = null == sendTo ? null : parseMac(sendTo, "--send-to");
        final PrintWriter err = spec.commandLine().getErr();
        if (null != vfioUserSocket)
        {
            if (null != port || null != mac || null != socket || null != config)
            {
                throw usage("--vfio-user attaches to an existing port's device socket: --port, --mac, --socket and " +
                    "--config do not apply");
            }
            try
            {
                return attachOverVfioUser(destination);
            }
            catch (final GuestDriverException | VfioUserClientException | IOException | java.io.UncheckedIOException |
                OsException ex)
            {
                err.println("sidecore guest: " + ex.getMessage());
                err.flush();
                return 1;
            }
        }
        final Path controlSocket = controlSocket();
        final String portName = null != port ? port : "guest-" + ProcessHandle.current().pid();
        if (null == port && !create(controlSocket, portName))
        {
            return 1;
        }
        try
        {
            return attachAndRun(controlSocket, portName, destination);
        }
        catch (final GuestDriverException | IOException | OsException ex)
        {
            err.println("sidecore guest: " + ex.getMessage());
            err.flush();
            return 1;
        }
        finally
        {
            if (null == port)
            {
                destroy(controlSocket, portName);
            }
        }
    }

    private int attachAndRun(final Path controlSocket, final String portName, final byte[] destination)
        throws IOException
    {
        try (NativeAttachment attachment =
            NativeAttachment.attach(controlSocket, portName, ramBytes, GUEST_RAM_GPA, !unsealedMemory, hugePages))
        {
            return run(portName, attachment.access(), attachment.ram(), attachment.interrupt(), destination);
        }
    }

    private int attachOverVfioUser(final byte[] destination) throws IOException
    {
        final String portName = vfioUserSocket.getFileName().toString().replaceFirst("\\.sock$", "");
        try (MemFd ram = unsealedMemory ? MemFd.create("sidecore-guest-ram", ramBytes, hugePages) :
                MemFd.createSealed("sidecore-guest-ram", ramBytes, hugePages);
            VfioUserDeviceAccess access = VfioUserDeviceAccess.attach(VfioUserClient.connect(vfioUserSocket), ram,
                GUEST_RAM_GPA, false))
        {
            final GuestInterrupts interrupts = new GuestInterrupts()
            {
                public boolean take()
                {
                    return access.awaitInterrupt(0);
                }

                public void endOfInterrupt()
                {
                    access.endOfInterrupt();
                }

                public void await(final int timeoutMs)
                {
                    access.awaitTrigger(timeoutMs);
                }
            };
            return run(portName, access, access.guestRam(ram, GUEST_RAM_GPA), interrupts, destination,
                access::trappedAccesses);
        }
    }

    /**
     * The guest's interrupt input: an eventfd the device signals, and what the guest does when its handler ran.
     */
    private interface GuestInterrupts
    {
        /**
         * @return true when an interrupt came (taken).
         */
        boolean take();

        /**
         * The handler ran (a VMM's EOI).
         */
        void endOfInterrupt();

        /**
         * Wait for an interrupt (not taken).
         *
         * @param timeoutMs bound.
         */
        void await(int timeoutMs);
    }

    private int run(final String portName, final NativeDeviceAccess access, final GuestRam ram, final EventFd irq,
        final byte[] destination)
    {
        final GuestInterrupts interrupts = new GuestInterrupts()
        {
            public boolean take()
            {
                return irq.drain() > 0;
            }

            public void endOfInterrupt()
            {
                // KVM's irqfd path: the guest's ICR read lowers the line, nothing to tell the daemon
            }

            public void await(final int timeoutMs)
            {
                Fds.awaitReadable(irq.fd(), timeoutMs);
            }
        };
        return run(portName, access, ram, interrupts, destination, access::trappedAccesses);
    }

    private int run(final String portName, final DeviceAccess access, final GuestRam ram,
        final GuestInterrupts interrupts, final byte[] destination, final java.util.function.LongSupplier trapped)
    {
        final GuestDriverModel model = new GuestDriverModel(access, ram, new GuestDriverConfig(),
            (buffer, offset, lengthBytes, status, special) -> rxFrames++);
        final PrintWriter out = spec.commandLine().getOut();
        model.linkListener((up, status, message) ->
        {
            out.printf(Locale.ROOT, "GUEST LINK port=%s %s status_lu=%d%n", portName, message,
                (status & E1000Registers.STATUS_LU) >>> 1);
            out.flush();
        });
        model.probe();
        model.open();
        if (!model.waitForLink(LINK_TIMEOUT_NS, LINK_POLL_NS))
        {
            throw new GuestDriverException("the link of port " + portName + " did not come up");
        }
        final UnsafeBuffer frame = null == destination ? null : frame(destination, model.macAddress());
        final long startNs = System.nanoTime();
        final long endNs = startNs + (long)(seconds * 1e9);
        while (System.nanoTime() - endNs < 0)
        {
            boolean worked = false;
            if (interrupts.take())
            {
                model.onInterrupt();
                interrupts.endOfInterrupt();
                worked = true;
            }
            else if (model.isNapiScheduled())
            {
                model.napiPoll();
                worked = true;
            }
            if (null != frame)
            {
                int queued = 0;
                while (queued < BATCH_FRAMES && model.queue(frame, 0, frameBytes))
                {
                    queued++;
                }
                model.flushTx();
                worked |= queued > 0;
            }
            if (!worked)
            {
                interrupts.await(IDLE_WAIT_MS);
            }
        }
        out.printf(Locale.ROOT, "GUEST port=%s mac=%s pid=%d seconds=%.1f tx_frames=%d rx_frames=%d interrupts=%d " +
                "trapped_accesses=%d%n",
            portName, model.macString(), ProcessHandle.current().pid(),
            (System.nanoTime() - startNs) / 1e9, model.txFrames(), rxFrames, model.interrupts(),
            trapped.getAsLong());
        out.flush();
        return 0;
    }

    private UnsafeBuffer frame(final byte[] destination, final byte[] source)
    {
        final UnsafeBuffer frame = new UnsafeBuffer(new byte[frameBytes]);
        frame.putBytes(0, destination);
        frame.putBytes(6, source);
        frame.putShort(12, (short)ETHER_TYPE, ByteOrder.BIG_ENDIAN);
        frame.putLong(14, ProcessHandle.current().pid(), ByteOrder.BIG_ENDIAN);
        return frame;
    }

    private boolean create(final Path controlSocket, final String portName) throws IOException
    {
        try (ControlClient client = ControlClient.connect(controlSocket))
        {
            final ObjectNode request = client.newRequest(ControlProtocol.CMD_CREATE_PORT);
            request.put(ControlProtocol.NAME, portName);
            if (null != mac)
            {
                request.put(ControlProtocol.MAC, mac);
            }
            final ControlClient.ControlResponse response = client.call(request);
            if (!response.ok())
            {
                spec.commandLine().getErr().println("sidecore guest: create-port " + portName + " refused (" +
                    response.errorCode() + "): " + response.errorMessage());
                spec.commandLine().getErr().flush();
            }
            return response.ok();
        }
    }

    private void destroy(final Path controlSocket, final String portName)
    {
        try (ControlClient client = ControlClient.connect(controlSocket))
        {
            final ObjectNode request = client.newRequest(ControlProtocol.CMD_DESTROY_PORT);
            request.put(ControlProtocol.NAME, portName);
            client.call(request);
        }
        catch (final IOException ex)
        {
            spec.commandLine().getErr().println("sidecore guest: port " + portName + " not destroyed: " +
                ex.getMessage());
        }
    }

    private Path controlSocket()
    {
        try
        {
            return ControlClient.controlSocket(socket, config);
        }
        catch (final IOException ex)
        {
            throw usage(ex.getMessage());
        }
    }

    private byte[] parseMac(final String text, final String option)
    {
        final String[] parts = text.split(":");
        if (6 != parts.length)
        {
            throw usage(option + " must be a MAC such as 02:00:00:00:00:01: " + text);
        }
        final byte[] bytes = new byte[6];
        for (int i = 0; i < 6; i++)
        {
            if (2 != parts[i].length() || Character.digit(parts[i].charAt(0), 16) < 0 ||
                Character.digit(parts[i].charAt(1), 16) < 0)
            {
                throw usage(option + " must be a MAC such as 02:00:00:00:00:01: " + text);
            }
            bytes[i] = (byte)Integer.parseInt(parts[i], 16);
        }
        return bytes;
    }

    private CommandLine.ParameterException usage(final String message)
    {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }
}
