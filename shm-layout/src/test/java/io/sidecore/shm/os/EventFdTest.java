package io.sidecore.shm.os;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EventFdTest
{
    private static final int FLAGS = EventFd.EFD_NONBLOCK | EventFd.EFD_CLOEXEC;

    @Test
    void shouldDrainSumOfSignalsWhenSignalledSeveralTimes()
    {
        try (EventFd eventFd = EventFd.create(FLAGS))
        {
            assertTrue(eventFd.signal());
            assertTrue(eventFd.signal());
            assertTrue(eventFd.signal(5));

            assertEquals(7, eventFd.drain());
            assertEquals(0, eventFd.drain(), "drain zeroes the counter");
        }
    }

    @Test
    void shouldReturnZeroFromDrainWhenNothingSignalled()
    {
        try (EventFd eventFd = EventFd.create(FLAGS))
        {
            assertEquals(0, eventFd.drain());
        }
    }

    @Test
    void shouldTakeOnePerReadWhenSemaphore()
    {
        try (EventFd eventFd = EventFd.create(FLAGS | EventFd.EFD_SEMAPHORE))
        {
            eventFd.signal(3);

            assertEquals(1, eventFd.drain());
            assertEquals(1, eventFd.drain());
            assertEquals(1, eventFd.drain());
            assertEquals(0, eventFd.drain());
        }
    }

    @Test
    void shouldBeReadableOnlyAfterSignalWhenAwaited()
    {
        try (EventFd eventFd = EventFd.create(FLAGS))
        {
            assertFalse(eventFd.await(0));
            eventFd.signal();
            assertTrue(eventFd.await(0));
            assertTrue(eventFd.await(0), "await does not consume");
            assertEquals(1, eventFd.drain());
            assertFalse(eventFd.await(0));
        }
    }

    @Test
    void shouldReturnFalseWhenCounterWouldOverflow()
    {
        try (EventFd eventFd = EventFd.create(FLAGS))
        {
            assertTrue(eventFd.signal(0xFFFF_FFFF_FFFF_FFFEL));

            assertFalse(eventFd.signal(), "non-blocking eventfd at its maximum refuses with EAGAIN");
            assertEquals(0xFFFF_FFFF_FFFF_FFFEL, eventFd.drain());
        }
    }

    @Test
    void shouldThrowWithErrnoNameAndTextWhenDescriptorInvalid()
    {
        final EventFd bogus = EventFd.adopt(1_000_000);

        final OsException signalFailure = assertThrows(OsException.class, bogus::signal);
        assertEquals(Errno.EBADF, signalFailure.errno());
        assertEquals("write(eventfd=1000000) failed: EBADF (Bad file descriptor)", signalFailure.getMessage());

        final OsException closeFailure = assertThrows(OsException.class, bogus::close);
        assertEquals(Errno.EBADF, closeFailure.errno());
        assertTrue(bogus.isClosed());
    }

    @Test
    void shouldSignalSameCounterWhenDescriptorTakenWithPidfdGetfd()
    {
        try (EventFd original = EventFd.create(FLAGS);
            EventFd copy = EventFd.adopt(Fds.takeFromProcess(ProcessHandle.current().pid(), original.fd())))
        {
            assertTrue(copy.fd() != original.fd());

            copy.signal(4);

            assertEquals(4, original.drain());
        }
    }

    @Test
    void shouldBeNonBlockingWhenCreatedWithNonBlockFlag()
    {
        try (EventFd nonBlocking = EventFd.create(FLAGS); EventFd blocking = EventFd.create(EventFd.EFD_CLOEXEC))
        {
            assertTrue(Fds.isNonBlocking(nonBlocking.fd()));
            assertFalse(Fds.isNonBlocking(blocking.fd()));

            Fds.setNonBlocking(blocking.fd(), true);

            assertTrue(Fds.isNonBlocking(blocking.fd()));
            assertEquals(0, blocking.drain());
        }
    }

    @Test
    void shouldRefuseReopenThroughProcFdWhenEventFdSoPidfdGetfdIsNeeded()
    {
        try (EventFd eventFd = EventFd.create(FLAGS))
        {
            final OsException ex = assertThrows(OsException.class,
                () -> Fds.open("/proc/self/fd/" + eventFd.fd(), LibC.O_RDWR));

            assertEquals(Errno.ENXIO, ex.errno(), "anonymous-inode files cannot be reopened by path");
        }
    }

    @Test
    void shouldBeReadableOnlyAfterSignalWhenAwaitedWithNanosecondTimeout()
    {
        try (EventFd eventFd = EventFd.create(FLAGS))
        {
            assertFalse(eventFd.awaitNs(0));
            assertFalse(eventFd.awaitNs(1));
            eventFd.signal();
            assertTrue(eventFd.awaitNs(1_000_000_000L), "readable: returns at once");
            assertTrue(eventFd.awaitNs(0), "awaitNs does not consume");
            assertEquals(1, eventFd.drain());
            assertFalse(eventFd.awaitNs(0));
        }
    }

    @Test
    void shouldShareCounterWhenDescriptorDuplicated()
    {
        try (EventFd eventFd = EventFd.create(FLAGS); EventFd copy = EventFd.adopt(Fds.duplicate(eventFd.fd())))
        {
            assertTrue(copy.fd() != eventFd.fd());

            copy.signal(2);
            assertTrue(EventFd.signalDescriptor(copy.fd()));

            assertEquals(3, eventFd.drain());
        }
    }

    @Test
    void shouldThrowWithErrnoWhenSignallingClosedDescriptor()
    {
        final OsException ex = assertThrows(OsException.class, () -> EventFd.signalDescriptor(1_000_000));

        assertEquals(Errno.EBADF, ex.errno());
    }

    @Test
    void shouldSetCallingThreadTimerSlack()
    {
        final long before = Fds.timerSlackNs();
        try
        {
            Fds.setTimerSlackNs(2_000);

            assertEquals(2_000, Fds.timerSlackNs());
            assertThrows(IllegalArgumentException.class, () -> Fds.setTimerSlackNs(0));
        }
        finally
        {
            Fds.setTimerSlackNs(before);
        }
    }
}
