/// A Gantt chart: rows of labelled intervals on a shared time axis, laid out for a phone-sized
/// figure (at most `width` user units wide, 560 by default, fonts of 12 units or more).
///
/// The chart knows nothing of what the rows are (processes, threads, disks): the caller gives
/// the rows, the styles and every word, in the reader's language. Layout rules:
/// - the label column is as wide as the longest row label (at most 40% of the width; longer
///   labels are cut with "…");
/// - tick spacing is 1, 2 or 5 × 10ⁿ time units, the smallest whose labels do not touch;
/// - text inside an interval is drawn only where it fits; a vertical marker's label only where
///   it does not touch another one;
/// - colours come only from `Paint` roles, so the figure follows the page's light and dark themes.
public struct GanttChart: Sendable, Hashable {
    /// How an interval is drawn.
    public enum Style: Sendable, Hashable {
        /// Filled with series colour `index` (`Paint.series`), text in `Paint.onSeries`.
        case series(Int)
        /// Outlined and hatched in the muted colour: waiting on I/O, blocked.
        case hatched
        /// Filled with the grid colour: a quiet background span.
        case muted
    }

    /// One bar in a row, `start..<end` in time units.
    public struct Interval: Sendable, Hashable {
        /// Where the bar begins, in time units.
        public var start: Double
        /// Where the bar ends, in time units.
        public var end: Double
        /// How the bar is drawn.
        public var style: Style
        /// Short text drawn inside the bar when it fits (an MLFQ level, say).
        public var label: String?
        /// Text shown on hover (an SVG `<title>`).
        public var tooltip: String?

        /// An interval from `start` to `end` drawn in `style`, with optional text inside and on hover.
        public init(start: Double, end: Double, style: Style, label: String? = nil, tooltip: String? = nil) {
            self.start = start
            self.end = end
            self.style = style
            self.label = label
            self.tooltip = tooltip
        }
    }

    /// One labelled row.
    public struct Row: Sendable, Hashable {
        /// The text at the left of the row (a process's name), cut with "…" when too long.
        public var label: String
        /// The row's bars; intervals outside the chart's time span are not drawn.
        public var intervals: [Interval]
        /// Times marked with a small ▼ above the row (arrivals).
        public var markers: [Double]

        /// A row labelled `label`, with its bars and its ▼ marks.
        public init(label: String, intervals: [Interval], markers: [Double] = []) {
            self.label = label
            self.intervals = intervals
            self.markers = markers
        }
    }

    /// A dashed vertical line across every row (a priority boost, say), with an optional label
    /// above the rows.
    public struct VerticalMarker: Sendable, Hashable {
        /// Where the line is drawn, in time units.
        public var time: Double
        /// Text above the rows at the line; dropped where it would touch another marker's label.
        public var label: String?

        /// A dashed line at `time`, labelled `label` when given.
        public init(time: Double, label: String? = nil) {
            self.time = time
            self.label = label
        }
    }

    /// A legend entry below the axis: a swatch of `style` and its text.
    public struct LegendEntry: Sendable, Hashable {
        /// The swatch's style.
        public var style: Style
        /// What the style means, in the reader's language.
        public var label: String

        /// An entry showing `style` next to `label`.
        public init(style: Style, label: String) {
            self.style = style
            self.label = label
        }
    }

    /// How tick labels write numbers; pt-BR by default ("1.000", "0,5").
    public struct NumberFormat: Sendable, Hashable {
        /// Written between the whole and the fractional part ("," in pt-BR).
        public var decimalSeparator: String
        /// Written between groups of three digits ("." in pt-BR).
        public var groupingSeparator: String

        /// A format with the given separators; the defaults are Brazilian Portuguese.
        public init(decimalSeparator: String = ",", groupingSeparator: String = ".") {
            self.decimalSeparator = decimalSeparator
            self.groupingSeparator = groupingSeparator
        }

        /// `value` rounded to `decimals` places, trailing zeros dropped, thousands grouped.
        public func string(_ value: Double, decimals: Int) -> String {
            let places = min(max(decimals, 0), 9)
            var power: Int64 = 1
            for _ in 0..<places { power *= 10 }
            guard value.isFinite, abs(value) * Double(power) < 9e18 else { return String(value) }
            let scaled = Int64((abs(value) * Double(power)).rounded())
            if scaled == 0 { return "0" }
            var digits = String(scaled / power)
            var grouped = ""
            while digits.count > 3 {
                grouped = groupingSeparator + String(digits.suffix(3)) + grouped
                digits.removeLast(3)
            }
            grouped = digits + grouped
            var fraction = scaled % power
            var fractionDigits = places
            while fractionDigits > 0 && fraction % 10 == 0 {
                fraction /= 10
                fractionDigits -= 1
            }
            if fractionDigits > 0 {
                let text = String(fraction)
                grouped += decimalSeparator + String(repeating: "0", count: fractionDigits - text.count) + text
            }
            return (value < 0 ? "−" : "") + grouped
        }
    }

