package io.sidecore.launcher.control;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
 * Test support: a raw client of the control socket that can send anything (well-formed requests, garbage, file
 * descriptors) and reads one response line at a time, with the descriptors that came with it.
 */
final class TestControlClient implements AutoCloseable
{
    static final ObjectMapper MAPPER = new ObjectMapper();

    private final AFUNIXSocket socket;
    private final InputStream in;
    private final OutputStream out;
    private int[] receivedFds = new int[0];

    TestControlClient(final Path controlSocket) throws IOException
    {
        socket = AFUNIXSocket.connectTo(AFUNIXSocketAddress.of(controlSocket));
        socket.setAncillaryReceiveBufferSize(1024);
        socket.setSoTimeout(30_000);
        in = socket.getInputStream();
        out = socket.getOutputStream();
    }

    /**
     * @param json a request, without its line end.
     * @return the response.
     */
    JsonNode request(final String json) throws IOException
    {
        send((json + "\n").getBytes(StandardCharsets.UTF_8));
        return response();
    }

    /**
     * @param json a request, without its line end.
     * @param fds  descriptors to send with it.
     * @return the response.
     */
    JsonNode request(final String json, final int... fds) throws IOException
    {
        final FileDescriptor[] descriptors = new FileDescriptor[fds.length];
        for (int i = 0; i < fds.length; i++)
        {
            descriptors[i] = FileDescriptorCast.unsafeUsing(fds[i]).getFileDescriptor();
        }
        socket.setOutboundFileDescriptors(descriptors);
        return request(json);
    }

    void send(final byte[] bytes) throws IOException
    {
        out.write(bytes);
        out.flush();
    }

    /**
     * @return the next response line, or null at the end of the stream.
     */
    JsonNode response() throws IOException
    {
        final String line = readLine();
        return null == line ? null : MAPPER.readTree(line);
    }

    /**
     * @param length bytes to read.
     * @return them, or null at the end of the stream.
     */
    byte[] readBytes(final int length) throws IOException
    {
        final byte[] bytes = in.readNBytes(length);
        return bytes.length == length ? bytes : null;
    }

    /**
     * @return descriptors received with the last response.
     */
    int[] receivedFds()
    {
        return receivedFds.clone();
    }

    /**
     * @return true when the daemon closed the connection.
     */
    boolean isClosedByPeer() throws IOException
    {
        return in.read() < 0;
    }

    void shutdownOutput() throws IOException
    {
        socket.getChannel().shutdownOutput();
    }

    public void close() throws IOException
    {
        socket.close();
    }

    private String readLine() throws IOException
    {
        final ByteArrayOutputStream line = new ByteArrayOutputStream();
        boolean first = true;
        while (true)
        {
            final int b = in.read();
            if (first)
            {
                collectFds();
                first = false;
            }
            if (b < 0)
            {
                return line.size() == 0 ? null : line.toString(StandardCharsets.UTF_8);
            }
            if ('\n' == b)
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
            receivedFds = new int[0];
            return;
        }
        receivedFds = new int[fds.length];
        for (int i = 0; i < fds.length; i++)
        {
            receivedFds[i] = ReceivedDescriptors.takeOver(socket, fds[i]);
        }
    }
}
