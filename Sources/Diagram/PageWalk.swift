/// The layout of a table walk: (a) a bit string split into fields, (b) a chain of tables drawn as
/// boxes, each with one highlighted row and an arrow to the next, and (c) a result box.
///
/// The layout knows nothing of page tables: every word, number and flag is a string the caller
/// passes (already in Portuguese, already formatted as hex). It stacks everything vertically so a
/// phone can show it: the canvas is at most `maxWidth` wide, text is at least 12 px, monospace for
/// values, and any line too long for the width wraps (at spaces, or between characters when a
/// single word is too long). No two texts overlap; `PageWalkLayout.texts` lists their boxes.

/// Text made of runs in the sans-serif or the monospace font ("entrada em " + "0x17f0").
public struct WalkText: Sendable, Hashable, ExpressibleByStringLiteral {
    /// A stretch of text in one font.
    public struct Run: Sendable, Hashable {
        /// The text.
        public var text: String
        /// Whether it is drawn in the monospace font.
        public var monospace: Bool

        /// A run of `text`, monospace or not.
        public init(_ text: String, monospace: Bool = false) {
            self.text = text
            self.monospace = monospace
        }
    }

    /// The runs, in reading order.
    public var runs: [Run]

    /// Text in one font.
    public init(_ text: String, monospace: Bool = false) {
        runs = [Run(text, monospace: monospace)]
    }

    /// Text made of `runs`.
    public init(runs: [Run]) {
        self.runs = runs
    }

    /// Sans-serif text from a string literal.
    public init(stringLiteral value: String) {
        self.init(value)
    }

    /// Monospace text (hex values, addresses).
    public static func mono(_ text: String) -> WalkText {
        WalkText(text, monospace: true)
    }

    /// The runs of `lhs` followed by those of `rhs`.
    public static func + (lhs: WalkText, rhs: WalkText) -> WalkText {
        WalkText(runs: lhs.runs + rhs.runs)
    }

    /// The runs' text joined.
    public var plain: String { runs.map(\.text).joined() }
}

/// One field of the bit string.
public struct BitStringField: Sendable, Hashable {
    /// How the field is coloured.
    public enum Emphasis: Sendable, Hashable {
        /// Drawn in the foreground or its link colour.
        case normal
        /// Drawn in the danger colour (the field that makes the access fail).
        case danger
    }

    /// The field's name ("PML4", "deslocamento").
    public var label: String
    /// Its bit range ("47:39").
    public var bits: String
    /// Its value, in monospace ("0x0fe").
    public var value: String
    /// A series-colour number shared with the table this field indexes; nil for no colour.
    public var link: Int?
    /// Whether the field is drawn in the danger colour.
    public var emphasis: Emphasis

    /// A field named `label` covering `bits`, whose value is `value`.
    public init(label: String, bits: String, value: String, link: Int? = nil, emphasis: Emphasis = .normal) {
        self.label = label
        self.bits = bits
        self.value = value
        self.link = link
        self.emphasis = emphasis
    }
}

/// One table of the chain, with its one highlighted row.
public struct ChainTable: Sendable, Hashable {
    /// The table's name, bold ("PML4").
    public var title: String
    /// Where the table is, after the title ("em " + mono "0x0000000000001000").
    public var location: WalkText?
    /// The highlighted row's index, in monospace ("0x0fe"), drawn in the `link` colour.
    public var rowIndex: String
    /// The row's content, in monospace ("0x0000000000002007").
    public var rowValue: String
    /// A short note after the value ("P RW US A").
    public var rowNote: String?
    /// A line under the row ("entrada em " + mono "0x00000000000017f0").
    public var detail: WalkText?
    /// A series-colour number shared with the field that indexes this table; nil for no colour.
    public var link: Int?
    /// Whether the walk failed at this row (drawn in the danger colour).
    public var isFault: Bool
    /// Text beside the arrow leaving this table ("próxima tabela: " + mono "0x3000").
    public var arrowLabel: WalkText?

    /// A table titled `title` whose highlighted row is `rowIndex` holding `rowValue`.
    public init(
        title: String, location: WalkText? = nil, rowIndex: String, rowValue: String, rowNote: String? = nil,
        detail: WalkText? = nil, link: Int? = nil, isFault: Bool = false, arrowLabel: WalkText? = nil
    ) {
        self.title = title
        self.location = location
        self.rowIndex = rowIndex
        self.rowValue = rowValue
        self.rowNote = rowNote
        self.detail = detail
        self.link = link
        self.isFault = isFault
        self.arrowLabel = arrowLabel
    }
}

