package io.sidecore.bench.demo;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DemoOptionsTest
{
    @Test
    void shouldAcceptSmallestValues()
    {
        final DemoOptions options = new DemoOptions(1, 1, 0, 60, false, false, null);

        assertEquals(1, options.guests());
        assertEquals(1, options.seconds());
        assertEquals(0, options.warmupSeconds());
        assertEquals(60, options.frameBytes());
    }

    @Test
    void shouldAcceptLargestValues()
    {
        final DemoOptions options = new DemoOptions(64, 3600, 60, 1514, true, true, Path.of("/tmp/c.dat"));

        assertEquals(64, options.guests());
        assertEquals(3600, options.seconds());
        assertEquals(60, options.warmupSeconds());
        assertEquals(1514, options.frameBytes());
        assertTrue(options.csb());
    }

    @Test
    void shouldUseDocumentedDefaults()
    {
        final DemoOptions options = DemoOptions.defaults();

        assertEquals(8, options.guests());
        assertEquals(5, options.seconds());
        assertEquals(2, options.warmupSeconds());
        assertEquals(64, options.frameBytes());
        assertFalse(options.csb());
        assertTrue(options.pin());
        assertNull(options.countersFile());
        assertNull(options.captureDirectory(), "no capture unless asked");
        assertEquals(64L << 20, options.captureFileBytes());
    }

    @Test
    void shouldKeepCaptureDirectoryAndFileSize()
    {
        final DemoOptions options =
            new DemoOptions(2, 1, 0, 64, false, false, null, Path.of("/tmp/capture"), 1 << 20);

        assertEquals(Path.of("/tmp/capture"), options.captureDirectory());
        assertEquals(1 << 20, options.captureFileBytes());
    }

    @Test
    void shouldRejectZeroGuests()
    {
        final IllegalArgumentException ex =
            assertThrows(IllegalArgumentException.class, () -> new DemoOptions(0, 5, 1, 64, false, true, null));

        assertEquals("--guests must be in 1..64: 0", ex.getMessage());
    }

    @Test
    void shouldRejectTooManyGuests()
    {
        final IllegalArgumentException ex =
            assertThrows(IllegalArgumentException.class, () -> new DemoOptions(65, 5, 1, 64, false, true, null));

        assertEquals("--guests must be in 1..64: 65", ex.getMessage());
    }

    @Test
    void shouldRejectZeroSeconds()
    {
        final IllegalArgumentException ex =
            assertThrows(IllegalArgumentException.class, () -> new DemoOptions(8, 0, 1, 64, false, true, null));

        assertEquals("--seconds must be in 1..3600: 0", ex.getMessage());
    }

    @Test
    void shouldRejectNegativeWarmup()
    {
        final IllegalArgumentException ex =
            assertThrows(IllegalArgumentException.class, () -> new DemoOptions(8, 5, -1, 64, false, true, null));

        assertEquals("--warmup-seconds must be in 0..60: -1", ex.getMessage());
    }

    @Test
    void shouldRejectWarmupLongerThanMinute()
    {
        final IllegalArgumentException ex =
            assertThrows(IllegalArgumentException.class, () -> new DemoOptions(8, 5, 61, 64, false, true, null));

        assertEquals("--warmup-seconds must be in 0..60: 61", ex.getMessage());
    }

    @Test
    void shouldRejectRuntFrames()
    {
        final IllegalArgumentException ex =
            assertThrows(IllegalArgumentException.class, () -> new DemoOptions(8, 5, 1, 59, false, true, null));

        assertEquals("--frame-bytes must be in 60..1514: 59", ex.getMessage());
    }

    @Test
    void shouldRejectFramesBeyondMtu()
    {
        final IllegalArgumentException ex =
            assertThrows(IllegalArgumentException.class, () -> new DemoOptions(8, 5, 1, 1515, false, true, null));

        assertEquals("--frame-bytes must be in 60..1514: 1515", ex.getMessage());
    }

    @Test
    void shouldGiveEachGuestAnEqualShareOfRamWithinBounds()
    {
        assertEquals(16 << 20, DemoRunner.guestRamBytes(1));
        assertEquals(16 << 20, DemoRunner.guestRamBytes(16));
        assertEquals(8 << 20, DemoRunner.guestRamBytes(32));
        assertEquals(4 << 20, DemoRunner.guestRamBytes(64));
        assertEquals(4 << 20, DemoRunner.guestRamBytes(40));
    }

    @Test
    void shouldNameGuestsAndNumberTheirMacAddressesFromOne()
    {
        assertEquals("g0", GuestPort.name(0));
        assertEquals("g63", GuestPort.name(63));
        assertMac(new int[]{ 0x02, 0, 0, 0, 0x00, 0x01 }, GuestPort.mac(0));
        assertMac(new int[]{ 0x02, 0, 0, 0, 0x00, 0x40 }, GuestPort.mac(63));
        assertMac(new int[]{ 0x02, 0, 0, 0, 0x01, 0x00 }, GuestPort.mac(255));
    }

    private static void assertMac(final int[] expected, final byte[] actual)
    {
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++)
        {
            assertEquals(expected[i], actual[i] & 0xFF, "octet " + i);
        }
    }
}
