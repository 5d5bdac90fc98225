package io.sidecore.engine;

import io.sidecore.engine.agent.SidecoreAgent;
import io.sidecore.engine.agent.SidecoreEngine;
import io.sidecore.engine.backend.PortBackend;
import io.sidecore.engine.e1000.PortConfig;
import io.sidecore.engine.frame.FrameMetadata;
import io.sidecore.engine.frame.FrameSink;
import io.sidecore.engine.proxy.TrappedAccess;
import io.sidecore.shm.E1000Registers;
import io.sidecore.shm.PortCounter;
import io.sidecore.shm.PortRegionDescriptor;
import io.sidecore.shm.SidecoreCounter;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.CachedNanoClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The cross-sidecore drain (review F7): frames another sidecore switched to this one are taken within the drain
 * limit per duty cycle, a command that comes to wait meanwhile (a guest's trapped access) is answered within
 * {@link SidecoreAgent#CROSS_SHARD_FRAMES_BEFORE_YIELD} frames rather than after the whole drain, and the drain's
 * time is counted in the sidecore's {@code cross_shard_drain_ns}. Sidecore 0's guest A broadcasts; on sidecore 1, guest
 * B and an uplink whose host side is scripted (each frame takes {@value #FRAME_COST_NS} ns of the injected clock,
 * and one frame can offer a trapped access) receive each frame.
 */
class CrossShardDrainTest
{
    private static final int FRAMES = 100;
    private static final int DRAIN_LIMIT = 64;
    private static final long FRAME_COST_NS = 100;
    private static final int RING = 256;
    private static final int PASS_LIMIT = 100;
    private static final byte[] BROADCAST = {-1, -1, -1, -1, -1, -1};

    private final CachedNanoClock clock = new CachedNanoClock();
    private final SidecoreEngine engine = new SidecoreEngine(TestContexts.invoker(clock, 2)
        .crossShardRingLengthBytes(1 << 20)
        .crossShardDrainLimit(DRAIN_LIMIT));
    private final TestGuest a = new TestGuest(1);
    private final TestGuest b = new TestGuest(2);
    private final HostSide host = new HostSide();

    @AfterEach
    void tearDown()
    {
        engine.close();
    }

    @Test
    void shouldAnswerACommandThatComesDuringTheDrainWithinSixteenFramesAndKeepTheDrainLimit()
    {
        attach();
        queueBroadcasts();
        host.offerAt = 20;

        agent(1).doWork();

        assertEquals(DRAIN_LIMIT, host.frames, "the drain limit bounds the step, yields included");
        assertNotNull(host.access, "the access was offered at the 20th frame");
        assertTrue(host.framesBeforeAnswer > 0, "the access was answered during the drain, not after it");
        assertTrue(host.framesBeforeAnswer <= 20 + SidecoreAgent.CROSS_SHARD_FRAMES_BEFORE_YIELD,
            "answered within 16 frames of its offer: after frame " + host.framesBeforeAnswer);
        assertTrue(host.access.isComplete());
        host.access.end();

        agent(1).doWork();
        assertEquals(FRAMES, host.frames, "the rest in the next cycle");
    }

    @Test
    void shouldCountTheDrainsTimeInTheSidecoreNotInAPort()
    {
        attach();
        queueBroadcasts();
        final long drainBefore = sidecoreCounter(1, SidecoreCounter.CROSS_SHARD_DRAIN_NS);
        final long receiverCpuBefore = b.port.counters().get(PortCounter.CPU_NS);

        agent(1).doWork();

        assertEquals(DRAIN_LIMIT * FRAME_COST_NS, sidecoreCounter(1, SidecoreCounter.CROSS_SHARD_DRAIN_NS) -
            drainBefore, "the drain's clock time, charged to the sidecore");
        assertEquals(receiverCpuBefore, b.port.counters().get(PortCounter.CPU_NS), "not charged to the receiver");
    }

    private void attach()
    {
        a.attachToSwitch(engine.proxy());
        a.setUpTx(RING);
        b.attachToSwitch(engine.proxy());
        b.setUpRx(RING);
        engine.proxy().addUplinkPort(new PortConfig(3, "uplink", TestGuest.macOf(3), false,
            PortRegionDescriptor.DEFAULT_SHARED_PAGES), 1, counters -> host);
        assertEquals(0, engine.proxy().sidecoreIndex(a.port));
        assertEquals(1, engine.proxy().sidecoreIndex(b.port));
    }

    /**
     * A transmits {@value #FRAMES} broadcasts; only sidecore 0 runs until all are in the ring to sidecore 1.
     */
    private void queueBroadcasts()
    {
        for (int i = 0; i < FRAMES; i++)
        {
            assertTrue(a.queue(a.frameTo(BROADCAST, 60, i)));
        }
        a.ringTx();
        final long before = sidecoreCounter(0, SidecoreCounter.CROSS_SHARD_FRAMES);
        for (int pass = 0; pass < PASS_LIMIT && sidecoreCounter(0, SidecoreCounter.CROSS_SHARD_FRAMES) - before <
            FRAMES; pass++)
        {
            agent(0).doWork();
        }
        assertEquals(FRAMES, sidecoreCounter(0, SidecoreCounter.CROSS_SHARD_FRAMES) - before,
            "every broadcast is in the ring to sidecore 1");
        assertEquals(0, host.frames, "sidecore 1 has not run");
    }

    private SidecoreAgent agent(final int index)
    {
        return engine.agent(index);
    }

    private long sidecoreCounter(final int index, final SidecoreCounter counter)
    {
        return agent(index).counters().get(counter).get();
    }

    /**
     * The uplink's host side: counts frames, takes {@value #FRAME_COST_NS} ns of the clock for each, offers a trapped
     * STATUS read of B at frame {@link #offerAt}, and notes after how many frames it was answered.
     */
    private final class HostSide implements PortBackend
    {
        int frames;
        int offerAt = -1;
        int framesBeforeAnswer;
        TrappedAccess access;

        public int poll(final long nowNs, final FrameSink toGuest, final int frameBudget, final long byteBudget)
        {
            return 0;
        }

        public int onFrame(
            final DirectBuffer frame, final int offset, final int lengthBytes, final FrameMetadata metadata,
            final long nowNs)
        {
            if (null != access && 0 == framesBeforeAnswer && access.isComplete())
            {
                framesBeforeAnswer = frames;
            }
            frames++;
            clock.advance(FRAME_COST_NS);
            if (frames == offerAt)
            {
                access = engine.proxy().offerAccess(b.port, TrappedAccess.MMIO_SPACE, false, E1000Registers.STATUS,
                    Integer.BYTES, 0);
            }
            return FrameSink.DELIVERED;
        }

        public void close()
        {
        }

        public String typeName()
        {
            return "scripted-host";
        }
    }
}
