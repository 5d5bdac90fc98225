package io.sidecore.tools.prometheus;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Test support: a strict parser of the Prometheus text exposition format (version 0.0.4, as Prometheus documents
 * it): {@code # HELP} and {@code # TYPE} lines (each at most once per family, TYPE before the family's samples,
 * known types only), metric and label names by their grammar, label values and HELP text with only the escapes the
 * format defines, Go float values, optional integer timestamps, a family's samples together, no sample twice, every
 * line ended by a line feed. Anything else throws {@link IllegalArgumentException} naming the line.
 */
public final class PrometheusTextParser
{
    private static final Pattern METRIC_NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    private static final Pattern FLOAT =
        Pattern.compile("[+-]?(Inf|NaN|(\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d+)?)");
    private static final Set<String> TYPES = Set.of("counter", "gauge", "histogram", "summary", "untyped");

    /**
     * One sample.
     *
     * @param name   the sample's metric name.
     * @param labels its labels, in order.
     * @param value  its value.
     */
    public record Sample(String name, Map<String, String> labels, double value)
    {
    }

    /**
     * One metric family.
     *
     * @param name    the family name.
     * @param type    its TYPE, or "untyped".
     * @param help    its HELP, unescaped, or null.
     * @param samples its samples.
     */
    public record Family(String name, String type, String help, List<Sample> samples)
    {
    }

    private PrometheusTextParser()
    {
    }

    /**
     * @param text the exposition.
     * @return the families by name, in order.
     * @throws IllegalArgumentException at the first line that breaks the format.
     */
    public static Map<String, Family> parse(final String text)
    {
        if (!text.isEmpty() && !text.endsWith("\n"))
        {
            throw new IllegalArgumentException("the exposition must end with a line feed");
        }
        final Map<String, Family> families = new LinkedHashMap<>();
        final Map<String, String> types = new LinkedHashMap<>();
        final Map<String, String> helps = new LinkedHashMap<>();
        final Set<String> closed = new HashSet<>();
        final Set<String> seen = new HashSet<>();
        String current = null;
        int number = 0;
        for (final String line : text.split("\n", -1))
        {
            number++;
            if (line.isEmpty())
            {
                continue;
            }
            final String where = "line " + number + " '" + line + "': ";
            if (line.startsWith("#"))
            {
                final String[] parts = line.split(" ", 4);
                if (parts.length >= 3 && ("HELP".equals(parts[1]) || "TYPE".equals(parts[1])))
                {
                    final String name = parts[2];
                    requireMatch(METRIC_NAME, name, where + "bad metric name");
                    if (closed.contains(name) || (families.containsKey(name) && !name.equals(current)))
                    {
                        throw new IllegalArgumentException(where + "family " + name + " appears twice");
                    }
                    if ("HELP".equals(parts[1]))
                    {
                        if (null != helps.put(name, parts.length == 4 ? unescape(parts[3], false, where) : ""))
                        {
                            throw new IllegalArgumentException(where + "second HELP for " + name);
                        }
                    }
                    else
                    {
                        if (4 != parts.length || !TYPES.contains(parts[3]))
                        {
                            throw new IllegalArgumentException(where + "TYPE must be one of " + TYPES);
                        }
                        if (families.containsKey(name) && !families.get(name).samples().isEmpty())
                        {
                            throw new IllegalArgumentException(where + "TYPE after samples of " + name);
                        }
                        if (null != types.put(name, parts[3]))
                        {
                            throw new IllegalArgumentException(where + "second TYPE for " + name);
                        }
                    }
                    if (null != current && !current.equals(name))
                    {
                        closed.add(current);
                    }
                    current = name;
                    families.putIfAbsent(name, new Family(name, null, null, new ArrayList<>()));
                }
                continue;
            }
            final Sample sample = parseSample(line, where);
            final String family = familyOf(sample.name(), types);
            if (closed.contains(family) || (null != current && !current.equals(family) && families.containsKey(family)))
            {
                throw new IllegalArgumentException(where + "samples of " + family + " are not together");
            }
            if (null != current && !current.equals(family))
            {
                closed.add(current);
            }
            current = family;
            if (!seen.add(sample.name() + sample.labels()))
            {
                throw new IllegalArgumentException(where + "the same sample twice");
            }
            families.computeIfAbsent(family, name -> new Family(name, null, null, new ArrayList<>()))
                .samples().add(sample);
        }
        final Map<String, Family> result = new LinkedHashMap<>();
        for (final Family family : families.values())
        {
            result.put(family.name(), new Family(family.name(), types.getOrDefault(family.name(), "untyped"),
                helps.get(family.name()), List.copyOf(family.samples())));
        }
        return result;
    }

