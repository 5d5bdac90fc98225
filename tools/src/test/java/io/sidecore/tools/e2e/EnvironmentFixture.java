package io.sidecore.tools.e2e;

import java.nio.file.Path;

/**
 * Test support: where the project's e2e scripts are, from the test's working directory (the tools module).
 */
final class EnvironmentFixture
{
    private EnvironmentFixture()
    {
    }

    /**
     * @return the checkout's {@code tools/e2e} directory.
     */
    static Path scriptsDir()
    {
        return E2eMain.findHome().resolve("tools/e2e");
    }
}
