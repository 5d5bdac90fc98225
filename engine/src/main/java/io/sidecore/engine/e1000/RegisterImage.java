package io.sidecore.engine.e1000;

import io.sidecore.shm.E1000Registers;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The BAR0 register image of one port: 128 KiB of (usually shared) memory that is the storage of every register.
 * Registers in shared pages are written by the guest directly and polled; the others are written only by the
 * device model in response to trapped accesses. Accessors take BAR0 byte offsets from {@link E1000Registers}.
 * <p>
 * Only the owning agent thread writes through this class. Host-owned fields in shared pages (TDH, RDH) are
 * published with release stores; guest-owned doorbells (TDT, RDT) are read with acquire loads.
 */
public final class RegisterImage
{
    private final AtomicBuffer buffer;
    /** Keeps the native memory of {@link #allocate()} reachable: the buffer only holds its raw address. */
    private final MemorySegment owner;

    /**
     * @param buffer a buffer of at least {@link E1000Registers#BAR0_LENGTH} bytes whose offset 0 is BAR0 offset 0.
     */
    public RegisterImage(final AtomicBuffer buffer)
    {
        this(buffer, null);
    }

    private RegisterImage(final AtomicBuffer buffer, final MemorySegment owner)
    {
        if (buffer.capacity() < E1000Registers.BAR0_LENGTH)
        {
            throw new IllegalArgumentException("register image too short: capacity=" + buffer.capacity());
        }
        this.buffer = buffer;
        this.owner = owner;
    }

    /**
     * A private image in native memory (tests, ports without a shared region).
     *
     * @return a zeroed image.
     */
    public static RegisterImage allocate()
    {
        final MemorySegment segment = Arena.ofAuto().allocate(E1000Registers.BAR0_LENGTH, 4096);
        return new RegisterImage(new UnsafeBuffer(segment.address(), E1000Registers.BAR0_LENGTH), segment);
    }

    /**
     * @param offset BAR0 byte offset, 4-byte aligned, in range.
     * @return plain read.
     */
    public int get(final int offset)
    {
        return buffer.getInt(offset);
    }

    /**
     * @param offset BAR0 byte offset.
     * @param value  plain write.
     */
    public void set(final int offset, final int value)
    {
        buffer.putInt(offset, value);
    }

    /**
     * @param offset BAR0 byte offset of a guest-written shared register.
     * @return acquire read.
     */
    public int getAcquire(final int offset)
    {
        return buffer.getIntAcquire(offset);
    }

    /**
     * @param offset BAR0 byte offset of a host-written shared register.
     * @param value  release write.
     */
    public void setRelease(final int offset, final int value)
    {
        buffer.putIntRelease(offset, value);
    }

    /**
     * Zero the whole image.
     */
    public void clear()
    {
        buffer.setMemory(0, E1000Registers.BAR0_LENGTH, (byte)0);
    }

    /**
     * @return the underlying buffer.
     */
    public AtomicBuffer buffer()
    {
        return buffer;
    }
}
