/// A received packet's way from the wire to its end (a drop, a transmit, a socket or a user
/// ring), stage by stage, with CPU nanoseconds per packet on one core.
///
/// Every default cost is calibrated on `reference/packet-path.md`, i.e. on the XDP paper
/// (Høiland-Jørgensen et al., CoNEXT 2018): one Xeon E5-1650 v4 core at 3.6 GHz, mlx5 NIC,
/// 64-byte packets. Totals reproduce the paper's single-core numbers; how a total splits between
/// stages is marked ASSUMPTION in `PacketCosts` below, and numbers the paper does not give are
/// marked ESTIMATE. Treat results as orders of magnitude and ratios, as the reference says.
public enum PacketPathKind: String, Sendable, Hashable, CaseIterable {
    /// The regular stack: NIC → IRQ → NAPI → sk_buff → GRO → netfilter → IP → UDP → socket.
    case linux
    /// An XDP program in the driver, before any sk_buff exists.
    case xdp
    /// XDP_REDIRECT through an XSKMAP into an AF_XDP socket's user-space ring.
    case afXDP = "af-xdp"
    /// DPDK: a poll-mode driver in user space; no interrupts, no NAPI, no kernel.
    case dpdk
}

/// What the packet's path ends with.
public enum PacketAction: String, Sendable, Hashable, CaseIterable {
    /// The earliest drop point the path has: the iptables raw table (linux; after conntrack when
    /// conntrack is on), XDP_DROP (xdp, af-xdp), the poll-mode driver's receive loop (dpdk).
    case drop
    /// XDP_PASS: on to the regular stack, up to the socket (xdp only).
    case pass
    /// Send back out of the receiving NIC: XDP_TX (xdp), `rte_eth_tx_burst` (dpdk).
    case tx
    /// XDP_REDIRECT to another NIC through a devmap (xdp only).
    case redirect
    /// Into the socket and the application (linux), the AF_XDP ring (af-xdp), the app (dpdk).
    case deliver
}

/// Where a stage runs.
public enum PacketLayer: String, Sendable, Hashable, CaseIterable {
    /// The NIC.
    case hardware
    /// The kernel, in interrupt, softirq or syscall context.
    case kernel
    /// User space: the application or a poll-mode driver.
    case user
}

/// The CPU-cost categories of Cai et al., *Understanding Host Network Stack Overheads*
/// (SIGCOMM 2021), from their artifact's `symbol_mapping.tsv`. Assigning a stage to one bucket
/// is our ASSUMPTION where a stage mixes categories; DPDK's user-space stages use the bucket of
/// the kernel work they stand in for (driver → netdev, buffer pool → mm).
public enum CostBucket: String, Sendable, Hashable, CaseIterable {
    /// Copying packet data.
    case dataCopy = "data_copy"
    /// Protocol processing (IP, UDP, TCP).
    case tcpip = "tcp/ip"
    /// Network device and driver work.
    case netdev
    /// sk_buff allocation and handling.
    case skb
    /// Memory management: page allocation and freeing.
    case mm
    /// Locking.
    case lock
    /// Scheduling and wake-ups.
    case sched
    /// Everything else.
    case etc
}

/// One stage of a packet's path and its CPU cost.
public struct PacketStage: Sendable, Hashable {
    /// A stable key for captions and translations, unique within a path: `nic-rx`, `irq`,
    /// `napi-driver`, `xdp-prog`, `xdp-pass`, `skb-alloc`, ...
    public let id: String
    /// A short English technical name; figures translate by `id`.
    public let name: String
    /// Where the stage runs.
    public let layer: PacketLayer
    /// CPU time per packet on one core. The NIC's own work is 0: it overlaps the CPU's and limits
    /// throughput only through the PCIe ceiling.
    public let nsPerPacket: Double
    /// `nil` for stages that take no CPU time (the NIC, the application marker).
    public let bucket: CostBucket?

    /// A stage with its key, name, layer, cost and cost bucket.
    public init(id: String, name: String, layer: PacketLayer, nsPerPacket: Double, bucket: CostBucket?) {
        self.id = id
        self.name = name
        self.layer = layer
        self.nsPerPacket = nsPerPacket
        self.bucket = bucket
    }
}

