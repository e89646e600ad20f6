/// Stages in horizontal lanes on a shared value scale: each row (a path) has one band per lane
/// (hardware, kernel, user: names from the caller), and each stage is a bar from the sum of the
/// stages before it to that sum plus its value, so bars run left to right in order and a bar's
/// length is its cost. Each stage gets a line of its own inside its lane's band, so a label never
/// shares a line with another: it goes right of its bar, else left, else inside, else shortened.
/// Several rows stack vertically over one scale. The canvas is `maxWidth` wide (560 by default,
/// readable on a 390 px phone) and text is never smaller than 12 px.
public struct LanesLayout: Sendable {
    /// One step of a path: a bar in its lane, as long as its value.
    public struct Stage: Sendable, Hashable {
        /// The stage's name, drawn next to its bar.
        public var label: String
        /// Drawn muted after the label ("29,99 ns"); dropped first when space is short.
        public var valueLabel: String?
        /// Index into the layout's lanes (clamped to the valid range).
        public var lane: Int
        /// The stage's length on the scale; negative values count as 0.
        public var value: Double
        /// Bar colour, `Paint.series(series)`; `nil` draws a muted bar.
        public var series: Int?

        /// A stage named `label` in lane `lane`, `value` long on the scale.
        public init(label: String, valueLabel: String? = nil, lane: Int, value: Double, series: Int? = nil) {
            self.label = label
            self.valueLabel = valueLabel
            self.lane = lane
            self.value = value
            self.series = series
        }
    }

    /// One path: a title, an optional subtitle, and its stages in order.
    public struct Row: Sendable, Hashable {
        /// The path's name, drawn bold above its lanes.
        public var title: String
        /// A second line under the title ("41,7 ns por pacote · 24 Mpps").
        public var subtitle: String?
        /// The stages, in the order they happen.
        public var stages: [Stage]

        /// A path titled `title` with `stages`.
        public init(title: String, subtitle: String? = nil, stages: [Stage]) {
            self.title = title
            self.subtitle = subtitle
            self.stages = stages
        }
    }

    /// What a series colour means.
    public struct LegendEntry: Sendable, Hashable {
        /// The colour, `Paint.series(series)`.
        public var series: Int
        /// Its meaning, in the reader's language.
        public var label: String

        /// An entry showing colour `series` next to `label`.
        public init(series: Int, label: String) {
            self.series = series
            self.label = label
        }
    }

    /// A text as drawn (label and value label of a stage count as one), for checks.
    public struct PlacedText: Sendable, Hashable {
        /// The text as drawn.
        public let text: String
        /// Left edge of the text's box.
        public let x: Double
        /// Top edge of the text's box.
        public let y: Double
        /// Width of the box, with the layout's slack.
        public let width: Double
        /// Height of the box: the font size.
        public let height: Double

        /// Whether the two boxes share any area (touching edges do not count).
        public func overlaps(_ other: PlacedText) -> Bool {
            x < other.x + other.width && other.x < x + width && y < other.y + other.height && other.y < y + height
        }
    }

    /// A stage's bar, for checks: `row` and `stage` index the input.
    public struct PlacedBar: Sendable, Hashable {
        /// Index of the row in the input.
        public let row: Int
        /// Index of the stage in its row.
        public let stage: Int
        /// Left edge of the bar.
        public let x: Double
        /// Top edge of the bar.
        public let y: Double
        /// Width of the bar (at least 2 units, so a tiny stage stays visible).
        public let width: Double
        /// Height of the bar.
        public let height: Double
    }

    /// Canvas width in user units.
    public let width: Double
    /// Canvas height in user units.
    public let height: Double
    /// Font size of every text (at least 12).
    public let fontSize: Double
    /// The scale: value 0 is at `plotLeft`, `axisMax` at `plotRight`.
    public let plotLeft: Double
    /// x of `axisMax`.
    public let plotRight: Double
    /// The value at the right end of the scale, a multiple of the tick step.
    public let axisMax: Double
    /// Tick values, from 0 to `axisMax`.
    public let ticks: [Double]
    /// Every text drawn, for checks.
    public let texts: [PlacedText]
    /// Every stage's bar, for checks.
    public let bars: [PlacedBar]
    private let marks: [Mark]

    private enum Mark: Sendable {
        case rect(x: Double, y: Double, width: Double, height: Double, fill: Paint, tooltip: String?)
        case text(String, x: Double, y: Double, anchor: TextAnchor, fill: Paint, bold: Bool)
        case line(x1: Double, y1: Double, x2: Double, y2: Double, stroke: Paint, dashed: Bool)
    }

