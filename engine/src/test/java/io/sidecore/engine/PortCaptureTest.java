package io.sidecore.engine;

import io.sidecore.engine.agent.SidecoreEngine;
import io.sidecore.engine.backend.TapBackend;
import io.sidecore.engine.backend.TapOpener;
import io.sidecore.engine.backend.TestFrames;
import io.sidecore.engine.backend.VirtioNetHeader;
import io.sidecore.engine.os.TapDevice;
import io.sidecore.engine.port.PcapNgReader;
import io.sidecore.engine.proxy.CaptureSummary;
import io.sidecore.shm.os.Fds;
import io.sidecore.shm.os.LibC;
import org.agrona.concurrent.CachedNanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A port's capture, switched on and off through the proxy while the port runs, driven by {@code doWork()} with a
 * manual clock: it records every frame that leaves the port and every frame that enters it, whatever the backend,
 * with the direction, and never changes what the traffic does.
 */
class PortCaptureTest
{
    private final CachedNanoClock clock = new CachedNanoClock();
    private SidecoreEngine engine;
    private SwitchPump pump;

    @TempDir
    Path directory;

    @BeforeEach
    void setUp()
    {
        engine = new SidecoreEngine(TestContexts.invoker(clock, 1));
        pump = new SwitchPump(engine, clock);
    }

    @AfterEach
    void tearDown()
    {
        engine.close();
    }

    @Test
    void shouldRecordBothDirectionsOfSwitchPortIncludingFramesTheSwitchDeliversStraightToIt() throws Exception
    {
        final TestGuest a = pump.ready(new TestGuest(1));
        final TestGuest b = pump.ready(new TestGuest(2));
        final Path file = directory.resolve("g1.pcapng");
        engine.proxy().startCapture(a.port, file, 0, 1);
        final byte[] toB = a.frameTo(b.mac, 100, 1);
        final byte[] toA = b.frameTo(a.mac, 200, 2);

        a.send(toB);
        pump.pump();
        final long firstNs = clock.nanoTime() - SwitchPump.STEP_NS;
        b.send(toA);
        pump.pump();
        final long secondNs = clock.nanoTime() - SwitchPump.STEP_NS;
        final CaptureSummary summary = engine.proxy().stopCapture(a.port);

        assertEquals(new CaptureSummary(file, 2, 0, null), summary);
        assertEquals(1, b.drainRx(), "the switch still delivered a's frame");
        assertEquals(1, a.drainRx(), "and b's");
        final PcapNgReader pcapng = PcapNgReader.read(file);
        assertEquals("g1", pcapng.interfaces.get(0).name());
        assertEquals(2, pcapng.packets.size());
        assertEquals(PcapNgReader.OUTBOUND, pcapng.packets.get(0).direction());
        assertArrayEquals(toB, pcapng.packets.get(0).data());
        assertEquals(PcapNgReader.INBOUND, pcapng.packets.get(1).direction());
        assertArrayEquals(toA, pcapng.packets.get(1).data());
        assertEquals(secondNs - firstNs,
            pcapng.packets.get(1).timestampUnits() - pcapng.packets.get(0).timestampUnits(),
            "timestamps follow the agent's clock");
        final long wallNs = System.currentTimeMillis() * 1_000_000L;
        assertTrue(Math.abs(pcapng.packets.get(0).timestampUnits() - wallNs) < 60_000_000_000L,
            "timestamps are wall-clock epoch nanoseconds");
    }

    @Test
    void shouldRecordWhatTapBackendDeliversAndWhatGuestSendsWhenBackendIsTap() throws Exception
    {
        final int[] pair = Fds.socketPair(LibC.SOCK_SEQPACKET | LibC.SOCK_NONBLOCK);
        final TestGuest guest = new TestGuest(1);
        guest.attachWith(engine.proxy(), counters -> new TapBackend(
            TapDevice.adopt(pair[0], "capture", TapOpener.TAP_FLAGS), counters, 1514, TapOpener.WANTED_OFFLOADS));
        guest.setUpTx(8);
        guest.setUpRx(16);
        final Path file = directory.resolve("tap.pcapng");
        engine.proxy().startCapture(guest.port, file, 0, 1);
        try (TapDevice kernel = TapDevice.adopt(pair[1], "kernel", TapOpener.TAP_FLAGS);
            Arena arena = Arena.ofConfined())
        {
            final MemorySegment buffer = arena.allocate(0x20000);
            final byte[] fromGuest = TestFrames.udp(false, 100, 1);
            guest.send(fromGuest);
            pump.pump();
            assertEquals(VirtioNetHeader.LENGTH + fromGuest.length, kernel.read(buffer, 0x20000),
                "forwarded to the TAP");

            final byte[] gso = TestFrames.asGuestTso(TestFrames.tcp(false, 3000, 1, TestFrames.TCP_ACK, 1), false);
            final UnsafeBuffer header = new UnsafeBuffer(new byte[VirtioNetHeader.LENGTH]);
            VirtioNetHeader.write(header, 0, VirtioNetHeader.F_NEEDS_CSUM, VirtioNetHeader.GSO_TCPV4, 54, 1448, 34, 16);
            MemorySegment.copy(header.byteArray(), 0, buffer, JAVA_BYTE, 0, VirtioNetHeader.LENGTH);
            MemorySegment.copy(gso, 0, buffer, JAVA_BYTE, VirtioNetHeader.LENGTH, gso.length);
            final int messageBytes = VirtioNetHeader.LENGTH + gso.length;
            assertEquals(messageBytes, kernel.write(buffer, messageBytes));
            pump.pump();
        }
        final CaptureSummary summary = engine.proxy().stopCapture(guest.port);

        assertEquals(4, summary.framesCaptured());
        assertEquals(3, guest.drainRx(), "the guest got the three segments");
        final PcapNgReader pcapng = PcapNgReader.read(file);
        assertEquals(List.of(PcapNgReader.OUTBOUND, PcapNgReader.INBOUND, PcapNgReader.INBOUND, PcapNgReader.INBOUND),
            pcapng.packets.stream().map(PcapNgReader.Packet::direction).toList());
        assertEquals(142, pcapng.packets.get(0).originalLength(), "the guest's frame first");
        for (int i = 1; i <= 3; i++)
        {
            final byte[] segment = pcapng.packets.get(i).data();
            assertArrayEquals(segment, guest.rxFrame(i - 1, segment.length), "segment " + i + " as the guest got it");
            assertTrue(TestFrames.isIpv4HeaderValid(segment, 14), "segment " + i + ": IPv4 header checksum completed");
            assertTrue(TestFrames.isL4ChecksumValid(segment, 14, false, 6, 34),
                "segment " + i + ": TCP checksum completed");
        }
    }