/// Which path a packet takes and what happens at its end.
public struct PacketPathSpec: Sendable, Hashable {
    /// The path: linux, xdp, af-xdp or dpdk.
    public var path: PacketPathKind
    /// What happens to the packet at the end of the path.
    public var action: PacketAction
    /// Connection tracking in netfilter (linux, and xdp with `pass`).
    public var conntrack: Bool
    /// Frame size; changes only the copy to user space (see `PacketCosts.copyNsPerByte`).
    public var packetBytes: Int
    /// Offered load, in million packets per second, for `PacketPathResult.load`.
    public var rateMpps: Double?
    /// Cores receiving in parallel (RSS for linux/xdp/af-xdp, one queue each for dpdk).
    public var cores: Int

    /// A path and action, with the defaults of the XDP paper's tests (64-byte packets, one core).
    public init(
        path: PacketPathKind, action: PacketAction, conntrack: Bool = false, packetBytes: Int = 64,
        rateMpps: Double? = nil, cores: Int = 1
    ) {
        self.path = path
        self.action = action
        self.conntrack = conntrack
        self.packetBytes = packetBytes
        self.rateMpps = rateMpps
        self.cores = cores
    }
}

/// What an offered rate does to the cores. A linear model: each handled packet costs
/// `nsPerPacket` of CPU. The paper's Fig. 4 shows more CPU than this at low load (a fixed cost per
/// interrupt and small NAPI batches: XDP at 10 Mpps measured 62 % busy where the model says 42 %),
/// so read `busyFraction` as a lower bound for the interrupt-driven paths.
public struct PacketLoad: Sendable, Hashable {
    /// The rate offered, in million packets per second.
    public let offeredMpps: Double
    /// `min(offered, aggregate capacity)`.
    public let handledMpps: Double
    /// Offered beyond capacity: lost when the NIC finds its RX ring full (`rx_missed`).
    public let droppedMpps: Double
    /// Average busy fraction of each core, 0...1. DPDK polls: always 1.
    public let busyFraction: Double
}

/// A path with its stages and the throughput they allow.
public struct PacketPathResult: Sendable, Hashable {
    /// The spec the result is for.
    public let spec: PacketPathSpec
    /// The stages, in the order a packet goes through them.
    public let stages: [PacketStage]
    /// Sum of the stages: CPU time per packet on one core.
    public let nsPerPacket: Double
    /// `1000 / nsPerPacket`.
    public let mppsPerCore: Double
    /// `min(cores × mppsPerCore, PCIe limit)`.
    public let aggregateMpps: Double
    /// The PCIe limit, not the cores, bounds `aggregateMpps`.
    public let pcieLimited: Bool
    /// Present when the spec gives `rateMpps`.
    public let load: PacketLoad?

    /// Nanoseconds per packet by Cai et al. bucket, in `CostBucket.allCases` order, leaving out
    /// buckets the path does not use.
    public var nsByBucket: [(bucket: CostBucket, nsPerPacket: Double)] {
        CostBucket.allCases.compactMap { bucket in
            let stagesInBucket = stages.filter { $0.bucket == bucket }
            guard !stagesInBucket.isEmpty else { return nil }
            return (bucket, stagesInBucket.reduce(0) { $0 + $1.nsPerPacket })
        }
    }
}

/// A spec the model cannot run, with a message for the author.
public struct PacketPathError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong, in English.
    public let message: String

    /// An error saying `message`.
    public init(_ message: String) {
        self.message = message
    }

    /// The message.
    public var description: String { message }
}

