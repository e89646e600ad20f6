import Diagram
import Testing

// MARK: - A small SVG reader for the checks

/// A `<text>` element read back from the SVG, with the box it covers by `TextMetrics`.
private struct SVGText {
    var content: String
    var x: Double
    var y: Double
    var size: Double
    var anchor: String
    var minX: Double
    var maxX: Double
    var minY: Double { y - 0.8 * size }
    var maxY: Double { y + 0.25 * size }

    func overlaps(_ other: SVGText) -> Bool {
        minX < other.maxX && other.minX < maxX && minY < other.maxY && other.minY < maxY
    }
}

private func unescape(_ text: String) -> String {
    var result = text
    for (entity, character) in [("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&#39;", "'"), ("&amp;", "&")] {
        result = result.replacing(entity, with: character)
    }
    return result
}

/// The value of `name="…"` in a tag.
private func attribute(_ name: String, in tag: Substring) -> String? {
    guard let range = tag.firstRange(of: " \(name)=\"") else { return nil }
    let rest = tag[range.upperBound...]
    guard let end = rest.firstIndex(of: "\"") else { return nil }
    return String(rest[..<end])
}

private func fontSize(in tag: Substring) -> Double? {
    guard let range = tag.firstRange(of: "font-size: ") else { return nil }
    let rest = tag[range.upperBound...]
    guard let end = rest.firstRange(of: "px") else { return nil }
    return Double(rest[..<end.lowerBound])
}

private func texts(in svg: String) -> [SVGText] {
    var found: [SVGText] = []
    var rest = svg[...]
    while let open = rest.firstRange(of: "<text ") {
        guard let tagEnd = rest[open.upperBound...].firstIndex(of: ">"),
            let close = rest[tagEnd...].firstRange(of: "</text>")
        else { break }
        let tag = rest[open.lowerBound...tagEnd]
        let content = unescape(String(rest[rest.index(after: tagEnd)..<close.lowerBound]))
        let x = Double(attribute("x", in: tag) ?? "") ?? .nan
        let y = Double(attribute("y", in: tag) ?? "") ?? .nan
        let size = fontSize(in: tag) ?? .nan
        let anchor = attribute("text-anchor", in: tag) ?? "start"
        let width = TextMetrics.width(content, size: size)
        let minX = anchor == "middle" ? x - width / 2 : anchor == "end" ? x - width : x
        found.append(SVGText(content: content, x: x, y: y, size: size, anchor: anchor, minX: minX, maxX: minX + width))
        rest = rest[close.upperBound...]
    }
    return found
}

/// Checks that tags nest and close properly; returns the element names opened, in order.
private func checkBalancedTags(_ svg: String, sourceLocation: SourceLocation = #_sourceLocation) -> [String] {
    var stack: [String] = []
    var opened: [String] = []
    var rest = svg[...]
    while let open = rest.firstIndex(of: "<") {
        guard let close = rest[open...].firstIndex(of: ">") else {
            Issue.record("unterminated tag", sourceLocation: sourceLocation)
            return opened
        }
        let tag = rest[rest.index(after: open)..<close]
        let name = String(tag.prefix { $0 != " " && $0 != "/" && $0 != ">" })
        if tag.hasPrefix("/") {
            let closing = String(tag.dropFirst())
            #expect(stack.last == closing, "closing \(closing) with \(stack) open", sourceLocation: sourceLocation)
            stack.removeLast()
        } else if !tag.hasSuffix("/") {
            stack.append(name)
            opened.append(name)
        } else {
            opened.append(name)
        }
        rest = rest[rest.index(after: close)...]
    }
    #expect(stack.isEmpty, "left open: \(stack)", sourceLocation: sourceLocation)
    return opened
}

private func canvasSize(_ svg: String) -> (width: Double, height: Double) {
    let tag = svg.prefix { $0 != ">" }
    return (Double(attribute("width", in: tag) ?? "") ?? .nan, Double(attribute("height", in: tag) ?? "") ?? .nan)
}

/// Every check a Gantt SVG must pass: balanced tags, no two texts overlapping, every text on the
/// canvas and at least 12 units high, the canvas at most 560 wide, colours only from CSS variables.
private func checkReadable(_ svg: String, sourceLocation: SourceLocation = #_sourceLocation) {
    _ = checkBalancedTags(svg, sourceLocation: sourceLocation)
    let (width, height) = canvasSize(svg)
    #expect(width <= 560, sourceLocation: sourceLocation)
    let found = texts(in: svg)
    for (index, text) in found.enumerated() {
        #expect(text.size >= 12, "\(text.content) at \(text.size)", sourceLocation: sourceLocation)
        #expect(
            text.minX >= 0 && text.maxX <= width && text.minY >= 0 && text.maxY <= height,
            "\(text.content) leaves the canvas", sourceLocation: sourceLocation)
        for other in found[(index + 1)...] {
            #expect(
                !text.overlaps(other), "\"\(text.content)\" overlaps \"\(other.content)\"",
                sourceLocation: sourceLocation)
        }
    }
    for hex in ["fill: #", "stroke: #", "fill:#", "stroke:#"] {
        #expect(!svg.contains(hex), "a colour outside the theme", sourceLocation: sourceLocation)
    }
}

