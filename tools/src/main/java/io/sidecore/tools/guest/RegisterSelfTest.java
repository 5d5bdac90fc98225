package io.sidecore.tools.guest;

import io.sidecore.shm.E1000Registers;
import io.sidecore.shm.PortRegionDescriptor;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The register part of the Linux e1000 driver's offline self-test ({@code e1000_reg_test} in e1000_ethtool.c, for an
 * 82543 or later MAC such as the 82540EM): a write to the read-only STATUS must change none of its bits, then each
 * row of a table, in order, either
 * <ul>
 *   <li>a <b>pattern</b> row: {@code write & p} for each p of 0x5A5A5A5A, 0xA5A5A5A5, 0, 0xFFFFFFFF, each read back
 *   at once and expected to equal {@code write & p & mask} (the register keeps exactly the bits of its mask), or</li>
 *   <li>a <b>set</b> row: {@code write & mask} written, read back, and the bits of the mask compared.</li>
 * </ul>
 * The test stops at the first row that fails and reports that register's BAR0 offset ({@code ethtool -t} prints it
 * as the register test's value), or 1 when STATUS changed; 0 means every row passed.
 * <p>
 * Accesses go through {@link DeviceRegisters}, so a register in a shared page is a plain store and load in guest
 * memory, with no device in between: the model sees there what an unmodified guest sees.
 */
public final class RegisterSelfTest
{
    /** Result when every row passed. */
    public static final int PASSED = 0;
    /** Result when a write changed STATUS. */
    public static final int STATUS_CHANGED = 1;
    /** The STATUS bits the driver checks (others are writable on later parts). */
    public static final int STATUS_TOGGLE = 0xFFFFF833;
    /** The patterns of a pattern row, in the order written. */
    static final int[] PATTERNS = {0x5A5A5A5A, 0xA5A5A5A5, 0x00000000, 0xFFFFFFFF};

    /**
     * One row of the table.
     *
     * @param name    the register, for messages.
     * @param offset  BAR0 byte offset.
     * @param pattern true for a pattern row, false for a set-and-check row.
     * @param mask    the bits the register keeps (pattern) or the bits compared (set).
     * @param write   the value written (ANDed with each pattern, or with the mask).
     */
    public record Row(String name, int offset, boolean pattern, int mask, int write)
    {
    }

    private static final List<Row> ROWS = buildRows();

    private RegisterSelfTest()
    {
    }

    /**
     * @return the driver's rows after the STATUS check, in the order it runs them.
     */
    public static List<Row> rows()
    {
        return ROWS;
    }

    /**
     * Run the test as the driver does.
     *
     * @param registers the device's registers.
     * @return {@link #PASSED}, {@link #STATUS_CHANGED}, or the BAR0 offset of the first row that failed.
     */
    public static int run(final DeviceRegisters registers)
    {
        final int before = registers.read(E1000Registers.STATUS);
        final int value = registers.read(E1000Registers.STATUS) & STATUS_TOGGLE;
        registers.write(E1000Registers.STATUS, STATUS_TOGGLE);
        if (value != (registers.read(E1000Registers.STATUS) & STATUS_TOGGLE))
        {
            return STATUS_CHANGED;
        }
        registers.write(E1000Registers.STATUS, before);
        for (int i = 0; i < ROWS.size(); i++)
        {
            final Row row = ROWS.get(i);
            if (!passes(registers, row))
            {
                return row.offset();
            }
        }
        return PASSED;
    }

    /**
     * Run one row alone.
     *
     * @param registers the device's registers.
     * @param row       the row.
     * @return true if the register kept exactly the bits of its mask.
     */
    public static boolean passes(final DeviceRegisters registers, final Row row)
    {
        return row.pattern() ? passesPatterns(registers, row) : passesSet(registers, row);
    }

    /**
     * The rows that cannot pass when their register lives in a page the port shares with the guest: the guest's own
     * store is what it reads back at once, reserved bits included, before the device can mask them. These are the
     * register-test rows the README's conformance table lists; the test reports the first of them it reaches.
     *
     * @param sharedPages the port's shared-page bitmap.
     * @return the rows, in table order.
     */
    public static List<Row> rowsReadBackUnmasked(final int sharedPages)
    {
        final List<Row> unmasked = new ArrayList<>();
        for (final Row row : ROWS)
        {
            if (PortRegionDescriptor.isShared(sharedPages, row.offset()) && 0 != (row.write() & ~row.mask()))
            {
                unmasked.add(row);
            }
        }
        return unmasked;
    }

