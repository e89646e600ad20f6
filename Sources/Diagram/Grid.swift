/// A table of labelled cells, one column per step: the textbook page-replacement grid (a
/// reference on top, one row per frame, a hit/miss row, the evicted page), though the layout knows
/// only columns, cells and tones. Long sequences wrap into several bands, each repeating the row
/// labels, so the figure stays readable on a phone: the canvas is at most `maxWidth` wide (560 by
/// default) and text is never smaller than 12 px.
public struct GridLayout: Sendable {
    /// How a cell or status is coloured: outlines and status text use `Paint.success` and
    /// `Paint.danger`. Colour is never the only cue: the texts say the same thing.
    public enum Tone: Sendable, Hashable {
        /// Plain: a grid-coloured outline.
        case neutral
        /// Good news (a hit): a green outline, bold text.
        case positive
        /// Bad news (a miss): a red outline, bold text.
        case negative
    }

    /// One cell: its text and its tone.
    public struct Cell: Sendable, Hashable {
        /// The text, shortened with "…" when the column is too narrow.
        public var text: String
        /// How the cell is outlined.
        public var tone: Tone

        /// A cell showing `text` in `tone`.
        public init(_ text: String, tone: Tone = .neutral) {
            self.text = text
            self.tone = tone
        }
    }

    /// One step: a header, one cell per row, and optional status and footnote rows.
    public struct Column: Sendable, Hashable {
        /// Drawn bold above the column (the reference).
        public var header: String
        /// One per row; `nil` draws an empty slot.
        public var cells: [Cell?]
        /// The status row (e.g. "✓" positive, "✗" negative).
        public var status: Cell?
        /// The footnote row, drawn muted and struck through (the evicted page).
        public var footnote: String?

        /// A column with `header` on top, `cells` below (nil for an empty slot), then `status` and `footnote`.
        public init(header: String, cells: [Cell?], status: Cell? = nil, footnote: String? = nil) {
            self.header = header
            self.cells = cells
            self.status = status
            self.footnote = footnote
        }
    }

    /// A text as drawn: its (possibly shortened) string and the box it occupies, for checks.
    public struct PlacedText: Sendable, Hashable {
        /// The text as drawn.
        public let text: String
        /// Left edge of the text's box.
        public let x: Double
        /// Top edge of the text's box.
        public let y: Double
        /// Width of the box, estimated with `TextMetrics`.
        public let width: Double
        /// Height of the box: the font size.
        public let height: Double

        /// Whether the two boxes share any area (touching edges do not count).
        public func overlaps(_ other: PlacedText) -> Bool {
            x < other.x + other.width && other.x < x + width && y < other.y + other.height && other.y < y + height
        }
    }

    /// Canvas width in user units, at most the `maxWidth` given.
    public let width: Double
    /// Canvas height in user units, every band included.
    public let height: Double
    /// Font size of every text (at least 12).
    public let fontSize: Double
    /// Width of one column.
    public let columnWidth: Double
    /// How many columns each band holds.
    public let columnsPerBand: Int
    /// How many bands the columns wrapped into.
    public let bandCount: Int
    /// Every text drawn, in drawing order.
    public let texts: [PlacedText]
    private let marks: [Mark]

    private enum Mark: Sendable {
        case rect(x: Double, y: Double, width: Double, height: Double, fill: Paint, stroke: Paint, strokeWidth: Double)
        case text(String, x: Double, y: Double, anchor: TextAnchor, fill: Paint, bold: Bool)
        case line(x1: Double, y1: Double, x2: Double, y2: Double, stroke: Paint)
    }

