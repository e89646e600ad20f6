import Diagram
import Testing

@Suite struct GridTests {
    static let classic = [1, 2, 3, 4, 2, 1, 5, 6, 2, 1, 2, 3, 7, 6, 3, 2, 1, 2, 3, 6]

    /// A FIFO trace in fixed frame slots, drawn the textbook way (the layout does not know pages:
    /// the test builds the columns a figure would).
    static func fifoColumns(_ references: [Int], frames: Int, hit: String, miss: String) -> [GridLayout.Column] {
        var slots = [Int?](repeating: nil, count: frames)
        var order: [Int] = []
        var columns: [GridLayout.Column] = []
        for page in references {
            var evicted: Int?
            let isHit = slots.contains(page)
            var changed: Int?
            if !isHit {
                if let free = slots.firstIndex(of: nil) {
                    changed = free
                } else {
                    evicted = order.removeFirst()
                    changed = slots.firstIndex(of: evicted)
                }
                slots[changed!] = page
                order.append(page)
            }
            let cells: [GridLayout.Cell?] = slots.enumerated().map { index, slot in
                slot.map {
                    GridLayout.Cell(
                        String($0), tone: index == changed ? .negative : (isHit && $0 == page ? .positive : .neutral))
                }
            }
            columns.append(
                GridLayout.Column(
                    header: String(page), cells: cells,
                    status: GridLayout.Cell(isHit ? hit : miss, tone: isHit ? .positive : .negative),
                    footnote: evicted.map(String.init)))
        }
        return columns
    }

    static func grid(_ columns: [GridLayout.Column], frames: Int = 3, maxWidth: Double = 560) -> GridLayout {
        GridLayout(
            headerLabel: "Ref.", rowLabels: (0..<frames).map { "Q\($0)" }, statusLabel: "Resultado",
            footnoteLabel: "Sai", columns: columns, maxWidth: maxWidth)
    }

    static func expectReadable(_ layout: GridLayout, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(layout.width <= 560, sourceLocation: sourceLocation)
        #expect(layout.fontSize >= 12, sourceLocation: sourceLocation)
        for (index, a) in layout.texts.enumerated() {
            #expect(a.x >= 0 && a.x + a.width <= layout.width, "\(a)", sourceLocation: sourceLocation)
            #expect(a.y >= 0 && a.y + a.height <= layout.height, "\(a)", sourceLocation: sourceLocation)
            for b in layout.texts[(index + 1)...] {
                #expect(!a.overlaps(b), "\(a) overlaps \(b)", sourceLocation: sourceLocation)
            }
        }
    }

    @Test func classicStringWrapsIntoBandsOnAPhone() {
        let layout = Self.grid(Self.fifoColumns(Self.classic, frames: 3, hit: "acerto", miss: "falta"))
        #expect(layout.bandCount >= 2)
        #expect(layout.columnsPerBand * layout.bandCount >= Self.classic.count)
        #expect(layout.width <= 560 && layout.width >= 300)
        Self.expectReadable(layout)
        // Every reference is drawn once, and the row labels once per band.
        #expect(layout.texts.filter { $0.text == "Q0" }.count == layout.bandCount)
        #expect(layout.texts.filter { $0.text == "falta" }.count == 16)
        #expect(layout.texts.filter { $0.text == "acerto" }.count == 4)
        #expect(layout.texts.filter { $0.text == "Resultado" }.count == layout.bandCount)
    }

    @Test func symbolsMakeNarrowerColumnsAndFewerBands() {
        let words = Self.grid(Self.fifoColumns(Self.classic, frames: 3, hit: "acerto", miss: "falta"))
        let symbols = Self.grid(Self.fifoColumns(Self.classic, frames: 3, hit: "✓", miss: "✗"))
        #expect(symbols.columnWidth < words.columnWidth)
        #expect(symbols.bandCount <= words.bandCount)
        Self.expectReadable(symbols)
    }

    @Test func bandsAreBalanced() {
        let layout = Self.grid(Self.fifoColumns(Array(Self.classic.prefix(13)), frames: 3, hit: "✓", miss: "✗"))
        let perBand = layout.columnsPerBand
        #expect(perBand * layout.bandCount >= 13)
        #expect(perBand * (layout.bandCount - 1) < 13)
    }

