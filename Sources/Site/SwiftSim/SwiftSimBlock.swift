import Figures
import Foundation
import Markdown

/// Whether `block` is a ```` ```swift sim ```` block: Swift code that draws a figure, never an
/// ordinary code listing (code-block processing such as highlighting must leave it alone; the
/// figure expansion replaces it before).
func isSwiftSimBlock(_ block: FencedBlock) -> Bool {
    block.language == "swift" && block.arguments.first == "sim"
}

/// Whether `block` becomes a numbered figure: ```` ```sim KIND ```` or ```` ```swift sim ````.
func isFigureBlock(_ block: FencedBlock) -> Bool {
    block.language == "sim" || isSwiftSimBlock(block)
}

/// A quick test that `body` may hold a ```` ```swift sim ```` block: a line with a fence, `swift`
/// and `sim`. False means it certainly does not, so the document need not be parsed for it.
func mayContainSwiftSim(_ body: String) -> Bool {
    // A byte scan over line starts: Portuguese prose is full of "sim", so anything slower than
    // this costs every post of every build.
    var body = body
    return body.withUTF8 { bytes in
        let count = bytes.count
        var lineStart = 0
        while lineStart < count {
            var index = lineStart
            while index < count && index - lineStart < 3 && bytes[index] == UInt8(ascii: " ") { index += 1 }
            if index < count, bytes[index] == UInt8(ascii: "`") || bytes[index] == UInt8(ascii: "~") {
                let fence = bytes[index]
                var run = 0
                while index < count && bytes[index] == fence {
                    index += 1
                    run += 1
                }
                while index < count && (bytes[index] == UInt8(ascii: " ") || bytes[index] == UInt8(ascii: "\t")) {
                    index += 1
                }
                if run >= 3, matches("swift", at: index, in: bytes) {
                    index += 5
                    let spaceStart = index
                    while index < count && (bytes[index] == UInt8(ascii: " ") || bytes[index] == UInt8(ascii: "\t")) {
                        index += 1
                    }
                    if index > spaceStart, matches("sim", at: index, in: bytes) { return true }
                }
            }
            while index < count && bytes[index] != UInt8(ascii: "\n") { index += 1 }
            lineStart = index + 1
        }
        return false
    }
}

private func matches(_ word: StaticString, at index: Int, in bytes: UnsafeBufferPointer<UInt8>) -> Bool {
    let length = word.utf8CodeUnitCount
    guard index + length <= bytes.count else { return false }
    let pointer = word.utf8Start
    for offset in 0..<length where bytes[index + offset] != pointer[offset] { return false }
    return true
}

/// One ```` ```swift sim ```` block of an article: its YAML header and its Swift code, placed in
/// its file.
struct SwiftSimBlock: Sendable, Hashable {
    /// The file, as diagnostics show it.
    let file: String
    /// Line and column of the opening fence.
    let line: Int
    let column: Int
    /// Columns the fence is indented by: what cmark-gfm removes at most from each code line.
    var columnOffset: Int { column - 1 }
    /// What it removed from each line of `code` (a line indented less than the fence lost less).
    let codeColumnOffsets: [Int]
    let id: String
    let title: String
    let caption: String?
    let seed: UInt64
    /// The Swift code after the `---` line.
    let code: String
    /// The file line of the code's first line.
    let codeLine: Int
    /// The file line of the `---` between header and code.
    let separatorLine: Int
    /// The file line of the closing fence.
    let closingLine: Int
    /// The whole text between the fences (header, `---` and code).
    let text: String
    /// The id when the header gives none: the figure's position in the article.
    let fallbackID: String

    var location: SourceLocation { SourceLocation(file: file, line: line, column: column) }

    /// The keys a header may have.
    static let headerKeys = ["id", "title", "caption", "seed"]
    /// The seed of the generator handed to a block whose header has no `seed:`.
    static let defaultSeed: UInt64 = 1

