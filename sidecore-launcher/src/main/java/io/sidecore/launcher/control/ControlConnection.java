package io.sidecore.launcher.control;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sidecore.engine.mem.GuestMemoryMapper;
import io.sidecore.engine.proxy.EngineProxy;
import io.sidecore.engine.port.Port;
import io.sidecore.engine.proxy.TrappedAccess;
import io.sidecore.shm.control.ControlProtocol;
import io.sidecore.shm.control.TrappedAccessMessage;
import io.sidecore.shm.os.Fds;
import io.sidecore.shm.os.ReceivedDescriptors;
import org.agrona.concurrent.UnsafeBuffer;
import org.newsclub.net.unix.AFUNIXSocket;
import org.newsclub.net.unix.FileDescriptorCast;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.FileDescriptor;
import java.io.IOException;
import java.io.OutputStream;
import java.util.HashSet;
import java.util.Set;

/**
 * One control connection, on its own thread: JSON-line requests answered in order, then, after a successful attach,
 * the guest's trapped register accesses as {@link TrappedAccessMessage}s until the connection ends. Whatever the peer
 * sends, the daemon answers or closes this connection only: a malformed, unknown, oversized or truncated request gets
 * an error response with a reason; every descriptor received is used or closed; when the connection ends, the port's
 * guest (if this connection attached one) is let go and what it brought released.
 */
final class ControlConnection implements Runnable
{
    private static final Logger LOG = LoggerFactory.getLogger(ControlConnection.class);
    private static final int ANCILLARY_BUFFER_BYTES = 1024;
    private static final int DISCARD_TIMEOUT_MS = 1000;
    private static final long DISCARD_LIMIT_BYTES = 16L << 20;

    private final ControlServer server;
    private final AFUNIXSocket socket;
    private final long peerUid;
    private final long peerPid;
    private final long requestsPerSecond;
    private final RequestRateLimit requestLimit;
    private String attachedPort;
    private GuestAttachment attachment;
    private volatile boolean closed;

    ControlConnection(final ControlServer server, final AFUNIXSocket socket, final long peerUid, final long peerPid)
    {
        this.server = server;
        this.socket = socket;
        this.peerUid = peerUid;
        this.peerPid = peerPid;
        this.requestsPerSecond = server.maxRequestsPerSecond();
        this.requestLimit = new RequestRateLimit(requestsPerSecond, server.requestClock());
    }

    /**
     * {@inheritDoc}
     */
    public void run()
    {
        ConnectionInput input = null;
        try
        {
            socket.setAncillaryReceiveBufferSize(ANCILLARY_BUFFER_BYTES);
            input = new ConnectionInput(socket, server.maxRequestLengthBytes());
            final OutputStream out = socket.getOutputStream();
            if (serveRequests(input, out))
            {
                serveTrappedAccesses(input, out);
            }
        }
        catch (final IOException ex)
        {
            if (!closed)
            {
                LOG.debug("control connection of pid {} ended: {}", peerPid, ex.getMessage());
            }
        }
        catch (final RuntimeException ex)
        {
            LOG.error("control connection of pid {} failed", peerPid, ex);
        }
        finally
        {
            end(input);
        }
    }

    /**
     * Clean up after the connection, each step whatever the ones before it threw: its pending descriptors, its
     * guest (a detach that throws leaves the guest with the registry, logged), then the socket and the server's
     * record of it, always.
     */
    private void end(final ConnectionInput input)
    {
        try
        {
            if (null != input)
            {
                input.closePendingDescriptors();
            }
        }
        catch (final RuntimeException ex)
        {
            LOG.error("control connection of pid {}: its pending descriptors were not all closed", peerPid, ex);
        }
        try
        {
            if (null != attachment)
            {
                server.registry().detach(attachedPort, attachment);
            }
        }
        catch (final RuntimeException ex)
        {
            LOG.error("control connection of pid {}: its guest on port {} was not let go", peerPid, attachedPort,
                ex);
        }
        finally
        {
            close();
            server.connectionEnded(this);
        }
    }

    /**
     * End the connection (daemon stop, port destroyed); its thread then cleans up. Any thread; idempotent.
     */
    void close()
    {
        closed = true;
        try
        {
            // Ordered against the connection thread's take-over of received descriptors (ConnectionInput).
            ReceivedDescriptors.closeSocket(socket);
        }
        catch (final IOException ex)
        {
            LOG.debug("control connection close: {}", ex.getMessage());
        }
    }