    /// A piece of text as laid out, with the box it covers (for overlap checks).
    public struct PlacedText: Sendable, Hashable {
        /// The text as drawn (possibly shortened with "…").
        public var text: String
        /// The anchor's x.
        public var x: Double
        /// Baseline.
        public var y: Double
        /// Font size in user units.
        public var size: Double
        /// Which point of the text `x` is.
        public var anchor: TextAnchor
        /// Left edge of the box.
        public var minX: Double
        /// Right edge of the box.
        public var maxX: Double
        /// Top of the box: the baseline minus 0.8 em.
        public var minY: Double
        /// Bottom of the box: the baseline plus 0.25 em.
        public var maxY: Double

        init(_ text: String, x: Double, y: Double, size: Double, anchor: TextAnchor) {
            self.text = text
            self.x = x
            self.y = y
            self.size = size
            self.anchor = anchor
            let width = TextMetrics.width(text, size: size)
            switch anchor {
            case .start: minX = x
            case .middle: minX = x - width / 2
            case .end: minX = x - width
            }
            maxX = minX + width
            minY = y - 0.8 * size
            maxY = y + 0.25 * size
        }

        /// Whether the two boxes, each grown by `margin` on every side, share any area
        /// (touching edges do not count).
        public func overlaps(_ other: PlacedText, margin: Double = 0) -> Bool {
            minX - margin < other.maxX + margin && other.minX - margin < maxX + margin
                && minY - margin < other.maxY + margin && other.minY - margin < maxY + margin
        }
    }

    /// The chart drawn: the canvas to render and the text placed on it.
    public struct Layout: Sendable {
        /// The drawing, ready for `SVGCanvas.render(title:description:)`.
        public var canvas: SVGCanvas
        /// Every text drawn, with its box.
        public var texts: [PlacedText]
        /// The time span on the axis (the requested one, its end rounded up to a tick).
        public var domain: ClosedRange<Double>
        /// x of the domain's start and end.
        public var plotLeft: Double
        /// x of the domain's end.
        public var plotRight: Double
        /// The tick values on the axis.
        public var ticks: [Double]
    }

    /// The rows, top to bottom.
    public var rows: [Row]
    /// Dashed vertical lines across every row.
    public var verticalMarkers: [VerticalMarker]
    /// Legend entries, below the axis.
    public var legend: [LegendEntry]
    /// Text under the axis, e.g. "tempo (ms)".
    public var axisLabel: String
    /// The time span drawn; nil: from 0 (or the earliest time) to the latest interval or marker.
    public var timeRange: ClosedRange<Double>?
    /// Canvas width in user units.
    public var width: Double
    /// How tick labels write numbers.
    public var numberFormat: NumberFormat

    /// A chart of `rows` with `axisLabel` under the axis; `width` is the canvas width in user units
    /// (560 by default; figures use 400).
    public init(
        rows: [Row], axisLabel: String, verticalMarkers: [VerticalMarker] = [], legend: [LegendEntry] = [],
        timeRange: ClosedRange<Double>? = nil, width: Double = 560, numberFormat: NumberFormat = NumberFormat()
    ) {
        self.rows = rows
        self.axisLabel = axisLabel
        self.verticalMarkers = verticalMarkers
        self.legend = legend
        self.timeRange = timeRange
        self.width = width
        self.numberFormat = numberFormat
    }

    // Layout constants, in user units.
    static let labelSize = 13.0
    static let barTextSize = 12.0
    static let rowHeight = 26.0
    static let markerBand = 6.0
    static let barHeight = 18.0
    static let edge = 4.0
    static let gap = 8.0
    static let minTickSpacing = 40.0
    static let hatchSpacing = 5.0

    /// The whole `<svg>` element.
    public func render(title: String, description: String, idPrefix: String) -> String {
        layout(idPrefix: idPrefix).canvas.render(title: title, description: description)
    }

