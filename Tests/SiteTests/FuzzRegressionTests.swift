import Foundation
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
}
