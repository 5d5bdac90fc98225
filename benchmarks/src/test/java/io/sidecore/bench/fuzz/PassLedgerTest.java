package io.sidecore.bench.fuzz;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The isolation rig's attribution of a trapped access's wait: time inside each sidecore's duty cycles, the one
 * running counted up to the reader's now.
 */
class PassLedgerTest
{
    @Test
    void shouldCountTheRunningDutyCycleUpToTheReadersNowAndOnlyForItsSidecore()
    {
        final PassLedger ledger = new PassLedger(2);

        ledger.begin(1, 1_000);

        assertEquals(250, ledger.inPassNs(1, 1_250));
        assertEquals(0, ledger.inPassNs(0, 1_250));

        ledger.end(1_400);
        ledger.begin(0, 1_500);
        ledger.end(1_600);

        assertEquals(400, ledger.inPassNs(1, 9_000), "sidecore 1's cycle ended: its total stays");
        assertEquals(100, ledger.inPassNs(0, 9_000));
    }

    @Test
    void shouldCountNothingBeforeACycleBegins()
    {
        final PassLedger ledger = new PassLedger(2);

        ledger.begin(0, 5_000);

        assertEquals(0, ledger.inPassNs(0, 4_000), "a reader's now before the cycle began adds nothing");
    }
}
