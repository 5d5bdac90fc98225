package io.sidecore.tools.guest;

import io.sidecore.shm.E1000Registers;
import io.sidecore.shm.E1000RxDescriptor;
import io.sidecore.shm.E1000TxDescriptor;
import org.agrona.concurrent.AtomicBuffer;

import java.nio.ByteOrder;

/**
 * {@code ethtool -t IFACE offline} on the guest driver model: the Linux e1000 driver's offline self-test
 * ({@code e1000_diag_test} in e1000_ethtool.c, 82540 paths), in its order:
 * <ol>
 *   <li><b>link</b> ({@code e1000_link_test}, run first so a reset does not disturb it): check for link, wait 4 s when
 *   autonegotiating, then STATUS.LU; 1 when down;</li>
 *   <li>the interface is closed ({@code dev_close}) or, when it was down, reset;</li>
 *   <li><b>register</b> ({@link RegisterSelfTest}): the offset of the first register that failed, 1 for STATUS;</li>
 *   <li>reset, <b>EEPROM</b> ({@code e1000_eeprom_test}): words 0x00-0x3F must sum to 0xBABA; 2 when not;</li>
 *   <li>reset, <b>interrupt</b> ({@code e1000_intr_test}, the unshared-line variant): for each cause bit 0-9, masked
 *   (IMC) and set (ICS): no interrupt may show it (3); enabled (IMS) and set: an interrupt must show it (4); the
 *   other low causes (0x7FFF) masked and set: no interrupt at all (5); each step waits 10 ms, the test's handler
 *   reading ICR;</li>
 *   <li>reset, PHY powered up, <b>loopback</b> ({@code e1000_loopback_test}): rings of 256 descriptors, PHY loopback
 *   as {@code e1000_integrated_phy_loopback} sets it up (PSCR 0x0808, BMCR 0x9140, 0x8140, 0x4140, CTRL forced to
 *   1000 Mb/s full duplex), then ten rounds of 64 broadcast frames of 1024 bytes (0xFF, then 0xAA with 0xBE and 0xAF
 *   marks), each round checking that 64 buffers of the receive ring, scanned in order, hold a marked frame; 13 when
 *   not; then loopback off and a PHY reset;</li>
 *   <li>reset, and the interface opened again when it was up.</li>
 * </ol>
 * Where the model differs from the driver: the driver writes the test frame into the first 64 transmit buffers only,
 * whatever descriptor carries them (its later rounds pass on frames left in the receive buffers by the first); the
 * model writes it into the buffer of each descriptor sent, so every looped frame is a test frame. The receive check
 * bounds its scan by buffers (twice the ring) instead of the driver's 20 ms.
 */
public final class GuestSelfTest
{
    /** {@code E1000_DEFAULT_TXD}/{@code E1000_DEFAULT_RXD}: the test rings' size. */
    public static final int TEST_RING_DESCRIPTORS = 256;
    /** Frames sent per loopback round. */
    public static final int FRAMES_PER_ROUND = 64;
    /** Bytes of a loopback test frame. */
    public static final int TEST_FRAME_BYTES = 1024;
    /** Bytes of a test transmit buffer (the driver's skb). */
    public static final int TX_BUFFER_BYTES = 1024;
    /** Bytes of a test receive buffer ({@code E1000_RXBUFFER_2048}). */
    public static final int RX_BUFFER_BYTES = 2048;
    /** The link test waits this long when autonegotiating ({@code msleep(4000)}). */
    public static final long LINK_TEST_WAIT_NS = 4_000_000_000L;
    /** The interrupt test waits this long after each step ({@code msleep(10)}). */
    public static final long INTERRUPT_WAIT_NS = 10_000_000L;
    /** The loopback test waits this long after each round's doorbell ({@code msleep(200)}). */
    public static final long LOOPBACK_WAIT_NS = 200_000_000L;
    /** Result of a passed test. */
    public static final long PASSED = 0;
    /** EEPROM test: the checksum is wrong. */
    public static final long EEPROM_CHECKSUM_BAD = 2;
    /** Interrupt test: a masked cause posted an interrupt. */
    public static final long INTERRUPT_MASKED_POSTED = 3;
    /** Interrupt test: an enabled cause posted none. */
    public static final long INTERRUPT_ENABLED_NOT_POSTED = 4;
    /** Interrupt test: other masked causes posted an interrupt. */
    public static final long INTERRUPT_OTHERS_POSTED = 5;
    /** Loopback test: fewer than 64 good frames came back. */
    public static final long LOOPBACK_MISCOMPARE = 13;
    /** Link test: no link. */
    public static final long LINK_DOWN = 1;

