import Diagram
import Simulation
import Support

/// ```` ```sim packet-path ````: a packet's way from the wire to the application, per path.
struct PacketPathFigure: FigureKind {
    let name = "packet-path"
    let version = 1
    let keys = ["path", "paths", "conntrack", "action", "packet_bytes", "rate_mpps", "cores"]

    func make(spec: inout YAMLFields, info: FigureInfo) -> FigureContent? {
        var pathNames: [(String, SourceLocation)] = []
        if spec.has("path") && spec.has("paths") {
            spec.error("give either 'path' or 'paths', not both", atKey: "paths")
        } else if let list = spec.stringList("paths") {
            pathNames = list
            if list.isEmpty { spec.error("'paths' needs at least one path", atKey: "paths") }
            if list.count > 8 { spec.error("'paths' draws at most 8 paths side by side", atKey: "paths") }
        } else if let single = spec.string("path") {
            pathNames = [(single, spec.location(of: "path"))]
        } else if spec.parsed && !spec.has("path") && !spec.has("paths") {
            spec.error("missing required key 'path' (or 'paths') in the 'packet-path' figure", at: spec.start)
        }
        var paths: [PacketPathKind] = []
        for (name, location) in pathNames {
            guard let path = PacketPathKind(rawValue: name) else {
                let names = PacketPathKind.allCases.map(\.rawValue)
                var message = "unknown path '\(name)'"
                if let suggestion = closestMatch(to: name, in: names) {
                    message += "; did you mean '\(suggestion)'?"
                } else {
                    message += "; use one of \(names.joined(separator: ", "))"
                }
                spec.error(message, at: location)
                continue
            }
            paths.append(path)
        }
        var action = PacketAction.drop
        if let actionName = spec.string("action") {
            if let value = PacketAction(rawValue: actionName) {
                action = value
            } else {
                spec.error(
                    "unknown action '\(actionName)'; use one of \(PacketAction.allCases.map(\.rawValue).joined(separator: ", "))",
                    atKey: "action")
            }
        }
        let conntrack = spec.bool("conntrack") ?? false
        let packetBytes = spec.integer("packet_bytes", in: 64...9000) ?? 64
        let rate = spec.double("rate_mpps", in: 0.001...1000)
        let cores = spec.integer("cores", in: 1...128) ?? 1
        guard !spec.log.hasErrors, !paths.isEmpty else { return nil }
        var results: [PacketPathResult] = []
        for path in paths {
            do {
                results.append(
                    try PacketPath.simulate(
                        PacketPathSpec(
                            path: path, action: action,
                            conntrack: conntrack && (paths.count == 1 || Self.tracksConnections(path, action)),
                            packetBytes: packetBytes, rateMpps: rate, cores: cores)))
            } catch {
                let location = spec.has("action") ? spec.location(of: "action") : spec.start
                spec.error("path \(path.rawValue): \(error.message)", at: location)
            }
        }
        guard !spec.log.hasErrors else { return nil }
        let buckets = CostBucket.allCases
        let rows = results.map { result in
            LanesLayout.Row(
                title: Self.pathTitle(result.spec),
                subtitle:
                    "\(portugueseNumber(result.nsPerPacket, decimals: 1)) ns por pacote · "
                    + "\(portugueseNumber(result.mppsPerCore, decimals: 1)) Mpps por núcleo",
                stages: result.stages.map { stage in
                    LanesLayout.Stage(
                        label: Self.stageName(stage), valueLabel: portugueseNumber(stage.nsPerPacket, decimals: 1),
                        lane: Self.laneIndex(stage.layer), value: stage.nsPerPacket,
                        series: stage.bucket.flatMap { buckets.firstIndex(of: $0) })
                })
        }
        let usedBuckets = Set(results.flatMap { $0.stages.compactMap(\.bucket) })
        let legend = buckets.enumerated().compactMap { index, bucket -> LanesLayout.LegendEntry? in
            usedBuckets.contains(bucket)
                ? LanesLayout.LegendEntry(series: index, label: Self.bucketNames[bucket] ?? bucket.rawValue) : nil
        }
        let layout = LanesLayout(
            lanes: ["hardware", "kernel", "usuário"], rows: rows, axisLabel: "ns por pacote", legend: legend,
            maxWidth: figureWidth)
        let actionText = Self.actionNames[action] ?? action.rawValue
        let description =
            "Custo por pacote de \(packetBytes) bytes (\(actionText)), etapa por etapa, em "
            + "\(countText(results.count, "caminho", "caminhos")): "
            + listText(
                results.map {
                    "\(Self.pathTitle($0.spec)), \(portugueseNumber($0.nsPerPacket, decimals: 1)) ns por pacote "
                        + "(\(portugueseNumber($0.mppsPerCore, decimals: 1)) Mpps por núcleo)"
                }) + "."
        var tableRows: [[String]] = []
        var footer: [[String]] = []
        for result in results {
            let title = Self.pathTitle(result.spec)
            for stage in result.stages {
                tableRows.append([
                    title, Self.stageName(stage), Self.laneNames[Self.laneIndex(stage.layer)],
                    portugueseNumber(stage.nsPerPacket, decimals: 2),
                ])
            }
            var total = "\(portugueseNumber(result.mppsPerCore, decimals: 2)) Mpps por núcleo"
            if cores > 1 {
                total += "; \(portugueseNumber(result.aggregateMpps, decimals: 1)) Mpps com \(cores) núcleos"
                if result.pcieLimited { total += " (limite do PCIe)" }
            }
            footer.append([title, "Total", total, portugueseNumber(result.nsPerPacket, decimals: 2)])
        }
        let json: JSON
        if results.count == 1, spec.has("path") {
            json = Self.json(results[0])
        } else {
            json = .object(["paths": .array(results.map(Self.json))])
        }
        return FigureContent(
            svg: layout.render(title: info.title, description: description, idPrefix: info.elementID),
            description: description,
            table: DataTable(
                columns: ["Caminho", "Etapa", "Camada", "ns por pacote"], rows: tableRows, footer: footer,
                numericColumns: [3]),
            json: json)
    }