/// The published numbers the defaults are derived from (packet-path.md §1, §3).
public enum PacketPathReference {
    /// Single-core drop rates, paper §4.1: DPDK testpmd rxonly, XDP_DROP, iptables raw table
    /// (the text's 4.8, from the XDP_PASS-overhead table; Fig. 3's data says 5.05), and the
    /// stack with conntrack.
    public static let dpdkDropMpps = 43.5
    /// Single-core XDP_DROP rate (Mpps).
    public static let xdpDropMpps = 24.0
    /// Single-core drop rate in the iptables raw table (Mpps).
    public static let linuxRawDropMpps = 4.8
    /// Single-core drop rate with conntrack on (Mpps).
    public static let linuxConntrackDropMpps = 1.8
    /// Linux raw drop with an XDP program that counts and returns XDP_PASS: 4.5 Mpps, +13.3 ns.
    public static let xdpPassOverheadNs = 13.3
    /// mlx5 makes 10 driver function calls per packet, ≈1.3 ns each (paper §4.4).
    public static let driverCallNs = 1.3
    /// Driver function calls per packet in mlx5.
    public static let driverCallsPerPacket = 10
    /// Single-core forwarding (paper §4.3): XDP_TX, XDP_REDIRECT, DPDK, Linux.
    public static let xdpTxMpps = 16.9
    /// Single-core XDP_REDIRECT rate (Mpps).
    public static let xdpRedirectMpps = 8.64
    /// Single-core DPDK forwarding rate (Mpps).
    public static let dpdkForwardMpps = 21.9
    /// Single-core Linux forwarding rate (Mpps).
    public static let linuxForwardMpps = 1.74
    /// AF_XDP, paper §6: "upwards of 20 Mpps to userspace on a single core".
    public static let afXDPMpps = 20.0
    /// XDP and DPDK scale linearly up to the PCIe limit (CQE compression on).
    public static let pcieLimitMpps = 115.0
    /// `dev_weight` (NAPI_POLL_WEIGHT) and `netdev_budget`.
    public static let napiWeight = 64
    /// `netdev_budget`: most packets one softirq run handles.
    public static let netdevBudget = 300
}

/// Per-stage defaults, in ns per packet. Each total is pinned to a measured number; the split of
/// a total between stages is ours.
public enum PacketCosts {
    typealias R = PacketPathReference

    // MARK: Shared receive front end

    /// ESTIMATE: one hard interrupt plus softirq entry ≈ 100 ns, amortised over a full NAPI poll of
    /// `dev_weight` = 64 packets (at saturation NAPI keeps polling with full batches): 100 / 64.
    public static let irqEntryNs = 100.0
    /// The interrupt entry amortised over a NAPI batch: 100 / 64 = 1.56 ns.
    public static let irqNapi = irqEntryNs / Double(R.napiWeight)
    /// ASSUMPTION: of DPDK's 22.99 ns drop (1000 / 43.5), 6 ns return the mbuf to its pool.
    public static let dpdkBufferFree = 6.0
    /// DPDK's receive poll: 1000 / 43.5 − 6 = 16.99 ns.
    public static let pmdReceive = 1000 / R.dpdkDropMpps - dpdkBufferFree
    /// The kernel driver does DPDK's descriptor work plus the 10 function calls × 1.3 ns the paper
    /// counts in mlx5: 16.99 + 13 = 29.99 ns.
    public static let driverReceive = pmdReceive + Double(R.driverCallsPerPacket) * R.driverCallNs

    // MARK: XDP

    /// ASSUMPTION: XDP_DROP hands the page back to the driver's recycle cache, the same work as
    /// DPDK's mbuf free.
    public static let xdpDropRecycle = dpdkBufferFree
    /// The XDP program itself, the remainder of the 41.67 ns drop (1000 / 24):
    /// 41.67 − 1.56 − 29.99 − 6 = 4.11 ns.
    public static let xdpProgram = 1000 / R.xdpDropMpps - irqNapi - driverReceive - xdpDropRecycle
    /// XDP_PASS on the normal path: measured directly, 13.3 ns (a counting program, and the
    /// driver's XDP buffer handling), not derived from the drop program.
    public static let xdpPass = R.xdpPassOverheadNs
    /// XDP_TX: 59.17 ns (1000 / 16.9) minus the receive front end and program:
    /// 59.17 − (1.56 + 29.99 + 4.11) = 23.51 ns.
    public static let xdpTransmit = 1000 / R.xdpTxMpps - irqNapi - driverReceive - xdpProgram
    /// XDP_REDIRECT: 115.74 ns (1000 / 8.64); after the front end and program 80.07 ns remain.
    /// ASSUMPTION: 35 ns for the devmap enqueue and the other NIC's transmit, the rest (45.07 ns)
    /// for returning the page across drivers, which the paper names as the reason it is slow.
    public static let xdpRedirectTransmit = 35.0
    /// The rest of XDP_REDIRECT's cost: returning the page across drivers.
    public static let xdpRedirectPageReturn =
        1000 / R.xdpRedirectMpps - irqNapi - driverReceive - xdpProgram - xdpRedirectTransmit

    // MARK: AF_XDP

