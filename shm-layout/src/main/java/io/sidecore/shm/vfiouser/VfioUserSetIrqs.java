package io.sidecore.shm.vfiouser;

/**
 * DEVICE_SET_IRQS (command 8): attach eventfds to interrupts, mask, unmask or trigger them (vfio-user spec
 * "VFIO_USER_DEVICE_SET_IRQS"; QEMU {@code VFIOUserIRQSet}, Linux {@code struct vfio_irq_set}).
 * <pre>
 *    3                   2                   1
 *    1 0 9 8 7 6 5 4 3 2 1 0 9 8 7 6 5 4 3 2 1 0 9 8 7 6 5 4 3 2 1 0
 *   +---------------------------------------------------------------+
 *   |                      header (16 bytes)                        | 0
 *   +---------------------------------------------------------------+
 *   |            argsz = 20 + bytes of data (BOOL form)             | 16
 *   +---------------------------------------------------+-+-+-+-+-+-+
 *   |                 reserved (zero)                   |T|U|M|E|B|N| 20
 *   +---------------------------------------------------+-+-+-+-+-+-+
 *   |                       index (IRQ type)                        | 24
 *   +---------------------------------------------------------------+
 *   |                 start: first interrupt of the type            | 28
 *   +---------------------------------------------------------------+
 *   |                 count: interrupts addressed                   | 32
 *   +---------------------------------------------------------------+
 *   |      data: count bool bytes (BOOL form only) ...              | 36
 * </pre>
 * Exactly one data flag (N {@link #DATA_NONE}, B {@link #DATA_BOOL}, E {@link #DATA_EVENTFD}) and exactly one
 * action flag (M {@link #ACTION_MASK}, U {@link #ACTION_UNMASK}, T {@link #ACTION_TRIGGER}) are set. The message is
 * 16 + argsz bytes. The EVENTFD form carries no data: its {@code count} fds arrive as SCM_RIGHTS with the header
 * (QEMU sends chunks of at most {@code max_msg_fds}, each all real fds or all "-1"); a message with count n and
 * <em>no</em> fds de-assigns those n. {@code count = 0} with DATA_NONE and TRIGGER disables every interrupt of the
 * index. The reply is the header alone.
 * <p>
 * QEMU's INTx sequence: TRIGGER|EVENTFD with the trigger eventfd; with KVM resampling, MASK|NONE, UNMASK|EVENTFD
 * with the resample eventfd (signalled by KVM on the guest's EOI), UNMASK|NONE. Without KVM (TCG) QEMU reads the
 * trigger itself, and unmasks with UNMASK|NONE on the guest's next BAR access. To disable: MASK, UNMASK, then
 * TRIGGER|NONE with count 0.
 */
public final class VfioUserSetIrqs
{
    public static final int ARGSZ_OFFSET = VfioUserHeader.HEADER_LENGTH;
    public static final int FLAGS_OFFSET = ARGSZ_OFFSET + 4;
    public static final int INDEX_OFFSET = FLAGS_OFFSET + 4;
    public static final int START_OFFSET = INDEX_OFFSET + 4;
    public static final int COUNT_OFFSET = START_OFFSET + 4;
    public static final int DATA_OFFSET = COUNT_OFFSET + 4;
    /** Length of a message without data (NONE and EVENTFD forms). */
    public static final int MESSAGE_LENGTH = DATA_OFFSET;
    /** {@code argsz} without data. */
    public static final int ARGSZ = MESSAGE_LENGTH - VfioUserHeader.HEADER_LENGTH;

    /** No data: act on every addressed interrupt. */
    public static final int DATA_NONE = 0x01;
    /** One bool byte per addressed interrupt: act where true. */
    public static final int DATA_BOOL = 0x02;
    /** One eventfd per addressed interrupt, as SCM_RIGHTS (none: de-assign). */
    public static final int DATA_EVENTFD = 0x04;
    /** Mask the interrupt. */
    public static final int ACTION_MASK = 0x08;
    /** Unmask the interrupt; with an eventfd: the resample fd whose signal unmasks. */
    public static final int ACTION_UNMASK = 0x10;
    /** Trigger the interrupt; with an eventfd: the fd the server signals to raise it. */
    public static final int ACTION_TRIGGER = 0x20;
    /** The data-type bits. */
    public static final int DATA_TYPE_MASK = DATA_NONE | DATA_BOOL | DATA_EVENTFD;
    /** The action bits. */
    public static final int ACTION_TYPE_MASK = ACTION_MASK | ACTION_UNMASK | ACTION_TRIGGER;

    /** Reply length: the header alone. */
    public static final int REPLY_LENGTH = VfioUserHeader.HEADER_LENGTH;

    private VfioUserSetIrqs()
    {
    }

    /**
     * @param flags the message's flags.
     * @return true when exactly one data flag and exactly one action flag are set, and nothing else.
     */
    public static boolean isWellFormedFlags(final int flags)
    {
        final int data = flags & DATA_TYPE_MASK;
        final int action = flags & ACTION_TYPE_MASK;
        return (flags & ~(DATA_TYPE_MASK | ACTION_TYPE_MASK)) == 0 &&
            1 == Integer.bitCount(data) && 1 == Integer.bitCount(action);
    }
}