    static func json(_ result: PacketPathResult) -> JSON {
        .object([
            "path": .string(result.spec.path.rawValue),
            "stages": .array(
                result.stages.map { stage in
                    .object([
                        "name": .string(stage.name), "layer": .string(stage.layer.rawValue),
                        "ns_per_packet": .number(stage.nsPerPacket),
                    ])
                }),
            "ns_per_packet": .number(result.nsPerPacket), "mpps_per_core": .number(result.mppsPerCore),
        ])
    }

    /// Whether `conntrack: true` applies to `path` when several paths are drawn (it needs the
    /// kernel stack: linux, or xdp passing packets on).
    static func tracksConnections(_ path: PacketPathKind, _ action: PacketAction) -> Bool {
        path == .linux || (path == .xdp && action == .pass)
    }

    static func laneIndex(_ layer: PacketLayer) -> Int {
        switch layer {
        case .hardware: return 0
        case .kernel: return 1
        case .user: return 2
        }
    }

    static let laneNames = ["hardware", "kernel", "usuário"]

    static func pathTitle(_ spec: PacketPathSpec) -> String {
        switch spec.path {
        case .linux: return spec.conntrack ? "Linux com conntrack" : "Linux"
        case .xdp: return spec.conntrack ? "XDP com conntrack" : "XDP"
        case .afXDP: return "AF_XDP"
        case .dpdk: return "DPDK"
        }
    }

    static let actionNames: [PacketAction: String] = [
        .drop: "descartado o mais cedo possível", .pass: "XDP_PASS para a pilha", .tx: "devolvido pela mesma placa",
        .redirect: "redirecionado para outra placa", .deliver: "entregue à aplicação",
    ]

    static let bucketNames: [CostBucket: String] = [
        .dataCopy: "cópia de dados", .tcpip: "tcp/ip", .netdev: "netdev", .skb: "skb", .mm: "memória",
        .lock: "locks", .sched: "escalonamento", .etc: "outros",
    ]

    static func stageName(_ stage: PacketStage) -> String {
        stageNames[stage.id] ?? stage.name
    }

    static let stageNames = [
        "nic-rx": "NIC: DMA para o anel RX", "nic-tx": "NIC: DMA e transmissão", "irq": "IRQ → agenda o NAPI",
        "napi-driver": "NAPI: driver lê o anel RX", "xdp-prog": "programa XDP",
        "pmd-rx": "PMD: rte_eth_rx_burst (polling)", "app-read": "aplicação lê o pacote",
        "mbuf-free": "libera o mbuf", "pmd-tx": "PMD: rte_eth_tx_burst", "xdp-drop": "XDP_DROP: recicla a página",
        "xdp-tx": "XDP_TX: transmite pela mesma NIC", "xdp-redirect": "XDP_REDIRECT: devmap → outra NIC",
        "page-return": "devolve a página ao driver", "xdp-to-xsk": "XDP redireciona ao XSKMAP",
        "xsk-enqueue": "socket AF_XDP: anel RX", "xsk-user": "aplicação lê o anel RX e repõe o FILL",
        "xdp-pass": "programa XDP → XDP_PASS", "page-refill": "repõe o anel RX (aloca página)",
        "skb-alloc": "aloca o sk_buff", "gro": "GRO + netif_receive_skb", "nf-raw": "netfilter: tabela raw",
        "conntrack": "netfilter: conntrack", "drop-free": "descarte: kfree_skb", "ip": "IP: rota e entrega local",
        "udp": "UDP: busca o socket", "socket-queue": "fila de recepção do socket", "wakeup": "acorda o leitor",
        "recvmsg": "chamada de sistema recvmsg()", "copy": "cópia para o espaço do usuário",
        "skb-free": "libera o sk_buff", "app": "aplicação recebe os dados",
    ]
}
