package io.sidecore.tools.guest;

import io.sidecore.shm.E1000Registers;
import io.sidecore.shm.PortFault;
import io.sidecore.shm.PortRegionDescriptor;
import io.sidecore.shm.os.MemFd;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The guest side's mapping of a port's two memfds, checked as the descriptor says, seeing what the daemon side
 * writes.
 */
class PortRegionMappingTest
{
    private static final byte[] MAC = { 0x02, 0, 0, 0, 0, 0x05 };

    private final MemFd region = MemFd.create("mapping-test-port", PortRegionDescriptor.REGION_LENGTH);
    private final MemFd doorbells = MemFd.create("mapping-test-doorbells", PortRegionDescriptor.DOORBELL_PAGES_LENGTH);
    private final Arena daemon = Arena.ofShared();
    private final UnsafeBuffer daemonHeader = view(region.map(daemon));
    private final UnsafeBuffer daemonDoorbells = view(doorbells.map(daemon));

    @AfterEach
    void tearDown()
    {
        daemon.close();
        region.close();
        doorbells.close();
    }

    @Test
    void shouldShareDoorbellPagesAndMirrorTheFaultWithTheDaemonSide()
    {
        PortRegionDescriptor.writeHeader(daemonHeader, 5, PortRegionDescriptor.DEFAULT_SHARED_PAGES, MAC, 0);
        PortRegionDescriptor.signalReady(daemonHeader);

        try (PortRegionMapping mapping = PortRegionMapping.map(region, doorbells))
        {
            assertEquals(5, mapping.portId());
            assertEquals(PortRegionDescriptor.DEFAULT_SHARED_PAGES, mapping.sharedPages());
            mapping.doorbellPages().putIntRelease(E1000Registers.TDT, 7);
            daemonDoorbells.putIntRelease(E1000Registers.TDH, 3);
            assertEquals(7, daemonDoorbells.getIntVolatile(E1000Registers.TDT));
            assertEquals(3, mapping.doorbellPages().getIntVolatile(E1000Registers.TDH));
            assertNull(mapping.fault());

            PortRegionDescriptor.publishFault(daemonHeader, PortFault.TX_TAIL_BEYOND_RING.id(), E1000Registers.TDT, 70);
            assertEquals(PortFault.TX_TAIL_BEYOND_RING, mapping.fault());
            PortRegionDescriptor.clearFault(daemonHeader);
            assertNull(mapping.fault());
        }
    }

    @Test
    void shouldRefuseARegionTheDaemonHasNotPublished()
    {
        PortRegionDescriptor.writeHeader(daemonHeader, 5, PortRegionDescriptor.DEFAULT_SHARED_PAGES, MAC, 0);

        final IllegalStateException ex =
            assertThrows(IllegalStateException.class, () -> PortRegionMapping.map(region, doorbells));

        assertEquals("port region not initialised: version=0", ex.getMessage());
    }

    @Test
    void shouldRefuseDoorbellPagesShorterThanBar0()
    {
        PortRegionDescriptor.writeHeader(daemonHeader, 5, PortRegionDescriptor.DEFAULT_SHARED_PAGES, MAC, 0);
        PortRegionDescriptor.signalReady(daemonHeader);
        try (MemFd small = MemFd.create("mapping-test-small", E1000Registers.PAGE_LENGTH))
        {
            final IllegalStateException ex =
                assertThrows(IllegalStateException.class, () -> PortRegionMapping.map(region, small));

            assertEquals("doorbell pages too short: required=131072 mapped=4096", ex.getMessage());
        }
    }

    private static UnsafeBuffer view(final MemorySegment segment)
    {
        return new UnsafeBuffer(segment.address(), (int)segment.byteSize());
    }
}
