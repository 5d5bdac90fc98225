package io.sidecore.tools.e2e;

import java.util.EnumSet;
import java.util.Set;

/**
 * The checks of a run (issue 9 §3), in the order they run. {@link #IDENTITY}, {@link #PROBE}, {@link #PING} and
 * {@link #PATH} always run: a run must prove it tested the right NIC, and that traffic went through it, before
 * anything it measures means something.
 */
enum E2eCheck
{
    /** Exactly one NIC in the guest, with the mode's PCI ids, driven by the mode's driver, with the port's MAC. */
    IDENTITY("identity"),
    /** (1) The driver probes and the link comes up (carrier, and e1000's "NIC Link is Up"). */
    PROBE("probe"),
    /** (2) Ping from the guest to the peer in the namespace, and back. */
    PING("ping"),
    /** The guest's traffic went through the mode's attachment (TAP counters; the sidecore port's doorbells). */
    PATH("path"),
    /** (3) iperf3 TCP guest to peer and peer to guest. */
    TCP("tcp"),
    /**
     * (4) A UDP stream of 64-byte frames (18-byte payload), both ways, and where the peer's frames went inside the
     * guest ({@link GuestReceivePath}).
     */
    UDP("udp"),
    /** Request/response latency, netperf TCP_RR (issue 11 §4). */
    LATENCY("latency"),
    /**
     * (9) The guest's statistics ({@code ethtool -S}; a virtio-net guest's netdev statistics) agree with the port's
     * counters over a traffic window.
     */
    COUNTERS("counters"),
    /** (6) MTU 9000 and 8000-byte pings both ways with fragmentation forbidden (RCTL.LPE). */
    MTU9000("mtu9000"),
    /** (5) {@code rmmod} and {@code insmod} of the driver, then the link and ping again. */
    RELOAD("reload"),
    /** (7) Two guests ping and iperf3 each other. */
    TWO_GUESTS("two-guests"),
    /** (8) {@code reboot -f} (QEMU resets the device) and back with link and ping. */
    REBOOT("reboot"),
    /**
     * {@code ethtool -t IFACE offline}: every part reports 0, except a register-test row of the shared doorbell pages
     * on a sidecore port (the README's conformance table lists them).
     */
    SELFTEST("selftest");

    /** Checks that run whatever {@code --checks} says. */
    static final Set<E2eCheck> ALWAYS = EnumSet.of(IDENTITY, PROBE, PING, PATH);

    private final String cliName;

    E2eCheck(final String cliName)
    {
        this.cliName = cliName;
    }

    /**
     * @return the name printed in {@code E2E PASS/FAIL} lines and given to {@code --checks}.
     */
    String cliName()
    {
        return cliName;
    }

    /**
     * The checks for a mode: {@code all} means every check the mode's NIC can take. {@link #SELFTEST} is the e1000
     * driver's {@code ethtool -t}; {@code virtio_net} has no self-test, so {@code all} leaves it out in that mode, and
     * naming it there is refused rather than reported as a failure of the NIC.
     *
     * @param list comma-separated check names, or {@code all}.
     * @param mode the NIC the guest gets.
     * @return the checks to run, {@link #ALWAYS} included.
     * @throws IllegalArgumentException naming an unknown check and the valid ones, or a check the mode cannot take.
     */
    static Set<E2eCheck> parseList(final String list, final NicMode mode)
    {
        final Set<E2eCheck> checks = EnumSet.copyOf(ALWAYS);
        for (final String name : list.split(","))
        {
            final String trimmed = name.strip();
            if ("all".equals(trimmed))
            {
                checks.addAll(EnumSet.allOf(E2eCheck.class));
                if (!appliesTo(SELFTEST, mode))
                {
                    checks.remove(SELFTEST);
                }
                continue;
            }
            final E2eCheck check = byName(trimmed);
            if (!appliesTo(check, mode))
            {
                throw new IllegalArgumentException("check '" + trimmed + "' needs an e1000 NIC: " + mode.driver() +
                    " has no ethtool self-test (--mode " + mode.cliName() + ")");
            }
            checks.add(check);
        }
        return checks;
    }

    private static E2eCheck byName(final String name)
    {
        for (final E2eCheck check : values())
        {
            if (check.cliName.equals(name))
            {
                return check;
            }
        }
        throw new IllegalArgumentException("unknown check '" + name + "'; checks: all, " + names());
    }

    private static boolean appliesTo(final E2eCheck check, final NicMode mode)
    {
        return SELFTEST != check || NicMode.VIRTIO != mode;
    }

    /**
     * @return every check's name, comma-separated.
     */
    static String names()
    {
        final StringBuilder names = new StringBuilder();
        for (final E2eCheck check : values())
        {
            names.append(names.isEmpty() ? "" : ", ").append(check.cliName);
        }
        return names.toString();
    }
}
