package io.sidecore.tools.e2e;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GuestReceivePathTest
{
    /** What the guest command prints on the e2e guest (Linux 6.12); a line of anything else is ignored. */
    private static final String OUTPUT = """
        eth0: link up
        netdev 49609 594095
        Udp: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors InCsumErrors IgnoredMulti MemErrors
        Udp: 311 2 40122 8843 40122 0 0 0 0
        """;

    @Test
    void shouldReadDriverAndUdpCountersWhenGuestPrintsThem()
    {
        assertEquals(new GuestReceivePath(49609, 594095, 311, 40122), GuestReceivePath.parse(OUTPUT));
    }

    @Test
    void shouldSubtractEarlierSnapshotWhenTakingTheDifference()
    {
        final GuestReceivePath before = new GuestReceivePath(100, 5, 10, 1);
        final GuestReceivePath after = new GuestReceivePath(49609, 594095, 311, 40122);

        assertEquals(new GuestReceivePath(49509, 594090, 301, 40121), after.minus(before));
    }

    @Test
    void shouldAccountHostDropsMissedAndTakenFramesAsAShareOfTheOffered()
    {
        final GuestReceivePath stream = new GuestReceivePath(8_000, 180_000, 700, 7_000);

        assertEquals(99.0, stream.accountedPercent(200_000, 10_000, true), 1e-9, "10 000 + 180 000 + 8 000");
        assertEquals(9.0, stream.accountedPercent(200_000, 10_000, false), 1e-9, "virtio_net: no missed count");
    }

    @Test
    void shouldRefuseTheAccountedShareWhenNothingWasOffered()
    {
        final GuestReceivePath stream = new GuestReceivePath(1, 0, 0, 0);

        final IllegalArgumentException refused =
            assertThrows(IllegalArgumentException.class, () -> stream.accountedPercent(0, 0, true));
        assertEquals("no frames offered toward the guest: 0", refused.getMessage());
    }

    @Test
    void shouldNameTheInterfaceWhenBuildingTheGuestCommand()
    {
        final String command = GuestReceivePath.guestCommand("enp0s3");

        assertTrue(command.contains("/sys/class/net/enp0s3/statistics/rx_packets"), command);
        assertTrue(command.contains("/sys/class/net/enp0s3/statistics/rx_missed_errors"), command);
        assertTrue(command.contains("/proc/net/snmp"), command);
        assertTrue(command.startsWith("ethtool -S enp0s3 "), "e1000 updates rx_missed_errors when asked: " + command);
    }

    @Test
    void shouldRefuseWhenInterfaceCountersAreMissing()
    {
        final E2eException ex = assertThrows(E2eException.class, () -> GuestReceivePath.parse(
            "Udp: InDatagrams RcvbufErrors\nUdp: 1 2\n"));

        assertTrue(ex.getMessage().contains("no interface counters"), ex.getMessage());
    }

    @Test
    void shouldRefuseWhenInterfaceCountersAreIncomplete()
    {
        final E2eException ex = assertThrows(E2eException.class, () -> GuestReceivePath.parse(
            "netdev 12 cat: can't open\nUdp: InDatagrams RcvbufErrors\nUdp: 1 2\n"));

        assertTrue(ex.getMessage().contains("rx_packets and rx_missed_errors"), ex.getMessage());
    }

    @Test
    void shouldRefuseWhenACounterIsNotANumber()
    {
        final E2eException ex = assertThrows(E2eException.class, () -> GuestReceivePath.parse(
            "netdev 12 x\nUdp: InDatagrams RcvbufErrors\nUdp: 1 2\n"));

        assertTrue(ex.getMessage().contains("rx_missed_errors is not a number: 'x'"), ex.getMessage());
    }

    @Test
    void shouldRefuseWhenUdpValuesDoNotMatchTheirNames()
    {
        final E2eException ex = assertThrows(E2eException.class, () -> GuestReceivePath.parse(
            "netdev 1 2\nUdp: InDatagrams RcvbufErrors\nUdp: 1\n"));

        assertTrue(ex.getMessage().contains("2 names, 1 values"), ex.getMessage());
    }

    @Test
    void shouldRefuseWhenUdpCountersAreMissing()
    {
        final E2eException ex = assertThrows(E2eException.class, () -> GuestReceivePath.parse("netdev 1 2\n"));

        assertTrue(ex.getMessage().contains("no UDP counters"), ex.getMessage());
    }

    @Test
    void shouldNameTheUdpCounterWhenTheKernelLacksIt()
    {
        final E2eException ex = assertThrows(E2eException.class, () -> GuestReceivePath.parse(
            "netdev 1 2\nUdp: InDatagrams NoPorts\nUdp: 1 2\n"));

        assertTrue(ex.getMessage().contains("RcvbufErrors"), ex.getMessage());
    }
}
