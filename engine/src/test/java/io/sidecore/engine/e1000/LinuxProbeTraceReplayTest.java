package io.sidecore.engine.e1000;

import io.sidecore.shm.E1000Registers;
import io.sidecore.shm.PortCounter;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Replays the BAR0/BAR1 accesses of a real Linux 6.12 e1000 probe (recorded against QEMU's model, copied from
 * {@code reference/traces/linux-e1000-probe-to-first-tx.trace}) in their original order. Writes are applied; reads
 * are performed and their results are this model's, not the recorded QEMU values. The MAC in the trace is QEMU's
 * default 52:54:00:12:34:56, so the port uses it too.
 */
class LinuxProbeTraceReplayTest
{
    private static final String TRACE = "linux-e1000-probe-to-first-tx.trace";
    private static final byte[] TRACE_MAC = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};

    private record Access(boolean io, boolean write, int offset, int value)
    {
    }

    private static List<Access> accesses;

    @BeforeAll
    static void loadTrace() throws IOException
    {
        accesses = new ArrayList<>();
        try (InputStream in = LinuxProbeTraceReplayTest.class.getResourceAsStream(TRACE))
        {
            assertNotNull(in, TRACE);
            final BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII));
            String line;
            while (null != (line = reader.readLine()))
            {
                final String[] fields = line.trim().split("\\s+");
                if (fields.length == 5 && ("mmio".equals(fields[0]) || "io".equals(fields[0])))
                {
                    assertEquals("4", fields[4], line);
                    accesses.add(new Access(
                        "io".equals(fields[0]),
                        "W".equals(fields[1]),
                        Integer.parseUnsignedInt(fields[2].substring(2), 16),
                        (int)Long.parseLong(fields[3].substring(2), 16)));
                }
            }
        }
        assertTrue(accesses.size() > 10_000, "trace too short: " + accesses.size());
    }

    /**
     * Replays the trace and, from the driver's point of view, decodes the EEPROM words it clocks out of EECD:
     * after a CS rising edge, 9 command bits are shifted in on SK rising edges, then every EECD read taken while
     * SK is high samples one data bit, MSB first.
     */
    private static Map<Integer, Integer> replay(final DeviceHarness harness)
    {
        final Map<Integer, Integer> eepromWords = new TreeMap<>();
        int lastEecd = 0;
        int commandBits = 0;
        int command = 0;
        int dataBits = 0;
        int data = 0;
        for (int i = 0; i < accesses.size(); i++)
        {
            final Access access = accesses.get(i);
            harness.nowNs += 1_000;
            if (access.io())
            {
                if (access.write())
                {
                    harness.device.ioWrite(access.offset(), access.value(), harness.nowNs);
                }
                else
                {
                    harness.device.ioRead(access.offset(), harness.nowNs);
                }
                continue;
            }
            if (!access.write())
            {
                final int value = harness.read(access.offset());
                if (E1000Registers.EECD == access.offset() && 9 == commandBits && dataBits < 16 &&
                    0 != (lastEecd & E1000Registers.EECD_SK) && 0 != (lastEecd & E1000Registers.EECD_CS))
                {
                    data = (data << 1) | ((value & E1000Registers.EECD_DO) >>> 3);
                    if (16 == ++dataBits)
                    {
                        eepromWords.put(command & 0x3F, data);
                    }
                }
                continue;
            }
            harness.write(access.offset(), access.value());
            if (E1000Registers.EECD == access.offset())
            {
                final int eecd = access.value();
                if (0 == (lastEecd & E1000Registers.EECD_CS) && 0 != (eecd & E1000Registers.EECD_CS))
                {
                    commandBits = 0;
                    command = 0;
                    dataBits = 0;
                    data = 0;
                }
                else if (0 != (eecd & E1000Registers.EECD_CS) && commandBits < 9 &&
                    0 == (lastEecd & E1000Registers.EECD_SK) && 0 != (eecd & E1000Registers.EECD_SK))
                {
                    command = (command << 1) | ((eecd & E1000Registers.EECD_DI) >>> 2);
                    commandBits++;
                }
                lastEecd = eecd;
            }
        }
        return eepromWords;
    }

    @Test
    void shouldReplayLinuxProbeWithLinkUpAndMacInRal0()
    {
        final DeviceHarness harness = new DeviceHarness(false, TRACE_MAC);

        replay(harness);
        // The probe restarted autonegotiation (PHY reset with AN_ENABLE); Linux's watchdog sees the link after it.
        harness.nowNs += Phy.AUTONEGOTIATION_NS;
        harness.device.onTimers(harness.nowNs);

        assertTrue(harness.device.isLinkUp());
        assertEquals(0x12005452, harness.read(E1000Registers.ral(0)));
        assertEquals(0x80005634, harness.read(E1000Registers.rah(0)));
        assertEquals(0, harness.counter(PortCounter.BAD_REGISTER_ACCESSES));
        assertEquals(0, harness.counter(PortCounter.UNKNOWN_REGISTER_ACCESSES));
        assertEquals(0, harness.counter(PortCounter.EEPROM_COMMAND_ERRORS));
    }

    @Test
    void shouldReproduceMacAndChecksumFromEepromWordsClockedOutThroughEecd()
    {
        final DeviceHarness harness = new DeviceHarness(false, TRACE_MAC);

        final Map<Integer, Integer> words = replay(harness);

        assertEquals(E1000Registers.EEPROM_WORD_COUNT, words.size());
        assertEquals(0x5452, words.get(0));
        assertEquals(0x1200, words.get(1));
        assertEquals(0x5634, words.get(2));
        int sum = 0;
        for (final int word : words.values())
        {
            sum += word;
        }
        assertEquals(E1000Registers.EEPROM_CHECKSUM_SUM, sum & 0xFFFF);
    }

    @Test
    void shouldResetMacEachTimeLinuxWritesCtrlRstThroughIoBar()
    {
        final DeviceHarness harness = new DeviceHarness(false, TRACE_MAC);

        replay(harness);

        assertEquals(2, harness.counter(PortCounter.DEVICE_RESETS));
        assertEquals(1, harness.counter(PortCounter.DOORBELLS_TRAPPED));
        assertEquals(0, harness.read(E1000Registers.CTRL) & E1000Registers.CTRL_RST);
    }

    @Test
    void shouldAnswerEveryPhyAccessOfTheProbe()
    {
        final DeviceHarness harness = new DeviceHarness(false, TRACE_MAC);

        replay(harness);

        assertEquals(0, harness.counter(PortCounter.PHY_ACCESS_ERRORS));
        assertEquals(E1000Registers.MDIC_READY, harness.read(E1000Registers.MDIC) & E1000Registers.MDIC_READY);
    }
}
