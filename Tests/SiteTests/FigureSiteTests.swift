import Diagram
import Figures
import Foundation
import Testing

@testable import Site

/// A tiny figure kind for testing how the site places, numbers, cites and caches figures.
struct CountingKind: FigureKind {
    let name = "bars"
    let version = 1
    let keys = ["values"]

    func make(spec: inout YAMLFields, info: FigureInfo) -> FigureContent? {
        spec.requireMissing(["values"])
        guard let values = spec.doubleList("values", in: 0...100) else { return nil }
        var canvas = SVGCanvas(width: 100, height: 20, idPrefix: info.elementID)
        for (index, value) in values.enumerated() {
            canvas.rect(x: Double(index) * 10, y: 0, width: 8, height: value / 5, fill: .series(index))
        }
        return FigureContent(
            svg: canvas.render(title: info.title, description: "\(values.count) barras"),
            description: "\(values.count) barras",
            table: DataTable(columns: ["Barra", "Valor"], rows: values.enumerated().map { ["\($0 + 1)", "\($1)"] }),
            json: .array(values.map { .number($0) }))
    }
}

@Suite struct FigureSiteTests {
    let engine = FigureEngine(kinds: [CountingKind()])

    private let body = """
        Como mostra a @fig-primeira, e depois a @fig-segunda.

        ```sim bars
        id: primeira
        title: Primeira
        caption: A primeira figura.
        values: [10, 20]
        ```

        Texto entre figuras.

        ```sim bars
        id: segunda
        title: Segunda
        values: [30]
        ```

        """

    @Test func figuresAreNumberedCitedAndCaptioned() throws {
        let site = try TestSite()
        defer { site.delete() }
        try site.post("a", title: "A", date: "2026-11-27", body: body)
        let report = try site.build(figures: engine)
        #expect(report.figuresComputed == 2)
        let html = try site.read("posts/a/index.html")
        #expect(
            html.contains(
                "<p>Como mostra a <a class=\"figure-ref\" href=\"#fig-primeira\">Figura 1</a>, e depois a <a class=\"figure-ref\" href=\"#fig-segunda\">Figura 2</a>.</p>"
            ))
        #expect(html.contains("<figure id=\"fig-primeira\" class=\"sim-figure sim-bars\">"))
        #expect(
            html.contains(
                "<figcaption><span class=\"sim-figure-number\">Figura 1</span> — A primeira figura.</figcaption>"))
        #expect(html.contains("<figcaption><span class=\"sim-figure-number\">Figura 2</span> — Segunda</figcaption>"))
        #expect(html.contains("<summary>Dados da simulação (Figura 2)</summary>"))
        #expect(html.contains("<title id=\"fig-segunda-title\">Segunda</title>"))
        #expect(!html.contains("```"))
    }

    @Test func specErrorsUnknownReferencesAndDuplicateIdsHaveFileLocations() throws {
        let site = try TestSite()
        defer { site.delete() }
        let text = """
            Veja a @fig-primera.

            ```sim bars
            id: primeira
            title: Primeira
            values: [10, 20]
            ```

            - lista

              ```sim bars
              id: primeira
              title: De novo
              values: [1]
              ```
            """
        try site.post("a", title: "A", date: "2026-11-27", body: text)
        try site.post(
            "b", title: "B", date: "2026-11-27",
            body: "- item\n\n  ```sim bars\n  title: T\n  values: [1, 200]\n  ```\n")
        try site.post("c", title: "C", date: "2026-11-27", body: "```sim barras\ntitle: T\n```\n")
        #expect(
            site.failingBuild(figures: engine) == [
                "content/posts/a.md:7:8: error: no figure with id 'primera' in this article; did you mean '@fig-primeira'?",
                "content/posts/a.md:17:3: error: figure id 'primeira' is already used by the figure at line 9; ids must be unique in an article",
                "content/posts/b.md:11:15: error: each item of 'values' must be between 0 and 100, not 200",
                "content/posts/c.md:7:1: error: unknown figure kind 'barras'; did you mean 'bars'?",
            ])
    }

    @Test func anUnknownReferenceIsAnErrorAtItsPlace() throws {
        let site = try TestSite()
        defer { site.delete() }
        try site.post("a", title: "A", date: "2026-11-27", body: body + "\nE também a @fig-terceira.\n")
        #expect(
            site.failingBuild(figures: engine) == [
                "content/posts/a.md:24:12: error: no figure with id 'terceira' in this article; did you mean '@fig-primeira'?"
            ])
    }

    @Test func aRebuildRunsOnlyTheFiguresWhoseSpecChanged() throws {
        let site = try TestSite()
        defer { site.delete() }
        try site.post("a", title: "A", date: "2026-11-27", body: body)
        let first = try site.build(figures: engine)
        #expect((first.figuresComputed, first.figuresCached) == (2, 0))
        let firstHTML = try site.read("posts/a/index.html")
        // Nothing changed: nothing is even looked at.
        #expect(try site.build(figures: engine).upToDate)
        // Text around the figures changed: both come from the cache.
        try site.post("a", title: "A", date: "2026-11-27", body: body + "\nMais um parágrafo.\n")
        let second = try site.build(figures: engine)
        #expect((second.figuresComputed, second.figuresCached) == (0, 2))
        #expect(try site.read("posts/a/index.html").contains("Mais um parágrafo."))
        #expect(try site.read("posts/a/index.html") != firstHTML)
        try site.post("a", title: "A", date: "2026-11-27", body: body.replacingOccurrences(of: "[30]", with: "[31]"))
        let third = try site.build(figures: engine)
        #expect((third.figuresComputed, third.figuresCached) == (1, 1))
        let uncached = try site.build(useCache: false, figures: engine)
        #expect((uncached.figuresComputed, uncached.figuresCached) == (2, 0))
    }
}
