/// Who does what when: rows (threads, processes, CPUs, disks) of spans on a time axis, built a
/// span at a time and drawn by ``Figure/timeline(_:)`` as a Gantt chart.
///
/// Rows appear in the order they are first named, each in its own colour:
///
/// ```swift
/// var timeline = Timeline(unit: "ms")
/// timeline.add("T1", from: 0, to: 5, label: "GIL")
/// timeline.wait("T2", from: 0, to: 5)
/// timeline.add("T2", from: 5, to: 8, label: "GIL")
/// timeline.event("troca", at: 5)
/// return .timeline(timeline)
/// ```
public struct Timeline: Sendable, Hashable {
    /// How a span is drawn.
    public enum Style: Sendable, Hashable {
        /// Filled with the row's colour: running, holding, busy.
        case active
        /// Hatched: blocked, waiting for a lock or for I/O.
        case waiting
        /// A quiet grey bar: idle, sleeping.
        case idle
    }

    /// One bar of a row, from `start` to `end`.
    public struct Span: Sendable, Hashable {
        /// The row's name.
        public var row: String
        /// Where the bar begins, in time units.
        public var start: Double
        /// Where the bar ends, in time units.
        public var end: Double
        /// How the bar is drawn.
        public var style: Style
        /// Short text drawn inside the bar when it fits, and shown in the table.
        public var label: String?
    }

    /// A small ▼ above a row at a time (an arrival, a wake-up).
    public struct Mark: Sendable, Hashable {
        /// The row's name.
        public var row: String
        /// When, in time units.
        public var time: Double
    }

    /// The text under the axis: "tempo", or "tempo (ms)" with a unit.
    public var axisLabel: String
    /// The time unit, written after numbers in the description ("ms"); nil for none.
    public var unit: String?
    /// What the legend calls ``Style/waiting`` spans.
    public var waitingLabel = "esperando"
    /// What the legend calls ``Style/idle`` spans.
    public var idleLabel = "ocioso"
    /// The rows, in the order they were first named.
    public private(set) var rows: [String] = []
    /// Every span, in the order added.
    public private(set) var spans: [Span] = []
    /// Every ▼ mark, in the order added.
    public private(set) var marks: [Mark] = []
    /// Dashed vertical lines across every row, with their labels (a lock handed over, a tick).
    public private(set) var events: [GanttChart.VerticalMarker] = []

    /// An empty timeline whose axis reads "tempo (`unit`)", or "tempo" without a unit.
    public init(unit: String? = nil) {
        self.unit = unit
        axisLabel = unit.map { "tempo (\($0))" } ?? "tempo"
    }

    /// Adds the row `name` now, so rows keep this order even before they get a span.
    public mutating func row(_ name: String) {
        if !rows.contains(name) { rows.append(name) }
    }

    /// Adds a bar to row `row` from `start` to `end`, with `label` inside it when it fits.
    public mutating func add(
        _ row: String, from start: Double, to end: Double, label: String? = nil, style: Style = .active
    ) {
        self.row(row)
        spans.append(Span(row: row, start: start, end: end, style: style, label: label))
    }

    /// Adds a hatched (waiting) bar to row `row`.
    public mutating func wait(_ row: String, from start: Double, to end: Double, label: String? = nil) {
        add(row, from: start, to: end, label: label, style: .waiting)
    }

    /// Marks row `row` with a ▼ at `time` (an arrival).
    public mutating func mark(_ row: String, at time: Double) {
        self.row(row)
        marks.append(Mark(row: row, time: time))
    }

    /// Draws a dashed line across every row at `time`, labelled `label` above the rows.
    public mutating func event(_ label: String, at time: Double) {
        events.append(GanttChart.VerticalMarker(time: time, label: label))
    }

    /// Total length of the ``Style/active`` spans of `row`.
    public func activeTime(of row: String) -> Double {
        spans.filter { $0.row == row && $0.style == .active }.reduce(0) { $0 + max(0, $1.end - $1.start) }
    }
}

