/**
 * Packet arithmetic shared by the device model and the backends: the Internet checksum (RFC 1071) with the TCP/UDP
 * pseudo header, and the header fields and per-segment header fix-up that TCP segmentation offload (the device,
 * SDM 3.5) and generic segmentation (the TAP backend, Linux GSO) both need. Stateless, allocation-free; callers pass
 * ranges they have validated.
 */
package io.sidecore.engine.net;
