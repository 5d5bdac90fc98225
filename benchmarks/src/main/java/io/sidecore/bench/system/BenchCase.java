package io.sidecore.bench.system;

import java.util.Locale;

/**
 * One case of the system benchmark: how the guests ring their doorbells, where their frames go, how many guests
 * send, how long the frames are, and whether the guests use the CSB.
 *
 * @param mode       polling (doorbells in shared pages) or the trap baseline (doorbells as trapped writes).
 * @param path       where frames go.
 * @param guests     guests that send.
 * @param frameBytes frame length without FCS (64: UDP; 512 and 1514: TCP with checksum offload; 65536: TSO).
 * @param csb        guests use the CSB paravirtual extension.
 */
public record BenchCase(Mode mode, Path path, int guests, int frameBytes, boolean csb)
{
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
     * @return the case's fields as in the RESULT line: {@code mode=polling path=g2g guests=1 frame=64 csb=off}.
     */
    public String label()
    {
        return String.format(Locale.ROOT, "mode=%s path=%s guests=%d frame=%d csb=%s",
            mode.name().toLowerCase(Locale.ROOT), path.name().toLowerCase(Locale.ROOT), guests, frameBytes,
            csb ? "on" : "off");
    }

    /**
     * @return the same case in the other doorbell mode.
     */
    public BenchCase withMode(final Mode other)
    {
        return new BenchCase(other, path, guests, frameBytes, csb);
    }
}
