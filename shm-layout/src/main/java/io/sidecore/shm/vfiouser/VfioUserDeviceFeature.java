package io.sidecore.shm.vfiouser;

/**
 * DEVICE_FEATURE (command 16): get, set or probe a device feature, the vfio-user form of {@code VFIO_DEVICE_FEATURE}
 * (vfio-user spec "VFIO_USER_DEVICE_FEATURE"). QEMU uses it for migration (v2) and DMA dirty logging.
 * <pre>
 *    3                   2                   1
 *    1 0 9 8 7 6 5 4 3 2 1 0 9 8 7 6 5 4 3 2 1 0 9 8 7 6 5 4 3 2 1 0
 *   +---------------------------------------------------------------+
 *   |                      header (16 bytes)                        | 0
 *   +---------------------------------------------------------------+
 *   |                 argsz: room for the reply payload             | 16
 *   +---------------------------+-+-+-+-----------------------------+
 *   |       reserved            |P|S|G|       feature index         | 20
 *   +---------------------------+-+-+-+-----------------------------+
 *   |                  feature data ...                             | 24
 * </pre>
 * The emulated E1000 offers no feature: it keeps no migratable state outside the sidecore, so every request is
 * answered {@link VfioUserErrno#ENOTTY}, as the kernel's vfio does for an unsupported feature; QEMU then registers
 * a migration blocker instead of migrating a device whose state it cannot carry.
 */
public final class VfioUserDeviceFeature
{
    public static final int ARGSZ_OFFSET = VfioUserHeader.HEADER_LENGTH;
    public static final int FLAGS_OFFSET = ARGSZ_OFFSET + 4;
    public static final int DATA_OFFSET = FLAGS_OFFSET + 4;
    /** Smallest well-formed request. */
    public static final int MIN_MESSAGE_LENGTH = DATA_OFFSET;

    /** Feature index bits of {@code flags}. */
    public static final int FEATURE_MASK = 0xFFFF;
    /** Get the feature's data. */
    public static final int FLAG_GET = 1 << 16;
    /** Set the feature's data. */
    public static final int FLAG_SET = 1 << 17;
    /** Ask whether the feature exists. */
    public static final int FLAG_PROBE = 1 << 18;
    /** Feature: migration (v2). */
    public static final int FEATURE_MIGRATION = 1;
    /** Feature: migration device state. */
    public static final int FEATURE_MIG_DEVICE_STATE = 2;

    private VfioUserDeviceFeature()
    {
    }
}