extension Figure {
    /// A Gantt chart of `timeline`, with a table of its spans (row, state, start, end, length)
    /// and a description giving each row's active time.
    public static func timeline(_ timeline: Timeline) -> Figure {
        let rows = timeline.rows.enumerated().map { index, name -> GanttChart.Row in
            let intervals = timeline.spans.filter { $0.row == name }.map { span in
                GanttChart.Interval(
                    start: span.start, end: span.end, style: ganttStyle(span.style, series: index), label: span.label,
                    tooltip: "\(name): \(decimal(span.start))–\(decimal(span.end))"
                        + (span.label.map { ", \($0)" } ?? ""))
            }
            return GanttChart.Row(
                label: name, intervals: intervals, markers: timeline.marks.filter { $0.row == name }.map(\.time))
        }
        var legend: [GanttChart.LegendEntry] = []
        if timeline.spans.contains(where: { $0.style == .waiting }) {
            legend.append(GanttChart.LegendEntry(style: .hatched, label: timeline.waitingLabel))
        }
        if timeline.spans.contains(where: { $0.style == .idle }) {
            legend.append(GanttChart.LegendEntry(style: .muted, label: timeline.idleLabel))
        }
        let chart = GanttChart(
            rows: rows, axisLabel: timeline.axisLabel, verticalMarkers: timeline.events, legend: legend,
            width: Figure.width)
        let unit = timeline.unit.map { " \($0)" } ?? ""
        let times = timeline.spans.flatMap { [$0.start, $0.end] }
        var description = "Linha do tempo de \(countText(timeline.rows.count, "linha", "linhas"))"
        if let first = times.min(), let last = times.max() {
            description += " entre \(decimal(first)) e \(decimal(last))\(unit)"
        }
        let totals = timeline.rows.map { "\($0) ativo por \(decimal(timeline.activeTime(of: $0)))\(unit)" }
        description += totals.isEmpty ? "." : ": " + listText(totals) + "."
        let order = timeline.spans.enumerated().sorted { a, b in
            (a.element.start, a.offset) < (b.element.start, b.offset)
        }
        let table = Table(
            columns: ["Linha", "Estado", "Início", "Fim", "Duração"],
            rows: order.map { _, span in
                [
                    span.row, span.label ?? stateText(span.style, timeline), decimal(span.start), decimal(span.end),
                    decimal(span.end - span.start),
                ]
            })
        return Figure(canvas: chart.layout(idPrefix: "fig").canvas, description: description, table: table)
    }

    /// A Gantt chart you configured yourself, with a table of its intervals (row, label, start,
    /// end, length) and your `description`.
    public static func gantt(_ chart: GanttChart, description: String) -> Figure {
        var rows: [[String]] = []
        for row in chart.rows {
            for interval in row.intervals.sorted(by: { $0.start < $1.start }) {
                rows.append([
                    row.label, interval.label ?? "", decimal(interval.start), decimal(interval.end),
                    decimal(interval.end - interval.start),
                ])
            }
        }
        return Figure(
            canvas: chart.layout(idPrefix: "fig").canvas, description: description,
            table: Table(columns: ["Linha", "Rótulo", "Início", "Fim", "Duração"], rows: rows))
    }

