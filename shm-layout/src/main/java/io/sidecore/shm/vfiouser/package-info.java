/**
 * The vfio-user wire contract as QEMU 11.1's {@code vfio-user-pci} client speaks it: one final descriptor class per
 * message (header, VERSION, DMA_MAP, DMA_UNMAP, DEVICE_GET_INFO, DEVICE_GET_REGION_INFO with the sparse-mmap
 * capability, DEVICE_GET_IRQ_INFO, DEVICE_SET_IRQS, REGION_READ/WRITE, REGION_WRITE_MULTI, DEVICE_FEATURE) with an
 * ASCII diagram, offset constants, flags and the size limits QEMU enforces on replies; the command numbers
 * ({@link io.sidecore.shm.vfiouser.VfioUserCommand}) and errno values ({@link io.sidecore.shm.vfiouser.VfioUserErrno}).
 * <p>
 * The daemon's server (launcher) and the synthetic guest's client (tools) both build and parse messages from these
 * constants; neither links the other. Every field is host order (little-endian on x86-64) and every structure is
 * packed. Where QEMU and the written specification differ, QEMU's behaviour is what is described: QEMU is the
 * peer.
 */
package io.sidecore.shm.vfiouser;
