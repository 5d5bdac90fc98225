package io.sidecore.bench.system;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JfrAttributionTest
{
    @Test
    void shouldCountOnlyTheProjectsOwnClassesAsItsCode()
    {
        assertTrue(JfrAttribution.isOwnCode("io.sidecore.engine.e1000.TxProcessor"));
        assertTrue(JfrAttribution.isOwnCode("io.sidecore.engine.port.Port$TransmitSide"));
        assertFalse(JfrAttribution.isOwnCode("org.agrona.AbstractMutableDirectBuffer"));
        assertFalse(JfrAttribution.isOwnCode("jdk.internal.misc.Unsafe"));
        assertFalse(JfrAttribution.isOwnCode("io.sidecorex.Other"));
    }

    @Test
    void shouldNameAFrameByClassMethodAndLineWhenTheLineIsKnown()
    {
        assertEquals("TxProcessor.touchWindow@408",
            JfrAttribution.frameKey("io.sidecore.engine.e1000.TxProcessor", "touchWindow", 408));
        assertEquals("Port$TransmitSide.onFrame",
            JfrAttribution.frameKey("io.sidecore.engine.port.Port$TransmitSide", "onFrame", -1));
    }
}
