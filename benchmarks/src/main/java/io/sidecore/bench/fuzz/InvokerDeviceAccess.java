package io.sidecore.bench.fuzz;

import io.sidecore.engine.port.Port;
import io.sidecore.engine.proxy.EngineProxy;
import io.sidecore.engine.proxy.TrappedAccess;
import io.sidecore.tools.guest.DeviceAccess;
import org.agrona.concurrent.AtomicBuffer;

/**
 * An honest guest's NIC in the fuzzer: trapped accesses go through {@link EngineProxy} exactly as a VMM's socket
 * thread sends them; the engine runs in invoker mode, so the proxy runs the sidecores while it waits for the answer,
 * on the fuzzer's one thread. The shared BAR0 pages are the port's register image, written directly (no trap).
 */
final class InvokerDeviceAccess implements DeviceAccess
{
    private final EngineProxy proxy;
    private final Port port;

    InvokerDeviceAccess(final EngineProxy proxy, final Port port)
    {
        this.proxy = proxy;
        this.port = port;
    }

    public int configRead(final int offset, final int sizeBytes)
    {
        return (int)proxy.read(port, TrappedAccess.CONFIG_SPACE, offset, sizeBytes);
    }

    public void configWrite(final int offset, final int sizeBytes, final int value)
    {
        proxy.write(port, TrappedAccess.CONFIG_SPACE, offset, sizeBytes, value & 0xFFFF_FFFFL);
    }

    public int bar0Read(final int offset)
    {
        return (int)proxy.read(port, TrappedAccess.MMIO_SPACE, offset, Integer.BYTES);
    }

    public void bar0Write(final int offset, final int value)
    {
        proxy.write(port, TrappedAccess.MMIO_SPACE, offset, Integer.BYTES, value & 0xFFFF_FFFFL);
    }

    public int ioRead(final int offset)
    {
        return (int)proxy.read(port, TrappedAccess.IO_SPACE, offset, Integer.BYTES);
    }

    public void ioWrite(final int offset, final int value)
    {
        proxy.write(port, TrappedAccess.IO_SPACE, offset, Integer.BYTES, value & 0xFFFF_FFFFL);
    }

    public int sharedPages()
    {
        return port.config().sharedPages();
    }

    public AtomicBuffer sharedBar0()
    {
        return port.registers().doorbellPages();
    }
}