    /// Lays the chart out on a canvas whose ids start with `idPrefix`.
    public func layout(idPrefix: String) -> Layout {
        let width = max(self.width, 200)
        let domain = self.domain()
        var texts: [PlacedText] = []

        // Label column.
        let labelLimit = (width * 0.4).rounded(.down)
        let labels = rows.map { GanttChart.fit($0.label, size: GanttChart.labelSize, width: labelLimit) }
        let labelWidth = labels.map { TextMetrics.width($0, size: GanttChart.labelSize) }.max() ?? 0

        // Time scale and ticks. The first and last tick labels are centred on the ends of the
        // axis: widen the margins until they stay on the canvas (a few rounds at most).
        var leftMargin = GanttChart.edge + labelWidth + GanttChart.gap
        var rightMargin = GanttChart.edge
        var axis = GanttChart.ticks(domain: domain, plotWidth: width - leftMargin - rightMargin, format: numberFormat)
        for _ in 0..<4 {
            let first = numberFormat.string(axis.values.first ?? domain.lowerBound, decimals: axis.decimals)
            let last = numberFormat.string(axis.values.last ?? domain.upperBound, decimals: axis.decimals)
            let neededLeft = GanttChart.edge + TextMetrics.width(first, size: GanttChart.labelSize) / 2
            let neededRight = GanttChart.edge + TextMetrics.width(last, size: GanttChart.labelSize) / 2
            if neededLeft <= leftMargin && neededRight <= rightMargin { break }
            leftMargin = max(leftMargin, neededLeft)
            rightMargin = max(rightMargin, neededRight)
            axis = GanttChart.ticks(domain: domain, plotWidth: width - leftMargin - rightMargin, format: numberFormat)
        }
        let plotLeft = leftMargin
        let plotRight = width - rightMargin
        let scale = (plotRight - plotLeft) / (axis.domain.upperBound - axis.domain.lowerBound)
        func x(_ time: Double) -> Double {
            plotLeft + (min(max(time, axis.domain.lowerBound), axis.domain.upperBound) - axis.domain.lowerBound) * scale
        }

        // Vertical bands.
        let hasMarkerLabels = verticalMarkers.contains { !($0.label ?? "").isEmpty }
        let rowsTop = GanttChart.edge + (hasMarkerLabels ? GanttChart.labelSize + 6 : 0)
        let rowsBottom = rowsTop + Double(rows.count) * GanttChart.rowHeight
        let axisY = rowsBottom + 2
        let tickLabelY = axisY + 6 + GanttChart.labelSize
        let axisLabelY = tickLabelY + 8 + GanttChart.labelSize
        var legendLines: [[(entry: LegendEntry, x: Double)]] = []
        var cursor = GanttChart.edge
        for entry in legend {
            let itemWidth = 16 + TextMetrics.width(entry.label, size: GanttChart.labelSize)
            if legendLines.isEmpty || (cursor + itemWidth > width - GanttChart.edge && cursor > GanttChart.edge) {
                legendLines.append([])
                cursor = GanttChart.edge
            }
            legendLines[legendLines.count - 1].append((entry, cursor))
            cursor += itemWidth + 14
        }
        let legendTop = axisLabelY + 10
        let lineHeight = GanttChart.labelSize + 8
        let height = (legendTop + Double(legendLines.count) * lineHeight + GanttChart.edge).rounded(.up)

        var canvas = SVGCanvas(width: width, height: height, idPrefix: idPrefix)

        // Grid behind everything.
        for tick in axis.values {
            canvas.line(x1: x(tick), y1: rowsTop, x2: x(tick), y2: axisY, stroke: .grid)
        }

        // Rows.
        for (index, row) in rows.enumerated() {
            let top = rowsTop + Double(index) * GanttChart.rowHeight
            let barTop = top + GanttChart.markerBand
            let label = PlacedText(
                labels[index], x: GanttChart.edge + labelWidth,
                y: barTop + GanttChart.barHeight / 2 + 0.35 * GanttChart.labelSize,
                size: GanttChart.labelSize, anchor: .end)
            canvas.text(label.text, x: label.x, y: label.y, size: label.size, anchor: .end)
            texts.append(label)
            var rowTexts: [PlacedText] = []
            for interval in row.intervals
            where interval.end > interval.start && interval.end > axis.domain.lowerBound
                && interval.start < axis.domain.upperBound
            {
                let left = x(interval.start)
                let barWidth = max(x(interval.end) - left, 1)
                draw(interval.style, on: &canvas, x: left, y: barTop, width: barWidth, tooltip: interval.tooltip)
                guard let text = interval.label, !text.isEmpty else { continue }
                let placed = PlacedText(
                    text, x: left + barWidth / 2, y: barTop + GanttChart.barHeight / 2 + 0.35 * GanttChart.barTextSize,
                    size: GanttChart.barTextSize, anchor: .middle)
                guard placed.maxX - placed.minX + 6 <= barWidth, !rowTexts.contains(where: { placed.overlaps($0) })
                else {
                    continue
                }
                let ink: Paint
                switch interval.style {
                case .series: ink = .onSeries
                case .muted: ink = .foreground
                case .hatched:
                    // Text on hatching needs a plain backdrop to be legible.
                    ink = .foreground
                    canvas.rect(
                        x: placed.minX - 2, y: barTop + 2, width: placed.maxX - placed.minX + 4,
                        height: GanttChart.barHeight - 4, fill: .background)
                }
                canvas.text(text, x: placed.x, y: placed.y, size: placed.size, anchor: .middle, fill: ink)
                rowTexts.append(placed)
            }
            texts += rowTexts
            for time in row.markers where axis.domain.contains(time) {
                let at = x(time)
                canvas.path(
                    "M\(svgNumber(at - 3.5)) \(svgNumber(top + 0.5))H\(svgNumber(at + 3.5))"
                        + "L\(svgNumber(at)) \(svgNumber(barTop - 0.5))Z", fill: .foreground)
            }
        }

        // Vertical markers and their labels.
        var markerTexts: [PlacedText] = []
        let markers = verticalMarkers.enumerated().sorted { a, b in
            a.element.time != b.element.time ? a.element.time < b.element.time : a.offset < b.offset
        }.map(\.element)
        for marker in markers where axis.domain.contains(marker.time) {
            let at = x(marker.time)
            canvas.line(x1: at, y1: rowsTop - 2, x2: at, y2: axisY, stroke: .accent, width: 1.5, dashed: true)
            guard let text = marker.label, !text.isEmpty else { continue }
            var placed = PlacedText(text, x: at, y: rowsTop - 6, size: 12, anchor: .middle)
            let shift = max(0, GanttChart.edge - placed.minX) - max(0, placed.maxX - (width - GanttChart.edge))
            placed = PlacedText(text, x: at + shift, y: rowsTop - 6, size: 12, anchor: .middle)
            guard !markerTexts.contains(where: { $0.overlaps(placed, margin: 4) }) else { continue }
            canvas.text(text, x: placed.x, y: placed.y, size: 12, anchor: .middle, fill: .accent)
            markerTexts.append(placed)
        }
        texts += markerTexts

        // Axis.
        canvas.line(x1: plotLeft, y1: axisY, x2: plotRight, y2: axisY, stroke: .foreground)
        for tick in axis.values {
            canvas.line(x1: x(tick), y1: axisY, x2: x(tick), y2: axisY + 4, stroke: .foreground)
            let placed = PlacedText(
                numberFormat.string(tick, decimals: axis.decimals), x: x(tick), y: tickLabelY,
                size: GanttChart.labelSize,
                anchor: .middle)
            canvas.text(placed.text, x: placed.x, y: placed.y, size: placed.size, anchor: .middle, fill: .muted)
            texts.append(placed)
        }
        if !axisLabel.isEmpty {
            let text = GanttChart.fit(axisLabel, size: GanttChart.labelSize, width: width - 2 * GanttChart.edge)
            let center = min(
                max(
                    (plotLeft + plotRight) / 2,
                    GanttChart.edge + TextMetrics.width(text, size: GanttChart.labelSize) / 2),
                width - GanttChart.edge - TextMetrics.width(text, size: GanttChart.labelSize) / 2)
            let placed = PlacedText(text, x: center, y: axisLabelY, size: GanttChart.labelSize, anchor: .middle)
            canvas.text(placed.text, x: placed.x, y: placed.y, size: placed.size, anchor: .middle)
            texts.append(placed)
        }

        // Legend.
        for (line, entries) in legendLines.enumerated() {
            let top = legendTop + Double(line) * lineHeight
            for (entry, left) in entries {
                draw(entry.style, on: &canvas, x: left, y: top + 2, width: 12, height: 12, tooltip: nil)
                let text = GanttChart.fit(
                    entry.label, size: GanttChart.labelSize, width: width - left - 16 - GanttChart.edge)
                let placed = PlacedText(
                    text, x: left + 16, y: top + 2 + 6 + 0.35 * GanttChart.labelSize, size: GanttChart.labelSize,
                    anchor: .start)
                canvas.text(placed.text, x: placed.x, y: placed.y, size: placed.size)
                texts.append(placed)
            }
        }
        return Layout(
            canvas: canvas, texts: texts, domain: axis.domain, plotLeft: plotLeft, plotRight: plotRight,
            ticks: axis.values)
    }