    /// - Parameters:
    ///   - headerLabel: the gutter label of the header row ("Ref.").
    ///   - rowLabels: one per cell row ("Q0", "Q1", ...); columns with fewer cells leave slots empty.
    ///   - statusLabel, footnoteLabel: gutter labels of the optional status and footnote rows, drawn
    ///     when given or when any column has a status or footnote.
    public init(
        headerLabel: String, rowLabels: [String], statusLabel: String? = nil, footnoteLabel: String? = nil,
        columns: [Column], maxWidth: Double = 560, fontSize: Double = 13
    ) {
        let size = max(12, fontSize)
        let maxWidth = max(200, maxWidth)
        let margin = 8.0
        let padding = 8.0
        let rowHeight = (size * 2).rounded()
        let rowCount = max(rowLabels.count, columns.map(\.cells.count).max() ?? 0)
        let hasStatus = statusLabel != nil || columns.contains { $0.status != nil }
        let hasFootnote = footnoteLabel != nil || columns.contains { $0.footnote != nil }

        var gutterTexts = [headerLabel] + (0..<rowCount).map { $0 < rowLabels.count ? rowLabels[$0] : "" }
        if hasStatus { gutterTexts.append(statusLabel ?? "") }
        if hasFootnote { gutterTexts.append(footnoteLabel ?? "") }
        let gutterWidth = min(
            (gutterTexts.map { TextMetrics.width($0, size: size) * 1.1 }.max() ?? 0) + padding,
            (maxWidth * 0.3).rounded())
        let available = maxWidth - 2 * margin - gutterWidth

        var widest = size * 1.6
        for column in columns {
            widest = max(widest, TextMetrics.boldWidth(column.header, size: size))
            for cell in column.cells.compactMap({ $0 }) {
                widest = max(widest, TextMetrics.boldWidth(cell.text, size: size))
            }
            if let status = column.status { widest = max(widest, TextMetrics.boldWidth(status.text, size: size)) }
            if let footnote = column.footnote { widest = max(widest, TextMetrics.width(footnote, size: size)) }
        }
        // 10 % slack over the estimates, for wide fonts (DejaVu Sans bold).
        let cellWidth = min((widest * 1.1 + padding).rounded(.up), available)
        let perBandLimit = max(1, Int(available / cellWidth))
        let bands = max(1, (columns.count + perBandLimit - 1) / perBandLimit)
        let perBand = max(1, (columns.count + bands - 1) / bands)

        let linesPerBand = 1 + rowCount + (hasStatus ? 1 : 0) + (hasFootnote ? 1 : 0)
        let bandHeight = Double(linesPerBand) * rowHeight
        let bandGap = size
        let gridLeft = margin + gutterWidth
        let textRoom = (cellWidth - padding) / 1.1

        var marks: [Mark] = []
        var texts: [PlacedText] = []
        func addText(
            _ raw: String, x: Double, middleY: Double, room: Double, anchor: TextAnchor = .middle,
            fill: Paint = .foreground, bold: Bool = false
        ) -> PlacedText? {
            let text = TextMetrics.fitting(raw, width: room, size: size, bold: bold)
            guard !text.isEmpty else { return nil }
            let width = bold ? TextMetrics.boldWidth(text, size: size) : TextMetrics.width(text, size: size)
            let baseline = middleY + size * 0.35
            let left = anchor == .middle ? x - width / 2 : (anchor == .end ? x - width : x)
            let placed = PlacedText(text: text, x: left, y: baseline - size * 0.78, width: width, height: size)
            marks.append(.text(text, x: x, y: baseline, anchor: anchor, fill: fill, bold: bold))
            texts.append(placed)
            return placed
        }

        for band in 0..<bands {
            let top = margin + Double(band) * (bandHeight + bandGap)
            let bandColumns = columns.indices.dropFirst(band * perBand).prefix(perBand)
            func middle(_ line: Int) -> Double { top + (Double(line) + 0.5) * rowHeight }
            for (line, label) in gutterTexts.enumerated() where !label.isEmpty {
                _ = addText(
                    label, x: margin, middleY: middle(line), room: (gutterWidth - padding) / 1.1, anchor: .start,
                    fill: .muted)
            }
            for (slot, index) in bandColumns.enumerated() {
                let column = columns[index]
                let left = gridLeft + Double(slot) * cellWidth
                let center = left + cellWidth / 2
                _ = addText(column.header, x: center, middleY: middle(0), room: textRoom, bold: true)
                for row in 0..<rowCount {
                    let cell = row < column.cells.count ? column.cells[row] : nil
                    let tone = cell?.tone ?? .neutral
                    let stroke: Paint = tone == .positive ? .success : (tone == .negative ? .danger : .grid)
                    marks.append(
                        .rect(
                            x: left + 1, y: top + Double(row + 1) * rowHeight + 1, width: cellWidth - 2,
                            height: rowHeight - 2, fill: .background, stroke: stroke,
                            strokeWidth: tone == .neutral ? 1 : 2
                        ))
                    if let cell {
                        _ = addText(
                            cell.text, x: center, middleY: middle(row + 1), room: textRoom, bold: tone != .neutral)
                    }
                }
                var line = rowCount + 1
                if hasStatus {
                    if let status = column.status {
                        let fill: Paint =
                            status.tone == .positive ? .success : (status.tone == .negative ? .danger : .foreground)
                        _ = addText(
                            status.text, x: center, middleY: middle(line), room: textRoom, fill: fill, bold: true)
                    }
                    line += 1
                }
                if hasFootnote, let footnote = column.footnote,
                    let placed = addText(footnote, x: center, middleY: middle(line), room: textRoom, fill: .muted)
                {
                    let strikeY = middle(line)
                    marks.append(
                        .line(
                            x1: placed.x - 1, y1: strikeY, x2: placed.x + placed.width + 1, y2: strikeY, stroke: .muted)
                    )
                }
            }
        }

        self.fontSize = size
        self.columnWidth = cellWidth
        self.columnsPerBand = perBand
        self.bandCount = bands
        self.width = (gridLeft + Double(min(perBand, max(columns.count, 1))) * cellWidth + margin).rounded(.up)
        self.height = (2 * margin + Double(bands) * bandHeight + Double(bands - 1) * bandGap).rounded(.up)
        self.texts = texts
        self.marks = marks
    }

