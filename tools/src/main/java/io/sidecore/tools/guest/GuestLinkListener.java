package io.sidecore.tools.guest;

/**
 * Told by the driver model's link watchdog (Linux {@code e1000_watchdog}) each time the carrier goes up or down,
 * with what it prints: {@code NIC Link is Up 1000 Mbps Full Duplex, Flow Control: RX} or {@code NIC Link is Down}.
 * Called on the thread that drives the model.
 */
@FunctionalInterface
public interface GuestLinkListener
{
    /** A listener that ignores everything. */
    GuestLinkListener NONE = (up, statusRegister, message) -> {};

    /**
     * @param up             the carrier as the watchdog now sees it.
     * @param statusRegister the device's STATUS register read at that moment (LU, speed, duplex).
     * @param message        the watchdog's message, as Linux prints it.
     */
    void onLinkChange(boolean up, int statusRegister, String message);
}
