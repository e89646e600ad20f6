import Figures
import Foundation
import Markdown

/// Figures already made, on disk: `<cache>/figures/<key>.json`. A build whose specs did not
/// change runs no simulation.
struct FigureCache: Sendable {
    /// nil when caching is off (`--no-cache`).
    let directory: String?
    /// The figures of ```` ```swift sim ```` blocks, made or loaded before the documents are
    /// expanded (all blocks of a site compile together), by `SwiftSimOutcome.place`.
    var swiftFigures: [String: SwiftSimFigure] = [:]

    init(directory: String?, swiftFigures: [String: SwiftSimFigure] = [:]) {
        self.directory = directory.map { $0 + "/figures" }
        self.swiftFigures = swiftFigures
    }

    func load(_ key: String) -> RenderedFigure? {
        guard let directory, let data = FileManager.default.contents(atPath: "\(directory)/\(key).json") else {
            return nil
        }
        return try? JSONDecoder().decode(RenderedFigure.self, from: data)
    }

    /// Best effort: a cache that cannot be written only costs time on the next build.
    func store(_ figure: RenderedFigure, key: String) {
        guard let directory else { return }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        guard let data = try? encoder.encode(figure) else { return }
        try? writeFileAtomically(Array(data), to: "\(directory)/\(key).json")
    }
}

/// What expanding one article's figures did.
struct FigureExpansion: Sendable {
    var computed = 0
    var cached = 0
    var log = DiagnosticLog()
}

/// Replaces every ```` ```sim KIND ```` and ```` ```swift sim ```` block of `document` with its
/// numbered figure (a `swift sim` block's from `cache.swiftFigures`) and every
/// `@fig-ID` in the text with a link reading "Figura N". Figures are numbered in order of
/// appearance; problems (bad specs, duplicate ids, unknown references) go to the result's log.
func expandFigures(
    in document: Document, file: String, engine: FigureEngine, cache: FigureCache
) -> FigureExpansion {
    var expansion = FigureExpansion()
    var numbers: [String: Int] = [:]
    var firstLine: [String: Int] = [:]
    var anyFailed = false
    for (index, block) in document.fencedBlocks().filter(isFigureBlock).enumerated() {
        let location = SourceLocation(file: file, line: block.line, column: block.column)
        var figure: RenderedFigure?
        if isSwiftSimBlock(block) {
            // Made before the documents were expanded (the site's swift sim blocks compile
            // together); a missing one failed, and its mistakes were reported then.
            if let made = cache.swiftFigures[SwiftSimOutcome.place(file: file, line: block.line)] {
                figure = made.figure
                if made.fresh { expansion.computed += 1 } else { expansion.cached += 1 }
            } else {
                anyFailed = true
            }
        } else {
            let kind = block.arguments.first ?? ""
            if block.arguments.count > 1 {
                expansion.log.error(
                    "unexpected '\(block.arguments.dropFirst().joined(separator: " "))' after the figure kind; the info string is 'sim KIND'",
                    at: location)
            }
            let fallbackID = String(index + 1)
            let key = engine.cacheKey(kind: kind, spec: block.code, fallbackID: fallbackID)
            if let cached = key.flatMap(cache.load) {
                figure = cached
                expansion.cached += 1
            } else {
                switch engine.render(
                    kind: kind, spec: block.code, location: location, lineOffset: block.line,
                    columnOffset: block.column - 1, lineColumnOffsets: document.contentColumnOffsets(of: block),
                    fallbackID: fallbackID)
                {
                case .success(let made):
                    figure = made
                    expansion.computed += 1
                    if let key { cache.store(made, key: key) }
                case .failure(let failure):
                    anyFailed = true
                    for diagnostic in failure.diagnostics { expansion.log.append(diagnostic) }
                }
            }
        }
        guard let figure else { continue }
        if let other = firstLine[figure.id] {
            expansion.log.error(
                "figure id '\(figure.id)' is already used by the figure at line \(other); ids must be unique in an article",
                at: location)
            continue
        }
        let number = numbers.count + 1
        numbers[figure.id] = number
        firstLine[figure.id] = block.line
        document.replace(block, withHTML: figureHTML(figure, number: number))
    }
    document.replaceReferences(prefix: "@fig-") { id, line, column in
        if let number = numbers[id] {
            return "<a class=\"figure-ref\" href=\"#fig-\(id)\">Figura \(number)</a>"
        }
        // A reference to a figure whose spec failed is not a second mistake.
        if !anyFailed {
            let known = numbers.keys.sorted()
            var message = "no figure with id '\(id)' in this article"
            if let suggestion = closestMatch(to: id, in: known) {
                message += "; did you mean '@fig-\(suggestion)'?"
            } else if !known.isEmpty {
                message += "; its figures are " + known.map { "@fig-\($0)" }.joined(separator: ", ")
            }
            expansion.log.error(message, at: SourceLocation(file: file, line: line, column: column))
        }
        return nil
    }
    return expansion
}

/// The numbered `<figure>` (the SVG and "Figura N — caption") and, after it, the numbers behind
/// it in a `<details>` (HTML allows nothing after a figure's caption inside the figure).
func figureHTML(_ figure: RenderedFigure, number: Int) -> String {
    let caption = HTML.escape(figure.caption ?? figure.title)
    return """
        <div class="sim-figure-block">
        <figure id="fig-\(figure.id)" class="sim-figure sim-\(HTML.escape(figure.kind))">
        <div class="sim-figure-image">
        \(figure.svg)
        </div>
        <figcaption><span class="sim-figure-number">Figura \(number)</span> — \(caption)</figcaption>
        </figure>
        <details class="sim-data">
        <summary>Dados da simulação (Figura \(number))</summary>
        \(figure.tableHTML)
        </details>
        </div>

        """
}