    /// The drawing on a fresh canvas.
    public func canvas(idPrefix: String) -> SVGCanvas {
        var canvas = SVGCanvas(width: width, height: height, idPrefix: idPrefix)
        for mark in marks {
            switch mark {
            case .rect(let x, let y, let width, let height, let fill, let stroke, let strokeWidth):
                canvas.rect(
                    x: x, y: y, width: width, height: height, fill: fill, stroke: stroke, strokeWidth: strokeWidth)
            case .text(let text, let x, let y, let anchor, let fill, let bold):
                canvas.text(text, x: x, y: y, size: fontSize, anchor: anchor, fill: fill, bold: bold)
            case .line(let x1, let y1, let x2, let y2, let stroke):
                canvas.line(x1: x1, y1: y1, x2: x2, y2: y2, stroke: stroke)
            }
        }
        return canvas
    }

    /// The whole `<svg>` element.
    public func render(title: String, description: String, idPrefix: String) -> String {
        canvas(idPrefix: idPrefix).render(title: title, description: description)
    }
}

extension TextMetrics {
    /// `width(_:size:)` for bold text, which runs about 6 % wider.
    public static func boldWidth(_ text: String, size: Double) -> Double {
        width(text, size: size) * 1.06
    }

    /// `text`, shortened with "…" if needed so it is at most `width` wide; "" if not even one
    /// character fits.
    public static func fitting(_ text: String, width room: Double, size: Double, bold: Bool = false) -> String {
        func measure(_ candidate: String) -> Double {
            bold ? boldWidth(candidate, size: size) : width(candidate, size: size)
        }
        let room = room + 1e-9  // rounding: a width scaled up and back down must still fit
        if measure(text) <= room { return text }
        var characters = Array(text)
        while !characters.isEmpty {
            characters.removeLast()
            let candidate = String(characters).trimmingSuffixSpaces() + "…"
            if measure(candidate) <= room, !characters.isEmpty { return candidate }
        }
        return ""
    }
}

extension String {
    fileprivate func trimmingSuffixSpaces() -> String {
        var result = self
        while result.last == " " { result.removeLast() }
        return result
    }
}
