package io.sidecore.engine;

import io.sidecore.engine.agent.SidecoreAgent;
import io.sidecore.engine.agent.SidecoreEngine;
import io.sidecore.engine.mem.GuestMemoryRegion;
import io.sidecore.shm.CsbDescriptor;
import org.agrona.concurrent.CachedNanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The CSB keeps a host address into guest memory across duty cycles; when the VMM removes or replaces guest-memory
 * regions (DMA_UNMAP) the sidecore must translate it again before its next use, and never touch the old memory
 * again, whether the block survives the change or not.
 */
class CsbGuestMemoryChangeTest
{
    private static final long CSB_GPA = TestGuest.RAM_GPA + 0x18_0000L;
    private static final int CSB_OFFSET = (int)(CSB_GPA - TestGuest.RAM_GPA);
    private static final int SENTINEL = 0x5A5A_5A5A;

    private final CachedNanoClock clock = new CachedNanoClock();
    private final RecordingBackend backend = new RecordingBackend("csb-mem", new ArrayList<>());
    private SidecoreEngine engine;
    private TestGuest guest;

    @BeforeEach
    void startRegistered()
    {
        engine = new SidecoreEngine(TestContexts.invoker(clock, 1));
        guest = new TestGuest(1, true);
        guest.attach(engine.proxy(), backend);
        guest.setUpTx(256);
        guest.registerCsb(CSB_GPA, CsbDescriptor.MAGIC, CsbDescriptor.CSB_VERSION);
        engine.doWork();
        assertTrue(guest.port.isCsbActive());
    }

    @AfterEach
    void tearDown()
    {
        engine.close();
    }

    @Test
    void shouldKeepServingCsbWhenAnotherRegionIsRemoved()
    {
        guest.guestMemory.addRegion(0x1_0000_0000L, Arena.ofAuto().allocate(0x1000, 4096));
        engine.doWork();
        guest.guestMemory.remove(0x1_0000_0000L, 0x1000);

        queue(5);
        guest.ringTxCsb();
        engine.doWork();

        assertTrue(guest.port.isCsbActive());
        assertEquals(5, backend.frames.size());
        assertEquals(5, guest.csb(CsbDescriptor.HOST_TDH_FIELD_OFFSET));
    }

    @Test
    void shouldReleaseCsbAndNeverWriteOldMemoryWhenItsRegionIsReplacedByOneWithoutIt()
    {
        final SidecoreAgent agent = engine.agent(0);
        agent.onParkPrepare(50_000);
        assertEquals(CsbDescriptor.NEED_KICK, guest.csb(CsbDescriptor.HOST_NEED_TXKICK_FIELD_OFFSET));

        guest.guestMemory.replace(TestGuest.RAM_GPA, TestGuest.RAM_BYTES, GuestMemoryRegion.ofSegment(
            TestGuest.RAM_GPA, Arena.ofAuto().allocate(TestGuest.RAM_BYTES, 4096), GuestMemoryRegion.READ_WRITE));
        guest.csb(CsbDescriptor.HOST_NEED_TXKICK_FIELD_OFFSET, SENTINEL);
        guest.csb(CsbDescriptor.HOST_NEED_RXKICK_FIELD_OFFSET, SENTINEL);
        guest.csb(CsbDescriptor.HOST_TDH_FIELD_OFFSET, SENTINEL);

        agent.onParkEnd(true);
        engine.doWork();
        agent.onParkPrepare(50_000);
        agent.onParkEnd(false);

        assertFalse(guest.port.isCsbActive());
        assertEquals(SENTINEL, guest.csb(CsbDescriptor.HOST_NEED_TXKICK_FIELD_OFFSET));
        assertEquals(SENTINEL, guest.csb(CsbDescriptor.HOST_NEED_RXKICK_FIELD_OFFSET));
        assertEquals(SENTINEL, guest.csb(CsbDescriptor.HOST_TDH_FIELD_OFFSET));
    }

    @Test
    void shouldServeCsbAtItsNewHostAddressWhenItsRegionIsReplacedByACopy()
    {
        final SidecoreAgent agent = engine.agent(0);
        final MemorySegment copy = Arena.ofAuto().allocate(TestGuest.RAM_BYTES, 4096);
        MemorySegment.copy(guest.ram, 0, copy, 0, TestGuest.RAM_BYTES);
        final UnsafeBuffer copyBuffer = new UnsafeBuffer(copy.address(), TestGuest.RAM_BYTES);

        guest.guestMemory.replace(TestGuest.RAM_GPA, TestGuest.RAM_BYTES,
            GuestMemoryRegion.ofSegment(TestGuest.RAM_GPA, copy, GuestMemoryRegion.READ_WRITE));
        guest.csb(CsbDescriptor.HOST_NEED_TXKICK_FIELD_OFFSET, SENTINEL);
        engine.doWork();
        agent.onParkPrepare(50_000);

        assertTrue(guest.port.isCsbActive());
        assertEquals(CsbDescriptor.NEED_KICK,
            copyBuffer.getIntVolatile(CSB_OFFSET + CsbDescriptor.HOST_NEED_TXKICK_FIELD_OFFSET));
        assertEquals(SENTINEL, guest.csb(CsbDescriptor.HOST_NEED_TXKICK_FIELD_OFFSET));
    }

    private void queue(final int frames)
    {
        for (int i = 0; i < frames; i++)
        {
            assertTrue(guest.queue(guest.frameTo(TestGuest.macOf(999), 60, i)));
        }
    }
}
