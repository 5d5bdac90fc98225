/**
 * The operating-system edge shared by the daemon and the guest-side tools: a small binding of the Linux calls
 * sidecore needs (eventfd, memfd_create, mmap, ftruncate, poll, read/write, the TUN/TAP ioctls the engine's
 * {@code TapDevice} uses, pidfd_getfd, setns) through the Foreign Function &amp; Memory API, without JNI.
 * <p>
 * It lives in the contracts module because both sides of a shared-memory contract need it: the daemon maps guest
 * memory and doorbell pages and signals eventfds; a VMM or the synthetic guest creates the memfds and eventfds it
 * hands over. Neither side links the other.
 * <p>
 * {@link io.sidecore.shm.os.LibC} holds the raw bindings (static final method handles, errno captured by the
 * linker). The typed classes ({@link io.sidecore.shm.os.EventFd}, {@link io.sidecore.shm.os.MemFd},
 * {@link io.sidecore.shm.os.Mmap}, {@link io.sidecore.shm.os.Fds}) preallocate what their hot calls need and report
 * failures as {@link io.sidecore.shm.os.OsException}s that name the call, the errno and the kernel's text for it.
 * The JVM must run with {@code --enable-native-access}.
 */
package io.sidecore.shm.os;
