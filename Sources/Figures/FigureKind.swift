import Diagram
import Support

/// Who a figure is: the keys every `sim` block shares.
public struct FigureInfo: Sendable, Hashable {
    /// The figure's id in the article (`rr-q2`: the HTML id is `fig-rr-q2`, the text cites `@fig-rr-q2`).
    public let id: String
    public let title: String
    public let caption: String?

    public init(id: String, title: String, caption: String?) {
        self.id = id
        self.title = title
        self.caption = caption
    }

    /// The prefix of ids inside the figure's SVG, unique on the page.
    public var elementID: String { "fig-\(id)" }
}

/// What a figure kind makes from its spec.
public struct FigureContent: Sendable {
    /// The `<svg>` element (from `SVGCanvas.render`), ids prefixed with `info.elementID`.
    public var svg: String
    /// In Portuguese, what the figure shows, generated from the data (the SVG's `<desc>`).
    public var description: String
    /// The numbers behind the picture.
    public var table: DataTable
    /// The model's result, the documented `prensa sim --json` interface.
    public var json: JSON

    public init(svg: String, description: String, table: DataTable, json: JSON) {
        self.svg = svg
        self.description = description
        self.table = table
        self.json = json
    }
}

/// One kind of figure: a spec parser, a model run and a layout.
public protocol FigureKind: Sendable {
    /// The word after `sim` in the info string: `scheduler`.
    var name: String { get }
    /// Bump it whenever the model or the drawing changes, so cached figures are made again.
    var version: Int { get }
    /// The spec keys this kind reads, besides `id`, `title` and `caption`.
    var keys: [String] { get }
    /// Reads this kind's keys from `spec`, reporting every problem in it at its location, runs the
    /// model and lays out the figure; nil when the spec has errors (all of them reported).
    func make(spec: inout YAMLFields, info: FigureInfo) -> FigureContent?
}

/// A table of the numbers behind a figure, rendered as accessible HTML.
public struct DataTable: Sendable, Hashable {
    public var columns: [String]
    public var rows: [[String]]
    /// Summary rows (averages, totals), in a `<tfoot>`.
    public var footer: [[String]]
    /// Columns holding numbers, aligned right.
    public var numericColumns: Set<Int>

    public init(columns: [String], rows: [[String]], footer: [[String]] = [], numericColumns: Set<Int> = []) {
        self.columns = columns
        self.rows = rows
        self.footer = footer
        self.numericColumns = numericColumns
    }

    public func html() -> String {
        var html = "<table class=\"sim-table\">\n<thead><tr>"
        for column in columns { html += "<th scope=\"col\">\(xmlText(column))</th>" }
        html += "</tr></thead>\n<tbody>\n"
        for row in rows { html += self.row(row) }
        html += "</tbody>\n"
        if !footer.isEmpty {
            html += "<tfoot>\n"
            for row in footer { html += self.row(row) }
            html += "</tfoot>\n"
        }
        return html + "</table>"
    }

    private func row(_ cells: [String]) -> String {
        var html = "<tr>"
        for (index, cell) in cells.enumerated() {
            let text = xmlText(cell)
            if index == 0 {
                html += "<th scope=\"row\">\(text)</th>"
            } else if numericColumns.contains(index) {
                html += "<td class=\"num\">\(text)</td>"
            } else {
                html += "<td>\(text)</td>"
            }
        }
        return html + "</tr>\n"
    }
}

/// The width figures are drawn at. A phone's column is about 355 px wide, so a figure this wide
/// is shown at about 0.9 of its size there and its 12 px labels stay readable.
let figureWidth = 400.0

/// Numbers as Brazilian Portuguese writes them: decimal comma, at most `decimals` digits,
/// trailing zeros dropped ("2,5", "10", "0,75").
public func portugueseNumber(_ value: Double, decimals: Int = 2) -> String {
    portugueseDecimal(value, places: decimals)
}
