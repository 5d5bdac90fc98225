package io.sidecore.launcher.vfiouser;

import io.sidecore.shm.os.EventFd;
import io.sidecore.shm.os.Fds;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * INTx semantics of {@link IntxLine}: level from the device, a signal on a rising edge while unmasked, automask,
 * a new signal on unmask while the level is still high, the resample eventfd as an unmask.
 */
class IntxLineTest
{
    private final IntxLine line = new IntxLine();
    private EventFd trigger;
    private EventFd resample;

    @BeforeEach
    void setUp()
    {
        trigger = EventFd.create(EventFd.EFD_NONBLOCK);
        resample = EventFd.create(EventFd.EFD_NONBLOCK);
        line.setTrigger(Fds.duplicate(trigger.fd()));
    }

    @AfterEach
    void tearDown()
    {
        line.disable();
        trigger.close();
        resample.close();
    }

    @Test
    void shouldSignalOnceAndAutomaskWhenLevelRisesWhileUnmasked()
    {
        line.onLevelChange(true);
        assertEquals(1, trigger.drain());
        assertTrue(line.masked());
        line.onLevelChange(false);
        line.onLevelChange(true);
        assertEquals(0, trigger.drain(), "masked: no second signal");
        assertEquals(1, line.triggerSignals());
    }

    @Test
    void shouldSignalAgainWhenUnmaskedWhileLevelIsStillHigh()
    {
        line.onLevelChange(true);
        trigger.drain();
        line.unmask();
        assertEquals(1, trigger.drain(), "the interrupt that is still pending is not lost");
        assertTrue(line.masked(), "and the line is automasked again");
    }

    @Test
    void shouldStayQuietWhenUnmaskedAfterLevelFell()
    {
        line.onLevelChange(true);
        trigger.drain();
        line.onLevelChange(false);
        line.unmask();
        assertEquals(0, trigger.drain());
        assertFalse(line.masked());
        line.onLevelChange(true);
        assertEquals(1, trigger.drain(), "the next rising edge signals");
    }

    @Test
    void shouldNotSignalWhileMaskedByTheClient()
    {
        line.mask();
        line.onLevelChange(true);
        assertEquals(0, trigger.drain());
        line.unmask();
        assertEquals(1, trigger.drain());
    }

    @Test
    void shouldUnmaskWhenResampleEventfdIsSignalled()
    {
        line.setResample(Fds.duplicate(resample.fd()));
        line.onLevelChange(true);
        trigger.drain();
        resample.signal();
        line.onResample();
        assertEquals(1, trigger.drain(), "EOI with the level still high re-signals");
        assertEquals(0, resample.drain(), "the resample count was taken");
    }

    @Test
    void shouldSignalAtOnceWhenTriggerArrivesWhileLevelIsHigh()
    {
        line.clearTrigger();
        line.onLevelChange(true);
        assertFalse(line.hasTrigger());
        line.setTrigger(Fds.duplicate(trigger.fd()));
        assertEquals(1, trigger.drain());
    }

    @Test
    void shouldStopSignallingWhenDisabled()
    {
        line.disable();
        line.onLevelChange(true);
        assertEquals(0, trigger.drain());
        assertEquals(-1, line.resampleFd());
        assertEquals(0, line.signalFailures());
    }
}
