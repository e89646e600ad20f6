import Figures
import Foundation
import Markdown

/// Entry points for the libFuzzer targets in `Fuzz/`: each runs one of the parsers a build runs
/// on untrusted text, on bytes instead of files, and returns what the build would report.
/// Package-internal; nothing else should call them.
package enum SiteFuzzing {
    /// The site's time zone for fuzzed posts: São Paulo's offset, fixed, so that no time zone
    /// database is needed (a fresh CI machine may have none).
    static let timeZone = TimeZone(secondsFromGMT: -3 * 3600)!

    /// The path diagnostics name for fuzzed inputs.
    package static let displayPath = "content/posts/fuzz.md"

    /// Loads `bytes` as the file `content/<relative>` is loaded (UTF-8 check, front matter split and
    /// decoding, slug): the text diagnostics point into (nil when it is not UTF-8), whether it
    /// became a post or page, and the diagnostics.
    package static func loadMarkdownFile(
        _ bytes: [UInt8], relative: String = "posts/fuzz.md"
    ) -> (text: String?, loaded: Bool, diagnostics: [Diagnostic]) {
        let display = "content/" + relative
        let source = SourceFile.decode(bytes, displayPath: display)
        let result = ContentLoader.decodeMarkdown(
            source, relative: relative, display: display, timeZone: timeZone)
        let text: String? =
            switch source {
            case .success(let file): file.text
            case .failure: nil
            }
        return (text, result.item != nil, result.log.sorted)
    }

    /// Decodes `bytes` as `content/site.yml`: the text diagnostics point into (nil when it is not
    /// UTF-8) and the diagnostics, none when it is valid.
    package static func loadSiteConfig(_ bytes: [UInt8]) -> (text: String?, diagnostics: [Diagnostic]) {
        let source: SourceFile
        switch SourceFile.decode(bytes, displayPath: "content/site.yml") {
        case .success(let file): source = file
        case .failure(let diagnostic): return (nil, [diagnostic])
        }
        switch SiteConfig.decode(source, baseURLOverride: nil) {
        case .success: return (source.text, [])
        case .failure(let failure): return (source.text, failure.diagnostics)
        }
    }

    /// Runs `bytes` as a post body through the Markdown stage as a build does (UTF-8 check and
    /// newline normalization, parse, expansion of ```` ```sim ```` figures and `@fig-` references
    /// with the standard kinds and no cache, render). Nil when `bytes` is not UTF-8; otherwise the
    /// normalized text (line 1 of the file), the HTML and the diagnostics.
    package static func renderBody(_ bytes: [UInt8]) -> (text: String, html: String, diagnostics: [Diagnostic])? {
        guard case .success(let source) = SourceFile.decode(bytes, displayPath: displayPath) else { return nil }
        let document = Document(parsing: source.text, options: MarkdownOptions(), lineOffset: 0)
        let expansion = expandFigures(
            in: document, file: displayPath, engine: .standard, cache: FigureCache(directory: nil))
        let rendered = document.render()
        return (source.text, rendered.html, expansion.log.sorted)
    }
}
