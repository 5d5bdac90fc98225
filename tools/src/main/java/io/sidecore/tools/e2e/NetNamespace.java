package io.sidecore.tools.e2e;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A network namespace this run creates ({@code ip netns add sce2e-<random>}) and deletes on {@link #close()}: the
 * guests' network peers, bridges and TAPs live only inside it, never on the host's own network.
 */
final class NetNamespace implements AutoCloseable
{
    private static final Duration IP_TIMEOUT = Duration.ofSeconds(30);
    private static final String[] IP_CANDIDATES = {"/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"};

    private final String ip;
    private final String name;
    private boolean deleted;

    private NetNamespace(final String ip, final String name)
    {
        this.ip = ip;
        this.name = name;
    }

    /**
     * @return a new namespace with its loopback up.
     * @throws E2eException when {@code ip} is missing or the namespace cannot be made (not root).
     */
    static NetNamespace create()
    {
        final String ip = findIp();
        final String name = "sce2e-" + Long.toHexString(ThreadLocalRandom.current().nextLong(0x100000L, 0xFFFFFFL));
        final HostCommand.Result added = HostCommand.run(IP_TIMEOUT, List.of(ip, "netns", "add", name));
        if (!added.succeeded())
        {
            throw new E2eException("cannot create network namespace (needs root): " + added.describe());
        }
        final NetNamespace namespace = new NetNamespace(ip, name);
        try
        {
            namespace.configure();
        }
        catch (final E2eException ex)
        {
            namespace.close();
            throw ex;
        }
        return namespace;
    }

    private void configure()
    {
        ip("link", "set", "lo", "up");
        // No IPv6 on the devices made in here: their router solicitations (retried with backoff, RFC 7559) and MLD
        // reports would add frames to the test network that no check made, and break the counters' agreement.
        HostCommand.runChecked(IP_TIMEOUT, inside(List.of("sh", "-c", "[ ! -d /proc/sys/net/ipv6 ] || " +
            "{ echo 1 > /proc/sys/net/ipv6/conf/all/disable_ipv6 && " +
            "echo 1 > /proc/sys/net/ipv6/conf/default/disable_ipv6; }")));
    }

    /**
     * @return the namespace's name.
     */
    String name()
    {
        return name;
    }

    /**
     * {@code ip -n NAME args...}.
     *
     * @param args the ip arguments.
     * @return its output.
     * @throws E2eException when it fails.
     */
    String ip(final String... args)
    {
        final List<String> command = new ArrayList<>(List.of(ip, "-n", name));
        command.addAll(List.of(args));
        return HostCommand.runChecked(IP_TIMEOUT, command);
    }

    /**
     * @param command a host command line.
     * @return it prefixed to run inside this namespace ({@code ip netns exec}, which execs: no extra process).
     */
    List<String> inside(final List<String> command)
    {
        final List<String> prefixed = new ArrayList<>(List.of(ip, "netns", "exec", name));
        prefixed.addAll(command);
        return prefixed;
    }

    /**
     * @param timeout how long it may run.
     * @param command a host command line, run inside the namespace.
     * @return how it ended.
     */
    HostCommand.Result run(final Duration timeout, final List<String> command)
    {
        return HostCommand.run(timeout, inside(command));
    }

    /**
     * @param device a network device in the namespace.
     * @param counter a file of its {@code statistics/} directory, e.g. {@code rx_packets}.
     * @return the counter's value.
     */
    long deviceStatistic(final String device, final String counter)
    {
        final String value = HostCommand.runChecked(IP_TIMEOUT,
            inside(List.of("cat", "/sys/class/net/" + device + "/statistics/" + counter))).strip();
        try
        {
            return Long.parseLong(value);
        }
        catch (final NumberFormatException ex)
        {
            throw new E2eException("statistics/" + counter + " of " + device + " is not a number: '" + value + "'");
        }
    }

    /**
     * @param device a network device in the namespace.
     * @return its MAC address.
     */
    String deviceMac(final String device)
    {
        return HostCommand.runChecked(IP_TIMEOUT, inside(List.of("cat", "/sys/class/net/" + device + "/address")))
            .strip();
    }

    /**
     * Deletes the namespace; its devices (bridge, TAPs, veths) go with it.
     */
    public void close()
    {
        if (!deleted)
        {
            deleted = true;
            final HostCommand.Result result = HostCommand.run(IP_TIMEOUT, List.of(ip, "netns", "del", name));
            if (!result.succeeded())
            {
                throw new E2eException("cannot delete network namespace " + name + ": " + result.describe());
            }
        }
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
        throw new E2eException("the 'ip' command (iproute2) is missing: the e2e harness needs it for its network " +
            "namespace; apt-get install -y iproute2 (tools/sidecore test installs it)");
    }
}
