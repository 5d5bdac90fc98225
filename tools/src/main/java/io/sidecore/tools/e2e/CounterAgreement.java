package io.sidecore.tools.e2e;

import java.util.ArrayList;
import java.util.List;

/**
 * Check 9: the guest driver's statistics ({@code ethtool -S}) and the port's counters, taken around the same
 * traffic window, agree. Frames must be equal in both directions. Bytes must be equal once the frame check sequence
 * is accounted for: the 8254x good-octets counters GORC/GOTC count from the destination address through the CRC
 * (8254x SDM 13.7, "Good Octets Received/Transmitted Count"), so an e1000 guest sees 4 bytes per frame more than a
 * port (or TAP) that counts frames without their FCS; a virtio-net guest counts none.
 */
final class CounterAgreement
{
    private CounterAgreement()
    {
    }

    /**
     * @param guest            the guest's view of the window (its statistics after minus before).
     * @param port             the port's view of the same window, FCS not counted.
     * @param guestFcsPerFrame bytes per frame the guest's byte counters include beyond the port's (4 for e1000's
     *                         GORC/GOTC, 0 for virtio-net).
     * @return one line per disagreement; empty when the two agree and the window carried traffic both ways.
     */
    static List<String> compare(final PortTraffic guest, final PortTraffic port, final int guestFcsPerFrame)
    {
        final List<String> problems = new ArrayList<>();
        if (port.txFrames() <= 0 || port.rxFrames() <= 0)
        {
            problems.add("the port counted no traffic in one direction (tx_frames=" + port.txFrames() +
                " rx_frames=" + port.rxFrames() + "): nothing to compare");
        }
        compareDirection("tx", guest.txFrames(), guest.txBytes(), port.txFrames(), port.txBytes(), guestFcsPerFrame,
            problems);
        compareDirection("rx", guest.rxFrames(), guest.rxBytes(), port.rxFrames(), port.rxBytes(), guestFcsPerFrame,
            problems);
        return problems;
    }

    private static void compareDirection(
        final String direction,
        final long guestFrames,
        final long guestBytes,
        final long portFrames,
        final long portBytes,
        final int guestFcsPerFrame,
        final List<String> problems)
    {
        if (guestFrames != portFrames)
        {
            problems.add(direction + " frames: guest " + guestFrames + ", port " + portFrames);
        }
        final long expectedGuestBytes = portBytes + (long)guestFcsPerFrame * portFrames;
        if (guestBytes != expectedGuestBytes)
        {
            problems.add(direction + " bytes: guest " + guestBytes + ", port " + portBytes + " + " + guestFcsPerFrame +
                " x " + portFrames + " frames = " + expectedGuestBytes);
        }
    }
}
