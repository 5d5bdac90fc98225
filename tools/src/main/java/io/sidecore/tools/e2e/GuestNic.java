package io.sidecore.tools.e2e;

import java.nio.file.Path;
import java.util.List;

/**
 * One guest's attachment to the test network, made before its QEMU starts.
 *
 * @param index    the guest's index (0, 1).
 * @param name     the guest's (and its port's) name, e.g. {@code g0}.
 * @param mac      the MAC the guest's NIC must carry.
 * @param address  the guest's IPv4 address in the test subnet.
 * @param qemuArgs the QEMU arguments that give the guest this NIC.
 * @param binds    host directories QEMU must see inside the root (a vfio-user socket's directory).
 * @param portName what the port side calls it (TAP device, sidecore port).
 */
record GuestNic(int index, String name, String mac, String address, List<String> qemuArgs, List<Path> binds,
    String portName)
{
}
