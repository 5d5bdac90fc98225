package io.sidecore.shm.control;

/**
 * The control protocol of the sidecore daemon: the contract between the daemon and its clients ({@code ctl}, the
 * synthetic {@code guest}, VMMs that attach natively), on the daemon's control socket (a Unix stream socket).
 * <pre>
 *   connection                          client                         daemon
 *   ----------                          ------                         ------
 *   accept, SO_PEERCRED checked   ◄──── connect
 *                                       (refused: one error response line, then the end of the
 *                                        stream; closed when the peer hangs up, at most 1 s later)
 *   JSON mode (any number of)           {"version":1,"id":7,            {"version":1,"id":7,"ok":true,
 *                                        "command":"list"}\n  ───────►   "result":{...}}\n
 *                                                             ◄───────  or "ok":false,"error":{"code":..,
 *                                                                        "message":..}
 *   attach (fds by SCM_RIGHTS      ───► {"command":"attach",...}\n + fds
 *   on the request's first byte)   ◄─── {"ok":true,"result":{...}}\n + fds (port region, [sidecore kick])
 *   binary mode (until close)      ───► trapped access, 16 bytes ({@link TrappedAccessMessage})
 *                                  ◄─── reply, 16 bytes
 *   close (or the client dies)          the port returns to power-on state; what the guest brought is released
 * </pre>
 * <b>JSON mode.</b> One request per line: a JSON object, UTF-8, ended by {@code \n}, at most the daemon's
 * {@code sidecore.control.max.request.length} bytes. Fields: {@link #VERSION} (must be {@link #PROTOCOL_VERSION}),
 * {@link #ID} (optional, any JSON value, echoed), {@link #COMMAND}, and the command's arguments at top level. One
 * response line per request, in order: {@link #VERSION}, {@link #ID}, {@link #OK}, then {@link #RESULT} (an object)
 * or {@link #ERROR} (an object with {@link #CODE}, one of the {@code E_*} codes, and {@link #MESSAGE}, a reason for
 * people). A request line that is not JSON, names no or an unknown command, or has a field of the wrong type gets an
 * error response and the connection stays usable; an over-long request gets one and is closed; an unauthorized
 * peer (or one past the daemon's connection limit) gets one before it sent anything, then the end of the stream,
 * and the daemon reads and drops what it sends until it hangs up (at most a second), so a client that writes its
 * request before reading still reads the refusal. Unknown fields are errors (a typo must not be silently ignored).
 * <p>
 * <b>Attach.</b> The {@link #CMD_ATTACH} request carries file descriptors with SCM_RIGHTS on the same
 * {@code sendmsg} as its line: guest-memory memfds (sealed against shrinking, {@code F_SEAL_SHRINK}) and an
 * interrupt eventfd, referenced by index ({@link #FD_INDEX}, {@link #INTERRUPT_FD_INDEX}). Its response carries the
 * port region memfd ({@code PortRegionDescriptor}: header page and BAR0 image; map the shared pages from it) and,
 * for a CSB port, the owning sidecore's kick eventfd. After it the connection speaks {@link TrappedAccessMessage}.
 */
public final class ControlProtocol
{
    /** Version of this protocol; a request with another version is refused with {@link #E_UNSUPPORTED_VERSION}. */
    public static final int PROTOCOL_VERSION = 1;
    /** Line terminator of a JSON-mode request or response. */
    public static final byte LINE_END = '\n';
    /** Most file descriptors one attach request may carry (regions plus the interrupt eventfd). */
    public static final int MAX_ATTACH_FDS = 17;

    /** Request and response field: protocol version. */
    public static final String VERSION = "version";
    /** Request and response field: request id, echoed. */
    public static final String ID = "id";
    /** Request field: the command. */
    public static final String COMMAND = "command";
    /** Response field: true on success. */
    public static final String OK = "ok";
    /** Response field: the command's result object. */
    public static final String RESULT = "result";
    /** Response field: the error object. */
    public static final String ERROR = "error";
    /** Error field: the {@code E_*} code. */
    public static final String CODE = "code";
    /** Error field: the reason. */
    public static final String MESSAGE = "message";