    /**
     * @return true when the connection attached a guest and goes on in binary mode.
     */
    private boolean serveRequests(final ConnectionInput input, final OutputStream out) throws IOException
    {
        final int maxLineBytes = server.maxRequestLengthBytes();
        while (true)
        {
            final ConnectionInput.Status status = input.readLine(maxLineBytes);
            switch (status)
            {
                case END:
                    return false;
                case TRUNCATED:
                    LOG.warn("request refused: truncated request from uid={} pid={}", peerUid, peerPid);
                    respond(out, ControlServer.errorResponse(null, ControlProtocol.E_TRUNCATED,
                        "the connection ended in the middle of a request (no line end)"), null);
                    return false;
                case TOO_LARGE:
                    LOG.warn("request refused: request over {} bytes from uid={} pid={}", maxLineBytes, peerUid,
                        peerPid);
                    respond(out, ControlServer.errorResponse(null, ControlProtocol.E_TOO_LARGE, "a request may be " +
                        maxLineBytes + " bytes at most (sidecore.control.max.request.length); closing"), null);
                    discardInput();
                    return false;
                default:
                    break;
            }
            final int[] fds = input.lineDescriptors();
            final Reply reply = handle(input.line(), fds);
            respond(out, reply.response, reply.descriptors);
            if (null != attachment)
            {
                return true;
            }
        }
    }

    /**
     * After refusing an over-long request: end the daemon's side of the stream, then read and drop what the peer
     * still sends, for a bounded time and amount, so it can read the error before the connection closes (closing a
     * Unix socket with unread data resets it, and the peer would lose the error response).
     */
    private void discardInput()
    {
        try
        {
            socket.getChannel().shutdownOutput();
            socket.setSoTimeout(DISCARD_TIMEOUT_MS);
            final byte[] sink = new byte[8192];
            long discarded = 0;
            int read;
            while (discarded < DISCARD_LIMIT_BYTES && (read = socket.getInputStream().read(sink)) >= 0)
            {
                discarded += read;
            }
        }
        catch (final IOException ex)
        {
            LOG.debug("discarding after an over-long request: {}", ex.getMessage());
        }
    }

    private Reply handle(final byte[] line, final int[] fds)
    {
        JsonNode id = null;
        boolean fdsTaken = false;
        try
        {
            final JsonNode parsed;
            try
            {
                parsed = server.mapper().readTree(line);
            }
            catch (final IOException ex)
            {
                throw new ControlException(ControlProtocol.E_MALFORMED, "not a JSON object: " +
                    (ex instanceof JacksonException json ? json.getOriginalMessage() : ex.getMessage()));
            }
            if (null == parsed || !parsed.isObject())
            {
                throw new ControlException(ControlProtocol.E_MALFORMED, "a request must be one JSON object per line");
            }
            final ObjectNode request = (ObjectNode)parsed;
            id = request.get(ControlProtocol.ID);
            final JsonNode version = request.get(ControlProtocol.VERSION);
            if (null == version || !version.isInt() || ControlProtocol.PROTOCOL_VERSION != version.intValue())
            {
                throw new ControlException(ControlProtocol.E_UNSUPPORTED_VERSION, "this daemon speaks protocol " +
                    "version " + ControlProtocol.PROTOCOL_VERSION + "; the request's '" + ControlProtocol.VERSION +
                    "' is " + version);
            }
            final RequestFields fields = new RequestFields(request);
            final String command = fields.command();
            if (!requestLimit.tryTake())
            {
                throw new ControlException(ControlProtocol.E_RATE_LIMITED, "more than " + requestsPerSecond +
                    " requests per second on this connection (sidecore.control.max.requests.per.second); not " +
                    "executed");
            }
            LOG.info("request {} from uid={} pid={}", command, peerUid, peerPid);
            if (ControlProtocol.CMD_ATTACH.equals(command))
            {
                fdsTaken = true;
                return attach(id, fields, fds);
            }
            if (fds.length > 0)
            {
                throw new ControlException(ControlProtocol.E_BAD_FDS, "command " + command + " takes no file " +
                    "descriptors; " + fds.length + " came with it and were closed");
            }
            return new Reply(success(id, execute(command, fields)), null);
        }
        catch (final ControlException ex)
        {
            if (!ControlProtocol.E_RATE_LIMITED.equals(ex.code()))
            {
                LOG.info("request refused: {} from uid={} pid={}: {}", ex.code(), peerUid, peerPid, ex.getMessage());
            }
            return new Reply(ControlServer.errorResponse(id, ex.code(), ex.getMessage()), null);
        }
        catch (final RuntimeException ex)
        {
            LOG.error("request from uid={} pid={} failed", peerUid, peerPid, ex);
            return new Reply(ControlServer.errorResponse(id, ControlProtocol.E_INTERNAL, String.valueOf(ex)), null);
        }
        finally
        {
            if (!fdsTaken)
            {
                for (final int fd : fds)
                {
                    Fds.close(fd);
                }
            }
        }
    }

