package io.sidecore.engine.e1000;

import io.sidecore.shm.E1000Registers;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Registers of the shared doorbell pages, written by the guest straight into memory: each pass the sidecore acts on
 * them as a trapped write would ({@link E1000Device#pollSharedRegisters}).
 */
class SharedRegisterTest
{
    private static final int PASSES_TO_SWEEP_EVERY_REGISTER = 64;

    private final DeviceHarness harness = new DeviceHarness();
    private final InterruptController interrupts = harness.device.interrupts();

    private int sweep()
    {
        int work = 0;
        for (int i = 0; i < PASSES_TO_SWEEP_EVERY_REGISTER; i++)
        {
            work += harness.device.pollSharedRegisters(harness.nowNs);
        }
        return work;
    }

    /**
     * SDM 13.1 (reserved bits read as 0), 13.4.25-13.4.28 and 13.4.36-13.4.39: ring bases are 16-byte aligned,
     * lengths multiples of 128 below 1 MiB, heads and tails 16 bits.
     */
    @Test
    void shouldStoreTheMaskedValueBackWhenTheGuestWroteReservedBitsIntoASharedRegister()
    {
        harness.writeShared(E1000Registers.RDBAL, 0xFFFFFFFF);
        harness.writeShared(E1000Registers.RDLEN, 0xFFFFFFFF);
        harness.writeShared(E1000Registers.TDBAL, 0x1234567F);
        harness.writeShared(E1000Registers.TDLEN, 0x0010_1080);
        harness.writeShared(E1000Registers.RADV, 0xABCD_0010);
        harness.writeShared(E1000Registers.RDT, 0x0001_0005);

        assertEquals(6, sweep());

        assertEquals(0xFFFFFFF0, harness.registers.get(E1000Registers.RDBAL));
        assertEquals(0x000FFF80, harness.registers.get(E1000Registers.RDLEN));
        assertEquals(0x12345670, harness.registers.get(E1000Registers.TDBAL));
        assertEquals(0x0000_1080, harness.registers.get(E1000Registers.TDLEN));
        assertEquals(0x0010, harness.registers.get(E1000Registers.RADV));
        assertEquals(0x0005, harness.registers.get(E1000Registers.RDT));
    }

    @Test
    void shouldLeaveSharedRegistersWithoutReservedBitsAsWritten()
    {
        harness.writeShared(E1000Registers.RDBAH, 0xFFFFFFFF);
        harness.writeShared(E1000Registers.TDBAH, 0x89ABCDEF);
        harness.writeShared(E1000Registers.CSBAH, 0x12345678);
        harness.writeShared(E1000Registers.RDLEN, 0x00001000);

        assertEquals(0, sweep());

        assertEquals(0xFFFFFFFF, harness.registers.get(E1000Registers.RDBAH));
        assertEquals(0x89ABCDEF, harness.registers.get(E1000Registers.TDBAH));
        assertEquals(0x12345678, harness.registers.get(E1000Registers.CSBAH));
        assertEquals(0x00001000, harness.registers.get(E1000Registers.RDLEN));
    }

    /**
     * SDM 13.4.30: RDTR.FPD (bit 31, write-only) expires the pending RX packet delay at once; written in the shared
     * page it takes effect at the sidecore's next pass, and reads back 0.
     */
    @Test
    void shouldReleaseTheHeldRxInterruptWhenRdtrWithFpdIsWrittenInTheSharedPage()
    {
        harness.write(E1000Registers.RDTR, 10);
        harness.write(E1000Registers.IMS, E1000Registers.ICR_RXT0);
        interrupts.raiseRx(E1000Registers.ICR_RXT0, harness.nowNs);
        assertFalse(interrupts.isLineAsserted(), "RXT0 held by the RDTR delay");

        harness.writeShared(E1000Registers.RDTR, 10 | E1000Registers.RDTR_FPD);
        assertEquals(1, harness.device.pollSharedRegisters(harness.nowNs));

        assertTrue(interrupts.isLineAsserted());
        assertEquals(10, harness.registers.get(E1000Registers.RDTR));
        assertEquals(0, interrupts.heldCauses());
    }

    /**
     * SDM 13.4.41: TIDV.FPD (bit 31, write-only) expires the pending TX delay at once; written in the shared page it
     * takes effect at the sidecore's next pass, and reads back 0.
     */
    @Test
    void shouldReleaseTheHeldTxInterruptWhenTidvWithFpdIsWrittenInTheSharedPage()
    {
        harness.write(E1000Registers.TIDV, 8);
        harness.write(E1000Registers.IMS, E1000Registers.ICR_TXDW);
        interrupts.onTxIdeSeen(harness.nowNs);
        interrupts.raise(E1000Registers.ICR_TXDW, harness.nowNs);
        assertFalse(interrupts.isLineAsserted(), "TXDW held by the TIDV delay");

        harness.writeShared(E1000Registers.TIDV, 8 | E1000Registers.TIDV_FPD);
        assertEquals(1, harness.device.pollSharedRegisters(harness.nowNs));

        assertTrue(interrupts.isLineAsserted());
        assertEquals(8, harness.registers.get(E1000Registers.TIDV));
    }

    @Test
    void shouldMaskRdtrWithoutFlushingWhenOnlyReservedBitsAreWritten()
    {
        harness.write(E1000Registers.RDTR, 10);
        harness.write(E1000Registers.IMS, E1000Registers.ICR_RXT0);
        interrupts.raiseRx(E1000Registers.ICR_RXT0, harness.nowNs);

        harness.writeShared(E1000Registers.RDTR, 0x7FFF_000A);
        assertEquals(1, harness.device.pollSharedRegisters(harness.nowNs));

        assertFalse(interrupts.isLineAsserted(), "no FPD: the delay keeps running");
        assertEquals(10, harness.registers.get(E1000Registers.RDTR));
    }

    @Test
    void shouldNotStoreBackWhenTheGuestRewroteTheRegisterSinceItWasRead()
    {
        harness.writeShared(E1000Registers.RDLEN, 0xFFFFFFFF);

        assertFalse(harness.registers.compareAndSet(E1000Registers.RDLEN, 0x0000FFFF, 0x0000FF80));
        assertEquals(0xFFFFFFFF, harness.registers.get(E1000Registers.RDLEN));
    }
}
