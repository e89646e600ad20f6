import Foundation
import Markdown
import Support
import Testing

@testable import Site

/// Inputs the fuzz targets (`Fuzz/`, `scripts/fuzz.sh`) found, each with the clean diagnostic it
/// must give. The reproducers are in `Fuzz/Regressions/`.
@Suite struct SiteFuzzRegressionTests {
    /// FuzzSiteConfig: a `site.yml` whose flow collection is never closed, without a final line
    /// break, was reported at line 2, which the file does not have.
    @Test(arguments: [
        (
            "{/ -",
            "content/site.yml:1:5: error: invalid YAML: did not find expected ',' or '}' (while parsing a flow mapping at line 1)"
        ),
        (
            "[5#w",
            "content/site.yml:1:5: error: invalid YAML: did not find expected ',' or ']' (while parsing a flow sequence at line 1)"
        ),
        (
            "title: T\nx",
            "content/site.yml:2:2: error: invalid YAML: could not find expected ':' (while scanning a simple key at line 2)"
        ),
    ])
    func unclosedSiteConfigPointsInsideTheFile(text: String, expected: String) {
        let source = SourceFile(displayPath: "content/site.yml", text: text)
        guard case .failure(let failure) = SiteConfig.decode(source, baseURLOverride: nil) else {
            Issue.record("\(text.debugDescription) was accepted")
            return
        }
        #expect(failure.diagnostics.map(\.description) == [expected])
    }

    /// FuzzMarkdown: a ```sim fence left open at the end of a post, its spec ending inside a quoted
    /// string, was reported on the line after the last line of the post.
    @Test func unclosedSimFenceAtTheEndOfAPostPointsInsideIt() throws {
        let body = "Texto.\n\n```sim replacement\nid: a\ntitle: 'sem fim"
        let result = try #require(SiteFuzzing.renderBody(Array(body.utf8)))
        #expect(
            result.diagnostics.map(\.description) == [
                "content/posts/fuzz.md:5:16: error: invalid YAML: found unexpected end of stream (while scanning a quoted scalar at line 5)"
            ])
    }

    /// FuzzMarkdown: an empty ```sim block left open at the end of a post was reported on the line
    /// after its fence, which the post does not have. It is reported at the fence.
    @Test func emptySimFenceAtTheEndOfAPostIsReportedAtItsFence() throws {
        let result = try #require(SiteFuzzing.renderBody(Array("Texto.\n\n```sim replacement".utf8)))
        #expect(
            result.diagnostics.map(\.description) == [
                "content/posts/fuzz.md:3:1: error: the 'replacement' figure is empty"
            ])
    }

    /// FuzzMarkdown: in a fence indented two spaces, cmark-gfm removes at most two spaces from each
    /// line, so a line indented less lost less; every line was shifted by the fence's indentation,
    /// and a mistake at the end of an unindented line was reported past its end.
    @Test func specLinesIndentedLessThanTheirFenceKeepTheirColumns() throws {
        let body = "Texto.\n\n  ```sim replacement\n  title: x\ntitle2: y\n stepz: 1\n  ```\n"
        let result = try #require(SiteFuzzing.renderBody(Array(body.utf8)))
        let unknown = result.diagnostics.filter { $0.message.hasPrefix("unknown key") }
        #expect(unknown.map { "\($0.line):\($0.column)" } == ["5:1", "6:2"], "\(result.diagnostics)")
        // The fuzzer's input: an unclosed flow mapping, the error at the end of an unindented line.
        let found =
            "# T\r\nobs: [{name: A, arrival: 0nt ,gleh: 1}f## Seção\n\n  ```sim replacement extra\n  title: x\n"
            + "  capi[^1]: {naseedme: A, arrival: 0, length:ente em\naci ```\n\n~~~sim\nt`itle:\r\n y\n~~~\n\n"
            + "```sim unknown-kind\ntitle: z\n```"
        let fuzzed = try #require(SiteFuzzing.renderBody(Array(found.utf8)))
        let yaml = try #require(fuzzed.diagnostics.first { $0.message.hasPrefix("invalid YAML") })
        #expect("\(yaml.line):\(yaml.column)" == "10:7", "\(yaml)")  // the colon of "t`itle:"
    }

    /// FuzzMarkdown: a spec starting with a blank line, in an indented fence, had its missing keys
    /// reported on that empty line, at the fence's indentation. They are reported at the first key,
    /// where the mapping starts, and a spec of blank lines and comments at its empty first line.
    @Test func missingKeysAreReportedWhereTheMappingStarts() throws {
        let body = "Texto.\n\n  ```sim replacement\n\n  # nada\n  title: x\n  ```\n"
        let result = try #require(SiteFuzzing.renderBody(Array(body.utf8)))
        let missing = result.diagnostics.filter { $0.message.hasPrefix("missing required key") }
        #expect(missing.map { "\($0.line):\($0.column)" } == ["6:3", "6:3", "6:3"], "\(result.diagnostics)")
        let comments = "Texto.\n\n  ```sim replacement\n\n  # nada\n  ```\n"
        let empty = try #require(SiteFuzzing.renderBody(Array(comments.utf8)))
        #expect(
            empty.diagnostics.map(\.description) == [
                "content/posts/fuzz.md:4:1: error: the 'replacement' figure is empty"
            ])
    }

    /// FuzzMarkdown: in a fence indented two spaces, a line starting with a tab loses two of the
    /// tab's four columns and keeps the other two as spaces, so it is one character longer in the
    /// spec than in the file; a mistake at its end was reported past the end of the line.
    @Test func aTabPartlyRemovedAsIndentationKeepsColumnsInsideTheLine() throws {
        let body = "Texto.\u{11}\n  ```sim replacement\n\n\t\u{0}treferences: [itle: x\n  ```\n"
        let result = try #require(SiteFuzzing.renderBody(Array(body.utf8)))
        let yaml = try #require(result.diagnostics.first { $0.message.hasPrefix("invalid YAML") })
        // The line is 23 characters long: the mistake is just after its last one.
        #expect("\(yaml.line):\(yaml.column)" == "4:24", "\(result.diagnostics)")
        let plain = "Texto.\n\n  ```sim replacement\n\tcapacity: [1\n  ```\n"
        let unclosed = try #require(SiteFuzzing.renderBody(Array(plain.utf8)))
        let error = try #require(unclosed.diagnostics.first { $0.message.hasPrefix("invalid YAML") })
        #expect("\(error.line):\(error.column)" == "4:14", "\(unclosed.diagnostics)")
    }

    /// The same for a swift sim block's header.
    @Test func swiftSimHeaderLinesIndentedLessThanTheirFenceKeepTheirColumns() {
        let body = "Texto.\n\n  ```swift sim\n  title: x\nttitle: y\n  ---\n  return Figure()\n  ```\n"
        let document = Document(parsing: body)
        var log = DiagnosticLog()
        _ = swiftSimBlocks(in: document, file: "post.md", log: &log)
        #expect(log.sorted.map { "\($0.line):\($0.column)" } == ["5:1"], "\(log.sorted)")
    }
}
