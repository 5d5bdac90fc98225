package io.sidecore.engine.net;

/**
 * Field offsets and sizes of the Ethernet, IPv4 (RFC 791), IPv6 (RFC 8200), TCP (RFC 9293) and UDP (RFC 768)
 * headers the engine reads or rewrites. Offsets are from the start of their own header; multi-byte fields are
 * big-endian on the wire.
 */
public final class PacketHeaders
{
    /** Ethernet header without tags: destination, source, EtherType. */
    public static final int ETHERNET_HEADER_BYTES = 14;
    /** EtherType (or TPID of a tag) after the two addresses. */
    public static final int ETHER_TYPE_OFFSET = 12;
    /** An 802.1Q/802.1ad tag: TPID and TCI. */
    public static final int VLAN_TAG_BYTES = 4;
    /** EtherType IPv4. */
    public static final int ETHERTYPE_IPV4 = 0x0800;
    /** EtherType IPv6. */
    public static final int ETHERTYPE_IPV6 = 0x86DD;
    /** EtherType (TPID) of an 802.1Q VLAN tag. */
    public static final int ETHERTYPE_VLAN = 0x8100;
    /** EtherType (TPID) of an 802.1ad service tag. */
    public static final int ETHERTYPE_QINQ = 0x88A8;

    /** IP protocol number of TCP. */
    public static final int PROTOCOL_TCP = 6;
    /** IP protocol number of UDP. */
    public static final int PROTOCOL_UDP = 17;

    /** IPv4 header without options (IHL 5). */
    public static final int IPV4_MIN_HEADER_BYTES = 20;
    /** IPv4 total length. */
    public static final int IPV4_TOTAL_LENGTH_OFFSET = 2;
    /** IPv4 identification. */
    public static final int IPV4_IDENTIFICATION_OFFSET = 4;
    /** IPv4 flags and fragment offset. */
    public static final int IPV4_FRAGMENT_OFFSET = 6;
    /** IPv4 MF flag and fragment offset: non-zero for a fragment. */
    public static final int IPV4_FRAGMENT_MASK = 0x3FFF;
    /** IPv4 protocol. */
    public static final int IPV4_PROTOCOL_OFFSET = 9;
    /** IPv4 header checksum. */
    public static final int IPV4_CHECKSUM_OFFSET = 10;
    /** IPv4 source address, followed by the destination. */
    public static final int IPV4_SOURCE_OFFSET = 12;
    /** IPv4 source and destination addresses. */
    public static final int IPV4_ADDRESSES_BYTES = 8;

    /** IPv6 fixed header. */
    public static final int IPV6_HEADER_BYTES = 40;
    /** IPv6 payload length (everything after the fixed header). */
    public static final int IPV6_PAYLOAD_LENGTH_OFFSET = 4;
    /** IPv6 next header. */
    public static final int IPV6_NEXT_HEADER_OFFSET = 6;
    /** IPv6 source address, followed by the destination. */
    public static final int IPV6_SOURCE_OFFSET = 8;
    /** IPv6 source and destination addresses. */
    public static final int IPV6_ADDRESSES_BYTES = 32;

    /** TCP header without options. */
    public static final int TCP_MIN_HEADER_BYTES = 20;
    /** TCP sequence number. */
    public static final int TCP_SEQUENCE_OFFSET = 4;
    /** TCP data offset (header length in 32-bit words, high nibble). */
    public static final int TCP_DATA_OFFSET_OFFSET = 12;
    /** TCP flags (CWR ECE URG ACK PSH RST SYN FIN). */
    public static final int TCP_FLAGS_OFFSET = 13;
    /** TCP checksum. */
    public static final int TCP_CHECKSUM_OFFSET = 16;
    /** TCP FIN flag. */
    public static final int TCP_FLAG_FIN = 0x01;
    /** TCP PSH flag. */
    public static final int TCP_FLAG_PSH = 0x08;
    /** TCP CWR flag (RFC 3168). */
    public static final int TCP_FLAG_CWR = 0x80;

    /** UDP header. */
    public static final int UDP_HEADER_BYTES = 8;
    /** UDP length (header and payload). */
    public static final int UDP_LENGTH_OFFSET = 4;
    /** UDP checksum. */
    public static final int UDP_CHECKSUM_OFFSET = 6;

    private PacketHeaders()
    {
    }
}