    private static final long SLEEP_STEP_NS = 1_000_000L;
    private static final int INTERRUPT_CAUSES_TESTED = 10;
    private static final int OTHER_CAUSES = 0x7FFF;
    private static final int PSCR_MDI_MDIX_OFF = 0x0808;
    private static final int BMCR_RESET_AUTONEG_1000_FULL = 0x9140;
    private static final int BMCR_RESET_1000_FULL = 0x8140;
    private static final int BMCR_LOOPBACK_1000_FULL = 0x4140;
    private static final int PHY_DEBUG_ADDRESS = 29;
    private static final int PHY_DEBUG_DATA = 30;
    private static final int CTRL_SPEED_1000 = 2 << E1000Registers.CTRL_SPEED_SHIFT;

    /** What tells the self-test's interrupt handler that the NIC's line rose. */
    @FunctionalInterface
    public interface InterruptSource
    {
        /**
         * @return true once for every interrupt delivered since the last call.
         */
        boolean takeInterrupt();
    }

    /**
     * The five results, in {@code ethtool -t}'s order; 0 is a pass.
     *
     * @param register  register test: 0, 1 (STATUS) or the failing register's offset.
     * @param eeprom    EEPROM test.
     * @param interrupt interrupt test.
     * @param loopback  loopback test.
     * @param link      link test.
     */
    public record Result(long register, long eeprom, long interrupt, long loopback, long link)
    {
        /**
         * @return true when every part passed.
         */
        public boolean passed()
        {
            return PASSED == register && PASSED == eeprom && PASSED == interrupt && PASSED == loopback &&
                PASSED == link;
        }

        /**
         * @return what {@code ethtool -t} prints for these results.
         */
        public String ethtoolOutput()
        {
            return "The test result is " + (passed() ? "PASS" : "FAIL") + "\n" +
                "The test extra info:\n" +
                "Register test  (offline)\t " + register + "\n" +
                "Eeprom test    (offline)\t " + eeprom + "\n" +
                "Interrupt test (offline)\t " + interrupt + "\n" +
                "Loopback test  (offline)\t " + loopback + "\n" +
                "Link test   (on/offline)\t " + link + "\n";
        }
    }

    private final GuestDriverModel model;
    private final DeviceRegisters registers;
    private final InterruptSource interrupts;
    private long txRingGpa;
    private long txBuffersGpa;
    private long rxRingGpa;
    private long rxBuffersGpa;
    private int testIcr;

    /**
     * @param model      a probed model.
     * @param interrupts the model's interrupt line.
     */
    public GuestSelfTest(final GuestDriverModel model, final InterruptSource interrupts)
    {
        this.model = model;
        this.registers = model.registers();
        this.interrupts = interrupts;
    }

    /**
     * Run the offline self-test.
     *
     * @return the five results.
     * @throws IllegalStateException when the model is not probed.
     */
    public Result runOffline()
    {
        if (!model.isProbed())
        {
            throw new IllegalStateException("self-test before probe");
        }
        final boolean wasOpen = model.isOpen();
        final long link = linkTest();
        if (wasOpen)
        {
            model.close();
        }
        else
        {
            model.reset();
        }
        final long register = RegisterSelfTest.run(registers);
        model.reset();
        final long eeprom = eepromTest();
        model.reset();
        final long interrupt = interruptTest();
        model.reset();
        final int bmcr = model.phy().read(Phy.PHY_CTRL);
        model.phy().write(Phy.PHY_CTRL, bmcr & ~Phy.MII_CR_POWER_DOWN);
        final long loopback = loopbackTest();
        model.reset();
        if (wasOpen)
        {
            model.open();
        }
        return new Result(register, eeprom, interrupt, loopback, link);
    }

