import Diagram
import Figures
import Support
import Testing

/// A minimal kind for testing the engine: draws one bar per number in `values`.
private struct BarsKind: FigureKind {
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
            table: DataTable(
                columns: ["Barra", "Valor"], rows: values.enumerated().map { ["\($0 + 1)", portugueseNumber($1)] },
                numericColumns: [1]),
            json: .object(["values": .array(values.map { .number($0) })]))
    }
}

@Suite struct FigureEngineTests {
    let engine = FigureEngine(kinds: [BarsKind()])
    let fence = SourceLocation(file: "post.md", line: 10, column: 1)

    private func render(_ kind: String, _ spec: String) -> Result<RenderedFigure, BuildFailure> {
        engine.render(kind: kind, spec: spec, location: fence, lineOffset: 10, fallbackID: "1")
    }

    @Test func rendersAFigureWithItsIdTitleTableAndJSON() throws {
        let figure = try render("bars", "id: b1\ntitle: Barras <e> coisas\ncaption: Duas barras.\nvalues: [2.5, 50]\n")
            .get()
        #expect(figure.id == "b1")
        #expect(figure.caption == "Duas barras.")
        #expect(figure.svg.contains("<title id=\"fig-b1-title\">Barras &lt;e&gt; coisas</title>"))
        #expect(figure.json == "{\"values\":[2.5,50]}")
        #expect(figure.tableHTML.contains("<th scope=\"row\">1</th><td class=\"num\">2,5</td>"))
    }

    @Test func specErrorsPointIntoTheBlock() {
        let result = render("bars", "title: T\nvalues: [1, x, 200]\nvalor: 3\n")
        guard case .failure(let failure) = result else {
            Issue.record("expected errors")
            return
        }
        #expect(
            failure.diagnostics.map(\.description) == [
                "post.md:12:13: error: each item of 'values' must be a number",
                "post.md:12:16: error: each item of 'values' must be between 0 and 100, not 200",
                "post.md:13:1: error: unknown key 'valor' in the 'bars' figure; did you mean 'values'?",
            ])
    }

    @Test func indentedBlocksShiftColumns() {
        let result = engine.render(
            kind: "bars", spec: "title: T\nvalues: [x]\n", location: fence, lineOffset: 10, columnOffset: 3,
            fallbackID: "1")
        guard case .failure(let failure) = result else {
            Issue.record("expected errors")
            return
        }
        #expect(
            failure.diagnostics.map(\.description) == ["post.md:12:13: error: each item of 'values' must be a number"])
    }

    @Test func missingTitleBadIdUnknownKindAndYAMLSyntax() {
        func messages(_ kind: String, _ spec: String) -> [String] {
            guard case .failure(let failure) = render(kind, spec) else { return [] }
            return failure.diagnostics.map(\.description)
        }
        #expect(
            messages("bars", "id: Não Pode\nvalues: [1]\n") == [
                "post.md:11:1: error: missing required key 'title' in the 'bars' figure",
                "post.md:11:5: error: figure id 'Não Pode' may contain only lowercase letters a–z, digits, '-' and '_'",
            ])
        #expect(
            messages("bras", "title: T\n") == ["post.md:10:1: error: unknown figure kind 'bras'; did you mean 'bars'?"])
        #expect(
            messages("", "title: T\n") == [
                "post.md:10:1: error: a sim block needs a kind: ```sim KIND, with KIND one of bars"
            ])
        let syntax = messages("bars", "title: T\nvalues: [1, 2\n")
        #expect(syntax.count == 1)
        // At the end of the spec's text, not on the line after it (the closing fence, or nothing
        // when the fence is never closed).
        #expect(syntax.first?.hasPrefix("post.md:12:14: error: invalid YAML") == true)
    }

    @Test func cacheKeysFollowTheSpecAndTheFallbackID() throws {
        let a = try #require(engine.cacheKey(kind: "bars", spec: "title: T\nvalues: [1]\n", fallbackID: "1"))
        #expect(a.count == 32)
        #expect(a == engine.cacheKey(kind: "bars", spec: "title: T\nvalues: [1]\n", fallbackID: "1"))
        #expect(a != engine.cacheKey(kind: "bars", spec: "title: T\nvalues: [2]\n", fallbackID: "1"))
        #expect(a != engine.cacheKey(kind: "bars", spec: "title: T\nvalues: [1]\n", fallbackID: "2"))
        #expect(engine.cacheKey(kind: "nope", spec: "", fallbackID: "1") == nil)
        // Stable across processes and machines: a fixed input has a fixed key.
        #expect(stableHash("") == "cbf29ce484222325" + "6c62272e07bb0142")
    }

    @Test(arguments: [
        (0.0, "0"), (2.5, "2,5"), (10.0, "10"), (0.754, "0,75"), (1234567.891, "1.234.567,89"), (-3.5, "-3,5"),
    ])
    func portugueseNumbers(value: Double, expected: String) {
        #expect(portugueseNumber(value) == expected)
    }

    @Test func jsonNumbersArePlain() {
        let json = JSON.object([
            "a": .number(0.75), "b": .number(3), "c": .unsigned(0xffff_8000_0000_0000), "d": .number(1.0 / 3),
        ])
        #expect(json.serialized() == "{\"a\":0.75,\"b\":3,\"c\":18446603336221196288,\"d\":0.333333}")
    }
}
