package io.sidecore.shm;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Names of the BAR0 registers {@link E1000Registers} defines, as the SDM spells them (section 13.4, table 13-2),
 * for tools and messages. Not used on any data path.
 */
final class E1000RegisterNames
{
    private static final Map<Integer, String> NAMES = new HashMap<>();

    static
    {
        generalAndRings();
        statistics();
        filtersAndWakeUp();
    }

    private E1000RegisterNames()
    {
    }

    /**
     * @param offset BAR0 byte offset.
     * @return the register's name; the array registers by index ({@code RAL3}, {@code RAH3}, {@code MTA12},
     *         {@code VFTA5}); otherwise the offset as {@code "0x%05X"}.
     */
    static String name(final int offset)
    {
        if (0 == (offset & 3))
        {
            if (offset >= E1000Registers.RA && offset < E1000Registers.RA + E1000Registers.RA_COUNT * 8)
            {
                return (0 == (offset & 4) ? "RAL" : "RAH") + ((offset - E1000Registers.RA) >>> 3);
            }
            if (offset >= E1000Registers.MTA && offset < E1000Registers.MTA + E1000Registers.MTA_COUNT * 4)
            {
                return "MTA" + ((offset - E1000Registers.MTA) >>> 2);
            }
            if (offset >= E1000Registers.VFTA && offset < E1000Registers.VFTA + E1000Registers.VFTA_COUNT * 4)
            {
                return "VFTA" + ((offset - E1000Registers.VFTA) >>> 2);
            }
        }
        final String name = NAMES.get(offset);
        return null != name ? name : String.format(Locale.ROOT, "0x%05X", offset);
    }

    private static void generalAndRings()
    {
        put(E1000Registers.CTRL, "CTRL");
        put(E1000Registers.CTRL_DUP, "CTRL_DUP");
        put(E1000Registers.STATUS, "STATUS");
        put(E1000Registers.EECD, "EECD");
        put(E1000Registers.EERD, "EERD");
        put(E1000Registers.CTRL_EXT, "CTRL_EXT");
        put(E1000Registers.FLA, "FLA");
        put(E1000Registers.MDIC, "MDIC");
        put(E1000Registers.FCAL, "FCAL");
        put(E1000Registers.FCAH, "FCAH");
        put(E1000Registers.FCT, "FCT");
        put(E1000Registers.VET, "VET");
        put(E1000Registers.ICR, "ICR");
        put(E1000Registers.ITR, "ITR");
        put(E1000Registers.ICS, "ICS");
        put(E1000Registers.IMS, "IMS");
        put(E1000Registers.IMC, "IMC");
        put(E1000Registers.RCTL, "RCTL");
        put(E1000Registers.FCTTV, "FCTTV");
        put(E1000Registers.TXCW, "TXCW");
        put(E1000Registers.RXCW, "RXCW");
        put(E1000Registers.TCTL, "TCTL");
        put(E1000Registers.TIPG, "TIPG");
        put(E1000Registers.AIT, "AIT");
        put(E1000Registers.LEDCTL, "LEDCTL");
        put(E1000Registers.PBA, "PBA");
        put(E1000Registers.FCRTL, "FCRTL");
        put(E1000Registers.FCRTH, "FCRTH");
        put(E1000Registers.RDFH, "RDFH");
        put(E1000Registers.RDFT, "RDFT");
        put(E1000Registers.RDFHS, "RDFHS");
        put(E1000Registers.RDFTS, "RDFTS");
        put(E1000Registers.RDFPC, "RDFPC");
        put(E1000Registers.RDBAL, "RDBAL");
        put(E1000Registers.RDBAH, "RDBAH");
        put(E1000Registers.RDLEN, "RDLEN");
        put(E1000Registers.RDH, "RDH");
        put(E1000Registers.RDT, "RDT");
        put(E1000Registers.RDTR, "RDTR");
        put(E1000Registers.RXDCTL, "RXDCTL");
        put(E1000Registers.RADV, "RADV");
        put(E1000Registers.CSBAL, "CSBAL");
        put(E1000Registers.CSBAH, "CSBAH");
        put(E1000Registers.RSRPD, "RSRPD");
        put(E1000Registers.TDFH, "TDFH");
        put(E1000Registers.TDFT, "TDFT");
        put(E1000Registers.TDFHS, "TDFHS");
        put(E1000Registers.TDFTS, "TDFTS");
        put(E1000Registers.TDFPC, "TDFPC");
        put(E1000Registers.TDBAL, "TDBAL");
        put(E1000Registers.TDBAH, "TDBAH");
        put(E1000Registers.TDLEN, "TDLEN");
        put(E1000Registers.TDH, "TDH");
        put(E1000Registers.TDT, "TDT");
        put(E1000Registers.TIDV, "TIDV");
        put(E1000Registers.TXDCTL, "TXDCTL");
        put(E1000Registers.TADV, "TADV");
        put(E1000Registers.TSPMT, "TSPMT");
    }

