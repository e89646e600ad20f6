import CSystemShims
import Dispatch
import Foundation
import Markdown

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// How fenced code blocks are highlighted at build time, by Pygments running in a Python worker.
public struct HighlightOptions: Sendable {
    /// Off: every code block is written as escaped text (same markup, no token spans) and no
    /// Python is started.
    public var enabled: Bool
    /// The Python to run. nil: `PRENSA_PYTHON` when set, else `.prensa-venv/bin/python` in the
    /// site root when it exists, else `python3` on `PATH`.
    public var python: String?
    /// The environment `PRENSA_PYTHON` and `PATH` are read from.
    public var environment: [String: String]
    /// Receives the one line said when highlighting is not available (Python or Pygments
    /// missing, the worker died); standard error by default.
    public var notice: @Sendable (String) -> Void
    /// Longest wait for Python to start and import Pygments, and for the reply to one block
    /// after that: a worker that takes longer is killed and the rest of the code left plain.
    public var startTimeout: Duration = .seconds(20)
    /// Where highlighted snippets are kept between builds (set by the builder from its cache
    /// folder); nil keeps nothing.
    var cacheDirectory: String?
    public var replyTimeout: Duration = .seconds(30)

    public init(
        enabled: Bool = true, python: String? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        notice: @escaping @Sendable (String) -> Void = HighlightOptions.printToStandardError
    ) {
        self.enabled = enabled
        self.python = python
        self.environment = environment
        self.notice = notice
    }

    public static let printToStandardError: @Sendable (String) -> Void = { line in
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}

/// What the highlighting stage of a build did.
struct HighlightSummary: Sendable {
    /// Fenced code blocks with a language, and how many of them Pygments highlighted.
    var codeBlocks = 0
    var highlighted = 0
    /// Python worker processes started (one per build, or none).
    var workersStarted = 0
    /// Distinct snippets taken from the cache of earlier builds.
    var fromCache = 0
    /// The notice given, if any.
    var notice: String?
}

/// A document parsed, its figures expanded and rendered to HTML, with a placeholder where each
/// code block goes: the cmark tree is freed as soon as this exists, so a big site never holds
/// every tree at once while its code is highlighted. `html(with:)` puts the code in.
struct ParsedDocument: Sendable {
    let figures: FigureExpansion
    /// Fenced blocks with a language, in document order.
    let codeBlocks: [CodeSnippet]
    let links: [DocumentLink]
    let tableOfContents: [TOCEntry]
    /// The HTML with `<!--prensa-code-TOKEN-N-->` for code block N.
    private let htmlWithPlaceholders: String
    /// Random per document, so that no text of the author's can look like a placeholder.
    private let token: String

    init(document: Document, figures: FigureExpansion) {
        self.figures = figures
        let blocks = document.fencedBlocks().filter { !$0.language.isEmpty && !isFigureBlock($0) }
        codeBlocks = blocks.map { CodeSnippet(language: $0.language, code: $0.code) }
        token = String(UInt64.random(in: 0...UInt64.max), radix: 16)
        for (number, block) in blocks.enumerated() {
            document.replace(block, withHTML: "<!--prensa-code-\(token)-\(number)-->\n")
        }
        links = document.links()
        let rendered = document.render()
        tableOfContents = rendered.tableOfContents
        htmlWithPlaceholders = rendered.html
    }

    /// The HTML with every code block in place: `html[i]` from Pygments, or its escaped code when
    /// that is nil, as `<pre class="highlight"><code class="language-LANG">…</code></pre>`.
    func html(with highlighted: [String?]) -> String {
        guard !codeBlocks.isEmpty else { return htmlWithPlaceholders }
        let prefix = Array("<!--prensa-code-\(token)-".utf8)
        var output: [UInt8] = []
        var text = htmlWithPlaceholders
        text.withUTF8 { bytes in
            output.reserveCapacity(bytes.count + 1024)
            var copied = 0
            var index = 0
            while index + prefix.count <= bytes.count {
                guard let base = bytes.baseAddress,
                    let found = prefix.withUnsafeBytes({
                        prensa_memmem(base + index, bytes.count - index, $0.baseAddress, $0.count)
                    })
                else { break }
                index = base.distance(to: found.assumingMemoryBound(to: UInt8.self))
                var cursor = index + prefix.count
                var number = 0
                while cursor < bytes.count, bytes[cursor] >= UInt8(ascii: "0"), bytes[cursor] <= UInt8(ascii: "9") {
                    number = number * 10 + Int(bytes[cursor] - UInt8(ascii: "0"))
                    cursor += 1
                }
                guard number < codeBlocks.count, cursor + 3 <= bytes.count, bytes[cursor] == UInt8(ascii: "-"),
                    bytes[cursor + 1] == UInt8(ascii: "-"), bytes[cursor + 2] == UInt8(ascii: ">")
                else {
                    index += 1
                    continue
                }
                output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[copied..<index]))
                let block = codeBlocks[number]
                let body = (number < highlighted.count ? highlighted[number] : nil) ?? HTML.escape(block.code)
                output.append(
                    contentsOf:
                        "<pre class=\"highlight\" tabindex=\"0\"><code class=\"language-\(HTML.escape(block.language))\">\(body)</code></pre>"
                        .utf8)
                index = cursor + 3
                copied = index
            }
            output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[copied...]))
        }
        return String(decoding: output, as: UTF8.self)
    }
}

