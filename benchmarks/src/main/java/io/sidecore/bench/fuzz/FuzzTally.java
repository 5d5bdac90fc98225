package io.sidecore.bench.fuzz;

import io.sidecore.shm.PortCounter;
import io.sidecore.shm.PortFault;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a fuzz run hit and found: cases, drop counters, faults and CVE triggers by name, and every finding (a crash,
 * an escape, an out-of-bounds access) with the first few described.
 */
final class FuzzTally
{
    private static final int MAX_DESCRIBED_PER_KIND = 5;

    final Map<String, Long> cases = new LinkedHashMap<>();
    final Map<String, Long> cves = new LinkedHashMap<>();
    final Map<String, Long> drops = new LinkedHashMap<>();
    final Map<String, Long> faults = new LinkedHashMap<>();
    final Map<String, Long> escapes = new LinkedHashMap<>();
    final List<String> findings = new ArrayList<>();
    private final Map<String, Integer> describedPerKind = new LinkedHashMap<>();
    long crashes;
    long oob;

    FuzzTally()
    {
        for (final PortCounter counter : PortCounter.values())
        {
            if (counter.isDrop())
            {
                drops.put(counter.counterName(), 0L);
            }
        }
        for (final PortFault fault : PortFault.values())
        {
            faults.put(fault.faultName(), 0L);
        }
        for (final String kind : List.of(
            "miscounted", "unaccounted", "unrecovered", "corrupted", "spoofed", "unsettled", "vfio-user-unserved",
            "vfio-user-broken-promise"))
        {
            escapes.put(kind, 0L);
        }
    }

    void declareCase(final String name, final String cve)
    {
        cases.putIfAbsent(name, 0L);
        if (null != cve)
        {
            cves.putIfAbsent(cve, 0L);
        }
    }

    void hitCase(final String name, final String cve)
    {
        cases.merge(name, 1L, Long::sum);
        if (null != cve)
        {
            cves.merge(cve, 1L, Long::sum);
        }
    }

    void drop(final PortCounter counter, final long delta)
    {
        if (delta > 0)
        {
            drops.merge(counter.counterName(), delta, Long::sum);
        }
    }

    void fault(final PortFault fault)
    {
        faults.merge(fault.faultName(), 1L, Long::sum);
    }

    void crash(final long iteration, final String caseName, final Throwable ex)
    {
        crashes++;
        final StackTraceElement[] stack = ex.getStackTrace();
        describe("crash", "crash at iteration " + iteration + " in " + caseName + ": " + ex +
            (stack.length > 0 ? " at " + stack[0] : "") + (null != ex.getCause() ? " caused by " + ex.getCause() : ""));
    }

    void escape(final String kind, final long count, final long iteration, final String detail)
    {
        if (count > 0)
        {
            escapes.merge(kind, count, Long::sum);
            describe(kind, kind + " at iteration " + iteration + ": " + detail);
        }
    }

    void oob(final long count, final long iteration, final String caseName, final List<String> details)
    {
        if (count > 0)
        {
            oob += count;
            describe("oob", "oob at iteration " + iteration + " in " + caseName + ": " + details);
        }
    }

    long escapeTotal()
    {
        long total = 0;
        for (final long value : escapes.values())
        {
            total += value;
        }
        return total;
    }

    private void describe(final String kind, final String finding)
    {
        if (describedPerKind.merge(kind, 1, Integer::sum) <= MAX_DESCRIBED_PER_KIND)
        {
            findings.add(finding);
        }
    }
}
