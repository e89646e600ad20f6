import Figures
import Foundation
import Support
import Testing

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// Every spec in `Specs/` renders to the SVG and JSON in `Golden/` (record with
/// PRENSA_RECORD_GOLDEN=1 swift test, then review the diff), as well-formed, accessible SVG.
@Suite struct GoldenFigureTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    static let specs: [String] = {
        let names =
            (try? FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("Specs").path)) ?? []
        return names.filter { $0.hasSuffix(".yml") }.map { String($0.dropLast(4)) }.sorted()
    }()

    private func render(_ name: String) throws -> RenderedFigure {
        let spec = try String(contentsOf: Self.folder.appendingPathComponent("Specs/\(name).yml"), encoding: .utf8)
        let kind = Self.kind(of: name)
        let result = FigureEngine.standard.render(
            kind: kind, spec: spec, location: SourceLocation(file: "\(name).yml", line: 1, column: 1), lineOffset: 0,
            fallbackID: "1")
        switch result {
        case .success(let figure): return figure
        case .failure(let failure): throw failure
        }
    }

    /// "page-walk-4k" → "page-walk": the longest kind name the file name starts with.
    static func kind(of name: String) -> String {
        FigureEngine.standard.kinds.map(\.name).filter { name.hasPrefix($0) }.max { $0.count < $1.count } ?? ""
    }

    @Test func everyKindHasAGoldenSpec() {
        let covered = Set(Self.specs.map(Self.kind(of:)))
        for kind in FigureEngine.standard.kinds.map(\.name) {
            #expect(covered.contains(kind), "no spec for \(kind) in Tests/FiguresTests/Specs")
        }
    }

    @Test(arguments: specs)
    func matchesGolden(name: String) throws {
        let figure = try render(name)
        let record = ProcessInfo.processInfo.environment["PRENSA_RECORD_GOLDEN"] == "1"
        for (suffix, text) in [
            ("svg", figure.svg + "\n"), ("json", figure.json + "\n"), ("table.html", figure.tableHTML + "\n"),
        ] {
            let url = Self.folder.appendingPathComponent("Golden/\(name).\(suffix)")
            if record {
                try FileManager.default.createDirectory(
                    at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try text.write(to: url, atomically: true, encoding: .utf8)
                continue
            }
            let expected = try? String(contentsOf: url, encoding: .utf8)
            #expect(expected == text, "Golden/\(name).\(suffix) differs; record with PRENSA_RECORD_GOLDEN=1 and review")
        }
        #expect(try render(name) == figure, "the same spec must give the same figure")
    }

    @Test(arguments: specs)
    func svgIsWellFormedAndAccessible(name: String) throws {
        let figure = try render(name)
        let checker = SVGChecker()
        let parser = XMLParser(data: Data(figure.svg.utf8))
        parser.delegate = checker
        #expect(parser.parse(), "\(name): not well-formed: \(String(describing: parser.parserError))")
        #expect(checker.rootAttributes["role"] == "img")
        #expect(checker.rootAttributes["viewBox"]?.hasPrefix("0 0 ") == true)
        #expect(checker.rootAttributes["aria-labelledby"] == "fig-\(figure.id)-title fig-\(figure.id)-desc")
        #expect(checker.title == figure.title)
        #expect(checker.descText == figure.description)
        #expect(!figure.description.isEmpty)
        #expect(checker.externalReferences.isEmpty, "\(name): external references \(checker.externalReferences)")
        let width = Double(checker.rootAttributes["width"] ?? "") ?? 0
        #expect(width > 0 && width <= 600, "\(name): width \(width) is too wide for a phone")
        #expect(checker.smallestFont >= 12, "\(name): a \(checker.smallestFont) px font is illegible on a phone")
    }
}

private final class SVGChecker: NSObject, XMLParserDelegate {
    var rootAttributes: [String: String] = [:]
    var title: String?
    var descText: String?
    var externalReferences: [String] = []
    var smallestFont = Double.infinity
    private var depth = 0
    private var capturing: String?
    private var buffer = ""

    func parser(
        _ parser: XMLParser, didStartElement element: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String] = [:]
    ) {
        depth += 1
        if depth == 1 { rootAttributes = attributes }
        if depth == 2 && (element == "title" || element == "desc") {
            capturing = element
            buffer = ""
        }
        for (name, value) in attributes where name == "href" || name == "xlink:href" || value.contains("url(") {
            externalReferences.append(value)
        }
        if let style = attributes["style"], let range = style.range(of: "font-size: ") {
            let number = style[range.upperBound...].prefix { $0.isNumber || $0 == "." }
            if let size = Double(number) { smallestFont = min(smallestFont, size) }
        }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if capturing != nil { buffer += string }
    }

    func parser(
        _ parser: XMLParser, didEndElement element: String, namespaceURI: String?, qualifiedName: String?
    ) {
        if capturing == element && depth == 2 {
            if element == "title" { title = buffer } else { descText = buffer }
            capturing = nil
        }
        depth -= 1
    }
}
