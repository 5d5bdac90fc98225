package io.sidecore.launcher.control;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sidecore.engine.proxy.EngineProxy;
import io.sidecore.engine.port.PortSettings;
import io.sidecore.engine.e1000.PortConfig;
import io.sidecore.engine.os.TapDevice;
import io.sidecore.launcher.ConfigurationException;
import io.sidecore.shm.control.ControlProtocol;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What {@code create-port} asks for, checked: from a request ({@link #fromRequest}) or from a port declared in the
 * properties file ({@link #fromDeclaration}), through the same checks.
 *
 * @param name        port name, a file name and a counter label.
 * @param mac         the MAC, unicast and not zero.
 * @param backend     {@code switch}, {@code null} or {@code tap:NAME}.
 * @param csb         offer the CSB, or null for the configured default.
 * @param sidecore    the sidecore to place the port on, or {@link EngineProxy#LEAST_LOADED_SIDECORE}.
 * @param settings    budget, rate-limit and moderation overrides.
 * @param captureFile a pcap file to record the port's traffic into, or null.
 * @param transport   how guests reach it: {@link ControlProtocol#TRANSPORT_VFIO_USER} (a device socket, and native
 *                    attach) or {@link ControlProtocol#TRANSPORT_NATIVE} (native attach only).
 */
public record PortSpec(
    String name, byte[] mac, String backend, Boolean csb, int sidecore, SettingsChange settings, Path captureFile,
    String transport)
{
    /** The fields of create-port. */
    public static final Set<String> FIELDS;

    /** What a port name must be, for messages. */
    public static final String NAME_RULE =
        "port name must be 1 to 32 of [A-Za-z0-9_.-], starting with a letter or digit";

    /** A port name: also a file name (its device socket) and a counter label, so a safe, short subset. */
    private static final Pattern PORT_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,31}");

    static
    {
        final Set<String> fields = new LinkedHashSet<>();
        fields.add(ControlProtocol.NAME);
        fields.add(ControlProtocol.MAC);
        fields.add(ControlProtocol.BACKEND);
        fields.add(ControlProtocol.CSB);
        fields.add(ControlProtocol.SIDECORE);
        fields.add(ControlProtocol.CAPTURE);
        fields.add(ControlProtocol.TRANSPORT);
        fields.addAll(SettingsChange.FIELDS);
        FIELDS = Set.copyOf(fields);
    }

    /**
     * Read create-port's fields.
     *
     * @param request the request.
     * @return the spec.
     * @throws ControlException naming the first bad field.
     */
    static PortSpec fromRequest(final RequestFields request) throws ControlException
    {
        request.allowOnly(FIELDS);
        final String name = request.requireText(ControlProtocol.NAME);
        checkName(name);
        final String macText = request.text(ControlProtocol.MAC, null);
        final byte[] mac = null == macText ? derivedMac(name) : parseMac(macText);
        final String backend = request.text(ControlProtocol.BACKEND, ControlProtocol.BACKEND_SWITCH);
        checkBackend(backend);
        final Long sidecore = request.integer(ControlProtocol.SIDECORE, 0, 1023);
        final String capture = request.text(ControlProtocol.CAPTURE, null);
        final Path captureFile = null == capture ? null : capturePath(capture);
        final String transport = request.text(ControlProtocol.TRANSPORT, ControlProtocol.TRANSPORT_VFIO_USER);
        if (!ControlProtocol.TRANSPORT_VFIO_USER.equals(transport) &&
            !ControlProtocol.TRANSPORT_NATIVE.equals(transport))
        {
            throw RequestFields.invalid("transport must be '" + ControlProtocol.TRANSPORT_VFIO_USER + "' or '" +
                ControlProtocol.TRANSPORT_NATIVE + "': '" + transport + "'");
        }
        return new PortSpec(name, mac, backend, request.bool(ControlProtocol.CSB),
            null == sidecore ? EngineProxy.LEAST_LOADED_SIDECORE : (int)(long)sidecore,
            SettingsChange.fromRequest(request), captureFile, transport);
    }

    /**
     * Read a port declared in the properties file ({@code sidecore.ports.<name>.<field>=value}), with the fields of
     * create-port.
     *
     * @param name   the port's name (from {@code sidecore.ports}).
     * @param fields field to value as written.
     * @param prefix the keys' prefix, for messages ({@code sidecore.ports.<name>.}).
     * @return the spec.
     * @throws ConfigurationException naming the key and the value of the first bad field.
     */
    public static PortSpec fromDeclaration(final String name, final Map<String, String> fields, final String prefix)
    {
        final ObjectNode request = JsonNodeFactory.instance.objectNode();
        request.put(ControlProtocol.NAME, name);
        for (final Map.Entry<String, String> field : fields.entrySet())
        {
            final String key = field.getKey();
            final String value = field.getValue();
            if (ControlProtocol.NAME.equals(key) || !FIELDS.contains(key))
            {
                throw new ConfigurationException(prefix + key, value, "is not a port field (fields: " +
                    String.join(", ", FIELDS) + ")", null);
            }
            if (ControlProtocol.CSB.equals(key))
            {
                if (!"true".equals(value) && !"false".equals(value))
                {
                    throw new ConfigurationException(prefix + key, value, "must be true or false", null);
                }
                request.put(key, Boolean.parseBoolean(value));
            }
            else if (isTextField(key))
            {
                request.put(key, value);
            }
            else
            {
                try
                {
                    request.put(key, Long.parseLong(value));
                }
                catch (final NumberFormatException ex)
                {
                    throw new ConfigurationException(prefix + key, value, "must be an integer", ex);
                }
            }
        }
        try
        {
            return fromRequest(new RequestFields(request));
        }
        catch (final ControlException ex)
        {
            throw new ConfigurationException(prefix + "*", String.valueOf(fields), ex.getMessage(), ex);
        }
    }

    /**
     * @param name a port name.
     * @throws ControlException unless it is 1 to 32 of {@code [A-Za-z0-9_.-]} starting with a letter or digit.
     */
    static void checkName(final String name) throws ControlException
    {
        if (!isValidName(name))
        {
            throw RequestFields.invalid(NAME_RULE + ": '" + name + "'");
        }
    }

    /**
     * @param name a port name.
     * @return true when it is 1 to 32 of {@code [A-Za-z0-9_.-]} starting with a letter or digit.
     */
    public static boolean isValidName(final String name)
    {
        return PORT_NAME.matcher(name).matches();
    }

    /**
     * The default MAC of a port: locally administered unicast ({@code 02:...}), the other five octets from a hash of
     * the name, so the same name gets the same MAC on every start.
     *
     * @param name the port name.
     * @return 6 bytes.
     */
    static byte[] derivedMac(final String name)
    {
        try
        {
            final byte[] digest = MessageDigest.getInstance("SHA-256").digest(name.getBytes(StandardCharsets.UTF_8));
            final byte[] mac = new byte[6];
            mac[0] = 0x02;
            System.arraycopy(digest, 0, mac, 1, 5);
            return mac;
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException("SHA-256 missing from the JDK", ex);
        }
    }

    /**
     * @param text a MAC in colon-separated hex.
     * @return its 6 bytes.
     * @throws ControlException when malformed, multicast (which includes broadcast) or zero.
     */
    static byte[] parseMac(final String text) throws ControlException
    {
        final byte[] mac;
        try
        {
            mac = PortConfig.parseMac(text);
        }
        catch (final IllegalArgumentException ex)
        {
            throw RequestFields.invalid("bad MAC: " + ex.getMessage());
        }
        if (0 != (mac[0] & 1))
        {
            throw RequestFields.invalid("MAC " + text + " is a multicast address (first octet odd); a port needs " +
                "a unicast one");
        }
        boolean zero = true;
        for (final byte octet : mac)
        {
            zero &= 0 == octet;
        }
        if (zero)
        {
            throw RequestFields.invalid("MAC 00:00:00:00:00:00 is not a valid station address");
        }
        return mac;
    }

    /**
     * @param mac 6 bytes.
     * @return colon-separated lower-case hex.
     */
    public static String formatMac(final byte[] mac)
    {
        final StringBuilder text = new StringBuilder(17);
        for (int i = 0; i < mac.length; i++)
        {
            if (i > 0)
            {
                text.append(':');
            }
            text.append(Character.forDigit((mac[i] >>> 4) & 0xF, 16)).append(Character.forDigit(mac[i] & 0xF, 16));
        }
        return text.toString();
    }

    /**
     * @return the TAP interface name of a {@code tap:NAME} or {@code uplink:NAME} backend, or null.
     */
    public String tapName()
    {
        if (backend.startsWith(ControlProtocol.BACKEND_TAP_PREFIX))
        {
            return backend.substring(ControlProtocol.BACKEND_TAP_PREFIX.length());
        }
        return uplink() ? backend.substring(ControlProtocol.BACKEND_UPLINK_PREFIX.length()) : null;
    }

    /**
     * @return true for the switch's uplink to the host ({@code uplink:NAME}), which takes no guest.
     */
    public boolean uplink()
    {
        return backend.startsWith(ControlProtocol.BACKEND_UPLINK_PREFIX);
    }

    /**
     * @return true when the port listens on a vfio-user device socket (an uplink never does).
     */
    public boolean vfioUser()
    {
        return ControlProtocol.TRANSPORT_VFIO_USER.equals(transport) && !uplink();
    }

    /**
     * @return the MAC (a copy).
     */
    @Override
    public byte[] mac()
    {
        return mac.clone();
    }

    /**
     * @param defaults the daemon's port defaults.
     * @return the port's settings: the defaults with this spec's overrides.
     * @throws ControlException when the combination is invalid (e.g. a byte burst below one frame).
     */
    PortSettings settings(final PortSettings defaults) throws ControlException
    {
        return settings.apply(defaults);
    }

    private static void checkBackend(final String backend) throws ControlException
    {
        if (ControlProtocol.BACKEND_SWITCH.equals(backend) || ControlProtocol.BACKEND_NULL.equals(backend))
        {
            return;
        }
        final String prefix = backend.startsWith(ControlProtocol.BACKEND_TAP_PREFIX) ?
            ControlProtocol.BACKEND_TAP_PREFIX : ControlProtocol.BACKEND_UPLINK_PREFIX;
        if (backend.startsWith(prefix))
        {
            final String tap = backend.substring(prefix.length());
            if (tap.isEmpty() || tap.length() > TapDevice.MAX_NAME_BYTES || !tap.matches("[A-Za-z0-9_.-]+"))
            {
                throw RequestFields.invalid("TAP name must be 1 to " + TapDevice.MAX_NAME_BYTES +
                    " of [A-Za-z0-9_.-]: '" + tap + "'");
            }
            return;
        }
        throw RequestFields.invalid("backend must be '" + ControlProtocol.BACKEND_SWITCH + "', '" +
            ControlProtocol.BACKEND_NULL + "', '" + ControlProtocol.BACKEND_TAP_PREFIX + "NAME' or '" +
            ControlProtocol.BACKEND_UPLINK_PREFIX + "NAME': '" + backend + "'");
    }

    private static Path capturePath(final String capture) throws ControlException
    {
        if (capture.isEmpty() || capture.indexOf('\0') >= 0 || !Path.of(capture).isAbsolute())
        {
            throw RequestFields.invalid("capture must be an absolute path: '" + capture + "'");
        }
        return Path.of(capture).normalize();
    }

    private static boolean isTextField(final String field)
    {
        return ControlProtocol.MAC.equals(field) || ControlProtocol.BACKEND.equals(field) ||
            ControlProtocol.CAPTURE.equals(field) || ControlProtocol.TRANSPORT.equals(field);
    }
}