    private long linkTest()
    {
        model.checkLink();
        if (model.isAutonegotiating())
        {
            sleep(LINK_TEST_WAIT_NS);
        }
        return 0 == (registers.read(E1000Registers.STATUS) & E1000Registers.STATUS_LU) ? LINK_DOWN : PASSED;
    }

    private long eepromTest()
    {
        int sum = 0;
        for (int word = 0; word <= GuestDriverModel.EEPROM_CHECKSUM_WORD; word++)
        {
            sum += model.eeprom().readWord(word);
        }
        return GuestDriverModel.EEPROM_SUM == (sum & 0xFFFF) ? PASSED : EEPROM_CHECKSUM_BAD;
    }

    private long interruptTest()
    {
        long result = PASSED;
        registers.write(E1000Registers.IMC, 0xFFFFFFFF);
        registers.flush();
        sleep(INTERRUPT_WAIT_NS);
        for (int bit = 0; bit < INTERRUPT_CAUSES_TESTED && PASSED == result; bit++)
        {
            final int mask = 1 << bit;
            if (0 != (causeAfter(E1000Registers.IMC, mask, mask) & mask))
            {
                result = INTERRUPT_MASKED_POSTED;
            }
            else if (0 == (causeAfter(E1000Registers.IMS, mask, mask) & mask))
            {
                result = INTERRUPT_ENABLED_NOT_POSTED;
            }
            else if (0 != causeAfter(E1000Registers.IMC, ~mask & OTHER_CAUSES, ~mask & OTHER_CAUSES))
            {
                result = INTERRUPT_OTHERS_POSTED;
            }
        }
        registers.write(E1000Registers.IMC, 0xFFFFFFFF);
        registers.flush();
        sleep(INTERRUPT_WAIT_NS);
        return result;
    }

    /**
     * Write the mask register, then ICS, wait, and return what the test's interrupt handler read from ICR.
     */
    private int causeAfter(final int maskRegister, final int maskBits, final int causes)
    {
        testIcr = 0;
        registers.write(maskRegister, maskBits);
        registers.write(E1000Registers.ICS, causes);
        registers.flush();
        sleep(INTERRUPT_WAIT_NS);
        return testIcr;
    }

    /**
     * Wait, the way the driver sleeps: the device runs meanwhile and the test's interrupt handler
     * ({@code e1000_test_intr}: ICR read, ORed into the test's ICR) takes each interrupt.
     */
    private void sleep(final long durationNs)
    {
        for (long slept = 0; slept < durationNs; slept += SLEEP_STEP_NS)
        {
            registers.delay(SLEEP_STEP_NS);
            while (interrupts.takeInterrupt())
            {
                testIcr |= registers.read(E1000Registers.ICR);
            }
        }
    }

    private long loopbackTest()
    {
        setUpRings();
        setPhyLoopback();
        final long result = runLoopback();
        final int rctl = registers.read(E1000Registers.RCTL);
        registers.write(E1000Registers.RCTL, rctl & ~E1000Registers.RCTL_LBM_MASK);
        final int bmcr = model.phy().read(Phy.PHY_CTRL);
        if (0 != (bmcr & Phy.MII_CR_LOOPBACK))
        {
            model.phy().write(Phy.PHY_CTRL, bmcr & ~Phy.MII_CR_LOOPBACK);
            final int reset = model.phy().read(Phy.PHY_CTRL);
            model.phy().write(Phy.PHY_CTRL, reset | Phy.MII_CR_RESET);
            registers.delay(1_000L);
        }
        return result;
    }