    /// - Parameters:
    ///   - lanes: lane names, top to bottom ("hardware", "kernel", "usuário").
    ///   - axisLabel: the scale's title ("ns por pacote").
    ///   - tickLabel: formats a tick value; the default writes decimals with a comma (pt-BR).
    public init(
        lanes: [String], rows: [Row], axisLabel: String, legend: [LegendEntry] = [], maxWidth: Double = 560,
        fontSize: Double = 12, tickLabel: (Double) -> String = LanesLayout.decimalComma
    ) {
        let size = max(12, fontSize)
        let width = max(240, maxWidth).rounded()
        let margin = 8.0
        let line = (size * 1.5).rounded()
        let barHeight = line - 6
        let gap = 4.0
        func measure(_ text: String, bold: Bool = false) -> Double {
            (bold ? TextMetrics.boldWidth(text, size: size) : TextMetrics.width(text, size: size)) * Self.labelSlack
        }
        func fit(_ text: String, _ room: Double, bold: Bool = false) -> String {
            TextMetrics.fitting(text, width: room / Self.labelSlack, size: size, bold: bold)
        }
        let laneCount = max(1, lanes.count)

        let gutter = min(
            (lanes.map { measure($0) }.max() ?? 0) + 10, (width * 0.25).rounded())
        let plotLeft = margin + gutter
        let plotRight = width - margin
        let plotWidth = plotRight - plotLeft

        func total(_ row: Row) -> Double { row.stages.reduce(0) { $0 + max(0, $1.value) } }
        let scale = Self.niceScale(
            max: rows.map(total).max() ?? 0, plotWidth: plotWidth, size: size, label: tickLabel)
        func x(_ value: Double) -> Double { plotLeft + value / scale.axisMax * plotWidth }

        var marks: [Mark] = []
        var texts: [PlacedText] = []
        var bars: [PlacedBar] = []
        func place(_ text: String, left: Double, baseline: Double, width: Double) {
            texts.append(PlacedText(text: text, x: left, y: baseline - size * 0.78, width: width, height: size))
        }
        func baseline(_ top: Double) -> Double { top + line / 2 + size * 0.35 }

        var y = margin
        for (rowIndex, row) in rows.enumerated() {
            // The title, and the subtitle on a line of its own (fonts vary too much to share one).
            let titleRoom = width - 2 * margin
            let title = fit(row.title, titleRoom, bold: true)
            if !title.isEmpty {
                marks.append(.text(title, x: margin, y: baseline(y), anchor: .start, fill: .foreground, bold: true))
                place(title, left: margin, baseline: baseline(y), width: measure(title, bold: true))
            }
            if let subtitle = row.subtitle, !subtitle.isEmpty {
                y += line
                let text = fit(subtitle, titleRoom)
                marks.append(.text(text, x: margin, y: baseline(y), anchor: .start, fill: .muted, bold: false))
                place(text, left: margin, baseline: baseline(y), width: measure(text))
            }
            y += line

            // One band per lane; each stage on its own line in its lane's band.
            let blockTop = y
            var linesUsed = [Int](repeating: 0, count: laneCount)
            var lineOfStage: [Int] = []
            for stage in row.stages {
                let lane = min(max(stage.lane, 0), laneCount - 1)
                lineOfStage.append(linesUsed[lane])
                linesUsed[lane] += 1
            }
            var bandTops: [Double] = []
            for lane in 0..<laneCount {
                bandTops.append(y)
                y += Double(max(1, linesUsed[lane])) * line
            }
            let blockBottom = y
            for tick in scale.ticks {
                marks.append(
                    .line(x1: x(tick), y1: blockTop, x2: x(tick), y2: blockBottom, stroke: .grid, dashed: true))
            }
            for lane in 0..<laneCount {
                marks.append(
                    .line(
                        x1: margin, y1: bandTops[lane], x2: plotRight, y2: bandTops[lane], stroke: .grid, dashed: false)
                )
                let name = lane < lanes.count ? fit(lanes[lane], gutter - 10) : ""
                if !name.isEmpty {
                    let bandHeight = Double(max(1, linesUsed[lane])) * line
                    let nameBaseline = bandTops[lane] + bandHeight / 2 + size * 0.35
                    marks.append(.text(name, x: margin, y: nameBaseline, anchor: .start, fill: .muted, bold: false))
                    place(name, left: margin, baseline: nameBaseline, width: measure(name))
                }
            }
            marks.append(
                .line(x1: margin, y1: blockBottom, x2: plotRight, y2: blockBottom, stroke: .grid, dashed: false))

            var start = 0.0
            for (stageIndex, stage) in row.stages.enumerated() {
                let lane = min(max(stage.lane, 0), laneCount - 1)
                let value = max(0, stage.value)
                let top = bandTops[lane] + Double(lineOfStage[stageIndex]) * line
                let barLeft = x(start)
                let barWidth = max(2, x(start + value) - barLeft)
                start += value
                let fill: Paint = stage.series.map { .series($0) } ?? .muted
                let tooltip = stage.valueLabel.map { "\(stage.label): \($0)" } ?? stage.label
                marks.append(
                    .rect(x: barLeft, y: top + 3, width: barWidth, height: barHeight, fill: fill, tooltip: tooltip))
                bars.append(
                    PlacedBar(
                        row: rowIndex, stage: stageIndex, x: barLeft, y: top + 3, width: barWidth, height: barHeight))

                let label = Self.placeLabel(
                    stage, barLeft: barLeft, barRight: barLeft + barWidth, plotLeft: plotLeft, plotRight: plotRight,
                    size: size, gap: gap)
                guard let label else { continue }
                let labelBaseline = baseline(top)
                let inside = label.inside && stage.series != nil
                if !inside {
                    marks.append(
                        .rect(
                            x: label.left - 2, y: top + 2, width: label.width + 4, height: line - 4, fill: .background,
                            tooltip: nil))
                }
                marks.append(
                    .text(
                        label.text, x: label.left, y: labelBaseline, anchor: .start,
                        fill: inside ? .onSeries : .foreground, bold: false))
                if let value = label.value {
                    marks.append(
                        .text(
                            value, x: label.left + label.textWidth + gap, y: labelBaseline, anchor: .start,
                            fill: inside ? .onSeries : .muted, bold: false))
                }
                place(
                    [label.text, label.value].compactMap { $0 }.joined(separator: " "), left: label.left,
                    baseline: labelBaseline, width: label.width)
            }
            y += line / 2
        }

        // The scale: ticks and their labels, then the axis title.
        marks.append(.line(x1: plotLeft, y1: y, x2: plotRight, y2: y, stroke: .muted, dashed: false))
        for tick in scale.ticks {
            marks.append(.line(x1: x(tick), y1: y, x2: x(tick), y2: y + 4, stroke: .muted, dashed: false))
            let text = tickLabel(tick)
            let textWidth = measure(text)
            let left = min(max(x(tick) - textWidth / 2, margin), width - margin - textWidth)
            let tickBaseline = y + 4 + size
            marks.append(.text(text, x: left, y: tickBaseline, anchor: .start, fill: .muted, bold: false))
            place(text, left: left, baseline: tickBaseline, width: textWidth)
        }
        y += 4 + line
        let axisTitle = fit(axisLabel, plotWidth)
        if !axisTitle.isEmpty {
            let titleWidth = measure(axisTitle)
            let titleBaseline = y + size
            marks.append(
                .text(axisTitle, x: plotRight - titleWidth, y: titleBaseline, anchor: .start, fill: .muted, bold: false)
            )
            place(axisTitle, left: plotRight - titleWidth, baseline: titleBaseline, width: titleWidth)
            y += line
        }

        // The legend flows over as many lines as it needs.
        if !legend.isEmpty {
            y += line / 2
            var left = margin
            for entry in legend {
                let text = fit(entry.label, width - 2 * margin - 14)
                let entryWidth = 14 + measure(text)
                if left > margin && left + entryWidth > width - margin {
                    left = margin
                    y += line
                }
                marks.append(
                    .rect(
                        x: left, y: y + (line - 10) / 2, width: 10, height: 10, fill: .series(entry.series),
                        tooltip: nil))
                marks.append(.text(text, x: left + 14, y: baseline(y), anchor: .start, fill: .foreground, bold: false))
                place(text, left: left + 14, baseline: baseline(y), width: entryWidth - 14)
                left += entryWidth + 12
            }
            y += line
        }

        self.width = width
        self.height = (y + margin).rounded(.up)
        self.fontSize = size
        self.plotLeft = plotLeft
        self.plotRight = plotRight
        self.axisMax = scale.axisMax
        self.ticks = scale.ticks
        self.texts = texts
        self.bars = bars
        self.marks = marks
    }

