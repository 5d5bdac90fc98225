/**
 * The sidecore engine: emulated 82540EM NICs for many guests, served from pinned, busy-polling cores. This page is
 * the map: the packages, the way one frame travels from a guest's TX doorbell to another guest's interrupt, which
 * thread may touch what, and the memory-ordering rules that keep the guest's and the sidecore's views of the shared
 * pages consistent.
 *
 * <h2>Packages</h2>
 * <ul>
 *   <li>{@code io.sidecore.engine}: {@link io.sidecore.engine.EngineContext}, the wiring an engine is built from,
 *       and {@link io.sidecore.engine.SettingChecks}.</li>
 *   <li>{@code agent}: the loop. {@code SidecoreAgent} (one per core, the single writer of its ports),
 *       {@code SidecoreEngine} (the agents, their rings, their threads), {@code SidecoreIdleStrategy}, {@code Kick}
 *       with {@code ThreadKick} and {@code EventFdKick}, {@code ThreadingMode}.</li>
 *   <li>{@code port}: what a port is. {@code Port} (device, backend, counters, fault state, capture, budgets),
 *       {@code CsbPort}, {@code PortSettings}, {@code TokenBucket}, {@code PortCapture} with {@code PcapNgWriter},
 *       {@code EventFdInterruptLine}.</li>
 *   <li>{@code proxy}: the way in from other threads. {@code EngineProxy}, {@code SidecoreCommand} and
 *       {@code Commands}, {@code TrappedAccess}.</li>
 *   <li>{@code frame}: the one hand-off, {@code FrameSink} with {@code FrameMetadata}.</li>
 *   <li>{@code e1000}: the device model. {@code E1000Device}, {@code TxProcessor}, {@code RxProcessor},
 *       {@code InterruptController} and the register, EEPROM, PHY and PCI parts.</li>
 *   <li>{@code l2}: the switch. {@code L2Switch}, {@code MacTable}, {@code ShardRing}, {@code SwitchBackend}.</li>
 *   <li>{@code backend}: what else a port connects to. {@code TapBackend} (with {@code TapOpener} and
 *       {@code VirtioNetTranslator}), {@code CaptureBackend}, {@code LoopbackBackend}, {@code NullBackend}.</li>
 *   <li>{@code mem} (guest memory, overflow-safe translation), {@code net} (checksums, headers), {@code os}
 *       ({@code TapDevice}), {@code status} (counters and the counters file).</li>
 * </ul>
 *
 * <h2>One frame, from guest to guest</h2>
 * Each box names its class. Everything in the middle column runs on the sidecore thread, inside one
 * {@code SidecoreAgent.doWork()}, which reads the clock once and passes over its ports from a rotating index.
 * <pre>
 *  guest A (its driver)              sidecore thread                                            guest B
 *  --------------------              ---------------                                            -------
 *  writes TX descriptors,
 *  then TDT in the shared   ==&gt;  doorbell shadow        Port.poll: TDT/RDT read (acquire) from
 *  TX page (no VM exit)          (RegisterImage)        the shared page, compared with the last seen
 *                                                       [CsbPort.poll first, for a CSB guest: guest_tdt]
 *                                      |
 *                                      v
 *                                TX descriptor          E1000Device.pollTx -&gt; TxProcessor: ring geometry
 *                                                       (DescriptorRing), each descriptor copied, validated,
 *                                                       used (TxDescriptor, GuestMemory.translate), TSO and
 *                                                       checksums (TsoSegmenter, TxChecksumOffload), DD written
 *                                                       back (release), TDH published (release)
 *                                      |
 *                                      v
 *                                frame                  TxFrameEmitter (VLAN tag, statistics)
 *                                                       -&gt; FrameSink: the port's transmit side
 *                                                       (Port: budgets, PortCapture outbound) -&gt; its backend
 *                                      |
 *                                      v
 *                                switch                 SwitchBackend -&gt; L2Switch.forward (MacTable learn and
 *                                                       lookup); a port of another sidecore: ShardRing, drained
 *                                                       by that sidecore's L2Switch
 *                                                       (TapBackend, CaptureBackend, LoopbackBackend: see backend)
 *                                      |
 *                                      v
 *                                RX descriptor          FrameSink: port B's receive side (PortCapture inbound)
 *                                                       -&gt; E1000Device.receive -&gt; RxProcessor: RxFilter,
 *                                                       RxChecksum, the frame copied from A's TX staging buffer
 *                                                       straight into B's RX buffers (across sidecores, from the
 *                                                       ShardRing), DD written last (release), RDH published
 *                                                       (release)
 *                                      |
 *                                      v
 *                                interrupt cause        InterruptController.raiseRx: ICR |= RXT0 (and RXDMT0)
 *                                      |
 *                                      v
 *                                moderation             InterruptController: ITR window, RDTR/RADV, TIDV/TADV
 *                                                       as deadlines; SidecoreAgent.pollPort fires them when due
 *                                      |
 *                                      v
 *                                eventfd                InterruptLine -&gt; EventFdInterruptLine: one write per
 *                                                       rising edge (KVM irqfd)                      ==&gt; interrupt;
 *                                                                                                    reads ICR
 *                                                                                                    (trapped)
 * </pre>
 * Every frame handed to a {@link io.sidecore.engine.frame.FrameSink} is delivered, or counted once under one named
 * drop counter by the part that dropped it.
 *
 * <h2>Threads and what each may touch</h2>
 * <ul>
 *   <li><b>Sidecore threads</b> (one {@code SidecoreAgent} each, pinned by the launcher): the only writers of
 *       everything a port is: its device and register image (the host-owned fields), its backend, its capture,
 *       its switch shard, its per-port and per-sidecore counters. They write guest memory only where the guest
 *       handed it over (descriptors between head and tail, the buffers they name, the CSB host group).</li>
 *   <li><b>Control threads</b> (the daemon's control socket, the vfio-user socket threads, tests): only through
 *       {@code EngineProxy}. Each call becomes a command on the owning sidecore's bounded queue, and the caller
 *       waits for it; trapped register accesses reuse one preallocated {@code TrappedAccess} slot per port. They
 *       may read counters, and a port's identity and settings as last applied. They open and close capture
 *       files; only the sidecore writes them while a capture runs.</li>
 *   <li><b>Guests</b> (a VMM's vCPU threads, or the synthetic guest in another process or thread): guest memory
 *       (descriptors and buffers they own, the CSB guest group), and the registers of the shared BAR0 pages (the
 *       RX and TX ring pages: tails, ring geometry, CSBAL/CSBAH, and the heads while they program a ring); they
 *       read TDH, RDH, descriptor status and the CSB host group. Every other register access traps, and the
 *       sidecore answers it.</li>
 *   <li><b>Tools</b> ({@code sidecore stat}): the counters file, read-only.</li>
 * </ul>
 *
 * <h2>Memory ordering of the shared pages</h2>
 * Every shared field has one writer in normal operation (the heads are the sidecore's to advance; a driver writes
 * them only while it programs a ring, and the sidecore re-reads and validates them every pass, so a hostile guest
 * writing them at any time faults only its own port). Ownership of descriptors and buffers passes by publishing an
 * index after the data it covers: the writer stores the data, then the index with release semantics; the reader
 * loads the index with acquire semantics, then the data. The rules:
 * <ul>
 *   <li><b>Guest to sidecore, doorbells.</b> The guest writes its descriptors, then the tail (the Linux driver:
 *       {@code wmb()} then the register write; the synthetic guest: a release store). The sidecore loads TDT/RDT
 *       with an acquire load ({@code RegisterImage.getAcquire}) before it reads any descriptor the tail covers, so
 *       those descriptors are complete. It then reads each descriptor word once into a local and validates the
 *       copy, so a guest that rewrites a descriptor concurrently changes nothing the sidecore acts on.</li>
 *   <li><b>Sidecore to guest, TX completion.</b> A release fence, then the status byte with DD
 *       ({@code TxProcessor}): every read of the packet's buffers happens before the guest can see DD and reuse
 *       them (SDM 3.3.3.2: only the status is written back). TDH is published with a release store after the
 *       pass.</li>
 *   <li><b>Sidecore to guest, RX.</b> The frame's bytes and descriptor bytes 8 to 11 are written plainly, then
 *       bytes 12 to 15 (status with DD, errors, special) in one release store ({@code RxProcessor.writeBack}, the
 *       DD-last order QEMU's e1000 keeps with two DMA writes): a guest that sees DD sees the length and the data.
 *       RDH is published with a release store after the frame's last descriptor.</li>
 *   <li><b>Interrupts.</b> The causes are set in ICR before the line rises, and the eventfd write is a system
 *       call (a full barrier); the guest's ICR read traps and is answered by the same sidecore thread, in program
 *       order after the causes were set.</li>
 *   <li><b>CSB.</b> {@code guest_tdt}/{@code guest_rdt} are read with volatile loads and applied as TDT/RDT
 *       writes; {@code host_tdh}/{@code host_rdh} are published with release stores. Before parking, the sidecore
 *       stores {@code host_need_txkick = 1} and then re-reads {@code guest_tdt}, both volatile: the store-load
 *       order of the protocol's handshake, so either the sidecore sees the guest's new tail or the guest sees the
 *       request and kicks. Withholding an interrupt the guest's {@code guest_need_*kick} flags decline is preceded
 *       by a full fence ({@code CsbPort}).</li>
 *   <li><b>Headers of shared layouts.</b> The port region, the CSB and the counters file each have a version the
 *       writer stores last with a volatile store and every reader checks first ({@code shm-layout}).</li>
 *   <li><b>Within the daemon.</b> A command's fields are written before it is offered to the MPSC queue and read
 *       after it is polled (the queue orders them); the sidecore publishes the outcome with a release store of the
 *       command's state, read with an acquire load. Cross-sidecore frames travel in {@code ShardRing}s, whose
 *       claim and commit order the frame before its record. Counters are single-writer (except a sidecore's
 *       proxy offer failures) and written with opaque or release stores of aligned 64-bit words, so readers in
 *       other processes see recent, untorn values.</li>
 * </ul>
 */
package io.sidecore.engine;
