package io.sidecore.shm.vfiouser;

/**
 * DEVICE_GET_INFO (command 4): device flags and how many regions and IRQ indexes it has (vfio-user spec
 * "VFIO_USER_DEVICE_GET_INFO"; QEMU {@code VFIOUserDeviceInfo}). Request and reply have the same layout.
 * <pre>
 *    3                   2                   1
 *    1 0 9 8 7 6 5 4 3 2 1 0 9 8 7 6 5 4 3 2 1 0 9 8 7 6 5 4 3 2 1 0
 *   +---------------------------------------------------------------+
 *   |                      header (16 bytes)                        | 0
 *   +---------------------------------------------------------------+
 *   |                          argsz = 16                           | 16
 *   +-----------------------------------------------------------+-+-+
 *   |                     reserved (zero)                       |P|R| 20
 *   +-----------------------------------------------------------+-+-+
 *   |                          num_regions                          | 24
 *   +---------------------------------------------------------------+
 *   |                           num_irqs                            | 28
 *   +---------------------------------------------------------------+
 * </pre>
 * QEMU requires {@link #FLAG_PCI} ("this isn't a PCI device"), sends DEVICE_RESET only with {@link #FLAG_RESET},
 * and accepts 8..100 regions and 3..50 IRQ indexes. An E1000 answers {@link #E1000_FLAGS},
 * {@link VfioUserRegionInfo#REGION_COUNT} regions and {@link VfioUserIrqInfo#IRQ_INDEX_COUNT} IRQ indexes.
 */
public final class VfioUserDeviceInfo
{
    public static final int ARGSZ_OFFSET = VfioUserHeader.HEADER_LENGTH;
    public static final int FLAGS_OFFSET = ARGSZ_OFFSET + 4;
    public static final int NUM_REGIONS_OFFSET = FLAGS_OFFSET + 4;
    public static final int NUM_IRQS_OFFSET = NUM_REGIONS_OFFSET + 4;
    /** Request and reply length. */
    public static final int MESSAGE_LENGTH = NUM_IRQS_OFFSET + 4;
    /** {@code argsz}: the payload length. */
    public static final int ARGSZ = MESSAGE_LENGTH - VfioUserHeader.HEADER_LENGTH;

    /** The device serves DEVICE_RESET. */
    public static final int FLAG_RESET = 0x1;
    /** The device is PCI. */
    public static final int FLAG_PCI = 0x2;
    /** What an E1000 reports. */
    public static final int E1000_FLAGS = FLAG_RESET | FLAG_PCI;

    private VfioUserDeviceInfo()
    {
    }
}