    /// Reads a block's header, reporting every mistake in it to `log`; nil when it has any.
    /// `columnOffsets`: the columns before each line of the block in the file
    /// (`Document.contentColumnOffsets(of:)`).
    static func parse(
        _ block: FencedBlock, file: String, figureNumber: Int, columnOffsets: [Int], log: inout DiagnosticLog
    ) -> SwiftSimBlock? {
        let location = SourceLocation(file: file, line: block.line, column: block.column)
        if block.arguments.count > 1 {
            log.error(
                "unexpected '\(block.arguments.dropFirst().joined(separator: " "))' after 'swift sim'; "
                    + "the info string is just 'swift sim'", at: location)
            return nil
        }
        let lines = block.code.split(separator: "\n", omittingEmptySubsequences: false)
        guard let separator = lines.firstIndex(where: { String($0).trimmingWhitespace == "---" }) else {
            log.error(
                "a swift sim block starts with a YAML header (id, title, caption), then a line '---', then the "
                    + "Swift code that returns the figure", at: location)
            return nil
        }
        let header = lines[..<separator].joined(separator: "\n") + "\n"
        var code = lines[(separator + 1)...].joined(separator: "\n")
        if !code.hasSuffix("\n") { code += "\n" }
        var fields = YAMLFields(
            yaml: header, file: file, lineOffset: block.line, columnOffset: block.column - 1,
            lineColumnOffsets: Array(columnOffsets.prefix(separator)), what: "the swift sim block",
            knownKeys: headerKeys)
        guard fields.parsed else {
            log.append(contentsOf: fields.log)
            return nil
        }
        let fallbackID = String(figureNumber)
        let (title, caption, id) = FigureEngine.readHeader(&fields, fallbackID: fallbackID)
        let seed = fields.uint64("seed") ?? defaultSeed
        let separatorLine = block.codeLine + separator
        if code.trimmingWhitespace.isEmpty {
            fields.error(
                "the swift sim block has no code after '---': write Swift that returns a Figure",
                at: SourceLocation(file: file, line: separatorLine, column: block.column))
        }
        log.append(contentsOf: fields.log)
        guard let title, !fields.log.hasErrors else { return nil }
        let codeLines = block.code.reduce(0) { $1 == "\n" ? $0 + 1 : $0 }
        return SwiftSimBlock(
            file: file, line: block.line, column: block.column,
            codeColumnOffsets: Array(columnOffsets.dropFirst(separator + 1)), id: id, title: title, caption: caption,
            seed: seed, code: code, codeLine: separatorLine + 1,
            separatorLine: separatorLine, closingLine: block.codeLine + codeLines, text: block.code,
            fallbackID: fallbackID)
    }

    /// The key of this block's result in the cache: its text, its position's fallback id, the
    /// block machinery's version, Prensa's sources and the Swift toolchain.
    func cacheKey(_ environment: SwiftSimEnvironment) -> String {
        stableHash(
            "swift-sim\u{0}\(SwiftSim.version)\u{0}\(environment.prensaVersion)\u{0}\(environment.swiftVersion)"
                + "\u{0}\(fallbackID)\u{0}\(text)")
    }
}

/// The ```` ```swift sim ```` blocks of one document, in order, with the diagnostics of their
/// headers.
func swiftSimBlocks(in document: Document, file: String, log: inout DiagnosticLog) -> [SwiftSimBlock] {
    var blocks: [SwiftSimBlock] = []
    for (index, block) in document.fencedBlocks().filter(isFigureBlock).enumerated() where isSwiftSimBlock(block) {
        if let parsed = SwiftSimBlock.parse(
            block, file: file, figureNumber: index + 1, columnOffsets: document.contentColumnOffsets(of: block),
            log: &log)
        {
            blocks.append(parsed)
        }
    }
    return blocks
}

/// What a block's figure depends on besides its text.
struct SwiftSimEnvironment: Sendable, Hashable {
    /// Prensa's source tree.
    let prensaRoot: String
    /// A hash of the sources of the products blocks use.
    let prensaVersion: String
    /// `swift --version`, as printed.
    let swiftVersion: String
    /// The `swift` command.
    let swift: String

    /// Finds Prensa's source tree and asks the toolchain its version; a message when either fails.
    static func detect(
        environment: [String: String] = ProcessInfo.processInfo.environment, cacheFile: String? = nil
    ) -> Result<SwiftSimEnvironment, SubprocessError> {
        let root: String
        switch PrensaSourceTree.locate(environment: environment) {
        case .success(let found): root = found
        case .failure(let error): return .failure(error)
        }
        let swift = environment["PRENSA_SWIFT"].flatMap { $0.isEmpty ? nil : $0 } ?? "swift"
        let identity = executableIdentity(swift, path: environment["PATH"] ?? "/usr/bin:/bin")
        let version = cachedToolAnswer(identity: identity ?? "", cacheFile: identity == nil ? nil : cacheFile) {
            switch runSubprocess(swift, ["--version"], timeout: 60) {
            case .failure(let error):
                return .failure(
                    SubprocessError(message: "swift sim blocks need the Swift toolchain: \(error.message)"))
            case .success(let result) where !result.succeeded:
                return .failure(
                    SubprocessError(message: "'\(swift) --version' failed: \(result.stderrText.trimmingWhitespace)"))
            case .success(let result):
                return .success(result.stdoutText.trimmingWhitespace)
            }
        }
        switch version {
        case .failure(let error): return .failure(error)
        case .success(let version):
            return .success(
                SwiftSimEnvironment(
                    prensaRoot: root, prensaVersion: PrensaSourceTree.sourceHash(root: root),
                    swiftVersion: version, swift: swift))
        }
    }
}