    /// AF_XDP delivery: 50 ns (1000 / 20, the paper's lower bound "upwards of 20 Mpps"). After the
    /// front end and the redirect program 14.33 ns remain. ASSUMPTION: 6 ns to enqueue on the
    /// socket's RX ring, the rest (8.33 ns) for the application's ring read and FILL-ring refill.
    public static let xskEnqueue = 6.0
    /// The application's ring read and FILL-ring refill.
    public static let xskUserRing = 1000 / R.afXDPMpps - irqNapi - driverReceive - xdpProgram - xskEnqueue

    // MARK: Linux stack

    /// ASSUMPTION: the drop's `kfree_skb` (sk_buff and page freed).
    public static let dropFree = 25.0
    /// ASSUMPTION: the driver refills its RX ring with a fresh page (the old one now belongs to
    /// the sk_buff), from the page allocator or page_pool.
    public static let pageRefill = 25.0
    /// ASSUMPTION: `build_skb` / `napi_alloc_skb`.
    public static let skbAlloc = 35.0
    /// ASSUMPTION: `napi_gro_receive` plus `__netif_receive_skb_core`.
    public static let groReceive = 55.0
    /// `ip_rcv` and the PREROUTING raw table: the remainder of the 208.33 ns raw drop
    /// (1000 / 4.8): 208.33 − 1.56 − 29.99 − 25 − 35 − 55 − 25 = 36.78 ns.
    public static let netfilterRaw =
        1000 / R.linuxRawDropMpps - irqNapi - driverReceive - pageRefill - skbAlloc - groReceive - dropFree
    /// conntrack: 555.56 − 208.33 = 347.22 ns (1000 / 1.8 − 1000 / 4.8). The raw table (priority
    /// −300) runs before conntrack (−200), so a drop that costs this much is one conntrack saw:
    /// with conntrack on, the model drops right after it.
    public static let conntrack = 1000 / R.linuxConntrackDropMpps - 1000 / R.linuxRawDropMpps

    /// ESTIMATE: the paper measures no local delivery. We take the part of Linux forwarding
    /// (574.71 ns, 1000 / 1.74) after the raw table as a stand-in for delivery's: both look up a
    /// route, run a protocol layer, queue the packet and free it. 574.71 − (208.33 − 25) = 391.38 ns,
    /// split below (all ASSUMPTION); the copy takes the remainder.
    public static let deliverTail = 1000 / R.linuxForwardMpps - (1000 / R.linuxRawDropMpps - dropFree)
    /// ASSUMPTION: `ip_local_deliver`.
    public static let ipLocalDeliver = 45.0
    /// ASSUMPTION: `udp_rcv` and the socket lookup.
    public static let udpReceive = 55.0
    /// ASSUMPTION: queueing on the socket's receive queue.
    public static let socketQueue = 40.0
    /// A reader asleep in `recvmsg` woken per datagram; less when the reader is already running.
    public static let wakeReader = 90.0
    /// ASSUMPTION: the reader's `recvmsg` system call.
    public static let recvmsgSyscall = 90.0
    /// ASSUMPTION: freeing the sk_buff after the copy.
    public static let skbFree = 30.0
    /// 391.38 − (45 + 55 + 40 + 90 + 90 + 30) = 41.38 ns for a 64-byte packet.
    public static let copyToUser =
        deliverTail - ipLocalDeliver - udpReceive - socketQueue - wakeReader - recvmsgSyscall - skbFree
    /// ESTIMATE: ≈10 GB/s copy, 0.1 ns a byte beyond 64. Cai et al. give ≈42 Gbps per core for one
    /// long flow with data copy the bottleneck; if about half the core copies, that is ≈10.5 GB/s.
    public static let copyNsPerByte = 0.1

    // MARK: DPDK

    /// ESTIMATE: the application reading the packet's headers (a cache line DDIO has in LLC).
    public static let dpdkAppRead = 5.0
    /// DPDK forwarding: 45.66 ns (1000 / 21.9) minus the receive poll: 28.67 ns for the transmit
    /// burst, including completion and the mbuf free.
    public static let pmdTransmit = 1000 / R.dpdkForwardMpps - pmdReceive
}

/// Runs the packet-path model.
public enum PacketPath {
    /// Most cores a spec may use.
    public static let maxCores = 256
    /// Frame sizes a spec may give, in bytes.
    public static let packetBytesRange = 64...9216
    /// Highest offered rate a spec may give, in Mpps.
    public static let maxRateMpps = 1000.0

