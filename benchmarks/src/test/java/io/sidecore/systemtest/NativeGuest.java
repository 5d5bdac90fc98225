package io.sidecore.systemtest;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sidecore.shm.E1000Registers;
import io.sidecore.shm.E1000TxDescriptor;
import io.sidecore.shm.PciConfig;
import io.sidecore.shm.control.ControlProtocol;
import io.sidecore.shm.os.EventFd;
import io.sidecore.shm.os.Fds;
import io.sidecore.shm.os.LibC;
import io.sidecore.shm.os.MemFd;
import io.sidecore.tools.control.ControlClient;
import io.sidecore.tools.guest.Descriptors;
import io.sidecore.tools.guest.NativeDeviceAccess;
import io.sidecore.tools.guest.PortRegionMapping;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.nio.file.Path;

/**
 * Test support: a guest attached natively to a daemon's port from this JVM, with the least a driver does to send:
 * bus mastering, a TX ring in its sealed memfd RAM, the transmitter on (two trapped writes, the ring registers and
 * the tail in the shared page). Closing it closes the connection: the daemon detaches the guest.
 */
final class NativeGuest implements AutoCloseable
{
    static final long RAM_GPA = 0x4000_0000L;
    static final int RAM_BYTES = 2 << 20;
    private static final int RING_DESCRIPTORS = 64;
    private static final int FRAME_OFFSET = 0x1000;

    private final ControlClient client;
    private final MemFd ram;
    private final EventFd irq;
    private final Arena arena = Arena.ofShared();
    private final UnsafeBuffer ramBuffer;
    private MemFd region;
    private MemFd doorbells;
    private PortRegionMapping mapping;
    private NativeDeviceAccess access;
    private int kickFd = -1;
    private int tail;

    private NativeGuest(final Path controlSocket) throws IOException
    {
        client = ControlClient.connect(controlSocket);
        ram = MemFd.create("sidecore-guest-ram", RAM_BYTES);
        ram.addSeals(LibC.F_SEAL_SHRINK | LibC.F_SEAL_GROW);
        irq = EventFd.create(EventFd.EFD_NONBLOCK | EventFd.EFD_CLOEXEC);
        final MemorySegment mapped = ram.map(arena);
        ramBuffer = new UnsafeBuffer(mapped.address(), RAM_BYTES);
    }

    /**
     * Attach to an existing port.
     *
     * @param controlSocket the daemon's control socket.
     * @param port          the port's name.
     * @return the attached guest.
     */
    static NativeGuest attach(final Path controlSocket, final String port) throws IOException
    {
        final NativeGuest guest = new NativeGuest(controlSocket);
        try
        {
            guest.attach(port);
            return guest;
        }
        catch (final IOException | RuntimeException ex)
        {
            guest.close();
            throw ex;
        }
    }

    private void attach(final String port) throws IOException
    {
        final ObjectNode request = client.newRequest(ControlProtocol.CMD_ATTACH);
        request.put(ControlProtocol.NAME, port);
        final ObjectNode memory = request.putArray(ControlProtocol.REGIONS).addObject();
        memory.put(ControlProtocol.GPA, RAM_GPA);
        memory.put(ControlProtocol.SIZE, RAM_BYTES);
        memory.put(ControlProtocol.FD_INDEX, 0);
        request.put(ControlProtocol.INTERRUPT_FD_INDEX, 1);
        final ControlClient.ControlResponse response = client.call(request, ram.fd(), irq.fd());
        final int[] fds = client.receivedFds();
        if (!response.ok())
        {
            for (final int fd : fds)
            {
                Fds.close(fd);
            }
            throw new IllegalStateException("attach to " + port + " refused: " + response.errorMessage());
        }
        region = MemFd.adopt(fds[response.result().get(ControlProtocol.REGION_FD_INDEX).asInt()], "port-region");
        doorbells = MemFd.adopt(fds[response.result().get(ControlProtocol.DOORBELL_FD_INDEX).asInt()],
            "doorbell-pages");
        final int kickIndex = response.result().path(ControlProtocol.KICK_FD_INDEX).asInt(-1);
        kickFd = kickIndex >= 0 ? fds[kickIndex] : -1;
        mapping = PortRegionMapping.map(region, doorbells);
        access = new NativeDeviceAccess(client.input(), client.output(), mapping.doorbellPages(),
            mapping.sharedPages(), kickFd);
    }

    /**
     * @param offset a trapped BAR0 register.
     * @return its value, read through the daemon.
     */
    int read(final int offset)
    {
        return access.bar0Read(offset);
    }

    /**
     * Bus mastering, a TX ring, the transmitter on.
     */
    void setUpTx()
    {
        access.configWrite(PciConfig.COMMAND_OFFSET, 2, PciConfig.COMMAND_MEMORY_SPACE | PciConfig.COMMAND_BUS_MASTER);
        final AtomicBuffer bar0 = mapping.doorbellPages();
        bar0.putIntVolatile(E1000Registers.TDBAL, (int)RAM_GPA);
        bar0.putIntVolatile(E1000Registers.TDBAH, 0);
        bar0.putIntVolatile(E1000Registers.TDLEN, RING_DESCRIPTORS * 16);
        bar0.putIntVolatile(E1000Registers.TDH, 0);
        bar0.putIntVolatile(E1000Registers.TDT, 0);
        access.bar0Write(E1000Registers.TCTL, E1000Registers.TCTL_EN | E1000Registers.TCTL_PSP);
        tail = 0;
    }

    /**
     * Post frames to {@code destination} and ring the doorbell in the shared page (no trap).
     */
    void send(final byte[] destination, final byte[] source, final int frames)
    {
        ramBuffer.putBytes(FRAME_OFFSET, destination);
        ramBuffer.putBytes(FRAME_OFFSET + 6, source);
        ramBuffer.putShort(FRAME_OFFSET + 12, (short)0x88B5, ByteOrder.BIG_ENDIAN);
        for (int i = 0; i < frames; i++)
        {
            Descriptors.putLegacyTx(ramBuffer, tail * 16, RAM_GPA + FRAME_OFFSET, 64,
                E1000TxDescriptor.CMD_EOP | E1000TxDescriptor.CMD_RS);
            tail = (tail + 1) % RING_DESCRIPTORS;
        }
        mapping.doorbellPages().putIntVolatile(E1000Registers.TDT, tail);
    }

    /**
     * @return true once the device consumed every posted descriptor (TDH = TDT in the shared page).
     */
    boolean isTxDone()
    {
        return (mapping.doorbellPages().getIntVolatile(E1000Registers.TDH) & 0xFFFF) == tail;
    }

    public void close()
    {
        // The port's descriptors first, in the order the guest process closes them; the connection last.
        if (null != mapping)
        {
            mapping.close();
        }
        if (null != region)
        {
            region.close();
        }
        if (null != doorbells)
        {
            doorbells.close();
        }
        if (kickFd >= 0)
        {
            Fds.close(kickFd);
        }
        try
        {
            client.close();
        }
        catch (final IOException ignore)
        {
            // The daemon sees the connection end either way.
        }
        irq.close();
        arena.close();
        ram.close();
    }
}
