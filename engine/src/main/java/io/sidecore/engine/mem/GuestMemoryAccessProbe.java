package io.sidecore.engine.mem;

/**
 * Test hook of the memory layer: told of every host range the device is about to read or write in guest memory,
 * before it does, so that a checker that keeps its own map of the guest's regions (independent of the translation
 * code, e.g. the fuzzer's shadow map) can prove that no access leaves them, reads as well as writes.
 * <p>
 * The device reaches guest memory only through views ({@link GuestMemory#newView}): each view re-wrapped over a
 * translated host range reports that range here. A probe is installed on a {@link GuestMemory} before its port is
 * built ({@link GuestMemory#accessProbe(GuestMemoryAccessProbe)}); without one the views are plain buffers and the
 * data path pays nothing. Called on the thread that owns the port.
 */
@FunctionalInterface
public interface GuestMemoryAccessProbe
{
    /**
     * The device is about to access {@code [hostAddress, hostAddress + lengthBytes)}.
     *
     * @param hostAddress first byte, a host virtual address.
     * @param lengthBytes bytes the view covers.
     * @param write       true when the view is used for writes (and possibly reads), false for reads only.
     */
    void onAccess(long hostAddress, long lengthBytes, boolean write);
}
