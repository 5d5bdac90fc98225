package io.sidecore.engine;

import io.sidecore.engine.agent.SidecoreAgent;
import io.sidecore.engine.agent.SidecoreEngine;
import io.sidecore.engine.agent.SidecoreIdleStrategy;
import io.sidecore.engine.agent.ThreadingMode;
import io.sidecore.engine.proxy.Commands;
import io.sidecore.engine.proxy.EngineProxy;
import io.sidecore.engine.proxy.TrappedAccess;
import io.sidecore.engine.backend.PortBackend;
import io.sidecore.engine.frame.FrameMetadata;
import io.sidecore.engine.frame.FrameSink;
import io.sidecore.engine.backend.TapBackend;
import io.sidecore.engine.backend.TapOpener;
import io.sidecore.engine.backend.VirtioNetHeader;
import io.sidecore.engine.e1000.PortConfig;
import io.sidecore.engine.os.TapDevice;
import io.sidecore.engine.status.JvmActivity;
import io.sidecore.shm.CsbDescriptor;
import io.sidecore.shm.E1000Registers;
import io.sidecore.shm.E1000RxDescriptor;
import io.sidecore.shm.E1000TxDescriptor;
import io.sidecore.shm.PortCounter;
import io.sidecore.shm.PortRegionDescriptor;
import io.sidecore.shm.PortFault;
import io.sidecore.shm.PortFaultDescriptor;
import io.sidecore.shm.SidecoreCounter;
import io.sidecore.shm.os.Fds;
import io.sidecore.shm.os.LibC;
import io.sidecore.tools.guest.Descriptors;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.CachedNanoClock;
import org.agrona.concurrent.SystemNanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Every entry of the three registries the tools read ({@link PortCounter}, {@link SidecoreCounter},
 * {@link PortFault}) has a row here: the guest or backend input that provokes it and the delta it must cause,
 * driven through {@code doWork()} with simulated guests (no test calls a counter). A registry entry without a row
 * fails {@link #shouldHaveARowForEveryRegistryEntry()}: a counter nothing can move is a counter to remove.
 */
class RegistryWalkTest
{
    private static final int RING = 64;
    private static final long OUTSIDE_RAM_GPA = 0x7000_0000L;
    private static final byte[] UNKNOWN_MAC = { 0x02, 0, 0, 0, 0, (byte)0x99 };
    private static final byte[] BROADCAST = { -1, -1, -1, -1, -1, -1 };

    @Test
    void shouldHaveARowForEveryRegistryEntry()
    {
        final Map<Enum<?>, Row> rows = rows();
        final List<Enum<?>> missing = new ArrayList<>();
        for (final Enum<?> entry : registryEntries())
        {
            if (!rows.containsKey(entry))
            {
                missing.add(entry);
            }
        }
        assertEquals(List.of(), missing, "registry entries that no input provokes: wire them or remove them");
        assertEquals(registryEntries().size(), rows.size());
    }

    @TestFactory
    Stream<DynamicTest> shouldMoveEachEntryByItsDeltaWhenItsInputIsGiven()
    {
        return rows().values().stream().map((final Row row) -> DynamicTest.dynamicTest(
            row.entry().getDeclaringClass().getSimpleName() + "." + row.entry().name() + " <- " + row.input(),
            row::run));
    }

    private static List<Enum<?>> registryEntries()
    {
        final List<Enum<?>> entries = new ArrayList<>(List.of(PortCounter.values()));
        entries.addAll(List.of(SidecoreCounter.values()));
        entries.addAll(List.of(PortFault.values()));
        return entries;
    }

    /**
     * One registry entry: the input that provokes it and the delta it causes.
     *
     * @param entry    the registry entry.
     * @param input    what the guest or backend does, in words.
     * @param rig      builds the rig the input needs.
     * @param prepare  setup before the first reading (not the input).
     * @param reader   the entry's value.
     * @param provoke  the input.
     * @param expected the delta the input causes (evaluated after the input).
     */
    private record Row(
        Enum<?> entry,
        String input,
        Supplier<Rig> rig,
        Consumer<Rig> prepare,
        ToLongFunction<Rig> reader,
        Consumer<Rig> provoke,
        ToLongFunction<Rig> expected)
    {
        void run()
        {
            try (Rig rig = this.rig.get())
            {
                prepare.accept(rig);
                final long before = reader.applyAsLong(rig);
                provoke.accept(rig);
                final long delta = reader.applyAsLong(rig) - before;
                final long expectedDelta = expected.applyAsLong(rig);
                assertTrue(expectedDelta != 0, "a row must expect a change");
                assertEquals(expectedDelta, delta, entry + " after: " + input);
            }
        }
    }

    private static Map<Enum<?>, Row> rows()
    {
        final Map<Enum<?>, Row> rows = new LinkedHashMap<>();
        final List<Row> all = new ArrayList<>();
        all.addAll(trafficRows());
        all.addAll(transmitDropRows());
        all.addAll(receiveDropRows());
        all.addAll(registerRows());
        all.addAll(sidecoreRows());
        all.addAll(switchRows());
        all.addAll(faultRows());
        all.addAll(backendStatusRows());
        for (final Row row : all)
        {
            if (null != rows.put(row.entry(), row))
            {
                fail("two rows for " + row.entry());
            }
        }
        return rows;
    }

    // ------------------------------------------------------------------------------------------------ rows

    private static List<Row> trafficRows()
    {
        return List.of(
            port(PortCounter.TX_FRAMES, "A sends a frame to B", A, r -> r.send(r.a, r.b.mac, 100), 1),
            port(PortCounter.TX_BYTES, "A sends a 100-byte frame to B", A, r -> r.send(r.a, r.b.mac, 100), 100),
            port(PortCounter.RX_FRAMES, "A sends a frame to B", B, r -> r.send(r.a, r.b.mac, 100), 1),
            port(PortCounter.RX_BYTES, "A sends a 100-byte frame to B", B, r -> r.send(r.a, r.b.mac, 100), 100),
            port(PortCounter.TX_DESCRIPTORS, "A sends three frames", A, r ->
            {
                r.a.send(r.a.frameTo(r.b.mac, 60, 1), r.a.frameTo(r.b.mac, 60, 2), r.a.frameTo(r.b.mac, 60, 3));
                r.doWork();
            }, 3),
            port(PortCounter.RX_DESCRIPTORS, "A sends one frame that fits one 2 KiB buffer", B,
                r -> r.send(r.a, r.b.mac, 1000), 1),
            port(PortCounter.RX_DESCRIPTORS_EXAMINED, "A sends B a frame that fits one 2 KiB buffer", B,
                r -> r.send(r.a, r.b.mac, 1000), 1),
            port(PortCounter.TX_TSO_SEGMENTS, "A sends a TSO packet of 300 payload bytes with MSS 100", A,
                Rig::sendTso, 3),
            port(PortCounter.DOORBELLS_SHARED, "A writes TDT into its shared page", A,
                r -> r.send(r.a, r.b.mac, 60), 1),
            port(PortCounter.DOORBELLS_TRAPPED, "A's TDT write traps", A, r ->
            {
                r.a.queue(r.a.frameTo(r.b.mac, 60, 1));
                r.proxy.mmioWrite(r.a.port, E1000Registers.TDT, r.a.txTail);
            }, 1),
            new Row(PortCounter.DOORBELLS_CSB, "the CSB guest publishes guest_tdt", () -> Rig.withCsb(),
                Rig::registerCsb, r -> r.b.port.counters().get(PortCounter.DOORBELLS_CSB), r ->
                {
                    r.b.queue(r.b.frameTo(r.a.mac, 60, 1));
                    r.b.ringTxCsb();
                    r.doWork();
                }, r -> 1),
            new Row(PortCounter.CSB_KICKS, "the CSB guest kicks while the host asked for kicks before parking",
                () -> Rig.withCsb(), Rig::registerCsb, r -> r.b.port.counters().get(PortCounter.CSB_KICKS), r ->
                {
                    final SidecoreAgent agent = r.engine.agent(0);
                    r.b.kick = agent.kick();
                    assertTrue(agent.onParkPrepare(50_000) > 0, "nothing to do: the host parks");
                    r.b.queue(r.b.frameTo(r.a.mac, 60, 1));
                    r.b.ringTxCsb();
                    agent.onParkEnd(true);
                    r.doWork();
                    assertEquals(1, r.b.kicks, "the guest kicked once");
                }, r -> 1),
            new Row(PortCounter.INTERRUPTS_SUPPRESSED_CSB, "a frame for a CSB guest that polls (guest_need_rxkick 0)",
                () -> Rig.withCsb(), r ->
                {
                    r.registerCsb();
                    r.proxy.mmioWrite(r.b.port, E1000Registers.IMS, E1000Registers.ICR_RXT0);
                },
                r -> r.b.port.counters().get(PortCounter.INTERRUPTS_SUPPRESSED_CSB),
                r -> r.send(r.a, r.b.mac, 60), r -> 1),
            port(PortCounter.INTERRUPTS_POSTED, "B enabled RXT0 and a frame arrives", B,
                r -> r.proxy.mmioWrite(r.b.port, E1000Registers.IMS, E1000Registers.ICR_RXT0),
                r -> r.send(r.a, r.b.mac, 60), 1),
            port(PortCounter.INTERRUPTS_MODERATED, "a second frame inside B's ITR window, after B read ICR", B, r ->
            {
                r.proxy.mmioWrite(r.b.port, E1000Registers.IMS, E1000Registers.ICR_RXT0);
                r.proxy.mmioWrite(r.b.port, E1000Registers.ITR, 1000);
            }, r ->
            {
                r.send(r.a, r.b.mac, 60);
                r.proxy.mmioRead(r.b.port, E1000Registers.ICR);
                r.send(r.a, r.b.mac, 60);
            }, 1),
            port(PortCounter.TX_BUDGET_EXHAUSTED, "A queues 10 frames with a budget of 4 per pass", A,
                r -> r.proxy.updatePortSettings(r.a.port, r.a.port.settings().withTxDescriptorBudget(4)), r ->
                {
                    for (int i = 0; i < 10; i++)
                    {
                        r.a.queue(r.a.frameTo(r.b.mac, 60, i));
                    }
                    r.a.ringTx();
                    r.doWork();
                    r.doWork();
                    r.doWork();
                }, 2),
            port(PortCounter.TX_RATE_LIMITED, "A queues 3 frames at 1 frame/s, burst 1, three passes at one time",
                A, r -> r.proxy.updatePortSettings(r.a.port, TestContexts.PORT_DEFAULTS.withTxFrameRate(1, 1)),
                r ->
                {
                    r.a.send(r.a.frameTo(r.b.mac, 60, 1), r.a.frameTo(r.b.mac, 60, 2), r.a.frameTo(r.b.mac, 60, 3));
                    r.doWork();
                    r.doWork();
                    r.doWork();
                }, 2));
    }

    private static List<Row> transmitDropRows()
    {
        return List.of(
            port(PortCounter.TX_DROP_DMA_FAULT, "a legacy descriptor whose buffer is outside A's memory", A,
                r -> r.putTx(r.a, OUTSIDE_RAM_GPA, legacy(60, E1000TxDescriptor.CMD_EOP)), 1),
            port(PortCounter.TX_DROP_MALFORMED, "an extended descriptor with a reserved DTYP", A,
                r -> r.putTx(r.a, TestGuest.TX_BUFFERS_GPA,
                    Descriptors.extendedTxHigh(60, 2, E1000TxDescriptor.CMD_EOP, 0, 0, 0)), 1),
            port(PortCounter.TX_DROP_OVERSIZE, "two 40000-byte legacy descriptors make one packet", A, r ->
            {
                r.putTxWithoutRing(r.a, TestGuest.TX_BUFFERS_GPA, legacy(40_000, 0));
                r.putTx(r.a, TestGuest.TX_BUFFERS_GPA, legacy(40_000, E1000TxDescriptor.CMD_EOP));
            }, 1),
            port(PortCounter.TX_DROP_EMPTY, "a zero-length legacy descriptor with EOP", A,
                r -> r.putTx(r.a, TestGuest.TX_BUFFERS_GPA, legacy(0, E1000TxDescriptor.CMD_EOP)), 1),
            port(PortCounter.TX_DROP_NO_CONTEXT, "a data descriptor asking for TCP checksum without a context", A,
                r -> r.putTx(r.a, TestGuest.TX_BUFFERS_GPA, Descriptors.dataTxHigh(60,
                    E1000TxDescriptor.CMD_EOP, E1000TxDescriptor.POPTS_TXSM, 0)), 1),
            port(PortCounter.TX_DROP_BAD_SEQUENCE, "a legacy then a data descriptor in one packet", A, r ->
            {
                r.putTxWithoutRing(r.a, TestGuest.TX_BUFFERS_GPA, legacy(30, 0));
                r.putTx(r.a, TestGuest.TX_BUFFERS_GPA, Descriptors.dataTxHigh(30, E1000TxDescriptor.CMD_EOP, 0, 0));
            }, 1),
            port(PortCounter.TX_DROP_RESET, "A's 3-segment TSO packet, 1 segment per pass, then A resets the device",
                A, r -> r.proxy.updatePortSettings(r.a.port, r.a.port.settings().withTxSegmentBudget(1)), r ->
                {
                    r.sendTso();
                    r.proxy.mmioWrite(r.a.port, E1000Registers.CTRL, E1000Registers.CTRL_RST);
                }, 2),
            port(PortCounter.TX_DROP_RUNT, "a 10-byte legacy frame", A,
                r -> r.putTx(r.a, TestGuest.TX_BUFFERS_GPA, legacy(10, E1000TxDescriptor.CMD_EOP)), 1),
            port(PortCounter.TX_DROP_LINK_DOWN, "the operator set A's link down and A sends a frame to B", A,
                r -> r.proxy.setLink(r.a.port, false), r -> r.send(r.a, r.b.mac, 60), 1),
            port(PortCounter.TX_DROP_NO_DESTINATION, "A sends to its own address", A,
                r -> r.send(r.a, r.a.mac, 60), 1),
            new Row(PortCounter.TX_DROP_BACKEND, "C's TAP peer is gone (EPIPE) and C sends", () -> Rig.withTap(),
                r -> r.tapPeer.close(), r -> r.c.port.counters().get(PortCounter.TX_DROP_BACKEND),
                r -> r.send(r.c, UNKNOWN_MAC, 100), r -> 1),
            new Row(PortCounter.TX_DROP_SWITCH_RING_FULL, "A (sidecore 0) sends 100 1500-byte frames to B " +
                "(sidecore 1), which does not drain", () -> Rig.twoSidecores(), r -> { },
                r -> r.a.port.counters().get(PortCounter.TX_DROP_SWITCH_RING_FULL), r ->
                {
                    r.crossShardBefore = r.sidecore(0, SidecoreCounter.CROSS_SHARD_FRAMES);
                    for (int batch = 0; batch < 2; batch++)
                    {
                        for (int i = 0; i < 50; i++)
                        {
                            r.a.queue(r.a.frameTo(r.b.mac, 1500, i));
                        }
                        r.a.ringTx();
                        while (r.a.txFree() < RING - 1)
                        {
                            r.engine.agent(0).doWork();
                        }
                    }
                },
                r -> 100 - (r.sidecore(0, SidecoreCounter.CROSS_SHARD_FRAMES) - r.crossShardBefore)));
    }

    private static List<Row> backendStatusRows()
    {
        return List.of(
            new Row(PortCounter.TAP_CARRIER_UNKNOWN, "C's TAP was adopted (no interface to ask); its next carrier " +
                "check is due", () -> Rig.withTap(), r -> r.doWork(),
                r -> r.c.port.counters().get(PortCounter.TAP_CARRIER_UNKNOWN), r ->
                {
                    r.advanceNs(TapBackend.CARRIER_CHECK_INTERVAL_NS);
                    r.doWork();
                }, r -> 1));
    }

    private static List<Row> receiveDropRows()
    {
        return List.of(
            port(PortCounter.RX_DROP_RING_FULL, "a frame for B, which gave no buffers (RDT = RDH)", B,
                r -> r.b.registers.setRelease(E1000Registers.RDT, 0), r -> r.send(r.a, r.b.mac, 60), 1),
            port(PortCounter.RX_DROP_FILTERED, "A sends to an unknown unicast address: flooded, B's filter refuses",
                B, r -> r.send(r.a, UNKNOWN_MAC, 60), 1),
            port(PortCounter.RX_DROP_VLAN_FILTERED, "a VLAN 5 frame for B, whose VLAN filter is on and empty", B,
                r -> r.proxy.mmioWrite(r.b.port, E1000Registers.RCTL,
                    E1000Registers.RCTL_EN | E1000Registers.RCTL_BAM | E1000Registers.RCTL_VFE), r ->
                {
                    final byte[] frame = r.a.frameTo(r.b.mac, 64, 1);
                    frame[12] = (byte)0x81;
                    frame[13] = 0x00;
                    frame[14] = 0x00;
                    frame[15] = 0x05;
                    r.a.send(frame);
                    r.doWork();
                }, 1),
            port(PortCounter.RX_DROP_OVERSIZE, "a 2000-byte frame for B (RCTL.LPE clear)", B,
                r -> r.send(r.a, r.b.mac, 2000), 1),
            port(PortCounter.RX_DROP_BUDGET, "a frame for B (RX descriptor budget 257) whose first 300 buffers are " +
                "null", B, r ->
                {
                    r.b.setUpRx(1024);
                    for (int i = 0; i < 300; i++)
                    {
                        r.b.ramBuffer.putLong((int)(TestGuest.RX_RING_GPA - TestGuest.RAM_GPA) +
                            i * E1000RxDescriptor.LENGTH + E1000RxDescriptor.BUFFER_ADDR_OFFSET, 0,
                            ByteOrder.LITTLE_ENDIAN);
                    }
                    r.proxy.updatePortSettings(r.b.port, r.b.port.settings().withRxDescriptorBudget(257));
                }, r -> r.send(r.a, r.b.mac, 60), 1),
            port(PortCounter.RX_DROP_DMA_FAULT, "a frame for B, whose next RX buffer is outside its memory", B,
                r -> Descriptors.putRx(r.b.ramBuffer, (int)(TestGuest.RX_RING_GPA - TestGuest.RAM_GPA),
                    OUTSIDE_RAM_GPA),
                r -> r.send(r.a, r.b.mac, 60), 1),
            port(PortCounter.RX_DROP_DISABLED, "a frame for B, whose receiver is off (RCTL.EN clear)", B,
                r -> r.proxy.mmioWrite(r.b.port, E1000Registers.RCTL, 0), r -> r.send(r.a, r.b.mac, 60), 1),
            new Row(PortCounter.CPU_NS, "C's backend takes 700 ns of the clock to hand it a frame",
                () -> Rig.withScriptedBackend(), r -> r.script.costNs(r.clock, 700),
                r -> r.c.port.counters().get(PortCounter.CPU_NS), r ->
                {
                    r.script.frames.add(r.c.frameTo(r.c.mac, 60, 1));
                    r.doWork();
                }, r -> 700),
            new Row(PortCounter.PASSES_OVER_SHARE, "C (fairness quantum 1 us) takes 5 us for a frame, and the next " +
                "pass comes", () -> Rig.withScriptedBackend(ctx -> ctx.fairQuantumNs(1_000)),
                r -> r.script.costNs(r.clock, 5_000), r -> r.c.port.counters().get(PortCounter.PASSES_OVER_SHARE), r ->
                {
                    r.script.frames.add(r.c.frameTo(r.c.mac, 60, 1));
                    r.doWork();
                    r.doWork();
                }, r -> 1),
            new Row(PortCounter.TX_PASSES_YIELDED, "C sends 40 frames; after its 20th, A's vCPU queues an ICR read",
                () -> Rig.withScriptedBackend(), r ->
                {
                    r.c.setUpTx(RING);
                    r.script.actAtFrame = 20;
                    r.script.action = () -> r.proxy.offerAccess(r.a.port, TrappedAccess.MMIO_SPACE, false,
                        E1000Registers.ICR, Integer.BYTES, 0);
                }, r -> r.c.port.counters().get(PortCounter.TX_PASSES_YIELDED), r ->
                {
                    for (int i = 0; i < 40; i++)
                    {
                        r.c.queue(r.c.frameTo(UNKNOWN_MAC, 60, i));
                    }
                    r.c.ringTx();
                    r.doWork();
                }, r -> 1),
            new Row(PortCounter.RX_DROP_RUNT, "C's backend hands it a 10-byte frame", () -> Rig.withScriptedBackend(),
                r -> { }, r -> r.c.port.counters().get(PortCounter.RX_DROP_RUNT), r ->
                {
                    r.script.frames.add(new byte[10]);
                    r.doWork();
                }, r -> 1),
            new Row(PortCounter.RX_DROP_GSO_SIZE, "C's TAP peer sends a TCP GSO frame with gso_size 1",
                () -> Rig.withTap(), r -> { }, r -> r.c.port.counters().get(PortCounter.RX_DROP_GSO_SIZE), r ->
                {
                    final MemorySegment message = Arena.ofAuto().allocate(VirtioNetHeader.LENGTH + 200);
                    final UnsafeBuffer header = new UnsafeBuffer(message.address(), VirtioNetHeader.LENGTH);
                    VirtioNetHeader.write(header, 0, VirtioNetHeader.F_NEEDS_CSUM, VirtioNetHeader.GSO_TCPV4, 54, 1,
                        34, 16);
                    assertEquals(VirtioNetHeader.LENGTH + 200, r.tapPeer.write(message, (int)message.byteSize()));
                    r.doWork();
                }, r -> 1),
            new Row(PortCounter.BACKEND_READ_ERRORS, "C's TAP descriptor has no interface attached (EBADFD on read)",
                () -> Rig.withDetachedTap(), r -> { }, r -> r.c.port.counters().get(PortCounter.BACKEND_READ_ERRORS),
                r -> r.doWork(), r -> 1),
            new Row(PortCounter.RX_DROP_BACKEND, "C's TAP peer sends a 8-byte runt", () -> Rig.withTap(), r -> { },
                r -> r.c.port.counters().get(PortCounter.RX_DROP_BACKEND), r ->
                {
                    final MemorySegment message = Arena.ofAuto().allocate(VirtioNetHeader.LENGTH + 8);
                    assertEquals(VirtioNetHeader.LENGTH + 8, r.tapPeer.write(message, (int)message.byteSize()));
                    r.doWork();
                }, r -> 1));
    }

    private static List<Row> registerRows()
    {
        return List.of(
            port(PortCounter.ICR_READS, "A reads ICR", A, r -> r.proxy.mmioRead(r.a.port, E1000Registers.ICR), 1),
            port(PortCounter.TRAPPED_READS, "A reads STATUS", A,
                r -> r.proxy.mmioRead(r.a.port, E1000Registers.STATUS), 1),
            port(PortCounter.TRAPPED_WRITES, "A writes ITR", A,
                r -> r.proxy.mmioWrite(r.a.port, E1000Registers.ITR, 100), 1),
            port(PortCounter.UNKNOWN_REGISTER_ACCESSES, "A reads FLA, which the model does not implement", A,
                r -> r.proxy.mmioRead(r.a.port, E1000Registers.FLA), 1),
            port(PortCounter.BAD_REGISTER_ACCESSES, "A reads 4 bytes at STATUS + 2", A,
                r -> r.proxy.mmioRead(r.a.port, E1000Registers.STATUS + 2), 1),
            port(PortCounter.DEVICE_RESETS, "A writes CTRL.RST through IOADDR/IODATA, as Linux does", A, r ->
            {
                r.proxy.ioWrite(r.a.port, E1000Registers.IOADDR, E1000Registers.CTRL);
                r.proxy.ioWrite(r.a.port, E1000Registers.IODATA, E1000Registers.CTRL_RST);
            }, 1),
            port(PortCounter.RING_FAULTS, "A rings TDT beyond its ring", A,
                r -> r.ringShared(r.a, E1000Registers.TDT, RING + 1), 1),
            port(PortCounter.EEPROM_COMMAND_ERRORS, "A clocks a Microwire WRITE into EECD without EWEN first", A,
                Rig::microwireWrite, 1),
            port(PortCounter.PHY_ACCESS_ERRORS, "A reads through MDIC from PHY address 2", A,
                r -> r.proxy.mmioWrite(r.a.port, E1000Registers.MDIC, E1000Registers.MDIC_OP_READ |
                    2 << E1000Registers.MDIC_PHY_SHIFT), 1));
    }

    private static List<Row> sidecoreRows()
    {
        return List.of(
            sidecore(SidecoreCounter.DUTY_CYCLES, "three duty cycles", 0, r ->
            {
                r.doWork();
                r.doWork();
                r.doWork();
            }, 3),
            sidecore(SidecoreCounter.BUSY_RATIO_PPM, "a doorbell, then a 200 ms busy cycle in a 2 s window", 0,
                Rig::busyCycle, 100_000),
            sidecore(SidecoreCounter.MAX_CYCLE_TIME_NS, "a doorbell, then a 200 ms busy cycle", 0, Rig::busyCycle,
                200_000_000L),
            sidecore(SidecoreCounter.CYCLE_TIME_THRESHOLD_EXCEEDED, "a 200 ms busy cycle (threshold 1 ms)", 0,
                Rig::busyCycle, 1),
            new Row(SidecoreCounter.PARKS, "the sidecore is idle: five idle strategy rounds", () -> Rig.adaptive(),
                Rig::settleIdle, r -> r.sidecore(0, SidecoreCounter.PARKS), r -> r.idle(5), r -> 5),
            new Row(SidecoreCounter.WAKEUPS, "a trapped access is offered, then the sidecore idles and parks",
                () -> Rig.adaptive(), Rig::settleIdle, r -> r.sidecore(0, SidecoreCounter.WAKEUPS), r ->
                {
                    final TrappedAccess access = r.proxy.offerAccess(
                        r.a.port, TrappedAccess.MMIO_SPACE, false, E1000Registers.STATUS, 4, 0);
                    assertNotNull(access);
                    r.engine.idleStrategy(0).idle(r.doWork());
                    access.end();
                    r.idle(5);
                }, r -> 1),
            sidecore(SidecoreCounter.PORTS_OWNED, "a guest attaches", 0,
                r -> new TestGuest(3).attachToSwitch(r.proxy), 1),
            sidecore(SidecoreCounter.COMMANDS_PROCESSED, "A reads STATUS", 0,
                r -> r.proxy.mmioRead(r.a.port, E1000Registers.STATUS), 1),
            new Row(SidecoreCounter.PROXY_OFFER_FAILURES, "three ports trap at once on a queue of two",
                () -> Rig.smallCommandQueue(), r -> { }, r -> r.sidecore(0, SidecoreCounter.PROXY_OFFER_FAILURES),
                r ->
                {
                    final TrappedAccess first = r.offerStatusRead(r.a);
                    final TrappedAccess second = r.offerStatusRead(r.b);
                    assertNull(r.offerStatusRead(r.c), "the third offer finds the queue full");
                    r.doWork();
                    r.doWork();
                    first.end();
                    second.end();
                }, r -> 1),
            sidecore(SidecoreCounter.TIMERS_EXPIRED, "a frame for B under a 10-unit RDTR, then 20 us pass", 0,
                r ->
                {
                    r.proxy.mmioWrite(r.b.port, E1000Registers.IMS, E1000Registers.ICR_RXT0);
                    r.proxy.mmioWrite(r.b.port, E1000Registers.RDTR, 10);
                }, r ->
                {
                    r.send(r.a, r.b.mac, 60);
                    r.advanceNs(20_000);
                    r.doWork();
                }, 1),
            new Row(SidecoreCounter.ERRORS, "C's backend throws once on a sidecore thread", () -> Rig.dedicated(),
                r -> { }, r -> r.sidecore(0, SidecoreCounter.ERRORS), Rig::awaitBackendError, r -> 1),
            sidecore(SidecoreCounter.BUSY_NS, "a doorbell, then a 200 ms busy cycle", 0, Rig::settle, Rig::busyCycle,
                200_000_000L),
            sidecore(SidecoreCounter.BUSY_CYCLES, "a doorbell, then a 200 ms busy cycle", 0, Rig::settle,
                Rig::busyCycle, 1),
            sidecore(SidecoreCounter.ALLOCATED_BYTES, "the sidecore thread allocates 4 KiB, then a second passes", 0,
                Rig::publishJvmActivity, r ->
                {
                    r.jvm.allocatedBytes += 4096;
                    r.publishJvmActivity();
                }, 4096),
            sidecore(SidecoreCounter.GC_COUNT, "the JVM collects twice, then a second passes", 0,
                Rig::publishJvmActivity, r ->
                {
                    r.jvm.collections += 2;
                    r.publishJvmActivity();
                }, 2),
            sidecore(SidecoreCounter.GC_TIME_MS, "the JVM collects for 7 ms, then a second passes", 0,
                Rig::publishJvmActivity, r ->
                {
                    r.jvm.collectionMs += 7;
                    r.publishJvmActivity();
                }, 7),
            sidecore(SidecoreCounter.CORE_WORK_UNIT_NS, "the core's work unit takes 1 760 ns, not 790, then a " +
                "second passes", 0, r ->
                {
                    r.jvm.workUnitNs = 790;
                    r.publishJvmActivity();
                }, r ->
                {
                    r.jvm.workUnitNs = 1760;
                    r.publishJvmActivity();
                }, 970),
            sidecore(SidecoreCounter.JVM_READINGS, "a second passes", 0, Rig::publishJvmActivity,
                Rig::publishJvmActivity, 1));
    }

    private static List<Row> switchRows()
    {
        return List.of(
            new Row(SidecoreCounter.CROSS_SHARD_FRAMES, "A (sidecore 0) sends to B (sidecore 1)",
                () -> Rig.twoSidecores(), r -> { }, r -> r.sidecore(0, SidecoreCounter.CROSS_SHARD_FRAMES),
                r -> r.send(r.a, r.b.mac, 60), r -> 1),
            new Row(SidecoreCounter.CROSS_SHARD_DRAIN_NS, "A (sidecore 0) broadcasts a frame; on sidecore 1 the " +
                "uplink's host side takes 300 ns of the clock for it", () -> Rig.twoSidecoresWithScriptedUplink(),
                r ->
                {
                    r.script.actAtFrame = 1;
                    r.script.action = () -> r.advanceNs(300);
                }, r -> r.sidecore(1, SidecoreCounter.CROSS_SHARD_DRAIN_NS), r -> r.send(r.a, BROADCAST, 60),
                r -> 300),
            new Row(SidecoreCounter.SWITCH_FLOOD_COPIES, "A broadcasts to B and C", () -> Rig.threePorts(), r -> { },
                r -> r.sidecore(0, SidecoreCounter.SWITCH_FLOOD_COPIES), r -> r.send(r.a, BROADCAST, 60), r -> 1),
            new Row(SidecoreCounter.SWITCH_DROP_NO_DESTINATION, "A's broadcast is in flight to sidecore 1 when B, " +
                "its only port, leaves", () -> Rig.twoSidecores(), r -> { },
                r -> r.sidecore(1, SidecoreCounter.SWITCH_DROP_NO_DESTINATION), r -> r.sendThenRemoveB(BROADCAST),
                r -> 1),
            new Row(SidecoreCounter.SWITCH_DROP_STALE_PORT, "A's frame for B is in flight to sidecore 1 when B " +
                "leaves", () -> Rig.twoSidecores(), r -> { },
                r -> r.sidecore(1, SidecoreCounter.SWITCH_DROP_STALE_PORT),
                r -> r.sendThenRemoveB(r.b.mac), r -> 1),
            new Row(SidecoreCounter.MAC_TABLE_FULL, "A (allowed 100 addresses) sends from 20 source addresses to a " +
                "table of 12 entries, 4 kept for pins", () -> Rig.smallMacTable(), r -> r.allowSources(r.a, 100),
                r -> r.sidecore(0, SidecoreCounter.MAC_TABLE_FULL), r -> r.sendFromSources(20),
                r -> 20 - r.engine.agent(0).l2Switch().macTable().learnedLimit()),
            sidecore(SidecoreCounter.MAC_ENTRIES, "A (allowed 1 address) sends from a new source address", 0,
                r -> r.allowSources(r.a, 1), r -> r.sendFromSources(1), 1),
            port(PortCounter.TX_DROP_SPOOFED, "A sends from B's address", A, r ->
            {
                final byte[] frame = r.a.frameTo(BROADCAST, 60, 1);
                System.arraycopy(r.b.mac, 0, frame, 6, 6);
                r.a.send(frame);
                r.doWork();
            }, 1),
            port(PortCounter.TX_DROP_SOURCE_LIMIT, "A (allowed 1 address) sends from two new addresses", A,
                r -> r.allowSources(r.a, 1), r -> r.sendFromSources(2), 1),
            port(PortCounter.PASSES_BACKED_OFF,
                "A (allowance 1 fault or reset per second) resets twice (each trapped write runs a pass)", A,
                r -> r.proxy.updatePortSettings(r.a.port, r.a.port.settings().withFaultResetRate(1)), r ->
                {
                    r.proxy.mmioWrite(r.a.port, E1000Registers.CTRL, E1000Registers.CTRL_RST);
                    r.proxy.mmioWrite(r.a.port, E1000Registers.CTRL, E1000Registers.CTRL_RST);
                }, 1),
            port(PortCounter.TX_DROP_STORM, "A (storm control 1 frame/s, burst 1) broadcasts twice", A,
                r -> r.proxy.updatePortSettings(r.a.port, r.a.port.settings().withFloodRate(1, 1)), r ->
                {
                    r.send(r.a, BROADCAST, 60);
                    r.send(r.a, BROADCAST, 60);
                }, 1));
    }

    private static List<Row> faultRows()
    {
        return List.of(
            fault(PortFault.TX_RING_OUTSIDE_MEMORY, "A's TDBAL points outside its memory and TDT moves", A, r ->
            {
                r.a.registers.setRelease(E1000Registers.TDBAL, (int)OUTSIDE_RAM_GPA);
                r.ringShared(r.a, E1000Registers.TDT, 1);
            }),
            fault(PortFault.TX_RING_LENGTH_ZERO, "A's TDLEN is 0 and TDT moves", A, r ->
            {
                r.a.registers.setRelease(E1000Registers.TDLEN, 0);
                r.ringShared(r.a, E1000Registers.TDT, 1);
            }),
            fault(PortFault.TX_HEAD_BEYOND_RING, "A's TDH is beyond its ring and TDT moves", A, r ->
            {
                r.a.registers.setRelease(E1000Registers.TDH, 100);
                r.ringShared(r.a, E1000Registers.TDT, 1);
            }),
            fault(PortFault.TX_TAIL_BEYOND_RING, "A's TDT is beyond its ring", A,
                r -> r.ringShared(r.a, E1000Registers.TDT, RING + 1)),
            fault(PortFault.RX_RING_OUTSIDE_MEMORY, "B's RDBAL points outside its memory and a frame arrives", B,
                r ->
                {
                    r.b.registers.setRelease(E1000Registers.RDBAL, (int)OUTSIDE_RAM_GPA);
                    r.send(r.a, r.b.mac, 60);
                }),
            fault(PortFault.RX_RING_LENGTH_ZERO, "B's RDLEN is 0 with RDT set and a frame arrives", B, r ->
            {
                r.b.registers.setRelease(E1000Registers.RDLEN, 0);
                r.send(r.a, r.b.mac, 60);
            }),
            fault(PortFault.RX_HEAD_BEYOND_RING, "B's RDH is beyond its ring and a frame arrives", B, r ->
            {
                r.b.registers.setRelease(E1000Registers.RDH, 100);
                r.send(r.a, r.b.mac, 60);
            }),
            fault(PortFault.RX_TAIL_BEYOND_RING, "B's RDT is beyond its ring and a frame arrives", B, r ->
            {
                r.b.registers.setRelease(E1000Registers.RDT, 200);
                r.send(r.a, r.b.mac, 60);
            }));
    }

    // ------------------------------------------------------------------------------------------------ row helpers

    private static final Function<Rig, TestGuest> A = r -> r.a;
    private static final Function<Rig, TestGuest> B = r -> r.b;

    private static Row port(
        final PortCounter counter,
        final String input,
        final Function<Rig, TestGuest> owner,
        final Consumer<Rig> provoke,
        final long expectedDelta)
    {
        return port(counter, input, owner, r -> { }, provoke, expectedDelta);
    }

    private static Row port(
        final PortCounter counter,
        final String input,
        final Function<Rig, TestGuest> owner,
        final Consumer<Rig> prepare,
        final Consumer<Rig> provoke,
        final long expectedDelta)
    {
        return new Row(counter, input, () -> Rig.standard(), prepare,
            r -> owner.apply(r).port.counters().get(counter), provoke, r -> expectedDelta);
    }

    private static Row sidecore(
        final SidecoreCounter counter,
        final String input,
        final int index,
        final Consumer<Rig> provoke,
        final long expectedDelta)
    {
        return sidecore(counter, input, index, r -> { }, provoke, expectedDelta);
    }

    private static Row sidecore(
        final SidecoreCounter counter,
        final String input,
        final int index,
        final Consumer<Rig> prepare,
        final Consumer<Rig> provoke,
        final long expectedDelta)
    {
        return new Row(counter, input, () -> Rig.standard(), prepare, r -> r.sidecore(index, counter), provoke,
            r -> expectedDelta);
    }

    /**
     * A fault row: the port's fault record names the fault (the reading is its count while it does, 0 otherwise).
     */
    private static Row fault(
        final PortFault fault, final String input, final Function<Rig, TestGuest> owner, final Consumer<Rig> provoke)
    {
        return new Row(fault, input, () -> Rig.standard(), r -> { }, r -> r.faultCount(owner.apply(r), fault),
            provoke, r -> 1);
    }

    private static long legacy(final int lengthBytes, final int command)
    {
        return Descriptors.legacyTxHigh(lengthBytes, command, 0, 0, 0, 0);
    }

    // ------------------------------------------------------------------------------------------------ rig

    /**
     * An engine in invoker mode with a manual clock and guests A and B on the switch, TX and RX set up (unless a
     * variant says otherwise); C, when present, is a third port.
     */
    private static final class Rig implements AutoCloseable
    {
        private final CachedNanoClock clock;
        final ScriptedJvmActivity jvm = new ScriptedJvmActivity();
        final SidecoreEngine engine;
        final EngineProxy proxy;
        final TestGuest a;
        final TestGuest b;
        TestGuest c;
        TapDevice tapPeer;
        ScriptedBackend script;
        long crossShardBefore;

        private Rig(final int sidecores, final UnaryOperator<EngineContext> customize, final boolean csbOnB)
        {
            clock = new CachedNanoClock();
            final EngineContext ctx = customize.apply(TestContexts.invoker(clock, sidecores).jvmActivity(jvm));
            engine = new SidecoreEngine(ctx);
            if (ThreadingMode.DEDICATED == ctx.threadingMode())
            {
                engine.start();
            }
            proxy = engine.proxy();
            a = guest(new TestGuest(1), null);
            b = guest(new TestGuest(2, csbOnB), null);
        }

        static Rig standard()
        {
            return new Rig(1, UnaryOperator.identity(), false);
        }

        static Rig withCsb()
        {
            return new Rig(1, UnaryOperator.identity(), true);
        }

        static Rig twoSidecores()
        {
            return new Rig(2, ctx -> ctx.crossShardRingLengthBytes(1 << 16), false);
        }

        static Rig twoSidecoresWithScriptedUplink()
        {
            final Rig rig = twoSidecores();
            rig.script = new ScriptedBackend();
            rig.proxy.addUplinkPort(new PortConfig(3, "uplink", TestGuest.macOf(3), false,
                PortRegionDescriptor.DEFAULT_SHARED_PAGES), 1, counters -> rig.script);
            return rig;
        }

        static Rig threePorts()
        {
            final Rig rig = standard();
            rig.c = rig.guest(new TestGuest(3), null);
            return rig;
        }

        static Rig adaptive()
        {
            return new Rig(1, ctx -> ctx.idleStrategy(SidecoreIdleStrategy.ADAPTIVE).idleSpins(0).idleYields(0),
                false);
        }

        static Rig smallCommandQueue()
        {
            final Rig rig = new Rig(1, ctx -> ctx.commandQueueCapacity(2).commandDrainLimit(1), false);
            rig.c = rig.guest(new TestGuest(3), null);
            return rig;
        }

        static Rig smallMacTable()
        {
            final Rig rig = new Rig(1, ctx -> ctx.macTableCapacity(16).macAgingSweepLimit(16).maxSwitchPorts(4), false);
            assertEquals(12, rig.engine.agent(0).l2Switch().macTable().maxEntries());
            assertEquals(8, rig.engine.agent(0).l2Switch().macTable().learnedLimit());
            return rig;
        }

        static Rig withTap()
        {
            final Rig rig = standard();
            final int[] pair = Fds.socketPair(LibC.SOCK_SEQPACKET | LibC.SOCK_NONBLOCK);
            final TestGuest guest = new TestGuest(3);
            guest.attachWith(rig.proxy, counters -> new TapBackend(
                TapDevice.adopt(pair[0], "walk", TapOpener.TAP_FLAGS), counters, TapBackend.DEFAULT_MAX_RX_FRAME_BYTES,
                TapOpener.WANTED_OFFLOADS));
            guest.setUpTx(RING);
            guest.setUpRx(RING);
            rig.c = guest;
            rig.tapPeer = TapDevice.adopt(pair[1], "walk-peer", TapOpener.TAP_FLAGS);
            return rig;
        }

        static Rig withDetachedTap()
        {
            final Rig rig = standard();
            // A descriptor of the TUN/TAP clone device that no interface is attached to: the tun driver fails every
            // read with EBADFD, as it does for a queue someone detached.
            final int fd = Fds.open(TapDevice.CLONE_DEVICE, LibC.O_RDWR | LibC.O_NONBLOCK | LibC.O_CLOEXEC);
            final TestGuest guest = new TestGuest(3);
            guest.attachWith(rig.proxy, counters -> new TapBackend(
                TapDevice.adopt(fd, "walk-detached", TapOpener.TAP_FLAGS), counters,
                TapBackend.DEFAULT_MAX_RX_FRAME_BYTES, 0));
            guest.setUpTx(RING);
            guest.setUpRx(RING);
            rig.c = guest;
            return rig;
        }

        static Rig withScriptedBackend()
        {
            return withScriptedBackend(UnaryOperator.identity());
        }

        static Rig withScriptedBackend(final UnaryOperator<EngineContext> context)
        {
            final Rig rig = new Rig(1, context, false);
            rig.script = new ScriptedBackend();
            rig.c = rig.guest(new TestGuest(3), rig.script);
            return rig;
        }

        static Rig dedicated()
        {
            return new Rig(1, ctx -> ctx.threadingMode(ThreadingMode.DEDICATED)
                .nanoClock(SystemNanoClock.INSTANCE)
                .errorHandler(throwable -> { }), false);
        }

        private TestGuest guest(final TestGuest guest, final PortBackend backend)
        {
            if (null == backend)
            {
                guest.attachToSwitch(proxy);
            }
            else
            {
                guest.attach(proxy, backend);
            }
            guest.setUpTx(RING);
            guest.setUpRx(RING);
            return guest;
        }

        int doWork()
        {
            return engine.doWork();
        }

        void advanceNs(final long ns)
        {
            clock.update(clock.nanoTime() + ns);
        }

        long sidecore(final int index, final SidecoreCounter counter)
        {
            return engine.agent(index).counters().get(counter).get();
        }

        long faultCount(final TestGuest guest, final PortFault fault)
        {
            final PortFaultDescriptor.Reading reading = PortFaultDescriptor.read(
                engine.context().portFaultTable().section(), guest.port.faultPublisher().recordIndex(), 1);
            return fault == reading.fault() ? reading.faultCount() : 0;
        }

        void send(final TestGuest from, final byte[] destination, final int lengthBytes)
        {
            assertEquals(1, from.send(from.frameTo(destination, lengthBytes, 1)));
            doWork();
        }

        void ringShared(final TestGuest guest, final int doorbell, final int value)
        {
            guest.registers.setRelease(doorbell, value);
            doWork();
        }

        void putTxWithoutRing(final TestGuest guest, final long low, final long high)
        {
            Descriptors.put(guest.ramBuffer, (int)(TestGuest.TX_RING_GPA - TestGuest.RAM_GPA) +
                guest.txTail * E1000TxDescriptor.LENGTH, low, high);
            guest.txTail = (guest.txTail + 1) % guest.txCount;
        }

        void putTx(final TestGuest guest, final long low, final long high)
        {
            putTxWithoutRing(guest, low, high);
            guest.ringTx();
            doWork();
        }

        /**
         * A TCP/IPv4 packet of 300 payload bytes sent with a TSO context (MSS 100): the switch takes no offload,
         * so the device cuts three segments.
         */
        void sendTso()
        {
            final int payload = 300;
            final int header = 54;
            final byte[] frame = a.frameTo(b.mac, header + payload, 1);
            frame[12] = 0x08;
            frame[13] = 0x00;
            frame[14] = 0x45;
            frame[22] = 64;
            frame[23] = 6;
            frame[46] = 0x50;
            frame[47] = 0x10;
            final long bufferGpa = TestGuest.TX_BUFFERS_GPA + (long)a.txTail * TestGuest.BUFFER_BYTES;
            a.ramBuffer.putBytes((int)(bufferGpa - TestGuest.RAM_GPA), frame);
            putTxWithoutRing(a, Descriptors.contextTxLow(14, 24, 33, 34, 50, 0), Descriptors.contextTxHigh(payload,
                E1000TxDescriptor.TUCMD_TSE | E1000TxDescriptor.TUCMD_IP | E1000TxDescriptor.TUCMD_TCP, header, 100));
            putTx(a, TestGuest.TX_BUFFERS_GPA, Descriptors.dataTxHigh(header + payload, E1000TxDescriptor.CMD_TSE |
                E1000TxDescriptor.CMD_EOP | E1000TxDescriptor.CMD_RS,
                E1000TxDescriptor.POPTS_IXSM | E1000TxDescriptor.POPTS_TXSM, 0));
        }

        void registerCsb()
        {
            b.registerCsb(TestGuest.RAM_GPA + 0x3F_F000L, CsbDescriptor.MAGIC, CsbDescriptor.CSB_VERSION);
            doWork();
            assertTrue(b.port.isCsbActive());
        }

        /**
         * Microwire WRITE (start bit 1, opcode 01, address 0) clocked into EECD bit by bit (SDM 5.x, 13.4.3).
         */
        void microwireWrite()
        {
            final int request = E1000Registers.EECD_REQ;
            proxy.mmioWrite(a.port, E1000Registers.EECD, request);
            proxy.mmioWrite(a.port, E1000Registers.EECD, request | E1000Registers.EECD_CS);
            // start bit, opcode 01, address 0, then 16 data bits; the part programs (or refuses) when CS falls
            final int[] bits = new int[3 + E1000Registers.EEPROM_ADDRESS_BITS + 16];
            bits[0] = 1;
            bits[2] = 1;
            for (final int bit : bits)
            {
                final int pins = request | E1000Registers.EECD_CS | (0 != bit ? E1000Registers.EECD_DI : 0);
                proxy.mmioWrite(a.port, E1000Registers.EECD, pins);
                proxy.mmioWrite(a.port, E1000Registers.EECD, pins | E1000Registers.EECD_SK);
            }
            proxy.mmioWrite(a.port, E1000Registers.EECD, request);
        }

        /**
         * Duty cycles until one finds no work, so the next busy cycle is the only one a row counts.
         */
        void settle()
        {
            int cycles = 0;
            while (doWork() > 0)
            {
                assertTrue(++cycles < 100, "the rig does not settle");
            }
        }

        /**
         * A second passes and a duty cycle publishes the JVM readings.
         */
        void publishJvmActivity()
        {
            advanceNs(SidecoreAgent.HEARTBEAT_INTERVAL_NS);
            doWork();
        }

        void busyCycle()
        {
            TestContexts.busyCycleOf200Ms(clock, engine.agent(0), a);
        }

        /**
         * Idle long enough that a kick left from setting the rig up is consumed and the strategy parks on every round.
         */
        void settleIdle()
        {
            doWork();
            idle(20);
        }

        void idle(final int rounds)
        {
            for (int i = 0; i < rounds; i++)
            {
                engine.idleStrategy(0).idle(0);
            }
        }

        TrappedAccess offerStatusRead(final TestGuest guest)
        {
            return proxy.offerAccess(guest.port, TrappedAccess.MMIO_SPACE, false, E1000Registers.STATUS, 4, 0);
        }

        void sendThenRemoveB(final byte[] destination)
        {
            a.send(a.frameTo(destination, 60, 1));
            engine.agent(0).doWork();
            // B's sidecore lets B go while A's frame is still in its inbound ring. Not through the proxy: it tells
            // the other sidecores first and B's own last, and in invoker mode the passes it runs meanwhile would
            // drain the ring (delivering the frame) before B leaves.
            assertTrue(engine.agent(1).offer(new Commands.RemovePort(b.port)), "queued");
            engine.agent(1).doWork();
        }

        void allowSources(final TestGuest guest, final int count)
        {
            proxy.updatePortSettings(guest.port, guest.port.settings().withMaxLearnedMacs(count));
        }

        void sendFromSources(final int sources)
        {
            for (int i = 0; i < sources; i++)
            {
                final byte[] frame = a.frameTo(b.mac, 60, i);
                frame[10] = 0x10;
                frame[11] = (byte)i;
                a.queue(frame);
            }
            a.ringTx();
            doWork();
        }

        void awaitBackendError()
        {
            final ThrowingBackend backend = new ThrowingBackend();
            c = new TestGuest(3);
            c.attach(proxy, backend);
            final long deadlineNs = System.nanoTime() + 10_000_000_000L;
            while (0 == sidecore(0, SidecoreCounter.ERRORS))
            {
                assertTrue(System.nanoTime() - deadlineNs < 0, "no engine error counted within 10 s");
                Thread.onSpinWait();
            }
            final long pollsAfterError = backend.polls;
            while (backend.polls < pollsAfterError + 10)
            {
                assertTrue(System.nanoTime() - deadlineNs < 0, "the sidecore stopped polling after the error");
                Thread.onSpinWait();
            }
        }

        public void close()
        {
            engine.close();
            if (null != tapPeer)
            {
                tapPeer.close();
            }
        }
    }

    /**
     * A backend that hands the device whatever frames the test puts in its script.
     */
    private static final class ScriptedBackend implements PortBackend
    {
        final List<byte[]> frames = new ArrayList<>();
        final FrameMetadata metadata = new FrameMetadata();
        // Run when the port's guest has transmitted this many frames into the backend (another thread's action
        // arriving while the sidecore is busy with the port).
        int transmittedFrames;
        int actAtFrame = Integer.MAX_VALUE;
        Runnable action = () -> { };
        private CachedNanoClock clock;
        private long costNs;

        /**
         * Make every poll that hands a frame take {@code costNs} of the clock.
         */
        void costNs(final CachedNanoClock clock, final long costNs)
        {
            this.clock = clock;
            this.costNs = costNs;
        }

        public int onFrame(
            final DirectBuffer frame, final int offset, final int lengthBytes, final FrameMetadata metadata,
            final long nowNs)
        {
            if (++transmittedFrames == actAtFrame)
            {
                action.run();
            }
            return FrameSink.DELIVERED;
        }

        public int poll(final long nowNs, final FrameSink toGuest, final int frameBudget, final long byteBudget)
        {
            int work = 0;
            while (!frames.isEmpty() && work < frameBudget)
            {
                final byte[] frame = frames.remove(0);
                toGuest.onFrame(new UnsafeBuffer(frame), 0, frame.length, metadata, nowNs);
                work++;
            }
            if (work > 0 && null != clock)
            {
                clock.advance(costNs);
            }
            return work;
        }

        public void close()
        {
        }

        public String typeName()
        {
            return "scripted";
        }
    }

    /**
     * A backend whose first poll fails unexpectedly.
     */
    private static final class ThrowingBackend implements PortBackend
    {
        volatile long polls;

        public int onFrame(
            final DirectBuffer frame, final int offset, final int lengthBytes, final FrameMetadata metadata,
            final long nowNs)
        {
            return FrameSink.DELIVERED;
        }

        public int poll(final long nowNs, final FrameSink toGuest, final int frameBudget, final long byteBudget)
        {
            polls++;
            if (1 == polls)
            {
                throw new IllegalStateException("backend failed");
            }
            return 0;
        }

        public void close()
        {
        }

        public String typeName()
        {
            return "throwing";
        }
    }

    /**
     * JVM readings the rows set: what the sidecore publishes once a second.
     */
    private static final class ScriptedJvmActivity implements JvmActivity
    {
        long allocatedBytes;
        long collections;
        long collectionMs;
        long workUnitNs;

        public long currentThreadAllocatedBytes()
        {
            return allocatedBytes;
        }

        public long gcCount()
        {
            return collections;
        }

        public long gcTimeMs()
        {
            return collectionMs;
        }

        public long coreWorkUnitNs()
        {
            return workUnitNs;
        }
    }
}
