package io.sidecore.tools.e2e;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Iperf3ReportTest
{
    @Test
    void shouldReadReceiverRateWhenTcpGuestToPeerReport()
    {
        final Iperf3Report report = Iperf3Report.parse(Recorded.text("iperf3-tcp-guest-to-peer.json"));

        assertEquals("TCP", report.protocol());
        assertFalse(report.reverse());
        assertEquals(571949685.7170923, report.receiverBitsPerSecond(), 1e-6);
        assertEquals(5.100341, report.receiverSeconds(), 1e-9);
        assertEquals(573510728.607588, report.senderBitsPerSecond(), 1e-6);
        assertEquals(0, report.datagramsSent());
    }

    @Test
    void shouldReadReverseFlagWhenTcpPeerToGuestReport()
    {
        final Iperf3Report report = Iperf3Report.parse(Recorded.text("iperf3-tcp-peer-to-guest.json"));

        assertTrue(report.reverse());
        assertEquals(882.950995703, report.receiverMegabitsPerSecond(), 1e-6);
    }

    @Test
    void shouldCountDatagramsFromReceivedBytesWhenUdpReport()
    {
        final Iperf3Report report = Iperf3Report.parse(Recorded.text("iperf3-udp-guest-to-peer.json"));

        assertEquals("UDP", report.protocol());
        assertEquals(18, report.datagramBytes());
        assertEquals(126060, report.datagramsSent());
        assertEquals(2269080 / 18, report.datagramsReceived());
        assertEquals(0.0, report.datagramLossPercent(), 1e-9);
        assertEquals(126060 / 5.011489, report.datagramsReceivedPerSecond(), 1e-6);
    }

    @Test
    void shouldComputeLossFromDatagramsWhenReceiverOverrun()
    {
        final Iperf3Report report = Iperf3Report.parse(Recorded.text("iperf3-udp-peer-to-guest.json"));

        assertTrue(report.reverse());
        assertEquals(646664, report.datagramsSent());
        assertEquals(2384640 / 18, report.datagramsReceived());
        assertEquals(100.0 * (646664 - 132480) / 646664, report.datagramLossPercent(), 1e-9);
        assertEquals(646664 / 5.014854, report.datagramsSentPerSecond(), 1e-6);
    }

    @Test
    void shouldIgnoreStrayConsoleLinesAroundReport()
    {
        final String output = "some kernel line\n" + Recorded.text("iperf3-tcp-guest-to-peer.json") + "\ntrailer";

        assertEquals(571949685.7170923, Iperf3Report.parse(output).receiverBitsPerSecond(), 1e-6);
    }

    @Test
    void shouldFailWithIperfErrorWhenReportCarriesError()
    {
        final E2eException ex = assertThrows(E2eException.class, () -> Iperf3Report.parse(
            "{\n\t\"start\":\t{},\n\t\"intervals\":\t[],\n\t\"end\":\t{},\n" +
            "\t\"error\":\t\"unable to connect to server - server may have stopped running or use a different " +
            "port\"\n}"));

        assertTrue(ex.getMessage().contains("iperf3 failed: unable to connect to server"), ex.getMessage());
    }

    @Test
    void shouldFailWhenOutputHasNoReport()
    {
        final E2eException ex = assertThrows(E2eException.class, () -> Iperf3Report.parse(
            "libgcc_s.so.1 must be installed for pthread_cancel to work\nAborted"));

        assertTrue(ex.getMessage().contains("no JSON report"), ex.getMessage());
        assertTrue(ex.getMessage().contains("libgcc_s.so.1"), ex.getMessage());
    }

    @Test
    void shouldFailNamingFieldWhenReportHasNoEnd()
    {
        // What a client killed mid-test leaves: the start of the report, no summary.
        final String noEnd = "{\"start\":{\"test_start\":{\"protocol\":\"TCP\",\"reverse\":0," +
            "\"blksize\":131072}},\"intervals\":[]}";

        final E2eException ex = assertThrows(E2eException.class, () -> Iperf3Report.parse(noEnd));

        assertTrue(ex.getMessage().contains("no end.sum_sent"), ex.getMessage());
    }

    @Test
    void shouldFailWhenReportIsCutShort()
    {
        final String report = Recorded.text("iperf3-tcp-guest-to-peer.json");
        final String cut = report.substring(0, report.length() / 2) + "}";

        final E2eException ex = assertThrows(E2eException.class, () -> Iperf3Report.parse(cut));

        assertTrue(ex.getMessage().contains("does not parse"), ex.getMessage());
    }
}
