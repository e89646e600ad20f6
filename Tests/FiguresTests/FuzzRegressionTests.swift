import Figures
import Support
import Testing

/// Inputs the fuzz targets (`Fuzz/`, `scripts/fuzz.sh`) found, each with the clean diagnostic it
/// must give. The reproducers are in `Fuzz/Regressions/`.
@Suite struct FigureFuzzRegressionTests {
    private func diagnostics(_ kind: String, _ spec: String) -> [String] {
        let fence = SourceLocation(file: "post.md", line: 1, column: 1)
        switch FigureEngine.standard.render(kind: kind, spec: spec, location: fence, lineOffset: 1, fallbackID: "1") {
        case .success: return []
        case .failure(let failure): return failure.diagnostics.map(\.description)
        }
    }

    /// FuzzScheduler, FuzzPageWalk, FuzzReplacement, FuzzPacketPath: a YAML syntax error at the end
    /// of a spec without a final line break was reported on the line after the spec, which the
    /// post may not have (an unclosed fence at the end of the file).
    @Test(arguments: ["scheduler", "page-walk", "replacement", "packet-path"])
    func syntaxErrorAtTheEndOfASpecPointsAtItsLastLine(kind: String) {
        #expect(
            diagnostics(kind, "id: x\ntidi") == [
                "post.md:3:5: error: invalid YAML: could not find expected ':' (while scanning a simple key at line 3)"
            ])
        #expect(
            diagnostics(kind, "title: 'sem fim\n") == [
                "post.md:2:16: error: invalid YAML: found unexpected end of stream (while scanning a quoted scalar at line 2)"
            ])
    }
}

extension FigureFuzzRegressionTests {
    /// FuzzScheduler: libyaml also ends lines at CR, NEL, LS and PS, so a key after one was reported
    /// on a later line than its own, past the end of the spec. Places are now the file's.
    @Test func placesAfterLineBreaksOnlyYAMLSeesAreTheFiles() {
        let spec = "id: x\rtitle: T\u{2028}bogus: 1\ncapacity: 2\r\npolicy: fifo\nreferences: [1]\nzzz: 2\n"
        #expect(
            diagnostics("replacement", spec) == [
                "post.md:2:16: error: unknown key 'bogus' in the 'replacement' figure; did you mean 'bits'?",
                "post.md:6:1: error: unknown key 'zzz' in the 'replacement' figure; known keys: id, title, caption, capacity, policy, references, seed, bits",
            ])
    }

    /// FuzzScheduler: a CRLF line break is one line for libyaml but, as a Swift Character, not a
    /// "\n", so a place on the line after one was checked against the wrong line.
    @Test func placesAfterACRLFAreTheFiles() {
        #expect(
            diagnostics("scheduler", "\n\r\nd\u{FFFD}nular") == [
                "post.md:4:1: error: the 'scheduler' figure must be a mapping of 'key: value' lines"
            ])
    }
}

extension FigureFuzzRegressionTests {
    /// FuzzPageWalk: libyaml places an empty value at the end of the stream, which can be past the
    /// spec's last line; errors about it were reported there. They now point after the last character.
    @Test func emptyValuesAtTheEndOfASpecAreReportedInsideIt() {
        #expect(
            diagnostics("page-walk", "---\n  ") == [
                "post.md:3:3: error: the 'page-walk' figure must be a mapping of 'key: value' lines"
            ])
        #expect(diagnostics("page-walk", "?\n\n\n cr3").contains { $0.hasPrefix("post.md:5:5: error: 'cr3' must be") })
    }
}
