package io.sidecore.tools.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One end-to-end run: a network namespace with the peer (iperf3 and netperf servers from the prepared root), the
 * mode's network, a guest booted under TCG, and the checks of {@link E2eCheck} in order, each printing
 * {@code E2E PASS} or {@code E2E FAIL}; then the throughput table. A check that fails does not stop the run unless
 * the guest's NIC itself is unusable, in which case every remaining check is reported as failed with that reason.
 * Everything the run made (guests, peer processes, namespace) is removed on {@link #close()}.
 */
final class E2eRun implements AutoCloseable
{
    /** The name under which a failure before the first check is reported. */
    static final String SETUP = "setup";

    private static final Duration PEER_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration SETTLE = Duration.ofSeconds(2);
    private static final int PINGS = 5;
    /** Snapshots tried before a traffic window is declared not quiet. */
    private static final int QUIET_ATTEMPTS = 5;
    /** UDP payload bytes that make 64-byte frames on the wire: 64 - 4 FCS - 14 Ethernet - 20 IPv4 - 8 UDP. */
    private static final int SMALL_UDP_PAYLOAD_BYTES = 18;
    /** ICMP payload of the jumbo ping: 8000 bytes plus 28 of headers needs an MTU above 1500. */
    private static final int JUMBO_PING_BYTES = 8000;
    private static final int STANDARD_MTU = 1500;
    /**
     * iproute2 and iputils by absolute path (ping has the same path in the guest and in the root, for the peer):
     * Debian's busybox-static runs its own applets (ip, ping) in preference to PATH (FEATURE_SH_STANDALONE), and
     * those lack {@code ping -M do} and {@code ip neigh replace}.
     */
    private static final String GUEST_IP = "/usr/sbin/ip";
    private static final String PING = "/usr/bin/ping";

    private final E2eSettings settings;
    private final GuestCache cache;
    private final CheckReport report;
    private final List<AutoCloseable> resources = new ArrayList<>();
    private final List<Process> peerProcesses = new ArrayList<>();
    private NetNamespace namespace;
    private GuestNetwork network;

    /**
     * A booted guest with its NIC identified.
     */
    private static final class Guest
    {
        final QemuGuest qemu;
        final GuestNic nic;
        String iface;

        Guest(final QemuGuest qemu, final GuestNic nic)
        {
            this.qemu = qemu;
            this.nic = nic;
        }
    }

    /**
     * A check's body: returns its PASS detail, throws {@link E2eException} to fail.
     */
    @FunctionalInterface
    private interface CheckBody
    {
        String run();
    }

    /**
     * @param settings the run's settings.
     * @param cache    the prepared guest environment.
     * @param report   where results go.
     */
    E2eRun(final E2eSettings settings, final GuestCache cache, final CheckReport report)
    {
        this.settings = settings;
        this.cache = cache;
        this.report = report;
    }

    /**
     * @return the name of the run's network namespace, null before {@link #execute()} made it.
     */
    String namespaceName()
    {
        return null == namespace ? null : namespace.name();
    }

    /**
     * Run the selected checks.
     *
     * @return the number of failed checks.
     */
    int execute()
    {
        final long startedNs = System.nanoTime();
        report.info("run", "mode=" + settings.mode() + " qemu=" + cache.qemuVersion() + " kernel=" +
            cache.kernelVersion() + " accel=tcg traffic_seconds=" + settings.trafficSeconds() + " logs=" +
            settings.logDir());
        Guest guest = null;
        try
        {
            namespace = NetNamespace.create();
            resources.add(namespace);
            network = createNetwork();
            resources.add(network);
            startPeerServices();
            guest = bootGuest(0);
        }
        catch (final E2eException ex)
        {
            report.fail(SETUP, ex.getMessage());
            failRemaining(E2eCheck.IDENTITY, "not run: the setup failed (see 'E2E FAIL " + SETUP + "')");
        }
        if (null != guest)
        {
            runChecks(guest);
        }
        report.finish("mode=" + settings.mode() + " qemu=" + cache.qemuVersion() + " guest_kernel=" +
            cache.kernelVersion() + " accel=tcg seconds_per_measurement=" + settings.trafficSeconds() +
            " run_seconds=" + TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - startedNs));
        return report.failures().size();
    }

    private void runChecks(final Guest guest)
    {
        // Without an identified NIC that carries a ping nothing else means anything: the first of these to fail
        // ends the run, and every check after it is reported as not run.
        final Map<E2eCheck, CheckBody> gates = new LinkedHashMap<>();
        gates.put(E2eCheck.IDENTITY, () -> identify(guest));
        gates.put(E2eCheck.PROBE, () -> probe(guest) + "; " + configureAddress(guest));
        gates.put(E2eCheck.PING, () -> ping(guest));
        for (final Map.Entry<E2eCheck, CheckBody> gate : gates.entrySet())
        {
            if (!check(gate.getKey(), gate.getValue()))
            {
                failRemaining(E2eCheck.values()[gate.getKey().ordinal() + 1], "not run: the guest's NIC is not " +
                    "usable (see 'E2E FAIL " + gate.getKey().cliName() + "')");
                return;
            }
        }
        check(E2eCheck.PATH, () -> network.provePath(guest.nic));
        check(E2eCheck.TCP, () -> tcp(guest));
        check(E2eCheck.UDP, () -> udp(guest));
        check(E2eCheck.LATENCY, () -> latency(guest));
        check(E2eCheck.COUNTERS, () -> counters(guest));
        check(E2eCheck.MTU9000, () -> jumbo(guest));
        check(E2eCheck.RELOAD, () -> reload(guest));
        check(E2eCheck.TWO_GUESTS, () -> twoGuests(guest));
        check(E2eCheck.REBOOT, () -> reboot(guest));
        check(E2eCheck.SELFTEST, () -> selftest(guest));
    }

    /**
     * @return whether the check passed (true also when it is not selected).
     */
    private boolean check(final E2eCheck check, final CheckBody body)
    {
        if (!settings.checks().contains(check))
        {
            return true;
        }
        try
        {
            report.pass(check, body.run());
            return true;
        }
        catch (final E2eException ex)
        {
            report.fail(check, ex.getMessage());
            return false;
        }
    }

    private void failRemaining(final E2eCheck from, final String reason)
    {
        for (final E2eCheck check : E2eCheck.values())
        {
            if (check.ordinal() >= from.ordinal() && settings.checks().contains(check))
            {
                report.fail(check, reason);
            }
        }
    }

    private GuestNetwork createNetwork()
    {
        if (NicMode.SIDECORE == settings.mode())
        {
            return new SidecoreDaemonNetwork(namespace, settings);
        }
        return new BridgeTapNetwork(namespace, settings.mode());
    }

    private void startPeerServices()
    {
        startPeer("iperf3", List.of("iperf3", "--server"));
        startPeer("netserver", List.of("netserver", "-D", "-4"));
    }

    private void startPeer(final String name, final List<String> command)
    {
        final Path log = settings.logDir().resolve("peer-" + name + ".log");
        try
        {
            final Process process = new ProcessBuilder(namespace.inside(cache.inRoot(List.of(), command)))
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
            peerProcesses.add(process);
        }
        catch (final IOException ex)
        {
            throw new E2eException("cannot start the peer's " + name + ": " + ex.getMessage(), ex);
        }
    }

    private Guest bootGuest(final int index)
    {
        final GuestNic nic = network.attach(index);
        final List<String> qemuCommand = QemuGuest.commandLine(settings.guestMemoryMib(), nic.qemuArgs(),
            settings.extraQemuArgs());
        final QemuGuest qemu = QemuGuest.start(nic.name(),
            namespace.inside(cache.inRoot(nic.binds(), qemuCommand)), settings.logDir());
        resources.add(qemu);
        final long startNs = System.nanoTime();
        qemu.awaitReady(0, settings.bootTimeout());
        report.info("boot", nic.name() + " reached its console shell in " + seconds(System.nanoTime() - startNs) +
            " s");
        return new Guest(qemu, nic);
    }

    private String identify(final Guest guest)
    {
        final String output = guest.qemu.console().runChecked(GuestIdentity.GUEST_COMMAND, settings.commandTimeout());
        guest.iface = GuestIdentity.parse(output).verify(settings.mode(), guest.nic.mac());
        return "one NIC " + settings.mode().pciVendor() + ":" + settings.mode().pciDevice() + " driven by " +
            settings.mode().driver() + ", interface " + guest.iface + ", MAC " + guest.nic.mac();
    }

    private String probe(final Guest guest)
    {
        final String iface = guest.iface;
        final long startNs = System.nanoTime();
        final String output = guest.qemu.console().runChecked(GUEST_IP + " link set " + iface + " up; i=0; " +
            "while [ \"$(cat /sys/class/net/" + iface + "/carrier 2>/dev/null)\" != 1 ] && [ $i -lt 600 ]; do " +
            "usleep 100000; i=$((i+1)); done; echo carrier=$(cat /sys/class/net/" + iface + "/carrier); " +
            "echo speed=$(cat /sys/class/net/" + iface + "/speed); dmesg | grep -iE 'e1000|virtio' | tail -n 8",
            settings.commandTimeout());
        final String elapsed = seconds(System.nanoTime() - startNs);
        if (!output.contains("carrier=1"))
        {
            throw new E2eException("no carrier on " + iface + " 60 s after 'ip link set up': " +
                Text.abbreviate(output));
        }
        if (NicMode.VIRTIO != settings.mode())
        {
            if (!output.contains("Intel(R) PRO/1000 Network Connection"))
            {
                throw new E2eException("dmesg has no e1000 probe line: " + Text.abbreviate(output));
            }
            if (!output.contains(iface + " NIC Link is Up"))
            {
                throw new E2eException("dmesg has no '" + iface + " NIC Link is Up' line: " + Text.abbreviate(output));
            }
        }
        final String speed = output.lines().filter(line -> line.startsWith("speed=")).findFirst().orElse("speed=?");
        return settings.mode().driver() + " bound, carrier up " + elapsed + " s after link up, " + speed;
    }

    private String configureAddress(final Guest guest)
    {
        guest.qemu.console().runChecked(GUEST_IP + " addr replace " + guest.nic.address() + "/" +
            TestSubnet.PREFIX_LENGTH + " dev " + guest.iface, settings.commandTimeout());
        return "address " + guest.nic.address();
    }

    private String ping(final Guest guest)
    {
        final PingSummary out = guestPing(guest, TestSubnet.PEER_ADDRESS, "");
        final PingSummary back = peerPing(guest.nic.address(), "");
        return PINGS + "/" + PINGS + " echo replies guest->peer (" + out.transmitted() + " sent), " +
            PINGS + "/" + PINGS + " peer->guest (" + back.transmitted() + " sent)";
    }

    /**
     * Ping until {@link #PINGS} replies arrived or 60 s passed; fails unless all {@link #PINGS} arrived.
     */
    private PingSummary guestPing(final Guest guest, final String target, final String options)
    {
        final GuestConsole.Result result = guest.qemu.console().run(pingCommand(target, options),
            settings.commandTimeout());
        return requireReplies(PingSummary.parse(result.output()), guest.nic.name() + " -> " + target, result.output());
    }

    private PingSummary peerPing(final String target, final String options)
    {
        final HostCommand.Result result = namespace.run(PEER_TIMEOUT,
            cache.inRoot(List.of(), List.of("sh", "-c", pingCommand(target, options))));
        return requireReplies(PingSummary.parse(result.output()), "peer -> " + target, result.output());
    }

    private static String pingCommand(final String target, final String options)
    {
        return PING + " -c " + PINGS + " -i 0.2 -w 60 " + options + " " + target;
    }

    private static PingSummary requireReplies(final PingSummary summary, final String path, final String output)
    {
        if (summary.received() < PINGS)
        {
            throw new E2eException(path + ": " + summary.received() + " of " + PINGS + " echo replies within 60 s (" +
                summary.transmitted() + " sent): " + Text.abbreviate(output));
        }
        return summary;
    }

    private Iperf3Report iperf3(final Guest client, final String server, final String options)
    {
        final String output = client.qemu.console().run("iperf3 --client " + server + " --time " +
            settings.trafficSeconds() + " --json " + options, settings.trafficTimeout()).output();
        return Iperf3Report.parse(output);
    }

    private String tcp(final Guest guest)
    {
        final TrapProfile trapsBefore = network.trapProfile(guest.nic);
        final long startNs = System.nanoTime();
        final Iperf3Report out = iperf3(guest, TestSubnet.PEER_ADDRESS, "");
        final Iperf3Report in = iperf3(guest, TestSubnet.PEER_ADDRESS, "--reverse");
        reportTraps("tcp", trapsBefore, guest, (System.nanoTime() - startNs) / 1e9);
        requirePositive(out.receiverBitsPerSecond(), "TCP guest->peer");
        requirePositive(in.receiverBitsPerSecond(), "TCP peer->guest");
        report.measurement(settings.mode(), "tcp_guest_to_peer_mbps", "TCP guest->peer",
            out.receiverMegabitsPerSecond(), "Mbit/s");
        report.measurement(settings.mode(), "tcp_peer_to_guest_mbps", "TCP peer->guest",
            in.receiverMegabitsPerSecond(), "Mbit/s");
        return String.format(Locale.ROOT, "guest->peer %.1f Mbit/s, peer->guest %.1f Mbit/s",
            out.receiverMegabitsPerSecond(), in.receiverMegabitsPerSecond());
    }

    /**
     * Which registers a Linux guest still traps on, per second of the {@code seconds} of traffic since
     * {@code trapsBefore} was taken (sidecore mode only: {@code trapsBefore} is null in the others).
     */
    private void reportTraps(final String label, final TrapProfile trapsBefore, final Guest guest, final double seconds)
    {
        if (null != trapsBefore)
        {
            for (final String line : network.trapProfile(guest.nic).ratesSince(trapsBefore, seconds))
            {
                report.info("traps", String.format(Locale.ROOT, "%s %.1f s: ", label, seconds) + line);
            }
        }
    }

    private String udp(final Guest guest)
    {
        final String options = "--udp --length " + SMALL_UDP_PAYLOAD_BYTES + " --bitrate 0";
        final Iperf3Report out = iperf3(guest, TestSubnet.PEER_ADDRESS, options);
        final GuestReceivePath before = receivePath(guest);
        final long hostDroppedBefore = network.hostDroppedTowardGuest(guest.nic);
        final TrapProfile trapsBefore = network.trapProfile(guest.nic);
        final long startNs = System.nanoTime();
        final Iperf3Report in = iperf3(guest, TestSubnet.PEER_ADDRESS, options + " --reverse");
        final double streamSeconds = (System.nanoTime() - startNs) / 1e9;
        reportTraps("udp peer->guest", trapsBefore, guest, streamSeconds);
        final long hostDropped = network.hostDroppedTowardGuest(guest.nic) - hostDroppedBefore;
        final GuestReceivePath inside = receivePath(guest).minus(before);
        requirePositive(out.datagramsReceived(), "UDP guest->peer datagrams received");
        requirePositive(in.datagramsReceived(), "UDP peer->guest datagrams received");
        recordUdp("guest_to_peer", "guest->peer", out);
        recordUdp("peer_to_guest", "peer->guest", in);
        recordReceivePath(in, hostDropped, inside, streamSeconds);
        return String.format(Locale.ROOT, "64-byte frames guest->peer %.0f pps received (%.0f sent, %.1f%% lost), " +
            "peer->guest %.0f pps received (%.0f sent, %.1f%% lost)",
            out.datagramsReceivedPerSecond(), out.datagramsSentPerSecond(), out.datagramLossPercent(),
            in.datagramsReceivedPerSecond(), in.datagramsSentPerSecond(), in.datagramLossPercent());
    }

    private GuestReceivePath receivePath(final Guest guest)
    {
        return GuestReceivePath.parse(guest.qemu.console().runChecked(GuestReceivePath.guestCommand(guest.iface),
            settings.commandTimeout()));
    }

    /**
     * Where the peer's datagrams went inside the guest during the peer->guest stream, per second of the iperf3
     * command's wall time (the snapshots bracket the whole command, its control connection's few frames included;
     * a guest slow to end the test lets the peer flood it past {@code --seconds}, so the nominal length would
     * overstate these rates): a flood the driver takes at its full rate can still reach iperf3 at a trickle when the
     * guest's kernel drops it at the full socket. The rows' offered and read are iperf3's own rates, over its own
     * seconds; the info line puts iperf3's counts over the same wall time as the rest. The TAP's drops are the host's
     * ({@link GuestNetwork#hostDroppedTowardGuest}).
     * virtio_net keeps no count of frames missed for a full ring, so that row is left out in virtio mode.
     */
    private void recordReceivePath(
        final Iperf3Report in, final long hostDropped, final GuestReceivePath inside, final double seconds)
    {
        final boolean missedCounted = NicMode.VIRTIO != settings.mode();
        report.measurement(settings.mode(), "udp64_peer_to_guest_host_dropped_pps",
            "UDP 64 B peer->guest TAP queue full", hostDropped / seconds, "frames/s");
        report.measurement(settings.mode(), "udp64_peer_to_guest_driver_pps", "UDP 64 B peer->guest taken by driver",
            inside.rxPackets() / seconds, "frames/s");
        if (missedCounted)
        {
            report.measurement(settings.mode(), "udp64_peer_to_guest_missed_pps", "UDP 64 B peer->guest NIC ring full",
                inside.rxMissed() / seconds, "frames/s");
        }
        report.measurement(settings.mode(), "udp64_peer_to_guest_socket_full_pps",
            "UDP 64 B peer->guest socket full", inside.udpBufferFull() / seconds, "frames/s");
        // One window for every figure of this line: iperf3's counts over the command's wall time too (its rates,
        // in the rows above, are over its own seconds, shorter than the command's), and the share of the offered
        // frames the host, the NIC and the driver account for, a ratio of counts that needs no window at all.
        report.info("udp", String.format(Locale.ROOT, "peer->guest per second over %.1f s: offered %.0f, dropped " +
            "by the host at the full TAP queue %.0f, missed by the NIC for a full ring %s, taken by the guest's " +
            "driver %.0f, dropped by its UDP layer at the full socket %.0f, delivered to the socket %.0f, read by " +
            "iperf3 %.0f; the host, the NIC and the driver account for %s of the %d frames offered", seconds,
            in.datagramsSent() / seconds, hostDropped / seconds,
            missedCounted ? String.format(Locale.ROOT, "%.0f", inside.rxMissed() / seconds) : "n/a (virtio_net)",
            inside.rxPackets() / seconds, inside.udpBufferFull() / seconds, inside.udpDelivered() / seconds,
            in.datagramsReceived() / seconds, in.datagramsSent() > 0 ? String.format(Locale.ROOT, "%.1f %%",
            inside.accountedPercent(in.datagramsSent(), hostDropped, missedCounted)) : "n/a", in.datagramsSent()));
    }

    private void recordUdp(final String metric, final String label, final Iperf3Report udp)
    {
        report.measurement(settings.mode(), "udp64_" + metric + "_received_pps", "UDP 64 B " + label + " received",
            udp.datagramsReceivedPerSecond(), "frames/s");
        report.measurement(settings.mode(), "udp64_" + metric + "_sent_pps", "UDP 64 B " + label + " offered",
            udp.datagramsSentPerSecond(), "frames/s");
    }

    private String latency(final Guest guest)
    {
        final String output = guest.qemu.console().run("netperf -H " + TestSubnet.PEER_ADDRESS + " -t TCP_RR -l " +
            settings.trafficSeconds() + " -- -o " + NetperfRrReport.OUTPUT_SELECTORS, settings.trafficTimeout())
            .output();
        final NetperfRrReport rr = NetperfRrReport.parse(output);
        requirePositive(rr.transactionsPerSec(), "TCP_RR transactions per second");
        report.measurement(settings.mode(), "tcp_rr_mean_latency_us", "TCP_RR mean round trip", rr.meanLatencyUs(),
            "us");
        report.measurement(settings.mode(), "tcp_rr_p99_latency_us", "TCP_RR p99 round trip", rr.p99LatencyUs(),
            "us");
        report.measurement(settings.mode(), "tcp_rr_transactions_per_second", "TCP_RR transactions",
            rr.transactionsPerSec(), "1/s");
        return String.format(Locale.ROOT, "TCP_RR mean %.0f us, p99 %.0f us, %.0f transactions/s",
            rr.meanLatencyUs(), rr.p99LatencyUs(), rr.transactionsPerSec());
    }

    /**
     * Check 9 over a quiet window: permanent neighbour entries on both sides (no ARP in the window, and none of its
     * runt frames, which the port counts unpadded), a snapshot of both sides, pings and TCP both ways, a settle
     * pause, a second snapshot; the two sides' differences must agree.
     */
    private String counters(final Guest guest)
    {
        final GuestConsole console = guest.qemu.console();
        console.runChecked(GUEST_IP + " neigh replace " + TestSubnet.PEER_ADDRESS + " lladdr " + TestSubnet.PEER_MAC +
            " dev " + guest.iface + " nud permanent", settings.commandTimeout());
        namespace.ip("neigh", "replace", guest.nic.address(), "lladdr", guest.nic.mac(), "dev",
            network.peerDevice(), "nud", "permanent");
        try
        {
            final PortTraffic[] before = quietSnapshot(guest);
            guestPing(guest, TestSubnet.PEER_ADDRESS, "-s 1000");
            iperf3(guest, TestSubnet.PEER_ADDRESS, "");
            iperf3(guest, TestSubnet.PEER_ADDRESS, "--reverse");
            final PortTraffic[] after = quietSnapshot(guest);
            final PortTraffic guestDelta = after[0].minus(before[0]);
            final PortTraffic portDelta = after[1].minus(before[1]);
            final List<String> problems = CounterAgreement.compare(guestDelta, portDelta,
                settings.mode().guestFcsBytesPerFrame());
            if (!problems.isEmpty())
            {
                throw new E2eException("the guest's statistics and the port disagree: " + String.join("; ", problems) +
                    " (guest " + guestDelta + ", port " + portDelta + ")");
            }
            return "guest statistics and " + guest.nic.portName() + " agree: tx " + portDelta.txFrames() +
                " frames / " + guestDelta.txBytes() + " bytes, rx " + portDelta.rxFrames() + " frames / " +
                guestDelta.rxBytes() + " bytes (" + settings.mode().guestFcsBytesPerFrame() +
                " FCS bytes per frame in the guest's count)";
        }
        finally
        {
            bestEffort(() -> console.run(GUEST_IP + " neigh del " + TestSubnet.PEER_ADDRESS + " dev " + guest.iface,
                settings.commandTimeout()));
            bestEffort(() -> namespace.ip("neigh", "del", guest.nic.address(), "dev", network.peerDevice()));
        }
    }

    /**
     * Both sides' counters at a moment when no frame is in flight: the port's counters read before and after the
     * guest's are equal (tried a few times, a settle pause apart).
     *
     * @return {guest, port}.
     */
    private PortTraffic[] quietSnapshot(final Guest guest)
    {
        PortTraffic portFirst = null;
        PortTraffic portSecond = null;
        for (int attempt = 0; attempt < QUIET_ATTEMPTS; attempt++)
        {
            sleep(SETTLE);
            portFirst = network.portTraffic(guest.nic);
            final PortTraffic guestView = guestTraffic(guest);
            portSecond = network.portTraffic(guest.nic);
            if (portFirst.equals(portSecond))
            {
                return new PortTraffic[]{guestView, portSecond};
            }
        }
        throw new E2eException("traffic did not stop: the port's counters kept changing across " + QUIET_ATTEMPTS +
            " snapshots (last " + portFirst + " then " + portSecond + ")");
    }

    private PortTraffic guestTraffic(final Guest guest)
    {
        final String command = NicMode.VIRTIO == settings.mode() ?
            "for c in tx_packets tx_bytes rx_packets rx_bytes; do echo \"$c: $(cat /sys/class/net/" + guest.iface +
                "/statistics/$c)\"; done" :
            "ethtool -S " + guest.iface;
        final String output = guest.qemu.console().runChecked(command, settings.commandTimeout());
        return EthtoolStats.guestTraffic(EthtoolStats.parse(output));
    }

    private String jumbo(final Guest guest)
    {
        setMtu(guest, TestSubnet.PEER_MTU);
        try
        {
            final String options = "-M do -s " + JUMBO_PING_BYTES;
            guestPing(guest, TestSubnet.PEER_ADDRESS, options);
            peerPing(guest.nic.address(), options);
        }
        catch (final E2eException ex)
        {
            bestEffort(() -> setMtu(guest, STANDARD_MTU));
            throw ex;
        }
        setMtu(guest, STANDARD_MTU);
        return "MTU " + TestSubnet.PEER_MTU + ", " + JUMBO_PING_BYTES + "-byte pings unfragmented both ways, MTU " +
            STANDARD_MTU + " again";
    }

    /**
     * Set the guest's MTU and wait for the carrier (the e1000 driver resets the MAC to apply it).
     */
    private void setMtu(final Guest guest, final int mtu)
    {
        final String output = guest.qemu.console().runChecked(GUEST_IP + " link set " + guest.iface + " mtu " + mtu +
            "; i=0; while [ \"$(cat /sys/class/net/" + guest.iface + "/carrier 2>/dev/null)\" != 1 ] && " +
            "[ $i -lt 600 ]; do usleep 100000; i=$((i+1)); done; cat /sys/class/net/" + guest.iface + "/mtu " +
            "/sys/class/net/" + guest.iface + "/carrier", settings.commandTimeout());
        final List<String> lines = Text.lines(output);
        if (lines.size() < 2 || !Integer.toString(mtu).equals(lines.get(lines.size() - 2).strip()) ||
            !"1".equals(lines.getLast().strip()))
        {
            throw new E2eException("setting MTU " + mtu + " on " + guest.iface + " left mtu/carrier at: " +
                Text.abbreviate(output));
        }
    }

    private String reload(final Guest guest)
    {
        final String driver = settings.mode().driver();
        guest.qemu.console().runChecked("rmmod " + driver + " && insmod /lib/modules/" + driver + ".ko",
            settings.commandTimeout());
        return "rmmod/insmod " + driver + ", then " + bringBack(guest);
    }

    /**
     * After the NIC was reset (driver reload, reboot): identify it again, bring it up, address it, ping.
     */
    private String bringBack(final Guest guest)
    {
        identify(guest);
        final String probe = probe(guest);
        configureAddress(guest);
        guestPing(guest, TestSubnet.PEER_ADDRESS, "");
        return probe + ", ping ok";
    }

    private String twoGuests(final Guest first)
    {
        final Guest second = bootGuest(1);
        try
        {
            identify(second);
            probe(second);
            configureAddress(second);
            final PingSummary ping = guestPing(first, second.nic.address(), "");
            second.qemu.console().runChecked("iperf3 --server --daemon --one-off", settings.commandTimeout());
            final Iperf3Report tcp = iperf3(first, second.nic.address(), "");
            requirePositive(tcp.receiverBitsPerSecond(), "TCP guest->guest");
            report.measurement(settings.mode(), "tcp_guest_to_guest_mbps", "TCP guest->guest",
                tcp.receiverMegabitsPerSecond(), "Mbit/s");
            return String.format(Locale.ROOT, "%s and %s: %d/%d echo replies, TCP %.1f Mbit/s", first.nic.name(),
                second.nic.name(), ping.received(), PINGS, tcp.receiverMegabitsPerSecond());
        }
        finally
        {
            second.qemu.close();
            resources.remove(second.qemu);
        }
    }

    private String reboot(final Guest guest)
    {
        final int position = guest.qemu.console().position();
        final long startNs = System.nanoTime();
        guest.qemu.console().send("reboot -f");
        guest.qemu.awaitReady(position, settings.bootTimeout());
        final String booted = "back to its shell in " + seconds(System.nanoTime() - startNs) + " s";
        return booted + ", " + bringBack(guest);
    }

    /**
     * {@code ethtool -t IFACE offline}: passes when every part reports 0, except the register test, which may report
     * a row of the shared doorbell pages (the README's conformance table lists them; only a sidecore port has such
     * pages, and QEMU's e1000 fails its own way). The driver closes and reopens the interface around the test, so
     * the link is awaited again afterwards.
     */
    private String selftest(final Guest guest)
    {
        final GuestConsole.Result result = guest.qemu.console().run("ethtool -t " + guest.iface + " offline",
            settings.commandTimeout());
        report.info("selftest", "ethtool -t " + guest.iface + " offline exit=" + result.exitStatus() + ": " +
            String.join(" | ", Text.lines(result.output())));
        final List<Long> allowed = NicMode.SIDECORE == settings.mode() ?
            EthtoolSelfTest.sharedPageRegisterResults() : List.of();
        return EthtoolSelfTest.parse(result.output()).verdict(allowed);
    }

    /**
     * Undo a check's change to the guest or the namespace; a failure here must not hide the check's own reason, and
     * a later check that depends on it fails on its own.
     */
    private static void bestEffort(final Runnable undo)
    {
        try
        {
            undo.run();
        }
        catch (final E2eException ignored)
        {
            // See above.
        }
    }

    private static void requirePositive(final double value, final String what)
    {
        if (!(value > 0))
        {
            throw new E2eException(what + " is " + value + ": no traffic got through");
        }
    }

    private static String seconds(final long nanos)
    {
        return String.format(Locale.ROOT, "%.1f", nanos / 1e9);
    }

    private static void sleep(final Duration duration)
    {
        try
        {
            Thread.sleep(duration);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new E2eException("interrupted", ex);
        }
    }

    /**
     * Stop the guests and the peers, remove the network and the namespace; the first failure is rethrown after
     * everything was attempted.
     */
    public void close()
    {
        E2eException failure = null;
        for (final Process process : peerProcesses)
        {
            process.destroy();
            try
            {
                if (!process.waitFor(10, TimeUnit.SECONDS))
                {
                    process.destroyForcibly();
                }
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
        for (int i = resources.size() - 1; i >= 0; i--)
        {
            try
            {
                resources.get(i).close();
            }
            catch (final Exception ex)
            {
                if (null == failure)
                {
                    failure = new E2eException("cleaning up: " + ex.getMessage(), ex);
                }
            }
        }
        resources.clear();
        if (null != failure)
        {
            throw failure;
        }
    }

    /**
     * @param logDir a directory for the run's logs.
     * @return it, created.
     */
    static Path createLogDir(final Path logDir)
    {
        try
        {
            return Files.createDirectories(logDir);
        }
        catch (final IOException ex)
        {
            throw new E2eException("cannot create the log directory " + logDir + ": " + ex.getMessage(), ex);
        }
    }
}
