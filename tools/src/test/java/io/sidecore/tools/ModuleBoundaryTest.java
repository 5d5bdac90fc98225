package io.sidecore.tools;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Guest-side and operator code must never link the device, just as a real guest or VMM never does: the engine is
 * not on the tools module's class path, so nothing here can reach around the shared-memory contracts.
 */
class ModuleBoundaryTest
{
    @Test
    void shouldNotSeeEngineClassesWhenOnToolsClassPath()
    {
        assertThrows(ClassNotFoundException.class, () -> Class.forName("io.sidecore.engine.e1000.E1000Device"));
        assertThrows(ClassNotFoundException.class, () -> Class.forName("io.sidecore.engine.agent.SidecoreAgent"));
    }

    @Test
    void shouldNotSeeLauncherClassesWhenOnToolsClassPath()
    {
        assertThrows(ClassNotFoundException.class, () -> Class.forName("io.sidecore.launcher.Configuration"));
    }
}
