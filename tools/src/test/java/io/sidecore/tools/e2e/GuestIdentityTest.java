package io.sidecore.tools.e2e;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GuestIdentityTest
{
    private static final String MAC = "52:54:00:5c:e2:01";

    @Test
    void shouldNameInterfaceWhenOneE1000WithExpectedMac()
    {
        final GuestIdentity identity = GuestIdentity.parse(Recorded.text("identity-qemu-e1000.txt"));

        assertEquals(new GuestIdentity.PciNic("0000:00:02.0", "0x8086", "0x100e", "e1000"),
            identity.pciNics().getFirst());
        assertEquals("eth0", identity.verify(NicMode.QEMU_E1000, MAC));
        assertEquals("eth0", identity.verify(NicMode.SIDECORE, MAC.toUpperCase()));
    }

    @Test
    void shouldNameInterfaceWhenOneVirtioNic()
    {
        final GuestIdentity identity = GuestIdentity.parse(Recorded.text("identity-virtio.txt"));

        assertEquals("virtio_net", identity.netDevices().getFirst().driver());
        assertEquals("eth0", identity.verify(NicMode.VIRTIO, MAC));
    }

    @Test
    void shouldFailWhenNicIsNotTheModesDevice()
    {
        final GuestIdentity virtio = GuestIdentity.parse(Recorded.text("identity-virtio.txt"));

        final E2eException ex = assertThrows(E2eException.class, () -> virtio.verify(NicMode.SIDECORE, MAC));

        assertTrue(ex.getMessage().contains("0x1af4:0x1000, not the sidecore NIC 0x8086:0x100e"), ex.getMessage());
    }

    @Test
    void shouldFailWhenSecondNetworkPciFunction()
    {
        // What a forgotten '-nic none' gives: the pc machine's own e1000 beside the NIC under test.
        final GuestIdentity identity = GuestIdentity.parse(Recorded.text("identity-qemu-e1000.txt") +
            "PCINIC 0000:00:03.0 0x8086 0x100e ../../../bus/pci/drivers/e1000\n" +
            "NETDEV eth1 52:54:00:12:34:56 ../../../bus/pci/drivers/e1000\n");

        final E2eException ex = assertThrows(E2eException.class, () -> identity.verify(NicMode.SIDECORE, MAC));

        assertTrue(ex.getMessage().contains("2 network PCI functions"), ex.getMessage());
    }

    @Test
    void shouldFailWhenNicHasNoDriverBound()
    {
        final GuestIdentity identity = GuestIdentity.parse("PCINIC 0000:00:02.0 0x8086 0x100e /none\n");

        final E2eException ex = assertThrows(E2eException.class, () -> identity.verify(NicMode.SIDECORE, MAC));

        assertTrue(ex.getMessage().contains("0 network interfaces besides lo"), ex.getMessage());
        assertTrue(ex.getMessage().contains("driver=none"), ex.getMessage());
    }

    @Test
    void shouldFailWhenInterfaceDrivenByOtherDriver()
    {
        final GuestIdentity identity = GuestIdentity.parse("PCINIC 0000:00:02.0 0x8086 0x100e /x/e1000e\n" +
            "NETDEV eth0 52:54:00:5c:e2:01 ../../../bus/pci/drivers/e1000e\n");

        final E2eException ex = assertThrows(E2eException.class, () -> identity.verify(NicMode.QEMU_E1000, MAC));

        assertTrue(ex.getMessage().contains("driven by 'e1000e', not e1000"), ex.getMessage());
    }

    @Test
    void shouldFailWhenMacIsNotThePorts()
    {
        final GuestIdentity identity = GuestIdentity.parse(Recorded.text("identity-qemu-e1000.txt"));

        final E2eException ex = assertThrows(E2eException.class,
            () -> identity.verify(NicMode.SIDECORE, "52:54:00:5c:e2:02"));

        assertTrue(ex.getMessage().contains("carries MAC 52:54:00:5c:e2:01, not 52:54:00:5c:e2:02"), ex.getMessage());
    }

    @Test
    void shouldFailWhenGuestHasNoNic()
    {
        final E2eException ex = assertThrows(E2eException.class,
            () -> GuestIdentity.parse("").verify(NicMode.QEMU_E1000, MAC));

        assertTrue(ex.getMessage().contains("0 network PCI functions"), ex.getMessage());
    }
}
