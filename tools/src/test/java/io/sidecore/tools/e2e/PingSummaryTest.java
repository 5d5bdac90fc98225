package io.sidecore.tools.e2e;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class PingSummaryTest
{
    @Test
    void shouldReadCountsWhenIputilsSummary()
    {
        final PingSummary summary = PingSummary.parse("--- 169.254.90.1 ping statistics ---\n" +
            "7 packets transmitted, 5 received, 28.5714% packet loss, time 6021ms\n");

        assertEquals(new PingSummary(7, 5), summary);
    }

    @Test
    void shouldFailWhenBusyboxSummary()
    {
        // busybox ping lacks -M do; the harness must run iputils by path, and a busybox summary shows it did not.
        assertThrows(E2eException.class, () -> PingSummary.parse(
            "5 packets transmitted, 5 packets received, 0% packet loss\n"));
    }

    @Test
    void shouldFailWhenPingCouldNotStart()
    {
        assertThrows(E2eException.class, () -> PingSummary.parse("ping: connect: Network is unreachable\n"));
    }
}
