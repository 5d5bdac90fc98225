package io.sidecore.engine.proxy;

import io.sidecore.engine.TestContexts;
import io.sidecore.engine.agent.SidecoreEngine;
import io.sidecore.engine.agent.ThreadingMode;
import io.sidecore.engine.backend.NullBackend;
import io.sidecore.engine.e1000.InterruptLine;
import io.sidecore.engine.e1000.PortConfig;
import io.sidecore.engine.e1000.RegisterImage;
import io.sidecore.engine.mem.GuestMemory;
import io.sidecore.engine.port.Port;
import io.sidecore.shm.PortRegionDescriptor;
import org.agrona.concurrent.CachedNanoClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The proxy's control calls reserve what they need under its lock and wait for the sidecores without it: a call
 * that concerns only healthy sidecores completes while another call waits on a wedged sidecore
 * ({@link CommandWedge}). Deterministic: each healthy call completes before the wedge is let go; the command timeout
 * is long (2 s, so the wedged call would give up only after 22 s), and a healthy call that waited on it would find it
 * done.
 */
class WedgedSidecoreIsolationTest
{
    private static final long COMMAND_TIMEOUT_NS = 2_000_000_000L;
    private static final long WAIT_LIMIT_MS = 60_000;
    private static final int WEDGED = 0;
    private static final int HEALTHY = 1;

    @TempDir
    Path directory;

    private final SidecoreEngine engine = new SidecoreEngine(TestContexts.invoker(new CachedNanoClock(), 2)
        .threadingMode(ThreadingMode.DEDICATED)
        .commandTimeoutNs(COMMAND_TIMEOUT_NS));
    private final EngineProxy proxy = engine.proxy();
    private final SidecoreThreads sidecores = new SidecoreThreads(engine);

    @AfterEach
    void tearDown() throws InterruptedException
    {
        sidecores.close();
    }

    @Test
    void shouldServeAHealthySidecoresPortsWhileAnAddWaitsOnAWedgedSidecore() throws Exception
    {
        sidecores.startAll();
        final Port kept = add(1, HEALTHY);
        final Port removed = add(2, HEALTHY);
        final CommandWedge wedge = sidecores.wedgeNext(WEDGED, Commands.AddPort.class);
        final CompletableFuture<Port> wedged = CompletableFuture.supplyAsync(() -> add(3, WEDGED));
        assertTrue(wedge.awaitHolding(WAIT_LIMIT_MS), "the add reached the wedged sidecore");

        final Port added = add(4, HEALTHY);
        proxy.removePort(removed);
        proxy.startCapture(kept, directory.resolve("kept.pcapng"), 0, 1);
        final CaptureSummary capture = proxy.stopCapture(kept);
        proxy.setLink(kept, false);

        assertFalse(wedged.isDone(), "the healthy sidecore's calls completed while the add waits on the wedged one");
        assertEquals(List.of(kept, added), proxy.ports(), "the waiting add is not listed before it commits");
        assertEquals(2, proxy.portCount(HEALTHY));
        assertEquals(1, proxy.portCount(WEDGED), "the waiting add's place is reserved");
        assertEquals(0, capture.framesCaptured());
        wedge.release();
        final Port late = wedged.get(WAIT_LIMIT_MS, TimeUnit.MILLISECONDS);
        assertEquals(List.of(kept, added, late), proxy.ports());
        assertEquals(WEDGED, proxy.sidecoreIndex(late));
        assertTrue(engine.agent(WEDGED).owns(late));
    }

    private Port add(final int id, final int sidecore)
    {
        final PortConfig config = new PortConfig(id, "g" + id, new byte[]{0x02, 0, 0, 0, 0, (byte)id}, false,
            PortRegionDescriptor.DEFAULT_SHARED_PAGES);
        return proxy.addPort(config, RegisterImage.allocate(), new GuestMemory(), InterruptLine.NONE, sidecore,
            counters -> new NullBackend());
    }
}
