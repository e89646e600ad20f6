import Simulation
import Testing

@Suite struct PacketPathTests {
    static func run(
        _ path: PacketPathKind, _ action: PacketAction, conntrack: Bool = false, packetBytes: Int = 64,
        rate: Double? = nil, cores: Int = 1
    ) throws -> PacketPathResult {
        try PacketPath.simulate(
            PacketPathSpec(
                path: path, action: action, conntrack: conntrack, packetBytes: packetBytes, rateMpps: rate,
                cores: cores))
    }

    static func within(_ value: Double, _ target: Double, _ tolerance: Double = 0.10) -> Bool {
        abs(value - target) <= tolerance * target
    }

    /// The XDP paper's single-core drop table (packet-path.md §1.1), within 10 %.
    @Test(arguments: [
        (PacketPathKind.linux, false, 4.8, 208.3), (.linux, true, 1.8, 555.6), (.xdp, false, 24, 41.6),
        (.dpdk, false, 43.5, 22.9), (.afXDP, false, 24, 41.6),
    ])
    func singleCoreDropMatchesThePaper(path: PacketPathKind, conntrack: Bool, mpps: Double, ns: Double) throws {
        let result = try Self.run(path, .drop, conntrack: conntrack)
        #expect(Self.within(result.mppsPerCore, mpps), "\(path): \(result.mppsPerCore) Mpps")
        #expect(Self.within(result.nsPerPacket, ns), "\(path): \(result.nsPerPacket) ns")
        #expect(abs(result.nsPerPacket - result.stages.reduce(0) { $0 + $1.nsPerPacket }) < 1e-9)
        #expect(result.stages.allSatisfy { $0.nsPerPacket >= 0 })
    }

    @Test func linuxRawDropIsWithinTenPercentOfBothPublishedValues() throws {
        let linux = try Self.run(.linux, .drop).mppsPerCore
        #expect(Self.within(linux, 4.837_269))  // the text's table raw column
        #expect(Self.within(linux, 5.051_787))  // Fig. 3's 1-core data
    }

    @Test func publishedRatios() throws {
        let linux = try Self.run(.linux, .drop).mppsPerCore
        let xdp = try Self.run(.xdp, .drop).mppsPerCore
        let dpdk = try Self.run(.dpdk, .drop).mppsPerCore
        #expect(Self.within(xdp / linux, 5))
        #expect(Self.within(dpdk / xdp, 1.8))
        // The gap to DPDK, ≈18.7 ns (≈67 cycles at 3.6 GHz).
        let gap = try Self.run(.xdp, .drop).nsPerPacket - Self.run(.dpdk, .drop).nsPerPacket
        #expect(Self.within(gap, 18.7))
    }

    @Test func forwardingAndAFXDPMatchTheirPublishedRates() throws {
        #expect(Self.within(try Self.run(.xdp, .tx).mppsPerCore, 16.9))
        #expect(Self.within(try Self.run(.xdp, .redirect).mppsPerCore, 8.64))
        #expect(Self.within(try Self.run(.dpdk, .tx).mppsPerCore, 21.9))
        #expect(Self.within(try Self.run(.afXDP, .deliver).mppsPerCore, 20))
        // Local delivery uses Linux forwarding (1.74 Mpps) as its stand-in.
        #expect(Self.within(try Self.run(.linux, .deliver).mppsPerCore, 1.74))
    }

    @Test func xdpRunsInTheDriverBeforeAnySkBuff() throws {
        for action in [PacketAction.drop, .pass, .tx, .redirect] {
            let ids = try Self.run(.xdp, action).stages.map(\.id)
            let program = try #require(ids.firstIndex { $0 == "xdp-prog" || $0 == "xdp-pass" })
            #expect(ids[program - 1] == "napi-driver", "\(action)")
            if let skb = ids.firstIndex(of: "skb-alloc") {
                #expect(program < skb)
            } else {
                #expect(action != .pass)
            }
        }
        let afXDP = try Self.run(.afXDP, .deliver).stages
        #expect(!afXDP.map(\.id).contains("skb-alloc"))
        #expect(afXDP.map(\.id).firstIndex(of: "xdp-to-xsk")! < afXDP.map(\.id).firstIndex(of: "xsk-enqueue")!)
        #expect(afXDP.last?.layer == .user)
    }

