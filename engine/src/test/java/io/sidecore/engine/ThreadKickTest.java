package io.sidecore.engine;

import io.sidecore.engine.agent.ThreadKick;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ThreadKickTest
{
    private final ThreadKick kick = new ThreadKick();

    @Test
    void shouldReturnAtOnceWhenSignalledBeforeAwait()
    {
        kick.signal();

        assertTrue(kick.isSignalled());
        assertTrue(kick.await(Long.MAX_VALUE));
        assertFalse(kick.isSignalled(), "await consumes the signal");
    }

    @Test
    void shouldReportTimeoutWhenNotSignalled()
    {
        assertFalse(kick.await(1));
    }

    @Test
    void shouldRememberOneSignalWhenSignalledTwice()
    {
        kick.signal();
        kick.signal();

        assertTrue(kick.await(1));
        assertFalse(kick.await(1));
    }
}
