package io.sidecore.tools.guest;

/**
 * Which descriptor the driver model puts a frame's buffers in (SDM 3.3.3, 3.3.7).
 */
public enum TxDescriptorFormat
{
    /** Legacy descriptors (DEXT = 0): what Linux e1000 emits for a frame without checksum offload or TSO. */
    LEGACY,
    /** Extended TCP/IP data descriptors (DEXT = 1, DTYP = 0001) with no offload requested (POPTS = 0). */
    DATA
}
