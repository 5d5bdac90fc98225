package io.sidecore.tools.guest;

import io.sidecore.shm.control.TrappedAccessMessage;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The guest's side of trapped accesses after a native attach: what it sends for each access, and what it does with
 * the daemon's reply.
 */
class NativeDeviceAccessTest
{
    @Test
    void shouldSendConfigReadWithItsSizeAndReturnReplyValue()
    {
        final ByteArrayOutputStream sent = new ByteArrayOutputStream();
        final NativeDeviceAccess access = new NativeDeviceAccess(
            new ByteArrayInputStream(reply(TrappedAccessMessage.SPACE_CONFIG, 2, 0x2, 0x100E, 1, 0)), sent, null, 0,
            -1);

        assertEquals(0x100E, access.configRead(0x2, 2));

        final UnsafeBuffer request = new UnsafeBuffer(sent.toByteArray());
        assertEquals(TrappedAccessMessage.LENGTH, sent.size());
        assertEquals(TrappedAccessMessage.KIND_READ, TrappedAccessMessage.kind(request, 0));
        assertEquals(TrappedAccessMessage.SPACE_CONFIG, TrappedAccessMessage.space(request, 0));
        assertEquals(2, TrappedAccessMessage.size(request, 0));
        assertEquals(0x2, TrappedAccessMessage.address(request, 0));
        assertEquals(1, TrappedAccessMessage.sequence(request, 0));
        assertEquals(1, access.trappedAccesses());
    }

    @Test
    void shouldSendBar0WriteAsFourByteWrite()
    {
        final ByteArrayOutputStream sent = new ByteArrayOutputStream();
        final NativeDeviceAccess access = new NativeDeviceAccess(
            new ByteArrayInputStream(reply(TrappedAccessMessage.SPACE_BAR0, 4, 0xD0, 0, 1, 0)), sent, null, 0, -1);

        access.bar0Write(0xD0, 0x9D);

        final UnsafeBuffer request = new UnsafeBuffer(sent.toByteArray());
        assertEquals(TrappedAccessMessage.KIND_WRITE, TrappedAccessMessage.kind(request, 0));
        assertEquals(TrappedAccessMessage.SPACE_BAR0, TrappedAccessMessage.space(request, 0));
        assertEquals(4, TrappedAccessMessage.size(request, 0));
        assertEquals(0x9D, TrappedAccessMessage.value(request, 0));
    }

    @Test
    void shouldFailWhenReplyIsForAnotherAccess()
    {
        final NativeDeviceAccess access = new NativeDeviceAccess(
            new ByteArrayInputStream(reply(TrappedAccessMessage.SPACE_BAR0, 4, 0x8, 0, 9, 0)),
            new ByteArrayOutputStream(), null, 0, -1);

        final GuestDriverException ex = assertThrows(GuestDriverException.class, () -> access.bar0Read(0x8));
        assertTrue(ex.getMessage().contains("does not match"), ex.getMessage());
    }

    @Test
    void shouldFailWhenDaemonRefusesAccess()
    {
        final NativeDeviceAccess access = new NativeDeviceAccess(
            new ByteArrayInputStream(reply(TrappedAccessMessage.SPACE_BAR1, 4, 0x0, 0, 1,
                TrappedAccessMessage.STATUS_DEVICE_ERROR)), new ByteArrayOutputStream(), null, 0, -1);

        final GuestDriverException ex = assertThrows(GuestDriverException.class, () -> access.ioRead(0x0));
        assertTrue(ex.getMessage().contains("status 2"), ex.getMessage());
    }

    @Test
    void shouldFailWhenConnectionEnds()
    {
        final NativeDeviceAccess access = new NativeDeviceAccess(
            new ByteArrayInputStream(new byte[5]), new ByteArrayOutputStream(), null, 0, -1);

        final GuestDriverException ex = assertThrows(GuestDriverException.class, () -> access.bar0Read(0x8));
        assertTrue(ex.getMessage().contains("closed the connection"), ex.getMessage());
    }

    private static byte[] reply(final int space, final int size, final int offset, final int value,
        final int sequence, final int status)
    {
        final byte[] bytes = new byte[TrappedAccessMessage.LENGTH];
        TrappedAccessMessage.write(new UnsafeBuffer(bytes), 0, TrappedAccessMessage.KIND_REPLY, space, size, status,
            offset, value, sequence);
        return bytes;
    }
}