    @Test func shortStringIsOneNarrowBand() {
        let layout = Self.grid(Self.fifoColumns([0, 1, 2, 0], frames: 3, hit: "✓", miss: "✗"))
        #expect(layout.bandCount == 1)
        #expect(layout.width < 300)
        Self.expectReadable(layout)
    }

    @Test func hitsAndMissesAreColouredAndEvictionsStruckThrough() {
        let columns = Self.fifoColumns([1, 2, 1, 3], frames: 2, hit: "acerto", miss: "falta")
        let svg = Self.grid(columns, frames: 2).render(title: "FIFO", description: "d", idPrefix: "g")
        #expect(
            svg.contains("style=\"fill: var(--fig-success, #1a7f37); font-size: 13px; font-weight: 700\">acerto</text>")
        )
        #expect(
            svg.contains("style=\"fill: var(--fig-danger, #b42318); font-size: 13px; font-weight: 700\">falta</text>"))
        #expect(svg.contains("stroke: var(--fig-danger, #b42318); stroke-width: 2"))
        #expect(svg.contains("stroke: var(--fig-success, #1a7f37); stroke-width: 2"))
        // Page 1 leaves at the fourth access: drawn muted with a line through it.
        #expect(svg.contains("style=\"fill: var(--fig-muted, #5a606b); font-size: 13px\">1</text>"))
        #expect(svg.contains("<line "))
        #expect(columns[3].footnote == "1")
    }

    @Test func longLabelsAreShortenedToFit() {
        let long = "página-muito-comprida-número-1234567890-que-não-cabe"
        let columns = [
            GridLayout.Column(header: long, cells: [GridLayout.Cell(long), nil], status: GridLayout.Cell("x")),
            GridLayout.Column(header: "2", cells: [GridLayout.Cell("2"), GridLayout.Cell(long + long)]),
        ]
        let layout = GridLayout(
            headerLabel: "Referência com um rótulo comprido demais", rowLabels: ["Quadro zero com nome longo", "Q1"],
            columns: columns)
        Self.expectReadable(layout)
        #expect(layout.texts.contains { $0.text.hasSuffix("…") })
        #expect(!layout.texts.contains { $0.text == long })
        // Each cell text stays inside its column.
        let gridLeft = layout.width - 8 - Double(layout.columnsPerBand) * layout.columnWidth
        for text in layout.texts where text.x >= gridLeft {
            let column = ((text.x - gridLeft) / layout.columnWidth).rounded(.down)
            #expect(text.x + text.width <= gridLeft + (column + 1) * layout.columnWidth + 0.001, "\(text)")
        }
    }

    @Test func manyColumnsStayInsideTheCanvas() {
        let references = (0..<200).map { ($0 * 7) % 23 }
        let layout = Self.grid(Self.fifoColumns(references, frames: 4, hit: "acerto", miss: "falta"), frames: 4)
        #expect(layout.bandCount * layout.columnsPerBand >= 200)
        Self.expectReadable(layout)
    }

    @Test func smallFontsAreRaisedToTwelve() {
        let layout = GridLayout(
            headerLabel: "Ref.", rowLabels: ["Q0"], columns: [.init(header: "1", cells: [.init("1")])], fontSize: 8)
        #expect(layout.fontSize == 12)
        #expect(layout.render(title: "t", description: "d", idPrefix: "g").contains("font-size: 12px"))
    }

    @Test func deterministic() {
        let a = Self.grid(Self.fifoColumns(Self.classic, frames: 3, hit: "✓", miss: "✗"))
        let b = Self.grid(Self.fifoColumns(Self.classic, frames: 3, hit: "✓", miss: "✗"))
        #expect(
            a.render(title: "t", description: "d", idPrefix: "x")
                == b.render(title: "t", description: "d", idPrefix: "x"))
        #expect(a.texts == b.texts)
    }

    @Test func fittingShortensWithAnEllipsis() {
        #expect(TextMetrics.fitting("abc", width: 100, size: 12) == "abc")
        let short = TextMetrics.fitting("abcdefghijklmnop", width: 40, size: 12)
        #expect(short.hasSuffix("…") && TextMetrics.width(short, size: 12) <= 40)
        #expect(TextMetrics.fitting("abcdef", width: 3, size: 12) == "")
        #expect(TextMetrics.boldWidth("abc", size: 12) > TextMetrics.width("abc", size: 12))
    }
}
