package io.sidecore.engine.frame;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link FrameMetadata#isCarriedChecksumGood} reaches the verdict its definition gives, {@code (P + 0xFFFF - p)} a
 * multiple of 0xFFFF, without dividing: for any pseudo-header sum and partial value, and at the multiples of 0xFFFF
 * and their neighbours, where a fold that lost a carry would differ.
 */
final class FrameMetadataTest
{
    @Property(tries = 2000)
    void shouldFindAMultipleOfAllOnesAsTheRemainderDoes(
        @ForAll @LongRange(min = 0, max = 1L << 62) final long pseudoHeaderSum,
        @ForAll @IntRange(min = 0, max = 0xFFFF) final int guestPartial)
    {
        assertEquals(byRemainder(pseudoHeaderSum, guestPartial), carrying(guestPartial).isCarriedChecksumGood(
            pseudoHeaderSum), "P=" + pseudoHeaderSum + " p=" + guestPartial);
    }

    @Property(tries = 2000)
    void shouldFindAMultipleOfAllOnesNearOne(
        @ForAll @LongRange(min = 0, max = 1L << 40) final long multiple,
        @ForAll @IntRange(min = -2, max = 2) final int delta,
        @ForAll @IntRange(min = 0, max = 0xFFFF) final int guestPartial)
    {
        final long pseudoHeaderSum = Math.max(0, multiple * 0xFFFF + guestPartial + delta);
        assertEquals(byRemainder(pseudoHeaderSum, guestPartial), carrying(guestPartial).isCarriedChecksumGood(
            pseudoHeaderSum), "P=" + pseudoHeaderSum + " p=" + guestPartial);
    }

    @Test
    void shouldFindTheEdgeCases()
    {
        assertTrue(carrying(0).isCarriedChecksumGood(0), "P = p = 0: P + 0xFFFF - p is 0xFFFF");
        assertTrue(carrying(0xFFFF).isCarriedChecksumGood(0), "p = 0xFFFF (negative zero) and P = 0: the sum is 0");
        assertTrue(carrying(0x1234).isCarriedChecksumGood(0x1234), "P = p");
        assertTrue(carrying(0x1234).isCarriedChecksumGood(0x1234 + 0xFFFFL * 0xFFFF), "P = p + k * 0xFFFF");
        assertFalse(carrying(0x1234).isCarriedChecksumGood(0x1235), "P = p + 1");
        assertFalse(carrying(0x1234).isCarriedChecksumGood(0x1233), "P = p - 1");
        assertFalse(carrying(0).isCarriedChecksumGood(0x10000), "P = 0x10000, p = 0: 1 modulo 0xFFFF");
    }

    private static boolean byRemainder(final long pseudoHeaderSum, final int guestPartial)
    {
        return 0 == (pseudoHeaderSum + (0xFFFF - guestPartial)) % 0xFFFF;
    }

    private static FrameMetadata carrying(final int guestPartial)
    {
        final FrameMetadata metadata = new FrameMetadata();
        metadata.checksumCarried = true;
        metadata.carriedGuestPartial = guestPartial;
        return metadata;
    }
}