    private static void statistics()
    {
        put(E1000Registers.CRCERRS, "CRCERRS");
        put(E1000Registers.ALGNERRC, "ALGNERRC");
        put(E1000Registers.SYMERRS, "SYMERRS");
        put(E1000Registers.RXERRC, "RXERRC");
        put(E1000Registers.MPC, "MPC");
        put(E1000Registers.SCC, "SCC");
        put(E1000Registers.ECOL, "ECOL");
        put(E1000Registers.MCC, "MCC");
        put(E1000Registers.LATECOL, "LATECOL");
        put(E1000Registers.COLC, "COLC");
        put(E1000Registers.DC, "DC");
        put(E1000Registers.TNCRS, "TNCRS");
        put(E1000Registers.SEC, "SEC");
        put(E1000Registers.CEXTERR, "CEXTERR");
        put(E1000Registers.RLEC, "RLEC");
        put(E1000Registers.XONRXC, "XONRXC");
        put(E1000Registers.XONTXC, "XONTXC");
        put(E1000Registers.XOFFRXC, "XOFFRXC");
        put(E1000Registers.XOFFTXC, "XOFFTXC");
        put(E1000Registers.FCRUC, "FCRUC");
        put(E1000Registers.PRC64, "PRC64");
        put(E1000Registers.PRC127, "PRC127");
        put(E1000Registers.PRC255, "PRC255");
        put(E1000Registers.PRC511, "PRC511");
        put(E1000Registers.PRC1023, "PRC1023");
        put(E1000Registers.PRC1522, "PRC1522");
        put(E1000Registers.GPRC, "GPRC");
        put(E1000Registers.BPRC, "BPRC");
        put(E1000Registers.MPRC, "MPRC");
        put(E1000Registers.GPTC, "GPTC");
        put(E1000Registers.GORCL, "GORCL");
        put(E1000Registers.GORCH, "GORCH");
        put(E1000Registers.GOTCL, "GOTCL");
        put(E1000Registers.GOTCH, "GOTCH");
        put(E1000Registers.RNBC, "RNBC");
        put(E1000Registers.RUC, "RUC");
        put(E1000Registers.RFC, "RFC");
        put(E1000Registers.ROC, "ROC");
        put(E1000Registers.RJC, "RJC");
        put(E1000Registers.MGTPRC, "MGTPRC");
        put(E1000Registers.MGTPDC, "MGTPDC");
        put(E1000Registers.MGTPTC, "MGTPTC");
        put(E1000Registers.TORL, "TORL");
        put(E1000Registers.TORH, "TORH");
        put(E1000Registers.TOTL, "TOTL");
        put(E1000Registers.TOTH, "TOTH");
        put(E1000Registers.TPR, "TPR");
        put(E1000Registers.TPT, "TPT");
        put(E1000Registers.PTC64, "PTC64");
        put(E1000Registers.PTC127, "PTC127");
        put(E1000Registers.PTC255, "PTC255");
        put(E1000Registers.PTC511, "PTC511");
        put(E1000Registers.PTC1023, "PTC1023");
        put(E1000Registers.PTC1522, "PTC1522");
        put(E1000Registers.MPTC, "MPTC");
        put(E1000Registers.BPTC, "BPTC");
        put(E1000Registers.TSCTC, "TSCTC");
        put(E1000Registers.TSCTFC, "TSCTFC");
    }

    private static void filtersAndWakeUp()
    {
        put(E1000Registers.RXCSUM, "RXCSUM");
        put(E1000Registers.WUC, "WUC");
        put(E1000Registers.WUFC, "WUFC");
        put(E1000Registers.WUS, "WUS");
        put(E1000Registers.MANC, "MANC");
        put(E1000Registers.IPAV, "IPAV");
        put(E1000Registers.WUPL, "WUPL");
        put(E1000Registers.SWSM, "SWSM");
    }

    private static void put(final int offset, final String name)
    {
        if (null != NAMES.put(offset, name))
        {
            throw new IllegalStateException("two register names for offset 0x" + Integer.toHexString(offset));
        }
    }
}
