package io.sidecore.engine;

import io.sidecore.engine.agent.SidecoreAgent;
import io.sidecore.engine.agent.SidecoreEngine;
import io.sidecore.engine.status.PortFaultListener;
import io.sidecore.shm.CountersFileDescriptor;
import io.sidecore.shm.E1000Registers;
import io.sidecore.shm.PortCounter;
import io.sidecore.shm.PortFault;
import io.sidecore.shm.PortFaultDescriptor;
import io.sidecore.shm.PortRegionDescriptor;
import io.sidecore.tools.stat.StatMain;
import org.agrona.BufferUtil;
import org.agrona.concurrent.CachedNanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.errors.ErrorLogReader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A guest that gives its port a bad ring: the port is quarantined, the fault is recorded once in the counters file
 * (the daemon's memory), mirrored into the port region for the guest side, written to the error log and told to the
 * daemon's listener; {@code tools/sidecore stat} shows it by name with its register and value; a device reset clears
 * it.
 */
class PortFaultPublicationTest
{
    private static final long START_EPOCH_MS = 1_700_000_000_000L;

    private final CachedNanoClock clock = new CachedNanoClock();
    private final long[] epochMs = { START_EPOCH_MS };
    private final List<String> told = new ArrayList<>();
    private final UnsafeBuffer portHeader =
        new UnsafeBuffer(BufferUtil.allocateDirectAligned(PortRegionDescriptor.REGION_LENGTH, 64));
    private SidecoreEngine engine;

    @TempDir
    Path dir;

    @AfterEach
    void tearDown()
    {
        if (null != engine)
        {
            engine.close();
        }
    }

    @Test
    void shouldRecordMirrorLogAndTellTheFaultOnceWhenTheGuestGivesABadTail()
    {
        final TestGuest guest = start(() -> epochMs[0]);
        epochMs[0] += 42;

        guest.registers.setRelease(E1000Registers.TDT, 9);
        engine.doWork();
        guest.registers.setRelease(E1000Registers.TDT, 10);
        engine.doWork();

        final PortFaultDescriptor.Reading record = record();
        assertEquals(PortFault.TX_TAIL_BEYOND_RING, record.fault());
        assertEquals(guest.index, record.portId());
        assertEquals(E1000Registers.TDT, record.register());
        assertEquals(9, record.value(), "the first fault is the one recorded");
        assertEquals(START_EPOCH_MS + 42, record.timestampMs());
        assertEquals(1, record.faultCount());
        assertEquals(PortRegionDescriptor.PORT_STATE_FAULTED, PortRegionDescriptor.portState(portHeader));
        assertEquals(PortFault.TX_TAIL_BEYOND_RING, PortRegionDescriptor.fault(portHeader));
        assertEquals(E1000Registers.TDT, portHeader.getInt(PortRegionDescriptor.FAULT_REGISTER_FIELD_OFFSET));
        assertEquals(9, portHeader.getLong(PortRegionDescriptor.FAULT_VALUE_FIELD_OFFSET));
        assertEquals(List.of("fault g1 tx_tail_beyond_ring 0x3818 9"), told);
        assertEquals(1, guest.port.counters().get(PortCounter.RING_FAULTS));
        final List<String> errors = errorLog();
        assertEquals(1, errors.size());
        assertTrue(errors.get(0).startsWith("io.sidecore.engine.status.PortFaultPublisher$PortFaultException: " +
            "port g1 (id 1) faulted: tx_tail_beyond_ring (" + PortFault.TX_TAIL_BEYOND_RING.description() +
            "): TDT (0x03818) = 0x9"), errors.get(0));
    }

    @Test
    void shouldClearRecordAndMirrorButKeepTheCountWhenTheGuestResetsTheDevice()
    {
        final TestGuest guest = start(() -> epochMs[0]);
        guest.registers.setRelease(E1000Registers.TDT, 9);
        engine.doWork();

        guest.proxy.mmioWrite(guest.port, E1000Registers.CTRL, E1000Registers.CTRL_RST);

        final PortFaultDescriptor.Reading record = record();
        assertNull(record.fault());
        assertEquals(0, record.register());
        assertEquals(0, record.value());
        assertEquals(1, record.faultCount());
        assertEquals(PortRegionDescriptor.PORT_STATE_READY, PortRegionDescriptor.portState(portHeader));
        assertNull(PortRegionDescriptor.fault(portHeader));
        assertEquals(List.of("fault g1 tx_tail_beyond_ring 0x3818 9", "cleared g1"), told);

        guest.setUpRx(8);
        guest.registers.setRelease(E1000Registers.RDT, 200);
        final TestGuest other = new TestGuest(3);
        other.attachToSwitch(engine.proxy());
        other.setUpTx(8);
        other.send(other.frameTo(guest.mac, 60, 1));
        engine.doWork();

        final PortFaultDescriptor.Reading again = record();
        assertEquals(PortFault.RX_TAIL_BEYOND_RING, again.fault());
        assertEquals(200, again.value());
        assertEquals(2, again.faultCount(), "a second fault after the reset is counted again");
    }

    @Test
    void shouldFreeThePortsRecordWhenThePortIsRemoved()
    {
        final TestGuest guest = start(() -> epochMs[0]);

        engine.proxy().removePort(guest.port);

        assertEquals(PortFaultDescriptor.SLOT_FREE, record().slotState());
    }

    @Test
    void shouldShowTheFaultByNameRegisterAndValueInStatWhenTheGuestGivesABadRing()
    {
        final TestGuest guest = start(() -> System.currentTimeMillis());
        final long beforeMs = System.currentTimeMillis();
        guest.registers.setRelease(E1000Registers.TDT, 9);
        engine.doWork();

        beatHeartbeat();
        final String text = stat("--file", countersFile().toString(), "--no-errors");
        beatHeartbeat();
        final String json = stat("--file", countersFile().toString(), "--format", "json", "--no-errors");

        final List<String> lines = List.of(text.split("\n"));
        final int port = lines.indexOf("port g1 (id 1)");
        assertTrue(port > 0, text);
        assertTrue(
            lines.get(port + 1).startsWith("  FAULTED tx_tail_beyond_ring: register TDT (0x03818) = 0x9, since "),
            lines.get(port + 1));
        assertTrue(lines.get(port + 1).endsWith(", fault 1 of the port"), lines.get(port + 1));
        assertEquals("    (" + PortFault.TX_TAIL_BEYOND_RING.description() + ")", lines.get(port + 2));
        assertTrue(json.contains("\"fault\":{\"id\":4,\"name\":\"tx_tail_beyond_ring\",\"description\":\"" +
            PortFault.TX_TAIL_BEYOND_RING.description() + "\",\"register\":\"TDT\",\"register_offset\":14360," +
            "\"value\":9,\"timestamp_ms\":"), json);
        assertTrue(record().timestampMs() >= beforeMs);
    }

    private TestGuest start(final org.agrona.concurrent.EpochClock epochClock)
    {
        engine = new SidecoreEngine(TestContexts.invoker(clock, 1)
            .countersFile(countersFile())
            .errorLogLengthBytes(64 * 1024)
            .epochClock(epochClock)
            .portFaultListener(new PortFaultListener()
            {
                public void onPortFault(
                    final int portId, final String portName, final PortFault fault, final int register,
                    final long value)
                {
                    told.add("fault " + portName + " " + fault.faultName() + " 0x" + Integer.toHexString(register) +
                        " " + value);
                }

                public void onPortFaultCleared(final int portId, final String portName)
                {
                    told.add("cleared " + portName);
                }
            }));
        final TestGuest guest = new TestGuest(1);
        PortRegionDescriptor.writeHeader(
            portHeader, guest.index, guest.config.sharedPages(), guest.mac, 0);
        PortRegionDescriptor.signalReady(portHeader);
        guest.attachToSwitch(engine.proxy(), portHeader);
        guest.setUpTx(8);
        engine.doWork();
        return guest;
    }

    private Path countersFile()
    {
        return dir.resolve(CountersFileDescriptor.FILE_NAME);
    }

    private PortFaultDescriptor.Reading record()
    {
        final UnsafeBuffer faults =
            CountersFileDescriptor.createPortFaultsBuffer(engine.context().mappedCountersFile().buffer());
        return PortFaultDescriptor.read(faults, 0, 1);
    }

    private List<String> errorLog()
    {
        final List<String> errors = new ArrayList<>();
        ErrorLogReader.read(
            CountersFileDescriptor.createErrorLogBuffer(engine.context().mappedCountersFile().buffer()),
            (count, firstMs, lastMs, encoded) -> errors.add(encoded));
        return errors;
    }

    /**
     * One second of the agent's clock, so it beats the counters file's heartbeat at the current wall time: stat
     * then reads a running sidecore's file however long the test took to get here (stat calls a heartbeat older
     * than 3 s stale and exits 1).
     */
    private void beatHeartbeat()
    {
        clock.advance(SidecoreAgent.HEARTBEAT_INTERVAL_NS);
        engine.doWork();
    }

    private static String stat(final String... args)
    {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final int exitCode = new CommandLine(new StatMain())
            .setCaseInsensitiveEnumValuesAllowed(true)
            .setOut(new PrintWriter(out, true))
            .setErr(new PrintWriter(err, true))
            .execute(args);
        assertEquals(0, exitCode, err.toString());
        return out.toString();
    }
}
