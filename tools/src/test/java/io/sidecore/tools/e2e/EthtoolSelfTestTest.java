package io.sidecore.tools.e2e;

import io.sidecore.shm.E1000Registers;
import io.sidecore.shm.PortRegionDescriptor;
import io.sidecore.tools.guest.GuestSelfTest;
import io.sidecore.tools.guest.RegisterSelfTest;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The {@code selftest} check's reading of {@code ethtool -t eth0 offline}, on output recorded from QEMU's e1000
 * (Debian's QEMU 11.1.3, trixie guest) and on what a sidecore port prints (the guest driver model's result of the
 * same test, {@code DriverSelfTestTest} in the engine).
 */
class EthtoolSelfTestTest
{
    @Test
    void shouldReadEveryPartWhenRecordedQemuE1000Output()
    {
        final EthtoolSelfTest result = EthtoolSelfTest.parse(Recorded.text("ethtool-t-e1000-qemu.txt"));

        assertFalse(result.verdictPassed());
        assertEquals(5, result.parts().size());
        assertEquals(40, result.part("Register test"));
        assertEquals(0, result.part("Eeprom test"));
        assertEquals(0, result.part("Interrupt test"));
        assertEquals(13, result.part("Loopback test"));
        assertEquals(0, result.part("Link test"));
    }

    @Test
    void shouldFailNamingTheRegisterAndLoopbackTestsWhenQemuE1000()
    {
        final EthtoolSelfTest result = EthtoolSelfTest.parse(Recorded.text("ethtool-t-e1000-qemu.txt"));

        final E2eException ex = assertThrows(E2eException.class, () -> result.verdict(List.of()));

        assertTrue(ex.getMessage().contains("register test=40"), ex.getMessage());
        assertTrue(ex.getMessage().contains("loopback test=13"), ex.getMessage());
        assertFalse(ex.getMessage().contains("interrupt test="), ex.getMessage());
    }

    @Test
    void shouldPassWhenASidecorePortReportsOnlyASharedPageRegisterRow()
    {
        final EthtoolSelfTest result =
            EthtoolSelfTest.parse(Recorded.text("ethtool-t-e1000-sidecore-expected.txt"));

        assertFalse(result.verdictPassed(), "the driver itself calls it FAIL");
        assertEquals("register=10272 eeprom=0 interrupt=0 loopback=0 link=0",
            result.verdict(EthtoolSelfTest.sharedPageRegisterResults()));
    }

    @Test
    void shouldFailWhenASidecorePortReportsARegisterOutsideTheSharedPages()
    {
        final EthtoolSelfTest result = EthtoolSelfTest.parse(
            Recorded.text("ethtool-t-e1000-sidecore-expected.txt").replace(" 10272", " 40"));

        final E2eException ex = assertThrows(E2eException.class,
            () -> result.verdict(EthtoolSelfTest.sharedPageRegisterResults()));

        assertTrue(ex.getMessage().contains("register test=40"), ex.getMessage());
    }

    @Test
    void shouldFailWhenAnyOtherPartIsNotZero()
    {
        final String loopbackFailed = Recorded.text("ethtool-t-e1000-sidecore-expected.txt")
            .replace("Loopback test  (offline)\t 0", "Loopback test  (offline)\t 13");
        final EthtoolSelfTest result = EthtoolSelfTest.parse(loopbackFailed);

        final E2eException ex = assertThrows(E2eException.class,
            () -> result.verdict(EthtoolSelfTest.sharedPageRegisterResults()));

        assertTrue(ex.getMessage().contains("loopback test=13"), ex.getMessage());
    }

    @Test
    void shouldMatchWhatTheGuestDriverModelPrintsForTheSameResults()
    {
        final GuestSelfTest.Result modelResult = new GuestSelfTest.Result(E1000Registers.RDTR, 0, 0, 0, 0);

        assertEquals(Recorded.text("ethtool-t-e1000-sidecore-expected.txt"), modelResult.ethtoolOutput() + "\n");
    }

    @Test
    void shouldAcceptExactlyTheSharedPageRowsWhoseReservedBitsAGuestReadsBack()
    {
        assertEquals(List.of(0x2820L, 0x2808L, 0x3808L, 0x2800L, 0x3800L),
            EthtoolSelfTest.sharedPageRegisterResults());
    }

    @Test
    void shouldFindEachAcceptedRowListedInTheReadmesConformanceTable() throws IOException
    {
        final String readme = Files.readString(E2eMain.findHome().resolve("README.md"));
        final List<String> missing = new ArrayList<>();
        for (final RegisterSelfTest.Row row :
            RegisterSelfTest.rowsReadBackUnmasked(PortRegionDescriptor.DEFAULT_SHARED_PAGES))
        {
            final String entry =
                String.format(Locale.ROOT, "%s (0x%05X = %d)", row.name(), row.offset(), row.offset());
            if (!readme.contains(entry))
            {
                missing.add(entry);
            }
        }

        assertEquals(List.of(), missing, "register-test rows the README's conformance table must list");
    }

    @Test
    void shouldRefuseOutputWithoutResults()
    {
        final E2eException ex = assertThrows(E2eException.class,
            () -> EthtoolSelfTest.parse("Cannot test: Operation not supported\n"));

        assertTrue(ex.getMessage().contains("no test results"), ex.getMessage());
    }
}
