package io.sidecore.tools.control;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sidecore.shm.control.ControlProtocol;
import io.sidecore.shm.control.DaemonFiles;
import io.sidecore.shm.os.ReceivedDescriptors;
import org.newsclub.net.unix.AFUNIXSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import org.newsclub.net.unix.FileDescriptorCast;

import java.io.ByteArrayOutputStream;
import java.io.FileDescriptor;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A client of the daemon's control socket ({@link ControlProtocol}): one connection, requests answered in order,
 * file descriptors sent with a request and received with a response (SCM_RIGHTS), and, after attach, the raw
 * stream for trapped accesses. Used by {@code ctl} and by the synthetic {@code guest}. One thread at a time.
 */
public final class ControlClient implements AutoCloseable
{
    private static final int ANCILLARY_BUFFER_BYTES = 1024;

    private final ObjectMapper mapper = new ObjectMapper();
    private final AFUNIXSocket socket;
    private final InputStream in;
    private final OutputStream out;
    private int[] receivedFds = new int[0];
    private long nextId = 1;

    private ControlClient(final AFUNIXSocket socket) throws IOException
    {
        this.socket = socket;
        socket.setAncillaryReceiveBufferSize(ANCILLARY_BUFFER_BYTES);
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
    }

    /**
     * @param controlSocket the daemon's control socket.
     * @return a connected client.
     * @throws IOException when the daemon cannot be reached (the message names the socket).
     */
    public static ControlClient connect(final Path controlSocket) throws IOException
    {
        try
        {
            return new ControlClient(AFUNIXSocket.connectTo(AFUNIXSocketAddress.of(controlSocket)));
        }
        catch (final IOException ex)
        {
            throw new IOException("cannot connect to the sidecore daemon at " + controlSocket + ": " +
                ex.getMessage(), ex);
        }
    }

    /**
     * Which control socket a tool talks to.
     *
     * @param socket the {@code --socket} option, or null.
     * @param config the {@code --config} option (the daemon's properties file), or null.
     * @return {@code --socket}, else the socket {@code --config} names, else the default.
     * @throws IOException when the properties file cannot be read (the message names it).
     */
    public static Path controlSocket(final Path socket, final Path config) throws IOException
    {
        if (null != socket)
        {
            return socket;
        }
        if (null == config)
        {
            return Path.of(DaemonFiles.DEFAULT_CONTROL_SOCKET);
        }
        try
        {
            return DaemonFiles.controlSocket(DaemonFiles.load(config));
        }
        catch (final IOException ex)
        {
            throw new IOException("cannot read --config " + config + ": " + ex.getMessage(), ex);
        }
    }

    /**
     * @param command a command name.
     * @return a request object with version, id and command set, for the caller to add arguments to.
     */
    public ObjectNode newRequest(final String command)
    {
        final ObjectNode request = mapper.createObjectNode();
        request.put(ControlProtocol.VERSION, ControlProtocol.PROTOCOL_VERSION);
        request.put(ControlProtocol.ID, nextId++);
        request.put(ControlProtocol.COMMAND, command);
        return request;
    }

    /**
     * Send a request and wait for its response.
     *
     * @param request the request.
     * @param fds     descriptors to send with it (their numbers; the caller keeps them).
     * @return the response.
     * @throws IOException when the connection fails or closes without a response.
     */
    public ControlResponse call(final ObjectNode request, final int... fds) throws IOException
    {
        if (fds.length > 0)
        {
            final FileDescriptor[] descriptors = new FileDescriptor[fds.length];
            for (int i = 0; i < fds.length; i++)
            {
                descriptors[i] = FileDescriptorCast.unsafeUsing(fds[i]).getFileDescriptor();
            }
            socket.setOutboundFileDescriptors(descriptors);
        }
        final byte[] bytes = mapper.writeValueAsBytes(request);
        final byte[] line = java.util.Arrays.copyOf(bytes, bytes.length + 1);
        line[bytes.length] = ControlProtocol.LINE_END;
        try
        {
            out.write(line);
            out.flush();
        }
        catch (final IOException ex)
        {
            // The daemon answers a peer it refuses (uid not allowed, too many connections) when it accepts it and
            // keeps reading for up to a second, so a request written then still arrives; a write that fails here met
            // a daemon that had closed (junixsocket closes the socket on EPIPE, so an error line cannot be read any
            // more): say what that most likely means.
            throw new IOException("the daemon closed the control connection before the request was written: it " +
                "stopped, or it refused this peer (not in sidecore.control.allowed.uids/gids, or past " +
                "sidecore.control.max.connections); its log says which: " + ex.getMessage(), ex);
        }
        final String response = readLine();
        if (null == response)
        {
            throw new IOException("the daemon closed the connection without answering");
        }
        return new ControlResponse(mapper.readTree(response));
    }

    /**
     * @return descriptors that came with the last response; the caller owns them.
     */
    public int[] receivedFds()
    {
        return receivedFds.clone();
    }

    /**
     * @return the connection's input, for the binary mode after attach.
     */
    public InputStream input()
    {
        return in;
    }

    /**
     * @return the connection's output, for the binary mode after attach.
     */
    public OutputStream output()
    {
        return out;
    }

    /**
     * @return the JSON library's mapper this client uses.
     */
    public ObjectMapper mapper()
    {
        return mapper;
    }

    /**
     * Close the connection.
     *
     * @throws IOException when closing fails.
     */
    public void close() throws IOException
    {
        ReceivedDescriptors.closeSocket(socket);
    }

    private String readLine() throws IOException
    {
        final ByteArrayOutputStream line = new ByteArrayOutputStream(256);
        receivedFds = new int[0];
        while (true)
        {
            final int b = in.read();
            collectFds();
            if (b < 0)
            {
                return 0 == line.size() ? null : line.toString(StandardCharsets.UTF_8);
            }
            if (ControlProtocol.LINE_END == b)
            {
                return line.toString(StandardCharsets.UTF_8);
            }
            line.write(b);
        }
    }

    private void collectFds() throws IOException
    {
        final FileDescriptor[] fds = socket.getReceivedFileDescriptors();
        if (null == fds)
        {
            return;
        }
        final int[] all = java.util.Arrays.copyOf(receivedFds, receivedFds.length + fds.length);
        for (int i = 0; i < fds.length; i++)
        {
            all[receivedFds.length + i] = ReceivedDescriptors.takeOver(socket, fds[i]);
        }
        receivedFds = all;
    }

    /**
     * One response.
     *
     * @param json the response as received.
     */
    public record ControlResponse(JsonNode json)
    {
        /**
         * @return true on success.
         */
        public boolean ok()
        {
            return json.path(ControlProtocol.OK).asBoolean(false);
        }

        /**
         * @return the result object (empty on error).
         */
        public JsonNode result()
        {
            return json.path(ControlProtocol.RESULT);
        }

        /**
         * @return the error code, or null on success.
         */
        public String errorCode()
        {
            return ok() ? null : json.path(ControlProtocol.ERROR).path(ControlProtocol.CODE).asText();
        }

        /**
         * @return the error's reason, or null on success.
         */
        public String errorMessage()
        {
            return ok() ? null : json.path(ControlProtocol.ERROR).path(ControlProtocol.MESSAGE).asText();
        }
    }
}
