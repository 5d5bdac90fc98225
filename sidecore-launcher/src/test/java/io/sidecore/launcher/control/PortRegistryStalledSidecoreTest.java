package io.sidecore.launcher.control;

import io.sidecore.engine.agent.SidecoreEngine;
import io.sidecore.launcher.Configuration;
import io.sidecore.shm.control.ControlProtocol;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The port registry over a sidecore that does not answer in time: a destroy-port whose removal the sidecore did not
 * start (cancelled by the command timeout) leaves the port known to the registry, so the operator can destroy it
 * again once the sidecore runs. The engine's agents are not started; the test thread drives them, or not.
 */
class PortRegistryStalledSidecoreTest
{
    private static final long DRIVE_LIMIT_MS = 30_000;

    @TempDir
    Path directory;

    private SidecoreEngine engine;

    @AfterEach
    void tearDown()
    {
        if (null != engine)
        {
            engine.close();
        }
    }

    @Test
    void shouldKeepAPortWhoseRemovalTheSidecoreDidNotStartInTime() throws Exception
    {
        final Path ports = Files.createDirectories(directory.resolve("ports"));
        final Configuration config = Configuration.of(Map.of(
            "sidecore.port.socket.dir", ports.toString(),
            "sidecore.counters.file", directory.resolve("counters.dat").toString(),
            "sidecore.command.timeout", "100ms")).validate();
        engine = new SidecoreEngine(config.engineContext());
        final PortRegistry registry = new PortRegistry(config, engine.proxy(), sidecore -> -1);
        final PortSpec spec = PortSpec.fromDeclaration("g0", Map.of(ControlProtocol.MAC, "02:00:00:00:00:01",
            ControlProtocol.BACKEND, ControlProtocol.BACKEND_NULL,
            ControlProtocol.TRANSPORT, ControlProtocol.TRANSPORT_NATIVE), "sidecore.ports.g0.");
        driven(CompletableFuture.supplyAsync(() -> call(() -> registry.create(spec))));

        final ExecutionException stalled = assertThrows(ExecutionException.class,
            () -> CompletableFuture.supplyAsync(() -> call(() -> registry.destroy("g0"))).get());

        assertTrue(String.valueOf(stalled.getCause().getMessage()).contains("cancelled"),
            String.valueOf(stalled.getCause()));
        assertEquals(List.of("g0"), registry.names(), "the port its sidecore still serves stays known");
        assertEquals(1, engine.proxy().ports().size());

        driven(CompletableFuture.supplyAsync(() -> call(() -> registry.destroy("g0"))));
        assertEquals(List.of(), registry.names(), "a retried destroy-port removes it");
        assertEquals(List.of(), engine.proxy().ports());
        assertFalse(Files.exists(ports.resolve("g0" + PortRegistry.SOCKET_SUFFIX)));
    }

    private void driven(final Future<?> call) throws Exception
    {
        final long deadlineMs = System.currentTimeMillis() + DRIVE_LIMIT_MS;
        while (!call.isDone())
        {
            if (System.currentTimeMillis() > deadlineMs)
            {
                throw new AssertionError("the registry call did not return within " + DRIVE_LIMIT_MS + " ms");
            }
            engine.doWork();
        }
        call.get();
    }

    private static <T> T call(final ControlCall<T> body)
    {
        try
        {
            return body.call();
        }
        catch (final ControlException ex)
        {
            throw new IllegalStateException(ex.getMessage(), ex);
        }
    }

    /**
     * A registry call.
     */
    @FunctionalInterface
    private interface ControlCall<T>
    {
        T call() throws ControlException;
    }
}
