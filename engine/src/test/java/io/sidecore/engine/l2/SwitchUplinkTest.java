package io.sidecore.engine.l2;

import io.sidecore.engine.backend.PortBackend;
import io.sidecore.engine.frame.FrameMetadata;
import io.sidecore.engine.frame.FrameSink;
import org.agrona.DirectBuffer;
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
        assertTrue(new SwitchUplink(new HostBackend(true), null, 0, null).pollsTheKernel());
        assertFalse(new SwitchUplink(new HostBackend(false), null, 0, null).pollsTheKernel());
    }

    private record HostBackend(boolean kernel) implements PortBackend
    {
        public int poll(final long nowNs, final FrameSink toGuest, final int frameBudget, final long byteBudget)
        {
            return 0;
        }

        public int onFrame(
            final DirectBuffer frame, final int offset, final int lengthBytes, final FrameMetadata metadata,
            final long nowNs)
        {
            return FrameSink.DELIVERED;
        }

        public boolean pollsTheKernel()
        {
            return kernel;
        }

        public void close()
        {
        }

        public String typeName()
        {
            return "host";
        }
    }
}
