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
        guard let data = FileManager.default.contents(atPath: path) else {
            return .failure(Diagnostic(file: displayPath, message: "cannot read file"))
        }
        return decode(Array(data), displayPath: displayPath)
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
        guard text.utf8.contains(UInt8(ascii: "\r")) else { return text }
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
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)[...]
        guard let first = lines.first, isDelimiter(first) else {
            return .failure(
                Diagnostic(
                    file: source.displayPath, line: 1, column: 1,
                    message:
                        "missing front matter: start the file with a '---' line, then 'title:', 'date:' and 'description:', then '---'"
                ))
        }
        lines = lines.dropFirst()
        var yamlLines: [Substring] = []
        var closingLine = 0
        var lineNumber = 1
        for line in lines {
            lineNumber += 1
            if isDelimiter(line) {
                closingLine = lineNumber
                break
            }
            yamlLines.append(line)
        }
        guard closingLine > 0 else {
            return .failure(
                Diagnostic(
                    file: source.displayPath, line: 1, column: 1,
                    message: "front matter is never closed: add a '---' line after its last key"))
        }
        let bodyLines = text.split(separator: "\n", omittingEmptySubsequences: false).dropFirst(closingLine)
        return .success(
            SplitSource(
                frontMatter: yamlLines.joined(separator: "\n"),
                frontMatterLineOffset: 1,
                body: bodyLines.joined(separator: "\n"),
                bodyLineOffset: closingLine))
    }

    private static func isDelimiter(_ line: Substring) -> Bool {
        var trimmed = line
        while let last = trimmed.last, last == " " || last == "\t" { trimmed = trimmed.dropLast() }
        return trimmed == "---"
    }
}
