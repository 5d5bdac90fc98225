package io.sidecore.engine.e1000;

import io.sidecore.shm.E1000Registers;

import java.util.Arrays;

/**
 * The guest-visible statistics registers (SDM 13.7), kept in the register image. All counters saturate at
 * 0xFFFFFFFF (64-bit pairs at all ones); clear-on-read is done by the register read path (SDM 13.7: "all statistics
 * registers reset when read"; for the 64-bit octet pairs a read of the high half clears both).
 * <p>
 * <b>Per-frame statistics are accumulated privately</b> ({@link #onTransmit}, {@link #onReceive}: a few field
 * increments) and added to the registers by {@link #publishTransmit} / {@link #publishReceive}, which the TX pass
 * calls when it ends and the RX path after each frame, or at the end of its batch (issue 11 §0: seven saturating
 * read-modify-writes of the register image per frame and direction). The guest reads statistics only by trapped
 * accesses, which the sidecore executes between passes and after flushing RX batches, so every read sees every frame
 * counted so far. Adding a pending count saturates exactly as that many increments would.
 */
public final class Statistics
{
    private static final int SIZE_BINS = 6;

    private final RegisterImage registers;
    private final Tally transmitted = new Tally(E1000Registers.GPTC, E1000Registers.TPT, E1000Registers.GOTCL,
        E1000Registers.TOTL, E1000Registers.PTC64, E1000Registers.BPTC, E1000Registers.MPTC);
    private final Tally received = new Tally(E1000Registers.GPRC, E1000Registers.TPR, E1000Registers.GORCL,
        E1000Registers.TORL, E1000Registers.PRC64, E1000Registers.BPRC, E1000Registers.MPRC);