    /// The stages and throughput of `spec`, or an error naming what does not combine.
    public static func simulate(_ spec: PacketPathSpec) throws(PacketPathError) -> PacketPathResult {
        try validate(spec)
        let stages = self.stages(spec)
        let nsPerPacket = stages.reduce(0) { $0 + $1.nsPerPacket }
        let mppsPerCore = 1000 / nsPerPacket
        let coreLimit = Double(spec.cores) * mppsPerCore
        let aggregate = min(coreLimit, PacketPathReference.pcieLimitMpps)
        var load: PacketLoad?
        if let offered = spec.rateMpps {
            let handled = min(offered, aggregate)
            load = PacketLoad(
                offeredMpps: offered, handledMpps: handled, droppedMpps: offered - handled,
                busyFraction: spec.path == .dpdk ? 1 : handled / coreLimit)
        }
        return PacketPathResult(
            spec: spec, stages: stages, nsPerPacket: nsPerPacket, mppsPerCore: mppsPerCore,
            aggregateMpps: aggregate, pcieLimited: coreLimit > PacketPathReference.pcieLimitMpps, load: load)
    }

    static func validate(_ spec: PacketPathSpec) throws(PacketPathError) {
        let path = spec.path.rawValue
        let action = spec.action.rawValue
        switch (spec.path, spec.action) {
        case (.linux, .drop), (.linux, .deliver), (.xdp, .drop), (.xdp, .pass), (.xdp, .tx), (.xdp, .redirect),
            (.afXDP, .drop), (.afXDP, .deliver), (.dpdk, .drop), (.dpdk, .deliver), (.dpdk, .tx):
            break
        case (.linux, .pass), (.linux, .tx), (.linux, .redirect):
            throw PacketPathError(
                "action '\(action)' is an XDP action; the linux path has no XDP program "
                    + "(use path: xdp, or action: drop or deliver)")
        case (.xdp, .deliver):
            throw PacketPathError(
                "on the xdp path a packet reaches its socket through the stack with action: pass "
                    + "(XDP_PASS); for a user-space ring use path: af-xdp")
        case (.afXDP, _):
            throw PacketPathError(
                "action '\(action)' does not apply to af-xdp, whose XDP program redirects into its XSKMAP "
                    + "(use action: deliver, or drop)")
        case (.dpdk, _):
            throw PacketPathError(
                "action '\(action)' does not apply to dpdk, which bypasses the kernel "
                    + "(use action: drop, deliver or tx)")
        }
        if spec.conntrack {
            switch (spec.path, spec.action) {
            case (.linux, _), (.xdp, .pass): break
            case (.xdp, _):
                throw PacketPathError(
                    "conntrack is part of the kernel stack, which an XDP '\(action)' never reaches "
                        + "(conntrack applies to xdp only with action: pass)")
            default:
                throw PacketPathError(
                    "conntrack is a netfilter option; the \(path) path bypasses netfilter "
                        + "(conntrack applies to linux, and to xdp with action: pass)")
            }
        }
        guard packetBytesRange.contains(spec.packetBytes) else {
            throw PacketPathError(
                "packet_bytes must be between \(packetBytesRange.lowerBound) and \(packetBytesRange.upperBound), "
                    + "got \(spec.packetBytes)")
        }
        guard (1...maxCores).contains(spec.cores) else {
            throw PacketPathError("cores must be between 1 and \(maxCores), got \(spec.cores)")
        }
        if let rate = spec.rateMpps, !(rate.isFinite && rate > 0 && rate <= maxRateMpps) {
            throw PacketPathError("rate_mpps must be above 0 and at most \(Int(maxRateMpps)), got \(rate)")
        }
    }