/// Everything a walk diagram shows, top to bottom.
public struct PageWalkDiagram: Sendable, Hashable {
    /// A line above the bit string ("endereço virtual " + mono "0x00007f68c8bffabc").
    public var heading: WalkText?
    /// The fields of the bit string, most significant first.
    public var fields: [BitStringField]
    /// A line above the first table, with an arrow into it ("CR3 = " + mono "0x1000").
    public var root: WalkText?
    /// The tables of the chain, in walk order.
    public var tables: [ChainTable]
    /// The result box's lines; the first is bold.
    public var result: [WalkText]
    /// Whether the result is a failure (danger colour) or a success.
    public var resultIsFault: Bool

    /// A diagram of the bit string `fields`, the chain `tables` and the `result` lines.
    public init(
        heading: WalkText? = nil, fields: [BitStringField], root: WalkText? = nil, tables: [ChainTable],
        result: [WalkText], resultIsFault: Bool
    ) {
        self.heading = heading
        self.fields = fields
        self.root = root
        self.tables = tables
        self.result = result
        self.resultIsFault = resultIsFault
    }
}

/// A text as placed, with the box it is estimated to cover (`TextMetrics` width; from 0.8 em
/// above the baseline to 0.25 em below).
public struct PlacedText: Sendable, Hashable {
    /// The text.
    public let text: String
    /// Left edge and baseline.
    public let x: Double
    /// The baseline.
    public let y: Double
    /// Font size in user units.
    public let size: Double
    /// Whether it is drawn in the monospace font.
    public let monospace: Bool
    /// Whether it is drawn bold.
    public let bold: Bool

    /// Estimated width of the text.
    public var width: Double { walkTextWidth(text, size: size, monospace: monospace, bold: bold) }
    /// Top edge of the box: 0.8 em above the baseline.
    public var top: Double { y - 0.8 * size }
    /// Bottom edge of the box: 0.25 em below the baseline.
    public var bottom: Double { y + 0.25 * size }

    /// Whether the two boxes share some area (touching edges do not count).
    public func overlaps(_ other: PlacedText) -> Bool {
        x < other.x + other.width && other.x < x + width && top < other.bottom && other.top < bottom
    }
}

/// A walk diagram laid out on a canvas. Pure: the same diagram gives the same SVG.
public struct PageWalkLayout: Sendable {
    /// The widest the canvas gets, in user units.
    public static let maxWidth = 560.0
    /// The narrowest the canvas gets, in user units.
    public static let minWidth = 320.0

    /// Canvas width in user units.
    public let width: Double
    /// Canvas height in user units.
    public let height: Double
    /// Every text drawn, in drawing order.
    public let texts: [PlacedText]
    private let canvas: SVGCanvas

    /// Lays `diagram` out on a canvas whose ids start with `idPrefix`.
    public init(_ diagram: PageWalkDiagram, idPrefix: String) {
        var builder = WalkBuilder(diagram: diagram)
        builder.run()
        width = builder.width
        height = builder.y + Style.margin
        var canvas = SVGCanvas(width: width, height: height, idPrefix: idPrefix)
        for command in builder.commands { command.draw(on: &canvas) }
        self.canvas = canvas
        texts = builder.texts
    }

    /// The `<svg>` element (see `SVGCanvas.render`).
    public func svg(title: String, description: String) -> String {
        canvas.render(title: title, description: description)
    }
}

// MARK: - Implementation

private enum Style {
    static let margin = 12.0
    static let fieldLabelSize = 12.0
    static let fieldValueSize = 13.0
    static let fieldBitsSize = 12.0
    static let cellPadding = 6.0
    static let cellGap = 2.0
    static let titleSize = 13.0
    static let locationSize = 12.0
    static let rowSize = 13.0
    static let noteSize = 12.0
    static let detailSize = 12.0
    static let resultFirstSize = 14.0
    static let resultSize = 13.0
    static let boxPadding = 8.0
    static let rowPadding = 5.0
    static let ghostRow = 10.0
    static let arrowX = 26.0
    static let arrowGap = 26.0
    static let sectionGap = 16.0