/// One piece of code to highlight: the info string's first word and the code.
struct CodeSnippet: Sendable, Hashable {
    let language: String
    let code: String
}

/// Highlights the code blocks of every document in one batch: the distinct snippets go to one
/// Pygments worker (up to one per core for big batches), pipelined, and come back in order.
/// Returns the HTML of each document's blocks (nil for a block left plain) and what was done.
func highlightCodeBlocks(
    of documents: [ParsedDocument], options: HighlightOptions, siteRoot: String
) -> (html: [[String?]], summary: HighlightSummary) {
    var summary = HighlightSummary()
    var distinct: [CodeSnippet] = []
    var indexOf: [CodeSnippet: Int] = [:]
    let snippetIndices = documents.map { parsed in
        parsed.codeBlocks.map { snippet -> Int in
            if let index = indexOf[snippet] { return index }
            indexOf[snippet] = distinct.count
            distinct.append(snippet)
            return distinct.count - 1
        }
    }
    summary.codeBlocks = snippetIndices.reduce(0) { $0 + $1.count }
    var highlighted = [String?](repeating: nil, count: distinct.count)
    if options.enabled && !distinct.isEmpty {
        // Snippets highlighted by an earlier build with the same Python and Pygments are reused;
        // only the others go to a worker.
        var cache = HighlightCache(options: options, siteRoot: siteRoot)
        var missing: [Int] = []
        for (index, snippet) in distinct.enumerated() {
            if let html = cache?.html(for: snippet) { highlighted[index] = html } else { missing.append(index) }
        }
        summary.fromCache = distinct.count - missing.count
        if !missing.isEmpty {
            let batch = PygmentsBatch.run(missing.map { distinct[$0] }, options: options, siteRoot: siteRoot)
            for (position, index) in missing.enumerated() { highlighted[index] = batch.html[position] }
            summary.workersStarted = batch.workersStarted
            if let notice = batch.notice {
                summary.notice = notice
                options.notice(notice)
            } else {
                cache?.save(
                    added: missing.compactMap { index in highlighted[index].map { (distinct[index], $0) } },
                    used: distinct)
            }
        }
    }
    let html = snippetIndices.map { indices in indices.map { highlighted[$0] } }
    summary.highlighted = html.reduce(0) { $0 + $1.count(where: { $0 != nil }) }
    return (html, summary)
}

/// The Python that runs the worker, or why there is none.
enum PythonLocation: Equatable {
    case found(String)
    case missing(String)

    /// `explicit`, else `PRENSA_PYTHON`, else the site's `.prensa-venv`, else `python3` on `PATH`.
    static func find(explicit: String?, environment: [String: String], siteRoot: String) -> PythonLocation {
        if let explicit, !explicit.isEmpty {
            return named(explicit, origin: "the python option", environment: environment)
        }
        if let variable = environment["PRENSA_PYTHON"], !variable.isEmpty {
            return named(variable, origin: "PRENSA_PYTHON", environment: environment)
        }
        let venv = siteRoot + "/.prensa-venv/bin/python"
        if FileManager.default.isExecutableFile(atPath: venv) { return .found(venv) }
        return named("python3", origin: "the default", environment: environment)
    }

    private static func named(_ name: String, origin: String, environment: [String: String]) -> PythonLocation {
        if name.contains("/") {
            return FileManager.default.isExecutableFile(atPath: name)
                ? .found(name) : .missing("no executable \(name), from \(origin)")
        }
        for directory in (environment["PATH"] ?? "").split(separator: ":") where !directory.isEmpty {
            let candidate = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return .found(candidate) }
        }
        return .missing("no \(name) on PATH")
    }
}

