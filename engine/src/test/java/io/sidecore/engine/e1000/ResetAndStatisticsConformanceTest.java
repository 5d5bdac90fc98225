package io.sidecore.engine.e1000;

import io.sidecore.shm.E1000Registers;
import io.sidecore.shm.E1000TxDescriptor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Reset values and statistics bins checked against the SDM (issue 12 §4): PBA across a software reset, RXCSUM's
 * reset value, and the size bin of frames longer than 1522 bytes.
 */
class ResetAndStatisticsConformanceTest
{
    private static final int PBA_RX_40K = 0x28;

    private final DeviceHarness harness = new DeviceHarness();

    /**
     * SDM 13.4.16: software changes PBA and then resets the MAC (CTRL.RST) for the new split to take effect; the
     * register itself is reset only at power-on. Linux's {@code e1000_reset} writes PBA, then resets.
     */
    @Test
    void shouldKeepPbaAcrossCtrlRst()
    {
        harness.write(E1000Registers.PBA, PBA_RX_40K);

        harness.write(E1000Registers.CTRL, E1000Registers.CTRL_RST);

        assertEquals(0x00180028, harness.read(E1000Registers.PBA), "RXA 40 KB, TXA 24 KB after the reset");
    }

    @Test
    void shouldResetPbaAtPowerOn()
    {
        harness.write(E1000Registers.PBA, PBA_RX_40K);

        harness.device.powerOnReset();

        assertEquals(E1000Registers.PBA_RESET_VALUE, harness.read(E1000Registers.PBA));
    }

    /**
     * SDM RXCSUM (05000h) register table: PCSS, IPOFLD and TUOFLD all have the initial value 0b, so receive
     * checksum offload is off until a driver enables it (Linux sets TUOFL in {@code e1000_configure_rx}).
     */
    @Test
    void shouldResetRxcsumWithBothChecksumOffloadsOff()
    {
        harness.write(E1000Registers.RXCSUM, E1000Registers.RXCSUM_IPOFL | E1000Registers.RXCSUM_TUOFL | 14);

        harness.write(E1000Registers.CTRL, E1000Registers.CTRL_RST);

        assertEquals(0, harness.read(E1000Registers.RXCSUM));
    }

    /**
     * SDM 13.7.26: PRC1522 counts good packets "from 1024 bytes to the maximum", the maximum set by the receiver's
     * configuration (RCTL.LPE); a frame counted in ROC is not counted there (SDM 13.7.36).
     */
    @Test
    void shouldCountAJumboFrameReceivedWithLpeInTheBinFrom1024ToMax()
    {
        harness.setUpRxRing(8);
        harness.write(E1000Registers.RCTL, E1000Registers.RCTL_EN | E1000Registers.RCTL_BAM |
            E1000Registers.RCTL_LPE);
        harness.write(E1000Registers.RDT, 7);

        assertTrue(harness.receive(DeviceHarness.broadcastFrame(9000, 1)));

        assertEquals(1, harness.read(E1000Registers.PRC1522));
        assertEquals(0, harness.read(E1000Registers.ROC));
        assertEquals(1, harness.read(E1000Registers.GPRC));
    }

    /**
     * SDM 13.7 PTC1522: packets transmitted of 1024 bytes or more (the last bin has no upper bound).
     */
    @Test
    void shouldCountAJumboFrameTransmittedInTheBinFrom1024Up()
    {
        harness.setUpTxRing(8);
        harness.putBytes(DeviceHarness.BUFFERS_GPA, DeviceHarness.broadcastFrame(9000, 2));
        harness.putLegacyTx(0, DeviceHarness.BUFFERS_GPA, 9000, E1000TxDescriptor.CMD_EOP);
        harness.writeShared(E1000Registers.TDT, 1);

        harness.pollTx();

        assertEquals(1, harness.read(E1000Registers.PTC1522));
        assertEquals(9004, harness.read(E1000Registers.GOTCL), "octets with the FCS");
    }
}
