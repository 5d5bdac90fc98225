package io.sidecore.shm.vfiouser;

/**
 * DEVICE_GET_IRQ_INFO (command 7): how many interrupts an IRQ index has and how they behave (vfio-user spec
 * "VFIO_USER_DEVICE_GET_IRQ_INFO"; QEMU {@code VFIOUserIRQInfo}, Linux {@code struct vfio_irq_info}). Request and
 * reply share the layout.
 * <pre>
 *    3                   2                   1
 *    1 0 9 8 7 6 5 4 3 2 1 0 9 8 7 6 5 4 3 2 1 0 9 8 7 6 5 4 3 2 1 0
 *   +---------------------------------------------------------------+
 *   |                      header (16 bytes)                        | 0
 *   +---------------------------------------------------------------+
 *   |                          argsz = 16                           | 16
 *   +---------------------------------------------------------+-+-+-+-+
 *   |                     reserved (zero)                   |N|A|M|E| 20
 *   +---------------------------------------------------------+-+-+-+-+
 *   |                    index (IRQ type, below)                    | 24
 *   +---------------------------------------------------------------+
 *   |                count: interrupts of this type                 | 28
 *   +---------------------------------------------------------------+
 * </pre>
 * The 82540EM has a single legacy interrupt pin and no MSI capability (the Linux e1000 driver uses INTx only), so
 * it reports INTx with count 1 and {@link #INTX_FLAGS} (eventfd, maskable, automasked, as the kernel's vfio-pci
 * does) and every other index with count 0. QEMU never queries INTx (it reads the pin from config space); it
 * tolerates count 0 for ERR and REQ.
 */
public final class VfioUserIrqInfo
{
    public static final int ARGSZ_OFFSET = VfioUserHeader.HEADER_LENGTH;
    public static final int FLAGS_OFFSET = ARGSZ_OFFSET + 4;
    public static final int INDEX_OFFSET = FLAGS_OFFSET + 4;
    public static final int COUNT_OFFSET = INDEX_OFFSET + 4;
    /** Request and reply length. */
    public static final int MESSAGE_LENGTH = COUNT_OFFSET + 4;
    /** {@code argsz}: the payload length. */
    public static final int ARGSZ = MESSAGE_LENGTH - VfioUserHeader.HEADER_LENGTH;

    /** Interrupts can signal an eventfd. */
    public static final int FLAG_EVENTFD = 0x1;
    /** MASK and UNMASK actions are served. */
    public static final int FLAG_MASKABLE = 0x2;
    /** The interrupt masks itself when it fires; the client unmasks it after the guest's EOI. */
    public static final int FLAG_AUTOMASKED = 0x4;
    /** Interrupts are set up as a set. */
    public static final int FLAG_NORESIZE = 0x8;
    /** Flags reported for INTx. */
    public static final int INTX_FLAGS = FLAG_EVENTFD | FLAG_MASKABLE | FLAG_AUTOMASKED;

    /** Legacy INTx pin. */
    public static final int INTX_IRQ_INDEX = 0;
    public static final int MSI_IRQ_INDEX = 1;
    public static final int MSIX_IRQ_INDEX = 2;
    /** AER error notification. */
    public static final int ERR_IRQ_INDEX = 3;
    /** Device request (unplug) notification. */
    public static final int REQ_IRQ_INDEX = 4;
    /** IRQ indexes a PCI device reports. */
    public static final int IRQ_INDEX_COUNT = 5;
    /** Interrupts behind the INTx index. */
    public static final int INTX_COUNT = 1;

    private VfioUserIrqInfo()
    {
    }
}
