package io.sidecore.engine.e1000;

import io.sidecore.shm.PortRegionDescriptor;

/**
 * Immutable identity and policy of one port, fixed when the port is created.
 *
 * @param portId      numeric id, unique in the daemon.
 * @param name        operator-visible name.
 * @param macAddress  the port's MAC address, 6 bytes, unicast.
 * @param csbOffered  whether the port offers the CSB paravirtual extension (PCI subsystem id 0x1101).
 * @param sharedPages BAR0 pages shared with the guest and polled (bit n = page n).
 */
public record PortConfig(int portId, String name, byte[] macAddress, boolean csbOffered, int sharedPages)
{
    /**
     * Validate.
     */
    public PortConfig
    {
        if (null == macAddress || 6 != macAddress.length)
        {
            throw new IllegalArgumentException("MAC address must be 6 bytes");
        }
        if (0 != (macAddress[0] & 1))
        {
            throw new IllegalArgumentException("MAC address must be unicast: first octet=" + (macAddress[0] & 0xFF));
        }
        macAddress = macAddress.clone();
    }

    /**
     * A port with the default sharing policy and no CSB.
     *
     * @param portId     id.
     * @param name       name.
     * @param macAddress MAC.
     * @return the config.
     */
    public static PortConfig of(final int portId, final String name, final byte[] macAddress)
    {
        return new PortConfig(portId, name, macAddress, false, PortRegionDescriptor.DEFAULT_SHARED_PAGES);
    }

    /**
     * Parse "02:00:00:00:00:01".
     *
     * @param text MAC in colon-separated hex.
     * @return 6 bytes.
     */
    public static byte[] parseMac(final String text)
    {
        final String[] parts = text.split(":");
        if (6 != parts.length)
        {
            throw new IllegalArgumentException("MAC address must have 6 octets: " + text);
        }
        final byte[] mac = new byte[6];
        for (int i = 0; i < 6; i++)
        {
            if (parts[i].length() != 2)
            {
                throw new IllegalArgumentException("bad MAC octet '" + parts[i] + "' in " + text);
            }
            try
            {
                mac[i] = (byte)Integer.parseInt(parts[i], 16);
            }
            catch (final NumberFormatException ex)
            {
                throw new IllegalArgumentException("bad MAC octet '" + parts[i] + "' in " + text, ex);
            }
        }
        return mac;
    }

    @Override
    public byte[] macAddress()
    {
        return macAddress.clone();
    }
}