    /// The time span to draw.
    func domain() -> ClosedRange<Double> {
        if let timeRange, timeRange.upperBound > timeRange.lowerBound, timeRange.lowerBound.isFinite,
            timeRange.upperBound.isFinite
        {
            return timeRange
        }
        var times: [Double] = []
        for row in rows {
            for interval in row.intervals { times += [interval.start, interval.end] }
            times += row.markers
        }
        times += verticalMarkers.map(\.time)
        times = times.filter(\.isFinite)
        let low = min(0, times.min() ?? 0)
        let high = times.max() ?? 1
        return low...(high > low ? high : low + 1)
    }

    private func draw(
        _ style: Style, on canvas: inout SVGCanvas, x: Double, y: Double, width: Double,
        height: Double = GanttChart.barHeight, tooltip: String?
    ) {
        switch style {
        case .series(let index):
            canvas.rect(x: x, y: y, width: width, height: height, fill: .series(index), tooltip: tooltip)
        case .muted:
            canvas.rect(x: x, y: y, width: width, height: height, fill: .grid, tooltip: tooltip)
        case .hatched:
            canvas.rect(
                x: x, y: y, width: width, height: height, fill: .background, stroke: .muted, tooltip: tooltip)
            let hatch = GanttChart.hatch(x: x, y: y, width: width, height: height)
            if !hatch.isEmpty { canvas.path(hatch, stroke: .muted) }
        }
    }

