package io.sidecore.launcher.vfiouser;

/**
 * The device behind a vfio-user server: what the protocol needs from an emulated E1000 port, and nothing of the
 * engine. The engine binding implements it over one port.
 * <p>
 * <b>Threads.</b> Every method is called by the server's connection thread (one socket thread per connected
 * client, one client at a time), strictly in the order the client's messages arrived, and each call completes
 * before the next message is read. The engine binding hands trapped accesses, DMA map changes and resets to the
 * port's sidecore thread through the engine's single-writer queue and waits for the answer there (a short bounded
 * spin, then a park), so no device state is ever touched from the socket thread. The device reports its INTx level
 * separately, from its own thread, through the {@link IntxLine} it was built with.
 * <p>
 * <b>Errors.</b> A method may throw {@link VfioUserDeviceException} with an errno: the server answers the message
 * with that errno and keeps serving. Any other runtime exception is a device bug: the server logs it, answers
 * {@code EIO} and keeps serving.
 */
public interface VfioUserDevice
{
    /**
     * A client connected and is about to be served: the device takes the port for it (in the engine binding: binds
     * a guest in its power-on state). Called on the accept thread, before any message is read, and then, whatever
     * happens, {@link #disconnected()} once when the connection ends.
     *
     * @param peerPid the client's pid (SO_PEERCRED), or -1 when unknown.
     * @throws VfioUserDeviceException to refuse the client (the port is taken another way); its message is logged
     *                                 and the client's first message is answered with EBUSY. {@link #disconnected()}
     *                                 is not called then.
     */
    void connected(long peerPid);

    /**
     * A trapped read of a region: BAR0 ({@code VfioUserRegionInfo.BAR0_REGION_INDEX}), BAR1 (I/O) or PCI config
     * space ({@code CONFIG_REGION_INDEX}). The server has checked that {@code [offset, offset + sizeBytes)} lies in
     * the region and is naturally aligned; config space arrives in accesses of at most 4 bytes (a longer read is
     * split into dwords). An 8-byte BAR access arrives as one call with {@code sizeBytes} 8: the 82540EM is a
     * 32-bit PCI target, so the binding completes it as the two dword transactions a 32-bit bus would carry, low
     * address first.
     *
     * @param regionIndex region.
     * @param offset      byte offset within the region.
     * @param sizeBytes   1, 2, 4 or 8.
     * @return the value, little-endian, in the low {@code sizeBytes} bytes.
     */
    long regionRead(int regionIndex, long offset, int sizeBytes);

    /**
     * A trapped write, checked like {@link #regionRead}. Posted (no-reply) writes arrive here too, in order.
     *
     * @param regionIndex region.
     * @param offset      byte offset within the region.
     * @param sizeBytes   1, 2, 4 or 8.
     * @param value       the value, little-endian, in the low {@code sizeBytes} bytes.
     */
    void regionWrite(int regionIndex, long offset, int sizeBytes, long value);

    /**
     * Make guest memory available to the device. The server has checked the range (4 KiB aligned, no overflow, no
     * overlap with a live mapping). The fd stays the server's: the device maps it (or duplicates it) during the
     * call if it wants it, and the server closes its copy when the call returns.
     *
     * @param fd          the RAM block's descriptor (a memfd for {@code memory-backend-memfd}), or -1 when the
     *                    client sent none: the range is then not directly accessible and the device records it as
     *                    such (QEMU sends fd-less maps for anonymous RAM, firmware ROMs and BAR pages).
     * @param fileOffset  where the range starts in the fd (0 without an fd).
     * @param iova        guest-physical address of the range.
     * @param sizeBytes   length of the range.
     * @param readable    the device may read it.
     * @param writable    the device may write it.
     * @return 0, or the errno to answer with (e.g. EINVAL for an fd the device refuses to map).
     */
    int dmaMap(int fd, long fileOffset, long iova, long sizeBytes, boolean readable, boolean writable);

    /**
     * Take back one mapping made by {@link #dmaMap}. Returns only once the device no longer uses the range: no
     * DMA into it is in flight and none will start (the sidecore has dropped it from its guest memory).
     *
     * @param iova      the mapping's address, exactly as mapped.
     * @param sizeBytes the mapping's length, exactly as mapped.
     * @return 0, or the errno to answer with.
     */
    int dmaUnmap(long iova, long sizeBytes);

    /**
     * Take back every mapping, with the same guarantee as {@link #dmaUnmap}.
     *
     * @return 0, or the errno to answer with.
     */
    int dmaUnmapAll();

    /**
     * The BAR0 pages the client may map straight into the guest (the exitless doorbell pages), and the one fd
     * that holds them. Asked at each BAR0 region-info query; the server sends the fd with the reply and keeps no
     * reference to it.
     *
     * @return the pages, or null when every BAR0 access traps.
     */
    DoorbellPages doorbellPages();

    /**
     * DEVICE_RESET: return to the power-on state (registers, PHY, EEPROM-loaded values, config space, the I/O BAR
     * latch, interrupt state, timers, the doorbell pages' contents); rings stop. DMA mappings stay.
     */
    void reset();

    /**
     * The client is gone: release everything it brought (every DMA mapping, as {@link #dmaUnmapAll}) and return
     * to the power-on state, ready for the next client. Called once per accepted connection (after
     * {@link #connected}), after its last message.
     */
    void disconnected();
}
