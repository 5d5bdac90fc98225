package io.sidecore.tools.guest;

/**
 * Settings of one driver model instance, with Linux e1000's defaults (module parameters {@code TxDescriptors},
 * {@code RxDescriptors}, {@code TxIntDelay}, {@code TxAbsIntDelay}, {@code RxIntDelay}, {@code RxAbsIntDelay},
 * {@code InterruptThrottleRate}). Fluent setters; {@link #validate()} runs when the model is built.
 */
public final class GuestDriverConfig
{
    /** Linux default ring size. */
    public static final int DEFAULT_DESCRIPTORS = 256;
    /** Linux rings are multiples of 8 descriptors (128 bytes, SDM 13.4.27). */
    public static final int DESCRIPTOR_MULTIPLE = 8;
    /** Largest ring the 82540 takes. */
    public static final int MAX_DESCRIPTORS = 4096;
    /** Linux {@code E1000_MAX_DATA_PER_TXD}. */
    public static final int MAX_BYTES_PER_TX_DESCRIPTOR = 4096;
    /** Largest frame the model sends (Linux's jumbo limit is 16110). */
    public static final int MAX_FRAME_BYTES = 16128;
    /** Linux NAPI weight. */
    public static final int DEFAULT_NAPI_BUDGET = 64;
    /** {@code InterruptThrottleRate=3}: dynamic conservative mode, Linux's default. */
    public static final int ITR_DYNAMIC_CONSERVATIVE = 3;
    /** {@code InterruptThrottleRate=1}: dynamic mode. */
    public static final int ITR_DYNAMIC = 1;
    /** {@code InterruptThrottleRate=0}: ITR never written. */
    public static final int ITR_OFF = 0;

    private int txDescriptors = DEFAULT_DESCRIPTORS;
    private int rxDescriptors = DEFAULT_DESCRIPTORS;
    private int txBufferBytes = 2048;
    private int rxBufferBytes = 2048;
    private TxDescriptorFormat txDescriptorFormat = TxDescriptorFormat.LEGACY;
    private int txInterruptDelay = 8;
    private int txAbsInterruptDelay = 32;
    private int rxInterruptDelay = 0;
    private int rxAbsInterruptDelay = 8;
    private int interruptThrottleRate = ITR_DYNAMIC_CONSERVATIVE;
    private int napiBudget = DEFAULT_NAPI_BUDGET;
    private boolean useCsbWhenOffered = true;
    private boolean promiscuous;
    private boolean vlanStrip = true;
    private boolean eepromThroughEerd;

    /**
     * @return TX ring size in descriptors.
     */
    public int txDescriptors()
    {
        return txDescriptors;
    }

    /**
     * @param count TX ring size, a multiple of 8, 8..4096.
     * @return this.
     */
    public GuestDriverConfig txDescriptors(final int count)
    {
        this.txDescriptors = count;
        return this;
    }

    /**
     * @return RX ring size in descriptors.
     */
    public int rxDescriptors()
    {
        return rxDescriptors;
    }

    /**
     * @param count RX ring size, a multiple of 8, 8..4096.
     * @return this.
     */
    public GuestDriverConfig rxDescriptors(final int count)
    {
        this.rxDescriptors = count;
        return this;
    }

    /**
     * @return bytes of the buffer behind each TX descriptor, which is also the most a descriptor carries.
     */
    public int txBufferBytes()
    {
        return txBufferBytes;
    }

    /**
     * @param bytes TX buffer size per descriptor, 64..4096; a longer frame spans several descriptors.
     * @return this.
     */
    public GuestDriverConfig txBufferBytes(final int bytes)
    {
        this.txBufferBytes = bytes;
        return this;
    }

    /**
     * @return RX buffer size programmed in RCTL.BSIZE.
     */
    public int rxBufferBytes()
    {
        return rxBufferBytes;
    }

    /**
     * @param bytes 2048 (Linux) or, to exercise frames spanning descriptors, 1024, 512 or 256.
     * @return this.
     */
    public GuestDriverConfig rxBufferBytes(final int bytes)
    {
        this.rxBufferBytes = bytes;
        return this;
    }

    /**
     * @return TX descriptor format.
     */
    public TxDescriptorFormat txDescriptorFormat()
    {
        return txDescriptorFormat;
    }

    /**
     * @param format legacy (Linux without offload) or extended data descriptors.
     * @return this.
     */
    public GuestDriverConfig txDescriptorFormat(final TxDescriptorFormat format)
    {
        this.txDescriptorFormat = format;
        return this;
    }

    /**
     * @return TIDV in 1.024 µs units; non-zero also sets IDE on the last descriptor of each frame.
     */
    public int txInterruptDelay()
    {
        return txInterruptDelay;
    }

    /**
     * @param units TIDV, 0..65535.
     * @return this.
     */
    public GuestDriverConfig txInterruptDelay(final int units)
    {
        this.txInterruptDelay = units;
        return this;
    }

    /**
     * @return TADV in 1.024 µs units.
     */
    public int txAbsInterruptDelay()
    {
        return txAbsInterruptDelay;
    }

    /**
     * @param units TADV, 0..65535.
     * @return this.
     */
    public GuestDriverConfig txAbsInterruptDelay(final int units)
    {
        this.txAbsInterruptDelay = units;
        return this;
    }

    /**
     * @return RDTR in 1.024 µs units.
     */
    public int rxInterruptDelay()
    {
        return rxInterruptDelay;
    }

    /**
     * @param units RDTR, 0..65535.
     * @return this.
     */
    public GuestDriverConfig rxInterruptDelay(final int units)
    {
        this.rxInterruptDelay = units;
        return this;
    }