    /// "/" lines every `hatchSpacing` units (on a grid shared by all bars, so neighbours line
    /// up), clipped to the rectangle.
    static func hatch(x: Double, y: Double, width: Double, height: Double) -> String {
        let (x0, y0, x1, y1) = (x + 0.5, y + 0.5, x + width - 0.5, y + height - 0.5)
        guard x1 > x0, y1 > y0 else { return "" }
        var d = ""
        var k = ((x0 + y0) / hatchSpacing).rounded(.up)
        while k * hatchSpacing < x1 + y1 {
            let c = k * hatchSpacing
            let start = max(x0, c - y1)
            let end = min(x1, c - y0)
            if end - start > 0.5 {
                d += "M\(svgNumber(start)) \(svgNumber(c - start))L\(svgNumber(end)) \(svgNumber(c - end))"
            }
            k += 1
        }
        return d
    }

    /// `text` shortened with "…" until it is at most `width` wide at `size`.
    static func fit(_ text: String, size: Double, width: Double) -> String {
        if TextMetrics.width(text, size: size) <= width { return text }
        var characters = Array(text)
        while !characters.isEmpty {
            characters.removeLast()
            let candidate = String(characters) + "…"
            if TextMetrics.width(candidate, size: size) <= width { return candidate }
        }
        return "…"
    }

    /// Tick values for `domain`: the smallest step of 1, 2 or 5 × 10ⁿ whose labels keep apart
    /// (at least `minTickSpacing` units, and 8 units between labels), with the domain's upper end
    /// extended to a whole step.
    static func ticks(
        domain: ClosedRange<Double>, plotWidth: Double, format: NumberFormat
    ) -> (values: [Double], step: Double, decimals: Int, domain: ClosedRange<Double>) {
        let span = domain.upperBound - domain.lowerBound
        var candidates: [(step: Double, decimals: Int)] = []
        var power = 1e-6
        var decimals = 6
        while power <= 1e12 {
            for mantissa in [1.0, 2.0, 5.0] {
                candidates.append((mantissa * power, max(decimals, 0)))
            }
            power *= 10
            decimals -= 1
        }
        for (step, places) in candidates where step * 40 >= span {
            let low = (domain.lowerBound / step).rounded(.down) * step
            let high = (domain.upperBound / step - 1e-9).rounded(.up) * step
            let extended = low...max(high, low + step)
            let scale = plotWidth / (extended.upperBound - extended.lowerBound)
            let count = Int(((extended.upperBound - extended.lowerBound) / step).rounded())
            let values = (0...count).map { extended.lowerBound + Double($0) * step }
            let widest =
                values.map { TextMetrics.width(format.string($0, decimals: places), size: labelSize) }.max() ?? 0
            if step * scale >= minTickSpacing && step * scale >= widest + 8 {
                return (values, step, places, extended)
            }
        }
        return ([domain.lowerBound, domain.upperBound], span, 2, domain)
    }
}
