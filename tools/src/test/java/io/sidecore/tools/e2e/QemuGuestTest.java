package io.sidecore.tools.e2e;

import org.junit.jupiter.api.Test;

import java.util.Collections;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class QemuGuestTest
{
    @Test
    void shouldUseTcgSharedMemfdRamAndNoDefaultNic()
    {
        final List<String> command = QemuGuest.commandLine(512, List.of("-device", "e1000,netdev=nic0"),
            List.of("-trace", "vfio_user_*"));

        assertEquals("qemu-system-x86_64", command.getFirst());
        assertFollows(command, "-accel", "tcg");
        assertFollows(command, "-object", "memory-backend-memfd,id=mem,size=512M,share=on");
        assertFollows(command, "-machine", "pc,memory-backend=mem");
        assertFollows(command, "-nic", "none");
        assertFollows(command, "-serial", "stdio");
        assertFollows(command, "-kernel", GuestCache.KERNEL_IN_ROOT);
        assertFollows(command, "-initrd", GuestCache.INITRAMFS_IN_ROOT);
        assertFollows(command, "-append", QemuGuest.KERNEL_COMMAND_LINE);
        assertEquals(List.of("-device", "e1000,netdev=nic0", "-trace", "vfio_user_*"),
            command.subList(command.size() - 4, command.size()));
        assertEquals(1, Collections.frequency(command, "-device"), "only the mode's NIC");
        assertFalse(command.contains("-enable-kvm"));
    }

    @Test
    void shouldTurnOffIpv6AndUseSerialConsoleInGuest()
    {
        assertTrue(QemuGuest.KERNEL_COMMAND_LINE.contains("console=ttyS0"));
        assertTrue(QemuGuest.KERNEL_COMMAND_LINE.contains("ipv6.disable=1"));
    }

    private static void assertFollows(final List<String> command, final String option, final String value)
    {
        final int index = command.indexOf(option);
        assertTrue(index >= 0 && index + 1 < command.size(), option + " missing from " + command);
        assertEquals(value, command.get(index + 1), option);
    }
}
