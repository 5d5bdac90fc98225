package io.sidecore.tools.e2e;

/**
 * Which NIC the guest gets. The two QEMU modes are the baselines the sidecore is measured against, on the same
 * guest image, kernel and run.
 */
enum NicMode
{
    /** QEMU's own emulated 82540EM ({@code -device e1000}) on a TAP: the trap-per-register baseline. */
    QEMU_E1000("qemu-e1000", "e1000", "0x8086", "0x100e", 4),
    /** QEMU's paravirtual {@code virtio-net-pci} on a TAP: the paravirtual baseline. */
    VIRTIO("virtio", "virtio_net", "0x1af4", "0x1000", 0),
    /** The sidecore port over vfio-user ({@code -device vfio-user-pci}): the product. */
    SIDECORE("sidecore", "e1000", "0x8086", "0x100e", 4);

    private final String cliName;
    private final String driver;
    private final String pciVendor;
    private final String pciDevice;
    private final int guestFcsBytesPerFrame;

    NicMode(
        final String cliName,
        final String driver,
        final String pciVendor,
        final String pciDevice,
        final int guestFcsBytesPerFrame)
    {
        this.cliName = cliName;
        this.driver = driver;
        this.pciVendor = pciVendor;
        this.pciDevice = pciDevice;
        this.guestFcsBytesPerFrame = guestFcsBytesPerFrame;
    }

    /**
     * @return the name on the command line ({@code --mode}).
     */
    String cliName()
    {
        return cliName;
    }

    /**
     * @return the guest driver that must drive the NIC (also its module's file name in the initramfs).
     */
    String driver()
    {
        return driver;
    }

    /**
     * @return the NIC's PCI vendor id as sysfs prints it.
     */
    String pciVendor()
    {
        return pciVendor;
    }

    /**
     * @return the NIC's PCI device id as sysfs prints it.
     */
    String pciDevice()
    {
        return pciDevice;
    }

    /**
     * @return bytes per frame the guest's byte statistics include beyond the frame (the e1000's GORC/GOTC count the
     * FCS, SDM 13.7; virtio-net counts none).
     */
    int guestFcsBytesPerFrame()
    {
        return guestFcsBytesPerFrame;
    }

    /**
     * @param name a {@code --mode} value.
     * @return the mode.
     * @throws IllegalArgumentException naming the valid modes.
     */
    static NicMode fromCliName(final String name)
    {
        for (final NicMode mode : values())
        {
            if (mode.cliName.equals(name))
            {
                return mode;
            }
        }
        throw new IllegalArgumentException("unknown mode '" + name + "'; one of sidecore, qemu-e1000, virtio");
    }

    /**
     * {@inheritDoc}
     */
    public String toString()
    {
        return cliName;
    }
}
