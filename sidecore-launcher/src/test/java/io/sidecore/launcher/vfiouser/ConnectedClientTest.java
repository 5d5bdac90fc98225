package io.sidecore.launcher.vfiouser;

import io.sidecore.shm.vfiouser.VfioUserClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Base of the protocol tests: a server over the fake device, and a client that has negotiated VERSION.
 */
abstract class ConnectedClientTest
{
    @TempDir
    Path directory;

    VfioUserTestSupport support;
    VfioUserClient client;

    @BeforeEach
    void connectClient() throws IOException
    {
        support = new VfioUserTestSupport(directory);
        client = support.connectNegotiated();
    }

    @AfterEach
    void closeServer()
    {
        client.close();
        support.close();
    }

    /**
     * Close the client, wait until the server is free, connect a fresh one (VERSION not yet sent).
     */
    VfioUserClient reconnect() throws IOException
    {
        client.close();
        VfioUserTestSupport.awaitCondition("the first client to detach", () -> !support.server.hasClient());
        return support.connect();
    }
}