/// Runs Pygments over a batch of snippets in one long-lived worker process.
enum PygmentsBatch {
    /// The Pygments version `templates/assets/highlight.css` was made for (scripts/install-deps.sh
    /// installs it).
    static let expectedVersion = "2.20.0"
    static let installHint = "Run make site to install it."

    /// Snippets one more worker must have to be worth its start-up (~0.1 s of Python) when there
    /// are idle cores: about 0.6 ms each.
    static let snippetsPerWorker = 300

    static func run(
        _ snippets: [CodeSnippet], options: HighlightOptions, siteRoot: String
    ) -> (html: [String?], workersStarted: Int, notice: String?) {
        let python: String
        switch PythonLocation.find(explicit: options.python, environment: options.environment, siteRoot: siteRoot) {
        case .found(let path): python = path
        case .missing(let reason):
            return (
                [String?](repeating: nil, count: snippets.count), 0,
                "note: Pygments not found (\(reason)); code blocks are not highlighted. \(installHint)"
            )
        }
        let workers = workerCount(snippets: snippets.count, environment: options.environment)
        let chunks = split(snippets, into: workers)
        let timeouts = (start: options.startTimeout, reply: options.replyTimeout)
        let results = parallelMap(chunks) { chunk in
            highlight(Array(snippets[chunk]), python: python, timeouts: timeouts)
        }
        let notices = results.compactMap(\.notice)
        return (
            results.flatMap(\.html), results.reduce(0) { $0 + $1.started },
            notices.first.map { first in notices.allSatisfy { $0 == first } ? first : notices.joined(separator: "\n") }
        )
    }

    /// One worker per `snippetsPerWorker` snippets, at most one per core;
    /// `PRENSA_HIGHLIGHT_WORKERS` overrides it (for measuring).
    static func workerCount(snippets: Int, environment: [String: String]) -> Int {
        if let forced = environment["PRENSA_HIGHLIGHT_WORKERS"].flatMap({ Int($0) }), forced > 0 {
            return min(forced, max(1, snippets))
        }
        let cores = ProcessInfo.processInfo.activeProcessorCount
        return max(1, min(cores, snippets / snippetsPerWorker))
    }

    /// `count` consecutive ranges of `snippets` holding about the same amount of code.
    static func split(_ snippets: [CodeSnippet], into count: Int) -> [Range<Int>] {
        guard count > 1 else { return [snippets.indices] }
        let total = snippets.reduce(0) { $0 + $1.code.utf8.count + 64 }
        var ranges: [Range<Int>] = []
        var start = 0
        var sum = 0
        for (index, snippet) in snippets.enumerated() {
            sum += snippet.code.utf8.count + 64
            if ranges.count < count - 1 && sum * count >= total * (ranges.count + 1) {
                ranges.append(start..<index + 1)
                start = index + 1
            }
        }
        ranges.append(start..<snippets.count)
        return ranges
    }

    /// Highlights `snippets` with one worker.
    private static func highlight(
        _ snippets: [CodeSnippet], python: String, timeouts: (start: Duration, reply: Duration)
    ) -> (html: [String?], started: Int, notice: String?) {
        var html = [String?](repeating: nil, count: snippets.count)
        guard !snippets.isEmpty else { return (html, 0, nil) }
        let worker: PygmentsWorker
        do {
            worker = try PygmentsWorker(python: python, snippets: snippets)
        } catch {
            return (
                html, 0, "note: Pygments not found (\(error.reason)); code blocks are not highlighted. \(installHint)"
            )
        }
        defer { worker.stop() }
        var notice: String?
        do {
            let version = try worker.waitUntilReady(timeout: timeouts.start)
            if version != expectedVersion {
                notice =
                    "note: Pygments \(version) found at \(python), \(expectedVersion) expected; highlighting may differ from highlight.css. \(installHint)"
            }
        } catch {
            return (
                html, 1, "note: Pygments not found (\(error.reason)); code blocks are not highlighted. \(installHint)"
            )
        }
        do {
            try worker.receive(into: &html, timeout: timeouts.reply)
        } catch {
            let done = html.count(where: { $0 != nil })
            notice =
                "note: the Pygments worker stopped (\(error.reason)) after \(done) of \(snippets.count) code blocks; the rest are not highlighted."
        }
        return (html, 1, notice)
    }
}

/// Why the worker could not start or went away.
struct WorkerFailure: Error {
    let reason: String
}

