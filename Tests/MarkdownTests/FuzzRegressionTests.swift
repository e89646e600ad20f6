import Markdown
import Testing

/// Inputs the fuzz targets (`Fuzz/`, `scripts/fuzz.sh`) found, each with the place it must give.
/// The reproducers are in `Fuzz/Regressions/`.
@Suite struct MarkdownFuzzRegressionTests {
    /// FuzzMarkdown: after a code span over two lines, cmark-gfm's positions of the text nodes that
    /// follow drift, and a reference was reported at a column past the end of its line, or on the
    /// line before its own. The place is now where the reference is in the text.
    @Test func referencesAfterAMultilineCodeSpanAreReportedWhereTheyAre() {
        let document = Document(
            parsing: "Um `código\nque continua` e @fig-a.\nE @fig-b aqui, `x` @fig-a.\n", lineOffset: 5)
        var seen: [String] = []
        document.replaceReferences(prefix: "@fig-") { id, line, column in
            seen.append("\(id)@\(line):\(column)")
            return nil
        }
        #expect(seen == ["a@7:17", "b@8:3", "a@8:20"])
    }
}
