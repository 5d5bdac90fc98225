package io.sidecore.shm.vfiouser;

/**
 * vfio-user command numbers (vfio-user spec "Commands"; QEMU {@code enum vfio_user_command}), and which of them a
 * QEMU 11.1 {@code vfio-user-pci} client sends. Commands 6, 11, 12, 14, 17 and 18 exist in the protocol but are
 * not served here: a server answers them, like any unknown number, with {@link VfioUserErrno#ENOSYS}.
 */
public final class VfioUserCommand
{
    /** Version and capability negotiation; the first message on a connection ({@link VfioUserVersion}). */
    public static final int VERSION = 1;
    /** Add a guest memory region, usually with its fd ({@link VfioUserDmaMap}). */
    public static final int DMA_MAP = 2;
    /** Remove a guest memory region, or all of them ({@link VfioUserDmaUnmap}). */
    public static final int DMA_UNMAP = 3;
    /** Device flags and region/IRQ counts ({@link VfioUserDeviceInfo}). */
    public static final int DEVICE_GET_INFO = 4;
    /** One region's size, flags and mmap capability ({@link VfioUserRegionInfo}). */
    public static final int DEVICE_GET_REGION_INFO = 5;
    /** ioeventfd/ioregionfd sub-regions: not offered. */
    public static final int DEVICE_GET_REGION_IO_FDS = 6;
    /** One IRQ index's count and flags ({@link VfioUserIrqInfo}). */
    public static final int DEVICE_GET_IRQ_INFO = 7;
    /** Interrupt eventfds, mask and unmask ({@link VfioUserSetIrqs}). */
    public static final int DEVICE_SET_IRQS = 8;
    /** Read from a region ({@link VfioUserRegionAccess}). */
    public static final int REGION_READ = 9;
    /** Write to a region, posted or not ({@link VfioUserRegionAccess}). */
    public static final int REGION_WRITE = 10;
    /** Server-to-client guest memory read: not used (guest RAM is shared by fd). */
    public static final int DMA_READ = 11;
    /** Server-to-client guest memory write: not used. */
    public static final int DMA_WRITE = 12;
    /** Reset the device to its power-on state; header-only request and reply. */
    public static final int DEVICE_RESET = 13;
    /** Dirty page tracking (migration v1): not offered. */
    public static final int DIRTY_PAGES = 14;
    /** Several small posted writes in one message ({@link VfioUserWriteMulti}). */
    public static final int REGION_WRITE_MULTI = 15;
    /** Feature get/set/probe (migration v2, DMA logging): no feature is offered ({@link VfioUserDeviceFeature}). */
    public static final int DEVICE_FEATURE = 16;
    /** Migration data read: not offered. */
    public static final int MIG_DATA_READ = 17;
    /** Migration data write: not offered. */
    public static final int MIG_DATA_WRITE = 18;

    private VfioUserCommand()
    {
    }

    /**
     * @param command command number.
     * @return its name for logs ("DMA_MAP"), or "command N" when unknown.
     */
    public static String name(final int command)
    {
        return switch (command)
        {
            case VERSION -> "VERSION";
            case DMA_MAP -> "DMA_MAP";
            case DMA_UNMAP -> "DMA_UNMAP";
            case DEVICE_GET_INFO -> "DEVICE_GET_INFO";
            case DEVICE_GET_REGION_INFO -> "DEVICE_GET_REGION_INFO";
            case DEVICE_GET_REGION_IO_FDS -> "DEVICE_GET_REGION_IO_FDS";
            case DEVICE_GET_IRQ_INFO -> "DEVICE_GET_IRQ_INFO";
            case DEVICE_SET_IRQS -> "DEVICE_SET_IRQS";
            case REGION_READ -> "REGION_READ";
            case REGION_WRITE -> "REGION_WRITE";
            case DMA_READ -> "DMA_READ";
            case DMA_WRITE -> "DMA_WRITE";
            case DEVICE_RESET -> "DEVICE_RESET";
            case DIRTY_PAGES -> "DIRTY_PAGES";
            case REGION_WRITE_MULTI -> "REGION_WRITE_MULTI";
            case DEVICE_FEATURE -> "DEVICE_FEATURE";
            case MIG_DATA_READ -> "MIG_DATA_READ";
            case MIG_DATA_WRITE -> "MIG_DATA_WRITE";
            default -> "command " + command;
        };
    }
}