    private ObjectNode execute(final String command, final RequestFields fields) throws ControlException
    {
        final PortRegistry registry = server.registry();
        final ObjectNode result = JsonNodeFactory.instance.objectNode();
        switch (command)
        {
            case ControlProtocol.CMD_VERSION:
                fields.allowOnly(Set.of());
                return server.versionResult();
            case ControlProtocol.CMD_CREATE_PORT:
                result.set(ControlProtocol.PORT, registry.create(PortSpec.fromRequest(fields)));
                return result;
            case ControlProtocol.CMD_DESTROY_PORT:
                fields.allowOnly(Set.of(ControlProtocol.NAME));
                result.set(ControlProtocol.PORT, registry.destroy(fields.requireText(ControlProtocol.NAME)));
                return result;
            case ControlProtocol.CMD_LIST:
                fields.allowOnly(Set.of());
                result.set(ControlProtocol.PORTS, registry.list());
                return result;
            case ControlProtocol.CMD_STATS:
                fields.allowOnly(Set.of(ControlProtocol.NAME));
                result.set(ControlProtocol.PORTS, registry.stats(fields.text(ControlProtocol.NAME, null)));
                return result;
            case ControlProtocol.CMD_SET:
                return set(registry, fields, result);
            default:
                throw new ControlException(ControlProtocol.E_UNKNOWN_COMMAND, "unknown command '" + command +
                    "' (commands: version, create-port, destroy-port, list, stats, set, attach)");
        }
    }

    private static ObjectNode set(final PortRegistry registry, final RequestFields fields, final ObjectNode result)
        throws ControlException
    {
        final Set<String> allowed = new HashSet<>(SettingsChange.FIELDS);
        allowed.add(ControlProtocol.NAME);
        allowed.add(ControlProtocol.CAPTURE);
        allowed.add(ControlProtocol.LINK);
        fields.allowOnly(allowed);
        final String capture = oneOf(fields, ControlProtocol.CAPTURE, ControlProtocol.CAPTURE_ON,
            ControlProtocol.CAPTURE_OFF);
        final String link = oneOf(fields, ControlProtocol.LINK, ControlProtocol.LINK_UP, ControlProtocol.LINK_DOWN);
        result.set(ControlProtocol.PORT, registry.set(fields.requireText(ControlProtocol.NAME),
            SettingsChange.fromRequest(fields), capture, null == link ? null : ControlProtocol.LINK_UP.equals(link)));
        return result;
    }

    private static String oneOf(final RequestFields fields, final String field, final String first,
        final String second) throws ControlException
    {
        final String value = fields.text(field, null);
        if (null != value && !first.equals(value) && !second.equals(value))
        {
            throw RequestFields.invalid(field + " must be '" + first + "' or '" + second + "': '" + value + "'");
        }
        return value;
    }

    private Reply attach(final JsonNode id, final RequestFields fields, final int[] fds) throws ControlException
    {
        final boolean[] opened = new boolean[1];
        try
        {
            fields.allowOnly(Set.of(ControlProtocol.NAME, ControlProtocol.REGIONS,
                ControlProtocol.INTERRUPT_FD_INDEX));
            final String name = fields.requireText(ControlProtocol.NAME);
            final GuestMemoryMapper mapper = server.registry().guestMemoryMapper();
            final GuestAttachment guest = server.registry().attach(name, peerPid,
                (portId, portName, mac, sharedPages, csb) ->
                {
                    opened[0] = true;
                    return GuestAttachment.open(fields, fds, portId, portName, mac, sharedPages, csb, peerPid,
                        mapper);
                },
                this::close);
            attachment = guest;
            attachedPort = name;
            final Port handle = server.registry().handle(name);
            final ObjectNode result = JsonNodeFactory.instance.objectNode();
            result.set(ControlProtocol.PORT, server.registry().describe(name));
            result.put(ControlProtocol.SHARED_PAGES, handle.config().sharedPages());
            result.put(ControlProtocol.REGION_FD_INDEX, 0);
            result.put(ControlProtocol.REGION_LENGTH, guest.portRegionLength());
            result.put(ControlProtocol.DOORBELL_FD_INDEX, 1);
            final int kickFd = handle.config().csbOffered() ?
                server.registry().kickFd(server.registry().proxy().sidecoreIndex(handle)) : -1;
            result.put(ControlProtocol.KICK_FD_INDEX, kickFd >= 0 ? 2 : -1);
            final int[] replyFds = kickFd >= 0 ? new int[]{ guest.portRegionFd(), guest.doorbellPagesFd(), kickFd } :
                new int[]{ guest.portRegionFd(), guest.doorbellPagesFd() };
            return new Reply(success(id, result), replyFds);
        }
        catch (final ControlException | RuntimeException ex)
        {
            if (!opened[0])
            {
                // GuestAttachment.open takes the descriptors over (keeps or closes each); it never ran.
                for (final int fd : fds)
                {
                    Fds.close(fd);
                }
            }
            throw ex;
        }
    }

