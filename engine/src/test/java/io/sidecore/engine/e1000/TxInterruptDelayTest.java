package io.sidecore.engine.e1000;

import io.sidecore.shm.E1000Registers;
import io.sidecore.shm.E1000TxDescriptor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SDM 3.3.3.1 and 3.4.1: the interrupt delay enable (IDE) of a transmit descriptor is decided per descriptor. A
 * descriptor written back with RS and IDE (re)loads the TIDV delay; one written back without IDE posts TXDW at once,
 * whichever comes last in the pass.
 */
class TxInterruptDelayTest
{
    private static final int TIDV_UNITS = 8;
    private static final int FRAME_BYTES = 100;

    private final DeviceHarness harness = new DeviceHarness();

    private void sendPass(final int... commands)
    {
        harness.setUpTxRing(8);
        harness.write(E1000Registers.TIDV, TIDV_UNITS);
        harness.write(E1000Registers.IMS, E1000Registers.ICR_TXDW);
        harness.putBytes(DeviceHarness.BUFFERS_GPA, DeviceHarness.broadcastFrame(FRAME_BYTES, 1));
        for (int i = 0; i < commands.length; i++)
        {
            harness.putLegacyTx(i, DeviceHarness.BUFFERS_GPA, FRAME_BYTES, E1000TxDescriptor.CMD_EOP | commands[i]);
        }
        harness.writeShared(E1000Registers.TDT, commands.length);
        assertEquals(commands.length, harness.pollTx(), "one pass");
    }

    private boolean line()
    {
        return harness.device.interrupts().isLineAsserted();
    }

    @Test
    void shouldPostTxdwAtOnceWhenTheLastDescriptorHasIdeButAnEarlierOneNot()
    {
        sendPass(E1000TxDescriptor.CMD_RS, E1000TxDescriptor.CMD_RS | E1000TxDescriptor.CMD_IDE);

        assertTrue(line(), "the descriptor without IDE interrupts at once");
        assertEquals(0, harness.device.interrupts().heldCauses());
    }

    @Test
    void shouldPostTxdwAtOnceWhenTheLastDescriptorHasNoIde()
    {
        sendPass(E1000TxDescriptor.CMD_RS | E1000TxDescriptor.CMD_IDE, E1000TxDescriptor.CMD_RS);

        assertTrue(line());
    }

    @Test
    void shouldHoldTxdwForTidvWhenEveryWrittenBackDescriptorHasIde()
    {
        sendPass(E1000TxDescriptor.CMD_RS | E1000TxDescriptor.CMD_IDE, E1000TxDescriptor.CMD_IDE,
            E1000TxDescriptor.CMD_RS | E1000TxDescriptor.CMD_IDE);

        assertFalse(line(), "held for TIDV");
        assertEquals(E1000Registers.ICR_TXDW, harness.device.interrupts().heldCauses());
        harness.nowNs += TIDV_UNITS * E1000Registers.DELAY_UNIT_NS;
        harness.device.onTimers(harness.nowNs);
        assertTrue(line(), "posted when TIDV expired");
    }

    @Test
    void shouldIgnoreIdeOfADescriptorThatIsNotWrittenBack()
    {
        sendPass(E1000TxDescriptor.CMD_IDE, E1000TxDescriptor.CMD_RS);

        assertTrue(line(), "only the written-back descriptor counts, and it has no IDE");
    }
}