    /// The result of `simulateScheduler` as a Gantt chart (one row per job, I/O hatched, MLFQ
    /// levels inside the bars), with each job's metrics in the table and their averages in the
    /// description. `unit` labels the axis ("ms").
    public static func schedule(_ schedule: Schedule, unit: String? = nil) -> Figure {
        let hasLevels = schedule.slices.contains { $0.level != nil }
        let rows = schedule.jobs.enumerated().map { index, job -> GanttChart.Row in
            var intervals = schedule.slices.filter { $0.job == index }.map { slice in
                GanttChart.Interval(
                    start: slice.start, end: slice.end, style: .series(index),
                    label: hasLevels ? slice.level.map { "Q\($0)" } : nil,
                    tooltip: "\(job.name): \(decimal(slice.start))–\(decimal(slice.end))")
            }
            intervals += job.ioPeriods.map { period in
                GanttChart.Interval(
                    start: period.start, end: period.end, style: .hatched,
                    tooltip: "\(job.name) em I/O: \(decimal(period.start))–\(decimal(period.end))")
            }
            return GanttChart.Row(label: job.name, intervals: intervals, markers: [job.arrival])
        }
        let hasIO = schedule.jobs.contains { !$0.ioPeriods.isEmpty }
        let chart = GanttChart(
            rows: rows, axisLabel: "tempo" + (unit.map { " (\($0))" } ?? ""),
            verticalMarkers: schedule.boosts.map { GanttChart.VerticalMarker(time: $0, label: "boost") },
            legend: hasIO ? [GanttChart.LegendEntry(style: .hatched, label: "bloqueado em I/O")] : [],
            width: Figure.width)
        let suffix = unit.map { " \($0)" } ?? ""
        let averages = schedule.averages
        let description =
            "Escalonamento de \(countText(schedule.jobs.count, "processo", "processos")) numa CPU: "
            + listText(schedule.jobs.map { "\($0.name) termina em \(decimal($0.completion))" })
            + ". Médias: resposta \(decimal(averages.response)), retorno \(decimal(averages.turnaround)) e espera "
            + "\(decimal(averages.wait))\(suffix)."
        let table = Table(
            columns: [
                "Processo", "Chegada", "Duração", "Primeira execução", "Término", "Resposta", "Retorno", "Espera",
            ],
            rows: schedule.jobs.map { job in
                [
                    job.name, decimal(job.arrival), decimal(job.length), decimal(job.firstRun), decimal(job.completion),
                    decimal(job.response), decimal(job.turnaround), decimal(job.wait),
                ]
            },
            footer: [
                [
                    "Média", "", "", "", "", decimal(averages.response), decimal(averages.turnaround),
                    decimal(averages.wait),
                ]
            ],
            numericColumns: Set(1...7))
        return Figure(canvas: chart.layout(idPrefix: "fig").canvas, description: description, table: table)
    }

    /// One horizontal bar per item, from 0 to its value, the value written inside the bar when it
    /// fits; the table lists the items and their values, with the total.
    ///
    /// - Parameters:
    ///   - items: `(label, value)` pairs, top to bottom.
    ///   - axisLabel: the scale's title ("chamadas").
    ///   - itemLabel: the table's header for the labels ("Chamada").
    public static func bars(_ items: [(String, Double)], axisLabel: String, itemLabel: String = "Item") -> Figure {
        let rows = items.map { label, value in
            GanttChart.Row(
                label: label,
                intervals: [
                    GanttChart.Interval(
                        start: 0, end: value, style: .series(0), label: decimal(value),
                        tooltip: "\(label): \(decimal(value))")
                ])
        }
        let chart = GanttChart(rows: rows, axisLabel: axisLabel, width: Figure.width)
        let total = items.reduce(0) { $0 + $1.1 }
        let description =
            "Gráfico de barras (\(axisLabel)): " + listText(items.map { "\($0.0) \(decimal($0.1))" }) + "."
        let table = Table(
            columns: [itemLabel, axisLabel.prefix(1).uppercased() + axisLabel.dropFirst()],
            rows: items.map { [$0.0, decimal($0.1)] }, footer: [["Total", decimal(total)]], numericColumns: [1])
        return Figure(canvas: chart.layout(idPrefix: "fig").canvas, description: description, table: table)
    }

