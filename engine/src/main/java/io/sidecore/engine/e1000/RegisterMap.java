package io.sidecore.engine.e1000;

import io.sidecore.shm.E1000Registers;
import io.sidecore.shm.PortCounter;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The 82540EM's BAR0 register map: for every dword of BAR0 one {@link Register} row that holds the register's whole
 * behaviour: how a read and a write act (the handlers), which bits a write may set (write mask), the value after a
 * reset, how a write narrower than the register combines with the bytes it leaves out, and the section of the 8254x
 * Software Developer's Manual (SDM) that defines it.
 * <p>
 * Most registers are <em>stored</em>: a write keeps {@code value & writeMask} (reserved bits read 0, SDM 13.1) and a
 * read returns it. The others name their handlers in {@link E1000Device}. A dword no row claims reads 0 and ignores
 * writes, both counted in {@link PortCounter#UNKNOWN_REGISTER_ACCESSES}.
 * <p>
 * <b>Access size.</b> Every register is 32 bits (SDM 13.1: registers are accessed as 32-bit dwords); a PCI master may
 * still read or write fewer bytes of one, with byte enables. The device honours them: a 1- or 2-byte read runs the
 * register's read (with its side effects, as a dword read would: a byte read of ICR clears ICR) and returns the
 * addressed bytes; a 1- or 2-byte write changes only its bytes. For a {@link Lanes#MERGE} register the bytes it leaves
 * out keep their stored value (read-modify-write of the storage, no read side effect); for a {@link Lanes#ZERO}
 * register (write-1-to-act: ICR, ICS, IMS, IMC, WUS) they are written as 0, which is no action.
 * <p>
 * The map is static and shared by every device; the handlers take the device they act on.
 */
final class RegisterMap
{
    /** A read handler. */
    @FunctionalInterface
    interface Reader
    {
        /**
         * @param device the device.
         * @param offset BAR0 byte offset of the register's storage.
         * @param nowNs  current time.
         * @return the 32-bit value.
         */
        int read(E1000Device device, int offset, long nowNs);
    }

    /** A write handler. */
    @FunctionalInterface
    interface Writer
    {
        /**
         * @param device    the device.
         * @param offset    BAR0 byte offset of the register's storage.
         * @param value     the whole 32-bit value written (narrow writes already merged, see {@link Lanes}).
         * @param writeMask the row's write mask.
         * @param nowNs     current time.
         */
        void write(E1000Device device, int offset, int value, int writeMask, long nowNs);
    }

    /** How a 1- or 2-byte write combines with the bytes of the register it does not write. */
    enum Lanes
    {
        /** They keep their stored value. */
        MERGE,
        /** They are written as 0 (a write-1-to-act register: 0 bits do nothing). */
        ZERO
    }

    /**
     * One row: a register, or an array of like registers ({@code count} of them, {@code strideBytes} apart).
     *
     * @param name        SDM name.
     * @param offset      BAR0 byte offset of the first instance.
     * @param count       instances.
     * @param strideBytes distance between instances.
     * @param aliasDelta  added to the accessed offset to find the storage (CTRL_DUP is CTRL, -4); usually 0.
     * @param reader      read handler.
     * @param writer      write handler.
     * @param writeMask   bits a write may set; the handler applies it.
     * @param resetValue  value after a MAC reset (registers loaded from the EEPROM are set by the device's reset).
     * @param lanes       narrow-write rule.
     * @param sdmSection  where the SDM defines it.
     */
    record Register(
        String name,
        int offset,
        int count,
        int strideBytes,
        int aliasDelta,
        Reader reader,
        Writer writer,
        int writeMask,
        int resetValue,
        Lanes lanes,
        String sdmSection)
    {
    }

    /** Reads the storage. */
    static final Reader STORED_READ = (device, offset, nowNs) -> device.registers.get(offset);
    /** Keeps {@code value & writeMask}. */
    static final Writer STORED_WRITE =
        (device, offset, value, writeMask, nowNs) -> device.registers.set(offset, value & writeMask);
    /** Ignores the write (read-only register). */
    static final Writer IGNORED_WRITE = (device, offset, value, writeMask, nowNs) -> { };

    private static final int ALL_BITS = 0xFFFFFFFF;
    private static final int DWORDS = E1000Registers.BAR0_LENGTH >>> 2;
    private static final Register[] BY_DWORD = new Register[DWORDS];
    /** Dwords whose write only keeps {@code value & writeMask} (stored registers, ring indexes). */
    private static final boolean[] PLAIN_STORE = new boolean[DWORDS];
    private static final List<Register> ROWS = new ArrayList<>();
    /** Storage offsets whose reset value is not 0, and those values, for {@link #applyResetValues}. */
    private static final int[] RESET_OFFSETS;
    private static final int[] RESET_VALUES;

    /** Every dword no row claims. */
    static final Register UNKNOWN = new Register("unknown", 0, DWORDS, 4, 0,
        (device, offset, nowNs) ->
        {
            device.counters.increment(PortCounter.UNKNOWN_REGISTER_ACCESSES);
            return 0;
        },
        (device, offset, value, writeMask, nowNs) -> device.counters.increment(PortCounter.UNKNOWN_REGISTER_ACCESSES),
        0, 0, Lanes.MERGE, "13.4 (reserved: reads 0, writes ignored)");

    static
    {
        general();
        interrupts();
        receive();
        transmit();
        statistics();
        filtersAndWakeUp();
        int nonZero = 0;
        for (final Register row : ROWS)
        {
            nonZero += 0 != row.resetValue() ? row.count() : 0;
        }
        RESET_OFFSETS = new int[nonZero];
        RESET_VALUES = new int[nonZero];
        int next = 0;
        for (final Register row : ROWS)
        {
            for (int i = 0; 0 != row.resetValue() && i < row.count(); i++)
            {
                RESET_OFFSETS[next] = row.offset() + i * row.strideBytes();
                RESET_VALUES[next++] = row.resetValue();
            }
        }
    }

    private RegisterMap()
    {
    }

    /**
     * @param offset a valid, 4-byte aligned BAR0 offset.
     * @return the row of the dword there, or {@link #UNKNOWN}.
     */
    static Register at(final int offset)
    {
        final Register row = BY_DWORD[offset >>> 2];
        return null != row ? row : UNKNOWN;
    }

    /**
     * @param offset a valid, 4-byte aligned BAR0 offset.
     * @return true if a write of the dword there keeps {@code value & writeMask} and has no other effect, so the
     *         masked value may be stored back in a shared page without acting for the guest.
     */
    static boolean isPlainStore(final int offset)
    {
        return PLAIN_STORE[offset >>> 2];
    }

    /**
     * @return every row, in map order.
     */
    static List<Register> rows()
    {
        return Collections.unmodifiableList(ROWS);
    }

    /**
     * Write every non-zero reset value into a cleared image.
     *
     * @param registers the image, all zero.
     */
    static void applyResetValues(final RegisterImage registers)
    {
        for (int i = 0; i < RESET_OFFSETS.length; i++)
        {
            registers.set(RESET_OFFSETS[i], RESET_VALUES[i]);
        }
    }

    private static void general()
    {
        define("CTRL", E1000Registers.CTRL, 1, 4, 0, STORED_READ,
            (device, offset, value, writeMask, nowNs) -> device.writeCtrl(value, nowNs), E1000Registers.CTRL_WRITE_MASK,
            E1000Registers.CTRL_RESET_VALUE, Lanes.MERGE, "13.4.1");
        define("CTRL_DUP", E1000Registers.CTRL_DUP, 1, 4, E1000Registers.CTRL - E1000Registers.CTRL_DUP,
            STORED_READ, (device, offset, value, writeMask, nowNs) -> device.writeCtrl(value, nowNs),
            E1000Registers.CTRL_WRITE_MASK, 0, Lanes.MERGE, "13.4.1 (CTRL alias)");
        readOnly("STATUS", E1000Registers.STATUS, E1000Registers.STATUS_RESET_VALUE, "13.4.2");
        define("EECD", E1000Registers.EECD, 1, 4, 0, (device, offset, nowNs) -> device.eeprom.eecd(),
            (device, offset, value, writeMask, nowNs) -> device.writeEecd(value), E1000Registers.EECD_WRITE_MASK, 0,
            Lanes.MERGE, "13.4.3 (reset: EEPROM interface idle)");
        define("EERD", E1000Registers.EERD, 1, 4, 0, STORED_READ,
            (device, offset, value, writeMask, nowNs) -> device.writeEerd(value), ALL_BITS, 0, Lanes.MERGE, "13.4.4");
        stored("CTRL_EXT", E1000Registers.CTRL_EXT, E1000Registers.CTRL_EXT_WRITE_MASK, 0, "13.4.6");
        define("MDIC", E1000Registers.MDIC, 1, 4, 0, STORED_READ,
            (device, offset, value, writeMask, nowNs) -> device.writeMdic(value, nowNs), E1000Registers.MDIC_WRITE_MASK,
            0, Lanes.MERGE, "13.4.7");
        stored("FCAL", E1000Registers.FCAL, ALL_BITS, 0, "13.4 (flow control address)");
        stored("FCAH", E1000Registers.FCAH, E1000Registers.LOW16_MASK, 0, "13.4 (flow control address)");
        stored("FCT", E1000Registers.FCT, E1000Registers.LOW16_MASK, 0, "13.4 (flow control type)");
        stored("VET", E1000Registers.VET, E1000Registers.LOW16_MASK, E1000Registers.VET_RESET_VALUE,
            "13.4 (VLAN EtherType)");
        stored("FCTTV", E1000Registers.FCTTV, E1000Registers.LOW16_MASK, 0, "13.4 (flow control transmit timer)");
        stored("TXCW", E1000Registers.TXCW, E1000Registers.TXCW_WRITE_MASK, 0, "13.4 (transmit configuration word)");
        readOnly("RXCW", E1000Registers.RXCW, 0, "13.4 (receive configuration word)");
        stored("LEDCTL", E1000Registers.LEDCTL, E1000Registers.LEDCTL_WRITE_MASK, E1000Registers.LEDCTL_RESET_VALUE,
            "13.4 (LED control)");
        define("PBA", E1000Registers.PBA, 1, 4, 0, STORED_READ,
            (device, offset, value, writeMask, nowNs) -> device.writePba(value), E1000Registers.PBA_RXA_MASK,
            E1000Registers.PBA_RESET_VALUE, Lanes.MERGE, "13.4 (packet buffer allocation; TXA follows from RXA)");
        stored("MANC", E1000Registers.MANC, ALL_BITS, E1000Registers.MANC_RESET_VALUE, "13.4 (management control)");
        array("PBM", E1000Registers.PBM, (E1000Registers.BAR0_LENGTH - E1000Registers.PBM) >>> 2, 4, ALL_BITS,
            "13.4 (packet buffer memory, diagnostic)");
    }

    private static void interrupts()
    {
        define("ICR", E1000Registers.ICR, 1, 4, 0, (device, offset, nowNs) -> device.readIcr(nowNs),
            (device, offset, value, writeMask, nowNs) -> device.interrupts.writeIcr(value, nowNs), ALL_BITS, 0,
            Lanes.ZERO, "13.4.17 (read to clear, write 1 to clear)");
        stored("ITR", E1000Registers.ITR, E1000Registers.TIMER_MASK, 0, "13.4.18");
        define("ICS", E1000Registers.ICS, 1, 4, 0, (device, offset, nowNs) -> device.interrupts.peekIcr(),
            (device, offset, value, writeMask, nowNs) -> device.interrupts.writeIcs(value, nowNs), ALL_BITS, 0,
            Lanes.ZERO, "13.4.19 (reads ICR)");
        define("IMS", E1000Registers.IMS, 1, 4, 0, STORED_READ,
            (device, offset, value, writeMask, nowNs) -> device.interrupts.writeIms(value, nowNs), ALL_BITS, 0,
            Lanes.ZERO, "13.4.20 (write 1 to set)");
        define("IMC", E1000Registers.IMC, 1, 4, 0, (device, offset, nowNs) -> 0,
            (device, offset, value, writeMask, nowNs) -> device.interrupts.writeImc(value, nowNs), ALL_BITS, 0,
            Lanes.ZERO, "13.4.21 (write 1 to clear IMS, reads 0)");
    }

    private static void receive()
    {
        stored("RCTL", E1000Registers.RCTL, E1000Registers.RCTL_WRITE_MASK, 0, "13.4.22");
        stored("FCRTL", E1000Registers.FCRTL, E1000Registers.FCRTL_WRITE_MASK, 0, "13.4.23");
        stored("FCRTH", E1000Registers.FCRTH, E1000Registers.FCRTH_WRITE_MASK, 0, "13.4.24");
        fifoPointers(E1000Registers.RDFH, E1000Registers.RDFT, E1000Registers.RDFHS, E1000Registers.RDFTS,
            E1000Registers.RDFPC);
        descriptorRing(E1000Registers.RDBAL, E1000Registers.RDBAH, E1000Registers.RDLEN, E1000Registers.RDH,
            E1000Registers.RDT, E1000Registers.RDTR, (device, offset, value, writeMask, nowNs) ->
                device.writeRdtr(value, nowNs), E1000Registers.RXDCTL, E1000Registers.RXDCTL_WRITE_MASK,
            E1000Registers.RADV, "13.4.25-13.4.32 (RX ring; RDTR.FPD flushes the pending delay)");
        stored("CSBAL", E1000Registers.CSBAL, ALL_BITS, 0, "CSB extension (Rizzo, Lettieri, Maffione, ANCS 2013)");
        stored("CSBAH", E1000Registers.CSBAH, ALL_BITS, 0, "CSB extension (Rizzo, Lettieri, Maffione, ANCS 2013)");
        stored("RSRPD", E1000Registers.RSRPD, E1000Registers.RSRPD_WRITE_MASK, 0, "13.4 (small packet detect)");
        stored("RXCSUM", E1000Registers.RXCSUM, E1000Registers.RXCSUM_WRITE_MASK, 0, "13.5.1");
    }

    private static void transmit()
    {
        stored("TCTL", E1000Registers.TCTL, E1000Registers.TCTL_WRITE_MASK, 0, "13.4.33");
        stored("TIPG", E1000Registers.TIPG, E1000Registers.TIPG_WRITE_MASK, 0, "13.4.34");
        stored("AIT", E1000Registers.AIT, E1000Registers.LOW16_MASK, 0, "13.4 (adaptive IFS throttle)");
        fifoPointers(E1000Registers.TDFH, E1000Registers.TDFT, E1000Registers.TDFHS, E1000Registers.TDFTS,
            E1000Registers.TDFPC);
        descriptorRing(E1000Registers.TDBAL, E1000Registers.TDBAH, E1000Registers.TDLEN, E1000Registers.TDH,
            E1000Registers.TDT, E1000Registers.TIDV, (device, offset, value, writeMask, nowNs) ->
                device.writeTidv(value, nowNs), E1000Registers.TXDCTL, E1000Registers.TXDCTL_WRITE_MASK,
            E1000Registers.TADV, "13.4.36-13.4.44 (TX ring; TIDV.FPD flushes the pending delay)");
    }

    private static void statistics()
    {
        final Reader clearOnRead = (device, offset, nowNs) -> device.readStatistic(offset);
        for (int offset = E1000Registers.STATS_FIRST; offset <= E1000Registers.STATS_LAST; offset += 4)
        {
            final String name = E1000Registers.registerName(offset);
            if (!name.startsWith("0x"))
            {
                define(name, offset, 1, 4, 0, clearOnRead, IGNORED_WRITE, 0, 0, Lanes.MERGE,
                    "13.7 (clear on read; 64-bit pairs cleared by reading the high half)");
            }
        }
    }

    private static void filtersAndWakeUp()
    {
        array("MTA", E1000Registers.MTA, E1000Registers.MTA_COUNT, 4, ALL_BITS, "13.5 (multicast table array)");
        array("RAL", E1000Registers.ral(0), E1000Registers.RA_COUNT, 8, ALL_BITS,
            "13.5.3 (RAL0/RAH0 reset to the EEPROM's MAC)");
        array("RAH", E1000Registers.rah(0), E1000Registers.RA_COUNT, 8, E1000Registers.RAH_WRITE_MASK,
            "13.5.3 (RAL0/RAH0 reset to the EEPROM's MAC)");
        array("VFTA", E1000Registers.VFTA, E1000Registers.VFTA_COUNT, 4, ALL_BITS, "13.5 (VLAN filter table array)");
        stored("WUC", E1000Registers.WUC, E1000Registers.WUC_WRITE_MASK, 0, "13.6.1");
        stored("WUFC", E1000Registers.WUFC, E1000Registers.WUFC_WRITE_MASK, 0, "13.6.2");
        define("WUS", E1000Registers.WUS, 1, 4, 0, STORED_READ,
            (device, offset, value, writeMask, nowNs) ->
                device.registers.set(offset, device.registers.get(offset) & ~(value & writeMask)),
            E1000Registers.WUFC_WRITE_MASK, 0, Lanes.ZERO, "13.6.3 (write 1 to clear)");
        stored("IPAV", E1000Registers.IPAV, E1000Registers.IPAV_WRITE_MASK, 0, "13.6 (wake-up)");
        array("IP4AT", E1000Registers.IP4AT, 4, 8, ALL_BITS, "13.6 (wake-up)");
        array("IP6AT", E1000Registers.IP6AT, 4, 4, ALL_BITS, "13.6 (wake-up)");
        stored("WUPL", E1000Registers.WUPL, E1000Registers.WUPL_WRITE_MASK, 0, "13.6 (wake-up)");
        array("WUPM", E1000Registers.WUPM, 32, 4, ALL_BITS, "13.6 (wake-up)");
        array("FFLT", E1000Registers.FFLT, 4, 8, E1000Registers.FFLT_WRITE_MASK, "13.6 (wake-up)");
        array("FFMT", E1000Registers.FFMT, 128, 8, E1000Registers.FFMT_WRITE_MASK, "13.6 (wake-up)");
        array("FFVT", E1000Registers.FFVT, 128, 8, ALL_BITS, "13.6 (wake-up)");
    }

    /**
     * The five diagnostic data FIFO pointer registers of one direction (head, tail, saved head, saved tail, packet
     * count): stored as written within their 13 bits, with nothing behind them (regdump only).
     */
    private static void fifoPointers(
        final int head, final int tail, final int savedHead, final int savedTail, final int packetCount)
    {
        final String section = "13.4 (diagnostic FIFO pointers)";
        stored(head, E1000Registers.FIFO_POINTER_MASK, section);
        stored(tail, E1000Registers.FIFO_POINTER_MASK, section);
        stored(savedHead, E1000Registers.FIFO_POINTER_MASK, section);
        stored(savedTail, E1000Registers.FIFO_POINTER_MASK, section);
        stored(packetCount, E1000Registers.FIFO_POINTER_MASK, section);
    }

    /**
     * The registers of one descriptor ring, which the 8254x lays out alike for receive and transmit: base (16-byte
     * aligned low half), length (multiple of 128), ring control and absolute timer are stored; head and tail are 16
     * bits and may live in a shared page (the head is published with a release store, a trapped tail write counts as a
     * trapped doorbell); the packet delay timer has the flush bit.
     */
    private static void descriptorRing(
        final int baseLow,
        final int baseHigh,
        final int length,
        final int head,
        final int tail,
        final int delayTimer,
        final Writer delayTimerWriter,
        final int control,
        final int controlWriteMask,
        final int absoluteTimer,
        final String section)
    {
        stored(baseLow, E1000Registers.DBAL_MASK, section);
        stored(baseHigh, ALL_BITS, section);
        stored(length, E1000Registers.DLEN_MASK, section);
        ringIndex(head, section, false);
        ringIndex(tail, section, true);
        define(E1000Registers.registerName(delayTimer), delayTimer, 1, 4, 0, STORED_READ, delayTimerWriter,
            E1000Registers.TIMER_MASK, 0, Lanes.MERGE, section);
        stored(control, controlWriteMask, section);
        stored(absoluteTimer, E1000Registers.TIMER_MASK, section);
    }

    private static void ringIndex(final int offset, final String section, final boolean doorbell)
    {
        define(E1000Registers.registerName(offset), offset, 1, 4, 0,
            (device, storage, nowNs) -> device.registers.getAcquire(storage),
            (device, storage, value, writeMask, nowNs) ->
            {
                if (doorbell)
                {
                    device.counters.increment(PortCounter.DOORBELLS_TRAPPED);
                }
                device.registers.setRelease(storage, value & writeMask);
            },
            E1000Registers.HEAD_TAIL_MASK, 0, Lanes.MERGE, section);
        PLAIN_STORE[offset >>> 2] = true;
    }

    private static void stored(final int offset, final int writeMask, final String section)
    {
        stored(E1000Registers.registerName(offset), offset, writeMask, 0, section);
    }

    private static void stored(
        final String name, final int offset, final int writeMask, final int resetValue, final String section)
    {
        define(name, offset, 1, 4, 0, STORED_READ, STORED_WRITE, writeMask, resetValue, Lanes.MERGE, section);
        PLAIN_STORE[offset >>> 2] = true;
    }

    private static void readOnly(final String name, final int offset, final int resetValue, final String section)
    {
        define(name, offset, 1, 4, 0, STORED_READ, IGNORED_WRITE, 0, resetValue, Lanes.MERGE, section + " (read-only)");
    }

    private static void array(
        final String name,
        final int offset,
        final int count,
        final int strideBytes,
        final int writeMask,
        final String section)
    {
        define(name, offset, count, strideBytes, 0, STORED_READ, STORED_WRITE, writeMask, 0, Lanes.MERGE, section);
        for (int i = 0; i < count; i++)
        {
            PLAIN_STORE[(offset + i * strideBytes) >>> 2] = true;
        }
    }

    private static void define(
        final String name,
        final int offset,
        final int count,
        final int strideBytes,
        final int aliasDelta,
        final Reader reader,
        final Writer writer,
        final int writeMask,
        final int resetValue,
        final Lanes lanes,
        final String sdmSection)
    {
        final Register row = new Register(
            name, offset, count, strideBytes, aliasDelta, reader, writer, writeMask, resetValue, lanes, sdmSection);
        for (int i = 0; i < count; i++)
        {
            final int dword = (offset + i * strideBytes) >>> 2;
            if (null != BY_DWORD[dword])
            {
                throw new IllegalStateException("BAR0 offset 0x" + Integer.toHexString(dword << 2) + " claimed by " +
                    BY_DWORD[dword].name() + " and " + name);
            }
            BY_DWORD[dword] = row;
        }
        ROWS.add(row);
    }
}