/// One Python process running `workerScript`: it is sent every snippet at once by a writer
/// thread (so neither side blocks when both 64 KB pipe buffers fill) while this thread reads the
/// replies, one JSON object a line. Every wait is bounded; `stop()` ends the process for sure.
final class PygmentsWorker {
    private let python: String
    private let process = Process()
    private let input = Pipe()
    private let output = Pipe()
    private let errors = Pipe()
    private let exited = DispatchSemaphore(value: 0)
    private let written = DispatchSemaphore(value: 0)
    private var buffer: [UInt8] = []
    private var bufferStart = 0
    private var errorTail: [UInt8] = []
    private var outputClosed = false
    private var errorsClosed = false
    private var hasExited = false

    /// Starts the process and the thread writing `snippets` to it.
    init(python: String, snippets: [CodeSnippet]) throws(WorkerFailure) {
        self.python = python
        // A write to a worker that has gone must fail with EPIPE, not kill Prensa.
        signal(SIGPIPE, SIG_IGN)
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["-u", "-c", workerScript]
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        let exited = exited
        process.terminationHandler = { _ in exited.signal() }
        do {
            try process.run()
        } catch {
            throw WorkerFailure(reason: "cannot run \(python): \(error.localizedDescription)")
        }
        let payload = Self.requests(snippets)
        let handle = SendableHandle(input.fileHandleForWriting)
        let written = written
        Thread.detachNewThread {
            try? handle.handle.write(contentsOf: payload)
            try? handle.handle.close()
            written.signal()
        }
    }

    /// Waits for the worker's first line; returns the Pygments version it reports.
    func waitUntilReady(timeout: Duration) throws(WorkerFailure) -> String {
        let reply = try nextReply(timeout: timeout, waitingFor: "start")
        if let version = reply.ready { return version }
        throw WorkerFailure(reason: "\(python): \(reply.error ?? "unexpected first reply")")
    }

    /// Reads one reply per snippet, storing each HTML at its index; `timeout` is the longest wait
    /// for one.
    func receive(into html: inout [String?], timeout: Duration) throws(WorkerFailure) {
        for _ in html.indices {
            let reply = try nextReply(timeout: timeout, waitingFor: "a code block")
            guard let id = reply.id, html.indices.contains(id) else {
                throw WorkerFailure(reason: "unexpected reply from \(python)")
            }
            html[id] = reply.html
        }
    }

    /// Ends the worker: it exits by itself once its input is closed; one that does not within a
    /// second is killed.
    func stop() {
        if !waitForExit(timeout: .seconds(1)) {
            kill(process.processIdentifier, SIGKILL)
            _ = waitForExit(timeout: .seconds(5))
        }
        // The writer fails with EPIPE at the latest now that the process is gone.
        _ = written.wait(timeout: .now() + .seconds(5))
    }

    // MARK: - Internals

    private struct Reply: Decodable {
        var id: Int?
        var html: String?
        var ready: String?
        var error: String?
    }

    private struct Request: Encodable {
        let id: Int
        let lang: String
        let code: String
    }

