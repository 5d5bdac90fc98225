package io.sidecore.engine.mem;

/**
 * A view over guest memory that reports every host range it is wrapped over to a {@link GuestMemoryAccessProbe}
 * before the device uses it. Made by {@link GuestMemory#newView} only when a probe is installed (tests, the fuzzer).
 */
final class ProbedView extends DataPathBuffer
{
    private final GuestMemoryAccessProbe probe;
    private final boolean write;

    ProbedView(final GuestMemoryAccessProbe probe, final boolean write)
    {
        this.probe = probe;
        this.write = write;
    }

    @Override
    public void wrap(final long address, final int length)
    {
        probe.onAccess(address, length, write);
        super.wrap(address, length);
    }
}
