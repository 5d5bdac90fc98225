package io.sidecore.tools.e2e;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What NICs the guest has, from sysfs: every PCI function of class 02 (network controller), bound to a driver or
 * not, and every network interface but loopback. Every run proves with it that it tested the right thing: exactly
 * one NIC, with the mode's PCI ids, driven by the mode's driver, carrying the expected MAC.
 *
 * @param pciNics     the network-class PCI functions.
 * @param netDevices  the network interfaces other than {@code lo}.
 */
record GuestIdentity(List<PciNic> pciNics, List<NetDevice> netDevices)
{
    /** The guest shell command whose output {@link #parse} reads (busybox sh, no udev, sysfs only). */
    static final String GUEST_COMMAND =
        "for d in /sys/bus/pci/devices/*; do case $(cat $d/class) in 0x02*) drv=$(readlink $d/driver); " +
        "echo \"PCINIC ${d##*/} $(cat $d/vendor) $(cat $d/device) ${drv:-/none}\";; esac; done; " +
        "for n in /sys/class/net/*; do [ \"${n##*/}\" = lo ] && continue; drv=$(readlink $n/device/driver); " +
        "echo \"NETDEV ${n##*/} $(cat $n/address) ${drv:-/none}\"; done";

    /**
     * A network-class PCI function.
     *
     * @param address PCI address, e.g. {@code 0000:00:03.0}.
     * @param vendor  vendor id as sysfs prints it ({@code 0x8086}).
     * @param device  device id ({@code 0x100e}).
     * @param driver  bound driver, {@code none} when unbound.
     */
    record PciNic(String address, String vendor, String device, String driver)
    {
    }

    /**
     * A network interface.
     *
     * @param name   interface name.
     * @param mac    its MAC address, lower case.
     * @param driver the driver of its device, {@code none} when it has no device.
     */
    record NetDevice(String name, String mac, String driver)
    {
    }

    /**
     * @param output what {@link #GUEST_COMMAND} printed.
     * @return the identity.
     */
    static GuestIdentity parse(final String output)
    {
        final List<PciNic> pciNics = new ArrayList<>();
        final List<NetDevice> netDevices = new ArrayList<>();
        for (final String line : Text.lines(output))
        {
            final String[] fields = line.strip().split("\\s+");
            if ("PCINIC".equals(fields[0]) && 5 == fields.length)
            {
                pciNics.add(new PciNic(fields[1], fields[2], fields[3], lastPathElement(fields[4])));
            }
            else if ("NETDEV".equals(fields[0]) && 4 == fields.length)
            {
                netDevices.add(new NetDevice(fields[1], fields[2].toLowerCase(Locale.ROOT),
                    lastPathElement(fields[3])));
            }
        }
        return new GuestIdentity(pciNics, netDevices);
    }

    /**
     * @param mode        the NIC the guest must have.
     * @param expectedMac the MAC it must carry.
     * @return the name of the one interface.
     * @throws E2eException saying exactly what differs.
     */
    String verify(final NicMode mode, final String expectedMac)
    {
        if (1 != pciNics.size())
        {
            throw new E2eException("the guest has " + pciNics.size() + " network PCI functions, not exactly one: " +
                pciNics);
        }
        final PciNic pci = pciNics.getFirst();
        if (!mode.pciVendor().equals(pci.vendor()) || !mode.pciDevice().equals(pci.device()))
        {
            throw new E2eException("the guest's NIC " + pci.address() + " is " + pci.vendor() + ":" + pci.device() +
                ", not the " + mode + " NIC " + mode.pciVendor() + ":" + mode.pciDevice());
        }
        if (1 != netDevices.size())
        {
            throw new E2eException("the guest has " + netDevices.size() + " network interfaces besides lo, not " +
                "exactly one: " + netDevices + " (PCI NIC " + pci + ")");
        }
        final NetDevice netDevice = netDevices.getFirst();
        if (!mode.driver().equals(netDevice.driver()))
        {
            throw new E2eException("interface " + netDevice.name() + " is driven by '" + netDevice.driver() +
                "', not " + mode.driver());
        }
        if (!expectedMac.toLowerCase(Locale.ROOT).equals(netDevice.mac()))
        {
            throw new E2eException("interface " + netDevice.name() + " carries MAC " + netDevice.mac() + ", not " +
                expectedMac + " (the port's)");
        }
        return netDevice.name();
    }

    private static String lastPathElement(final String path)
    {
        return path.substring(path.lastIndexOf('/') + 1);
    }
}
