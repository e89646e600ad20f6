import BlockRunner
import Figures
import Foundation
import Markdown

/// The figure a ```` ```swift sim ```` block made, ready for the figure expansion.
struct SwiftSimFigure: Sendable {
    let figure: RenderedFigure
    /// Made by running the block in this build rather than taken from the cache.
    let fresh: Bool
    /// What the block printed with `print` (shown by `prensa sim swift`, ignored by builds).
    let printed: String
}

/// What the ```` ```swift sim ```` stage of a build did: the counts a test can assert on.
public struct SwiftSimSummary: Sendable, Hashable {
    /// `swift sim` blocks in the site whose header was valid.
    public var blocks = 0
    /// Blocks whose figure came from the cache.
    public var cached = 0
    /// Times the generated package was compiled (`swift build`): 0 when every block was cached.
    public var compiles = 0
    /// Blocks run (each twice, to check that its output does not change).
    public var blocksRun = 0
    /// Wall time spent compiling and running, in seconds.
    public var compileSeconds = 0.0
    public var runSeconds = 0.0
    /// Whether every block run this build ran cut off from the network (a Linux network
    /// namespace); nil when no block ran.
    public var networkIsolated: Bool?

    public init() {}
}

/// The outcome of the stage: figures by place, the counts, and the compiler's warnings.
struct SwiftSimOutcome: Sendable {
    /// The valid blocks, in the order of the documents given.
    var blocks: [SwiftSimBlock] = []
    /// Figures by "file:line" of their block's opening fence.
    var figures: [String: SwiftSimFigure] = [:]
    var summary = SwiftSimSummary()
    /// Compiler warnings in blocks (with their notes): they do not fail the build.
    var warnings: [Diagnostic] = []

    static func place(file: String, line: Int) -> String { "\(file):\(line)" }
}

/// Where the stage works and how long a block may run.
struct SwiftSimSettings: Sendable {
    /// The generated package's folder (`.prensa-cache/swift-sim`).
    var packageDirectory: String
    /// How the package's folder is shown in messages.
    var displayDirectory: String
    /// Where results are cached (`.prensa-cache/figures`); nil runs every block (`--no-cache`).
    var resultsDirectory: String?
    /// Seconds a block may run (`swift_sim_timeout` in site.yml).
    var timeout: Double
}

/// Finds every ```` ```swift sim ```` block of a site, and compiles and runs those whose result
/// is not cached: one generated package, one `swift build -c release`, one process per block.
enum SwiftSim {
    /// Bump when the generated package, the runner or the output changes, so cached figures are
    /// made again.
    static let version = 1
    /// The time limit of a block when site.yml sets none.
    static let defaultTimeout = 10.0

    /// A document to search.
    typealias Source = MarkdownBody

