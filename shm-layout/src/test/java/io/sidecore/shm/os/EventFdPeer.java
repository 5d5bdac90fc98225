package io.sidecore.shm.os;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The child process of {@link EventFdCrossProcessSystemTest}: plays the guest/VMM side of an interrupt eventfd.
 * <ul>
 *   <li>{@code wait N}: creates an "irq" and an "ack" eventfd and a memfd, prints {@code FDS irq ack mem}, then N
 *       times waits for the irq, drains it, checks the sequence number the parent wrote into the memfd first,
 *       and signals ack. Prints {@code SEEN total WAKEUPS w MISMATCHES m}.</li>
 *   <li>{@code signal N}: creates one eventfd, prints {@code FDS fd}, waits for a {@code GO} line on stdin, then
 *       signals it N times and prints {@code SIGNALLED N}.</li>
 * </ul>
 * Exit status 0 on success, 2 on a timeout.
 */
public final class EventFdPeer
{
    private static final int TIMEOUT_MS = 20_000;

    private EventFdPeer()
    {
    }

    /**
     * @param args mode and count.
     * @throws Exception on I/O failure.
     */
    public static void main(final String[] args) throws Exception
    {
        final String mode = args[0];
        final int count = Integer.parseInt(args[1]);
        if ("wait".equals(mode))
        {
            System.exit(waitForSignals(count));
        }
        else
        {
            System.exit(sendSignals(count));
        }
    }

    private static int waitForSignals(final int count)
    {
        try (EventFd irq = EventFd.create(EventFd.EFD_NONBLOCK | EventFd.EFD_CLOEXEC);
            EventFd ack = EventFd.create(EventFd.EFD_NONBLOCK | EventFd.EFD_CLOEXEC);
            MemFd memFd = MemFd.create("sc-peer", 4096);
            Arena arena = Arena.ofConfined())
        {
            final MemorySegment shared = memFd.map(arena);
            System.out.println("FDS " + irq.fd() + " " + ack.fd() + " " + memFd.fd());
            System.out.flush();
            long total = 0;
            int wakeups = 0;
            int mismatches = 0;
            while (wakeups < count)
            {
                if (!irq.await(TIMEOUT_MS))
                {
                    System.out.println("TIMEOUT after " + wakeups + " wakeups");
                    return 2;
                }
                final long value = irq.drain();
                total += value;
                wakeups++;
                final long sequence = shared.get(JAVA_LONG, 0);
                if (sequence != wakeups)
                {
                    mismatches++;
                }
                shared.set(JAVA_LONG, 8, total);
                ack.signal();
            }
            System.out.println("SEEN " + total + " WAKEUPS " + wakeups + " MISMATCHES " + mismatches);
            return 0;
        }
    }

    private static int sendSignals(final int count) throws Exception
    {
        try (EventFd eventFd = EventFd.create(EventFd.EFD_NONBLOCK | EventFd.EFD_CLOEXEC))
        {
            System.out.println("FDS " + eventFd.fd());
            System.out.flush();
            final BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
            if (!"GO".equals(in.readLine()))
            {
                return 2;
            }
            for (int i = 0; i < count; i++)
            {
                eventFd.signal();
            }
            System.out.println("SIGNALLED " + count);
            return 0;
        }
    }
}