    private static boolean passesPatterns(final DeviceRegisters registers, final Row row)
    {
        for (final int pattern : PATTERNS)
        {
            registers.write(row.offset(), row.write() & pattern);
            if (registers.read(row.offset()) != (row.write() & pattern & row.mask()))
            {
                return false;
            }
        }
        return true;
    }

    private static boolean passesSet(final DeviceRegisters registers, final Row row)
    {
        registers.write(row.offset(), row.write() & row.mask());
        return (registers.read(row.offset()) & row.mask()) == (row.write() & row.mask());
    }

    private static List<Row> buildRows()
    {
        final List<Row> rows = new ArrayList<>();
        pattern(rows, "FCAL", E1000Registers.FCAL, 0xFFFFFFFF, 0xFFFFFFFF);
        pattern(rows, "FCAH", E1000Registers.FCAH, 0x0000FFFF, 0xFFFFFFFF);
        pattern(rows, "FCT", E1000Registers.FCT, 0x0000FFFF, 0xFFFFFFFF);
        pattern(rows, "VET", E1000Registers.VET, 0x0000FFFF, 0xFFFFFFFF);
        pattern(rows, "RDTR", E1000Registers.RDTR, 0x0000FFFF, 0xFFFFFFFF);
        pattern(rows, "RDBAH", E1000Registers.RDBAH, 0xFFFFFFFF, 0xFFFFFFFF);
        pattern(rows, "RDLEN", E1000Registers.RDLEN, 0x000FFF80, 0x000FFFFF);
        pattern(rows, "RDH", E1000Registers.RDH, 0x0000FFFF, 0x0000FFFF);
        pattern(rows, "RDT", E1000Registers.RDT, 0x0000FFFF, 0x0000FFFF);
        pattern(rows, "FCRTH", E1000Registers.FCRTH, 0x0000FFF8, 0x0000FFF8);
        pattern(rows, "FCTTV", E1000Registers.FCTTV, 0x0000FFFF, 0x0000FFFF);
        pattern(rows, "TIPG", E1000Registers.TIPG, 0x3FFFFFFF, 0x3FFFFFFF);
        pattern(rows, "TDBAH", E1000Registers.TDBAH, 0xFFFFFFFF, 0xFFFFFFFF);
        pattern(rows, "TDLEN", E1000Registers.TDLEN, 0x000FFF80, 0x000FFFFF);
        set(rows, "RCTL", E1000Registers.RCTL, 0xFFFFFFFF, 0x00000000);
        set(rows, "RCTL", E1000Registers.RCTL, 0x06DFB3FE, 0x003FFFFB);
        set(rows, "TCTL", E1000Registers.TCTL, 0xFFFFFFFF, 0x00000000);
        set(rows, "RCTL", E1000Registers.RCTL, 0x06DFB3FE, 0xFFFFFFFF);
        pattern(rows, "RDBAL", E1000Registers.RDBAL, 0xFFFFFFF0, 0xFFFFFFFF);
        pattern(rows, "TXCW", E1000Registers.TXCW, 0xC000FFFF, 0x0000FFFF);
        pattern(rows, "TDBAL", E1000Registers.TDBAL, 0xFFFFFFF0, 0xFFFFFFFF);
        pattern(rows, "TIDV", E1000Registers.TIDV, 0x0000FFFF, 0x0000FFFF);
        for (int i = 0; i < E1000Registers.RA_COUNT; i++)
        {
            pattern(rows, "RAH" + i, E1000Registers.rah(i), 0x8003FFFF, 0xFFFFFFFF);
        }
        for (int i = 0; i < E1000Registers.MTA_COUNT; i++)
        {
            pattern(rows, "MTA" + i, E1000Registers.MTA + (i << 2), 0xFFFFFFFF, 0xFFFFFFFF);
        }
        return Collections.unmodifiableList(rows);
    }

    private static void pattern(final List<Row> rows, final String name, final int offset, final int mask,
        final int write)
    {
        rows.add(new Row(name, offset, true, mask, write));
    }

    private static void set(final List<Row> rows, final String name, final int offset, final int mask,
        final int write)
    {
        rows.add(new Row(name, offset, false, mask, write));
    }
}