    /// Runs the stage over `sources`. Mistakes (bad headers, compiler errors, blocks that fail)
    /// go to `log`, each at its place; a site without `swift sim` blocks costs a text search.
    static func run(
        _ sources: [Source], settings: SwiftSimSettings, log: inout DiagnosticLog,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> SwiftSimOutcome {
        var outcome = SwiftSimOutcome()
        for source in sources where mayContainSwiftSim(source.body) {
            let document = Document(parsing: source.body, lineOffset: source.lineOffset)
            outcome.blocks += swiftSimBlocks(in: document, file: source.file, log: &log)
        }
        guard let first = outcome.blocks.first else { return outcome }
        outcome.summary.blocks = outcome.blocks.count

        let detected: SwiftSimEnvironment
        let versionFile = settings.resultsDirectory.map { $0 + "/swift-version" }
        switch SwiftSimEnvironment.detect(environment: environment, cacheFile: versionFile) {
        case .success(let value): detected = value
        case .failure(let error):
            log.error(error.message, at: first.location)
            return outcome
        }
        let cache = SwiftSimResultCache(directory: settings.resultsDirectory)
        var toRun: [(key: String, block: SwiftSimBlock)] = []
        var blocksOfKey: [String: [SwiftSimBlock]] = [:]
        for block in outcome.blocks {
            let key = block.cacheKey(detected)
            if let figure = cache.load(key) {
                outcome.figures[SwiftSimOutcome.place(file: block.file, line: block.line)] = SwiftSimFigure(
                    figure: figure, fresh: false, printed: "")
                outcome.summary.cached += 1
                continue
            }
            if blocksOfKey[key] == nil { toRun.append((key, block)) }
            blocksOfKey[key, default: []].append(block)
        }
        guard !toRun.isEmpty else { return outcome }

        let package = SwiftSimPackage(directory: settings.packageDirectory, environment: detected)
        package.withLock {
            let compiled = compile(toRun, package: package, settings: settings, outcome: &outcome, log: &log)
            guard !compiled.isEmpty else { return }
            let start = ContinuousClock.now
            let results = parallelMap(compiled.map { SendableBlock(key: $0.key, block: $0.block) }) { item in
                runTwice(item.key, item.block, package: package, timeout: settings.timeout)
            }
            outcome.summary.runSeconds = seconds(since: start)
            outcome.summary.blocksRun = compiled.count
            for (item, result) in zip(compiled, results) {
                for block in blocksOfKey[item.key] ?? [] {
                    switch result {
                    case .success(let made):
                        outcome.summary.networkIsolated =
                            (outcome.summary.networkIsolated ?? true) && made.networkIsolated
                        let figure = renderedFigure(made.figure, block: block)
                        if block == item.block { cache.store(figure, key: item.key) }
                        outcome.figures[SwiftSimOutcome.place(file: block.file, line: block.line)] = SwiftSimFigure(
                            figure: figure, fresh: true, printed: made.printed)
                    case .failure(let failure):
                        log.error(failure.message(block), at: failure.location(block))
                    }
                }
            }
        }
        return outcome
    }

    private struct SendableBlock: Sendable {
        let key: String
        let block: SwiftSimBlock
    }

    // MARK: - Compiling

    /// Writes and compiles the package. A block with compiler errors is reported and left out,
    /// and the rest compiled again, so one run reports every block's errors and still runs the
    /// good blocks. Returns the blocks that compiled.
    private static func compile(
        _ blocks: [(key: String, block: SwiftSimBlock)], package: SwiftSimPackage, settings: SwiftSimSettings,
        outcome: inout SwiftSimOutcome, log: inout DiagnosticLog
    ) -> [(key: String, block: SwiftSimBlock)] {
        var remaining = blocks
        var messagesOfKey: [String: [CompilerMessage]] = [:]
        let start = ContinuousClock.now
        defer { outcome.summary.compileSeconds = seconds(since: start) }
        var compiledOK = false
        package.discardStaleBuild()
        while !remaining.isEmpty {
            do {
                try package.write(remaining)
            } catch {
                log.error("cannot write the swift sim package: \(error.message)", at: remaining[0].block.location)
                return []
            }
            outcome.summary.compiles += 1
            let result: SubprocessResult
            switch package.compile() {
            case .success(let value): result = value
            case .failure(let error):
                log.error("cannot compile the swift sim blocks: \(error.message)", at: remaining[0].block.location)
                return []
            }
            let messages = CompilerMessage.parse(result.stdoutText + "\n" + result.stderrText)
            for (key, _) in remaining { messagesOfKey[key] = messages.filter { $0.key == key } }
            if result.succeeded {
                compiledOK = true
                break
            }
            let failing = Set(messages.filter { $0.severity == .error }.compactMap(\.key))
            let failingHere = remaining.filter { failing.contains($0.key) }
            guard !failingHere.isEmpty else {
                log.append(compileFailure(result, settings: settings))
                break
            }
            remaining.removeAll { failing.contains($0.key) }
        }
        for (key, block) in blocks {
            report(messagesOfKey[key] ?? [], block: block, outcome: &outcome, log: &log)
        }
        return compiledOK ? remaining : []
    }

    /// The compiler's errors, warnings and notes about `block`, at their places in the article.
    private static func report(
        _ messages: [CompilerMessage], block: SwiftSimBlock, outcome: inout SwiftSimOutcome, log: inout DiagnosticLog
    ) {
        var index = 0
        while index < messages.count {
            let message = messages[index]
            var notes: [Diagnostic] = []
            var next = index + 1
            while next < messages.count, messages[next].severity == .note {
                notes.append(.note(messages[next].message, at: messages[next].location(in: block)))
                next += 1
            }
            let location = message.location(in: block)
            switch message.severity {
            case .error:
                log.error(message.message, at: location, notes: notes)
            case .warning:
                outcome.warnings.append(
                    Diagnostic(
                        file: location.file, line: location.line, column: location.column, severity: .warning,
                        message: message.message))
                outcome.warnings += notes
            case .note:
                log.error(message.message, at: location)
            }
            index = next
        }
    }

    /// A failed compile that names no block: the compiler's errors, or the end of its output.
    private static func compileFailure(_ result: SubprocessResult, settings: SwiftSimSettings) -> Diagnostic {
        let lines = (result.stdoutText + "\n" + result.stderrText).split(separator: "\n").map(String.init)
        var relevant = lines.filter { $0.contains("error:") }
        if relevant.isEmpty { relevant = Array(lines.suffix(15)) }
        return Diagnostic(
            file: settings.displayDirectory,
            message: "the package generated for the swift sim blocks did not compile:\n"
                + relevant.prefix(20).joined(separator: "\n"))
    }

    // MARK: - Running

    /// A block's output: its figure and what it printed.
    struct BlockOutput: Sendable {
        let figure: RunnerFigure
        let json: String
        let printed: String
        let networkIsolated: Bool
    }

    /// Why a block made no figure.
    enum BlockFailure: Error, Sendable {
        case cannotRun(String)
        case timedOut(Double)
        case tooMuchOutput
        /// A trap or another fatal signal: the runtime's message, and where in the block's file
        /// the backtrace points (line, column).
        case crashed(signal: Int32, message: String, place: (line: Int, column: Int)?)
        case exited(Int32, String)
        case wroteToStandardError(String)
        case threw(String)
        case invalid(String)
        case malformedOutput(String)
        case notDeterministic

        func message(_ block: SwiftSimBlock) -> String {
            let name = "swift sim block '\(block.id)'"
            switch self {
            case .cannotRun(let reason):
                return "cannot run \(name): \(reason)"
            case .timedOut(let limit):
                return "\(name) ran past its time limit of \(decimalText(limit)) s and was stopped; "
                    + "'swift_sim_timeout' in content/site.yml sets the limit"
            case .tooMuchOutput:
                return "\(name) printed more than 16 MiB and was stopped"
            case .crashed(let signal, let message, _):
                if !message.isEmpty { return "\(name) crashed: \(message)" }
                if signal == SIGILL || signal == SIGTRAP {
                    return "\(name) crashed at a failed runtime check (an index out of range, an arithmetic "
                        + "overflow, a force-unwrapped nil, …)"
                }
                return "\(name) crashed (\(signalName(signal)))"
            case .exited(let status, let stderr):
                return "\(name) exited with status \(status)" + (stderr.isEmpty ? "" : ": \(stderr)")
            case .wroteToStandardError(let text):
                return "\(name) wrote to standard error, which a block must not do: \(text)"
            case .threw(let error):
                return "\(name) threw an error: \(error)"
            case .invalid(let problem):
                return "\(name) returned an unusable figure: \(problem)"
            case .malformedOutput(let detail):
                return "\(name) gave output Prensa cannot read (\(detail))"
            case .notDeterministic:
                return "\(name) is not deterministic: two runs drew different figures. Take chance only from "
                    + "the 'random' generator handed to the block, and sort what comes out of a Set or a "
                    + "Dictionary before drawing it"
            }
        }

        func location(_ block: SwiftSimBlock) -> SourceLocation {
            if case .crashed(_, _, let place?) = self {
                let message = CompilerMessage(
                    key: nil, path: "", line: place.line, column: place.column, severity: .error, message: "")
                return message.location(in: block)
            }
            return block.location
        }
    }

    /// Runs the block twice, each time in a fresh folder, and checks both runs drew the same.
    static func runTwice(
        _ key: String, _ block: SwiftSimBlock, package: SwiftSimPackage, timeout: Double
    ) -> Result<BlockOutput, BlockFailure> {
        let first = runOnce(key, package: package, timeout: timeout)
        guard case .success(let output) = first else { return first }
        let second = runOnce(key, package: package, timeout: timeout)
        guard case .success(let again) = second else { return second }
        return again.json == output.json ? first : .failure(.notDeterministic)
    }

    /// One run of block `key` in a fresh temporary folder, with a minimal environment.
    static func runOnce(_ key: String, package: SwiftSimPackage, timeout: Double) -> Result<BlockOutput, BlockFailure> {
        let template = NSTemporaryDirectory() + "prensa-block-XXXXXX"
        var pattern = Array(template.utf8CString)
        guard let made = mkdtemp(&pattern) else {
            return .failure(.cannotRun("cannot create a temporary folder: \(errnoText())"))
        }
        let folder = String(cString: made)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let environment = [
            "PATH": "/usr/bin:/bin", "HOME": folder, "TMPDIR": folder, "LANG": "C.UTF-8",
            // The backtracer names the block's line that trapped, in a tenth of a second.
            "SWIFT_BACKTRACE":
                "enable=yes,interactive=no,color=no,threads=crashed,registers=none,images=none,sanitize=no",
        ]
        let cpuSeconds = String(Int(timeout.rounded(.up)) + 2)
        let result: SubprocessResult
        switch runSubprocess(
            package.runnerPath, [key, folder, cpuSeconds], environment: environment, timeout: timeout,
            outputLimit: 16 << 20, ownProcessGroup: true)
        {
        case .success(let value): result = value
        case .failure(let error): return .failure(.cannotRun(error.message))
        }
        if result.timedOut { return .failure(.timedOut(timeout)) }
        if result.outputOverflowed { return .failure(.tooMuchOutput) }
        let stderr = result.stderrText.trimmingWhitespace
        switch result.termination {
        case .signalled(let signal):
            return .failure(.crashed(signal: signal, message: crashMessage(stderr), place: crashPlace(stderr, key)))
        case .exited(let status) where status != 0:
            return .failure(.exited(status, stderr))
        case .exited:
            break
        }
        if !stderr.isEmpty { return .failure(.wroteToStandardError(stderr)) }
        let stdout = result.stdoutText
        guard let markerRange = stdout.range(of: BlockProtocol.marker, options: .backwards) else {
            return .failure(.malformedOutput("no result marker"))
        }
        let printed = String(stdout[..<markerRange.lowerBound])
        let json = String(stdout[markerRange.upperBound...]).trimmingWhitespace
        let decoded: RunnerOutput
        do {
            decoded = try JSONDecoder().decode(RunnerOutput.self, from: Data(json.utf8))
        } catch {
            return .failure(.malformedOutput("\(error)"))
        }
        if let thrown = decoded.thrown { return .failure(.threw(thrown)) }
        if let invalid = decoded.invalid { return .failure(.invalid(invalid)) }
        guard let figure = decoded.figure else { return .failure(.malformedOutput("no figure")) }
        return .success(
            BlockOutput(figure: figure, json: json, printed: printed, networkIsolated: decoded.networkIsolated))
    }

    /// "Fatal error: the message" from what a trap printed, or "" when the trap had no message
    /// (a failed runtime check in optimized code).
    static func crashMessage(_ stderr: String) -> String {
        for line in stderr.split(separator: "\n") {
            if let range = line.range(of: "Fatal error") {
                return String(line[range.lowerBound...]).trimmingWhitespace
            }
        }
        return ""
    }

    /// The line and column of the block's file the backtrace names first
    /// (`…/Block_<key>.swift:12:7`).
    static func crashPlace(_ stderr: String, _ key: String) -> (line: Int, column: Int)? {
        let name = "Block_\(key).swift:"
        guard let range = stderr.range(of: name) else { return nil }
        let numbers = stderr[range.upperBound...].prefix { $0.isNumber || $0 == ":" }.split(separator: ":")
        guard let line = numbers.first.flatMap({ Int($0) }) else { return nil }
        return (line, numbers.dropFirst().first.flatMap { Int($0) } ?? 1)
    }

    /// The figure as the expansion shows it: SVG, description, the table as HTML and the JSON of
    /// `prensa sim swift --json`.
    static func renderedFigure(_ figure: RunnerFigure, block: SwiftSimBlock) -> RenderedFigure {
        let table = DataTable(
            columns: figure.table.columns, rows: figure.table.rows, footer: figure.table.footer,
            numericColumns: Set(figure.table.numeric))
        func rows(_ rows: [[String]]) -> JSON { .array(rows.map { .array($0.map(JSON.string)) }) }
        var members = [JSONMember("id", .string(block.id)), JSONMember("title", .string(block.title))]
        if let caption = block.caption { members.append(JSONMember("caption", .string(caption))) }
        members += [
            JSONMember("description", .string(figure.description)),
            JSONMember(
                "table",
                .object([
                    "columns": .array(figure.table.columns.map(JSON.string)), "rows": rows(figure.table.rows),
                    "footer": rows(figure.table.footer),
                ])),
        ]
        return RenderedFigure(
            kind: "swift", id: block.id, title: block.title, caption: block.caption, svg: figure.svg,
            description: figure.description, tableHTML: table.html(), json: JSON.object(members).serialized())
    }

    private static func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }
}

