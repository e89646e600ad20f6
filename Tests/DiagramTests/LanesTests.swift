import Diagram
import Testing

@Suite struct LanesTests {
    typealias Stage = LanesLayout.Stage

    static let lanes = ["hardware", "kernel", "usuário"]

    /// Stages shaped like the packet-path model's (lane, ns, bucket colour); the layout itself
    /// knows nothing of packets.
    static func stage(_ label: String, _ lane: Int, _ value: Double, _ series: Int?) -> Stage {
        Stage(
            label: label, valueLabel: LanesLayout.decimalComma((value * 10).rounded() / 10) + " ns", lane: lane,
            value: value, series: series)
    }

    static let linux = LanesLayout.Row(
        title: "Linux: entrega ao socket", subtitle: "574,7 ns por pacote · 1,74 Mpps por núcleo",
        stages: [
            stage("NIC: DMA no anel RX", 0, 0, nil), stage("IRQ → NAPI", 1, 1.56, 7),
            stage("NAPI: driver RX", 1, 29.99, 2), stage("reposição do anel", 1, 25, 4),
            stage("aloca sk_buff", 1, 35, 3),
            stage("GRO", 1, 55, 2), stage("netfilter: raw", 1, 36.78, 1), stage("IP", 1, 45, 1),
            stage("UDP", 1, 55, 1), stage("fila do socket", 1, 40, 5), stage("acorda o leitor", 1, 90, 6),
            stage("recvmsg()", 1, 90, 7), stage("cópia p/ usuário", 1, 41.38, 0), stage("libera sk_buff", 1, 30, 3),
            stage("aplicação", 2, 0, nil),
        ])
    static let xdp = LanesLayout.Row(
        title: "XDP_DROP", subtitle: "41,7 ns · 24 Mpps",
        stages: [
            stage("NIC: DMA no anel RX", 0, 0, nil), stage("IRQ → NAPI", 1, 1.56, 7),
            stage("NAPI: driver RX", 1, 29.99, 2),
            stage("programa XDP", 1, 4.12, 2), stage("XDP_DROP", 1, 6, 4),
        ])
    static let dpdk = LanesLayout.Row(
        title: "DPDK", subtitle: "23 ns · 43,5 Mpps",
        stages: [
            stage("NIC: DMA no anel RX", 0, 0, nil), stage("PMD: rx_burst", 2, 16.99, 2),
            stage("rte_pktmbuf_free", 2, 6, 4),
        ])
    static let legend = [
        "cópia de dados", "tcp/ip", "netdev", "skb", "mm", "lock", "sched", "etc",
    ].enumerated().map { LanesLayout.LegendEntry(series: $0.offset, label: $0.element) }

    static func layout(_ rows: [LanesLayout.Row], legend: [LanesLayout.LegendEntry] = legend) -> LanesLayout {
        LanesLayout(lanes: lanes, rows: rows, axisLabel: "ns por pacote", legend: legend)
    }

