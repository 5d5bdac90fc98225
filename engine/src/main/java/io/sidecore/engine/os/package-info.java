/**
 * The operating-system edge of the engine: a small binding of the Linux calls sidecore needs (eventfd,
 * memfd_create, mmap, ftruncate, poll, read/write, TUN/TAP ioctls, pidfd_getfd, setns) through the Foreign Function
 * &amp; Memory API, without JNI.
 * <p>
 * {@link io.sidecore.engine.os.LibC} holds the raw bindings (static final method handles, errno captured by the
 * linker). The typed classes ({@link io.sidecore.engine.os.EventFd}, {@link io.sidecore.engine.os.MemFd},
 * {@link io.sidecore.engine.os.Mmap}, {@link io.sidecore.engine.os.TapDevice}, {@link io.sidecore.engine.os.Fds})
 * preallocate what their hot calls need and report failures as {@link io.sidecore.engine.os.OsException}s that name
 * the call, the errno and the kernel's text for it. The JVM must run with {@code --enable-native-access}.
 */
package io.sidecore.engine.os;