    static func lineHeight(_ size: Double) -> Double { (1.3 * size).rounded(.up) }
    /// Baseline offset from the top of a line box.
    static func ascent(_ size: Double) -> Double { 0.95 * size }
}

/// The width this layout reserves for a text: `TextMetrics`' estimate, widened by 10% for
/// sans-serif text and by 22% for bold sans-serif text, because DejaVu Sans (what `system-ui`
/// falls back to on Linux) sets lower-case letters wider than `TextMetrics` assumes.
func walkTextWidth(_ text: String, size: Double, monospace: Bool, bold: Bool = false) -> Double {
    let estimate = TextMetrics.width(text, size: size, monospace: monospace)
    if monospace { return estimate }
    return estimate * (bold ? 1.22 : 1.1)
}

/// A piece of one wrapped line: text in one font.
private struct Piece: Equatable {
    var text: String
    var monospace: Bool

    func width(_ size: Double, bold: Bool = false) -> Double {
        walkTextWidth(text, size: size, monospace: monospace, bold: bold)
    }
}

private struct Line {
    var pieces: [Piece]

    func width(_ size: Double, bold: Bool = false) -> Double { pieces.reduce(0) { $0 + $1.width(size, bold: bold) } }
}

/// Breaks `text` into lines no wider than `maxWidth` at `size`: at spaces when possible, else
/// between characters. Spaces at the ends of lines are dropped.
private func wrap(_ text: WalkText, size: Double, maxWidth: Double, bold: Bool = false) -> [Line] {
    var tokens: [Piece] = []
    for run in text.runs {
        var word = ""
        for character in run.text {
            word.append(character)
            if character == " " {
                tokens.append(Piece(text: word, monospace: run.monospace))
                word = ""
            }
        }
        if !word.isEmpty { tokens.append(Piece(text: word, monospace: run.monospace)) }
    }
    var lines: [[Piece]] = [[]]
    var lineWidth = 0.0
    func newLine() {
        lines.append([])
        lineWidth = 0
    }
    for token in tokens {
        var token = token
        let trimmed = Piece(text: trimTrailingSpaces(token.text), monospace: token.monospace)
        if lineWidth + trimmed.width(size, bold: bold) > maxWidth && !lines[lines.count - 1].isEmpty {
            newLine()
        }
        if lines[lines.count - 1].isEmpty {
            token.text = String(token.text.drop { $0 == " " })
            if token.text.isEmpty { continue }
        }
        // A word wider than a whole line is cut between characters.
        while Piece(text: trimTrailingSpaces(token.text), monospace: token.monospace).width(size, bold: bold)
            > maxWidth - lineWidth
        {
            var head = ""
            var rest = Substring(token.text)
            while let next = rest.first {
                let candidate = Piece(text: head + String(next), monospace: token.monospace)
                if candidate.width(size, bold: bold) > maxWidth - lineWidth && !head.isEmpty { break }
                head.append(next)
                rest = rest.dropFirst()
            }
            lines[lines.count - 1].append(Piece(text: head, monospace: token.monospace))
            token.text = String(rest)
            newLine()
            if token.text.isEmpty { break }
        }
        if token.text.isEmpty { continue }
        lines[lines.count - 1].append(token)
        lineWidth += token.width(size, bold: bold)
    }
    return lines.compactMap { pieces -> Line? in
        var merged: [Piece] = []
        for piece in pieces {
            if let last = merged.last, last.monospace == piece.monospace {
                merged[merged.count - 1].text += piece.text
            } else {
                merged.append(piece)
            }
        }
        guard !merged.isEmpty else { return nil }
        merged[merged.count - 1].text = trimTrailingSpaces(merged[merged.count - 1].text)
        merged.removeAll { $0.text.isEmpty }
        return merged.isEmpty ? nil : Line(pieces: merged)
    }
}

private func trimTrailingSpaces(_ text: String) -> String {
    var text = text
    while text.last == " " { text.removeLast() }
    return text
}

/// The natural (unwrapped) width of `text` at `size`.
private func naturalWidth(_ text: WalkText, size: Double, bold: Bool = false) -> Double {
    text.runs.reduce(0) { $0 + walkTextWidth($1.text, size: size, monospace: $1.monospace, bold: bold) }
}