    @Test
    void shouldRecordOnlyWhileOnWhenSwitchedOnAndOffWhilePortRuns() throws Exception
    {
        final TestGuest a = pump.ready(new TestGuest(1));
        final TestGuest b = pump.ready(new TestGuest(2));
        final Path first = directory.resolve("first.pcapng");
        final Path second = directory.resolve("second.pcapng");

        pump.sendAndPump(a, b, 1);
        engine.proxy().startCapture(a.port, first, 0, 1);
        pump.sendAndPump(a, b, 2);
        assertEquals(1, engine.proxy().stopCapture(a.port).framesCaptured());
        pump.sendAndPump(a, b, 3);
        engine.proxy().startCapture(a.port, second, 0, 1);
        pump.sendAndPump(a, b, 4);
        assertEquals(1, engine.proxy().stopCapture(a.port).framesCaptured());

        assertEquals(List.of(2), seeds(PcapNgReader.read(first)));
        assertEquals(List.of(4), seeds(PcapNgReader.read(second)));
        assertEquals(4, b.drainRx(), "every frame delivered, captured or not");
    }

    @Test
    void shouldCloseReplacedFileWhenCaptureStartedAgain() throws Exception
    {
        final TestGuest a = pump.ready(new TestGuest(1));
        final TestGuest b = pump.ready(new TestGuest(2));
        final Path first = directory.resolve("first.pcapng");
        final Path second = directory.resolve("second.pcapng");
        engine.proxy().startCapture(a.port, first, 0, 1);
        pump.sendAndPump(a, b, 1);

        engine.proxy().startCapture(a.port, second, 0, 1);
        pump.sendAndPump(a, b, 2);

        assertEquals(List.of(1), seeds(PcapNgReader.read(first)), "closed, so complete on disk");
        assertEquals(1, engine.proxy().stopCapture(a.port).framesCaptured());
        assertEquals(List.of(2), seeds(PcapNgReader.read(second)));
    }

    @Test
    void shouldCloseCaptureFileWhenPortRemoved() throws Exception
    {
        final TestGuest a = pump.ready(new TestGuest(1));
        final TestGuest b = pump.ready(new TestGuest(2));
        final Path file = directory.resolve("removed.pcapng");
        engine.proxy().startCapture(a.port, file, 0, 1);
        pump.sendAndPump(a, b, 7);

        engine.proxy().removePort(a.port);

        assertEquals(List.of(7), seeds(PcapNgReader.read(file)), "flushed and closed with the port");
    }

    @Test
    void shouldRefuseStopWhenNoCaptureRuns()
    {
        final TestGuest a = pump.ready(new TestGuest(1));

        final IllegalStateException ex =
            assertThrows(IllegalStateException.class, () -> engine.proxy().stopCapture(a.port));

        assertEquals("no capture running on port g1", ex.getMessage());
    }

    @Test
    void shouldRefuseCaptureWhenFileCannotBeOpened()
    {
        final TestGuest a = pump.ready(new TestGuest(1));
        final Path file = directory.resolve("missing").resolve("g1.pcapng");

        final UncheckedIOException ex = assertThrows(UncheckedIOException.class,
            () -> engine.proxy().startCapture(a.port, file, 0, 1));

        assertTrue(ex.getMessage().startsWith("cannot open capture file " + file + ": "), ex.getMessage());
        assertFalse(a.port.capture().isRecording());
        assertNull(a.port.capture().failure());
        assertFalse(Files.exists(file));
    }

    private static List<Integer> seeds(final PcapNgReader pcapng)
    {
        return pcapng.packets.stream().map(packet -> (packet.data()[14] - 14 - 1) / 7).toList();
    }
}