    /**
     * {@code e1000_setup_desc_rings}: a transmit ring whose descriptors each carry one 1024-byte buffer with EOP,
     * IFCS and RPS, and a receive ring of 2048-byte buffers, receiver enabled for broadcasts.
     */
    private void setUpRings()
    {
        final GuestRam ram = model.ram();
        if (0 == txRingGpa)
        {
            txRingGpa = ram.allocate(TEST_RING_DESCRIPTORS * E1000TxDescriptor.LENGTH, 4096);
            txBuffersGpa = ram.allocate(TEST_RING_DESCRIPTORS * TX_BUFFER_BYTES, 64);
            rxRingGpa = ram.allocate(TEST_RING_DESCRIPTORS * E1000RxDescriptor.LENGTH, 4096);
            rxBuffersGpa = ram.allocate(TEST_RING_DESCRIPTORS * RX_BUFFER_BYTES, 64);
        }
        final AtomicBuffer memory = ram.buffer();
        final int txRing = ram.offset(txRingGpa, TEST_RING_DESCRIPTORS * E1000TxDescriptor.LENGTH);
        for (int i = 0; i < TEST_RING_DESCRIPTORS; i++)
        {
            final int descriptor = txRing + i * E1000TxDescriptor.LENGTH;
            memory.putLong(descriptor, txBuffersGpa + (long)i * TX_BUFFER_BYTES, ByteOrder.LITTLE_ENDIAN);
            memory.putInt(descriptor + 8, TEST_FRAME_BYTES | (E1000TxDescriptor.CMD_EOP |
                E1000TxDescriptor.CMD_IFCS | E1000TxDescriptor.CMD_RPS) << 24, ByteOrder.LITTLE_ENDIAN);
            memory.putInt(descriptor + 12, 0, ByteOrder.LITTLE_ENDIAN);
        }
        registers.write(E1000Registers.TDBAL, (int)txRingGpa);
        registers.write(E1000Registers.TDBAH, (int)(txRingGpa >>> 32));
        registers.write(E1000Registers.TDLEN, TEST_RING_DESCRIPTORS * E1000TxDescriptor.LENGTH);
        registers.write(E1000Registers.TDH, 0);
        registers.write(E1000Registers.TDT, 0);
        registers.write(E1000Registers.TCTL, E1000Registers.TCTL_PSP | E1000Registers.TCTL_EN |
            GuestDriverModel.COLLISION_THRESHOLD << E1000Registers.TCTL_CT_SHIFT |
            GuestDriverModel.COLLISION_DISTANCE << E1000Registers.TCTL_COLD_SHIFT);

        final int rxRing = ram.offset(rxRingGpa, TEST_RING_DESCRIPTORS * E1000RxDescriptor.LENGTH);
        memory.setMemory(rxRing, TEST_RING_DESCRIPTORS * E1000RxDescriptor.LENGTH, (byte)0);
        memory.setMemory(ram.offset(rxBuffersGpa, TEST_RING_DESCRIPTORS * RX_BUFFER_BYTES),
            TEST_RING_DESCRIPTORS * RX_BUFFER_BYTES, (byte)0);
        for (int i = 0; i < TEST_RING_DESCRIPTORS; i++)
        {
            memory.putLong(rxRing + i * E1000RxDescriptor.LENGTH, rxBuffersGpa + (long)i * RX_BUFFER_BYTES,
                ByteOrder.LITTLE_ENDIAN);
        }
        final int rctl = registers.read(E1000Registers.RCTL);
        registers.write(E1000Registers.RCTL, rctl & ~E1000Registers.RCTL_EN);
        registers.write(E1000Registers.RDBAL, (int)rxRingGpa);
        registers.write(E1000Registers.RDBAH, (int)(rxRingGpa >>> 32));
        registers.write(E1000Registers.RDLEN, TEST_RING_DESCRIPTORS * E1000RxDescriptor.LENGTH);
        registers.write(E1000Registers.RDH, 0);
        registers.write(E1000Registers.RDT, 0);
        registers.write(E1000Registers.RCTL, E1000Registers.RCTL_EN | E1000Registers.RCTL_BAM);
    }