private enum Command {
    case rect(x: Double, y: Double, width: Double, height: Double, fill: Paint, stroke: Paint, strokeWidth: Double)
    case line(x1: Double, y1: Double, x2: Double, y2: Double, stroke: Paint, width: Double)
    case path(String, fill: Paint)
    case text(PlacedText, fill: Paint)

    func draw(on canvas: inout SVGCanvas) {
        switch self {
        case .rect(let x, let y, let width, let height, let fill, let stroke, let strokeWidth):
            canvas.rect(
                x: x, y: y, width: width, height: height, fill: fill, stroke: stroke, strokeWidth: strokeWidth,
                cornerRadius: 3)
        case .line(let x1, let y1, let x2, let y2, let stroke, let width):
            canvas.line(x1: x1, y1: y1, x2: x2, y2: y2, stroke: stroke, width: width)
        case .path(let d, let fill):
            canvas.path(d, fill: fill)
        case .text(let placed, let fill):
            canvas.text(
                placed.text, x: placed.x, y: placed.y, size: placed.size, fill: fill, bold: placed.bold,
                monospace: placed.monospace)
        }
    }
}

private struct WalkBuilder {
    let diagram: PageWalkDiagram
    var width = PageWalkLayout.minWidth
    var y = Style.margin
    var commands: [Command] = []
    var texts: [PlacedText] = []

    init(diagram: PageWalkDiagram) {
        self.diagram = diagram
    }

    var inner: Double { width - 2 * Style.margin }

    mutating func run() {
        width = chooseWidth()
        if let heading = diagram.heading {
            drawLines(wrap(heading, size: Style.titleSize, maxWidth: inner), x: Style.margin, size: Style.titleSize)
            y += 6
        }
        if !diagram.fields.isEmpty {
            drawFields()
        }
        var arrowFrom: Double? = nil
        if let root = diagram.root {
            y += Style.sectionGap - 6
            let x = Style.margin + Style.arrowX - 10
            drawLines(
                wrap(root, size: Style.detailSize, maxWidth: inner - (x - Style.margin)), x: x, size: Style.detailSize)
            arrowFrom = y
        } else if diagram.tables.isEmpty {
            arrowFrom = y
        } else {
            y += Style.sectionGap
        }
        for (index, table) in diagram.tables.enumerated() {
            if let from = arrowFrom {
                drawArrow(from: from, label: index == 0 ? nil : diagram.tables[index - 1].arrowLabel)
            }
            drawTable(table)
            arrowFrom = y
        }
        if let from = arrowFrom { drawArrow(from: from, label: diagram.tables.last?.arrowLabel) }
        drawResult()
    }

    /// Wide enough for the widest unwrapped line, between `minWidth` and `maxWidth`.
    func chooseWidth() -> Double {
        var widest = 0.0
        if let heading = diagram.heading { widest = max(widest, naturalWidth(heading, size: Style.titleSize)) }
        let cells = diagram.fields.map(cellNaturalWidth)
        widest = max(widest, cells.reduce(0, +) + Style.cellGap * Double(max(cells.count - 1, 0)))
        if let root = diagram.root {
            widest = max(widest, Style.arrowX - 10 + naturalWidth(root, size: Style.detailSize))
        }
        for table in diagram.tables {
            var header = walkTextWidth(table.title, size: Style.titleSize, monospace: false, bold: true)
            if let location = table.location { header += 8 + naturalWidth(location, size: Style.locationSize) }
            let row = rowNaturalWidth(table)
            let detail = table.detail.map { naturalWidth($0, size: Style.detailSize) } ?? 0
            widest = max(widest, 2 * Style.boxPadding + max(header, row + 2 * Style.rowPadding, detail))
            if let label = table.arrowLabel {
                widest = max(widest, Style.arrowX + 10 + naturalWidth(label, size: Style.detailSize))
            }
        }
        for (index, line) in diagram.result.enumerated() {
            let size = index == 0 ? Style.resultFirstSize : Style.resultSize
            widest = max(widest, 2 * Style.boxPadding + naturalWidth(line, size: size, bold: index == 0))
        }
        let natural = (widest + 2 * Style.margin).rounded(.up)
        return min(PageWalkLayout.maxWidth, max(PageWalkLayout.minWidth, natural))
    }

