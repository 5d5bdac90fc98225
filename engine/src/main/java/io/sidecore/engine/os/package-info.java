/**
 * The engine's own operating-system edge: the TUN/TAP device behind a port's TAP backend. The general bindings
 * (eventfd, memfd, mmap, poll, ...) live in {@code io.sidecore.shm.os}, shared with the guest-side tools.
 */
package io.sidecore.engine.os;
