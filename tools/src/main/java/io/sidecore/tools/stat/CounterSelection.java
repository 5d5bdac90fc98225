package io.sidecore.tools.stat;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Which counters to show: {@code --filter [KEY=]REGEX} filters (all must match, in the manner of AeronStat's
 * {@code name=regex} arguments) and {@code --port NAME} selections.
 * <p>
 * Filter keys:
 * <ul>
 *     <li>{@code label=REGEX}, or a REGEX with no known key: the regex is found anywhere in the full label
 *     ({@code port=g0 tx_frames});</li>
 *     <li>{@code counter=REGEX}: the whole counter name matches ({@code tx_frames});</li>
 *     <li>{@code port=REGEX}: the whole port name matches (only port counters pass);</li>
 *     <li>{@code sidecore=REGEX}: the whole sidecore index matches (only sidecore counters pass).</li>
 * </ul>
 * With {@code --port}, only the counters of the named ports pass (exact names).
 */
final class CounterSelection
{
    /** Shows every counter. */
    static final CounterSelection ALL = new CounterSelection(List.of(), List.of());

    private enum Key
    {
        LABEL, COUNTER, PORT, SIDECORE
    }

    private record Filter(Key key, Pattern pattern)
    {
    }

    private final List<Filter> filters;
    private final List<String> portNames;

    private CounterSelection(final List<Filter> filters, final List<String> portNames)
    {
        this.filters = filters;
        this.portNames = portNames;
    }

    /**
     * Parse filters and port selections.
     *
     * @param filterSpecs {@code [KEY=]REGEX} each.
     * @param portNames   exact port names; empty for every port.
     * @return the selection.
     * @throws IllegalArgumentException naming the bad filter when a regex does not compile.
     */
    static CounterSelection parse(final List<String> filterSpecs, final List<String> portNames)
    {
        final List<Filter> filters = new ArrayList<>(filterSpecs.size());
        for (final String spec : filterSpecs)
        {
            filters.add(parseFilter(spec));
        }
        return new CounterSelection(List.copyOf(filters), List.copyOf(portNames));
    }

    /**
     * @return the port names asked for with {@code --port}, empty when every port is shown.
     */
    List<String> portNames()
    {
        return portNames;
    }

    /**
     * @param entry a counter.
     * @return true when the counter passes the port selection and every filter.
     */
    boolean accepts(final CounterEntry entry)
    {
        if (!portNames.isEmpty() && (CounterKind.PORT != entry.kind() || !portNames.contains(entry.ownerName())))
        {
            return false;
        }
        for (int i = 0; i < filters.size(); i++)
        {
            if (!matches(filters.get(i), entry))
            {
                return false;
            }
        }
        return true;
    }

    private static boolean matches(final Filter filter, final CounterEntry entry)
    {
        return switch (filter.key())
        {
            case LABEL -> filter.pattern().matcher(entry.label()).find();
            case COUNTER -> filter.pattern().matcher(entry.counterName()).matches();
            case PORT -> CounterKind.PORT == entry.kind() && filter.pattern().matcher(entry.ownerName()).matches();
            case SIDECORE ->
                CounterKind.SIDECORE == entry.kind() && filter.pattern().matcher(entry.ownerName()).matches();
        };
    }

    private static Filter parseFilter(final String spec)
    {
        Key key = Key.LABEL;
        String regex = spec;
        final int equals = spec.indexOf('=');
        if (equals > 0)
        {
            final Key named = keyOf(spec.substring(0, equals));
            if (null != named)
            {
                key = named;
                regex = spec.substring(equals + 1);
            }
        }
        try
        {
            return new Filter(key, Pattern.compile(regex));
        }
        catch (final PatternSyntaxException ex)
        {
            throw new IllegalArgumentException("invalid --filter '" + spec + "': " + ex.getDescription() +
                " near index " + ex.getIndex(), ex);
        }
    }

    private static Key keyOf(final String name)
    {
        for (final Key key : Key.values())
        {
            if (key.name().toLowerCase(Locale.ROOT).equals(name))
            {
                return key;
            }
        }
        return null;
    }
}