    func cellNaturalWidth(_ field: BitStringField) -> Double {
        2 * Style.cellPadding
            + max(
                walkTextWidth(field.label, size: Style.fieldLabelSize, monospace: false),
                walkTextWidth(field.value, size: Style.fieldValueSize, monospace: true),
                walkTextWidth(field.bits, size: Style.fieldBitsSize, monospace: false))
    }

    func indexCellWidth(_ table: ChainTable) -> Double {
        walkTextWidth(table.rowIndex, size: Style.rowSize, monospace: true) + 2 * Style.cellPadding
    }

    func rowNaturalWidth(_ table: ChainTable) -> Double {
        var width = indexCellWidth(table) + 8 + walkTextWidth(table.rowValue, size: Style.rowSize, monospace: true)
        if let note = table.rowNote { width += 10 + walkTextWidth(note, size: Style.noteSize, monospace: false) }
        return width
    }

    // MARK: Drawing helpers

    mutating func addText(_ piece: Piece, x: Double, baseline: Double, size: Double, fill: Paint, bold: Bool = false) {
        let placed = PlacedText(
            text: piece.text, x: x, y: baseline, size: size, monospace: piece.monospace, bold: bold)
        texts.append(placed)
        commands.append(.text(placed, fill: fill))
    }

    /// Draws wrapped lines from the current `y`, left-aligned at `x`, and moves `y` below them.
    mutating func drawLines(
        _ lines: [Line], x: Double, size: Double, fill: Paint = .foreground, bold: Bool = false
    ) {
        for line in lines {
            var cursor = x
            for piece in line.pieces {
                addText(piece, x: cursor, baseline: y + Style.ascent(size), size: size, fill: fill, bold: bold)
                cursor += piece.width(size, bold: bold)
            }
            y += Style.lineHeight(size)
        }
    }

    /// Draws wrapped lines centred on `centre`, starting at `top`; returns the height used.
    mutating func drawCentred(_ lines: [Line], centre: Double, top: Double, size: Double, fill: Paint) -> Double {
        var lineTop = top
        for line in lines {
            var cursor = centre - line.width(size) / 2
            for piece in line.pieces {
                addText(piece, x: cursor, baseline: lineTop + Style.ascent(size), size: size, fill: fill)
                cursor += piece.width(size)
            }
            lineTop += Style.lineHeight(size)
        }
        return lineTop - top
    }

    func linesHeight(_ lines: [Line], size: Double) -> Double {
        Double(lines.count) * Style.lineHeight(size)
    }

    // MARK: Sections

    /// The bit string: cells in rows that fill the width, wrapping to a new row when full.
    mutating func drawFields() {
        var rows: [[(field: BitStringField, natural: Double)]] = [[]]
        var rowWidth = 0.0
        for field in diagram.fields {
            let natural = min(cellNaturalWidth(field), inner)
            let needed = rows[rows.count - 1].isEmpty ? natural : rowWidth + Style.cellGap + natural
            if needed > inner && !rows[rows.count - 1].isEmpty {
                rows.append([])
                rowWidth = natural
            } else {
                rowWidth = needed
            }
            rows[rows.count - 1].append((field, natural))
        }
        for (rowNumber, row) in rows.enumerated() {
            if rowNumber > 0 { y += Style.cellGap }
            let gaps = Style.cellGap * Double(row.count - 1)
            let total = row.reduce(0) { $0 + $1.natural }
            let scale = (inner - gaps) / total
            struct Cell {
                var field: BitStringField
                var x: Double
                var width: Double
                var label: [Line]
                var value: [Line]
                var bits: [Line]
            }
            var cells: [Cell] = []
            var x = Style.margin
            for (field, natural) in row {
                let width = natural * scale
                let room = width - 2 * Style.cellPadding
                cells.append(
                    Cell(
                        field: field, x: x, width: width,
                        label: wrap(WalkText(field.label), size: Style.fieldLabelSize, maxWidth: room),
                        value: wrap(.mono(field.value), size: Style.fieldValueSize, maxWidth: room),
                        bits: wrap(WalkText(field.bits), size: Style.fieldBitsSize, maxWidth: room)))
                x += width + Style.cellGap
            }
            let height =
                cells.map {
                    linesHeight($0.label, size: Style.fieldLabelSize)
                        + linesHeight($0.value, size: Style.fieldValueSize)
                        + linesHeight($0.bits, size: Style.fieldBitsSize)
                }.max() ?? 0
            let rowHeight = height + 2 * Style.cellPadding
            for cell in cells {
                let fill: Paint
                let stroke: Paint
                let ink: Paint
                let muted: Paint
                if cell.field.emphasis == .danger {
                    (fill, stroke, ink, muted) = (.background, .danger, .danger, .danger)
                } else if let link = cell.field.link {
                    (fill, stroke, ink, muted) = (.series(link), .none, .onSeries, .onSeries)
                } else {
                    (fill, stroke, ink, muted) = (.grid, .none, .foreground, .muted)
                }
                commands.append(
                    .rect(
                        x: cell.x, y: y, width: cell.width, height: rowHeight, fill: fill, stroke: stroke,
                        strokeWidth: 2))
                let centre = cell.x + cell.width / 2
                var top = y + Style.cellPadding
                top += drawCentred(cell.label, centre: centre, top: top, size: Style.fieldLabelSize, fill: ink)
                top += drawCentred(cell.value, centre: centre, top: top, size: Style.fieldValueSize, fill: ink)
                _ = drawCentred(cell.bits, centre: centre, top: top, size: Style.fieldBitsSize, fill: muted)
            }
            y += rowHeight
        }
    }

