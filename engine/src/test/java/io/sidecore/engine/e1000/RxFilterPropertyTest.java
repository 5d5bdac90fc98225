package io.sidecore.engine.e1000;

import io.sidecore.shm.E1000Registers;
import io.sidecore.shm.E1000RxDescriptor;
import io.sidecore.shm.PortCounter;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.lifecycle.BeforeProperty;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * For random destination addresses, RAL/RAH tables, MTA and VFTA contents, tags and RCTL flags, the filter's decision
 * equals an independent reference model written from SDM 3.2.1 and 13.4.22 (addresses as 48-bit numbers in
 * transmission order, the MTA index taken from bit ranges of the SDM's internal address representation).
 */
class RxFilterPropertyTest
{
    private static final long BROADCAST = 0xFFFF_FFFF_FFFFL;
    private static final int VET = 0x8100;
    private static final int[] MTA_LOW_BIT = {36, 35, 34, 32};

    private DeviceHarness harness;

    @BeforeProperty
    void createHarness()
    {
        harness = new DeviceHarness();
        RxFrames.ready(harness, 8);
    }

    @Property(tries = 2000)
    void shouldDecideAsReferenceModel(
        @ForAll("destinations") final long destination,
        @ForAll @IntRange(min = 0, max = 255) final int flags,
        @ForAll @Size(16) final List<@IntRange(min = 0, max = 3) Integer> raControl,
        @ForAll @Size(16) final List<@LongRange(min = 0, max = 0xFFFF_FFFF_FFFFL) Long> raAddresses,
        @ForAll @IntRange(min = -1, max = 15) final int entryHoldingDestination,
        @ForAll @Size(128) final List<Integer> mta,
        @ForAll @Size(128) final List<Integer> vfta,
        @ForAll final boolean tagged,
        @ForAll @IntRange(min = 0, max = 0xFFFF) final int tci)
    {
        final Scenario scenario = new Scenario(destination, flags, raControl, raAddresses, entryHoldingDestination,
            mta, vfta, tagged, tci);
        scenario.program(harness);
        final RxFilter filter = new RxFilter(harness.registers);

        final int decision = filter.filter(new UnsafeBuffer(scenario.frame(60)), 0, scenario.rctl(), VET);

        assertEquals(scenario.reference(60), decision, scenario.toString());
    }

    @Property(tries = 400)
    void shouldDeliverThroughDeviceExactlyWhenReferenceAccepts(
        @ForAll("destinations") final long destination,
        @ForAll @IntRange(min = 0, max = 255) final int flags,
        @ForAll @Size(16) final List<@IntRange(min = 0, max = 3) Integer> raControl,
        @ForAll @Size(16) final List<@LongRange(min = 0, max = 0xFFFF_FFFF_FFFFL) Long> raAddresses,
        @ForAll @IntRange(min = -1, max = 15) final int entryHoldingDestination,
        @ForAll @Size(128) final List<Integer> mta,
        @ForAll @Size(128) final List<Integer> vfta,
        @ForAll final boolean tagged,
        @ForAll @IntRange(min = 0, max = 0xFFFF) final int tci,
        @ForAll @IntRange(min = 14, max = 1518) final int lengthBytes)
    {
        final Scenario scenario = new Scenario(destination, flags, raControl, raAddresses, entryHoldingDestination,
            mta, vfta, tagged, tci);
        scenario.program(harness);
        harness.writeShared(E1000Registers.RDH, 0);
        harness.writeShared(E1000Registers.RDT, 7);
        harness.putRxDescriptor(0, harness.rxBufferGpa(0));
        final long framesBefore = harness.counter(PortCounter.RX_FRAMES);
        final long filteredBefore = harness.counter(PortCounter.RX_DROP_FILTERED);
        final long vlanBefore = harness.counter(PortCounter.RX_DROP_VLAN_FILTERED);
        final int expected = scenario.reference(lengthBytes);

        final boolean delivered = harness.receive(scenario.frame(lengthBytes));

        final boolean accepted = RxFilter.ACCEPTED == expected || RxFilter.ACCEPTED_INEXACT == expected;
        assertEquals(accepted, delivered, scenario.toString());
        assertEquals(accepted ? 1 : 0, harness.counter(PortCounter.RX_FRAMES) - framesBefore);
        assertEquals(RxFilter.REJECTED_ADDRESS == expected ? 1 : 0,
            harness.counter(PortCounter.RX_DROP_FILTERED) - filteredBefore);
        assertEquals(RxFilter.REJECTED_VLAN == expected ? 1 : 0,
            harness.counter(PortCounter.RX_DROP_VLAN_FILTERED) - vlanBefore);
        if (accepted)
        {
            assertEquals(RxFilter.ACCEPTED_INEXACT == expected, 0 != (harness.rxStatus(0) & E1000RxDescriptor.STA_PIF));
        }
        else
        {
            assertEquals(0, harness.rxStatus(0));
        }
    }

    @Provide
    Arbitrary<Long> destinations()
    {
        final Arbitrary<Long> any = Arbitraries.longs().between(0, BROADCAST);
        return Arbitraries.oneOf(
            any,
            any.map(address -> address | 1L << 40),
            any.map(address -> address & ~(1L << 40)),
            Arbitraries.just(BROADCAST));
    }

    /**
     * One random configuration and frame, with the reference decision.
     */
    static final class Scenario
    {
        private final long destination;
        private final int flags;
        private final long[] raAddress = new long[16];
        private final boolean[] raValid = new boolean[16];
        private final boolean[] raSourceSelect = new boolean[16];
        private final int[] mta = new int[128];
        private final int[] vfta = new int[128];
        private final boolean tagged;
        private final int tci;

        Scenario(
            final long destination,
            final int flags,
            final List<Integer> raControl,
            final List<Long> raAddresses,
            final int entryHoldingDestination,
            final List<Integer> mta,
            final List<Integer> vfta,
            final boolean tagged,
            final int tci)
        {
            this.destination = destination;
            this.flags = flags;
            for (int i = 0; i < 16; i++)
            {
                raAddress[i] = i == entryHoldingDestination ? destination : raAddresses.get(i);
                raValid[i] = 0 != (raControl.get(i) & 1);
                raSourceSelect[i] = 0 != (raControl.get(i) & 2);
            }
            for (int i = 0; i < 128; i++)
            {
                this.mta[i] = mta.get(i);
                this.vfta[i] = vfta.get(i);
            }
            this.tagged = tagged;
            this.tci = tci;
        }

        int rctl()
        {
            int rctl = E1000Registers.RCTL_EN;
            rctl |= 0 != (flags & 1) ? E1000Registers.RCTL_UPE : 0;
            rctl |= 0 != (flags & 2) ? E1000Registers.RCTL_MPE : 0;
            rctl |= 0 != (flags & 4) ? E1000Registers.RCTL_BAM : 0;
            rctl |= 0 != (flags & 8) ? E1000Registers.RCTL_VFE : 0;
            rctl |= 0 != (flags & 16) ? E1000Registers.RCTL_CFIEN : 0;
            rctl |= 0 != (flags & 32) ? E1000Registers.RCTL_CFI : 0;
            rctl |= (flags >>> 6) << E1000Registers.RCTL_MO_SHIFT;
            return rctl;
        }

        void program(final DeviceHarness harness)
        {
            harness.write(E1000Registers.RCTL, rctl());
            for (int i = 0; i < 16; i++)
            {
                final long internal = internal(raAddress[i]);
                harness.write(E1000Registers.ral(i), (int)internal);
                harness.write(E1000Registers.rah(i), (int)(internal >>> 32) |
                    (raValid[i] ? E1000Registers.RAH_AV : 0) | (raSourceSelect[i] ? 1 << 16 : 0));
            }
            for (int i = 0; i < 128; i++)
            {
                harness.write(E1000Registers.MTA + 4 * i, mta[i]);
                harness.write(E1000Registers.VFTA + 4 * i, vfta[i]);
            }
        }

        byte[] frame(final int lengthBytes)
        {
            final byte[] frame = new byte[lengthBytes];
            for (int i = 0; i < 6; i++)
            {
                frame[i] = (byte)(destination >>> (40 - 8 * i));
            }
            frame[6] = 0x02;
            frame[11] = 0x07;
            RxFrames.putShort(frame, 12, tagged ? VET : RxFrames.ETHER_TYPE_IPV4);
            if (lengthBytes >= 16)
            {
                RxFrames.putShort(frame, 14, tci);
            }
            return frame;
        }

        /**
         * The reference decision. A tag whose TCI lies beyond a short frame reads as the zero padding.
         *
         * @param lengthBytes frame length before padding.
         * @return expected {@link RxFilter} decision.
         */
        int reference(final int lengthBytes)
        {
            final int rctl = rctl();
            final int tci = lengthBytes >= 16 ? this.tci : 0;
            if (tagged && 0 != (rctl & E1000Registers.RCTL_VFE))
            {
                final int cfi = (tci >>> 12) & 1;
                if (0 != (rctl & E1000Registers.RCTL_CFIEN) && cfi != ((rctl >>> 20) & 1))
                {
                    return RxFilter.REJECTED_VLAN;
                }
                final int vid = tci % 4096;
                if (0 == ((vfta[vid / 32] >>> (vid % 32)) & 1))
                {
                    return RxFilter.REJECTED_VLAN;
                }
            }
            final boolean broadcast = BROADCAST == destination;
            final boolean group = 1 == ((destination >>> 40) & 1);
            if ((broadcast && 0 != (rctl & E1000Registers.RCTL_BAM)) ||
                (group && 0 != (rctl & E1000Registers.RCTL_MPE)) ||
                (!group && 0 != (rctl & E1000Registers.RCTL_UPE)))
            {
                return RxFilter.ACCEPTED;
            }
            for (int i = 0; i < 16; i++)
            {
                if (raValid[i] && !raSourceSelect[i] && raAddress[i] == destination)
                {
                    return RxFilter.ACCEPTED;
                }
            }
            if (group)
            {
                final int index = (int)(internal(destination) >>> MTA_LOW_BIT[(rctl >>> 12) & 3]) % 4096;
                if (1 == ((mta[index / 32] >>> (index % 32)) & 1))
                {
                    return RxFilter.ACCEPTED_INEXACT;
                }
            }
            return RxFilter.REJECTED_ADDRESS;
        }

        /**
         * SDM internal representation: the first transmitted byte in bits 7:0, the last in bits 47:40.
         */
        private static long internal(final long transmissionOrder)
        {
            long internal = 0;
            for (int i = 0; i < 6; i++)
            {
                final long octet = (transmissionOrder >>> (40 - 8 * i)) & 0xFF;
                internal |= octet << (8 * i);
            }
            return internal;
        }

        public String toString()
        {
            return "destination=" + Long.toHexString(destination) + " rctl=" + Integer.toHexString(rctl()) +
                " tagged=" + tagged + " tci=" + Integer.toHexString(tci);
        }
    }
}
