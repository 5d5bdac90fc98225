package io.sidecore.bench.fuzz;

import io.sidecore.engine.port.Port;
import io.sidecore.tools.guest.GuestDriverConfig;
import io.sidecore.tools.guest.GuestDriverModel;
import io.sidecore.tools.guest.GuestRam;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;

/**
 * One honest guest of the fuzzer: the Linux e1000 driver model on its own guarded memory, sending numbered frames to
 * the next honest guest and checking every frame it receives. A frame of the honest EtherType must come from the
 * honest guest its payload names, with that guest's MAC as source and an intact payload pattern, or it counts as
 * corrupted; a frame that carries another honest guest's MAC as source without being its frame is spoofed.
 */
final class HonestGuest
{
    /** EtherType of honest frames: IEEE 802 local experimental. */
    static final int HONEST_ETHER_TYPE = 0x88B5;
    /** Frames each honest guest queues per iteration. */
    static final int FRAMES_PER_ITERATION = 4;
    /** Length of honest frames. */
    static final int FRAME_BYTES = 256;

    private static final int MAC_BYTES = 6;
    private static final int TYPE_OFFSET = 12;
    private static final int SENDER_OFFSET = 14;
    private static final int SEQUENCE_OFFSET = 18;
    private static final int PATTERN_OFFSET = 26;

    private final int index;
    private final byte[] mac;
    private final byte[][] honestMacs;
    private final Port port;
    private final LevelLine line;
    private final GuestDriverModel model;
    private final UnsafeBuffer frame = new UnsafeBuffer(new byte[FRAME_BYTES]);
    private long sequence;
    private long validFrames;
    private long corruptedFrames;
    private long spoofedFrames;
    private long foreignFrames;

    HonestGuest(
        final int index, final byte[][] honestMacs, final Port port, final LevelLine line,
        final InvokerDeviceAccess access, final GuestRam ram, final byte[] destination)
    {
        this.index = index;
        this.honestMacs = honestMacs;
        this.mac = honestMacs[index];
        this.port = port;
        this.line = line;
        this.model = new GuestDriverModel(access, ram, new GuestDriverConfig(), this::onFrame);
        frame.putBytes(0, destination);
        frame.putBytes(MAC_BYTES, mac);
        frame.putShort(TYPE_OFFSET, (short)HONEST_ETHER_TYPE, ByteOrder.BIG_ENDIAN);
        frame.putInt(SENDER_OFFSET, index, ByteOrder.BIG_ENDIAN);
        for (int i = PATTERN_OFFSET; i < FRAME_BYTES; i++)
        {
            frame.putByte(i, pattern(index, i));
        }
    }

    private static byte pattern(final int sender, final int offset)
    {
        return (byte)(sender * 31 + offset * 7);
    }

    /**
     * Probe, open and wait for the link, as the Linux driver does.
     *
     * @param linkCheck run between link polls (the sidecores).
     */
    void start(final Runnable linkCheck)
    {
        model.probe();
        model.open();
        for (int i = 0; i < 1000 && !model.isLinkUp(); i++)
        {
            linkCheck.run();
            service();
            model.watchdog();
        }
        if (!model.isLinkUp())
        {
            throw new IllegalStateException("honest guest " + index + ": the link did not come up");
        }
    }

    /**
     * The interrupt handler when the line rose, else a scheduled NAPI poll.
     */
    void service()
    {
        line.serve(model);
    }

    /**
     * Queue this iteration's frames and ring the doorbell once.
     *
     * @param frames how many.
     */
    void send(final int frames)
    {
        for (int i = 0; i < frames; i++)
        {
            frame.putLong(SEQUENCE_OFFSET, sequence, ByteOrder.BIG_ENDIAN);
            if (!model.queue(frame, 0, FRAME_BYTES))
            {
                break;
            }
            sequence++;
        }
        model.flushTx();
    }

    private void onFrame(
        final DirectBuffer buffer, final int offset, final int lengthBytes, final int status, final int special)
    {
        if (lengthBytes < PATTERN_OFFSET ||
            HONEST_ETHER_TYPE != (buffer.getShort(offset + TYPE_OFFSET, ByteOrder.BIG_ENDIAN) & 0xFFFF))
        {
            if (lengthBytes >= TYPE_OFFSET && isHonestSource(buffer, offset))
            {
                spoofedFrames++;
            }
            else
            {
                foreignFrames++;
            }
            return;
        }
        final int sender = buffer.getInt(offset + SENDER_OFFSET, ByteOrder.BIG_ENDIAN);
        if (sender < 0 || sender >= honestMacs.length || FRAME_BYTES != lengthBytes ||
            !sourceIs(buffer, offset, sender))
        {
            corruptedFrames++;
            return;
        }
        for (int i = PATTERN_OFFSET; i < FRAME_BYTES; i++)
        {
            if (buffer.getByte(offset + i) != pattern(sender, i))
            {
                corruptedFrames++;
                return;
            }
        }
        validFrames++;
    }

    private boolean isHonestSource(final DirectBuffer buffer, final int offset)
    {
        for (int i = 0; i < honestMacs.length; i++)
        {
            if (sourceIs(buffer, offset, i))
            {
                return true;
            }
        }
        return false;
    }

    private boolean sourceIs(final DirectBuffer buffer, final int offset, final int sender)
    {
        for (int i = 0; i < MAC_BYTES; i++)
        {
            if (buffer.getByte(offset + MAC_BYTES + i) != honestMacs[sender][i])
            {
                return false;
            }
        }
        return true;
    }

    Port port()
    {
        return port;
    }

    long validFrames()
    {
        return validFrames;
    }

    long corruptedFrames()
    {
        return corruptedFrames;
    }

    long spoofedFrames()
    {
        return spoofedFrames;
    }

    long foreignFrames()
    {
        return foreignFrames;
    }

    boolean isTxIdle()
    {
        return !model.hasTxPending();
    }
}