    static func stages(_ spec: PacketPathSpec) -> [PacketStage] {
        typealias C = PacketCosts
        func stage(_ id: String, _ name: String, _ layer: PacketLayer, _ ns: Double, _ bucket: CostBucket?)
            -> PacketStage
        {
            PacketStage(id: id, name: name, layer: layer, nsPerPacket: ns, bucket: bucket)
        }
        let nicReceive = stage("nic-rx", "NIC: DMA into RX ring", .hardware, 0, nil)
        let nicTransmit = stage("nic-tx", "NIC: DMA out, transmit", .hardware, 0, nil)
        let kernelFront = [
            nicReceive,
            stage("irq", "IRQ → NAPI schedule", .kernel, C.irqNapi, .etc),
            stage(
                "napi-driver",
                "NAPI poll: driver RX (budget \(PacketPathReference.napiWeight)/\(PacketPathReference.netdevBudget))",
                .kernel, C.driverReceive, .netdev),
        ]
        let xdpProgram = stage("xdp-prog", "XDP program", .kernel, C.xdpProgram, .netdev)

        switch (spec.path, spec.action) {
        case (.dpdk, let action):
            var stages = [nicReceive, stage("pmd-rx", "PMD: rte_eth_rx_burst (poll)", .user, C.pmdReceive, .netdev)]
            switch action {
            case .deliver:
                stages.append(stage("app-read", "application reads the packet", .user, C.dpdkAppRead, .etc))
                stages.append(stage("mbuf-free", "rte_pktmbuf_free", .user, C.dpdkBufferFree, .mm))
            case .tx:
                stages.append(stage("pmd-tx", "PMD: rte_eth_tx_burst", .user, C.pmdTransmit, .netdev))
                stages.append(nicTransmit)
            default:
                stages.append(stage("mbuf-free", "drop in rx loop: rte_pktmbuf_free", .user, C.dpdkBufferFree, .mm))
            }
            return stages
        case (.xdp, .drop), (.afXDP, .drop):
            return kernelFront + [
                xdpProgram, stage("xdp-drop", "XDP_DROP: recycle page", .kernel, C.xdpDropRecycle, .mm),
            ]
        case (.xdp, .tx):
            return kernelFront + [
                xdpProgram, stage("xdp-tx", "XDP_TX: transmit on same NIC", .kernel, C.xdpTransmit, .netdev),
                nicTransmit,
            ]
        case (.xdp, .redirect):
            return kernelFront + [
                xdpProgram,
                stage("xdp-redirect", "XDP_REDIRECT: devmap → other NIC", .kernel, C.xdpRedirectTransmit, .netdev),
                stage("page-return", "return page to RX driver", .kernel, C.xdpRedirectPageReturn, .mm),
                nicTransmit,
            ]
        case (.afXDP, _):
            return kernelFront + [
                stage("xdp-to-xsk", "XDP program: redirect to XSKMAP", .kernel, C.xdpProgram, .netdev),
                stage("xsk-enqueue", "AF_XDP socket: RX ring", .kernel, C.xskEnqueue, .netdev),
                stage("xsk-user", "app reads RX ring, refills FILL ring", .user, C.xskUserRing, .etc),
            ]
        default:
            // linux (drop, deliver) and xdp pass.
            var stages = kernelFront
            if spec.path == .xdp {
                stages.append(stage("xdp-pass", "XDP program → XDP_PASS", .kernel, C.xdpPass, .netdev))
            }
            stages += [
                stage("page-refill", "RX ring refill: page alloc", .kernel, C.pageRefill, .mm),
                stage("skb-alloc", "sk_buff alloc", .kernel, C.skbAlloc, .skb),
                stage("gro", "GRO + netif_receive_skb", .kernel, C.groReceive, .netdev),
                stage("nf-raw", "netfilter: raw table", .kernel, C.netfilterRaw, .tcpip),
            ]
            if spec.conntrack {
                stages.append(stage("conntrack", "netfilter: conntrack", .kernel, C.conntrack, .tcpip))
            }
            if spec.action == .drop {
                stages.append(stage("drop-free", "drop: kfree_skb", .kernel, C.dropFree, .skb))
                return stages
            }
            let copy = C.copyToUser + Double(spec.packetBytes - 64) * C.copyNsPerByte
            return stages + [
                stage("ip", "IP: route lookup, local deliver", .kernel, C.ipLocalDeliver, .tcpip),
                stage("udp", "UDP receive: socket lookup", .kernel, C.udpReceive, .tcpip),
                stage("socket-queue", "socket receive queue", .kernel, C.socketQueue, .lock),
                stage("wakeup", "wake the reader", .kernel, C.wakeReader, .sched),
                stage("recvmsg", "recvmsg() system call", .kernel, C.recvmsgSyscall, .etc),
                stage("copy", "copy to user space", .kernel, copy, .dataCopy),
                stage("skb-free", "free sk_buff", .kernel, C.skbFree, .skb),
                stage("app", "application gets the data", .user, 0, nil),
            ]
        }
    }
}