    /**
     * {@code e1000_integrated_phy_loopback} for the M88 PHY: MDI/MDI-X off, reset, autonegotiation off, loopback at
     * 1000 Mb/s full duplex, the MAC forced to the same (with ILOS), the PHY's receiver disabled (debug registers
     * 29/30, which the model's PHY does not implement: MDIC reports ERROR, which a write ignores, as on QEMU).
     */
    private void setPhyLoopback()
    {
        final Phy phy = model.phy();
        phy.write(Phy.M88_PHY_SPEC_CTRL, PSCR_MDI_MDIX_OFF);
        phy.write(Phy.PHY_CTRL, BMCR_RESET_AUTONEG_1000_FULL);
        phy.write(Phy.PHY_CTRL, BMCR_RESET_1000_FULL);
        phy.write(Phy.PHY_CTRL, BMCR_LOOPBACK_1000_FULL);
        int ctrl = registers.read(E1000Registers.CTRL);
        ctrl &= ~E1000Registers.CTRL_SPEED_MASK;
        ctrl |= E1000Registers.CTRL_FRCSPD | E1000Registers.CTRL_FRCDPX | CTRL_SPEED_1000 | E1000Registers.CTRL_FD |
            E1000Registers.CTRL_ILOS;
        registers.write(E1000Registers.CTRL, ctrl);
        phy.write(PHY_DEBUG_ADDRESS, 0x001F);
        phy.write(PHY_DEBUG_DATA, 0x8FFC);
        phy.write(PHY_DEBUG_ADDRESS, 0x001A);
        phy.write(PHY_DEBUG_DATA, 0x8FF0);
        registers.delay(500_000L);
    }

    /**
     * {@code e1000_run_loopback_test}: every receive descriptor but one handed to the device once; rounds of 64
     * frames, one doorbell each, 200 ms, then 64 good frames must be found scanning the receive buffers in order.
     */
    private long runLoopback()
    {
        final GuestRam ram = model.ram();
        final AtomicBuffer memory = ram.buffer();
        registers.write(E1000Registers.RDT, TEST_RING_DESCRIPTORS - 1);
        final int rounds = TEST_RING_DESCRIPTORS / FRAMES_PER_ROUND * 2 + 1;
        int next = 0;
        int scan = 0;
        for (int round = 0; round <= rounds; round++)
        {
            for (int i = 0; i < FRAMES_PER_ROUND; i++)
            {
                writeTestFrame(memory, ram.offset(txBuffersGpa + (long)next * TX_BUFFER_BYTES, TEST_FRAME_BYTES));
                next = next + 1 == TEST_RING_DESCRIPTORS ? 0 : next + 1;
            }
            registers.write(E1000Registers.TDT, next);
            registers.flush();
            sleep(LOOPBACK_WAIT_NS);
            int good = 0;
            for (int scanned = 0; good < FRAMES_PER_ROUND && scanned < 2 * TEST_RING_DESCRIPTORS; scanned++)
            {
                if (isTestFrame(memory, ram.offset(rxBuffersGpa + (long)scan * RX_BUFFER_BYTES, TEST_FRAME_BYTES)))
                {
                    good++;
                }
                scan = scan + 1 == TEST_RING_DESCRIPTORS ? 0 : scan + 1;
            }
            if (good != FRAMES_PER_ROUND)
            {
                return LOOPBACK_MISCOMPARE;
            }
        }
        return PASSED;
    }

    /**
     * {@code e1000_create_lbtest_frame}: 0xFF throughout (a broadcast), the second half 0xAA, with 0xBE and 0xAF
     * marks 10 and 12 bytes into it.
     */
    private static void writeTestFrame(final AtomicBuffer memory, final int offset)
    {
        final int half = TEST_FRAME_BYTES / 2;
        memory.setMemory(offset, TEST_FRAME_BYTES, (byte)0xFF);
        memory.setMemory(offset + half, half - 1, (byte)0xAA);
        memory.putByte(offset + half + 10, (byte)0xBE);
        memory.putByte(offset + half + 12, (byte)0xAF);
    }

    /**
     * {@code e1000_check_lbtest_frame}.
     */
    private static boolean isTestFrame(final AtomicBuffer memory, final int offset)
    {
        final int half = TEST_FRAME_BYTES / 2;
        return (byte)0xFF == memory.getByte(offset + 3) && (byte)0xBE == memory.getByte(offset + half + 10) &&
            (byte)0xAF == memory.getByte(offset + half + 12);
    }
}