    private static func requests(_ snippets: [CodeSnippet]) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        var data = Data()
        for (id, snippet) in snippets.enumerated() {
            // Encoding strings and integers cannot fail.
            if let line = try? encoder.encode(Request(id: id, lang: snippet.language, code: snippet.code)) {
                data.append(line)
                data.append(UInt8(ascii: "\n"))
            }
        }
        return data
    }

    private func waitForExit(timeout: Duration) -> Bool {
        if hasExited { return true }
        let (seconds, attoseconds) = timeout.components
        let nanoseconds = Int(seconds) * 1_000_000_000 + Int(attoseconds / 1_000_000_000)
        if exited.wait(timeout: .now() + .nanoseconds(nanoseconds)) == .success {
            hasExited = true
        }
        return hasExited
    }

    private func nextReply(timeout: Duration, waitingFor what: String) throws(WorkerFailure) -> Reply {
        let line = try readLine(timeout: timeout, waitingFor: what)
        do {
            return try JSONDecoder().decode(Reply.self, from: Data(line))
        } catch {
            throw WorkerFailure(reason: "\(python) wrote something that is not a reply: \(Self.clip(line))")
        }
    }

    /// The next line of the worker's output, reading its error output on the side (kept for
    /// messages). Throws when the worker exits or says nothing for `timeout`.
    private func readLine(timeout: Duration, waitingFor what: String) throws(WorkerFailure) -> [UInt8] {
        let deadline = ContinuousClock.now + timeout
        let outputFD = output.fileHandleForReading.fileDescriptor
        let errorsFD = errors.fileHandleForReading.fileDescriptor
        var scanned = bufferStart
        while true {
            if let newline = buffer[scanned...].firstIndex(of: UInt8(ascii: "\n")) {
                let line = Array(buffer[bufferStart..<newline])
                bufferStart = newline + 1
                if bufferStart > 1 << 16 && bufferStart * 2 > buffer.count {
                    buffer.removeSubrange(0..<bufferStart)
                    bufferStart = 0
                }
                return line
            }
            scanned = buffer.count
            if outputClosed {
                throw WorkerFailure(reason: "\(python) exited\(exitDescription())")
            }
            let now = ContinuousClock.now
            if now >= deadline {
                kill(process.processIdentifier, SIGKILL)
                throw WorkerFailure(reason: "no answer from \(python) for \(timeout) waiting for \(what)")
            }
            // Wake up now and then to notice an exit whose pipe another process keeps open.
            let slice = min(deadline - now, .milliseconds(200))
            var fds = [pollfd(fd: outputFD, events: Int16(POLLIN), revents: 0)]
            if !errorsClosed { fds.append(pollfd(fd: errorsFD, events: Int16(POLLIN), revents: 0)) }
            let milliseconds = Int32(
                slice.components.seconds * 1000 + slice.components.attoseconds / 1_000_000_000_000_000)
            let ready = poll(&fds, nfds_t(fds.count), max(1, milliseconds))
            if ready < 0 && errno != EINTR {
                throw WorkerFailure(reason: "cannot read from \(python): \(String(cString: strerror(errno)))")
            }
            if ready <= 0 {
                if waitForExit(timeout: .zero) && !hasData(outputFD) { outputClosed = true }
                continue
            }
            if fds.count > 1 && fds[1].revents != 0 { readErrors(errorsFD) }
            if fds[0].revents != 0 {
                var chunk = [UInt8](repeating: 0, count: 1 << 16)
                let count = read(outputFD, &chunk, chunk.count)
                if count > 0 {
                    buffer.append(contentsOf: chunk[0..<count])
                } else if count == 0 {
                    outputClosed = true
                    drainErrors(errorsFD)
                } else if errno != EINTR && errno != EAGAIN {
                    outputClosed = true
                }
            }
        }
    }

    private func hasData(_ fd: Int32) -> Bool {
        var probe = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return poll(&probe, 1, 0) > 0 && probe.revents & Int16(POLLIN) != 0
    }

    private func readErrors(_ fd: Int32) {
        var chunk = [UInt8](repeating: 0, count: 4096)
        let count = read(fd, &chunk, chunk.count)
        if count > 0 {
            errorTail.append(contentsOf: chunk[0..<count])
            if errorTail.count > 2048 { errorTail.removeFirst(errorTail.count - 2048) }
        } else if count == 0 {
            errorsClosed = true
        }
    }

    /// What is left on the error output of a worker that closed its output (bounded).
    private func drainErrors(_ fd: Int32) {
        let deadline = ContinuousClock.now + .milliseconds(500)
        while !errorsClosed && ContinuousClock.now < deadline {
            var probe = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&probe, 1, 100) > 0 else { continue }
            readErrors(fd)
        }
    }

    /// " with status 1: ImportError…" from the exit status and the last line of error output.
    private func exitDescription() -> String {
        var text = ""
        if waitForExit(timeout: .seconds(1)) {
            text += " with status \(process.terminationStatus)"
        }
        let lastLine = String(decoding: errorTail, as: UTF8.self)
            .split(separator: "\n").last.map { String($0).trimmingCharacters(in: .whitespaces) }
        if let lastLine, !lastLine.isEmpty { text += ": \(Self.clip(Array(lastLine.utf8)))" }
        return text
    }

    private static func clip(_ bytes: [UInt8]) -> String {
        let text = String(decoding: bytes.prefix(200), as: UTF8.self)
        return bytes.count > 200 ? text + "…" : text
    }
}

/// A file handle passed to the writer thread, which alone uses it from then on.
private struct SendableHandle: @unchecked Sendable {
    let handle: FileHandle
    init(_ handle: FileHandle) { self.handle = handle }
}