// MARK: - Charts

/// A scheduler-like chart: each job runs in slices and waits on I/O between them.
private func workload(names: [String], until end: Double, slice: Double = 2, io: Double = 2) -> GanttChart {
    var rows: [GanttChart.Row] = []
    for (index, name) in names.enumerated() {
        var intervals: [GanttChart.Interval] = []
        var t = Double(index) * slice
        while t + slice <= end {
            intervals.append(
                GanttChart.Interval(
                    start: t, end: t + slice, style: .series(index), label: "Q\(index % 3)", tooltip: name))
            intervals.append(GanttChart.Interval(start: t + slice, end: t + slice + io, style: .hatched, label: "E/S"))
            t += Double(names.count) * slice + io
        }
        rows.append(GanttChart.Row(label: name, intervals: intervals, markers: [Double(index)]))
    }
    return GanttChart(
        rows: rows, axisLabel: "tempo (ms)",
        verticalMarkers: [GanttChart.VerticalMarker(time: end / 2, label: "boost")],
        legend: [
            GanttChart.LegendEntry(style: .series(0), label: "na CPU"),
            GanttChart.LegendEntry(style: .hatched, label: "esperando E/S"),
        ])
}

@Suite struct GanttTests {
    @Test func drawsBarsTicksAndLabelsAsWellFormedSVG() {
        let chart = GanttChart(
            rows: [
                GanttChart.Row(
                    label: "A",
                    intervals: [
                        GanttChart.Interval(start: 0, end: 10, style: .series(0), label: "A", tooltip: "A: 0–10 ms"),
                        GanttChart.Interval(start: 10, end: 15, style: .hatched),
                    ], markers: [0]),
                GanttChart.Row(
                    label: "B",
                    intervals: [GanttChart.Interval(start: 15, end: 30, style: .series(1), label: "nível 2")]),
            ], axisLabel: "tempo (ms)")
        let svg = chart.render(
            title: "Dois processos", description: "A roda e espera E/S; B roda depois.", idPrefix: "fig-1")
        let elements = checkBalancedTags(svg)
        #expect(elements.first == "svg")
        #expect(elements.filter { $0 == "rect" }.count == 3)
        #expect(svg.contains("<title id=\"fig-1-title\">Dois processos</title>"))
        #expect(svg.contains("<title>A: 0–10 ms</title>"))
        #expect(svg.contains("var(--fig-c1, #4477aa)") && svg.contains("var(--fig-c2, #ee6677)"))
        let contents = texts(in: svg).map(\.content)
        #expect(contents.contains("nível 2"))
        #expect(contents.contains("tempo (ms)"))
        // 0–30 on about 500 units: a tick every 5.
        #expect(chart.layout(idPrefix: "x").ticks == [0, 5, 10, 15, 20, 25, 30])
        #expect(["0", "5", "10", "15", "20", "25", "30"].allSatisfy(contents.contains))
        checkReadable(svg)
    }

    @Test func longNamesFitInTheLabelColumn() {
        let chart = workload(names: ["A", "processo-de-backup-noturno", "servidor-web"], until: 60)
        let svg = chart.render(title: "t", description: "d", idPrefix: "g")
        checkReadable(svg)
        let layout = chart.layout(idPrefix: "g")
        let label = texts(in: svg).first { $0.content == "processo-de-backup-noturno" }
        #expect(label != nil)
        if let label {
            #expect(label.minX >= 0 && label.maxX < layout.plotLeft)
        }
        #expect(layout.plotRight <= 560)
        #expect(layout.plotRight - layout.plotLeft > 250)
    }

    @Test func tooLongNamesAreCutWithAnEllipsis() {
        let name = "um-processo-com-um-nome-realmente-comprido-demais-para-a-coluna"
        let chart = GanttChart(
            rows: [GanttChart.Row(label: name, intervals: [GanttChart.Interval(start: 0, end: 5, style: .series(0))])],
            axisLabel: "tempo (ms)")
        let svg = chart.render(title: "t", description: "d", idPrefix: "g")
        checkReadable(svg)
        let label = texts(in: svg).first { $0.content.hasSuffix("…") }
        #expect(label.map { name.hasPrefix(String($0.content.dropLast())) } == true)
        #expect(label.map { $0.maxX - $0.minX <= 560 * 0.4 } == true)
    }