    /** Command: daemon and protocol version. Result: {@link #PROTOCOL_VERSION_FIELD}, {@link #DAEMON}, {@link #PID}. */
    public static final String CMD_VERSION = "version";
    /** Command: create a port. Arguments: the port fields. Result: the port ({@link #PORT}). */
    public static final String CMD_CREATE_PORT = "create-port";
    /** Command: destroy a port by {@link #NAME}. Result: {@link #NAME}. */
    public static final String CMD_DESTROY_PORT = "destroy-port";
    /** Command: every port. Result: {@link #PORTS}, an array of ports. */
    public static final String CMD_LIST = "list";
    /** Command: counters of one port ({@link #NAME}) or all. Result: {@link #PORTS}, each with {@link #COUNTERS}. */
    public static final String CMD_STATS = "stats";
    /** Command: change a running port's moderation, budgets, rate limits, capture or link. Result: the port. */
    public static final String CMD_SET = "set";
    /** Command: bind a guest to a port (see the class comment). Result: {@link #PORT}, {@link #SHARED_PAGES}. */
    public static final String CMD_ATTACH = "attach";

    /** Port field: name, 1 to 32 of {@code [A-Za-z0-9_.-]}. */
    public static final String NAME = "name";
    /** Port field: MAC, {@code 02:00:00:00:00:01}; unicast, not zero; default derived from the name. */
    public static final String MAC = "mac";
    /** Port field: {@link #BACKEND_SWITCH}, {@link #BACKEND_NULL} or {@link #BACKEND_TAP_PREFIX}{@code NAME}. */
    public static final String BACKEND = "backend";
    /** Port field: offer the CSB paravirtual extension. */
    public static final String CSB = "csb";
    /** Port field: the sidecore index to place the port on (default: the least loaded). */
    public static final String SIDECORE = "sidecore";
    /** Port field: the floor on the interval between two interrupts, ns (0: as the guest programs ITR). */
    public static final String MODERATION_NS = "moderation_ns";
    /** Port field: TX descriptors examined per pass. */
    public static final String TX_DESCRIPTOR_BUDGET = "tx_descriptor_budget";
    /** Port field: TX frame bytes per pass. */
    public static final String TX_BYTE_BUDGET = "tx_byte_budget";
    /** Port field: frames from the backend into the guest per pass. */
    public static final String RX_FRAME_BUDGET = "rx_frame_budget";
    /** Port field: sustained TX frames per second, 0 for no limit. */
    public static final String TX_FRAMES_PER_SECOND = "tx_frames_per_second";
    /** Port field: TX frame burst. */
    public static final String TX_BURST_FRAMES = "tx_burst_frames";
    /** Port field: sustained TX bytes per second, 0 for no limit. */
    public static final String TX_BYTES_PER_SECOND = "tx_bytes_per_second";
    /** Port field: TX byte burst. */
    public static final String TX_BURST_BYTES = "tx_burst_bytes";
    /** Port field: capture file (create-port: an absolute path of a new pcap file; set: {@code on}/{@code off}). */
    public static final String CAPTURE = "capture";
    /** Port field: whether the port's capture is running. */
    public static final String CAPTURING = "capturing";
    /**
     * Port field: the link as the operator set it, {@link #LINK_UP} or {@link #LINK_DOWN} ({@link #CMD_SET}: plug or
     * pull the port's cable; the guest sees LSC and STATUS.LU follow, up again after autonegotiation).
     */
    public static final String LINK = "link";
    /** Port field (result): the link the guest sees (STATUS.LU), {@link #LINK_UP} or {@link #LINK_DOWN}. */
    public static final String GUEST_LINK = "guest_link";
    /** Port field (result): numeric port id. */
    public static final String PORT_ID = "id";
    /** Port field (result): the port's device socket, the vfio-user endpoint. */
    public static final String SOCKET = "socket";
    /**
     * Port field (result): {@link #STATE_CREATED}, or {@link #STATE_HALF_CREATED} for a port whose create-port failed
     * and could not be undone.
     */
    public static final String STATE = "state";
    /** Value of {@link #STATE}: create-port finished; the port serves guests. */
    public static final String STATE_CREATED = "created";
    /**
     * Value of {@link #STATE}: create-port failed after the port's sidecore took it and undoing it failed too; the
     * port takes no guest and no change, its name and MAC stay taken, and destroy-port finishes it.
     */
    public static final String STATE_HALF_CREATED = "half-created: destroy it";
    /**
     * Port field (result): a guest holds the port, from the moment a VMM connects to its device socket or a native
     * attach begins until everything the guest brought is released; {@link #GUEST_STATE} says how far it is.
     */
    public static final String ATTACHED = "attached";
    /**
     * Port field (result, while {@link #ATTACHED}): {@link #GUEST_STATE_ATTACHING}, {@link #GUEST_STATE_ATTACHED} or
     * {@link #GUEST_STATE_DETACHING}.
     */
    public static final String GUEST_STATE = "guest_state";
    /**
     * Value of {@link #GUEST_STATE}: a guest holds the port but the daemon has not mapped its memory (a native attach
     * in progress; a vfio-user client before its first DMA_MAP, or after it unmapped all its memory): the device
     * reaches no guest memory yet.
     */
    public static final String GUEST_STATE_ATTACHING = "attaching";
    /** Value of {@link #GUEST_STATE}: the guest's memory is mapped and the port's device is bound to it. */
    public static final String GUEST_STATE_ATTACHED = "attached";
    /** Value of {@link #GUEST_STATE}: the guest is being let go (device unbound, what it brought being released). */
    public static final String GUEST_STATE_DETACHING = "detaching";
    /** Port field (result): pid of the attached guest's process, when attached. */
    public static final String GUEST_PID = "guest_pid";
    /**
     * Port field: how guests reach the port. {@link #TRANSPORT_VFIO_USER} (the default): the port listens on its
     * device socket for a vfio-user client (QEMU's {@code vfio-user-pci}) and also takes a native attach, one guest at
     * a time either way; {@link #TRANSPORT_NATIVE}: no device socket, native attach only.
     */
    public static final String TRANSPORT = "transport";
    /** {@link #TRANSPORT}: a vfio-user device socket, and native attach. */
    public static final String TRANSPORT_VFIO_USER = "vfio-user";
    /** {@link #TRANSPORT}: native attach only. */
    public static final String TRANSPORT_NATIVE = "native";
    /** Port field (result): how the attached guest came ({@link #TRANSPORT_VFIO_USER} or {@link #TRANSPORT_NATIVE}). */
    public static final String GUEST_TRANSPORT = "guest_transport";
    /**
     * Stats field of a vfio-user port: an object with its endpoint's counts ({@link #CLIENTS_SERVED} ...
     * {@link #TRAPPED_ACCESSES}).
     */
    public static final String VFIO_USER = "vfio_user";
    /** vfio-user stats: clients whose connection ended. */
    public static final String CLIENTS_SERVED = "clients_served";
    /** vfio-user stats: clients turned away (another guest attached). */
    public static final String CLIENTS_REFUSED = "clients_refused";
    /** vfio-user stats: DMA regions mapped now. */
    public static final String DMA_REGIONS = "dma_regions";
    /** vfio-user stats: DMA maps accepted since the daemon started. */
    public static final String DMA_MAPS = "dma_maps";
    /** vfio-user stats: DMA unmaps done (one per region, UNMAP ALL and disconnects included). */
    public static final String DMA_UNMAPS = "dma_unmaps";
    /** vfio-user stats: DMA maps refused, an object of reason to count. */
    public static final String DMA_MAPS_REFUSED = "dma_maps_refused";
    /** {@link #DMA_MAPS_REFUSED} reason: the port's sidecore.port.max.dma.regions was reached. */
    public static final String DMA_REFUSED_LIMIT = "limit";
    /** {@link #DMA_MAPS_REFUSED} reason: the file can shrink under the mapping, or is no shared file. */
    public static final String DMA_REFUSED_UNSAFE_MEMORY = "unsafe_memory";
    /** {@link #DMA_MAPS_REFUSED} reason: overlaps a mapped region. */
    public static final String DMA_REFUSED_OVERLAP = "overlap";
    /** {@link #DMA_MAPS_REFUSED} reason: anything else (access flags, the file too short, mmap failed). */
    public static final String DMA_REFUSED_INVALID = "invalid";
    /** vfio-user stats: DEVICE_RESET messages served. */
    public static final String DEVICE_RESETS = "device_resets";
    /** vfio-user stats: TDT writes that arrived as trapped REGION_WRITEs. */
    public static final String TRAPPED_TDT_WRITES = "trapped_tdt_writes";
    /** vfio-user stats: RDT writes that arrived as trapped REGION_WRITEs. */
    public static final String TRAPPED_RDT_WRITES = "trapped_rdt_writes";
    /** vfio-user stats: trapped writes the client posted (no reply). */
    public static final String POSTED_WRITES = "posted_writes";
    /** vfio-user stats: region accesses refused with an error. */
    public static final String REJECTED_ACCESSES = "rejected_accesses";
    /**
     * vfio-user stats: messages served per service time (socket readable to reply written: the daemon's part of a
     * trapped access's round trip), an object from bucket name ({@code "lt_16us"} ... {@code "lt_16384us"},
     * {@code "ge_16384us"}) to count.
     */
    public static final String MESSAGE_SERVICE_TIME = "message_service_time";
    /** vfio-user stats: the longest message service time seen, in microseconds. */
    public static final String MESSAGE_SERVICE_TIME_MAX_US = "message_service_time_max_us";
    /** vfio-user stats: INTx signals written to the client's trigger eventfd. */
    public static final String INTX_SIGNALS = "intx_signals";
    /**
     * vfio-user stats: every trapped region access by region, offset and direction since the daemon started, an
     * array of objects ({@link #REGION}, {@link #OFFSET}, {@link #REGISTER}, {@link #WRITE}, {@link #COUNT}): which
     * registers a guest still traps on.
     */
    public static final String TRAPPED_ACCESSES = "trapped_accesses";
    /** Trapped access field: {@code bar0}, {@code bar1} or {@code config}. */
    public static final String REGION = "region";
    /** Trapped access field: byte offset in the region, as {@code 0x...}. */
    public static final String OFFSET = "offset";
    /** Trapped access field: the register's name (BAR0: the 8254x name, e.g. {@code ICR}). */
    public static final String REGISTER = "register";
    /** Trapped access field: true for writes. */
    public static final String WRITE = "write";
    /** Trapped access field: accesses. */
    public static final String COUNT = "count";
    /** Port field (result): the port is quarantined after a ring-level guest fault. */
    public static final String FAULTED = "faulted";
    /** Port field (result): why it is quarantined. */
    public static final String FAULT_REASON = "fault_reason";