/// The worker, run as `python -u -c workerScript`. First line out: `{"ready": VERSION}`, or
/// `{"error": …}` when Pygments cannot be imported. Then one line in, `{"id","lang","code"}`, gives
/// one line out, `{"id","html"}` (`html` null if Pygments failed on that block). Output is ASCII
/// JSON, whatever the locale.
let workerScript = #"""
    import sys
    if sys.path and sys.path[0] == "":
        del sys.path[0]  # never import from the site's folder
    import json

    def reply(message):
        sys.stdout.buffer.write(json.dumps(message).encode("ascii") + b"\n")

    try:
        import pygments
        from pygments import highlight
        from pygments.formatters import HtmlFormatter
        from pygments.lexers import get_lexer_by_name
        from pygments.lexers.special import TextLexer
        from pygments.util import ClassNotFound
    except ImportError as error:
        reply({"error": str(error)})
        sys.exit(0)

    ALIASES = {
        "console": "console", "shell-session": "console",
        "sh": "bash", "shell": "bash", "bash": "bash",
        "yml": "yaml", "golang": "go",
        "text": "text", "plain": "text", "txt": "text",
    }
    formatter = HtmlFormatter(nowrap=True)
    lexers = {}

    def lexer_for(language):
        name = ALIASES.get(language.lower(), language.lower())
        lexer = lexers.get(name)
        if lexer is None:
            try:
                lexer = get_lexer_by_name(name, stripnl=False, ensurenl=False)
            except ClassNotFound:
                lexer = TextLexer(stripnl=False, ensurenl=False)
            lexers[name] = lexer
        return lexer

    reply({"ready": pygments.__version__})
    for line in sys.stdin.buffer:
        request = json.loads(line)
        try:
            html = highlight(request["code"], lexer_for(request["lang"]), formatter)
        except Exception:
            html = None
        reply({"id": request["id"], "html": html})
    """#

/// Highlighted snippets kept between builds, in one file per Python (and so per Pygments) in the
/// cache folder: records of a key line (`hash<TAB>length`) followed by that many bytes of HTML.
/// New snippets are appended; the file is rewritten with only the snippets in use when it holds
/// more than twice as many. A record that does not parse ends the reading (the rest is redone).
struct HighlightCache {
    let path: String
    private var entries: [UInt64: String] = [:]

    init?(options: HighlightOptions, siteRoot: String) {
        guard let directory = options.cacheDirectory,
            case .found(let python) = PythonLocation.find(
                explicit: options.python, environment: options.environment, siteRoot: siteRoot),
            let identity = executableIdentity(python, path: "")
        else { return nil }
        let namespace = "\(PygmentsBatch.expectedVersion) \(identity) \(pythonPackagesStamp(python))"
        path = directory + "/highlight-" + String(contentHash(Array(namespace.utf8)), radix: 16)
        guard let data = FileManager.default.contents(atPath: path) else { return }
        let bytes = [UInt8](data)
        var offset = 0
        while let newline = bytes[offset...].firstIndex(of: UInt8(ascii: "\n")) {
            let header = String(decoding: bytes[offset..<newline], as: UTF8.self).split(separator: "\t")
            guard header.count == 2, let key = UInt64(header[0], radix: 16), let length = Int(header[1]),
                length >= 0, newline + 1 + length <= bytes.count
            else { break }
            entries[key] = String(decoding: bytes[(newline + 1)..<(newline + 1 + length)], as: UTF8.self)
            offset = newline + 1 + length
        }
    }

    static func key(_ snippet: CodeSnippet) -> UInt64 {
        contentHash(Array((snippet.language + "\u{0}" + snippet.code).utf8))
    }

    func html(for snippet: CodeSnippet) -> String? {
        entries[Self.key(snippet)]
    }

    private static func record(_ key: UInt64, _ html: String) -> [UInt8] {
        Array("\(String(key, radix: 16))\t\(html.utf8.count)\n".utf8) + Array(html.utf8)
    }

    /// Appends `added`; rewrites the file with only the snippets in `used` when it grew too big.
    mutating func save(added: [(CodeSnippet, String)], used: [CodeSnippet]) {
        guard !added.isEmpty else { return }
        for (snippet, html) in added { entries[Self.key(snippet)] = html }
        if entries.count > 2 * used.count + 100 {
            var bytes: [UInt8] = []
            for snippet in used {
                let key = Self.key(snippet)
                if let html = entries[key] { bytes += Self.record(key, html) }
            }
            try? writeFileAtomically(bytes, to: path)
            return
        }
        var bytes: [UInt8] = []
        for (snippet, html) in added { bytes += Self.record(Self.key(snippet), html) }
        if let slash = path.lastIndex(of: "/") { try? StagingDirectory.makeDirectories(path[..<slash]) }
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return }
        defer { close(fd) }
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    }
}
