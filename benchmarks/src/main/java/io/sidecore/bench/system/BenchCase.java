package io.sidecore.bench.system;

import java.util.Locale;

/**
 * One case of the system benchmark: how the guests ring their doorbells, where their frames go, how many guests
 * send, how long the frames are, whether the guests use the CSB, and how many of them load the sidecore.
 *
 * @param mode       polling (doorbells in shared pages) or the trap baseline (doorbells as trapped writes).
 * @param path       where frames go.
 * @param guests     guests attached (each with rings set up and link up); {@link Load} says which of them send.
 * @param frameBytes frame length without FCS (64: UDP; 512 and 1514: TCP with checksum offload; 65536: TSO).
 * @param csb        guests use the CSB paravirtual extension.
 * @param load       which guests send: all of them as fast as they can, one of them, or none (paced probes only).
 */
public record BenchCase(Mode mode, Path path, int guests, int frameBytes, boolean csb, Load load)
{
    /**
     * A case in which every guest sends as fast as it can (the throughput cases).
     *
     * @param mode       doorbell mode.
     * @param path       where frames go.
     * @param guests     guests, all sending.
     * @param frameBytes frame length.
     * @param csb        CSB on.
     */
    public BenchCase(final Mode mode, final Path path, final int guests, final int frameBytes, final boolean csb)
    {
        this(mode, path, guests, frameBytes, csb, Load.ALL);
    }

    /**
     * Which guests load the sidecore. The latency probe (one more guest) runs in every case.
     */
    public enum Load
    {
        /** Every guest sends as fast as it can: throughput, and the probe's latency under saturation. */
        ALL,
        /**
         * No guest sends: every guest is attached and running (rings set up, link up, interrupts enabled and
         * moderated as Linux runs under light load, its thread servicing them), and only the probe sends, one frame
         * every {@code --probe-interval-us}: doorbell-to-DD latency with N guests attached, not queueing.
         */
        PACED,
        /**
         * The first guest sends as fast as it can, the others are attached and idle as in {@link #PACED}: what idle
         * ports cost a busy sidecore's pass (pass time and ns per frame against the guest count).
         */
        ONE
    }

    /**
     * Doorbell mode.
     */
    public enum Mode
    {
        /** TDT/RDT in shared pages the sidecore polls. */
        POLLING,
        /** TDT/RDT as trapped writes over the socket, each waited for. */
        TRAP
    }

    /**
     * Where the guests' frames go.
     */
    public enum Path
    {
        /** Guest to guest through the built-in switch: each guest sends to the next one. */
        G2G,
        /** To a null backend, which discards them. */
        NULL,
        /** To a TAP device in a network namespace the benchmark creates. */
        TAP
    }

    /**
     * @return the case's fields as in the RESULT line: {@code mode=polling path=g2g guests=1 frame=64 csb=off}, then
     *     {@code load=paced} or {@code load=one} for those loads (a line without {@code load=} is {@link Load#ALL},
     *     so the throughput cases' lines read as before).
     */
    public String label()
    {
        return String.format(Locale.ROOT, "mode=%s path=%s guests=%d frame=%d csb=%s%s",
            mode.name().toLowerCase(Locale.ROOT), path.name().toLowerCase(Locale.ROOT), guests, frameBytes,
            csb ? "on" : "off", Load.ALL == load ? "" : " load=" + loadName());
    }

    /**
     * @return the load as the command line and the CSV files spell it: {@code all}, {@code paced}, {@code one}.
     */
    public String loadName()
    {
        return load.name().toLowerCase(Locale.ROOT);
    }

    /**
     * @param index a guest's number in the case, from 0.
     * @return true if that guest sends.
     */
    public boolean sends(final int index)
    {
        return switch (load)
        {
            case ALL -> index < guests;
            case ONE -> 0 == index;
            case PACED -> false;
        };
    }

    /**
     * @return the same case in the other doorbell mode.
     */
    public BenchCase withMode(final Mode other)
    {
        return new BenchCase(other, path, guests, frameBytes, csb, load);
    }
}