    /** Result field: one port. */
    public static final String PORT = "port";
    /** Result field: ports. */
    public static final String PORTS = "ports";
    /** Result field: counters of a port, name to value. */
    public static final String COUNTERS = "counters";
    /** Result field: the protocol version the daemon speaks. */
    public static final String PROTOCOL_VERSION_FIELD = "protocol_version";
    /** Result field: the daemon's own version. */
    public static final String DAEMON = "daemon";
    /** Result field: the daemon's pid. */
    public static final String PID = "pid";
    /** Result field: the counters file. */
    public static final String COUNTERS_FILE = "counters_file";

    /** Attach field: the guest memory regions, an array of objects. */
    public static final String REGIONS = "regions";
    /** Region field: guest-physical base address. */
    public static final String GPA = "gpa";
    /** Region field: length in bytes (a multiple of 4 KiB). */
    public static final String SIZE = "size";
    /** Region field: offset of the region in its file (default 0, a multiple of 4 KiB). */
    public static final String FILE_OFFSET = "file_offset";
    /** Region field: index of the region's memfd among the request's file descriptors. */
    public static final String FD_INDEX = "fd_index";
    /** Attach field: index of the interrupt eventfd among the request's file descriptors. */
    public static final String INTERRUPT_FD_INDEX = "interrupt_fd_index";
    /** Attach result: bitmap of BAR0 pages shared (bit n = page n); map them from the doorbell pages fd. */
    public static final String SHARED_PAGES = "shared_pages";
    /** Attach result: index of the port region memfd among the response's file descriptors. */
    public static final String REGION_FD_INDEX = "region_fd_index";
    /** Attach result: length of the port region (its header page, {@code PortRegionDescriptor}). */
    public static final String REGION_LENGTH = "region_length";
    /**
     * Attach result: index among the response's file descriptors of the doorbell pages memfd, BAR0-shaped: the
     * shared pages live at their BAR0 offsets and nothing else of the daemon's state is in it.
     */
    public static final String DOORBELL_FD_INDEX = "doorbell_fd_index";
    /** Attach result: index of the sidecore's kick eventfd among the response's descriptors, or -1. */
    public static final String KICK_FD_INDEX = "kick_fd_index";

