package io.sidecore.tools.e2e;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GuestCacheTest
{
    @Test
    void shouldReadVersionsWhenRecordedStamp()
    {
        final Map<String, String> stamp = GuestCache.parseStamp(Recorded.text("stamp.txt"));

        assertEquals("11.1.3", stamp.get("qemu"));
        assertEquals("6.12.118+deb13-amd64", stamp.get("kernel"));
        assertTrue(stamp.containsKey("root-recipe") && stamp.containsKey("guest-recipe"), stamp.toString());
        assertTrue(stamp.keySet().stream().noneMatch(key -> "package".equals(key) || "file".equals(key)));
    }

    @Test
    void shouldNamePrepareCommandWhenCacheMissing(@TempDir final Path emptyCache)
    {
        final E2eException ex = assertThrows(E2eException.class,
            () -> GuestCache.check(EnvironmentFixture.scriptsDir(), emptyCache));

        assertTrue(ex.getMessage().contains("not prepared"), ex.getMessage());
        assertTrue(ex.getMessage().contains("no stamp at " + emptyCache.resolve("stamp")), ex.getMessage());
        assertTrue(ex.getMessage().contains("prepare.sh"), ex.getMessage());
    }

    @Test
    void shouldRunCommandChrootedWithBindsWhenInRoot()
    {
        final String command = String.join(" ", GuestCache.inRootCommand(Path.of("/s"), Path.of("/c/root"),
            List.of(Path.of("/run/p")), List.of("qemu-system-x86_64", "-version")));

        assertEquals("/s/in-root.sh /c/root --bind /run/p -- qemu-system-x86_64 -version", command);
    }
}
