package io.sidecore.engine.backend;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Test support: an independent reader of classic pcap files (either byte order, µs or ns magic) that rejects
 * anything malformed.
 */
final class PcapReader
{
    /** One record. */
    record Packet(long seconds, long fraction, int capturedLength, int originalLength, byte[] data)
    {
    }

    final boolean nanos;
    final int versionMajor;
    final int versionMinor;
    final int snapLength;
    final int linkType;
    final List<Packet> packets = new ArrayList<>();

    private PcapReader(final ByteBuffer file)
    {
        if (file.remaining() < 24)
        {
            throw new IllegalArgumentException("no global header: " + file.remaining() + " bytes");
        }
        file.order(ByteOrder.LITTLE_ENDIAN);
        int magic = file.getInt(0);
        if (magic != 0xA1B2C3D4 && magic != 0xA1B23C4D)
        {
            file.order(ByteOrder.BIG_ENDIAN);
            magic = file.getInt(0);
        }
        if (magic != 0xA1B2C3D4 && magic != 0xA1B23C4D)
        {
            throw new IllegalArgumentException("bad magic " + Integer.toHexString(magic));
        }
        nanos = magic == 0xA1B23C4D;
        versionMajor = file.getShort(4) & 0xFFFF;
        versionMinor = file.getShort(6) & 0xFFFF;
        snapLength = file.getInt(16);
        linkType = file.getInt(20);
        int position = 24;
        while (position < file.limit())
        {
            if (position + 16 > file.limit())
            {
                throw new IllegalArgumentException("truncated record header at " + position);
            }
            final long seconds = file.getInt(position) & 0xFFFF_FFFFL;
            final long fraction = file.getInt(position + 4) & 0xFFFF_FFFFL;
            final int captured = file.getInt(position + 8);
            final int original = file.getInt(position + 12);
            if (captured < 0 || captured > snapLength || captured > original ||
                position + 16 + captured > file.limit())
            {
                throw new IllegalArgumentException("bad record at " + position + ": incl=" + captured +
                    " orig=" + original);
            }
            if (fraction >= (nanos ? 1_000_000_000L : 1_000_000L))
            {
                throw new IllegalArgumentException("fraction out of range at " + position + ": " + fraction);
            }
            final byte[] data = new byte[captured];
            file.get(position + 16, data);
            packets.add(new Packet(seconds, fraction, captured, original, data));
            position += 16 + captured;
        }
    }

    static PcapReader read(final Path path) throws IOException
    {
        return new PcapReader(ByteBuffer.wrap(Files.readAllBytes(path)));
    }
}
