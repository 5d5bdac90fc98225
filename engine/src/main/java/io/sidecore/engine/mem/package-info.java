/**
 * Guest memory as the VMM maps it. {@link io.sidecore.engine.mem.GuestMemoryMapper} checks and maps a VMM's
 * guest-memory file (sealed against shrinking, so no truncation can fault the daemon) into a
 * {@link io.sidecore.engine.mem.GuestMemoryRegion}; {@link io.sidecore.engine.mem.GuestMemory} holds a port's regions
 * as DMA_MAP/DMA_UNMAP add and remove them, and translates every guest-physical range the device touches, for
 * reading or writing, with overflow-safe checks, no allocation and one counted reason per refusal.
 */
package io.sidecore.engine.mem;