    @Test func xdpPassAddsThirteenNanosecondsToTheLinuxPath() throws {
        for conntrack in [false, true] {
            let linux = try Self.run(.linux, .deliver, conntrack: conntrack)
            let pass = try Self.run(.xdp, .pass, conntrack: conntrack)
            #expect(abs(pass.nsPerPacket - linux.nsPerPacket - 13.3) < 1e-9)
            // The same stages, plus the XDP program right after the driver.
            #expect(pass.stages.filter { $0.id != "xdp-pass" } == linux.stages)
        }
        // The paper's raw drop with a passing XDP program: 4.5 Mpps.
        let rawWithPass = 1000 / (try Self.run(.linux, .drop).nsPerPacket + 13.3)
        #expect(Self.within(rawWithPass, 4.5))
    }

    @Test func dpdkSkipsIrqNapiAndTheKernel() throws {
        for action in [PacketAction.drop, .deliver, .tx] {
            let stages = try Self.run(.dpdk, action).stages
            #expect(!stages.contains { $0.id == "irq" || $0.id.contains("napi") })
            #expect(!stages.contains { $0.layer == .kernel })
        }
        let linux = try Self.run(.linux, .drop).stages.map(\.id)
        #expect(Array(linux.prefix(3)) == ["nic-rx", "irq", "napi-driver"])
    }