    /**
     * @return RADV in 1.024 µs units.
     */
    public int rxAbsInterruptDelay()
    {
        return rxAbsInterruptDelay;
    }

    /**
     * @param units RADV, 0..65535.
     * @return this.
     */
    public GuestDriverConfig rxAbsInterruptDelay(final int units)
    {
        this.rxAbsInterruptDelay = units;
        return this;
    }

    /**
     * @return Linux {@code InterruptThrottleRate}: 0 off, 1 dynamic, 3 dynamic conservative, or 100..100000
     *     interrupts per second fixed.
     */
    public int interruptThrottleRate()
    {
        return interruptThrottleRate;
    }

    /**
     * @param setting 0, 1, 3 or a fixed rate 100..100000.
     * @return this.
     */
    public GuestDriverConfig interruptThrottleRate(final int setting)
    {
        this.interruptThrottleRate = setting;
        return this;
    }

    /**
     * @return RX descriptors harvested per NAPI poll.
     */
    public int napiBudget()
    {
        return napiBudget;
    }

    /**
     * @param budget positive.
     * @return this.
     */
    public GuestDriverConfig napiBudget(final int budget)
    {
        this.napiBudget = budget;
        return this;
    }

    /**
     * @return whether the model switches to CSB mode when the port's subsystem id says it is offered.
     */
    public boolean useCsbWhenOffered()
    {
        return useCsbWhenOffered;
    }

    /**
     * @param use false to drive a CSB-capable port like a plain 82540EM.
     * @return this.
     */
    public GuestDriverConfig useCsbWhenOffered(final boolean use)
    {
        this.useCsbWhenOffered = use;
        return this;
    }

    /**
     * @return whether EEPROM words are read through EERD rather than bit-banged through EECD.
     */
    public boolean eepromThroughEerd()
    {
        return eepromThroughEerd;
    }

    /**
     * Read EEPROM words through EERD (SDM 13.4.4: two register accesses a word) instead of bit-banging the Microwire
     * interface through EECD as Linux e1000 does for an 82540 (well over a hundred accesses a word). Not
     * Linux's access sequence: for load generators that set up many guests and measure only what follows the probe.
     *
     * @param on true to use EERD.
     * @return this.
     */
    public GuestDriverConfig eepromThroughEerd(final boolean on)
    {
        this.eepromThroughEerd = on;
        return this;
    }

    /**
     * @return RCTL.UPE|MPE at open.
     */
    public boolean promiscuous()
    {
        return promiscuous;
    }

    /**
     * @param on accept every unicast and multicast frame.
     * @return this.
     */
    public GuestDriverConfig promiscuous(final boolean on)
    {
        this.promiscuous = on;
        return this;
    }

    /**
     * @return CTRL.VME (Linux default: hardware VLAN stripping on).
     */
    public boolean vlanStrip()
    {
        return vlanStrip;
    }

    /**
     * @param on set CTRL.VME.
     * @return this.
     */
    public GuestDriverConfig vlanStrip(final boolean on)
    {
        this.vlanStrip = on;
        return this;
    }

    /**
     * Check every setting.
     *
     * @return this.
     * @throws IllegalArgumentException naming the first bad setting.
     */
    public GuestDriverConfig validate()
    {
        checkRing("txDescriptors", txDescriptors);
        checkRing("rxDescriptors", rxDescriptors);
        if (txBufferBytes < 64 || txBufferBytes > MAX_BYTES_PER_TX_DESCRIPTOR)
        {
            throw new IllegalArgumentException("txBufferBytes out of range 64.." + MAX_BYTES_PER_TX_DESCRIPTOR +
                ": " + txBufferBytes);
        }
        if (rxBufferBytes != 2048 && rxBufferBytes != 1024 && rxBufferBytes != 512 && rxBufferBytes != 256)
        {
            throw new IllegalArgumentException("rxBufferBytes must be 2048, 1024, 512 or 256: " + rxBufferBytes);
        }
        checkTimer("txInterruptDelay", txInterruptDelay);
        checkTimer("txAbsInterruptDelay", txAbsInterruptDelay);
        checkTimer("rxInterruptDelay", rxInterruptDelay);
        checkTimer("rxAbsInterruptDelay", rxAbsInterruptDelay);
        final int itr = interruptThrottleRate;
        if (itr != ITR_OFF && itr != ITR_DYNAMIC && itr != ITR_DYNAMIC_CONSERVATIVE && (itr < 100 || itr > 100_000))
        {
            throw new IllegalArgumentException("interruptThrottleRate must be 0, 1, 3 or 100..100000: " + itr);
        }
        if (napiBudget <= 0)
        {
            throw new IllegalArgumentException("napiBudget must be positive: " + napiBudget);
        }
        if (null == txDescriptorFormat)
        {
            throw new IllegalArgumentException("txDescriptorFormat must be set");
        }
        return this;
    }

    private static void checkRing(final String name, final int count)
    {
        if (count < DESCRIPTOR_MULTIPLE || count > MAX_DESCRIPTORS || 0 != count % DESCRIPTOR_MULTIPLE)
        {
            throw new IllegalArgumentException(name + " must be a multiple of " + DESCRIPTOR_MULTIPLE + " in " +
                DESCRIPTOR_MULTIPLE + ".." + MAX_DESCRIPTORS + ": " + count);
        }
    }

    private static void checkTimer(final String name, final int units)
    {
        if (units < 0 || units > 0xFFFF)
        {
            throw new IllegalArgumentException(name + " out of range 0..65535: " + units);
        }
    }
}