    @Test func twentyTwoJobsStackWithoutOverlaps() {
        let names = (1...22).map { "tarefa-\($0)" }
        let chart = workload(names: names, until: 300, slice: 3, io: 5)
        let svg = chart.render(title: "t", description: "d", idPrefix: "many")
        checkReadable(svg)
        let contents = texts(in: svg).map(\.content)
        #expect(names.allSatisfy(contents.contains))
        #expect(canvasSize(svg).height > 22 * 26)
    }

    @Test func slivers() {
        // One-unit slices over 1,000 units: bars stay visible, their text is left out.
        var intervals: [GanttChart.Interval] = []
        for t in stride(from: 0.0, to: 1000, by: 7) {
            intervals.append(GanttChart.Interval(start: t, end: t + 1, style: .series(2), label: "Q1"))
        }
        intervals.append(GanttChart.Interval(start: 500, end: 700, style: .series(2), label: "longo"))
        let chart = GanttChart(rows: [GanttChart.Row(label: "A", intervals: intervals)], axisLabel: "tempo (ms)")
        let svg = chart.render(title: "t", description: "d", idPrefix: "s")
        checkReadable(svg)
        let contents = texts(in: svg).map(\.content)
        #expect(!contents.contains("Q1"))
        #expect(contents.contains("longo"))
        #expect(contents.contains("1.000"))
        #expect(!svg.contains("width=\"0\"") && !svg.contains("width=\"0."))
    }

    @Test func closeMarkersKeepOneLabelAndEveryLine() {
        var chart = workload(names: ["A", "B"], until: 40)
        chart.verticalMarkers = [10, 11, 12, 30].map { GanttChart.VerticalMarker(time: $0, label: "boost") }
        let svg = chart.render(title: "t", description: "d", idPrefix: "m")
        checkReadable(svg)
        #expect(texts(in: svg).filter { $0.content == "boost" }.count == 2)
        #expect(svg.split(separator: "stroke-dasharray").count - 1 == 4)
    }

    @Test func ticksUseDecimalCommasAndFitSmallSpans() {
        let rows = [
            GanttChart.Row(
                label: "A",
                intervals: [
                    GanttChart.Interval(start: 0, end: 0.375, style: .series(0)),
                    GanttChart.Interval(start: 0.75, end: 1.5, style: .series(0)),
                ]),
            GanttChart.Row(label: "B", intervals: [GanttChart.Interval(start: 0.375, end: 0.75, style: .series(1))]),
        ]
        let chart = GanttChart(rows: rows, axisLabel: "tempo (ms)")
        let layout = chart.layout(idPrefix: "e")
        #expect(layout.ticks.count >= 4 && layout.ticks.count <= 16)
        #expect(layout.domain.upperBound >= 1.5)
        let svg = chart.render(title: "t", description: "d", idPrefix: "e")
        #expect(layout.ticks.prefix(2) == [0, 0.2])
        #expect(texts(in: svg).contains { $0.content == "0,2" })
        checkReadable(svg)
        let english = GanttChart(
            rows: rows, axisLabel: "time (ms)",
            numberFormat: GanttChart.NumberFormat(decimalSeparator: ".", groupingSeparator: ","))
        #expect(texts(in: english.render(title: "t", description: "d", idPrefix: "e")).contains { $0.content == "0.2" })
    }

    @Test(arguments: [
        (1000.0, 0, "1.000"), (0.5, 1, "0,5"), (1234.5, 1, "1.234,5"), (2.50, 2, "2,5"), (0.0001, 2, "0"),
        (1_000_000, 0, "1.000.000"), (-3.25, 2, "−3,25"), (0.05, 2, "0,05"),
    ])
    func numberFormat(value: Double, decimals: Int, expected: String) {
        #expect(GanttChart.NumberFormat().string(value, decimals: decimals) == expected)
    }

    @Test func layoutIsDeterministicAndReportsItsTexts() {
        let chart = workload(names: ["A", "B", "C"], until: 50)
        let first = chart.render(title: "t", description: "d", idPrefix: "d")
        #expect(chart.render(title: "t", description: "d", idPrefix: "d") == first)
        let layout = chart.layout(idPrefix: "d")
        #expect(layout.texts.map(\.text) == texts(in: first).map(\.content))
        for (index, text) in layout.texts.enumerated() {
            #expect(!layout.texts[(index + 1)...].contains { $0.overlaps(text) })
        }
    }

    @Test func emptyAndNarrowChartsStillRender() {
        let empty = GanttChart(rows: [], axisLabel: "tempo (ms)")
        checkReadable(empty.render(title: "t", description: "d", idPrefix: "z"))
        var narrow = workload(names: ["processo-de-backup-noturno", "B"], until: 120)
        narrow.width = 320
        let svg = narrow.render(title: "t", description: "d", idPrefix: "n")
        checkReadable(svg)
        #expect(canvasSize(svg).width == 320)
    }
}
