package io.sidecore.launcher.control;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PeerPolicyTest
{
    private final PeerPolicy policy = new PeerPolicy(1000, new long[]{ 64055 }, new long[]{ 107, 500 });

    @Test
    void shouldAllowRootAlways()
    {
        assertTrue(policy.allows(0, 0));
    }

    @Test
    void shouldAllowDaemonsOwnUid()
    {
        assertTrue(policy.allows(1000, 1000));
    }

    @Test
    void shouldAllowListedUid()
    {
        assertTrue(policy.allows(64055, 64055));
    }

    @Test
    void shouldAllowPeerWhosePrimaryGidIsListed()
    {
        assertTrue(policy.allows(4242, 500));
    }

    @Test
    void shouldRefuseOtherPeer()
    {
        assertFalse(policy.allows(65534, 65534));
    }
}
