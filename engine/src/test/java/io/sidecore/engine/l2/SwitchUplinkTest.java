package io.sidecore.engine.l2;

import io.sidecore.engine.backend.IdleStubBackend;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An uplink polls its host-side backend, so it asks the kernel whenever that backend does (a TAP uplink reads its
 * TAP every poll): the agent then charges its idle polls to the uplink port, not to the next port that works.
 */
class SwitchUplinkTest
{
    @Test
    void shouldPollTheKernelWhenItsHostBackendDoes()
    {
        assertTrue(new SwitchUplink(new IdleStubBackend(true, () -> { }), null, 0, null).pollsTheKernel());
        assertFalse(new SwitchUplink(new IdleStubBackend(false, () -> { }), null, 0, null).pollsTheKernel());
    }
}