    /// A downward arrow from `from` to `y + gap`, with an optional label on its right.
    mutating func drawArrow(from: Double, label: WalkText?) {
        let x = Style.margin + Style.arrowX
        let labelX = x + 10
        let lines = label.map { wrap($0, size: Style.detailSize, maxWidth: width - Style.margin - labelX) } ?? []
        let start = max(from, y) + 3
        let length = max(Style.arrowGap, linesHeight(lines, size: Style.detailSize) + 10)
        let end = start + length - 3
        commands.append(.line(x1: x, y1: start, x2: x, y2: end - 6, stroke: .muted, width: 1.5))
        let head =
            "M\(svgNumber(x - 5)) \(svgNumber(end - 7))L\(svgNumber(x + 5)) \(svgNumber(end - 7))"
            + "L\(svgNumber(x)) \(svgNumber(end))Z"
        commands.append(.path(head, fill: .muted))
        y = start + (length - linesHeight(lines, size: Style.detailSize)) / 2
        drawLines(lines, x: labelX, size: Style.detailSize, fill: .muted)
        y = start + length
    }

    mutating func drawTable(_ table: ChainTable) {
        let boxX = Style.margin
        let boxWidth = inner
        let top = y
        let content = boxWidth - 2 * Style.boxPadding
        let frame: Paint = table.isFault ? .danger : .muted
        let boxIndex = commands.count
        y += Style.boxPadding

        // Header: the title, then the location on the same line when it fits.
        let titleLines = wrap(WalkText(table.title), size: Style.titleSize, maxWidth: content, bold: true)
        let titleWidth = titleLines.last?.width(Style.titleSize, bold: true) ?? 0
        let lastTitleTop = y + linesHeight(Array(titleLines.dropLast()), size: Style.titleSize)
        drawLines(titleLines, x: boxX + Style.boxPadding, size: Style.titleSize, bold: true)
        if let location = table.location {
            let sameLine = titleWidth + 8 + naturalWidth(location, size: Style.locationSize) <= content
            if sameLine {
                let after = y
                y = lastTitleTop + Style.ascent(Style.titleSize) - Style.ascent(Style.locationSize)
                drawLines(
                    wrap(location, size: Style.locationSize, maxWidth: content),
                    x: boxX + Style.boxPadding + titleWidth + 8,
                    size: Style.locationSize, fill: .muted)
                y = after
            } else {
                drawLines(
                    wrap(location, size: Style.locationSize, maxWidth: content), x: boxX + Style.boxPadding,
                    size: Style.locationSize, fill: .muted)
            }
        }
        y += 4

        // The highlighted row between two empty ones.
        let rowX = boxX + Style.boxPadding
        let rowWidth = content
        commands.append(
            .line(x1: rowX, y1: y, x2: rowX + rowWidth, y2: y, stroke: .grid, width: 1))
        y += Style.ghostRow
        let rowTop = y
        let indexWidth = min(indexCellWidth(table), rowWidth / 3)
        let textX = rowX + indexWidth + 8
        let textRoom = rowX + rowWidth - Style.rowPadding - textX
        let valueLines = wrap(.mono(table.rowValue), size: Style.rowSize, maxWidth: textRoom)
        var noteLines: [Line] = []
        var noteOnValueLine = false
        if let note = table.rowNote {
            // After the value when it fits there, else on its own lines below.
            let lastValue = valueLines.last?.width(Style.rowSize) ?? 0
            noteOnValueLine = lastValue + 10 + walkTextWidth(note, size: Style.noteSize, monospace: false) <= textRoom
            noteLines = wrap(WalkText(note), size: Style.noteSize, maxWidth: textRoom)
        }
        let indexLines = wrap(.mono(table.rowIndex), size: Style.rowSize, maxWidth: indexWidth - 4)
        let textHeight =
            linesHeight(valueLines, size: Style.rowSize)
            + (noteOnValueLine ? 0 : linesHeight(noteLines, size: Style.noteSize))
        let rowHeight = max(textHeight, linesHeight(indexLines, size: Style.rowSize)) + 2 * Style.rowPadding
        commands.append(
            .rect(
                x: rowX, y: rowTop, width: rowWidth, height: rowHeight, fill: .background,
                stroke: table.isFault ? .danger : .accent, strokeWidth: 2))
        let indexFill: Paint = table.link.map { .series($0) } ?? .grid
        let indexInk: Paint = table.link == nil ? .foreground : .onSeries
        commands.append(
            .rect(
                x: rowX + 1, y: rowTop + 1, width: indexWidth - 1, height: rowHeight - 2, fill: indexFill,
                stroke: .none,
                strokeWidth: 0))
        _ = drawCentred(
            indexLines, centre: rowX + indexWidth / 2,
            top: rowTop + (rowHeight - linesHeight(indexLines, size: Style.rowSize)) / 2, size: Style.rowSize,
            fill: indexInk)
        y = rowTop + Style.rowPadding
        let valueInk: Paint = table.isFault ? .danger : .foreground
        let lastValueTop = y + linesHeight(Array(valueLines.dropLast()), size: Style.rowSize)
        drawLines(valueLines, x: textX, size: Style.rowSize, fill: valueInk)
        if noteOnValueLine {
            let after = y
            y = lastValueTop + Style.ascent(Style.rowSize) - Style.ascent(Style.noteSize)
            let noteX = textX + (valueLines.last?.width(Style.rowSize) ?? 0) + 10
            drawLines(noteLines, x: noteX, size: Style.noteSize, fill: .muted)
            y = after
        } else {
            drawLines(noteLines, x: textX, size: Style.noteSize, fill: .muted)
        }
        y = rowTop + rowHeight + Style.ghostRow
        commands.append(
            .line(x1: rowX, y1: y, x2: rowX + rowWidth, y2: y, stroke: .grid, width: 1))
        if let detail = table.detail {
            y += 4
            drawLines(
                wrap(detail, size: Style.detailSize, maxWidth: content), x: rowX, size: Style.detailSize,
                fill: .muted)
        }
        y += Style.boxPadding
        commands.insert(
            .rect(
                x: boxX, y: top, width: boxWidth, height: y - top, fill: .background, stroke: frame,
                strokeWidth: table.isFault ? 2 : 1),
            at: boxIndex)
    }

    mutating func drawResult() {
        let top = y
        let content = inner - 2 * Style.boxPadding
        let boxIndex = commands.count
        y += Style.boxPadding
        let ink: Paint = diagram.resultIsFault ? .danger : .foreground
        for (index, line) in diagram.result.enumerated() {
            if index == 0 {
                drawLines(
                    wrap(line, size: Style.resultFirstSize, maxWidth: content, bold: true),
                    x: Style.margin + Style.boxPadding,
                    size: Style.resultFirstSize, fill: ink, bold: true)
            } else {
                drawLines(
                    wrap(line, size: Style.resultSize, maxWidth: content), x: Style.margin + Style.boxPadding,
                    size: Style.resultSize)
            }
        }
        y += Style.boxPadding
        commands.insert(
            .rect(
                x: Style.margin, y: top, width: inner, height: y - top, fill: .background,
                stroke: diagram.resultIsFault ? .danger : .success, strokeWidth: 2),
            at: boxIndex)
    }
}
