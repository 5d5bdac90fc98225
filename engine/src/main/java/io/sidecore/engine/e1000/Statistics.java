package io.sidecore.engine.e1000;

import io.sidecore.shm.E1000Registers;

/**
 * The guest-visible statistics registers (SDM 13.7), kept in the register image. All counters saturate at
 * 0xFFFFFFFF (64-bit pairs at all ones); clear-on-read is done by the register read path (SDM 13.7: "all statistics
 * registers reset when read"; for the 64-bit octet pairs a read of the high half clears both).
 */
public final class Statistics
{
    private final RegisterImage registers;

    /**
     * @param registers the port's register image.
     */
    public Statistics(final RegisterImage registers)
    {
        this.registers = registers;
    }

    /**
     * Saturating increment of a 32-bit statistic.
     *
     * @param offset statistics register offset.
     */
    public void increment(final int offset)
    {
        final int value = registers.get(offset);
        if (-1 != value)
        {
            registers.set(offset, value + 1);
        }
    }

    /**
     * Saturating add to a 64-bit low/high pair.
     *
     * @param lowOffset offset of the low half (the high half follows).
     * @param delta     amount, non-negative.
     */
    public void add64(final int lowOffset, final long delta)
    {
        final long current = (registers.get(lowOffset) & 0xFFFFFFFFL) |
            ((long)registers.get(lowOffset + 4) << 32);
        final long sum = current + delta;
        final long result = (sum < current) ? -1L : sum;
        registers.set(lowOffset, (int)result);
        registers.set(lowOffset + 4, (int)(result >>> 32));
    }

    /**
     * Account a transmitted frame: GPTC, TPT, GOTC, TOT, PTC size bin, BPTC/MPTC. Sizes include the 4-byte FCS.
     *
     * @param frameLengthBytes frame length without FCS.
     * @param firstDestinationByte first byte of the destination MAC (bit 0 = group address).
     * @param broadcast        destination is ff:ff:ff:ff:ff:ff.
     */
    public void onTransmit(final int frameLengthBytes, final int firstDestinationByte, final boolean broadcast)
    {
        final int withFcs = frameLengthBytes + 4;
        increment(E1000Registers.GPTC);
        increment(E1000Registers.TPT);
        add64(E1000Registers.GOTCL, withFcs);
        add64(E1000Registers.TOTL, withFcs);
        increment(sizeBin(E1000Registers.PTC64, withFcs));
        if (broadcast)
        {
            increment(E1000Registers.BPTC);
        }
        else if (0 != (firstDestinationByte & 1))
        {
            increment(E1000Registers.MPTC);
        }
    }

    /**
     * Account a received (accepted) frame: GPRC, TPR, GORC, TOR, PRC size bin, BPRC/MPRC.
     *
     * @param frameLengthBytes frame length without FCS.
     * @param firstDestinationByte first byte of the destination MAC.
     * @param broadcast        destination is broadcast.
     */
    public void onReceive(final int frameLengthBytes, final int firstDestinationByte, final boolean broadcast)
    {
        final int withFcs = frameLengthBytes + 4;
        increment(E1000Registers.GPRC);
        increment(E1000Registers.TPR);
        add64(E1000Registers.GORCL, withFcs);
        add64(E1000Registers.TORL, withFcs);
        increment(sizeBin(E1000Registers.PRC64, withFcs));
        if (broadcast)
        {
            increment(E1000Registers.BPRC);
        }
        else if (0 != (firstDestinationByte & 1))
        {
            increment(E1000Registers.MPRC);
        }
    }

    /**
     * Size bin register for a length including FCS: 64, 65-127, 128-255, 256-511, 512-1023, 1024-1522 (and
     * larger, counted in the last bin). SDM 13.7.
     *
     * @param firstBin PRC64 or PTC64.
     * @param withFcs  length including FCS.
     * @return register offset.
     */
    static int sizeBin(final int firstBin, final int withFcs)
    {
        if (withFcs <= 64)
        {
            return firstBin;
        }
        if (withFcs <= 127)
        {
            return firstBin + 4;
        }
        if (withFcs <= 255)
        {
            return firstBin + 8;
        }
        if (withFcs <= 511)
        {
            return firstBin + 12;
        }
        if (withFcs <= 1023)
        {
            return firstBin + 16;
        }
        return firstBin + 20;
    }
}
