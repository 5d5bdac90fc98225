package io.sidecore.bench.fuzz;

import io.sidecore.engine.mem.GuestMemoryAccessProbe;

import java.util.ArrayList;
import java.util.List;

/**
 * The fuzzer's own map of one guest's regions, by host address, kept apart from the engine's translation code. As the
 * memory layer's {@link GuestMemoryAccessProbe} it is told of every host range the port's device is about to read or
 * write, and counts each range that does not lie wholly inside one of the guest's regions (or that would write a
 * read-only one): an out-of-bounds access, whatever the translation said.
 */
final class ShadowMap implements GuestMemoryAccessProbe
{
    private static final int MAX_DESCRIBED = 8;

    private final String owner;
    private final List<GuardedRegion> regions = new ArrayList<>();
    private long[] starts = new long[0];
    private long[] ends = new long[0];
    private boolean[] writable = new boolean[0];
    private long violations;
    private final List<String> described = new ArrayList<>();

    /**
     * @param owner the port's name, for reports.
     */
    ShadowMap(final String owner)
    {
        this.owner = owner;
    }

    /**
     * @param region a region of the guest.
     */
    void add(final GuardedRegion region)
    {
        regions.add(region);
        final int n = regions.size();
        starts = new long[n];
        ends = new long[n];
        writable = new boolean[n];
        for (int i = 0; i < n; i++)
        {
            starts[i] = regions.get(i).hostAddress();
            ends[i] = starts[i] + regions.get(i).lengthBytes();
            writable[i] = regions.get(i).isWritable();
        }
    }

    List<GuardedRegion> regions()
    {
        return regions;
    }

    /**
     * {@inheritDoc}
     */
    public void onAccess(final long hostAddress, final long lengthBytes, final boolean write)
    {
        for (int i = 0; i < starts.length; i++)
        {
            if (hostAddress >= starts[i] && lengthBytes >= 0 && lengthBytes <= ends[i] - hostAddress)
            {
                if (write && !writable[i])
                {
                    violation("write into read-only region", hostAddress, lengthBytes, i);
                }
                return;
            }
        }
        violation(write ? "write outside the regions" : "read outside the regions", hostAddress, lengthBytes, -1);
    }

    private void violation(final String what, final long hostAddress, final long lengthBytes, final int region)
    {
        violations++;
        if (described.size() < MAX_DESCRIBED)
        {
            described.add(owner + ": " + what + ": host 0x" + Long.toHexString(hostAddress) + " length " + lengthBytes +
                (region >= 0 ? " (region at gpa 0x" + Long.toHexString(regions.get(region).gpaBase()) + ")" : ""));
        }
    }

    /**
     * @return out-of-bounds accesses seen so far.
     */
    long violations()
    {
        return violations;
    }

    /**
     * @return descriptions of the first few.
     */
    List<String> described()
    {
        return described;
    }

    /**
     * @param full check the whole margins, else only next to the boundaries.
     * @return canary bytes found damaged (and restored, so each bad write is counted once).
     */
    long damagedCanaries(final boolean full)
    {
        long damaged = 0;
        for (int i = 0; i < regions.size(); i++)
        {
            final GuardedRegion region = regions.get(i);
            final long bytes = full ? region.damagedCanaryBytes() : region.damagedEdgeBytes();
            if (bytes > 0)
            {
                damaged += bytes;
                region.restoreCanaries();
                if (described.size() < MAX_DESCRIBED)
                {
                    described.add(owner + ": " + bytes + " canary bytes overwritten around the region at gpa 0x" +
                        Long.toHexString(region.gpaBase()));
                }
            }
        }
        return damaged;
    }
}