    private void serveTrappedAccesses(final ConnectionInput input, final OutputStream out) throws IOException
    {
        final byte[] bytes = new byte[TrappedAccessMessage.LENGTH];
        final UnsafeBuffer message = new UnsafeBuffer(bytes);
        final EngineProxy proxy = server.registry().proxy();
        final Port port;
        try
        {
            port = server.registry().handle(attachedPort);
        }
        catch (final ControlException ex)
        {
            return;
        }
        while (input.readFully(bytes, TrappedAccessMessage.LENGTH))
        {
            final int kind = TrappedAccessMessage.kind(message, 0);
            final int space = TrappedAccessMessage.space(message, 0);
            final int size = TrappedAccessMessage.size(message, 0);
            final int address = TrappedAccessMessage.address(message, 0);
            final int sequence = TrappedAccessMessage.sequence(message, 0);
            int status = TrappedAccessMessage.STATUS_OK;
            int value = 0;
            if ((TrappedAccessMessage.KIND_READ != kind && TrappedAccessMessage.KIND_WRITE != kind) ||
                !TrappedAccessMessage.isValidSpace(space) || !TrappedAccessMessage.isValidSize(size))
            {
                status = TrappedAccessMessage.STATUS_BAD_REQUEST;
            }
            else
            {
                final boolean write = TrappedAccessMessage.KIND_WRITE == kind;
                try
                {
                    if (write)
                    {
                        proxy.write(port, engineSpace(space), address, size,
                            TrappedAccessMessage.value(message, 0) & 0xFFFF_FFFFL);
                    }
                    else
                    {
                        value = (int)proxy.read(port, engineSpace(space), address, size);
                    }
                }
                catch (final IllegalArgumentException ex)
                {
                    status = TrappedAccessMessage.STATUS_BAD_REQUEST;
                }
                catch (final IllegalStateException ex)
                {
                    status = TrappedAccessMessage.STATUS_DEVICE_ERROR;
                }
            }
            TrappedAccessMessage.write(message, 0, TrappedAccessMessage.KIND_REPLY, space, size, status, address,
                value, sequence);
            out.write(bytes);
        }
    }

    private static int engineSpace(final int space)
    {
        return switch (space)
        {
            case TrappedAccessMessage.SPACE_CONFIG -> TrappedAccess.CONFIG_SPACE;
            case TrappedAccessMessage.SPACE_BAR0 -> TrappedAccess.MMIO_SPACE;
            default -> TrappedAccess.IO_SPACE;
        };
    }

    private ObjectNode success(final JsonNode id, final ObjectNode result)
    {
        final ObjectNode response = JsonNodeFactory.instance.objectNode();
        response.put(ControlProtocol.VERSION, ControlProtocol.PROTOCOL_VERSION);
        if (null != id)
        {
            response.set(ControlProtocol.ID, id);
        }
        response.put(ControlProtocol.OK, true);
        response.set(ControlProtocol.RESULT, result);
        return response;
    }

    private void respond(final OutputStream out, final ObjectNode response, final int[] fds) throws IOException
    {
        final byte[] bytes = server.mapper().writeValueAsBytes(response);
        final byte[] line = java.util.Arrays.copyOf(bytes, bytes.length + 1);
        line[bytes.length] = ControlProtocol.LINE_END;
        if (null != fds)
        {
            final FileDescriptor[] descriptors = new FileDescriptor[fds.length];
            for (int i = 0; i < fds.length; i++)
            {
                descriptors[i] = FileDescriptorCast.unsafeUsing(fds[i]).getFileDescriptor();
            }
            socket.setOutboundFileDescriptors(descriptors);
        }
        out.write(line);
        out.flush();
    }

    private record Reply(ObjectNode response, int[] descriptors)
    {
    }
}
