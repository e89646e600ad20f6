import Figures
import Support

/// Renders `bytes` as the spec of a ```` ```sim KIND ```` block opening on line 1 of a post (so
/// the spec starts on line 2) with the standard kinds. Oracle: no crash; a failure is diagnostics
/// only, each pointing at the fence or into the spec; a success has a titled SVG and no markup
/// the spec injected.
public func fuzzFigureSpec(kind: String, _ bytes: [UInt8]) {
    let spec = String(decoding: bytes, as: UTF8.self)
    let file = "content/posts/fuzz.md"
    let fence = SourceLocation(file: file, line: 1, column: 1)
    switch FigureEngine.standard.render(kind: kind, spec: spec, location: fence, lineOffset: 1, fallbackID: "1") {
    case .success(let figure):
        require(figure.kind == kind, "figure of kind \(figure.kind), not \(kind)")
        require(!figure.title.isEmpty, "figure without a title")
        require(figure.svg.hasPrefix("<svg"), "figure SVG does not start with <svg")
        require(figure.svg.contains("<title"), "figure SVG has no <title>")
        requireNoInjectedMarkup(figure.svg, "the figure's SVG")
        requireNoInjectedMarkup(figure.tableHTML, "the figure's table")
    case .failure(let failure):
        require(!failure.diagnostics.isEmpty, "a failed figure without diagnostics")
        require(failure.errorCount > 0, "a failed figure without errors: \(failure)")
        requireInside(
            failure.diagnostics, of: spec, file: file, firstLine: 2, extra: [(line: 1, column: 1)], input: bytes)
    }
}
