package io.sidecore.tools.e2e;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NetperfRrReportTest
{
    @Test
    void shouldReadLatenciesAndRateWhenRecordedTcpRrOutput()
    {
        final NetperfRrReport report = NetperfRrReport.parse(Recorded.text("netperf-tcp-rr.txt"));

        assertEquals(120, report.minLatencyUs(), 1e-9);
        assertEquals(326.75, report.meanLatencyUs(), 1e-9);
        assertEquals(2860, report.p99LatencyUs(), 1e-9);
        assertEquals(3038.769, report.transactionsPerSec(), 1e-9);
    }

    @Test
    void shouldFailWhenNetperfCouldNotConnect()
    {
        final E2eException ex = assertThrows(E2eException.class, () -> NetperfRrReport.parse(
            "establish control: are you sure there is a netserver listening on 169.254.90.1 at port 12865?\n" +
            "establish_control could not establish the control connection from 0.0.0.0 port 0 address family " +
            "AF_UNSPEC to 169.254.90.1 port 12865 address family AF_INET"));

        assertTrue(ex.getMessage().contains("no TCP_RR result"), ex.getMessage());
        assertTrue(ex.getMessage().contains("netserver listening"), ex.getMessage());
    }

    @Test
    void shouldFailWhenValueLineIsNotFourNumbers()
    {
        final String output = "Minimum Latency Microseconds,Mean Latency Microseconds,99th Percentile Latency " +
            "Microseconds,Transaction Rate Tran/s\n120,abc,2860,3038.769\n";

        assertThrows(E2eException.class, () -> NetperfRrReport.parse(output));
    }
}