    /// The drawing on a fresh canvas.
    public func canvas(idPrefix: String) -> SVGCanvas {
        var canvas = SVGCanvas(width: width, height: height, idPrefix: idPrefix)
        for mark in marks {
            switch mark {
            case .rect(let x, let y, let width, let height, let fill, let tooltip):
                canvas.rect(x: x, y: y, width: width, height: height, fill: fill, tooltip: tooltip)
            case .text(let text, let x, let y, let anchor, let fill, let bold):
                canvas.text(text, x: x, y: y, size: fontSize, anchor: anchor, fill: fill, bold: bold)
            case .line(let x1, let y1, let x2, let y2, let stroke, let dashed):
                canvas.line(x1: x1, y1: y1, x2: x2, y2: y2, stroke: stroke, dashed: dashed)
            }
        }
        return canvas
    }

    /// The whole `<svg>` element.
    public func render(title: String, description: String, idPrefix: String) -> String {
        canvas(idPrefix: idPrefix).render(title: title, description: description)
    }

    /// `1234.5` → "1234,5": at most two decimals, comma separator.
    public static func decimalComma(_ value: Double) -> String {
        var text = svgNumber(value)
        if let dot = text.firstIndex(of: ".") { text.replaceSubrange(dot...dot, with: ",") }
        return text
    }

