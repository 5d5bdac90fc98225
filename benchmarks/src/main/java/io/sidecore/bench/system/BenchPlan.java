package io.sidecore.bench.system;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Which cases a run measures: the full matrix of issue 11 §2 (guests {1, 4, 16, 64, 256} x frame {64, 512, 1514,
 * 64 KiB TSO} x path {g2g, null, tap} x CSB {off, on}, each in polling and trap mode) with every guest sending, and
 * the same at the first frame length with the other loads (paced latency probes among idle guests; one busy guest
 * among idle ones), a representative quick subset, or the matrix narrowed by the command line's lists.
 */
public final class BenchPlan
{
    /** Guest counts of the full matrix. */
    public static final List<Integer> GUESTS = List.of(1, 4, 16, 64, 256);
    /** Frame lengths of the full matrix. */
    public static final List<Integer> FRAMES = List.of(64, 512, 1514, 65_536);
    /** Loads of the full matrix. */
    public static final List<BenchCase.Load> LOADS = List.of(BenchCase.Load.values());

    private BenchPlan()
    {
    }

    /**
     * The quick subset (one pass in well under five minutes with three repetitions): the polling/trap pairs the
     * RATIO lines need (64 and 1514 bytes guest to guest, one guest), scaling to 64 guests, 64 KiB TSO to a null
     * backend, 1514-byte TCP to a TAP, one CSB case, and the paced latency cases with 1 and 64 guests attached (the
     * target "doorbell to DD p99 within 5 µs with 64 guests attached").
     *
     * @return the cases.
     */
    public static List<BenchCase> quick()
    {
        return List.of(
            new BenchCase(BenchCase.Mode.POLLING, BenchCase.Path.G2G, 1, 64, false),
            new BenchCase(BenchCase.Mode.TRAP, BenchCase.Path.G2G, 1, 64, false),
            new BenchCase(BenchCase.Mode.POLLING, BenchCase.Path.G2G, 1, 1514, false),
            new BenchCase(BenchCase.Mode.TRAP, BenchCase.Path.G2G, 1, 1514, false),
            new BenchCase(BenchCase.Mode.POLLING, BenchCase.Path.G2G, 64, 64, false),
            new BenchCase(BenchCase.Mode.POLLING, BenchCase.Path.NULL, 1, 65_536, false),
            new BenchCase(BenchCase.Mode.POLLING, BenchCase.Path.TAP, 1, 1514, false),
            new BenchCase(BenchCase.Mode.POLLING, BenchCase.Path.G2G, 4, 64, true),
            new BenchCase(BenchCase.Mode.POLLING, BenchCase.Path.G2G, 1, 64, false, BenchCase.Load.PACED),
            new BenchCase(BenchCase.Mode.POLLING, BenchCase.Path.G2G, 64, 64, false, BenchCase.Load.PACED));
    }

    /**
     * The matrix over the given lists.
     *
     * @param modes  doorbell modes.
     * @param paths  paths.
     * @param guests guest counts.
     * @param frames frame lengths.
     * @param csbs   CSB off/on.
     * @return every combination with every guest sending, polling and trap of one combination next to each other.
     */
    public static List<BenchCase> matrix(
        final List<BenchCase.Mode> modes,
        final List<BenchCase.Path> paths,
        final List<Integer> guests,
        final List<Integer> frames,
        final List<Boolean> csbs)
    {
        return matrix(modes, paths, guests, frames, csbs, List.of(BenchCase.Load.ALL));
    }

    /**
     * The matrix over the given lists. The loads other than {@link BenchCase.Load#ALL} are measured at the first
     * frame length only: the paced probe's latency and what idle ports cost a pass are about the doorbell and the
     * pass, not the frame, and each such case at 64 or 256 guests spends minutes in set-up.
     *
     * @param modes  doorbell modes.
     * @param paths  paths.
     * @param guests guest counts.
     * @param frames frame lengths.
     * @param csbs   CSB off/on.
     * @param loads  loads.
     * @return every combination, polling and trap of one combination next to each other.
     */
    public static List<BenchCase> matrix(
        final List<BenchCase.Mode> modes,
        final List<BenchCase.Path> paths,
        final List<Integer> guests,
        final List<Integer> frames,
        final List<Boolean> csbs,
        final List<BenchCase.Load> loads)
    {
        final List<BenchCase> cases = new ArrayList<>();
        for (final BenchCase.Path path : paths)
        {
            for (int f = 0; f < frames.size(); f++)
            {
                for (final boolean csb : csbs)
                {
                    for (final BenchCase.Load load : loads)
                    {
                        if (BenchCase.Load.ALL != load && f > 0)
                        {
                            continue;
                        }
                        for (final int count : guests)
                        {
                            for (final BenchCase.Mode mode : modes)
                            {
                                cases.add(new BenchCase(mode, path, count, frames.get(f), csb, load));
                            }
                        }
                    }
                }
            }
        }
        return cases;
    }

    /**
     * @param cases cases, perhaps repeated.
     * @return the distinct frame lengths, in first-seen order.
     */
    public static List<Integer> frameSizes(final List<BenchCase> cases)
    {
        final Set<Integer> sizes = new LinkedHashSet<>();
        for (final BenchCase benchCase : cases)
        {
            sizes.add(benchCase.frameBytes());
        }
        return List.copyOf(sizes);
    }
}
