package io.sidecore.shm;

/**
 * PCI configuration space of the emulated 82540EM (type 0 header, 256 bytes). SDM 4.1, table 4-1.
 * <pre>
 *    3                   2                   1
 *    1 0 9 8 7 6 5 4 3 2 1 0 9 8 7 6 5 4 3 2 1 0 9 8 7 6 5 4 3 2 1 0
 *   +-------------------------------+-------------------------------+
 *   |     Device ID 0x100E          |      Vendor ID 0x8086         | 0x00
 *   +-------------------------------+-------------------------------+
 *   |           Status              |          Command              | 0x04
 *   +-----------------------------------------------+---------------+
 *   |            Class code 0x020000                |  Revision 03  | 0x08
 *   +---------------+---------------+---------------+---------------+
 *   |     BIST      | Header type 0 | Latency timer | Cache line    | 0x0C
 *   +---------------+---------------+---------------+---------------+
 *   |            BAR0: memory, 32-bit, 128 KiB                      | 0x10
 *   +---------------------------------------------------------------+
 *   |            BAR1: I/O, 64 bytes                                | 0x14
 *   +---------------------------------------------------------------+
 *   |            BAR2..BAR5: unimplemented (read 0)                 | 0x18..0x24
 *   +-------------------------------+-------------------------------+
 *   |      Subsystem ID             |   Subsystem vendor ID         | 0x2C
 *   +-------------------------------+-------------------------------+
 *   |            Expansion ROM base (none)                          | 0x30
 *   +---------------+---------------+---------------+---------------+
 *   |    Max_Lat    |   Min_Gnt     | Interrupt pin | Interrupt line| 0x3C
 *   +---------------+---------------+---------------+---------------+
 * </pre>
 */
public final class PciConfig
{
    /** Size of the configuration space served. */
    public static final int CONFIG_SPACE_LENGTH = 256;

    public static final int VENDOR_ID_OFFSET = 0x00;
    public static final int DEVICE_ID_OFFSET = 0x02;
    public static final int COMMAND_OFFSET = 0x04;
    public static final int STATUS_OFFSET = 0x06;
    public static final int REVISION_OFFSET = 0x08;
    public static final int CLASS_CODE_OFFSET = 0x09;
    public static final int CACHE_LINE_SIZE_OFFSET = 0x0C;
    public static final int LATENCY_TIMER_OFFSET = 0x0D;
    public static final int HEADER_TYPE_OFFSET = 0x0E;
    public static final int BAR0_OFFSET = 0x10;
    public static final int BAR1_OFFSET = 0x14;
    public static final int BAR2_OFFSET = 0x18;
    public static final int BAR5_OFFSET = 0x24;
    public static final int SUBSYSTEM_VENDOR_ID_OFFSET = 0x2C;
    public static final int SUBSYSTEM_ID_OFFSET = 0x2E;
    public static final int EXPANSION_ROM_OFFSET = 0x30;
    public static final int CAPABILITIES_POINTER_OFFSET = 0x34;
    public static final int INTERRUPT_LINE_OFFSET = 0x3C;
    public static final int INTERRUPT_PIN_OFFSET = 0x3D;

    public static final int VENDOR_ID_INTEL = 0x8086;
    /** 82540EM desktop adapter. */
    public static final int DEVICE_ID_82540EM = 0x100E;
    public static final int REVISION_ID = 0x03;
    /** Network controller, Ethernet. */
    public static final int CLASS_CODE_ETHERNET = 0x020000;
    /** Subsystem vendor ID QEMU presents for its e1000 (generic default). */
    public static final int SUBSYSTEM_VENDOR_ID_DEFAULT = 0x1AF4;
    /** Subsystem ID QEMU presents for its e1000. */
    public static final int SUBSYSTEM_ID_DEFAULT = 0x1100;
    /** Subsystem ID that tells a paravirtual-aware guest the port offers the CSB (ANCS'13 e1000 extension). */
    public static final int SUBSYSTEM_ID_CSB = 0x1101;
    /** INTA#. */
    public static final int INTERRUPT_PIN_INTA = 1;

    public static final int COMMAND_IO_SPACE = 1;
    public static final int COMMAND_MEMORY_SPACE = 1 << 1;
    /** Bus master enable: gates all device DMA (SDM 4.1). */
    public static final int COMMAND_BUS_MASTER = 1 << 2;
    public static final int COMMAND_INTX_DISABLE = 1 << 10;
    /** Command bits the device implements; others read 0. */
    public static final int COMMAND_WRITABLE_MASK = 0x0547;

    /** Status: an INTx interrupt is pending. */
    public static final int STATUS_INTERRUPT = 1 << 3;

    /** BAR1 I/O space indicator bit. */
    public static final int BAR_IO_SPACE = 1;

    /** Cache line size the 82540EM presents (in dwords, 64 bytes), as QEMU forces it. */
    public static final int CACHE_LINE_SIZE_DEFAULT = 0x10;
    /** BAR0 read-back after an all-ones write: 128 KiB, 32-bit, non-prefetchable memory. */
    public static final int BAR0_SIZE_MASK = 0xFFFE0000;
    /** BAR1 address bits: 64-byte I/O window. */
    public static final int BAR1_ADDRESS_MASK = 0xFFFFFFC0;
    /** Expansion ROM base: absent (reads 0). */
    public static final int EXPANSION_ROM_NONE = 0;

    private PciConfig()
    {
    }
}
