package io.sidecore.launcher;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The daemon does not link guest-side code: the synthetic guest and the operator tools are not on the launcher's
 * class path (the in-process demo, which composes guests with the engine, lives in the benchmarks module).
 */
class ModuleBoundaryTest
{
    @Test
    void shouldNotSeeToolsClassesWhenOnLauncherClassPath()
    {
        assertThrows(ClassNotFoundException.class,
            () -> Class.forName("io.sidecore.tools.guest.GuestDriverModel"));
        assertThrows(ClassNotFoundException.class, () -> Class.forName("io.sidecore.tools.stat.StatMain"));
    }
}
