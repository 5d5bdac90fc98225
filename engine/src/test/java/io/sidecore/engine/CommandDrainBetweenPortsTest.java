package io.sidecore.engine;

import io.sidecore.engine.agent.SidecoreEngine;
import io.sidecore.engine.backend.PortBackend;
import io.sidecore.engine.frame.FrameMetadata;
import io.sidecore.engine.frame.FrameSink;
import io.sidecore.engine.proxy.Commands;
import io.sidecore.engine.proxy.TrappedAccess;
import io.sidecore.shm.E1000Registers;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.CachedNanoClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Commands are drained between ports, not only at the start of a pass (issue 11 §0): a trapped access queued while
 * a pass is running is answered after the port then working, before the next busy port's work and before the pass
 * ends; a command that changes the set of ports ends the pass where it ran. One duty cycle at a time on an injected
 * clock; the commands are queued from inside the pass, by a backend as it receives a port's frames.
 */
class CommandDrainBetweenPortsTest
{
    private static final int BUSY_PORTS = 8;
    private static final int FRAMES_PER_PORT = 16;

    private final CachedNanoClock clock = new CachedNanoClock();
    private final SidecoreEngine engine = new SidecoreEngine(TestContexts.invoker(clock, 1));
    private final List<String> frameLog = new ArrayList<>();
    private final List<TestGuest> busy = new ArrayList<>();
    private final List<HookBackend> backends = new ArrayList<>();
    private TestGuest victim;

    @AfterEach
    void tearDown()
    {
        engine.close();
    }

    @Test
    void shouldAnswerTrappedReadQueuedDuringPassBeforeNextBusyPortsWork()
    {
        attachPorts();
        final TrappedAccess[] read = new TrappedAccess[1];
        final String[] queuedBy = new String[1];
        for (final HookBackend backend : backends)
        {
            backend.hook = () ->
            {
                if (null == read[0])
                {
                    read[0] = engine.proxy().offerAccess(
                        victim.port, TrappedAccess.MMIO_SPACE, false, E1000Registers.STATUS, Integer.BYTES, 0);
                    queuedBy[0] = backend.name;
                }
                else
                {
                    frameLog.add(backend.name + (read[0].isComplete() ? " answered" : " waiting"));
                }
            };
        }
        queueFrames();

        engine.doWork();

        assertNotNull(read[0], "a port's frame queued the read in the middle of the pass");
        assertTrue(read[0].isComplete(), "the read was answered within the pass that saw it queued");
        assertTrue(0 != read[0].result(), "STATUS read");
        read[0].end();
        int laterFrames = 0;
        for (final String entry : frameLog)
        {
            if (!entry.startsWith(queuedBy[0] + " "))
            {
                laterFrames++;
                assertTrue(entry.endsWith(" answered"), "a later port worked before the read was answered: " + entry);
            }
        }
        assertEquals((BUSY_PORTS - 1) * FRAMES_PER_PORT, laterFrames, "every other busy port worked after it");
        for (final HookBackend backend : backends)
        {
            assertEquals(FRAMES_PER_PORT, backend.frames, backend.name + ": the pass served every port");
        }
    }

    @Test
    void shouldEndPassWhereCommandQueuedDuringItRemovedPort()
    {
        attachPorts();
        final boolean[] queued = new boolean[1];
        for (final HookBackend backend : backends)
        {
            backend.hook = () ->
            {
                if (!queued[0])
                {
                    queued[0] = engine.agent(0).offer(new Commands.RemovePort(victim.port));
                    assertTrue(queued[0], "queued");
                }
            };
        }
        queueFrames();

        engine.doWork();

        assertTrue(queued[0]);
        assertFalse(engine.agent(0).owns(victim.port), "the removal ran within the pass");
        int served = 0;
        for (final HookBackend backend : backends)
        {
            assertTrue(backend.frames == 0 || backend.frames == FRAMES_PER_PORT, backend.name + ": all or nothing");
            served += backend.frames > 0 ? 1 : 0;
        }
        assertEquals(1, served, "the pass ended after the port whose work queued the removal");

        engine.doWork();
        engine.doWork();

        for (final HookBackend backend : backends)
        {
            assertEquals(FRAMES_PER_PORT, backend.frames, backend.name + ": served by the passes that followed");
        }
    }

    private void attachPorts()
    {
        victim = new TestGuest(100);
        victim.attach(engine.proxy(), new RecordingBackend("victim", new ArrayList<>()));
        for (int i = 0; i < BUSY_PORTS; i++)
        {
            final TestGuest guest = new TestGuest(i + 1);
            final HookBackend backend = new HookBackend("port" + i);
            guest.attach(engine.proxy(), backend);
            guest.setUpTx(64);
            busy.add(guest);
            backends.add(backend);
        }
    }

    private void queueFrames()
    {
        for (final TestGuest guest : busy)
        {
            for (int f = 0; f < FRAMES_PER_PORT; f++)
            {
                assertTrue(guest.queue(guest.frameTo(TestGuest.macOf(100), 64, f)));
            }
            guest.ringTx();
        }
    }

    /**
     * A backend that runs a hook on every frame the guest sends it.
     */
    private static final class HookBackend implements PortBackend
    {
        final String name;
        Runnable hook = () -> {};
        int frames;

        HookBackend(final String name)
        {
            this.name = name;
        }

        public int onFrame(
            final DirectBuffer frame, final int offset, final int lengthBytes, final FrameMetadata metadata,
            final long nowNs)
        {
            frames++;
            hook.run();
            return DELIVERED;
        }

        public int poll(final long nowNs, final FrameSink toGuest, final int frameBudget, final long byteBudget)
        {
            return 0;
        }

        public void close()
        {
        }

        public String typeName()
        {
            return "hook";
        }
    }
}
