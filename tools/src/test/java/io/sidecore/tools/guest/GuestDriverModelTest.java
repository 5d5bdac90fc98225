package io.sidecore.tools.guest;

import io.sidecore.shm.E1000Registers;
import io.sidecore.shm.E1000RxDescriptor;
import io.sidecore.shm.E1000TxDescriptor;
import io.sidecore.shm.PciConfig;
import io.sidecore.shm.PortRegionDescriptor;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GuestDriverModelTest
{
    private static final long RAM_GPA = 0x10_0000L;

    private final FakeE1000 device = new FakeE1000();
    private final GuestRam ram = GuestRam.allocate(RAM_GPA, 2 * 1024 * 1024);
    private final AtomicBuffer memory = ram.buffer();
    private final List<byte[]> received = new ArrayList<>();
    private final GuestFrameHandler capture = (buffer, offset, lengthBytes, status, special) ->
    {
        final byte[] copy = new byte[lengthBytes];
        buffer.getBytes(offset, copy);
        received.add(copy);
    };

    private GuestDriverModel model(final GuestDriverConfig config)
    {
        return new GuestDriverModel(device, ram, config, capture);
    }

    private GuestDriverModel openModel(final GuestDriverConfig config)
    {
        final GuestDriverModel model = model(config);
        model.probe();
        model.open();
        return model;
    }

    private static byte[] frame(final int lengthBytes, final int seed)
    {
        final byte[] frame = new byte[lengthBytes];
        for (int i = 0; i < 6; i++)
        {
            frame[i] = (byte)0xFF;
        }
        frame[6] = 0x02;
        frame[12] = (byte)0x88;
        frame[13] = (byte)0xB5;
        for (int i = 14; i < lengthBytes; i++)
        {
            frame[i] = (byte)(seed * 31 + i);
        }
        return frame;
    }

    private int txDescriptorOffset(final GuestDriverModel model, final int index)
    {
        return ram.offset(model.txRingGpa(), 16) + index * 16;
    }

    private int rxDescriptorOffset(final GuestDriverModel model, final int index)
    {
        return ram.offset(model.rxRingGpa(), 16) + index * 16;
    }

    /** Play the device: write a frame into RX descriptor {@code index} the way the 82540 does (DD last). */
    private void deviceReceives(
        final GuestDriverModel model, final int index, final byte[] bytes, final int status, final int errors)
    {
        final int descriptor = rxDescriptorOffset(model, index);
        final long bufferGpa = memory.getLong(descriptor, ByteOrder.LITTLE_ENDIAN);
        memory.putBytes(ram.offset(bufferGpa, bytes.length), bytes);
        memory.putShort(descriptor + E1000RxDescriptor.LENGTH_OFFSET, (short)(bytes.length + 4),
            ByteOrder.LITTLE_ENDIAN);
        memory.putByte(descriptor + E1000RxDescriptor.ERRORS_OFFSET, (byte)errors);
        memory.putByteVolatile(descriptor + E1000RxDescriptor.STATUS_OFFSET, (byte)status);
    }

    private static List<String> traceResource(final String name) throws IOException
    {
        final List<String> lines = new ArrayList<>();
        try (InputStream in = GuestDriverModelTest.class.getResourceAsStream(name);
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII)))
        {
            String line;
            while (null != (line = reader.readLine()))
            {
                if (!line.startsWith("#") && !line.isBlank())
                {
                    lines.add(line);
                }
            }
        }
        return lines;
    }

    // ---- probe ----

    @Test
    void shouldReproduceLinuxAccessOrderFromFirstRegisterThroughEepromWordZero() throws IOException
    {
        final List<String> expected = traceResource("linux-probe-through-eeprom-word0.trace");
        final GuestDriverModel model = model(new GuestDriverConfig());

        model.probe();

        assertEquals(expected, device.trace.subList(0, expected.size()));
    }

    @Test
    void shouldTakeMacFromEepromWordsZeroToTwoAndKeepTheImage()
    {
        final byte[] mac = {0x02, 0x11, 0x22, 0x33, 0x44, 0x55};
        device.setMac(mac);
        final GuestDriverModel model = model(new GuestDriverConfig());

        model.probe();

        assertArrayEquals(mac, model.macAddress());
        assertEquals("02:11:22:33:44:55", model.macString());
        for (int word = 0; word < 64; word++)
        {
            assertEquals(device.eeprom[word], model.eepromWord(word));
        }
        assertEquals(0x33221102, device.reg(E1000Registers.ral(0)));
        assertEquals(0x5544 | E1000Registers.RAH_AV, device.reg(E1000Registers.rah(0)));
    }

    @Test
    void shouldReadTheEepromThroughEerdWithTwoAccessesAWordWhenConfigured()
    {
        final byte[] mac = {0x02, 0x11, 0x22, 0x33, 0x44, 0x66};
        device.setMac(mac);
        final GuestDriverModel model = model(new GuestDriverConfig().eepromThroughEerd(true));

        model.probe();

        assertArrayEquals(mac, model.macAddress());
        for (int word = 0; word < 64; word++)
        {
            assertEquals(device.eeprom[word], model.eepromWord(word));
        }
        final String eecdWrite = String.format("mmio W 0x%05x ", E1000Registers.EECD);
        final String eerdWrite = String.format("mmio W 0x%05x ", E1000Registers.EERD);
        assertEquals(0, device.trace.stream().filter(line -> line.startsWith(eecdWrite)).count());
        // the 64 words of the checksum, MAC words 0-2, and words 0x24, 0x04 and 0x0F of the hardware set-up
        assertEquals(70, device.trace.stream().filter(line -> line.startsWith(eerdWrite)).count());
    }

    @Test
    void shouldFailProbeWithTheSumWhenEepromChecksumInvalid()
    {
        device.eeprom[5] ^= 1;
        final GuestDriverModel model = model(new GuestDriverConfig());

        final GuestDriverException ex = assertThrows(GuestDriverException.class, model::probe);

        assertEquals("EEPROM checksum is not valid: sum of words 0x00-0x3f=0xbabb expected=0xbaba", ex.getMessage());
        assertFalse(model.isProbed());
    }

    @Test
    void shouldFailProbeWhenDeviceIsNotAn82540em()
    {
        device.putConfig(PciConfig.DEVICE_ID_OFFSET, 2, 0x10D3);

        final GuestDriverException ex = assertThrows(GuestDriverException.class, model(new GuestDriverConfig())::probe);

        assertEquals("not an 82540EM: vendor=0x8086 device=0x10d3 expected=0x8086:0x100e", ex.getMessage());
    }

    @Test
    void shouldFailProbeWhenBar1IsNotAnIoBar()
    {
        device.putConfig(PciConfig.BAR1_OFFSET, 4, 0xFEB0_0000);

        final GuestDriverException ex = assertThrows(GuestDriverException.class, model(new GuestDriverConfig())::probe);

        assertTrue(ex.getMessage().startsWith("BAR1 is not an I/O BAR"), ex.getMessage());
    }

    @Test
    void shouldFailProbeWhenPhyIsNotM88e1011()
    {
        device.phy[3] = 0x0C50;

        final GuestDriverException ex = assertThrows(GuestDriverException.class, model(new GuestDriverConfig())::probe);

        assertEquals("invalid PHY ID: id=0x1410c50 expected=0x1410c20 (M88E1011)", ex.getMessage());
    }

    @Test
    void shouldFailProbeWhenMacInEepromIsMulticast()
    {
        device.setMac(new byte[]{0x03, 0, 0, 0, 0, 1});

        final GuestDriverException ex = assertThrows(GuestDriverException.class, model(new GuestDriverConfig())::probe);

        assertEquals("invalid MAC address in EEPROM words 0-2: 03:00:00:00:00:01", ex.getMessage());
    }

    @Test
    void shouldEnableDecodingAndBusMasterAndResetThroughIoBarTwiceWhenProbing()
    {
        final GuestDriverModel model = model(new GuestDriverConfig());

        model.probe();

        assertEquals(PciConfig.COMMAND_IO_SPACE | PciConfig.COMMAND_MEMORY_SPACE | PciConfig.COMMAND_BUS_MASTER,
            device.configRead(PciConfig.COMMAND_OFFSET, 2));
        // e1000_probe resets before the EEPROM read, e1000_reset resets again.
        assertEquals(2, device.resets);
        assertEquals(4, device.trace.stream().filter(line -> line.startsWith("io W")).count());
    }

    @Test
    void shouldProgramPhyFlowControlAndVlanModeLikeLinuxWhenProbing()
    {
        final GuestDriverModel model = model(new GuestDriverConfig());

        model.probe();

        assertEquals(Phy.M88E1011_I_PHY_ID, model.phyId());
        assertEquals(0x0B60, device.phy[Phy.M88_PHY_SPEC_CTRL], "CRS on TX, auto MDI-X");
        assertEquals(0x0170, device.phy[Phy.M88_EXT_PHY_SPEC_CTRL], "TX_CLK 25 MHz, downshift 1x");
        assertEquals(0x0DE1, device.phy[Phy.PHY_AUTONEG_ADV]);
        assertEquals(0x1140, device.phy[Phy.PHY_CTRL], "autoneg enabled, restart self-cleared");
        // EEPROM word 0x0F asks for full pause, the partner advertises none: Linux settles on RX pause, so it
        // never sends XON/XOFF and leaves the RX thresholds at 0.
        assertEquals(GuestDriverModel.FC_RX_PAUSE, model.flowControl());
        assertEquals(0, device.reg(E1000Registers.FCRTL));
        assertEquals(0, device.reg(E1000Registers.FCRTH));
        assertEquals(0x01010000, device.reg(E1000Registers.TXDCTL));
        assertEquals(0x8100, device.reg(E1000Registers.VET));
        final int ctrl = device.reg(E1000Registers.CTRL);
        assertEquals(E1000Registers.CTRL_VME | E1000Registers.CTRL_SLU | E1000Registers.CTRL_RFCE,
            ctrl & (E1000Registers.CTRL_VME | E1000Registers.CTRL_SLU | E1000Registers.CTRL_RFCE |
            E1000Registers.CTRL_TFCE));
        assertEquals(0, device.reg(E1000Registers.MANC) & GuestDriverModel.MANC_ARP_EN);
    }

    @Test
    void shouldProgramPauseThresholdsFromPbaWhenLinkNotYetUpAtInit()
    {
        device.linkUp = false;
        final GuestDriverModel model = model(new GuestDriverConfig());

        model.probe();

        assertEquals(GuestDriverModel.FC_FULL, model.flowControl());
        assertEquals(0x8000ACC0, device.reg(E1000Registers.FCRTL), "XONE | low water");
        assertEquals(0x0000ACC8, device.reg(E1000Registers.FCRTH), "90% of 48 KiB, 8-byte aligned");
        assertEquals(0, device.reg(E1000Registers.CTRL) & (E1000Registers.CTRL_RFCE | E1000Registers.CTRL_TFCE));
    }

    // ---- open, link, interrupts ----

    @Test
    void shouldProgramRingsAndUnmaskLinuxCausesWhenOpening()
    {
        final GuestDriverModel model = openModel(new GuestDriverConfig());

        assertEquals((int)model.txRingGpa(), device.reg(E1000Registers.TDBAL));
        assertEquals(0, device.reg(E1000Registers.TDBAH));
        assertEquals(256 * 16, device.reg(E1000Registers.TDLEN));
        assertEquals((int)model.rxRingGpa(), device.reg(E1000Registers.RDBAL));
        assertEquals(256 * 16, device.reg(E1000Registers.RDLEN));
        assertEquals(0, model.txRingGpa() & 0xFFF);
        assertEquals(E1000Registers.RCTL_EN | E1000Registers.RCTL_BAM, device.reg(E1000Registers.RCTL));
        assertEquals(254, device.reg(E1000Registers.RDT), "Linux fills 255 buffers and writes RDT = 254");
        assertEquals(GuestDriverModel.DEFAULT_TIPG, device.reg(E1000Registers.TIPG));
        assertEquals(8, device.reg(E1000Registers.TIDV));
        assertEquals(32, device.reg(E1000Registers.TADV));
        assertEquals(0, device.reg(E1000Registers.RDTR));
        assertEquals(8, device.reg(E1000Registers.RADV));
        assertEquals(195, device.reg(E1000Registers.ITR));
        assertEquals(E1000Registers.RXCSUM_TUOFL, device.reg(E1000Registers.RXCSUM));
        assertEquals(E1000Registers.IMS_LINUX_ENABLE_MASK, device.reg(E1000Registers.IMS));
        assertEquals(E1000Registers.ICR_LSC, device.reg(E1000Registers.ICR), "ICS = LSC kicks the watchdog");
        final int tctl = device.reg(E1000Registers.TCTL);
        assertEquals(0, tctl & E1000Registers.TCTL_EN, "transmitter waits for link");
        assertEquals(0x0103F0F8, tctl, "PSP | RTLC | CT 15 | COLD 63");
    }

    @Test
    void shouldBringCarrierUpAndEnableTransmitterWhenLscInterruptArrives()
    {
        final GuestDriverModel model = openModel(new GuestDriverConfig());

        assertTrue(model.onInterrupt());

        assertTrue(model.isLinkUp());
        assertEquals(1000, model.linkSpeedMbps());
        assertTrue(model.isFullDuplex());
        assertEquals(E1000Registers.ICR_LSC, model.lastIcr());
        assertEquals(0, device.reg(E1000Registers.ICR), "ICR read clears");
        assertTrue(0 != (device.reg(E1000Registers.TCTL) & E1000Registers.TCTL_EN));
        assertEquals(E1000Registers.IMS_LINUX_ENABLE_MASK, device.reg(E1000Registers.IMS), "IMS re-enabled");
        assertFalse(model.isNapiScheduled());
    }

    @Test
    void shouldMaskWithImcThenReenableWithImsInLinuxOrderWhenInterrupted()
    {
        final GuestDriverModel model = openModel(new GuestDriverConfig().interruptThrottleRate(0));
        device.trace.clear();

        model.onInterrupt();

        final int icr = device.trace.indexOf("mmio R 0x000c0 0x00000004 4");
        final int imc = device.trace.indexOf("mmio W 0x000d8 0xffffffff 4");
        final int ims = device.trace.lastIndexOf("mmio W 0x000d0 0x0000009d 4");
        assertEquals(0, icr);
        assertEquals(1, imc);
        assertEquals("mmio R 0x00008 0x80080783 4", device.trace.get(2), "flush after IMC");
        assertTrue(ims > imc);
        assertEquals("mmio R 0x00008 0x80080783 4", device.trace.get(ims + 1), "flush after IMS");
    }

    @Test
    void shouldReportNotOursWhenIcrIsZero()
    {
        final GuestDriverModel model = openModel(new GuestDriverConfig());
        model.onInterrupt();

        assertFalse(model.onInterrupt());

        assertEquals(2, model.interrupts());
        assertEquals(1, model.spuriousInterrupts());
    }

    @Test
    void shouldKeepCarrierDownWhenPhyReportsNoLink()
    {
        device.linkUp = false;
        final GuestDriverModel model = openModel(new GuestDriverConfig());

        assertFalse(model.waitForLink(1_000_000L, 100_000L));
        assertFalse(model.isLinkUp());
        assertEquals(0, device.reg(E1000Registers.TCTL) & E1000Registers.TCTL_EN);

        device.linkUp = true;
        assertTrue(model.waitForLink(1_000_000L, 100_000L));
    }

    @Test
    void shouldRejectOpenBeforeProbeAndTransmitBeforeOpen()
    {
        final GuestDriverModel model = model(new GuestDriverConfig());
        final UnsafeBuffer bytes = new UnsafeBuffer(frame(64, 1));

        assertThrows(IllegalStateException.class, model::open);
        assertThrows(IllegalStateException.class, () -> model.send(bytes, 0, 64));
    }

    // ---- transmit ----

    @Test
    void shouldWriteLegacyDescriptorWithEopIfcsRsIdeAndBumpTdtWhenSending()
    {
        final GuestDriverModel model = openModel(new GuestDriverConfig());
        final byte[] bytes = frame(100, 7);

        assertTrue(model.send(new UnsafeBuffer(bytes), 0, bytes.length));

        final int descriptor = txDescriptorOffset(model, 0);
        final long bufferGpa = memory.getLong(descriptor, ByteOrder.LITTLE_ENDIAN);
        assertEquals(100, memory.getShort(descriptor + 8, ByteOrder.LITTLE_ENDIAN));
        assertEquals(E1000TxDescriptor.CMD_EOP | E1000TxDescriptor.CMD_IFCS | E1000TxDescriptor.CMD_RS |
            E1000TxDescriptor.CMD_IDE, memory.getByte(descriptor + E1000TxDescriptor.CMD_OFFSET) & 0xFF);
        final byte[] inRam = new byte[100];
        memory.getBytes(ram.offset(bufferGpa, 100), inRam);
        assertArrayEquals(bytes, inRam);
        assertEquals(1, device.reg(E1000Registers.TDT));
        assertEquals(1, model.txFrames());
        assertEquals(1, model.txDoorbells());
    }

    @Test
    void shouldPadShortFrameWithZerosTo60BytesLikeLinux()
    {
        final GuestDriverModel model = openModel(new GuestDriverConfig());
        final int descriptor = txDescriptorOffset(model, 0);
        final byte[] bytes = frame(42, 3);

        model.send(new UnsafeBuffer(bytes), 0, bytes.length);

        assertEquals(60, memory.getShort(descriptor + 8, ByteOrder.LITTLE_ENDIAN));
        final long bufferGpa = memory.getLong(descriptor, ByteOrder.LITTLE_ENDIAN);
        final byte[] inRam = new byte[60];
        memory.getBytes(ram.offset(bufferGpa, 60), inRam);
        final byte[] expected = new byte[60];
        System.arraycopy(bytes, 0, expected, 0, 42);
        assertArrayEquals(expected, inRam);
        assertEquals(60, model.txBytes());
    }

    @Test
    void shouldSpreadFrameOverDescriptorsWithEopOnlyOnLastWhenLargerThanTxBuffer()
    {
        final GuestDriverModel model = openModel(new GuestDriverConfig().txBufferBytes(1024));
        final byte[] bytes = frame(3000, 9);

        model.send(new UnsafeBuffer(bytes), 0, bytes.length);

        final int[] lengths = {1024, 1024, 952};
        final byte[] reassembled = new byte[3000];
        int position = 0;
        for (int i = 0; i < 3; i++)
        {
            final int descriptor = txDescriptorOffset(model, i);
            assertEquals(lengths[i], memory.getShort(descriptor + 8, ByteOrder.LITTLE_ENDIAN));
            final int cmd = memory.getByte(descriptor + E1000TxDescriptor.CMD_OFFSET) & 0xFF;
            assertEquals(i < 2 ? E1000TxDescriptor.CMD_IFCS : 0x8B, cmd, "descriptor " + i);
            memory.getBytes(ram.offset(memory.getLong(descriptor, ByteOrder.LITTLE_ENDIAN), lengths[i]),
                reassembled, position, lengths[i]);
            position += lengths[i];
        }
        assertArrayEquals(bytes, reassembled);
        assertEquals(3, device.reg(E1000Registers.TDT));
    }

    @Test
    void shouldWriteContextThenDataDescriptorsWithTseAndChecksumOptionsWhenQueueingTso()
    {
        final GuestDriverModel model = openModel(new GuestDriverConfig().txBufferBytes(4096));
        final byte[] bytes = frame(10_054, 5);
        final TxOffload tso = TxOffload.tso(14, 20, 54, 1448);

        assertTrue(model.queue(new UnsafeBuffer(bytes), 0, bytes.length, tso));
        model.flushTx();

        final int context = txDescriptorOffset(model, 0);
        assertEquals(14, memory.getByte(context) & 0xFF, "IPCSS");
        assertEquals(24, memory.getByte(context + 1) & 0xFF, "IPCSO");
        assertEquals(33, memory.getShort(context + 2, ByteOrder.LITTLE_ENDIAN), "IPCSE");
        assertEquals(34, memory.getByte(context + 4) & 0xFF, "TUCSS");
        assertEquals(50, memory.getByte(context + 5) & 0xFF, "TUCSO");
        final int contextDword2 = memory.getInt(context + 8, ByteOrder.LITTLE_ENDIAN);
        assertEquals(10_000, contextDword2 & E1000TxDescriptor.EXT_LENGTH_MASK, "PAYLEN: frame minus headers");
        assertEquals(E1000TxDescriptor.DTYP_CONTEXT << E1000TxDescriptor.DTYP_SHIFT,
            contextDword2 & E1000TxDescriptor.DTYP_MASK);
        assertEquals(E1000TxDescriptor.TUCMD_IP | E1000TxDescriptor.TUCMD_TCP | E1000TxDescriptor.TUCMD_TSE |
            E1000TxDescriptor.TUCMD_DEXT, contextDword2 >>> 24);
        assertEquals(54, memory.getByte(context + 13) & 0xFF, "HDRLEN");
        assertEquals(1448, memory.getShort(context + 14, ByteOrder.LITTLE_ENDIAN) & 0xFFFF, "MSS");
        final int[] lengths = {4096, 4096, 1862};
        for (int i = 0; i < 3; i++)
        {
            final int data = txDescriptorOffset(model, 1 + i);
            final int dword2 = memory.getInt(data + 8, ByteOrder.LITTLE_ENDIAN);
            assertEquals(lengths[i], dword2 & E1000TxDescriptor.EXT_LENGTH_MASK, "descriptor " + (1 + i));
            final int dcmd = dword2 >>> 24;
            final int always = E1000TxDescriptor.CMD_DEXT | E1000TxDescriptor.CMD_TSE | E1000TxDescriptor.CMD_IFCS;
            assertEquals(i < 2 ? always : always | E1000TxDescriptor.CMD_EOP | E1000TxDescriptor.CMD_RS |
                E1000TxDescriptor.CMD_IDE, dcmd, "descriptor " + (1 + i));
            assertEquals(E1000TxDescriptor.POPTS_IXSM | E1000TxDescriptor.POPTS_TXSM,
                memory.getByte(data + E1000TxDescriptor.POPTS_OFFSET) & 0xFF);
        }
        assertEquals(4, device.reg(E1000Registers.TDT));
    }

    @Test
    void shouldAskForTcpOrUdpChecksumOnlyWhenQueueingChecksumOffload()
    {
        final GuestDriverModel model = openModel(new GuestDriverConfig());
        final byte[] bytes = frame(64, 2);

        assertTrue(model.queue(new UnsafeBuffer(bytes), 0, bytes.length, TxOffload.checksum(14, 20, false)));

        final int context = txDescriptorOffset(model, 0);
        assertEquals(0, memory.getInt(context, ByteOrder.LITTLE_ENDIAN), "no IP checksum offload");
        assertEquals(34, memory.getByte(context + 4) & 0xFF, "TUCSS");
        assertEquals(40, memory.getByte(context + 5) & 0xFF, "TUCSO: the UDP checksum");
        assertEquals(E1000TxDescriptor.TUCMD_DEXT, memory.getInt(context + 8, ByteOrder.LITTLE_ENDIAN) >>> 24,
            "TUCMD.TCP clear: UDP");
        final int data = txDescriptorOffset(model, 1);
        assertEquals(64, memory.getInt(data + 8, ByteOrder.LITTLE_ENDIAN) & E1000TxDescriptor.EXT_LENGTH_MASK,
            "DTALEN");
        assertEquals(E1000TxDescriptor.POPTS_TXSM, memory.getByte(data + E1000TxDescriptor.POPTS_OFFSET) & 0xFF);
    }

    @Test
    void shouldUseExtendedDataDescriptorsWhenConfigured()
    {
        final GuestDriverModel model = openModel(new GuestDriverConfig().txDescriptorFormat(TxDescriptorFormat.DATA));
        final byte[] bytes = frame(200, 1);

        model.send(new UnsafeBuffer(bytes), 0, bytes.length);

        final int dword2 = memory.getInt(txDescriptorOffset(model, 0) + 8, ByteOrder.LITTLE_ENDIAN);
        assertEquals(200, dword2 & E1000TxDescriptor.EXT_LENGTH_MASK);
        assertEquals(E1000TxDescriptor.DTYP_DATA << E1000TxDescriptor.DTYP_SHIFT, dword2 & E1000TxDescriptor.DTYP_MASK);
        assertEquals(0xAB, dword2 >>> 24, "EOP|IFCS|RS|DEXT|IDE");
    }

    @Test
    void shouldWriteTdtOncePerBatchWhenSendingBatch()
    {
        final GuestDriverModel model = openModel(new GuestDriverConfig());
        final UnsafeBuffer[] frames = new UnsafeBuffer[8];
        final int[] offsets = new int[8];
        final int[] lengths = new int[8];
        for (int i = 0; i < 8; i++)
        {
            frames[i] = new UnsafeBuffer(frame(64 + i, i));
            lengths[i] = 64 + i;
        }
        final int trappedBefore = device.trappedDoorbells;

        assertEquals(8, model.sendBatch(frames, offsets, lengths, 8));

        assertEquals(1, device.trappedDoorbells - trappedBefore);
        assertEquals(8, device.reg(E1000Registers.TDT));
        assertEquals(1, model.txDoorbells());
        assertEquals(8, model.txFrames());
    }

    @Test
    void shouldCountRingFullWhenNoDescriptorIsFreeAndNothingCompleted()
    {
        final GuestDriverModel model = openModel(new GuestDriverConfig().txDescriptors(8));
        final UnsafeBuffer bytes = new UnsafeBuffer(frame(64, 1));
        int sent = 0;
        while (model.send(bytes, 0, 64))
        {
            sent++;
        }

        // 8 descriptors, one always unused, two kept spare: five single-descriptor frames fit.
        assertEquals(5, sent);
        assertEquals(1, model.txRingFullEvents());
        assertEquals(5, device.reg(E1000Registers.TDT));
    }

    @Test
    void shouldReclaimOnlyFramesWhoseLastDescriptorHasDd()
    {
        final GuestDriverModel model = openModel(new GuestDriverConfig().txBufferBytes(1024));
        model.send(new UnsafeBuffer(frame(1500, 1)), 0, 1500);
        model.send(new UnsafeBuffer(frame(100, 2)), 0, 100);
        final int freeBefore = model.txFreeDescriptors();
        // The device completes the first frame only (DD on its EOP descriptor, index 1).
        memory.putIntVolatile(txDescriptorOffset(model, 1) + 12, E1000TxDescriptor.STA_DD);

        assertTrue(model.reclaimTx());

        assertEquals(freeBefore + 2, model.txFreeDescriptors());
        assertEquals(1, model.txCompletedFrames());
        assertTrue(model.hasTxPending());
        memory.putIntVolatile(txDescriptorOffset(model, 2) + 12, E1000TxDescriptor.STA_DD);
        model.reclaimTx();
        assertFalse(model.hasTxPending());
        assertEquals(0, memory.getInt(txDescriptorOffset(model, 2) + 12), "status cleared after reclaim");
    }

    @Test
    void shouldReclaimCompletedDescriptorsBeforeDeclaringRingFull()
    {
        final GuestDriverModel model = openModel(new GuestDriverConfig().txDescriptors(8));
        final UnsafeBuffer bytes = new UnsafeBuffer(frame(64, 1));
        for (int i = 0; i < 5; i++)
        {
            model.send(bytes, 0, 64);
        }
        memory.putIntVolatile(txDescriptorOffset(model, 0) + 12, E1000TxDescriptor.STA_DD);

        assertTrue(model.send(bytes, 0, 64));

        assertEquals(0, model.txRingFullEvents());
        assertEquals(6, device.reg(E1000Registers.TDT));
    }

    @Test
    void shouldWriteDoorbellsAndRingRegistersIntoSharedPagesWithoutTrapping()
    {
        device.sharedPages = PortRegionDescriptor.DEFAULT_SHARED_PAGES;
        final GuestDriverModel model = openModel(new GuestDriverConfig());
        final int trappedBefore = device.trappedDoorbells;

        model.send(new UnsafeBuffer(frame(64, 1)), 0, 64);

        assertEquals(trappedBefore, device.trappedDoorbells);
        assertEquals(0, device.trappedDoorbells);
        assertEquals(1, device.reg(E1000Registers.TDT));
        assertEquals(254, device.reg(E1000Registers.RDT));
        assertEquals((int)model.txRingGpa(), device.reg(E1000Registers.TDBAL));
        assertTrue(device.trace.stream().noneMatch(line -> line.contains(" 0x038") || line.contains(" 0x028")),
            "no trapped access to the ring pages");
        assertTrue(model.registers().sharedWrites() > 0);
    }

    // ---- receive ----

    @Test
    void shouldHarvestFramesInRingOrderWithFcsStrippedAndReturnBuffers()
    {
        final GuestDriverModel model = openModel(new GuestDriverConfig());
        final byte[] first = frame(60, 1);
        final byte[] second = frame(1514, 2);
        deviceReceives(model, 0, first, E1000RxDescriptor.STA_DD | E1000RxDescriptor.STA_EOP, 0);
        deviceReceives(model, 1, second, E1000RxDescriptor.STA_DD | E1000RxDescriptor.STA_EOP, 0);

        assertEquals(2, model.poll(64));

        assertEquals(2, received.size());
        assertArrayEquals(first, received.get(0));
        assertArrayEquals(second, received.get(1));
        assertEquals(2, model.rxFrames());
        assertEquals(60 + 1514, model.rxBytes());
        assertEquals(0, memory.getByte(rxDescriptorOffset(model, 0) + E1000RxDescriptor.STATUS_OFFSET));
        assertEquals(0, device.reg(E1000Registers.RDT), "two more buffers: next_to_use 1, RDT = 0");
    }

    @Test
    void shouldDropWholeFrameWhenItSpansDescriptors()
    {
        final GuestDriverModel model = openModel(new GuestDriverConfig());
        deviceReceives(model, 0, frame(2048, 1), E1000RxDescriptor.STA_DD, 0);
        deviceReceives(model, 1, frame(100, 1), E1000RxDescriptor.STA_DD | E1000RxDescriptor.STA_EOP, 0);
        final byte[] good = frame(80, 3);
        deviceReceives(model, 2, good, E1000RxDescriptor.STA_DD | E1000RxDescriptor.STA_EOP, 0);

        assertEquals(3, model.poll(64));

        assertEquals(1, received.size());
        assertArrayEquals(good, received.get(0));
        assertEquals(1, model.rxMultiDescriptorDrops());
    }

    @Test
    void shouldDropFrameWithFrameErrorBitsButKeepChecksumErrors()
    {
        final GuestDriverModel model = openModel(new GuestDriverConfig());
        final int done = E1000RxDescriptor.STA_DD | E1000RxDescriptor.STA_EOP;
        deviceReceives(model, 0, frame(64, 1), done, E1000RxDescriptor.ERR_CE);
        deviceReceives(model, 1, frame(64, 2), done, E1000RxDescriptor.ERR_RXE);
        deviceReceives(model, 2, frame(64, 3), done, E1000RxDescriptor.ERR_TCPE);

        assertEquals(3, model.poll(64));

        assertEquals(2, model.rxErrors());
        assertEquals(1, received.size(), "a TCP checksum error is the stack's business, not a frame error");
    }

    @Test
    void shouldReturnBuffersEverySixteenDescriptorsWhileHarvesting()
    {
        final GuestDriverModel model = openModel(new GuestDriverConfig().rxDescriptors(64));
        final long doorbellsBefore = model.rxDoorbells();
        for (int i = 0; i < 40; i++)
        {
            deviceReceives(model, i, frame(64, i), E1000RxDescriptor.STA_DD | E1000RxDescriptor.STA_EOP, 0);
        }

        assertEquals(40, model.poll(64));

        assertEquals(3, model.rxDoorbells() - doorbellsBefore, "after 16, after 32, then the remaining 8");
        assertEquals(38, device.reg(E1000Registers.RDT), "next_to_use 39, RDT = 38");
        assertEquals(40, received.size());
    }

    @Test
    void shouldStayInPollingModeWithInterruptsMaskedWhenBudgetExhausted()
    {
        final GuestDriverModel model = openModel(new GuestDriverConfig().napiBudget(4));
        model.onInterrupt();
        for (int i = 0; i < 10; i++)
        {
            deviceReceives(model, i, frame(64, i), E1000RxDescriptor.STA_DD | E1000RxDescriptor.STA_EOP, 0);
        }
        device.bar0Write(E1000Registers.ICS, E1000Registers.ICR_RXT0);

        assertTrue(model.onInterrupt());

        assertTrue(model.isNapiScheduled());
        assertEquals(0, device.reg(E1000Registers.IMS), "still masked");
        assertEquals(4, received.size());
        assertEquals(4, model.napiPoll());
        assertTrue(model.isNapiScheduled());
        assertEquals(2, model.napiPoll());
        assertFalse(model.isNapiScheduled());
        assertEquals(E1000Registers.IMS_LINUX_ENABLE_MASK, device.reg(E1000Registers.IMS));
        assertEquals(10, received.size());
    }

    @Test
    void shouldRewriteItrInQuarterStepsWhenDynamicModerationSeesLightTraffic()
    {
        final GuestDriverModel model = openModel(new GuestDriverConfig().interruptThrottleRate(1));
        assertEquals(195, device.reg(E1000Registers.ITR));
        assertEquals(1, model.itrWrites());

        // No traffic yet: both directions stay lowest latency (70000/s), reached from 20000 a quarter at a time.
        model.onInterrupt();
        assertEquals(DynamicItr.itrRegister(37_500), device.reg(E1000Registers.ITR));

        device.bar0Write(E1000Registers.ICS, E1000Registers.ICR_RXT0);
        deviceReceives(model, 0, frame(64, 1), E1000RxDescriptor.STA_DD | E1000RxDescriptor.STA_EOP, 0);
        model.onInterrupt();

        assertEquals(DynamicItr.itrRegister(55_000), device.reg(E1000Registers.ITR));
        assertEquals(3, model.itrWrites());
    }

    @Test
    void shouldNotWriteItrAfterOpenWhenThrottleRateFixed()
    {
        final GuestDriverModel model = openModel(new GuestDriverConfig().interruptThrottleRate(8000));
        model.onInterrupt();
        device.bar0Write(E1000Registers.ICS, E1000Registers.ICR_RXT0);
        model.onInterrupt();

        assertEquals(DynamicItr.itrRegister(8000), device.reg(E1000Registers.ITR));
        assertEquals(1, model.itrWrites());
    }
}
