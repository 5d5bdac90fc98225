package io.sidecore.tools.guest;

import org.agrona.DirectBuffer;

/**
 * Where the driver model hands each received frame (Linux's {@code napi_gro_receive}). Called on the thread that
 * polls the model; the bytes are the guest's RX buffer and are given back to the device as soon as the call
 * returns, so a handler copies what it keeps.
 */
@FunctionalInterface
public interface GuestFrameHandler
{
    /** A handler that drops everything (the model still counts the frames). */
    GuestFrameHandler NONE = (buffer, offset, lengthBytes, status, special) -> {};

    /**
     * One complete frame, FCS removed.
     *
     * @param buffer      guest RAM.
     * @param offset      offset of the first byte in {@code buffer}.
     * @param lengthBytes frame length.
     * @param status      RX descriptor status byte of the last descriptor (VP, checksum bits).
     * @param special     VLAN tag when status has VP, else 0.
     */
    void onFrame(DirectBuffer buffer, int offset, int lengthBytes, int status, int special);
}
