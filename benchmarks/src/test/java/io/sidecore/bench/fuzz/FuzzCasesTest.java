package io.sidecore.bench.fuzz;

import io.sidecore.shm.E1000Registers;
import io.sidecore.shm.PortCounter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The named cases' oracles against the real engine: each case that provokes a drop counter reaches it (so a fuzz run
 * does by input, not by a count the fuzzer adds), and an oracle rejects the same outcome under the wrong counter.
 */
class FuzzCasesTest
{
    private static final int REPEATS = 24;

    private FuzzRig rig;

    @BeforeEach
    void setUp()
    {
        rig = new FuzzRig(7, 100, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void tearDown()
    {
        rig.close();
    }

    @Test
    void shouldFindTheLoopedFrameDroppedAsADmaFaultOrDeliveredToItsOwnRing()
    {
        final HostilePort looping = rig.switchPort();
        final NamedCase[] loopbackCases = {
            NamedCase.TX_LOOPBACK_DMA_INTO_TDT, NamedCase.TX_LOOPBACK_DMA_INTO_REGISTERS,
            NamedCase.TX_LOOPBACK_OWN_RING };
        for (final NamedCase named : loopbackCases)
        {
            final long dmaFaults = looping.counter(PortCounter.RX_DROP_DMA_FAULT);
            final long received = looping.counter(PortCounter.RX_FRAMES);
            final FuzzCases.Check check = rig.applyNamed(named);
            rig.settle();

            assertNull(check.verify(), named.caseName());
            if (NamedCase.TX_LOOPBACK_OWN_RING == named)
            {
                assertEquals(received + 1, looping.counter(PortCounter.RX_FRAMES), named.caseName());
            }
            else
            {
                assertEquals(dmaFaults + 1, looping.counter(PortCounter.RX_DROP_DMA_FAULT), named.caseName());
            }
        }
    }

    /**
     * The review finding: the oracle accepted the looped frame dropped under any one counter. Here the receiver is
     * turned off after the case was set up, so the engine drops the looped frame as rx_drop_disabled: one drop, on its
     * own port, nothing sent to the switch, which the old oracle took for success.
     */
    @Test
    void shouldReportALoopedFrameDroppedUnderAnotherCounter()
    {
        final HostilePort looping = rig.switchPort();
        final long disabled = looping.counter(PortCounter.RX_DROP_DISABLED);
        final FuzzCases.Check check = rig.applyNamed(NamedCase.TX_LOOPBACK_DMA_INTO_TDT);
        looping.write(E1000Registers.RCTL, 0);
        rig.settle();

        assertEquals(disabled + 1, looping.counter(PortCounter.RX_DROP_DISABLED));
        final String failure = check.verify();
        assertNotNull(failure, "a looped frame dropped as rx_drop_disabled passed the oracle");
        assertTrue(failure.contains("dropped under rx_drop_dma_fault") && failure.contains("rx_drop_disabled+1"),
            failure);
    }

    @Test
    void shouldReachTxDropLinkDownByTakingTheLinkDown()
    {
        assertReaches(NamedCase.TX_LINK_DOWN, PortCounter.TX_DROP_LINK_DOWN, rig.switchPort(), rig.wirePort(),
            rig.loopbackPort());
    }

    @Test
    void shouldReachRxDropBudgetWithSparseBuffers()
    {
        assertReaches(NamedCase.RX_SPARSE_BUFFERS, PortCounter.RX_DROP_BUDGET, rig.wirePort());
    }

    @Test
    void shouldReachTxDropResetByResettingDuringTso()
    {
        assertReaches(NamedCase.TX_RESET_MID_TSO, PortCounter.TX_DROP_RESET, rig.wirePort());
    }

    @Test
    void shouldReachRxDropGsoSizeFromTheTapsHostSide()
    {
        assertReaches(NamedCase.RX_TAP_GSO_SIZE_BELOW_FLOOR, PortCounter.RX_DROP_GSO_SIZE, rig.tapPort());
    }

    @Test
    void shouldDeliverEverySegmentOfAGsoFrameFromTheTap()
    {
        assertReaches(NamedCase.RX_TAP_GSO_FRAME, PortCounter.RX_FRAMES, rig.tapPort());
    }

    @Test
    void shouldReachTxDropStormWithAStorm()
    {
        assertReaches(NamedCase.TX_FLOOD_STORM, PortCounter.TX_DROP_STORM, rig.wirePort());
    }

    /**
     * Run a case {@link #REPEATS} times, each time settled and its oracle satisfied, and require that the counter
     * moved on the given ports in most of them.
     */
    private void assertReaches(final NamedCase named, final PortCounter counter, final HostilePort... ports)
    {
        int reached = 0;
        for (int i = 0; i < REPEATS; i++)
        {
            final long before = sum(counter, ports);
            final FuzzCases.Check check = rig.applyNamed(named);
            rig.settle();
            assertNull(check.verify(), named.caseName() + " repeat " + i);
            reached += sum(counter, ports) > before ? 1 : 0;
        }
        assertTrue(reached >= REPEATS / 2, named.caseName() + " reached " + counter.counterName() + " in " + reached +
            " of " + REPEATS);
    }

    private static long sum(final PortCounter counter, final HostilePort... ports)
    {
        long total = 0;
        for (final HostilePort port : ports)
        {
            total += port.counter(counter);
        }
        return total;
    }
}