    /** Backend: the built-in L2 switch. */
    public static final String BACKEND_SWITCH = "switch";
    /** Backend: frames from the guest are counted and dropped; nothing arrives. */
    public static final String BACKEND_NULL = "null";
    /** Backend prefix: {@code tap:NAME}, the TAP interface NAME (created when absent). */
    public static final String BACKEND_TAP_PREFIX = "tap:";
    /**
     * Backend prefix: {@code uplink:NAME}, the switch's uplink to the host through the TAP interface NAME (created
     * when absent): a port with no guest whose switch slot is the TAP, so guests on the switch reach the host's
     * network (a bridge the TAP is on). It takes no guest: no device socket, no attach.
     */
    public static final String BACKEND_UPLINK_PREFIX = "uplink:";
    /** {@link #CAPTURE} value of {@link #CMD_SET}: start capturing. */
    public static final String CAPTURE_ON = "on";
    /** {@link #CAPTURE} value of {@link #CMD_SET}: stop capturing. */
    public static final String CAPTURE_OFF = "off";
    /** {@link #LINK} value: up. */
    public static final String LINK_UP = "up";
    /** {@link #LINK} value: down. */
    public static final String LINK_DOWN = "down";

    /** Error: the line is not a JSON object. */
    public static final String E_MALFORMED = "malformed_request";
    /** Error: the request is longer than the daemon accepts; the connection is closed. */
    public static final String E_TOO_LARGE = "request_too_large";
    /** Error: the connection ended in the middle of a request. */
    public static final String E_TRUNCATED = "truncated_request";
    /** Error: another protocol version. */
    public static final String E_UNSUPPORTED_VERSION = "unsupported_version";
    /** Error: no or an unknown command. */
    public static final String E_UNKNOWN_COMMAND = "unknown_command";
    /** Error: a field is missing, unknown, of the wrong type or out of range. */
    public static final String E_INVALID_ARGUMENT = "invalid_argument";
    /** Error: the peer's uid and gid are not allowed; the connection ends (see the class description). */
    public static final String E_UNAUTHORIZED = "unauthorized";
    /** Error: too many control connections; the connection ends (see the class description). */
    public static final String E_TOO_MANY_CONNECTIONS = "too_many_connections";
    /** Error: the connection sends requests faster than allowed; the request was not executed. */
    public static final String E_RATE_LIMITED = "rate_limited";
    /** Error: no port of that name. */
    public static final String E_NO_SUCH_PORT = "no_such_port";
    /** Error: a port of that name exists. */
    public static final String E_DUPLICATE_NAME = "duplicate_name";
    /** Error: a port with that MAC exists. */
    public static final String E_DUPLICATE_MAC = "duplicate_mac";
    /** Error: the daemon serves its maximum number of ports, or the sidecore or switch is full. */
    public static final String E_TOO_MANY_PORTS = "too_many_ports";
    /** Error: a guest is already attached to the port. */
    public static final String E_PORT_BUSY = "port_busy";
    /** Error: the backend cannot be opened (a TAP in use by another process, with other flags, no permission). */
    public static final String E_BACKEND_UNAVAILABLE = "backend_unavailable";
    /** Error: guest memory that could shrink under the mapping (no {@code F_SEAL_SHRINK}), or not a memfd. */
    public static final String E_UNSAFE_MEMORY = "unsafe_memory";
    /** Error: file descriptors missing, surplus, or sent with a command that takes none. */
    public static final String E_BAD_FDS = "bad_file_descriptors";
    /** Error: a feature the daemon does not offer yet. */
    public static final String E_UNSUPPORTED = "unsupported";
    /**
     * Error: a sidecore did not take the request's step within {@code sidecore.command.timeout} (wedged, or its
     * command queue stayed full); the step was cancelled and undone: nothing was changed, the request may be retried.
     */
    public static final String E_SIDECORE_TIMEOUT = "sidecore_timeout";
    /**
     * Error: a sidecore started the request's step but did not finish it in time (wedged in it, or its thread died):
     * what it changed is unknown. What the step was given is kept (never freed while the sidecore may use it); the
     * message says what is left, and a port it concerns stays listed for a later destroy-port.
     */
    public static final String E_OUTCOME_UNKNOWN = "outcome_unknown";
    /**
     * Error: the daemon is stopping: a create-port is refused, and one that was in flight when the stop began is
     * undone (its port is not listed, has no device socket and leaves its sidecore).
     */
    public static final String E_SHUTTING_DOWN = "shutting_down";
    /** Error: the daemon failed; the message says how. */
    public static final String E_INTERNAL = "internal_error";

    private ControlProtocol()
    {
    }
}