    struct LabelPlacement {
        var text: String
        var value: String?
        var left: Double
        var textWidth: Double
        var width: Double
        var inside: Bool
    }

    /// Texts are measured 10 % wider than `TextMetrics` says: they sit next to bars and the canvas
    /// edge, where a wide font (DejaVu Sans, bold) must not make them touch or spill over.
    static let labelSlack = 1.1

    /// Right of the bar, else left, else inside it, else on the roomier side shortened (value first).
    static func placeLabel(
        _ stage: Stage, barLeft: Double, barRight: Double, plotLeft: Double, plotRight: Double, size: Double,
        gap: Double
    ) -> LabelPlacement? {
        let rightRoom = plotRight - (barRight + gap)
        let leftRoom = (barLeft - gap) - plotLeft
        let insideRoom = barRight - barLeft - 2 * gap
        func measured(_ text: String, _ value: String?) -> LabelPlacement {
            let textWidth = TextMetrics.width(text, size: size) * labelSlack
            let width = textWidth + (value.map { gap + TextMetrics.width($0, size: size) * labelSlack } ?? 0)
            return LabelPlacement(text: text, value: value, left: 0, textWidth: textWidth, width: width, inside: false)
        }
        var label = measured(stage.label, stage.valueLabel)
        if label.width <= rightRoom {
            label.left = barRight + gap
        } else if label.width <= leftRoom {
            label.left = barLeft - gap - label.width
        } else if label.width <= insideRoom {
            label.left = barLeft + gap
            label.inside = true
        } else {
            let room = max(rightRoom, leftRoom)
            let onRight = rightRoom >= leftRoom
            label = measured(stage.label, nil)
            if let value = stage.valueLabel {
                let valueWidth = gap + TextMetrics.width(value, size: size) * labelSlack
                let shortened = TextMetrics.fitting(stage.label, width: (room - valueWidth) / labelSlack, size: size)
                if shortened.count >= min(6, stage.label.count) { label = measured(shortened, value) }
            }
            if label.width > room {
                label = measured(TextMetrics.fitting(stage.label, width: room / labelSlack, size: size), nil)
            }
            guard !label.text.isEmpty else { return nil }
            label.left = onRight ? barRight + gap : barLeft - gap - label.width
        }
        return label
    }

    /// A 1-2-5 step whose tick labels fit side by side, and the axis maximum it gives.
    static func niceScale(max value: Double, plotWidth: Double, size: Double, label: (Double) -> String)
        -> (axisMax: Double, ticks: [Double])
    {
        let maximum = value > 0 && value.isFinite ? value : 1
        var power = 1.0
        while power * 10 <= maximum { power *= 10 }
        while power > maximum { power /= 10 }
        var step = power / 10
        var multiplier = 0
        while true {
            let count = (maximum / step).rounded(.up)
            let axisMax = count * step
            let ticks = (0...Int(count)).map { Double($0) * step }
            let widest = ticks.map { TextMetrics.width(label($0), size: size) * labelSlack }.max() ?? 0
            if count <= 8 && plotWidth / count >= widest + 16 {
                return (axisMax, ticks)
            }
            multiplier = (multiplier + 1) % 3
            step *= multiplier == 1 ? 2 : (multiplier == 2 ? 2.5 : 2)
        }
    }
}
