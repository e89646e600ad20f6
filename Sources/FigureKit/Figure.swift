@_exported import Diagram
@_exported import Simulation

/// What a ```` ```swift sim ```` block returns: a drawing, a sentence that says what it shows
/// (the SVG's `<desc>`, read by screen readers), and the numbers behind it (the table under the
/// figure).
///
/// Build one with the constructor that fits the data, then adjust it:
///
/// ```swift
/// var timeline = Timeline(unit: "ms")
/// timeline.add("A", from: 0, to: 3)
/// timeline.add("B", from: 3, to: 5)
/// return .timeline(timeline).described("A roda 3 ms, depois B roda 2 ms.")
/// ```
///
/// | constructor | draws |
/// | --- | --- |
/// | ``timeline(_:)`` | rows of spans on a time axis (threads, processes, CPUs) |
/// | ``schedule(_:unit:)`` | the result of `simulateScheduler` as a Gantt chart |
/// | ``bars(_:axisLabel:itemLabel:)`` | one horizontal bar per item |
/// | ``grid(rowLabels:columns:headerLabel:statusLabel:footnoteLabel:)`` | one column of cells per step |
/// | ``lanes(_:rows:axisLabel:legend:)`` | stages in lanes on a shared scale |
/// | ``gantt(_:description:)`` | a `GanttChart` you configured yourself |
/// | ``svg(width:height:description:table:draw:)`` | anything, drawn on an `SVGCanvas` |
///
/// Every word a reader sees comes from the block, in Portuguese; numbers in texts are best
/// written with ``decimal(_:places:)``.
public struct Figure: Sendable {
    /// The width figures are drawn at, in SVG user units: shown at about 0.9 of its size on a
    /// phone, so 12-unit labels stay readable. Use it for ``svg(width:height:description:table:draw:)``.
    public static let width = 400.0

    /// The drawing. Its `idPrefix` is replaced by the figure's id when the figure is rendered.
    public var canvas: SVGCanvas
    /// In Portuguese, what the figure shows: the SVG's `<desc>`.
    public var description: String
    /// The numbers behind the picture, shown as a table under the figure.
    public var table: Table

    /// A figure from a finished drawing, its description and its table.
    public init(canvas: SVGCanvas, description: String, table: Table) {
        self.canvas = canvas
        self.description = description
        self.table = table
    }

    /// The same figure with another description (the SVG's `<desc>`).
    public func described(_ description: String) -> Figure {
        var copy = self
        copy.description = description
        return copy
    }

    /// The same figure with another data table. Columns whose cells are all numbers (or empty)
    /// are aligned right.
    public func table(_ columns: [String], _ rows: [[String]], footer: [[String]] = []) -> Figure {
        var copy = self
        copy.table = Table(columns: columns, rows: rows, footer: footer)
        return copy
    }

    /// The `<svg>` element, its ids prefixed with `fig-ID`, titled `title`.
    public func svg(id: String, title: String) -> String {
        var canvas = self.canvas
        canvas.idPrefix = "fig-\(id)"
        return canvas.render(title: title, description: description)
    }
}

extension Figure {
    /// A table of the numbers behind a figure: every cell is text, as the reader sees it.
    public struct Table: Sendable, Hashable {
        /// The column headers.
        public var columns: [String]
        /// The body rows; the first cell of each row is its header.
        public var rows: [[String]]
        /// Summary rows (totals, averages), shown after the body.
        public var footer: [[String]]
        /// Columns holding numbers, aligned right (0 is the first column).
        public var numericColumns: Set<Int>

        /// A table; `numericColumns` nil means every column whose body and footer cells are all
        /// numbers (or empty, or "—") is numeric, except the first.
        public init(columns: [String], rows: [[String]], footer: [[String]] = [], numericColumns: Set<Int>? = nil) {
            self.columns = columns
            self.rows = rows
            self.footer = footer
            self.numericColumns = numericColumns ?? Table.numericColumns(columns.count, rows + footer)
        }

        static func numericColumns(_ count: Int, _ rows: [[String]]) -> Set<Int> {
            var numeric = Set<Int>()
            for column in 1..<max(count, 1) {
                let cells = rows.compactMap { column < $0.count ? $0[column] : nil }.filter { !$0.isEmpty && $0 != "—" }
                if !cells.isEmpty && cells.allSatisfy(isNumber) { numeric.insert(column) }
            }
            return numeric
        }

        /// "12", "-3", "2,5", "1.024", "40 %", "3 ms": digits first, then at most a short unit.
        static func isNumber(_ text: String) -> Bool {
            var sawDigit = false
            var index = text.startIndex
            if index < text.endIndex, text[index] == "-" || text[index] == "−" { index = text.index(after: index) }
            while index < text.endIndex {
                let character = text[index]
                if character.isASCII && character.isNumber {
                    sawDigit = true
                } else if character == "," || character == "." {
                    // separators inside the number
                } else {
                    break
                }
                index = text.index(after: index)
            }
            guard sawDigit else { return false }
            let rest = text[index...]
            return rest.isEmpty || (rest.first == " " && rest.count <= 6)
        }
    }
}

/// `value` as Brazilian Portuguese writes it: decimal comma, thousands grouped with dots, at most
/// `places` decimals and no trailing zeros (`decimal(2.5)` is "2,5", `decimal(1024)` "1.024").
public func decimal(_ value: Double, places: Int = 2) -> String {
    portugueseDecimal(value, places: places)
}

/// "A", "A e B", "A, B e C": a Portuguese list.
func listText(_ items: [String]) -> String {
    guard let last = items.last else { return "" }
    if items.count == 1 { return last }
    return items.dropLast().joined(separator: ", ") + " e " + last
}

/// "1 linha", "3 linhas".
func countText(_ count: Int, _ singular: String, _ plural: String) -> String {
    "\(count) \(count == 1 ? singular : plural)"
}
