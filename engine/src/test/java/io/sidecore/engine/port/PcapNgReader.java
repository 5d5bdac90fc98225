package io.sidecore.engine.port;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Test support: an independent reader of pcapng files (little-endian sections) that rejects anything malformed: a
 * block whose trailing length differs from its leading one, a block running past the file, an enhanced packet
 * block before any interface, a captured length beyond the block or the snap length, unterminated options.
 */
public final class PcapNgReader
{
    /** epb_flags direction: inbound. */
    public static final int INBOUND = 1;
    /** epb_flags direction: outbound. */
    public static final int OUTBOUND = 2;

    /**
     * One enhanced packet block.
     *
     * @param interfaceId    the interface it was captured on.
     * @param timestampUnits its timestamp, in units of the interface's resolution.
     * @param originalLength the frame's length.
     * @param data           the captured bytes.
     * @param flags          its epb_flags option, or -1 when absent.
     */
    public record Packet(int interfaceId, long timestampUnits, int originalLength, byte[] data, int flags)
    {
        /**
         * @return the direction bits of the flags (0 when unknown).
         */
        public int direction()
        {
            return flags < 0 ? 0 : flags & 0x3;
        }
    }

    /**
     * One interface description block.
     *
     * @param linkType        its link type.
     * @param snapLength      its snap length.
     * @param name            its if_name option, or null.
     * @param timestampResolution its if_tsresol option, or -1 when absent (then microseconds).
     */
    public record Interface(int linkType, int snapLength, String name, int timestampResolution)
    {
    }

    /** Sections read (one per section header block). */
    public int sections;
    /** Interfaces described, in order. */
    public final List<Interface> interfaces = new ArrayList<>();
    /** Packets, in file order. */
    public final List<Packet> packets = new ArrayList<>();

    private PcapNgReader(final ByteBuffer file)
    {
        file.order(ByteOrder.LITTLE_ENDIAN);
        int position = 0;
        while (position < file.limit())
        {
            require(position + 12 <= file.limit(), "truncated block header at " + position);
            final int type = file.getInt(position);
            final int length = file.getInt(position + 4);
            require(length >= 12 && (length & 3) == 0 && position + length <= file.limit(),
                "bad block length " + length + " at " + position);
            require(file.getInt(position + length - 4) == length, "trailing length differs at " + position);
            switch (type)
            {
                case 0x0A0D0D0A:
                    require(file.getInt(position + 8) == 0x1A2B3C4D, "not a little-endian section at " + position);
                    require((file.getShort(position + 12) & 0xFFFF) == 1, "major version not 1");
                    sections++;
                    interfaces.clear();
                    break;

                case 1:
                    readInterface(file, position, length);
                    break;

                case 6:
                    readPacket(file, position, length);
                    break;

                default:
                    break;
            }
            position += length;
        }
        require(sections > 0, "no section header block");
    }

    private void readInterface(final ByteBuffer file, final int position, final int length)
    {
        final int linkType = file.getShort(position + 8) & 0xFFFF;
        final int snapLength = file.getInt(position + 12);
        String name = null;
        int resolution = -1;
        int option = position + 16;
        final int end = position + length - 4;
        while (true)
        {
            require(option + 4 <= end, "unterminated interface options at " + position);
            final int code = file.getShort(option) & 0xFFFF;
            final int optionLength = file.getShort(option + 2) & 0xFFFF;
            if (0 == code)
            {
                break;
            }
            require(option + 4 + optionLength <= end, "option beyond its block at " + option);
            if (2 == code)
            {
                final byte[] bytes = new byte[optionLength];
                file.get(option + 4, bytes);
                name = new String(bytes, StandardCharsets.UTF_8);
            }
            else if (9 == code)
            {
                resolution = file.get(option + 4) & 0xFF;
            }
            option += 4 + ((optionLength + 3) & ~3);
        }
        interfaces.add(new Interface(linkType, snapLength, name, resolution));
    }

    private void readPacket(final ByteBuffer file, final int position, final int length)
    {
        final int interfaceId = file.getInt(position + 8);
        require(interfaceId >= 0 && interfaceId < interfaces.size(), "packet on undescribed interface at " + position);
        final long timestamp = ((file.getInt(position + 12) & 0xFFFF_FFFFL) << 32) |
            (file.getInt(position + 16) & 0xFFFF_FFFFL);
        final int captured = file.getInt(position + 20);
        final int original = file.getInt(position + 24);
        final int padded = (captured + 3) & ~3;
        require(captured >= 0 && captured <= original && captured <= interfaces.get(interfaceId).snapLength() &&
            28 + padded + 4 <= length, "bad captured length " + captured + " at " + position);
        final byte[] data = new byte[captured];
        file.get(position + 28, data);
        int flags = -1;
        int option = position + 28 + padded;
        final int end = position + length - 4;
        while (option + 4 <= end)
        {
            final int code = file.getShort(option) & 0xFFFF;
            final int optionLength = file.getShort(option + 2) & 0xFFFF;
            if (0 == code)
            {
                break;
            }
            require(option + 4 + optionLength <= end, "option beyond its block at " + option);
            if (2 == code && 4 == optionLength)
            {
                flags = file.getInt(option + 4);
            }
            option += 4 + ((optionLength + 3) & ~3);
        }
        packets.add(new Packet(interfaceId, timestamp, original, data, flags));
    }

    private static void require(final boolean condition, final String message)
    {
        if (!condition)
        {
            throw new IllegalArgumentException("malformed pcapng: " + message);
        }
    }

    /**
     * @param path a pcapng file.
     * @return its contents.
     * @throws IOException              when it cannot be read.
     * @throws IllegalArgumentException when it is malformed.
     */
    public static PcapNgReader read(final Path path) throws IOException
    {
        return new PcapNgReader(ByteBuffer.wrap(Files.readAllBytes(path)));
    }

    /**
     * @param direction {@link #INBOUND} or {@link #OUTBOUND}.
     * @return how many packets carry that direction.
     */
    public long count(final int direction)
    {
        return packets.stream().filter(packet -> packet.direction() == direction).count();
    }
}