/// What the runner prints after its marker (see `BlockProtocol`).
struct RunnerOutput: Decodable, Sendable {
    let figure: RunnerFigure?
    let thrown: String?
    let invalid: String?
    let networkIsolated: Bool

    enum CodingKeys: String, CodingKey {
        case figure, thrown, invalid
        case networkIsolated = "network_isolated"
    }
}

/// A block's figure as the runner prints it.
struct RunnerFigure: Decodable, Sendable, Hashable {
    struct Table: Decodable, Sendable, Hashable {
        let columns: [String]
        let rows: [[String]]
        let footer: [[String]]
        let numeric: [Int]
    }

    let id: String
    let svg: String
    let description: String
    let table: Table
}

/// Figures of earlier runs, in `.prensa-cache/figures/swift-<key>.json`, each with the hash of
/// its content: an entry whose content does not match its hash is ignored and made again.
struct SwiftSimResultCache: Sendable {
    let directory: String?

    private struct Entry: Codable {
        let figure: RenderedFigure
        let hash: String
    }

    static func hash(_ figure: RenderedFigure) -> String {
        stableHash(
            [
                figure.kind, figure.id, figure.title, figure.caption ?? "\u{1}", figure.svg, figure.description,
                figure.tableHTML, figure.json,
            ].joined(separator: "\u{0}"))
    }

    func load(_ key: String) -> RenderedFigure? {
        guard let directory, let data = FileManager.default.contents(atPath: "\(directory)/swift-\(key).json"),
            let entry = try? JSONDecoder().decode(Entry.self, from: data), entry.hash == Self.hash(entry.figure)
        else { return nil }
        return entry.figure
    }

    /// Best effort: a cache that cannot be written only costs time on the next build.
    func store(_ figure: RenderedFigure, key: String) {
        guard let directory else { return }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        guard let data = try? encoder.encode(Entry(figure: figure, hash: Self.hash(figure))) else { return }
        try? writeFileAtomically(Array(data), to: "\(directory)/swift-\(key).json")
    }
}

/// "10", "2,5": seconds as the messages write them.
private func decimalText(_ value: Double) -> String {
    value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
}
