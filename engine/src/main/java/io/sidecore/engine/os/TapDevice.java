package io.sidecore.engine.os;

import io.sidecore.shm.os.Errno;
import io.sidecore.shm.os.Fds;
import io.sidecore.shm.os.LibC;
import io.sidecore.shm.os.OsException;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * A TUN/TAP device opened through {@code /dev/net/tun} ({@code Documentation/networking/tuntap.rst}): one
 * descriptor on which every {@code read} returns one frame the host kernel sends out of the interface and every
 * {@code write} injects one frame the kernel receives on it. With {@link #IFF_VNET_HDR} each frame is preceded by a
 * {@code struct virtio_net_hdr} carrying GSO and checksum-offload metadata.
 * <p>
 * {@link #read} and {@link #write} allocate nothing and report failures as negative errno values (EAGAIN is routine
 * for a non-blocking device); configuration calls throw {@link OsException}. One thread at a time.
 */
public final class TapDevice implements AutoCloseable
{
    /** The TUN/TAP clone device. */
    public static final String CLONE_DEVICE = "/dev/net/tun";
    /** Interface names are at most 15 bytes (IFNAMSIZ 16 with the NUL). */
    public static final int MAX_NAME_BYTES = 15;

    /** Layer 3 device. */
    public static final int IFF_TUN = 0x0001;
    /** Layer 2 (Ethernet) device. */
    public static final int IFF_TAP = 0x0002;
    /** No 4-byte packet-information prefix. */
    public static final int IFF_NO_PI = 0x1000;
    /** Frames carry a {@code virtio_net_hdr} prefix. */
    public static final int IFF_VNET_HDR = 0x4000;
    /** Fail with EBUSY instead of attaching when the device exists. */
    public static final int IFF_TUN_EXCL = 0x8000;
    /** Several queues (descriptors) per device. */
    public static final int IFF_MULTI_QUEUE = 0x0100;

    /** Offload: the reader completes partial checksums. */
    public static final int TUN_F_CSUM = 0x01;
    /** Offload: the reader segments TCPv4 GSO frames. */
    public static final int TUN_F_TSO4 = 0x02;
    /** Offload: the reader segments TCPv6 GSO frames. */
    public static final int TUN_F_TSO6 = 0x04;
    /** Offload: the reader handles TSO with ECN/CWR. */
    public static final int TUN_F_TSO_ECN = 0x08;

    /** {@code _IOW('T', 202, int)}. */
    public static final long TUNSETIFF = 0x400454caL;
    /** {@code _IOW('T', 203, int)}. */
    public static final long TUNSETPERSIST = 0x400454cbL;
    /** {@code _IOR('T', 207, unsigned int)}. */
    public static final long TUNGETFEATURES = 0x800454cfL;
    /** {@code _IOW('T', 208, unsigned int)}. */
    public static final long TUNSETOFFLOAD = 0x400454d0L;
    /** {@code _IOR('T', 210, unsigned int)}. */
    public static final long TUNGETIFF = 0x800454d2L;
    /** {@code _IOR('T', 215, int)}. */
    public static final long TUNGETVNETHDRSZ = 0x800454d7L;
    /** {@code _IOW('T', 216, int)}. */
    public static final long TUNSETVNETHDRSZ = 0x400454d8L;

    /** {@code SIOCGIFFLAGS}: read an interface's flags by name. */
    public static final long SIOCGIFFLAGS = 0x8913L;
    /** {@code SIOCGIFINDEX}: read an interface's index by name. */
    public static final long SIOCGIFINDEX = 0x8933L;
    /** Interface flag: administratively up. */
    public static final int INTERFACE_UP = 0x1;
    /** Interface flag: operationally up (carrier present). */
    public static final int INTERFACE_RUNNING = 0x40;

    /** {@code struct ifreq}: 16 name bytes then a 24-byte union whose first member here is {@code short flags}. */
    private static final int IFREQ_BYTES = 40;
    private static final int IFREQ_FLAGS_OFFSET = 16;

    private final int fd;
    private final String name;
    private final int flags;
    private final int controlSocket;
    private final Arena arena;
    private final MemorySegment callState;
    // Reads and writes of a non-blocking descriptor are critical downcalls (allocation-free from the first call);
    // those of a blocking one keep errno capture, since a critical call must not block (it holds off safepoints).
    private boolean nonBlocking;
    private final MemorySegment interfaceRequest;
    private final MemorySegment deviceRequest;
    private int interfaceIndex;
    private boolean carrierVisible = true;
    private boolean closed;

    private TapDevice(final int fd, final String name, final int flags, final int controlSocket)
    {
        // Here, on the thread opening the device, not on the sidecore's at its first read (see the method); first,
        // before this object owns anything it would have to release.
        LibC.linkDataPathCalls();
        this.fd = fd;
        this.name = name;
        this.flags = flags;
        this.controlSocket = controlSocket;
        this.arena = Arena.ofShared();
        this.callState = LibC.allocateCallState(arena);
        this.interfaceRequest = arena.allocate(IFREQ_BYTES, 8);
        this.deviceRequest = arena.allocate(IFREQ_BYTES, 8);
        final byte[] nameBytes = name.getBytes(StandardCharsets.US_ASCII);
        MemorySegment.copy(nameBytes, 0, interfaceRequest, JAVA_BYTE, 0,
            Math.min(nameBytes.length, MAX_NAME_BYTES));
        this.interfaceIndex = controlSocket < 0 ? 0 : indexByName();
        this.nonBlocking = Fds.isNonBlocking(fd);
    }

    /**
     * Create the interface {@code name}, or attach to it when it exists (a persistent TAP made by
     * {@code ip tuntap add} or {@link #setPersistent}). The device lives in the network namespace of the calling
     * thread. A non-persistent device disappears when its last descriptor closes.
     *
     * @param name        interface name, at most {@link #MAX_NAME_BYTES}; a pattern such as {@code "sc%d"} lets the
     *                    kernel choose.
     * @param ifFlags     {@link #IFF_TAP} | {@link #IFF_NO_PI} | {@link #IFF_VNET_HDR} ...
     * @param nonBlocking open with O_NONBLOCK (for polling).
     * @return the open device.
     * @throws OsException with the errno and a hint (no /dev/net/tun, no CAP_NET_ADMIN, busy, flag mismatch).
     */
    public static TapDevice open(final String name, final int ifFlags, final boolean nonBlocking)
    {
        final byte[] nameBytes = name.getBytes(StandardCharsets.US_ASCII);
        if (nameBytes.length == 0 || nameBytes.length > MAX_NAME_BYTES)
        {
            throw new IllegalArgumentException("interface name must be 1.." + MAX_NAME_BYTES + " bytes: " + name);
        }
        try (Arena scratch = Arena.ofConfined())
        {
            final MemorySegment state = LibC.allocateCallState(scratch);
            final int openFlags = LibC.O_RDWR | LibC.O_CLOEXEC | (nonBlocking ? LibC.O_NONBLOCK : 0);
            final int fd = LibC.open(state, scratch.allocateFrom(CLONE_DEVICE), openFlags, 0);
            if (fd < 0)
            {
                final int errno = LibC.errno(state);
                throw new OsException("open(" + CLONE_DEVICE + ")", errno, errno == Errno.ENOENT ?
                    "the tun module is missing: modprobe tun, or create the node (mknod /dev/net/tun c 10 200)" :
                    "opening " + CLONE_DEVICE + " needs read-write access");
            }
            final MemorySegment ifreq = scratch.allocate(IFREQ_BYTES, 8);
            MemorySegment.copy(nameBytes, 0, ifreq, JAVA_BYTE, 0, nameBytes.length);
            ifreq.set(JAVA_SHORT, IFREQ_FLAGS_OFFSET, (short)ifFlags);
            if (LibC.ioctl(state, fd, TUNSETIFF, ifreq) < 0)
            {
                final int errno = LibC.errno(state);
                LibC.close(state, fd);
                throw new OsException("TUNSETIFF(name=" + name + ", flags=0x" + Integer.toHexString(ifFlags) + ")",
                    errno, hintForSetIff(errno));
            }
            final String actualName = ifreq.getString(0, StandardCharsets.US_ASCII);
            // Opened in the same thread, so in the TAP's network namespace: interface ioctls by name find it there.
            final int controlSocket = LibC.socket(state, LibC.AF_INET, LibC.SOCK_DGRAM | LibC.SOCK_CLOEXEC, 0);
            if (controlSocket < 0)
            {
                final int errno = LibC.errno(state);
                LibC.close(state, fd);
                throw new OsException("socket(AF_INET, SOCK_DGRAM) for the carrier of " + actualName, errno);
            }
            return new TapDevice(fd, actualName, ifFlags, controlSocket);
        }
    }

    private static String hintForSetIff(final int errno)
    {
        return switch (errno)
        {
            case Errno.EPERM -> "creating or attaching a TAP needs CAP_NET_ADMIN (or the device's owner/group)";
            case Errno.EBUSY -> "another process is attached to this single-queue device";
            case Errno.EINVAL -> "the device exists with other flags (TUN vs TAP, multi-queue) or the name is bad";
            case Errno.EEXIST -> "a non-TUN/TAP interface already has this name";
            default -> "see Documentation/networking/tuntap.rst";
        };
    }

    /**
     * Wrap a descriptor that speaks TAP framing (one frame, with the virtio_net_hdr when {@code ifFlags} say so,
     * per read and write): a TAP queue passed by another process, or a SOCK_SEQPACKET socket in tests.
     *
     * @param fd      descriptor; owned and closed by the wrapper.
     * @param name    label.
     * @param ifFlags the flags the descriptor was set up with.
     * @return the wrapper.
     */
    public static TapDevice adopt(final int fd, final String name, final int ifFlags)
    {
        if (fd < 0)
        {
            throw new IllegalArgumentException("bad descriptor: " + fd);
        }
        return new TapDevice(fd, name, ifFlags, -1);
    }

    /**
     * @return the interface name the kernel assigned.
     */
    public String name()
    {
        return name;
    }

    /**
     * @return the descriptor.
     */
    public int fd()
    {
        return fd;
    }

    /**
     * @return the IFF_* flags requested at open.
     */
    public int flags()
    {
        return flags;
    }

    /**
     * @return the IFF_* flags the kernel's TUN driver supports ({@code TUNGETFEATURES}).
     */
    public int features()
    {
        try (Arena scratch = Arena.ofConfined())
        {
            final MemorySegment value = scratch.allocate(JAVA_INT);
            check(LibC.ioctl(callState, fd, TUNGETFEATURES, value), "TUNGETFEATURES");
            return value.get(JAVA_INT, 0);
        }
    }

    /**
     * Tell the kernel which offloads this reader handles ({@code TUNSETOFFLOAD}): with {@link #TUN_F_CSUM} frames
     * may arrive with partial checksums, with {@link #TUN_F_TSO4}/{@link #TUN_F_TSO6} as GSO super-frames. The
     * kernel also turns the matching features on for the interface (so the host stack sends it big segments).
     *
     * @param offloadFlags {@code TUN_F_*}; TSO needs CSUM.
     * @throws OsException EINVAL when the kernel does not know a flag.
     */
    public void setOffload(final int offloadFlags)
    {
        check(LibC.ioctl(callState, fd, TUNSETOFFLOAD, offloadFlags & 0xFFFF_FFFFL),
            "TUNSETOFFLOAD(0x" + Integer.toHexString(offloadFlags) + ")");
    }

    /**
     * Set the size of the virtio_net_hdr prefix ({@code TUNSETVNETHDRSZ}): 10 for the legacy header, 12 with
     * {@code num_buffers}.
     *
     * @param sizeBytes at least 10.
     */
    public void setVnetHeaderSize(final int sizeBytes)
    {
        try (Arena scratch = Arena.ofConfined())
        {
            final MemorySegment value = scratch.allocate(JAVA_INT);
            value.set(JAVA_INT, 0, sizeBytes);
            check(LibC.ioctl(callState, fd, TUNSETVNETHDRSZ, value), "TUNSETVNETHDRSZ(" + sizeBytes + ")");
        }
    }

    /**
     * @return the virtio_net_hdr prefix size ({@code TUNGETVNETHDRSZ}).
     */
    public int vnetHeaderSize()
    {
        try (Arena scratch = Arena.ofConfined())
        {
            final MemorySegment value = scratch.allocate(JAVA_INT);
            check(LibC.ioctl(callState, fd, TUNGETVNETHDRSZ, value), "TUNGETVNETHDRSZ");
            return value.get(JAVA_INT, 0);
        }
    }

    /**
     * Make the interface outlive its descriptors, or undo that ({@code TUNSETPERSIST}).
     *
     * @param persistent true to keep the interface after close.
     */
    public void setPersistent(final boolean persistent)
    {
        check(LibC.ioctl(callState, fd, TUNSETPERSIST, persistent ? 1L : 0L), "TUNSETPERSIST(" + persistent + ")");
    }

    /**
     * Set or clear non-blocking mode.
     *
     * @param nonBlocking true for polling.
     */
    public void setNonBlocking(final boolean nonBlocking)
    {
        Fds.setNonBlocking(fd, nonBlocking);
        this.nonBlocking = nonBlocking;
    }

    /**
     * Read one frame (with its virtio_net_hdr when configured). Allocation-free; from the first call when the
     * descriptor is non-blocking, as the data path's are ({@link LibC#readOrMinusErrno}).
     *
     * @param buffer   native destination.
     * @param capacity bytes available; a longer frame is truncated by the kernel.
     * @return bytes read, or a negative errno ({@code -Errno.EAGAIN} when nothing is pending).
     */
    public int read(final MemorySegment buffer, final int capacity)
    {
        if (nonBlocking)
        {
            return (int)LibC.readOrMinusErrno(fd, buffer, capacity);
        }
        final long result = LibC.read(callState, fd, buffer, capacity);
        return result >= 0 ? (int)result : -LibC.errno(callState);
    }

    /**
     * Write one frame (with its virtio_net_hdr when configured). Allocation-free; from the first call when the
     * descriptor is non-blocking, as the data path's are ({@link LibC#writeOrMinusErrno}).
     *
     * @param buffer      native source.
     * @param lengthBytes bytes.
     * @return bytes written, or a negative errno (EINVAL for a bad virtio_net_hdr, EIO when the link is down,
     * EAGAIN).
     */
    public int write(final MemorySegment buffer, final int lengthBytes)
    {
        if (nonBlocking)
        {
            return (int)LibC.writeOrMinusErrno(fd, buffer, lengthBytes);
        }
        final long result = LibC.write(callState, fd, buffer, lengthBytes);
        return result >= 0 ? (int)result : -LibC.errno(callState);
    }

    /**
     * Whether the host side of the TAP passes frames: the interface is administratively up and has carrier
     * ({@code IFF_UP} and {@code IFF_RUNNING} from {@code SIOCGIFFLAGS}, asked in the namespace the TAP was opened
     * in). {@code ip link set IF down} or {@code ip link set IF carrier off} clears it; an interface that was deleted
     * (the descriptor is detached: {@code TUNGETIFF} fails) has none. A descriptor adopted from elsewhere has no
     * interface to ask and always reports carrier.
     * <p>
     * The flags are asked by name in this process's namespace, so an interface that was renamed or moved into another
     * network namespace ({@code ip link set IF netns NS}, as a host that gives each TAP a namespace of its own does)
     * is not found by its old name, and an interface of another device may have taken the name. So the name's index
     * is compared with the TAP's, and when they differ the descriptor itself is asked for its interface
     * ({@code TUNGETIFF}): a renamed interface is followed under its new name; one in another namespace cannot be
     * observed from here and reports carrier (its frames still flow through the descriptor; {@link #isCarrierVisible}
     * says so), rather than holding the port's link down forever. Two or three system calls, no allocation even
     * when not compiled (the sidecore calls it ten times a second): its ioctls keep no errno, which it never reads.
     * <p>
     * When the interface's index could not be found as the TAP was opened, each call asks again (the descriptor's
     * current name by {@code TUNGETIFF}, then its index): the backend calls this at its carrier-check cadence, not
     * every pass, so the retries are bounded. Until the index is found the carrier is assumed and reported unknown
     * ({@link #isCarrierVisible} false), never taken for a carrier that was read; a descriptor the kernel no longer
     * ties to any interface ({@code TUNGETIFF} fails: the interface was deleted) has no carrier. The retried index is
     * looked up by name in the daemon's namespace: an interface of the same name that appeared here after the TAP
     * moved away would be taken for it (as with a rename, the limit of following by name).
     *
     * @return true with carrier.
     */
    public boolean hasCarrier()
    {
        if (controlSocket < 0)
        {
            carrierVisible = false;
            return true;
        }
        if (interfaceIndex < 0)
        {
            if (LibC.ioctlWithoutErrno(fd, TUNGETIFF, deviceRequest) < 0)
            {
                carrierVisible = true;
                return false;
            }
            MemorySegment.copy(deviceRequest, 0, interfaceRequest, 0, IFREQ_FLAGS_OFFSET);
            interfaceIndex = indexByName();
            if (interfaceIndex < 0)
            {
                carrierVisible = false;
                return true;
            }
        }
        if (indexByName() != interfaceIndex)
        {
            if (LibC.ioctlWithoutErrno(fd, TUNGETIFF, deviceRequest) < 0)
            {
                return false;
            }
            // TUNGETIFF gives the interface's current name: a rename within this namespace is followed.
            MemorySegment.copy(deviceRequest, 0, interfaceRequest, 0, IFREQ_FLAGS_OFFSET);
            if (indexByName() != interfaceIndex)
            {
                carrierVisible = false;
                return true;
            }
        }
        carrierVisible = true;
        interfaceRequest.set(JAVA_SHORT, IFREQ_FLAGS_OFFSET, (short)0);
        if (LibC.ioctlWithoutErrno(controlSocket, SIOCGIFFLAGS, interfaceRequest) < 0)
        {
            return false;
        }
        final int interfaceFlags = interfaceRequest.get(JAVA_SHORT, IFREQ_FLAGS_OFFSET);
        return (INTERFACE_UP | INTERFACE_RUNNING) == (interfaceFlags & (INTERFACE_UP | INTERFACE_RUNNING));
    }

    /**
     * @return false when the last {@link #hasCarrier} found the interface outside this process's network namespace,
     *         where its flags cannot be read, or could not find its index, or the descriptor was adopted without an
     *         interface to ask (its carrier is then assumed: unknown).
     */
    public boolean isCarrierVisible()
    {
        return carrierVisible;
    }

    /**
     * Test hook: forget the interface's index as if its lookup when the TAP was opened had failed (an ioctl error
     * there cannot be provoked from outside the process).
     */
    public void forgetInterfaceIndex()
    {
        interfaceIndex = -1;
    }

    /**
     * @return the index of the interface that has the TAP's name in this namespace, or -1 when none has it.
     */
    private int indexByName()
    {
        interfaceRequest.set(JAVA_INT, IFREQ_FLAGS_OFFSET, 0);
        if (LibC.ioctlWithoutErrno(controlSocket, SIOCGIFINDEX, interfaceRequest) < 0)
        {
            return -1;
        }
        return interfaceRequest.get(JAVA_INT, IFREQ_FLAGS_OFFSET);
    }

    /**
     * Close the descriptor (a non-persistent interface goes away). Idempotent.
     */
    public void close()
    {
        if (!closed)
        {
            closed = true;
            if (controlSocket >= 0)
            {
                LibC.close(callState, controlSocket);
            }
            Fds.closeWithArena(callState, fd, arena, "tap=" + name);
        }
    }

    private void check(final int result, final String operation)
    {
        if (result < 0)
        {
            throw new OsException(operation + " on " + name, LibC.errno(callState));
        }
    }
}
