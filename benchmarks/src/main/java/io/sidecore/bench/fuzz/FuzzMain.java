package io.sidecore.bench.fuzz;

/**
 * Entry point of {@code tools/sidecore fuzz} ({@link FuzzCommand}).
 */
public final class FuzzMain
{
    private FuzzMain()
    {
    }

    /**
     * @param args {@code [--iterations N] [--seed S] [--window W] [--soak SECONDS] [--isolation]}.
     */
    public static void main(final String[] args)
    {
        System.exit(FuzzCommand.execute(args, System.out, System.err));
    }
}
