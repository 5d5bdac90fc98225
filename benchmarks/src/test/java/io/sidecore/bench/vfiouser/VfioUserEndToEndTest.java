package io.sidecore.bench.vfiouser;

import io.sidecore.shm.E1000Registers;
import io.sidecore.shm.PciConfig;
import io.sidecore.launcher.vfiouser.VfioUserTestSupport;
import io.sidecore.shm.os.MemFd;
import io.sidecore.tools.guest.GuestRam;
import io.sidecore.shm.vfiouser.VfioUserClient;
import io.sidecore.tools.vfiouser.VfioUserDeviceAccess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.List;

import static io.sidecore.launcher.vfiouser.VfioUserTestSupport.WAIT_MS;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The tools' vfio-user client drives the server over a real socket as QEMU would: guest RAM in a real memfd handed
 * over by DMA_MAP, the doorbell pages mapped from the server's fd, INTx through a real eventfd. The device is the
 * recording register file; what it sees proves each path (shared memory, trapped message, eventfd).
 */
class VfioUserEndToEndTest
{
    private static final long RAM_GPA = 0x100000;
    private static final int RAM_BYTES = 1 << 20;

    @TempDir
    Path directory;

    private VfioUserTestSupport support;
    private MemFd ram;

    @BeforeEach
    void setUp() throws IOException
    {
        support = new VfioUserTestSupport(directory);
        ram = MemFd.create("e2e-guest-ram", RAM_BYTES);
        support.device.config[PciConfig.VENDOR_ID_OFFSET] = (byte)0x86;
        support.device.config[PciConfig.VENDOR_ID_OFFSET + 1] = (byte)0x80;
    }

    @AfterEach
    void tearDown()
    {
        ram.close();
        support.close();
    }

    @ParameterizedTest(name = "resample mode {0}")
    @ValueSource(booleans = {false, true})
    void shouldCarryDmaDoorbellsTrappedRegistersAndInterruptsWhenToolsClientDrivesTheServer(
        final boolean useResample) throws IOException
    {
        try (VfioUserDeviceAccess access = VfioUserDeviceAccess.attach(support.connect(), ram, RAM_GPA,
            useResample))
        {
            // DMA: the device writes through the fd it was handed; the guest reads it in its own mapping
            assertTrue(support.device.mappedFdWasUsable);
            final MemorySegment deviceView = support.device.mappedGuestMemory.getFirst();
            deviceView.set(JAVA_INT_UNALIGNED, 0x40, 0xC0FFEE);
            final GuestRam guest = access.guestRam(ram, RAM_GPA);
            assertEquals(0xC0FFEE, guest.buffer().getInt(0x40));

            // config space, read whole at attach and per register afterwards
            assertEquals((byte)0x86, access.configSpaceAtAttach()[0]);
            assertEquals(0x8086, access.configRead(PciConfig.VENDOR_ID_OFFSET, 2));

            // exitless doorbell: the guest's TDT store lands in the device's page, no message
            assertEquals((1 << 2) | (1 << 3), access.sharedPages());
            final int callsBefore = support.device.calls.size();
            access.sharedBar0().putIntVolatile(E1000Registers.TDT, 17);
            access.sharedBar0().putIntVolatile(E1000Registers.RDT, 9);
            assertEquals(17, (int)support.device.doorbellLong(E1000Registers.TDT));
            assertEquals(9, (int)support.device.doorbellLong(E1000Registers.RDT));
            assertEquals(callsBefore, support.device.calls.size(), "no trapped access for a shared-page doorbell");
            assertEquals(0, support.server.trappedAccesses().trappedTdtWrites());

            // trapped registers: BAR0 and the I/O window, with their sizes
            access.bar0Write(E1000Registers.IMS, 0x9D);
            assertEquals(0x9D, access.bar0Read(E1000Registers.IMS));
            access.ioWrite(E1000Registers.IOADDR, E1000Registers.CTRL);
            assertEquals(E1000Registers.CTRL, access.ioRead(E1000Registers.IOADDR));
            assertEquals(List.of("write 0 0xd0 4 0x9d", "read 0 0xd0 4", "write 1 0x0 4 0x0", "read 1 0x0 4"),
                support.device.calls.subList(callsBefore, support.device.calls.size()));

            // INTx: rising edge signals the trigger; EOI with the line still high signals again; then quiet
            support.intx.onLevelChange(true);
            assertTrue(access.awaitInterrupt((int)WAIT_MS));
            access.endOfInterrupt();
            assertTrue(access.awaitInterrupt((int)WAIT_MS), "still asserted after EOI: interrupted again");
            support.intx.onLevelChange(false);
            access.endOfInterrupt();
            VfioUserTestSupport.awaitCondition("the unmask to be applied", () -> !support.intx.masked());
            assertFalse(access.awaitInterrupt(0));

            access.client().reset();
            assertEquals("reset", support.device.calls.getLast());
        }
        VfioUserTestSupport.awaitCondition("the device to be told of the disconnect",
            () -> support.device.calls.contains("disconnected"));
    }

    @Test
    void shouldNotAllowASecondToolsClientWhileTheFirstDrivesTheDevice() throws IOException
    {
        try (VfioUserDeviceAccess access = VfioUserDeviceAccess.attach(support.connect(), ram, RAM_GPA, false);
            VfioUserClient intruder = support.connect())
        {
            assertEquals(null, intruder.receive());
            assertEquals(0x9D, writeAndRead(access));
        }
    }

    private static int writeAndRead(final VfioUserDeviceAccess access)
    {
        access.bar0Write(E1000Registers.IMS, 0x9D);
        return access.bar0Read(E1000Registers.IMS);
    }
}
