package io.sidecore.tools.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * Test support: output recorded from real runs (a qemu-e1000 and a virtio run of the harness on Debian's QEMU
 * 11.1.3 with the trixie guest, and {@code sidecore stat --format json} of the demo), kept as test resources.
 */
final class Recorded
{
    private Recorded()
    {
    }

    /**
     * @param name resource file name in this package.
     * @return its text.
     */
    static String text(final String name)
    {
        try (InputStream in = Recorded.class.getResourceAsStream(name))
        {
            assertNotNull(in, "recorded test resource missing: " + name);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("cannot read " + name, ex);
        }
    }
}
