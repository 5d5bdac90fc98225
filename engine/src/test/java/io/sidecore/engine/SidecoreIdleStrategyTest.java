package io.sidecore.engine;

import io.sidecore.engine.agent.Kick;
import io.sidecore.engine.agent.SidecoreIdleStrategy;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SidecoreIdleStrategyTest
{
    private final RecordingKick kick = new RecordingKick();
    private final RecordingListener listener = new RecordingListener();

    @Test
    void shouldNeverParkWhenBusy()
    {
        final SidecoreIdleStrategy strategy = new SidecoreIdleStrategy("busy", 1, 1, 1000, 50_000, kick)
            .parkListener(listener);

        for (int i = 0; i < 10_000; i++)
        {
            strategy.idle(0);
        }

        assertEquals(0, kick.awaits.size());
        assertEquals(0, listener.prepares);
        assertEquals("busy", strategy.alias());
        assertEquals(0, strategy.maxParkPeriodNs());
    }

    @Test
    void shouldSpinThenYieldThenParkWhenAdaptive()
    {
        final SidecoreIdleStrategy strategy = new SidecoreIdleStrategy("adaptive", 3, 2, 1000, 50_000, kick)
            .parkListener(listener);

        for (int i = 0; i < 7; i++)
        {
            strategy.idle(0);
        }
        assertEquals(0, kick.awaits.size(), "3 spins, 2 yields, then the switch to parking");

        strategy.idle(0);
        assertEquals(List.of(1000L), kick.awaits);
        assertEquals(1, listener.prepares);
    }

    @Test
    void shouldDoubleParkPeriodUpToBoundWhenIdle()
    {
        final SidecoreIdleStrategy strategy = new SidecoreIdleStrategy("adaptive", 0, 0, 10_000, 50_000, kick)
            .parkListener(listener);

        for (int i = 0; i < 9; i++)
        {
            strategy.idle(0);
        }

        assertEquals(List.of(10_000L, 20_000L, 40_000L, 50_000L, 50_000L, 50_000L), kick.awaits,
            "enter spinning, enter yielding, enter parking, then six parks");
    }

    @Test
    void shouldStayAwakeWhenListenerFindsWork()
    {
        final SidecoreIdleStrategy strategy = new SidecoreIdleStrategy("adaptive", 0, 0, 1000, 50_000, kick)
            .parkListener(listener);
        listener.grant = 0;

        for (int i = 0; i < 10; i++)
        {
            strategy.idle(0);
        }

        assertEquals(0, kick.awaits.size());
        assertTrue(listener.prepares > 0);
    }

    @Test
    void shouldParkNoLongerThanListenerAllows()
    {
        final SidecoreIdleStrategy strategy = new SidecoreIdleStrategy("adaptive", 0, 0, 40_000, 50_000, kick)
            .parkListener(listener);
        listener.grant = 7_000;

        for (int i = 0; i < 4; i++)
        {
            strategy.idle(0);
        }

        assertEquals(List.of(7_000L), kick.awaits);
    }

    @Test
    void shouldResetToSpinningWhenKicked()
    {
        final SidecoreIdleStrategy strategy = new SidecoreIdleStrategy("adaptive", 2, 0, 1000, 50_000, kick)
            .parkListener(listener);
        kick.kickNext = true;

        for (int i = 0; i < 5; i++)
        {
            strategy.idle(0);
        }
        assertEquals(1, kick.awaits.size());
        assertEquals(List.of(true), listener.ends);

        for (int i = 0; i < 3; i++)
        {
            strategy.idle(0);
        }
        assertEquals(1, kick.awaits.size(), "spinning again after the kick");
    }

    @Test
    void shouldResetWhenWorkDone()
    {
        final SidecoreIdleStrategy strategy = new SidecoreIdleStrategy("adaptive", 1, 0, 1000, 50_000, kick)
            .parkListener(listener);
        for (int i = 0; i < 3; i++)
        {
            strategy.idle(0);
        }
        final int awaitsBefore = kick.awaits.size();

        strategy.idle(5);
        strategy.idle(0);
        strategy.idle(0);

        assertEquals(awaitsBefore, kick.awaits.size());
    }

    @Test
    void shouldRejectUnknownAlias()
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> new SidecoreIdleStrategy("sleepy", 1, 1, 1, 1, kick));
        assertEquals("idle strategy must be 'busy' or 'adaptive': sleepy", ex.getMessage());
    }

    static final class RecordingKick implements Kick
    {
        final List<Long> awaits = new ArrayList<>();
        boolean kickNext;

        public void signal()
        {
            kickNext = true;
        }

        public boolean await(final long timeoutNs)
        {
            awaits.add(timeoutNs);
            final boolean kicked = kickNext;
            kickNext = false;
            return kicked;
        }
    }

    static final class RecordingListener implements SidecoreIdleStrategy.ParkListener
    {
        int prepares;
        long grant = Long.MAX_VALUE;
        final List<Boolean> ends = new ArrayList<>();

        public long onParkPrepare(final long parkNs)
        {
            prepares++;
            return Math.min(parkNs, grant);
        }

        public void onParkEnd(final boolean kicked)
        {
            ends.add(kicked);
        }
    }
}