    /**
     * The value of each octet pair (GORC, GOTC, TOR, TOT) when the guest last read its low half, valid while its bit
     * in {@link #latchedOctetPairs} is set.
     */
    private final long[] latchedOctets = new long[4];
    private int latchedOctetPairs;

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
        // Unsigned: a pair at or above 2^63 is still below all ones.
        final long result = Long.compareUnsigned(sum, current) < 0 ? -1L : sum;
        registers.set(lowOffset, (int)result);
        registers.set(lowOffset + 4, (int)(result >>> 32));
    }

    /**
     * Account a transmitted frame: GPTC, TPT, GOTC, TOT, PTC size bin, BPTC/MPTC. Sizes include the 4-byte FCS.
     * Pending until {@link #publishTransmit}.
     *
     * @param frameLengthBytes frame length without FCS.
     * @param firstDestinationByte first byte of the destination MAC (bit 0 = group address).
     * @param broadcast        destination is ff:ff:ff:ff:ff:ff.
     */
    public void onTransmit(final int frameLengthBytes, final int firstDestinationByte, final boolean broadcast)
    {
        transmitted.count(frameLengthBytes, firstDestinationByte, broadcast);
    }

    /**
     * Account a received (accepted) frame: GPRC, TPR, GORC, TOR, PRC size bin, BPRC/MPRC. Pending until
     * {@link #publishReceive}.
     *
     * @param frameLengthBytes frame length without FCS.
     * @param firstDestinationByte first byte of the destination MAC.
     * @param broadcast        destination is broadcast.
     */
    public void onReceive(final int frameLengthBytes, final int firstDestinationByte, final boolean broadcast)
    {
        received.count(frameLengthBytes, firstDestinationByte, broadcast);
    }

    /**
     * Add the transmitted frames accounted since the last call to the registers.
     */
    public void publishTransmit()
    {
        transmitted.publish(this);
    }

    /**
     * Add the received frames accounted since the last call to the registers.
     */
    public void publishReceive()
    {
        received.publish(this);
    }

    /**
     * Forget what is pending and any low half latched by a read (MAC reset: the registers are reset too).
     */
    public void discardPending()
    {
        transmitted.clear();
        received.clear();
        latchedOctetPairs = 0;
    }

    /**
     * The guest reads the low half of a 64-bit octet pair (GORCL, GOTCL, TORL, TOTL): it does not clear (SDM 13.7),
     * and the whole 64-bit value is latched so that the high-half read that follows returns the high half of the
     * same value and clears only what this read showed.
     *
     * @param lowOffset offset of the low half.
     * @return the low half.
     */
    public int readOctetsLow(final int lowOffset)
    {
        final int pair = octetPairIndex(lowOffset);
        final long value = pairValue(lowOffset);
        latchedOctets[pair] = value;
        latchedOctetPairs |= 1 << pair;
        return (int)value;
    }

    /**
     * The guest reads the high half of a 64-bit octet pair: SDM 13.7 says the pair resets. Frames counted since the
     * low half was read (the sidecore serves its RX and TX between the guest's two trapped reads) have been shown in
     * neither half, so the pair keeps them: it drops only the value latched by {@link #readOctetsLow}, and returns
     * that value's high half, so a carry between the two reads cannot pair an old low half with a new high half.
     * Without a low-half read before it, the read returns the high half and clears the pair, as the manual says.
     *
     * @param highOffset offset of the high half.
     * @return the high half.
     */
    public int readOctetsHighAndClear(final int highOffset)
    {
        final int lowOffset = highOffset - 4;
        final int pair = octetPairIndex(lowOffset);
        final long value = pairValue(lowOffset);
        long remaining = 0;
        int high = (int)(value >>> 32);
        if (0 != (latchedOctetPairs & (1 << pair)))
        {
            final long latched = latchedOctets[pair];
            latchedOctetPairs &= ~(1 << pair);
            high = (int)(latched >>> 32);
            // Counters only grow between the two reads (a MAC reset forgets the latch), and saturate at all ones.
            remaining = Long.compareUnsigned(value, latched) >= 0 ? value - latched : 0;
        }
        registers.set(lowOffset, (int)remaining);
        registers.set(highOffset, (int)(remaining >>> 32));
        return high;
    }

    private long pairValue(final int lowOffset)
    {
        return (registers.get(lowOffset) & 0xFFFFFFFFL) | ((long)registers.get(lowOffset + 4) << 32);
    }

    private static int octetPairIndex(final int lowOffset)
    {
        return switch (lowOffset)
        {
            case E1000Registers.GORCL -> 0;
            case E1000Registers.GOTCL -> 1;
            case E1000Registers.TORL -> 2;
            case E1000Registers.TOTL -> 3;
            default -> throw new IllegalArgumentException("not the low half of an octet pair: 0x" +
                Integer.toHexString(lowOffset));
        };
    }

    /**
     * Saturating add to a 32-bit statistic: the same as {@code delta} saturating increments.
     */
    private void add32(final int offset, final long delta)
    {
        if (0 != delta)
        {
            final long sum = (registers.get(offset) & 0xFFFF_FFFFL) + delta;
            registers.set(offset, (int)Math.min(sum, 0xFFFF_FFFFL));
        }
    }

    /**
     * @return index of the size bin of a length including FCS (see {@link #sizeBin}).
     */
    private static int sizeBinIndex(final int withFcs)
    {
        if (withFcs <= 64)
        {
            return 0;
        }
        if (withFcs <= 127)
        {
            return 1;
        }
        if (withFcs <= 255)
        {
            return 2;
        }
        if (withFcs <= 511)
        {
            return 3;
        }
        if (withFcs <= 1023)
        {
            return 4;
        }
        return 5;
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
        return firstBin + 4 * sizeBinIndex(withFcs);
    }

    /**
     * The pending counts of one direction and the registers they go to.
     */
    private static final class Tally
    {
        private final int goodPacketsOffset;
        private final int totalPacketsOffset;
        private final int goodOctetsLowOffset;
        private final int totalOctetsLowOffset;
        private final int firstBinOffset;
        private final int broadcastOffset;
        private final int multicastOffset;
        private final long[] sizeBins = new long[SIZE_BINS];
        private long packets;
        private long octets;
        private long broadcast;
        private long multicast;

        Tally(
            final int goodPacketsOffset,
            final int totalPacketsOffset,
            final int goodOctetsLowOffset,
            final int totalOctetsLowOffset,
            final int firstBinOffset,
            final int broadcastOffset,
            final int multicastOffset)
        {
            this.goodPacketsOffset = goodPacketsOffset;
            this.totalPacketsOffset = totalPacketsOffset;
            this.goodOctetsLowOffset = goodOctetsLowOffset;
            this.totalOctetsLowOffset = totalOctetsLowOffset;
            this.firstBinOffset = firstBinOffset;
            this.broadcastOffset = broadcastOffset;
            this.multicastOffset = multicastOffset;
        }

        void count(final int frameLengthBytes, final int firstDestinationByte, final boolean isBroadcast)
        {
            final int withFcs = frameLengthBytes + 4;
            packets++;
            octets += withFcs;
            sizeBins[sizeBinIndex(withFcs)]++;
            if (isBroadcast)
            {
                broadcast++;
            }
            else if (0 != (firstDestinationByte & 1))
            {
                multicast++;
            }
        }

        void publish(final Statistics statistics)
        {
            if (0 == packets)
            {
                return;
            }
            statistics.add32(goodPacketsOffset, packets);
            statistics.add32(totalPacketsOffset, packets);
            statistics.add64(goodOctetsLowOffset, octets);
            statistics.add64(totalOctetsLowOffset, octets);
            for (int i = 0; i < SIZE_BINS; i++)
            {
                statistics.add32(firstBinOffset + 4 * i, sizeBins[i]);
            }
            statistics.add32(broadcastOffset, broadcast);
            statistics.add32(multicastOffset, multicast);
            clear();
        }

        void clear()
        {
            packets = 0;
            octets = 0;
            broadcast = 0;
            multicast = 0;
            Arrays.fill(sizeBins, 0);
        }
    }
}
