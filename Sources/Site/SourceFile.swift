import Foundation

/// A text file of the site, decoded and normalized: no byte-order mark, `\n` line endings.
struct SourceFile: Sendable {
    /// The path shown in diagnostics.
    let displayPath: String
    let text: String

    /// Reads `path` as UTF-8. Invalid UTF-8 is reported at the line and column of the first bad
    /// byte; a BOM is dropped and CRLF (or lone CR) line endings become LF, so line numbers
    /// stay those an editor shows.
    static func read(path: String, displayPath: String) -> Result<SourceFile, Diagnostic> {
        guard let bytes = readRegularFile(path) else {
            return .failure(Diagnostic(file: displayPath, message: "cannot read file"))
        }
        return decode(bytes, displayPath: displayPath)
    }

    static func decode(_ bytes: [UInt8], displayPath: String) -> Result<SourceFile, Diagnostic> {
        var bytes = bytes[...]
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
        if let text = String(validating: bytes, as: UTF8.self) {
            return .success(SourceFile(displayPath: displayPath, text: normalizeNewlines(text)))
        }
        let (line, column) = firstInvalidUTF8(in: bytes)
        return .failure(
            Diagnostic(
                file: displayPath, line: line, column: column,
                message: "file is not valid UTF-8; save it as UTF-8"))
    }

    /// Line and column (in characters) of the first byte that is not part of valid UTF-8.
    private static func firstInvalidUTF8(in bytes: ArraySlice<UInt8>) -> (Int, Int) {
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        var line = 1
        var column = 1
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar):
                if scalar == "\n" {
                    line += 1
                    column = 1
                } else {
                    column += 1
                }
            case .emptyInput:
                return (line, column)
            case .error:
                return (line, column)
            }
        }
    }

    private static func normalizeNewlines(_ text: String) -> String {
        var text = text
        let hasCR = text.withUTF8 { bytes in bytes.baseAddress.map { memchr($0, 0x0D, bytes.count) != nil } ?? false }
        guard hasCR else { return text }
        var output: [UInt8] = []
        output.reserveCapacity(text.utf8.count)
        var previousWasCR = false
        for byte in text.utf8 {
            if byte == UInt8(ascii: "\r") {
                output.append(UInt8(ascii: "\n"))
                previousWasCR = true
                continue
            }
            if byte == UInt8(ascii: "\n") && previousWasCR {
                previousWasCR = false
                continue
            }
            previousWasCR = false
            output.append(byte)
        }
        return String(decoding: output, as: UTF8.self)
    }
}

/// A Markdown file split into its YAML front matter and its body.
struct SplitSource: Sendable {
    /// The YAML between the `---` lines, without them.
    let frontMatter: String
    /// Lines in the file before the YAML (the opening `---`): YAML line 1 is file line 2.
    let frontMatterLineOffset: Int
    let body: String
    /// Lines in the file before the body.
    let bodyLineOffset: Int

    /// Splits `source`, or explains what is wrong with its front matter delimiters.
    static func split(_ source: SourceFile) -> Result<SplitSource, Diagnostic> {
        let text = source.text
        let utf8 = text.utf8
        var lineStart = utf8.startIndex
        var lineNumber = 0
        var yamlStart = utf8.startIndex
        while lineStart < utf8.endIndex {
            let lineEnd = utf8[lineStart...].firstIndex(of: UInt8(ascii: "\n")) ?? utf8.endIndex
            let next = lineEnd == utf8.endIndex ? lineEnd : utf8.index(after: lineEnd)
            lineNumber += 1
            let isDelimiterLine = isDelimiter(utf8[lineStart..<lineEnd])
            if lineNumber == 1 {
                guard isDelimiterLine else { break }
                yamlStart = next
            } else if isDelimiterLine {
                let yamlEnd = yamlStart < lineStart ? utf8.index(before: lineStart) : yamlStart
                return .success(
                    SplitSource(
                        frontMatter: String(text[yamlStart..<yamlEnd]),
                        frontMatterLineOffset: 1,
                        body: String(text[next...]),
                        bodyLineOffset: lineNumber))
            }
            lineStart = next
        }
        if lineNumber >= 1 && yamlStart > utf8.startIndex {
            return .failure(
                Diagnostic(
                    file: source.displayPath, line: 1, column: 1,
                    message: "front matter is never closed: add a '---' line after its last key"))
        }
        return .failure(
            Diagnostic(
                file: source.displayPath, line: 1, column: 1,
                message:
                    "missing front matter: start the file with a '---' line, then 'title:', 'date:' and 'description:', then '---'"
            ))
    }

    /// `---`, possibly followed by spaces or tabs.
    private static func isDelimiter(_ line: Substring.UTF8View) -> Bool {
        guard line.starts(with: "---".utf8) else { return false }
        return line.dropFirst(3).allSatisfy { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
    }
}
