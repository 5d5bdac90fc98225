package io.sidecore.launcher;

import io.sidecore.launcher.control.PortSpec;
import io.sidecore.shm.E1000Registers;
import org.agrona.SystemUtil;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The parsers of {@link Configuration}'s settings. Each returns the value or throws {@link IllegalArgumentException}
 * with the reason alone; {@link Setting#parse(String)} adds the key and the value.
 */
final class SettingParsers
{
    /** Largest core number accepted in a core list (Linux's NR_CPUS upper bound). */
    static final int MAX_CORE = 8191;

    private SettingParsers()
    {
    }

    static Setting.Parser<Integer> integer(final int min, final int max)
    {
        final Setting.Parser<Long> parser = longInteger(min, max);
        return text -> (int)(long)parser.parse(text);
    }

    static Setting.Parser<Long> longInteger(final long min, final long max)
    {
        return text -> checkRange(parseLong(text, "an integer"), min, max);
    }

    static Setting.Parser<Integer> powerOfTwo(final int min, final int max)
    {
        return text ->
        {
            final long value = checkRange(parseSize(text, "a power of two (e.g. 1024, 4k)"), min, max);
            if (0 != (value & (value - 1)))
            {
                throw new IllegalArgumentException("must be a power of two");
            }
            return (int)value;
        };
    }

    static Setting.Parser<Long> sizeBytes(final long min, final long max)
    {
        return text -> checkRange(parseSize(text, "a size in bytes (e.g. 4096, 64k, 1m)"), min, max);
    }

    static Setting.Parser<Long> durationNs(final long minNs, final long maxNs)
    {
        return text ->
        {
            final long value;
            try
            {
                value = SystemUtil.parseDuration("value", text);
            }
            catch (final NumberFormatException ex)
            {
                throw new IllegalArgumentException("must be a duration (e.g. 50us, 10ms, 1s)", ex);
            }
            if (value < minNs || value > maxNs)
            {
                throw new IllegalArgumentException("must be in [" + minNs + "ns, " + maxNs + "ns]");
            }
            return value;
        };
    }

    static Boolean bool(final String text)
    {
        if ("true".equalsIgnoreCase(text))
        {
            return Boolean.TRUE;
        }
        if ("false".equalsIgnoreCase(text))
        {
            return Boolean.FALSE;
        }
        throw new IllegalArgumentException("must be true or false");
    }

    static Setting.Parser<String> choice(final String... allowed)
    {
        return text ->
        {
            for (final String candidate : allowed)
            {
                if (candidate.equals(text))
                {
                    return candidate;
                }
            }
            throw new IllegalArgumentException("must be one of " + String.join(", ", allowed));
        };
    }

    static Path absolutePath(final String text)
    {
        if (text.isEmpty() || text.indexOf('\0') >= 0)
        {
            throw new IllegalArgumentException("must be an absolute path");
        }
        final Path path = Path.of(text);
        if (!path.isAbsolute())
        {
            throw new IllegalArgumentException("must be an absolute path");
        }
        return path.normalize();
    }

    /**
     * A core list: {@code auto}, or comma-separated cores and ranges ({@code 1}, {@code 2-3,6}), each core once.
     *
     * @param text the list.
     * @return the cores in the order written (ranges ascending); empty for {@code auto}.
     */
    static int[] cores(final String text)
    {
        if (Configuration.CORES_AUTO.equals(text))
        {
            return new int[0];
        }
        if (text.isEmpty())
        {
            throw new IllegalArgumentException("must be 'auto' or a core list such as 1 or 2-3,6");
        }
        final List<Integer> cores = new ArrayList<>();
        for (final String rawPart : text.split(",", -1))
        {
            final String part = rawPart.trim();
            final int dash = part.indexOf('-');
            final int first;
            final int last;
            if (dash < 0)
            {
                first = core(part);
                last = first;
            }
            else
            {
                first = core(part.substring(0, dash).trim());
                last = core(part.substring(dash + 1).trim());
                if (last < first)
                {
                    throw new IllegalArgumentException("range " + part + " runs backwards");
                }
            }
            for (int core = first; core <= last; core++)
            {
                if (cores.contains(core))
                {
                    throw new IllegalArgumentException("lists core " + core + " twice");
                }
                cores.add(core);
            }
        }
        final int[] result = new int[cores.size()];
        for (int i = 0; i < result.length; i++)
        {
            result[i] = cores.get(i);
        }
        return result;
    }

    /**
     * A list of numeric ids (uids or gids), comma-separated, possibly empty.
     *
     * @param text the list.
     * @return the ids, sorted.
     */
    static long[] idList(final String text)
    {
        if (text.isEmpty())
        {
            return new long[0];
        }
        final String[] parts = text.split(",", -1);
        final long[] ids = new long[parts.length];
        for (int i = 0; i < parts.length; i++)
        {
            ids[i] = parseLong(parts[i].trim(), "a comma-separated list of numeric ids");
            if (ids[i] < 0 || ids[i] > 0xFFFF_FFFEL)
            {
                throw new IllegalArgumentException("ids must be in [0, 4294967294]: " + ids[i]);
            }
        }
        Arrays.sort(ids);
        return ids;
    }

    /**
     * Port names, comma-separated, possibly empty, each valid ({@link PortSpec#isValidName}) and each once.
     *
     * @param text the list.
     * @return the names in the order written.
     */
    static List<String> portNames(final String text)
    {
        final List<String> names = new ArrayList<>();
        if (text.isEmpty())
        {
            return names;
        }
        for (final String rawPart : text.split(",", -1))
        {
            final String name = rawPart.trim();
            checkPortName(name);
            if (names.contains(name))
            {
                throw new IllegalArgumentException("lists port " + name + " twice");
            }
            names.add(name);
        }
        return names;
    }

    private static void checkPortName(final String name)
    {
        if (!PortSpec.isValidName(name))
        {
            throw new IllegalArgumentException(PortSpec.NAME_RULE + ": '" + name + "'");
        }
    }

    /**
     * BAR0 pages, comma-separated page offsets (decimal or 0x-hex), possibly empty.
     *
     * @param text the list.
     * @return the page bitmap (bit n = BAR0 page n).
     */
    static Integer sharedPages(final String text)
    {
        if (text.isEmpty())
        {
            return 0;
        }
        int bitmap = 0;
        for (final String rawPart : text.split(",", -1))
        {
            final String part = rawPart.trim();
            final long offset;
            try
            {
                offset = part.startsWith("0x") || part.startsWith("0X") ?
                    Long.parseLong(part.substring(2), 16) : Long.parseLong(part);
            }
            catch (final NumberFormatException ex)
            {
                throw new IllegalArgumentException("must list BAR0 page offsets: '" + part + "'", ex);
            }
            if (offset < 0 || offset >= E1000Registers.BAR0_LENGTH || 0 != offset % E1000Registers.PAGE_LENGTH)
            {
                throw new IllegalArgumentException(
                    "entries must be page-aligned offsets inside BAR0 (0x0 to 0x1f000): " + part);
            }
            bitmap |= 1 << (int)(offset / E1000Registers.PAGE_LENGTH);
        }
        return bitmap;
    }

    /**
     * A group, by name or number, or empty for none.
     *
     * @param text the group.
     * @return the group as written.
     */
    static String group(final String text)
    {
        if (!text.isEmpty() && !text.matches("[A-Za-z0-9_][A-Za-z0-9_.-]{0,31}"))
        {
            throw new IllegalArgumentException("must be a group name or number, or empty");
        }
        return text;
    }

    /**
     * A user or group, by name or number, or empty for the daemon's own.
     *
     * @param text the name.
     * @return the name as written.
     */
    static String userOrGroup(final String text)
    {
        if (!text.isEmpty() && !text.matches("[A-Za-z0-9_][A-Za-z0-9_.-]{0,31}\\$?"))
        {
            throw new IllegalArgumentException("must be a user or group name or number, or empty");
        }
        return text;
    }

    /**
     * Permission bits in octal, {@code 0} to {@code 0777} (no set-id or sticky bits).
     *
     * @param text e.g. {@code 0660}.
     * @return the bits.
     */
    static Integer octalMode(final String text)
    {
        if (!text.matches("0?[0-7]{1,3}"))
        {
            throw new IllegalArgumentException("must be permission bits in octal, 0 to 0777 (e.g. 0660)");
        }
        return Integer.parseInt(text, 8);
    }

    private static int core(final String text)
    {
        final long value = parseLong(text, "'auto' or a core list such as 1 or 2-3,6");
        if (value < 0 || value > MAX_CORE)
        {
            throw new IllegalArgumentException("core " + value + " is outside [0, " + MAX_CORE + "]");
        }
        return (int)value;
    }

    private static long parseLong(final String text, final String what)
    {
        try
        {
            return Long.parseLong(text);
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("must be " + what, ex);
        }
    }

    private static long parseSize(final String text, final String what)
    {
        try
        {
            return SystemUtil.parseSize("value", text);
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("must be " + what, ex);
        }
    }

    private static long checkRange(final long value, final long min, final long max)
    {
        if (value < min || value > max)
        {
            throw new IllegalArgumentException("must be in [" + min + ", " + max + "]");
        }
        return value;
    }
}