    private static String familyOf(final String sampleName, final Map<String, String> types)
    {
        if (types.containsKey(sampleName))
        {
            return sampleName;
        }
        for (final String suffix : new String[]{ "_total", "_created", "_sum", "_count", "_bucket" })
        {
            if (sampleName.endsWith(suffix))
            {
                final String base = sampleName.substring(0, sampleName.length() - suffix.length());
                if (types.containsKey(base))
                {
                    return base;
                }
            }
        }
        return sampleName;
    }

    private static Sample parseSample(final String line, final String where)
    {
        int i = 0;
        while (i < line.length() && line.charAt(i) != '{' && line.charAt(i) != ' ')
        {
            i++;
        }
        final String name = line.substring(0, i);
        requireMatch(METRIC_NAME, name, where + "bad metric name");
        final Map<String, String> labels = new LinkedHashMap<>();
        if (i < line.length() && line.charAt(i) == '{')
        {
            i++;
            while (true)
            {
                if (i < line.length() && line.charAt(i) == '}')
                {
                    i++;
                    break;
                }
                final int eq = line.indexOf('=', i);
                if (eq < 0)
                {
                    throw new IllegalArgumentException(where + "label without '='");
                }
                final String labelName = line.substring(i, eq);
                requireMatch(LABEL_NAME, labelName, where + "bad label name");
                if (eq + 1 >= line.length() || line.charAt(eq + 1) != '"')
                {
                    throw new IllegalArgumentException(where + "label value must be quoted");
                }
                int j = eq + 2;
                final StringBuilder raw = new StringBuilder();
                while (true)
                {
                    if (j >= line.length())
                    {
                        throw new IllegalArgumentException(where + "unterminated label value");
                    }
                    final char c = line.charAt(j);
                    if (c == '\\')
                    {
                        if (j + 1 >= line.length())
                        {
                            throw new IllegalArgumentException(where + "dangling backslash");
                        }
                        raw.append(c).append(line.charAt(j + 1));
                        j += 2;
                        continue;
                    }
                    if (c == '"')
                    {
                        break;
                    }
                    raw.append(c);
                    j++;
                }
                if (null != labels.put(labelName, unescape(raw.toString(), true, where)))
                {
                    throw new IllegalArgumentException(where + "label " + labelName + " twice");
                }
                i = j + 1;
                if (i < line.length() && line.charAt(i) == ',')
                {
                    i++;
                }
                else if (i >= line.length() || line.charAt(i) != '}')
                {
                    throw new IllegalArgumentException(where + "labels must be separated by ','");
                }
            }
        }
        if (i >= line.length() || line.charAt(i) != ' ')
        {
            throw new IllegalArgumentException(where + "a single space must separate the value");
        }
        final String[] rest = line.substring(i + 1).split(" ", -1);
        if (rest.length < 1 || rest.length > 2)
        {
            throw new IllegalArgumentException(where + "expected a value and an optional timestamp");
        }
        requireMatch(FLOAT, rest[0], where + "bad value");
        if (2 == rest.length)
        {
            requireMatch(Pattern.compile("-?\\d+"), rest[1], where + "bad timestamp");
        }
        final double value = rest[0].endsWith("Inf") ? (rest[0].startsWith("-") ? Double.NEGATIVE_INFINITY :
            Double.POSITIVE_INFINITY) : Double.parseDouble(rest[0]);
        return new Sample(name, labels, value);
    }

    private static String unescape(final String text, final boolean labelValue, final String where)
    {
        final StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++)
        {
            final char c = text.charAt(i);
            if (c != '\\')
            {
                if (c == '\n' || (labelValue && c == '"'))
                {
                    throw new IllegalArgumentException(where + "unescaped " + (c == '"' ? "quote" : "line feed"));
                }
                out.append(c);
                continue;
            }
            if (i + 1 >= text.length())
            {
                throw new IllegalArgumentException(where + "dangling backslash");
            }
            final char next = text.charAt(++i);
            switch (next)
            {
                case '\\' -> out.append('\\');
                case 'n' -> out.append('\n');
                case '"' ->
                {
                    if (!labelValue)
                    {
                        throw new IllegalArgumentException(where + "HELP may not escape a quote");
                    }
                    out.append('"');
                }
                default -> throw new IllegalArgumentException(where + "undefined escape \\" + next);
            }
        }
        return out.toString();
    }

    private static void requireMatch(final Pattern pattern, final String text, final String message)
    {
        if (!pattern.matcher(text).matches())
        {
            throw new IllegalArgumentException(message + ": '" + text + "'");
        }
    }
}
