package io.sidecore.bench.system;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Which cases a run measures: the full matrix of issue 11 §2 (guests {1, 4, 16, 64, 256} x frame {64, 512, 1514,
 * 64 KiB TSO} x path {g2g, null, tap} x CSB {off, on}, each in polling and trap mode), a representative quick subset,
 * or the matrix narrowed by the command line's lists.
 */
public final class BenchPlan
{
    /** Guest counts of the full matrix. */
    public static final List<Integer> GUESTS = List.of(1, 4, 16, 64, 256);
    /** Frame lengths of the full matrix. */
    public static final List<Integer> FRAMES = List.of(64, 512, 1514, 65_536);

    private BenchPlan()
    {
    }

    /**
     * The quick subset (one pass in well under five minutes with three repetitions): the polling/trap pairs the
     * RATIO lines need (64 and 1514 bytes guest to guest, one guest), scaling to 64 guests, 64 KiB TSO to a null
     * backend, 1514-byte TCP to a TAP, and one CSB case.
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
            new BenchCase(BenchCase.Mode.POLLING, BenchCase.Path.G2G, 4, 64, true));
    }

    /**
     * The matrix over the given lists.
     *
     * @param modes  doorbell modes.
     * @param paths  paths.
     * @param guests guest counts.
     * @param frames frame lengths.
     * @param csbs   CSB off/on.
     * @return every combination, polling and trap of one combination next to each other.
     */
    public static List<BenchCase> matrix(
        final List<BenchCase.Mode> modes,
        final List<BenchCase.Path> paths,
        final List<Integer> guests,
        final List<Integer> frames,
        final List<Boolean> csbs)
    {
        final List<BenchCase> cases = new ArrayList<>();
        for (final BenchCase.Path path : paths)
        {
            for (final int frame : frames)
            {
                for (final boolean csb : csbs)
                {
                    for (final int count : guests)
                    {
                        for (final BenchCase.Mode mode : modes)
                        {
                            cases.add(new BenchCase(mode, path, count, frame, csb));
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
