import Figures
import Foundation

/// The ```` ```swift sim ```` stage of a build: every post and page is searched, and the blocks
/// whose figure is not cached are compiled and run, before any document is expanded.
func runSwiftSims(
    _ content: LoadedContent, options: BuildOptions, config: SiteConfig?, log: inout DiagnosticLog
) -> SwiftSimOutcome {
    let sources =
        content.posts.map { SwiftSim.Source(file: $0.file, body: $0.body, lineOffset: $0.bodyLineOffset) }
        + content.pages.map { SwiftSim.Source(file: $0.file, body: $0.body, lineOffset: $0.bodyLineOffset) }
        + content.rejectedBodies
    let settings = SwiftSimSettings(
        packageDirectory: options.swiftSimDirectory,
        displayDirectory: options.displayPrefix + ".prensa-cache/swift-sim",
        resultsDirectory: options.cacheDirectory.map { $0 + "/figures" },
        timeout: config?.swiftSimTimeout ?? SwiftSim.defaultTimeout)
    return SwiftSim.run(sources, settings: settings, log: &log)
}

/// "3 blocks: 1 compile, 2 run, 1 from cache".
func swiftSimDetail(_ summary: SwiftSimSummary) -> String {
    "\(summary.blocks) swift sim blocks: \(summary.compiles) compiles, \(summary.blocksRun) run, "
        + "\(summary.cached) from cache"
}

/// `prensa sim swift FILE.md`: the ```` ```swift sim ```` blocks of one Markdown file, compiled
/// and run on their own (no result is taken from the cache), for fast iteration.
public enum SwiftSimFile {
    /// One block's figure, and what it printed.
    public struct BlockFigure: Sendable {
        /// The figure as a build would place it.
        public let figure: RenderedFigure
        /// Where the block is, as `file:line`.
        public let location: String
        /// What the block printed with `print`.
        public let printed: String
    }

    /// What running the file's blocks gave.
    public struct Output: Sendable {
        /// The figures, in the file's order.
        public let figures: [BlockFigure]
        /// The compiler's warnings.
        public let warnings: [Diagnostic]
        /// What was compiled and run.
        public let summary: SwiftSimSummary
    }

    /// Compiles and runs the blocks of `path`, shown as `displayPath`, with the package of the
    /// site at `source` (`.prensa-cache/swift-sim`, so Prensa's modules stay compiled). The
    /// time limit is `timeout`, else `swift_sim_timeout` from the site's `content/site.yml`,
    /// else 10 s. Throws every mistake found.
    public static func run(
        path: String, displayPath: String, source: String = ".", timeout: Double? = nil
    ) throws(BuildFailure) -> Output {
        let file: SourceFile
        switch SourceFile.read(path: path, displayPath: displayPath) {
        case .success(let read): file = read
        case .failure(let diagnostic): throw BuildFailure([diagnostic])
        }
        return try run(text: file.text, displayPath: displayPath, source: source, timeout: timeout)
    }

    /// Like `run(path:displayPath:source:timeout:)`, for Markdown already read (standard input).
    public static func run(
        text: String, displayPath: String, source: String = ".", timeout: Double? = nil
    ) throws(BuildFailure) -> Output {
        let body: String
        let lineOffset: Int
        if case .success(let split) = SplitSource.split(SourceFile(displayPath: displayPath, text: text)) {
            body = split.body
            lineOffset = split.bodyLineOffset
        } else {
            body = text
            lineOffset = 0
        }
        let prefix = source == "." || source.isEmpty ? "" : (source.hasSuffix("/") ? source : source + "/")
        let settings = SwiftSimSettings(
            packageDirectory: source + "/.prensa-cache/swift-sim", displayDirectory: prefix + ".prensa-cache/swift-sim",
            resultsDirectory: nil, timeout: timeout ?? siteTimeout(source: source) ?? SwiftSim.defaultTimeout)
        var log = DiagnosticLog()
        let outcome = SwiftSim.run(
            [SwiftSim.Source(file: displayPath, body: body, lineOffset: lineOffset)], settings: settings, log: &log)
        if log.hasErrors { throw BuildFailure(log.sorted + outcome.warnings) }
        if outcome.blocks.isEmpty {
            throw BuildFailure([
                Diagnostic(file: displayPath, message: "no ```swift sim block in this file")
            ])
        }
        let figures = outcome.blocks.compactMap { block -> BlockFigure? in
            let place = SwiftSimOutcome.place(file: block.file, line: block.line)
            return outcome.figures[place].map { BlockFigure(figure: $0.figure, location: place, printed: $0.printed) }
        }
        return Output(figures: figures, warnings: outcome.warnings, summary: outcome.summary)
    }

    /// `swift_sim_timeout` from `content/site.yml` under `source`, when it reads.
    private static func siteTimeout(source: String) -> Double? {
        let path = source + "/content/site.yml"
        guard FileManager.default.fileExists(atPath: path),
            case .success(let config) = SiteConfig.load(path: path, displayPath: path, baseURLOverride: nil)
        else { return nil }
        return config.swiftSimTimeout
    }
}
