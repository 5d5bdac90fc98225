package io.sidecore.engine.e1000;

import io.sidecore.shm.E1000Registers;
import io.sidecore.shm.E1000TxDescriptor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Per-frame statistics are accumulated privately and added to the registers once per TX pass and once per RX batch
 * (or per frame outside a batch): what the guest reads with trapped accesses after N frames is what N per-frame
 * increments give, saturation included (SDM 13.7).
 */
class StatisticsPublicationTest
{
    @Test
    void shouldShowGuestEveryFrameOfABatchWhenItReadsStatisticsAfterTheBatch()
    {
        final DeviceHarness h = new DeviceHarness();
        h.setUpRxRing(64);
        h.writeShared(E1000Registers.RDT, 63);
        h.device.rxBatching(true, h.nowNs);
        for (int i = 0; i < 40; i++)
        {
            h.receive(DeviceHarness.broadcastFrame(i % 2 == 0 ? 60 : 1000, i));
        }
        assertEquals(0, h.registers.get(E1000Registers.GPRC), "pending inside the batch");

        h.device.rxBatching(false, h.nowNs);

        assertEquals(40, h.read(E1000Registers.GPRC));
        assertEquals(40, h.read(E1000Registers.TPR));
        assertEquals(20 * 64 + 20 * 1004, h.read(E1000Registers.GORCL));
        assertEquals(0, h.read(E1000Registers.GORCH));
        assertEquals(20, h.read(E1000Registers.PRC64));
        assertEquals(20, h.read(E1000Registers.PRC64 + 16), "1004 bytes with FCS: the 512-1023 bin");
        assertEquals(40, h.read(E1000Registers.BPRC));
        assertEquals(0, h.read(E1000Registers.GPRC), "clear on read");
    }

    @Test
    void shouldSaturatePublishedCountsAsPerFrameIncrementsWould()
    {
        final DeviceHarness h = new DeviceHarness();
        h.setUpRxRing(64);
        h.writeShared(E1000Registers.RDT, 63);
        h.registers.set(E1000Registers.GPRC, -2);
        h.registers.set(E1000Registers.GORCL, -100);
        h.registers.set(E1000Registers.GORCH, -1);
        h.device.rxBatching(true, h.nowNs);
        for (int i = 0; i < 5; i++)
        {
            h.receive(DeviceHarness.broadcastFrame(60, i));
        }

        h.device.rxBatching(false, h.nowNs);

        assertEquals(-1, h.registers.get(E1000Registers.GPRC), "0xFFFFFFFE + 5 saturates at 0xFFFFFFFF");
        assertEquals(-1, h.registers.get(E1000Registers.GORCL), "the 64-bit pair saturates at all ones");
        assertEquals(-1, h.registers.get(E1000Registers.GORCH));
        assertEquals(5, h.registers.get(E1000Registers.TPR));
    }

    @Test
    void shouldPublishTransmitStatisticsAtTheEndOfEveryPass()
    {
        final DeviceHarness h = TxTestSupport.harness(16);
        for (int i = 0; i < 3; i++)
        {
            final long bufferGpa = TxTestSupport.bufferGpa(i);
            h.putBytes(bufferGpa, DeviceHarness.broadcastFrame(100, i));
            h.putLegacyTx(i, bufferGpa, 100, E1000TxDescriptor.CMD_EOP | E1000TxDescriptor.CMD_RS);
        }
        TxTestSupport.ring(h, 3);

        h.pollTx();

        assertEquals(3, h.wire.size());
        assertEquals(3, h.read(E1000Registers.GPTC));
        assertEquals(3 * 104, h.read(E1000Registers.GOTCL));
        assertEquals(3, h.read(E1000Registers.PTC64 + 4), "104 bytes with FCS: the 65-127 bin");
        assertEquals(3, h.read(E1000Registers.BPTC));
    }

    @Test
    void shouldDropPendingStatisticsWithTheRegistersWhenMacIsReset()
    {
        final DeviceHarness h = new DeviceHarness();
        h.setUpRxRing(64);
        h.writeShared(E1000Registers.RDT, 63);
        h.device.rxBatching(true, h.nowNs);
        h.receive(DeviceHarness.broadcastFrame(60, 1));

        h.write(E1000Registers.CTRL, E1000Registers.CTRL_RST);
        h.device.rxBatching(false, h.nowNs);

        assertEquals(0, h.registers.get(E1000Registers.GPRC));
    }
}
