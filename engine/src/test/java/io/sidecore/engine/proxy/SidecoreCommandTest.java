package io.sidecore.engine.proxy;

import io.sidecore.engine.agent.SidecoreAgent;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a requester sees of a command whatever its {@code run} does on the sidecore thread: the command always leaves
 * {@code RUNNING}, so no requester waits on it for ever.
 */
class SidecoreCommandTest
{
    @Test
    void shouldCompleteDoneWhenTheCommandRuns()
    {
        final SidecoreCommand command = commandThatThrows(null);

        assertTrue(command.execute(null, 0));

        assertTrue(command.isComplete());
        assertNull(command.failure());
    }

    @Test
    void shouldCompleteFailedWithTheExceptionWhenTheCommandThrowsOne()
    {
        final IllegalArgumentException refusal = new IllegalArgumentException("refused");
        final SidecoreCommand command = commandThatThrows(refusal);

        assertTrue(command.execute(null, 0), "an exception does not escape into the agent");

        assertTrue(command.isComplete());
        assertSame(refusal, command.failure());
    }

    @Test
    void shouldCompleteFailedWhenTheSidecoreThreadThrowsAnError()
    {
        final InternalError error = new InternalError("injected");
        final SidecoreCommand command = commandThatThrows(error);

        assertSame(error, assertThrows(InternalError.class, () -> command.execute(null, 0)),
            "the error propagates into the agent's runner");

        assertTrue(command.isComplete(), "the requester is answered");
        final SidecoreCommand another = commandThatThrows(new InternalError("again"));
        assertThrows(InternalError.class, () -> another.execute(null, 0));
        assertNotNull(command.failure());
        assertSame(command.failure(), another.failure(),
            "one preallocated failure: nothing is allocated on the sidecore thread to publish it");
    }

    @Test
    void shouldCompleteFailedWhenHandlingTheSidecoresErrorFailsToo()
    {
        // An error whose description cannot be made (as when the heap is exhausted): whatever the handling of the
        // first error throws, the command must not stay RUNNING.
        final Error unprintable = new Error()
        {
            private static final long serialVersionUID = 1L;

            @Override
            public String toString()
            {
                throw new OutOfMemoryError("injected while the error is handled");
            }

            @Override
            public String getMessage()
            {
                throw new OutOfMemoryError("injected while the error is handled");
            }
        };
        final SidecoreCommand command = commandThatThrows(unprintable);

        assertThrows(Error.class, () -> command.execute(null, 0));

        assertTrue(command.isComplete(), "the requester is answered, not left waiting on RUNNING");
        assertNotNull(command.failure(), "as failed");
    }

    @Test
    void shouldNotRunACancelledCommand()
    {
        final SidecoreCommand command = commandThatThrows(new InternalError("must not run"));

        assertTrue(command.tryCancel());

        assertFalse(command.execute(null, 0));
        assertTrue(command.isCancelled());
        assertFalse(command.isComplete());
    }

    private static SidecoreCommand commandThatThrows(final Throwable thrown)
    {
        return new SidecoreCommand()
        {
            @Override
            void run(final SidecoreAgent agent, final long nowNs)
            {
                if (thrown instanceof RuntimeException ex)
                {
                    throw ex;
                }
                if (thrown instanceof Error error)
                {
                    throw error;
                }
            }
        };
    }
}
