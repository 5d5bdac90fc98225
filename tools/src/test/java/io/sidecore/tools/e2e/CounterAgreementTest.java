package io.sidecore.tools.e2e;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CounterAgreementTest
{
    @Test
    void shouldAgreeWhenGuestBytesIncludeFourFcsBytesPerFrame()
    {
        final PortTraffic port = new PortTraffic(100, 64_000, 200, 300_000);
        final PortTraffic guest = new PortTraffic(100, 64_000 + 4 * 100, 200, 300_000 + 4 * 200);

        assertEquals(List.of(), CounterAgreement.compare(guest, port, 4));
    }

    @Test
    void shouldAgreeWithoutFcsWhenVirtioWindowRecorded()
    {
        // The virtio run's window: netdev statistics against the TAP, which count the same bytes.
        final PortTraffic traffic = new PortTraffic(23686, 1111749134L, 39140, 1611650763L);

        assertEquals(List.of(), CounterAgreement.compare(traffic, traffic, 0));
    }

    @Test
    void shouldReportBothDirectionsWhenGuestBytesLackFcs()
    {
        final PortTraffic port = new PortTraffic(10, 1000, 20, 2000);

        final List<String> problems = CounterAgreement.compare(port, port, 4);

        assertEquals(List.of(
            "tx bytes: guest 1000, port 1000 + 4 x 10 frames = 1040",
            "rx bytes: guest 2000, port 2000 + 4 x 20 frames = 2080"), problems);
    }

    @Test
    void shouldReportByteCountersThatStayZeroWhenQemuE1000WindowRecorded()
    {
        // The qemu-e1000 run's window: frames agree, but QEMU 11.1.3's GORCL/GOTCL read 0.
        final PortTraffic guest = new PortTraffic(271647, 0, 648572, 0);
        final PortTraffic tap = new PortTraffic(271647, 396864858L, 648572, 847335818L);

        final List<String> problems = CounterAgreement.compare(guest, tap, 4);

        assertEquals(List.of(
            "tx bytes: guest 0, port 396864858 + 4 x 271647 frames = 397951446",
            "rx bytes: guest 0, port 847335818 + 4 x 648572 frames = 849930106"), problems);
    }

    @Test
    void shouldReportFrameDifferenceWhenGuestMissedFrames()
    {
        final PortTraffic port = new PortTraffic(5, 500, 42984, 1433351814L);
        final PortTraffic guest = new PortTraffic(5, 500, 42982, 1433351674L);

        final List<String> problems = CounterAgreement.compare(guest, port, 0);

        assertEquals(List.of(
            "rx frames: guest 42982, port 42984",
            "rx bytes: guest 1433351674, port 1433351814 + 0 x 42984 frames = 1433351814"), problems);
    }

    @Test
    void shouldRefuseWindowWithoutTrafficInOneDirection()
    {
        final PortTraffic quiet = new PortTraffic(3, 300, 0, 0);

        final List<String> problems = CounterAgreement.compare(quiet, quiet, 0);

        assertEquals(1, problems.size());
        assertTrue(problems.getFirst().contains("no traffic in one direction"), problems.getFirst());
    }
}
