package io.sidecore.engine.guest;

import io.sidecore.engine.e1000.DeviceHarness;
import io.sidecore.shm.E1000Registers;
import io.sidecore.shm.PortRegionDescriptor;
import io.sidecore.tools.guest.DeviceRegisters;
import io.sidecore.tools.guest.RegisterSelfTest;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Linux driver's register self-test ({@code e1000_reg_test}: STATUS read-only, then its table of registers,
 * patterns and masks) against the device model: every row passes on the trapped path; with the doorbell pages shared
 * exactly the rows {@link RegisterSelfTest#rowsReadBackUnmasked} names differ (the README's conformance table lists
 * them), and the sidecore stores their masked values back once it passes over them.
 */
class RegisterSelfTestConformanceTest
{
    private final DeviceHarness harness = new DeviceHarness();

    @Test
    void shouldPassEveryRowOfTheDriversRegisterTestWhenEveryRegisterTraps()
    {
        final DeviceRegisters trapped = new DeviceRegisters(new DirectDeviceAccess(harness, false));

        assertEquals(RegisterSelfTest.PASSED, RegisterSelfTest.run(trapped));
        assertEquals(E1000Registers.STATUS_RESET_VALUE, harness.read(E1000Registers.STATUS),
            "the write to the read-only STATUS changed nothing");
    }

    @Test
    void shouldPassEachRowAloneOnTheTrappedPath()
    {
        final DeviceRegisters trapped = new DeviceRegisters(new DirectDeviceAccess(harness, false));

        assertEquals(List.of(), failedRows(trapped));
    }

    @Test
    void shouldReportRdtrFirstWhenTheDoorbellPagesAreShared()
    {
        final DeviceRegisters shared = new DeviceRegisters(new DirectDeviceAccess(harness, true));

        assertEquals(E1000Registers.RDTR, RegisterSelfTest.run(shared));
    }

    @Test
    void shouldDifferOnlyInTheSharedRowsWhoseWriteHasReservedBits()
    {
        final DeviceRegisters shared = new DeviceRegisters(new DirectDeviceAccess(harness, true));
        final List<String> failed = failedRows(shared);

        assertEquals(List.of("RDTR", "RDLEN", "TDLEN", "RDBAL", "TDBAL"), failed);
        assertEquals(failed, names(RegisterSelfTest.rowsReadBackUnmasked(PortRegionDescriptor.DEFAULT_SHARED_PAGES)));
    }

    @Test
    void shouldReadBackMaskedValuesOnceTheSidecorePassedOverTheSharedRows()
    {
        final DirectDeviceAccess access = new DirectDeviceAccess(harness, true);
        final DeviceRegisters shared = new DeviceRegisters(access);
        for (final RegisterSelfTest.Row row : RegisterSelfTest.rowsReadBackUnmasked(
            PortRegionDescriptor.DEFAULT_SHARED_PAGES))
        {
            shared.write(row.offset(), row.write());
            for (int pass = 0; pass < 64; pass++)
            {
                access.runDevice();
            }
            assertEquals(row.write() & row.mask(), shared.read(row.offset()), row.name());
        }
        assertTrue(harness.device.faultState().fault() == null, "no pass faulted the port");
    }

    private static List<String> failedRows(final DeviceRegisters registers)
    {
        final List<String> failed = new ArrayList<>();
        for (final RegisterSelfTest.Row row : RegisterSelfTest.rows())
        {
            if (!RegisterSelfTest.passes(registers, row))
            {
                failed.add(row.name());
            }
        }
        return failed;
    }

    private static List<String> names(final List<RegisterSelfTest.Row> rows)
    {
        final List<String> names = new ArrayList<>();
        for (final RegisterSelfTest.Row row : rows)
        {
            names.add(row.name());
        }
        return names;
    }
}
