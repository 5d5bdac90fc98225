package io.sidecore.shm;

import org.junit.jupiter.params.provider.CsvSource;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Table-driven checks shared by the layout tests: field overlap, natural alignment, writer-group separation, and
 * "every published constant is pinned by some {@code @CsvSource} table".
 */
final class LayoutAssertions
{
    /**
     * One field of a layout.
     *
     * @param name        for messages.
     * @param offset      byte offset.
     * @param lengthBytes width.
     */
    record LayoutField(String name, int offset, int lengthBytes)
    {
    }

    private LayoutAssertions()
    {
    }

    static LayoutField field(final String name, final int offset, final int lengthBytes)
    {
        return new LayoutField(name, offset, lengthBytes);
    }

    /**
     * Every field lies inside {@code [0, layoutLength)}, no two overlap, and 2-, 4- and 8-byte fields are naturally
     * aligned.
     */
    static void assertLayout(final String layout, final int layoutLength, final LayoutField... fields)
    {
        final LayoutField[] sorted = fields.clone();
        Arrays.sort(sorted, Comparator.comparingInt(LayoutField::offset));
        for (int i = 0; i < sorted.length; i++)
        {
            final LayoutField f = sorted[i];
            assertTrue(f.offset() >= 0 && f.offset() + f.lengthBytes() <= layoutLength,
                layout + ": " + f + " outside [0, " + layoutLength + ")");
            if (f.lengthBytes() == 2 || f.lengthBytes() == 4 || f.lengthBytes() == 8)
            {
                assertEquals(0, f.offset() % f.lengthBytes(), layout + ": " + f + " not naturally aligned");
            }
            if (i > 0)
            {
                final LayoutField previous = sorted[i - 1];
                assertTrue(previous.offset() + previous.lengthBytes() <= f.offset(),
                    layout + ": " + previous + " overlaps " + f);
            }
        }
    }

    /**
     * {@link #assertLayout} plus: the fields cover every byte of the layout (a fixed hardware format).
     */
    static void assertTiles(final String layout, final int layoutLength, final LayoutField... fields)
    {
        assertLayout(layout, layoutLength, fields);
        int covered = 0;
        for (final LayoutField f : fields)
        {
            covered += f.lengthBytes();
        }
        assertEquals(layoutLength, covered, layout + ": fields do not cover every byte");
    }

    /**
     * No field of one writer group shares a {@link LayoutUtil#WRITER_GROUP_LENGTH} block with a field of another.
     */
    static void assertWriterGroupsSeparate(final String layout, final LayoutField[] groupA, final LayoutField[] groupB)
    {
        for (final LayoutField a : groupA)
        {
            for (final LayoutField b : groupB)
            {
                final int aFirst = a.offset() / LayoutUtil.WRITER_GROUP_LENGTH;
                final int aLast = (a.offset() + a.lengthBytes() - 1) / LayoutUtil.WRITER_GROUP_LENGTH;
                final int bFirst = b.offset() / LayoutUtil.WRITER_GROUP_LENGTH;
                final int bLast = (b.offset() + b.lengthBytes() - 1) / LayoutUtil.WRITER_GROUP_LENGTH;
                assertTrue(aLast < bFirst || bLast < aFirst, layout + ": " + a + " and " + b +
                    " share a " + LayoutUtil.WRITER_GROUP_LENGTH + "-byte writer group");
            }
        }
    }

    /**
     * Every bit constant of the list is non-zero and disjoint from all the others.
     */
    static void assertDisjointBits(final Class<?> type, final String... names)
    {
        int seen = 0;
        for (final String name : names)
        {
            final int bits = intConstant(type, name);
            assertTrue(0 != bits, name + " is zero");
            assertEquals(0, seen & bits, name + " overlaps an earlier bit constant of the same register");
            seen |= bits;
        }
    }

    /**
     * The value of a public static final int (or long narrowed to int) constant.
     */
    static int intConstant(final Class<?> type, final String name)
    {
        try
        {
            final Field field = type.getField(name);
            assertTrue(Modifier.isStatic(field.getModifiers()) && Modifier.isFinal(field.getModifiers()),
                name + " is not static final");
            return field.getInt(null);
        }
        catch (final ReflectiveOperationException ex)
        {
            return fail("no public int constant " + type.getSimpleName() + "." + name, ex);
        }
    }

    /**
     * All public static final int constants of a class.
     */
    static Map<String, Integer> publicIntConstants(final Class<?> type)
    {
        final Map<String, Integer> constants = new TreeMap<>();
        for (final Field field : type.getFields())
        {
            final int modifiers = field.getModifiers();
            if (Modifier.isStatic(modifiers) && Modifier.isFinal(modifiers) && field.getType() == int.class)
            {
                try
                {
                    constants.put(field.getName(), field.getInt(null));
                }
                catch (final IllegalAccessException ex)
                {
                    fail(ex);
                }
            }
        }
        return constants;
    }

    /**
     * Fail unless every public static final int constant of {@code type} is named in the first column of the
     * {@code @CsvSource} of one of the given test methods (each taking one or more String parameters).
     */
    static void assertEveryConstantPinned(final Class<?> type, final Class<?> testClass, final String... methods)
    {
        final TreeSet<String> pinned = new TreeSet<>();
        for (final String methodName : methods)
        {
            final Method method = findMethod(testClass, methodName);
            final CsvSource csv = method.getAnnotation(CsvSource.class);
            assertTrue(null != csv, methodName + " has no @CsvSource");
            for (final String row : csv.value())
            {
                pinned.add(row.split(",")[0].trim());
            }
        }
        final List<String> missing = new ArrayList<>();
        for (final String name : publicIntConstants(type).keySet())
        {
            if (!pinned.contains(name))
            {
                missing.add(name);
            }
        }
        assertTrue(missing.isEmpty(), type.getSimpleName() + " constants not pinned by a test: " + missing);
    }

    /**
     * Parse a pinned value: decimal, 0x hex, or negative, up to 32 unsigned bits.
     */
    static int parseInt(final String text)
    {
        return (int)Long.decode(text.trim()).longValue();
    }

    private static Method findMethod(final Class<?> testClass, final String name)
    {
        for (final Method method : testClass.getDeclaredMethods())
        {
            if (method.getName().equals(name))
            {
                return method;
            }
        }
        return fail("no test method " + name);
    }
}
