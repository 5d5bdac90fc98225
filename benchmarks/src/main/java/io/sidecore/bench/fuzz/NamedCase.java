package io.sidecore.bench.fuzz;

/**
 * The fuzzer's named adversarial inputs, each with the outcome the device must produce (see {@link FuzzCases}); the
 * QEMU e1000 CVE triggers of the conformance checklist (§6) carry their CVE.
 */
enum NamedCase
{
    TX_VALID("tx-valid", null),
    TX_BUFFER_OUTSIDE("tx-buffer-outside", null),
    TX_BUFFER_STRADDLES_END("tx-buffer-straddles-end", null),
    TX_BUFFER_SPANS_REGIONS("tx-buffer-spans-regions", null),
    TX_BUFFER_WRAPS("tx-buffer-wraps-2^64", null),
    TX_BUFFER_DOORBELL_PAGE("tx-buffer-at-doorbell-page", null),
    TX_BUFFER_IN_ROM("tx-buffer-in-rom", null),
    TX_LENGTH_ZERO_EOP("tx-length-0-eop", null),
    TX_LEGACY_0XFFFF_CHAIN("tx-legacy-0xffff-chain-without-eop", "CVE-2012-0029"),
    TX_DATA_CHAIN_OVER_64K("tx-data-chain-without-eop-over-64k", null),
    TX_RUNT("tx-runt", null),
    TX_CONTEXT_MID_PACKET("tx-context-in-middle-of-packet", "VirtualBox-2018-e1000"),
    TX_MIXED_KINDS("tx-legacy-then-data", null),
    TX_TSE_WITHOUT_CONTEXT("tx-tse-without-context", null),
    TX_TSO_HDRLEN_MSS_ZERO("tx-tso-hdrlen-0-mss-0", "CVE-2015-6815"),
    TX_TSO_MSS_ZERO("tx-tso-mss-0", null),
    TX_TSO_HEADER_BEYOND_PACKET("tx-tso-header-beyond-packet", null),
    TX_TSO_AFTER_LEGACY("tx-tso-after-legacy-past-limit", "CVE-2021-20257a"),
    TX_TSO_TINY_MSS("tx-tso-tiny-mss", null),
    TX_RESERVED_DTYP("tx-reserved-dtyp", null),
    TX_CHECKSUM_OFFSET_BEYOND("tx-checksum-offset-beyond-packet", null),
    TX_TO_SELF("tx-to-own-mac", null),
    TX_SPOOFED_SOURCE("tx-spoofed-source-mac", null),
    TX_MAC_FLOOD("tx-mac-table-flood", null),
    TX_CROSS_SHARD_BURST("tx-cross-sidecore-burst", null),
    TX_TSO_FLOOD_CROSS_SHARD("tx-tso-tiny-mss-to-other-sidecore", null),
    TX_LOOPBACK_DMA_INTO_TDT("tx-phy-loopback-rx-dma-into-tdt", "CVE-2021-20257b"),
    TX_LOOPBACK_DMA_INTO_REGISTERS("tx-phy-loopback-rx-dma-into-registers", "CVE-2021-3416"),
    TX_LOOPBACK_OWN_RING("tx-phy-loopback-into-own-ring", null),
    TX_LINK_DOWN("tx-while-link-down", null),
    TX_RESET_MID_TSO("tx-reset-during-tso-packet", null),
    TX_FLOOD_STORM("tx-broadcast-multicast-storm", null),
    WIRE_REFUSES("wire-refuses-frame", null),
    LOOPBACK_OVERSIZE("loopback-oversize", null),
    RX_VALID("rx-valid", null),
    RX_JUMBO_LPE_OFF("rx-jumbo-without-lpe", "CVE-2012-6075"),
    RX_RUNT("rx-runt", null),
    RX_UNICAST_OTHER("rx-unicast-to-other-mac", null),
    RX_VLAN_FILTERED("rx-vlan-not-in-vfta", null),
    RX_DISABLED("rx-receiver-disabled", null),
    RX_RING_FULL("rx-ring-full", null),
    RX_NULL_BUFFERS("rx-ring-of-null-buffers", "CVE-2020-28916"),
    RX_BUFFER_OUTSIDE("rx-buffer-outside", null),
    RX_BUFFER_STRADDLES_END("rx-buffer-straddles-end", null),
    RX_BUFFER_IN_ROM("rx-buffer-in-rom", null),
    RX_BUFFER_DOORBELL_PAGE("rx-buffer-at-doorbell-page", null),
    RX_BSIZE_256("rx-256-byte-buffers", null),
    RX_BSEX_PAST_END("rx-16k-buffer-past-region-end", null),
    RX_SPARSE_BUFFERS("rx-sparse-buffers-in-null-ring", null),
    RX_TAP_GSO_SIZE_BELOW_FLOOR("rx-tap-gso-size-below-floor", null),
    RX_TAP_GSO_FRAME("rx-tap-gso-frame", null),
    TX_TAIL_BEYOND_RING("tx-tail-beyond-ring", null),
    TX_HEAD_BEYOND_RING("tx-head-beyond-small-ring", "CVE-2016-1981"),
    TX_RING_LENGTH_ZERO("tx-tdlen-0", "CVE-2016-1981"),
    TX_RING_LENGTH_NOT_MULTIPLE("tx-tdlen-not-multiple-of-128", null),
    TX_RING_OUTSIDE("tx-ring-outside-memory", null),
    TX_RING_STRADDLES_END("tx-ring-straddles-region-end", null),
    RX_TAIL_BEYOND_RING("rx-tail-beyond-ring", null),
    RX_HEAD_BEYOND_RING("rx-head-beyond-small-ring", "CVE-2016-1981"),
    RX_RING_LENGTH_ZERO("rx-rdlen-0", "CVE-2016-1981"),
    RX_RING_OUTSIDE("rx-ring-outside-memory", null),
    RX_RING_IN_ROM("rx-ring-in-rom", null),
    CSB_OUTSIDE("csb-outside-memory", null),
    CSB_STRADDLES_END("csb-straddles-region-end", null),
    ICS_STORM("ics-interrupt-storm", null),
    RESET_STORM("reset-storm", null),
    BAD_REGISTER_ACCESS("misaligned-register-access", null),
    MDIC_BAD_PHY("mdic-phy-address-2", null);

    private final String caseName;
    private final String cve;

    NamedCase(final String caseName, final String cve)
    {
        this.caseName = caseName;
        this.cve = cve;
    }

    String caseName()
    {
        return caseName;
    }

    String cve()
    {
        return cve;
    }
}
