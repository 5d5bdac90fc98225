package io.sidecore.engine;

import io.sidecore.engine.agent.SidecoreEngine;
import io.sidecore.engine.backend.PortBackend;
import io.sidecore.engine.frame.FrameMetadata;
import io.sidecore.engine.frame.FrameSink;
import io.sidecore.shm.E1000Registers;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.CachedNanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The RX batch a duty cycle opens around its port pass ends in that cycle whatever the pass throws: the frames a port
 * received before the throw have their RDH published and their RX interrupt raised at once, not one pass late with
 * the next pass's time, and the next pass starts from a clean batch.
 */
class RxBatchFaultTest
{
    private static final int RX_DESCRIPTORS = 64;
    private static final int FRAME_BYTES = 60;

    private final CachedNanoClock clock = new CachedNanoClock();
    private final SidecoreEngine engine = new SidecoreEngine(TestContexts.invoker(clock, 1));

    @AfterEach
    void tearDown()
    {
        engine.close();
    }

    @Test
    void shouldEndTheRxBatchOfTheCycleWhenThePassThrowsAfterAFrameWasReceived()
    {
        final FaultingBackend backend = new FaultingBackend();
        final TestGuest guest = new TestGuest(1);
        guest.attach(engine.proxy(), backend);
        guest.setUpRx(RX_DESCRIPTORS);
        engine.proxy().mmioWrite(guest.port, E1000Registers.IMS, E1000Registers.ICR_RXT0);
        engine.doWork();
        guest.irqLevels.clear();

        backend.deliver(1, true);
        clock.advance(1_000);
        final IllegalStateException thrown = assertThrows(IllegalStateException.class, engine::doWork);

        assertSame(backend.injected, thrown, "the backend's throw reached the pass");
        assertEquals(1, guest.registers.get(E1000Registers.RDH), "RDH of the received frame published in its cycle");
        assertEquals(List.of(true), guest.irqLevels, "its RX interrupt raised in its cycle");

        backend.deliver(1, false);
        clock.advance(1_000);
        engine.doWork();

        assertEquals(2, guest.registers.get(E1000Registers.RDH), "the next pass's frame is published in its pass");
        final int icr = engine.proxy().mmioRead(guest.port, E1000Registers.ICR);
        assertTrue(0 != (icr & E1000Registers.ICR_RXT0), "ICR 0x" + Integer.toHexString(icr));
        assertEquals(2, guest.drainRx(), "both frames completed in the ring");
    }

    /**
     * A backend that hands the guest a given number of frames in its next poll, then throws if asked to: a fault in
     * the middle of a port's RX work, after frames were placed.
     */
    private static final class FaultingBackend implements PortBackend
    {
        final IllegalStateException injected = new IllegalStateException("injected backend fault");
        private final UnsafeBuffer frame = new UnsafeBuffer(new byte[FRAME_BYTES]);
        private final FrameMetadata metadata = new FrameMetadata();
        private int framesToDeliver;
        private boolean throwAfter;

        FaultingBackend()
        {
            for (int i = 0; i < 6; i++)
            {
                frame.putByte(i, (byte)0xFF);
            }
            frame.putByte(6, (byte)0x02);
            frame.putShort(12, (short)0x0008);
        }

        void deliver(final int frames, final boolean thenThrow)
        {
            framesToDeliver = frames;
            throwAfter = thenThrow;
        }

        public int poll(final long nowNs, final FrameSink toGuest, final int frameBudget, final long byteBudget)
        {
            int delivered = 0;
            while (framesToDeliver > 0)
            {
                framesToDeliver--;
                toGuest.onFrame(frame, 0, FRAME_BYTES, metadata.reset(), nowNs);
                delivered++;
            }
            if (throwAfter)
            {
                throwAfter = false;
                throw injected;
            }
            return delivered;
        }

        public int onFrame(
            final DirectBuffer buffer, final int offset, final int lengthBytes, final FrameMetadata frameMetadata,
            final long nowNs)
        {
            return DELIVERED;
        }

        public void close()
        {
        }

        public String typeName()
        {
            return "faulting";
        }
    }
}