    static func expectReadable(_ layout: LanesLayout, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(layout.width <= 560, sourceLocation: sourceLocation)
        #expect(layout.fontSize >= 12, sourceLocation: sourceLocation)
        for (index, a) in layout.texts.enumerated() {
            #expect(a.x >= 0 && a.x + a.width <= layout.width + 0.001, "\(a)", sourceLocation: sourceLocation)
            #expect(a.y >= 0 && a.y + a.height <= layout.height, "\(a)", sourceLocation: sourceLocation)
            for b in layout.texts[(index + 1)...] {
                #expect(!a.overlaps(b), "\(a) overlaps \(b)", sourceLocation: sourceLocation)
            }
            // A label may sit on a bar only inside it (its own, placed inside).
            for bar in layout.bars {
                let overlaps =
                    a.x < bar.x + bar.width && bar.x < a.x + a.width && a.y < bar.y + bar.height
                    && bar.y < a.y + a.height
                if overlaps {
                    #expect(
                        a.x >= bar.x && a.x + a.width <= bar.x + bar.width, "\(a) on \(bar)",
                        sourceLocation: sourceLocation)
                }
            }
        }
    }

    @Test func threePathsShareOneScaleAndStayReadable() {
        let layout = Self.layout([Self.linux, Self.xdp, Self.dpdk])
        Self.expectReadable(layout)
        #expect(layout.width == 560)
        #expect(layout.axisMax >= 574.7 && layout.axisMax < 574.7 * 1.5)
        // Shared scale: a row's last bar ends at its total.
        let scale = (layout.plotRight - layout.plotLeft) / layout.axisMax
        for (rowIndex, total) in [(0, 574.71), (1, 41.67), (2, 22.99)] {
            let end = layout.bars.filter { $0.row == rowIndex }.map { $0.x + $0.width }.max() ?? 0
            #expect(abs(end - (layout.plotLeft + total * scale)) < 2.5, "row \(rowIndex)")
        }
    }

    @Test func barsRunLeftToRightInOrderWithLengthsFromValues() {
        let layout = Self.layout([Self.linux])
        let bars = layout.bars.filter { $0.row == 0 }
        #expect(bars.map(\.stage) == Array(Self.linux.stages.indices))
        let scale = (layout.plotRight - layout.plotLeft) / layout.axisMax
        var start = 0.0
        for (bar, stage) in zip(bars, Self.linux.stages) {
            #expect(abs(bar.x - (layout.plotLeft + start * scale)) < 1e-6)
            #expect(abs(bar.width - max(2, stage.value * scale)) < 1e-6)
            start += stage.value
        }
        // One line per stage: no two bars share a line.
        #expect(Set(bars.map(\.y)).count == bars.count)
    }

    @Test func lanesStackTopToBottom() {
        let layout = Self.layout([Self.linux])
        let bars = layout.bars
        let hardware = bars[0].y
        let kernel = bars[1...13].map(\.y)
        let user = bars[14].y
        #expect(kernel.allSatisfy { $0 > hardware && $0 < user })
        #expect(kernel == kernel.sorted())
        // Lane names are drawn once per row, in the gutter.
        for lane in Self.lanes {
            let placed = layout.texts.filter { $0.text == lane }
            #expect(placed.count == 1)
            #expect(placed.allSatisfy { $0.x + $0.width <= layout.plotLeft })
        }
    }

    @Test func emptyLanesStillGetABand() {
        let layout = Self.layout([Self.xdp])
        #expect(layout.texts.contains { $0.text == "usuário" })
        Self.expectReadable(layout)
    }

    @Test func longLabelsAreShortenedAndNeverOverlap() {
        let long = "uma etapa com um nome longuíssimo que jamais caberia numa tela de celular estreita"
        let row = LanesLayout.Row(
            title: "Um título de linha que também é comprido demais para a largura de um telefone celular",
            subtitle: "e um subtítulo igualmente comprido que precisa descer para a linha de baixo",
            stages: [
                Stage(label: long, valueLabel: "300 ns", lane: 1, value: 300, series: 1),
                Stage(label: long, valueLabel: "10 ns", lane: 1, value: 10, series: 2),
                Stage(label: "curta", valueLabel: "290 ns", lane: 2, value: 290, series: 3),
                Stage(label: long, lane: 0, value: 0),
            ])
        let layout = LanesLayout(
            lanes: ["camada de hardware com nome enorme", "kernel", "usuário"], rows: [row], axisLabel: "ns",
            legend: Self.legend + [.init(series: 9, label: long + " " + long)])
        Self.expectReadable(layout)
        #expect(layout.texts.contains { $0.text.hasSuffix("…") || $0.text.contains("… ") })
        #expect(!layout.texts.contains { $0.text == long + " " + long || $0.text.hasPrefix(long + " 300") })
    }

    @Test func labelsGoInsideLongBarsWhenNeitherSideHasRoom() {
        let row = LanesLayout.Row(
            title: "t",
            stages: [
                Stage(label: "a", lane: 0, value: 1, series: 0),
                Stage(label: "uma etapa longa", valueLabel: "900 ns", lane: 1, value: 900, series: 1),
                Stage(label: "b", lane: 2, value: 1, series: 2),
            ])
        let layout = LanesLayout(lanes: Self.lanes, rows: [row], axisLabel: "ns")
        Self.expectReadable(layout)
        let bar = layout.bars[1]
        let label = layout.texts.first { $0.text == "uma etapa longa 900 ns" }
        #expect(label != nil)
        if let label { #expect(label.x > bar.x && label.x + label.width < bar.x + bar.width) }
        #expect(layout.render(title: "t", description: "d", idPrefix: "l").contains("var(--fig-on-series"))
    }

    @Test func coloursComeFromSeriesAndTheLegend() {
        let svg = Self.layout([Self.xdp]).render(title: "XDP", description: "d", idPrefix: "lanes")
        #expect(svg.contains("fill: var(--fig-c3, #228833)\"><title>NAPI: driver RX: 30 ns</title>"))
        #expect(svg.contains("fill: var(--fig-muted, #5a606b)\"><title>NIC: DMA no anel RX: 0 ns</title>"))
        for entry in Self.legend {
            #expect(svg.contains(">\(entry.label)</text>"))
        }
        #expect(svg.contains(">ns por pacote</text>"))
    }

    @Test func ticksAreNiceAndLabelledWithCommas() {
        #expect(LanesLayout.decimalComma(2.5) == "2,5")
        #expect(LanesLayout.decimalComma(600) == "600")
        let layout = Self.layout([Self.xdp, Self.dpdk])
        #expect(layout.ticks.first == 0 && layout.ticks.last == layout.axisMax)
        #expect(layout.ticks.count >= 3 && layout.ticks.count <= 9)
        #expect(layout.axisMax >= 41.67)
        let steps = zip(layout.ticks.dropFirst(), layout.ticks).map { $0 - $1 }
        #expect(steps.allSatisfy { abs($0 - steps[0]) < 1e-9 })
        Self.expectReadable(layout)
    }

    @Test func zeroAndEmptyInputsDrawSomething() {
        let empty = LanesLayout(lanes: Self.lanes, rows: [], axisLabel: "ns")
        #expect(empty.height > 0 && empty.axisMax > 0)
        let zero = LanesLayout(
            lanes: Self.lanes, rows: [.init(title: "z", stages: [Stage(label: "x", lane: 5, value: -3)])],
            axisLabel: "ns")
        #expect(zero.bars.count == 1 && zero.bars[0].width == 2)
        Self.expectReadable(zero)
    }

    @Test func smallFontsAreRaisedToTwelve() {
        let layout = LanesLayout(lanes: Self.lanes, rows: [Self.dpdk], axisLabel: "ns", fontSize: 9)
        #expect(layout.fontSize == 12)
        #expect(!layout.render(title: "t", description: "d", idPrefix: "l").contains("font-size: 9px"))
    }

    @Test func deterministic() {
        let a = Self.layout([Self.linux, Self.xdp]).render(title: "t", description: "d", idPrefix: "p")
        let b = Self.layout([Self.linux, Self.xdp]).render(title: "t", description: "d", idPrefix: "p")
        #expect(a == b)
    }
}