    /// One column of cells per step, wrapped into bands on narrow screens: the textbook
    /// page-replacement grid, or any state that changes step by step. The table has one row per
    /// column (step): its header, then its cells, status and footnote.
    ///
    /// - Parameters:
    ///   - rowLabels: one per cell row ("Quadro 1"…), shown at the left of every band.
    ///   - columns: the steps, left to right.
    ///   - headerLabel: the label of the header row ("Passo").
    ///   - statusLabel, footnoteLabel: labels of the optional status and footnote rows.
    public static func grid(
        rowLabels: [String], columns: [GridLayout.Column], headerLabel: String = "Passo", statusLabel: String? = nil,
        footnoteLabel: String? = nil
    ) -> Figure {
        let layout = GridLayout(
            headerLabel: headerLabel, rowLabels: rowLabels, statusLabel: statusLabel, footnoteLabel: footnoteLabel,
            columns: columns, maxWidth: Figure.width)
        let hasStatus = statusLabel != nil || columns.contains { $0.status != nil }
        let hasFootnote = footnoteLabel != nil || columns.contains { $0.footnote != nil }
        var header = [headerLabel] + rowLabels
        if hasStatus { header.append(statusLabel ?? "Estado") }
        if hasFootnote { header.append(footnoteLabel ?? "Nota") }
        let rows = columns.map { column -> [String] in
            var row = [column.header]
            for index in rowLabels.indices {
                row.append(index < column.cells.count ? column.cells[index]?.text ?? "—" : "—")
            }
            if hasStatus { row.append(column.status?.text ?? "") }
            if hasFootnote { row.append(column.footnote ?? "") }
            return row
        }
        let description =
            "Grade de \(countText(columns.count, "passo", "passos")) com "
            + "\(countText(rowLabels.count, "linha", "linhas")): \(listText(rowLabels))."
        return Figure(
            canvas: layout.canvas(idPrefix: "fig"), description: description,
            table: Table(columns: header, rows: rows))
    }

    /// Stages in lanes on a shared scale (see `LanesLayout`): each row is a path, each stage a
    /// bar in its lane starting where the previous one ended. The table lists every stage.
    ///
    /// - Parameters:
    ///   - lanes: lane names, top to bottom ("hardware", "kernel", "usuário").
    ///   - rows: the paths, top to bottom.
    ///   - axisLabel: the scale's title ("ns por pacote").
    ///   - legend: what the stage colours mean.
    public static func lanes(
        _ lanes: [String], rows: [LanesLayout.Row], axisLabel: String, legend: [LanesLayout.LegendEntry] = []
    ) -> Figure {
        let layout = LanesLayout(lanes: lanes, rows: rows, axisLabel: axisLabel, legend: legend, maxWidth: Figure.width)
        var tableRows: [[String]] = []
        for row in rows {
            for stage in row.stages {
                let lane = lanes.indices.contains(stage.lane) ? lanes[stage.lane] : ""
                tableRows.append([row.title, stage.label, lane, stage.valueLabel ?? decimal(stage.value)])
            }
        }
        let totals = rows.map { row in "\(row.title) soma \(decimal(row.stages.reduce(0) { $0 + max(0, $1.value) }))" }
        return Figure(
            canvas: layout.canvas(idPrefix: "fig"),
            description: "Etapas em faixas (\(listText(lanes))), em \(axisLabel): \(listText(totals)).",
            table: Table(columns: ["Caminho", "Etapa", "Faixa", "Valor"], rows: tableRows, numericColumns: [3]))
    }

    /// A drawing of your own on a `width` × `height` canvas (``Figure/width`` wide is best):
    /// `draw` adds rectangles, lines, paths and text, with colours from `Paint` so the figure
    /// follows the page's light and dark themes.
    public static func svg(
        width: Double, height: Double, description: String, table: Table, draw: (inout SVGCanvas) -> Void
    ) -> Figure {
        var canvas = SVGCanvas(width: width, height: height, idPrefix: "fig")
        draw(&canvas)
        return Figure(canvas: canvas, description: description, table: table)
    }

    private static func ganttStyle(_ style: Timeline.Style, series: Int) -> GanttChart.Style {
        switch style {
        case .active: return .series(series)
        case .waiting: return .hatched
        case .idle: return .muted
        }
    }

    private static func stateText(_ style: Timeline.Style, _ timeline: Timeline) -> String {
        switch style {
        case .active: return "ativo"
        case .waiting: return timeline.waitingLabel
        case .idle: return timeline.idleLabel
        }
    }
}
