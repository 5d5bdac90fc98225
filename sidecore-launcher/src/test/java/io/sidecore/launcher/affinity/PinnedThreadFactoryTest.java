package io.sidecore.launcher.affinity;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The factory's thread body is run on the test thread ({@code newThread(work).run()}), so no thread is started.
 */
class PinnedThreadFactoryTest
{
    private final ByteArrayOutputStream warnings = new ByteArrayOutputStream();
    private final AtomicInteger runs = new AtomicInteger();

    @Test
    void shouldRunUnpinnedWithoutWarningWhenPinningNotAsked() throws InterruptedException
    {
        final PinnedThreadFactory factory = factory(PinnedThreadFactory.ANY_FREE_CPU, false);
        assertEquals(PinnedThreadFactory.PENDING, factory.boundCpu());

        factory.newThread(runs::incrementAndGet).run();

        assertEquals(1, runs.get());
        assertEquals(PinnedThreadFactory.NOT_PINNED, factory.awaitCpu(0));
        assertEquals("", warnings());
    }

    @Test
    void shouldWarnOnceAndRunUnpinnedWhenRequestedCpuDoesNotExist() throws InterruptedException
    {
        final PinnedThreadFactory factory = factory(4096, true);

        factory.newThread(runs::incrementAndGet).run();

        assertEquals(1, runs.get());
        assertEquals(PinnedThreadFactory.NOT_PINNED, factory.awaitCpu(0));
        final String text = warnings();
        assertTrue(text.startsWith("sidecore: warning: sidecore-0 not pinned ("), text);
        assertTrue(text.endsWith("; running unpinned" + System.lineSeparator()), text);
        assertEquals(1, text.lines().count(), text);
    }

    @Test
    void shouldMakeNamedDaemonThread()
    {
        final Thread thread = factory(PinnedThreadFactory.ANY_FREE_CPU, false).newThread(runs::incrementAndGet);

        assertEquals("sidecore-0", thread.getName());
        assertTrue(thread.isDaemon());
        assertEquals(0, runs.get());
    }

    @Test
    void shouldRejectNegativeCpuOtherThanAny()
    {
        assertThrows(IllegalArgumentException.class, () -> factory(-2, true));
    }

    @Test
    void shouldLeaveAffinityAloneWhenNoCpuToAvoid()
    {
        assertNull(CpuAffinity.avoid());
        assertNull(CpuAffinity.avoid(-1, PinnedThreadFactory.NOT_PINNED));
    }

    private PinnedThreadFactory factory(final int cpu, final boolean pin)
    {
        return new PinnedThreadFactory(
            "sidecore-0", cpu, pin, new PrintStream(warnings, true, StandardCharsets.UTF_8));
    }

    private String warnings()
    {
        return warnings.toString(StandardCharsets.UTF_8);
    }
}