    @Test func linuxStageOrderFollowsTheStack() throws {
        let ids = try Self.run(.linux, .deliver, conntrack: true).stages.map(\.id)
        #expect(
            ids == [
                "nic-rx", "irq", "napi-driver", "page-refill", "skb-alloc", "gro", "nf-raw", "conntrack", "ip", "udp",
                "socket-queue", "wakeup", "recvmsg", "copy", "skb-free", "app",
            ])
        let drop = try Self.run(.linux, .drop, conntrack: true).stages.map(\.id)
        #expect(drop.suffix(3) == ["nf-raw", "conntrack", "drop-free"])
        #expect(try Self.run(.linux, .drop).stages.last?.id == "drop-free")
    }

    @Test func layersAndBuckets() throws {
        let stages = try Self.run(.linux, .deliver).stages
        #expect(stages.first?.layer == .hardware && stages.first?.bucket == nil)
        #expect(stages.last?.layer == .user)
        #expect(stages.dropFirst().dropLast().allSatisfy { $0.layer == .kernel && $0.bucket != nil })
        let buckets = Set(stages.compactMap(\.bucket))
        #expect(buckets == Set(CostBucket.allCases))
        #expect(CostBucket.tcpip.rawValue == "tcp/ip" && CostBucket.dataCopy.rawValue == "data_copy")
    }

    /// packet-path.md §5: short packets are dominated by tcp/ip and sched, big ones by data copy.
    @Test func dataCopyDominatesOnlyForBigPackets() throws {
        func largest(_ bytes: Int) throws -> CostBucket? {
            try Self.run(.linux, .deliver, packetBytes: bytes).nsByBucket.max { $0.nsPerPacket < $1.nsPerPacket }?
                .bucket
        }
        #expect(try largest(64) == .tcpip)
        #expect(try largest(1500) == .dataCopy)
        #expect(try largest(9000) == .dataCopy)
        let small = try Self.run(.linux, .deliver).nsByBucket
        let share = small.filter { [.tcpip, .sched].contains($0.bucket) }.reduce(0) { $0 + $1.nsPerPacket }
        #expect(share > small.first { $0.bucket == .dataCopy }!.nsPerPacket * 3)
        // Packet size changes nothing on paths without a copy.
        #expect(try Self.run(.xdp, .drop, packetBytes: 1500).nsPerPacket == Self.run(.xdp, .drop).nsPerPacket)
    }

    @Test func coresScaleLinearlyUpToThePCIeLimit() throws {
        let xdp2 = try Self.run(.xdp, .drop, cores: 2)
        #expect(abs(xdp2.aggregateMpps - 2 * xdp2.mppsPerCore) < 1e-9 && !xdp2.pcieLimited)
        let xdp6 = try Self.run(.xdp, .drop, cores: 6)
        #expect(xdp6.aggregateMpps == 115 && xdp6.pcieLimited)
        let dpdk3 = try Self.run(.dpdk, .drop, cores: 3)
        #expect(dpdk3.aggregateMpps == 115 && dpdk3.pcieLimited)
        let linux6 = try Self.run(.linux, .drop, cores: 6)
        #expect(Self.within(linux6.aggregateMpps, 29.44) && !linux6.pcieLimited)
        for cores in 1...12 {
            #expect(try Self.run(.dpdk, .drop, cores: cores).aggregateMpps <= 115)
        }
    }

    @Test func offeredRateGivesBusyFractionAndDrops() throws {
        let light = try #require(try Self.run(.xdp, .drop, rate: 12).load)
        #expect(abs(light.busyFraction - 0.5) < 1e-9)
        #expect(light.handledMpps == 12 && light.droppedMpps == 0)

        let overload = try #require(try Self.run(.linux, .drop, rate: 10).load)
        #expect(overload.busyFraction == 1)
        #expect(abs(overload.droppedMpps - (10 - 4.8)) < 1e-9)

        let twoCores = try #require(try Self.run(.linux, .drop, rate: 4.8, cores: 2).load)
        #expect(abs(twoCores.busyFraction - 0.5) < 1e-9)

        let dpdk = try #require(try Self.run(.dpdk, .drop, rate: 0.25).load)
        #expect(dpdk.busyFraction == 1)  // busy polling

        let pcie = try #require(try Self.run(.dpdk, .drop, rate: 148.8, cores: 6).load)
        #expect(pcie.handledMpps == 115 && abs(pcie.droppedMpps - 33.8) < 1e-9)
        #expect(try Self.run(.xdp, .drop).load == nil)
    }

    @Test func everyValidCombinationHasUniqueStageIDs() throws {
        var valid = 0
        for path in PacketPathKind.allCases {
            for action in PacketAction.allCases {
                guard let result = try? Self.run(path, action) else { continue }
                valid += 1
                #expect(Set(result.stages.map(\.id)).count == result.stages.count, "\(path) \(action)")
                #expect(result.stages.first?.id == "nic-rx")
            }
        }
        #expect(valid == 11)
    }

    @Test func deterministic() throws {
        #expect(try Self.run(.linux, .deliver, conntrack: true) == Self.run(.linux, .deliver, conntrack: true))
    }

    @Test(arguments: [
        (PacketPathSpec(path: .dpdk, action: .drop, conntrack: true), "bypasses netfilter"),
        (PacketPathSpec(path: .afXDP, action: .deliver, conntrack: true), "bypasses netfilter"),
        (PacketPathSpec(path: .xdp, action: .drop, conntrack: true), "only with action: pass"),
        (PacketPathSpec(path: .linux, action: .tx), "is an XDP action"),
        (PacketPathSpec(path: .linux, action: .redirect), "is an XDP action"),
        (PacketPathSpec(path: .linux, action: .pass), "is an XDP action"),
        (PacketPathSpec(path: .xdp, action: .deliver), "action: pass"),
        (PacketPathSpec(path: .afXDP, action: .pass), "XSKMAP"),
        (PacketPathSpec(path: .dpdk, action: .redirect), "bypasses the kernel"),
        (PacketPathSpec(path: .dpdk, action: .pass), "bypasses the kernel"),
        (PacketPathSpec(path: .linux, action: .drop, packetBytes: 40), "packet_bytes"),
        (PacketPathSpec(path: .linux, action: .drop, cores: 0), "cores"),
        (PacketPathSpec(path: .linux, action: .drop, rateMpps: -1), "rate_mpps"),
        (PacketPathSpec(path: .linux, action: .drop, rateMpps: .nan), "rate_mpps"),
    ])
    func invalidCombinationsAreDescriptiveErrors(spec: PacketPathSpec, fragment: String) {
        do {
            _ = try PacketPath.simulate(spec)
            Issue.record("expected an error for \(spec)")
        } catch {
            #expect(error.message.contains(fragment), "\(error.message)")
        }
    }

    @Test func namesParseFromSpecs() {
        #expect(PacketPathKind(rawValue: "af-xdp") == .afXDP)
        #expect(PacketAction(rawValue: "redirect") == .redirect)
        #expect(PacketPathKind(rawValue: "netmap") == nil)
    }
}
