/// A parsed Mustache template: variables (`{{name}}` escaped, `{{{name}}}` and `{{&name}}` raw),
/// sections (`{{#name}}…{{/name}}`), inverted sections (`{{^name}}`), comments (`{{! … }}`),
/// partials (`{{>name}}`), inheritance (`{{<parent}}{{$block}}…{{/block}}{{/parent}}`) and
/// set-delimiter tags (`{{=<% %>=}}`), with the spec's standalone-line rules.
///
/// Lambdas, transforms (`{{f(x)}}`), dynamic names (`{{>*x}}`) and pragmas (`{{%…}}`) are not
/// supported and are syntax errors: templates cannot call code.
public struct Template: Sendable {
    let nodes: [Node]
    /// `{{>name}}` and `{{<name}}` tags, in order, with where they are.
    public let references: [(name: String, line: Int, column: Int)]

    /// Parses `source`; throws the first syntax error with its line and column (1-based).
    public init(_ source: String) throws(TemplateSyntaxError) {
        var parser = TemplateParser(Array(source.utf8))
        nodes = try parser.parse()
        references = parser.references
    }
}

/// A template syntax error at a line and column (in characters), both 1-based.
public struct TemplateSyntaxError: Error, Equatable, CustomStringConvertible {
    public let line: Int
    public let column: Int
    public let message: String
    public var description: String { "\(line):\(column): \(message)" }
}

indirect enum Node: Sendable {
    case text([UInt8])
    /// `path` empty means `{{.}}`; `anchored` (`{{.name}}`) looks only at the innermost value.
    case variable(path: [String], anchored: Bool, escaped: Bool)
    case section(path: [String], anchored: Bool, inverted: Bool, children: [Node])
    case partial(name: String, indentation: [UInt8]?)
    case parent(name: String, indentation: [UInt8], blocks: [String: [Node]])
    case block(name: String, indentation: [UInt8], children: [Node])
}

// MARK: - Parsing

private struct Lexeme {
    enum Kind {
        case text, variable, unescaped, section, inverted, close, comment, partial, parent, block, delimiters
        /// Tags the spec lets stand alone on a line, which then disappears from the output.
        var canStandAlone: Bool {
            switch self {
            case .section, .inverted, .close, .comment, .partial, .parent, .block, .delimiters: true
            case .text, .variable, .unescaped: false
            }
        }
    }
    var kind: Kind
    /// The tag's name, or the text's bytes range for text.
    var name: String
    var start: Int
    var end: Int
    /// For standalone partials, parents and blocks: the whitespace that opened their line.
    var indentation: [UInt8]? = nil
}

struct TemplateParser {
    private let bytes: [UInt8]
    private(set) var references: [(name: String, line: Int, column: Int)] = []

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    mutating func parse() throws(TemplateSyntaxError) -> [Node] {
        var lexemes = try lex()
        markStandalone(&lexemes)
        var index = 0
        let nodes = try build(lexemes, &index, closing: nil)
        return nodes
    }

    // MARK: Lexing

    private func error(at offset: Int, _ message: String) -> TemplateSyntaxError {
        var line = 1
        var lineStart = 0
        for index in 0..<min(offset, bytes.count) where bytes[index] == UInt8(ascii: "\n") {
            line += 1
            lineStart = index + 1
        }
        let column = String(decoding: bytes[lineStart..<min(offset, bytes.count)], as: UTF8.self).count + 1
        return TemplateSyntaxError(line: line, column: column, message: message)
    }

    private func matches(_ pattern: [UInt8], at offset: Int) -> Bool {
        guard offset + pattern.count <= bytes.count else { return false }
        for index in pattern.indices where bytes[offset + index] != pattern[index] { return false }
        return true
    }

    private func find(_ pattern: [UInt8], from offset: Int) -> Int? {
        var index = offset
        while index + pattern.count <= bytes.count {
            if bytes[index] == pattern[0] && matches(pattern, at: index) { return index }
            index += 1
        }
        return nil
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }

    private func trimmed(_ start: Int, _ end: Int) -> String {
        var low = start
        var high = end
        while low < high && Self.isSpace(bytes[low]) { low += 1 }
        while high > low && Self.isSpace(bytes[high - 1]) { high -= 1 }
        return String(decoding: bytes[low..<high], as: UTF8.self)
    }

    private func lex() throws(TemplateSyntaxError) -> [Lexeme] {
        var open = Array("{{".utf8)
        var close = Array("}}".utf8)
        var lexemes: [Lexeme] = []
        var offset = 0
        while offset < bytes.count {
            guard let tagStart = find(open, from: offset) else {
                lexemes.append(Lexeme(kind: .text, name: "", start: offset, end: bytes.count))
                break
            }
            if tagStart > offset { lexemes.append(Lexeme(kind: .text, name: "", start: offset, end: tagStart)) }
            var contentStart = tagStart + open.count
            let sigil = contentStart < bytes.count ? bytes[contentStart] : 0
            var kind = Lexeme.Kind.variable
            var closing = close
            switch sigil {
            case UInt8(ascii: "#"): kind = .section
            case UInt8(ascii: "^"): kind = .inverted
            case UInt8(ascii: "/"): kind = .close
            case UInt8(ascii: "!"): kind = .comment
            case UInt8(ascii: ">"): kind = .partial
            case UInt8(ascii: "<"): kind = .parent
            case UInt8(ascii: "$"): kind = .block
            case UInt8(ascii: "&"): kind = .unescaped
            case UInt8(ascii: "="): kind = .delimiters
            case UInt8(ascii: "{") where open == Array("{{".utf8):
                kind = .unescaped
                closing = Array("}".utf8) + close
            case UInt8(ascii: "%"):
                throw error(at: tagStart, "{{% … }} settings are not supported")
            default: contentStart -= 1
            }
            contentStart += 1
            guard let contentEnd = find(closing, from: contentStart) else {
                throw error(at: tagStart, "unfinished tag: no closing \(String(decoding: close, as: UTF8.self))")
            }
            let end = contentEnd + closing.count
            if kind == .delimiters {
                guard contentEnd > contentStart, bytes[contentEnd - 1] == UInt8(ascii: "=") else {
                    throw error(at: tagStart, "invalid set-delimiter tag")
                }
                let parts = trimmed(contentStart, contentEnd - 1).split(whereSeparator: { $0 == " " || $0 == "\t" })
                guard parts.count == 2, !parts[0].contains("="), !parts[1].contains("=") else {
                    throw error(at: tagStart, "invalid set-delimiter tag")
                }
                open = Array(parts[0].utf8)
                close = Array(parts[1].utf8)
                lexemes.append(Lexeme(kind: .delimiters, name: "", start: tagStart, end: end))
                offset = end
                continue
            }
            let name = kind == .comment ? "" : trimmed(contentStart, contentEnd)
            if kind != .comment {
                if name.isEmpty { throw error(at: tagStart, "a tag needs a name") }
                if name.contains(where: { $0 == "(" || $0 == ")" }) {
                    throw error(at: tagStart, "transforms such as '\(name)' are not supported")
                }
                if name.hasPrefix("*") {
                    throw error(at: tagStart, "dynamic names such as '\(name)' are not supported")
                }
                if name.contains(where: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "{" || $0 == "}" }) {
                    throw error(at: tagStart, "invalid tag name '\(name)'")
                }
            }
            lexemes.append(Lexeme(kind: kind, name: name, start: tagStart, end: end))
            offset = end
        }
        return lexemes
    }

    // MARK: Standalone lines

    /// A tag alone on its line (with only spaces or tabs around it) takes the whole line with it.
    private func markStandalone(_ lexemes: inout [Lexeme]) {
        // Decide on the original text first, then trim, so that neighbouring lines do not interfere.
        var standalone: [(index: Int, indentation: [UInt8])] = []
        for index in lexemes.indices where lexemes[index].kind.canStandAlone {
            // Before: start of the template, or a text whose last line is only whitespace and which
            // either holds a newline or is the first lexeme.
            var indentation: [UInt8] = []
            if index > 0 {
                let previous = lexemes[index - 1]
                guard previous.kind == .text else { continue }
                var cut = previous.end
                while cut > previous.start && (bytes[cut - 1] == 0x20 || bytes[cut - 1] == 0x09) { cut -= 1 }
                let atLineStart = cut == previous.start ? index - 1 == 0 : bytes[cut - 1] == 0x0A
                guard atLineStart else { continue }
                indentation = Array(bytes[cut..<previous.end])
            }
            // After: the end of the template, or whitespace up to a newline.
            if index + 1 < lexemes.count {
                let next = lexemes[index + 1]
                guard next.kind == .text else { continue }
                var cursor = next.start
                while cursor < next.end && (bytes[cursor] == 0x20 || bytes[cursor] == 0x09) { cursor += 1 }
                let ends =
                    cursor == next.end
                    ? index + 2 == lexemes.count
                    : bytes[cursor] == 0x0A
                        || (bytes[cursor] == 0x0D && cursor + 1 < next.end && bytes[cursor + 1] == 0x0A)
                guard ends else { continue }
            }
            standalone.append((index, indentation))
        }
        for (index, indentation) in standalone {
            lexemes[index].indentation = indentation
            if index > 0 { lexemes[index - 1].end -= indentation.count }
            if index + 1 < lexemes.count {
                var cursor = lexemes[index + 1].start
                while cursor < lexemes[index + 1].end && bytes[cursor] != 0x0A { cursor += 1 }
                lexemes[index + 1].start = min(cursor + 1, lexemes[index + 1].end)
            }
        }
    }

    // MARK: Tree

    private func path(_ name: String) -> (path: [String], anchored: Bool) {
        if name == "." { return ([], false) }
        let anchored = name.hasPrefix(".")
        return (name.split(separator: ".").map(String.init), anchored)
    }

    private mutating func build(
        _ lexemes: [Lexeme], _ index: inout Int, closing: (name: String, start: Int)?
    ) throws(TemplateSyntaxError) -> [Node] {
        var nodes: [Node] = []
        while index < lexemes.count {
            let lexeme = lexemes[index]
            index += 1
            switch lexeme.kind {
            case .text:
                // One node per line, so that an indented partial can indent each of its lines.
                var lineStart = lexeme.start
                for index in lexeme.start..<lexeme.end where bytes[index] == UInt8(ascii: "\n") {
                    nodes.append(.text(Array(bytes[lineStart...index])))
                    lineStart = index + 1
                }
                if lexeme.end > lineStart { nodes.append(.text(Array(bytes[lineStart..<lexeme.end]))) }
            case .comment, .delimiters:
                break
            case .variable, .unescaped:
                let (path, anchored) = path(lexeme.name)
                nodes.append(.variable(path: path, anchored: anchored, escaped: lexeme.kind == .variable))
            case .section, .inverted:
                let children = try build(lexemes, &index, closing: (lexeme.name, lexeme.start))
                let (path, anchored) = path(lexeme.name)
                nodes.append(
                    .section(path: path, anchored: anchored, inverted: lexeme.kind == .inverted, children: children))
            case .block:
                emitIndentation(lexeme, into: &nodes)
                let children = try build(lexemes, &index, closing: (lexeme.name, lexeme.start))
                nodes.append(.block(name: lexeme.name, indentation: lexeme.indentation ?? [], children: children))
            case .partial:
                emitIndentation(lexeme, into: &nodes)
                noteReference(lexeme)
                nodes.append(.partial(name: lexeme.name, indentation: lexeme.indentation))
            case .parent:
                emitIndentation(lexeme, into: &nodes)
                noteReference(lexeme)
                let children = try build(lexemes, &index, closing: (lexeme.name, lexeme.start))
                var blocks: [String: [Node]] = [:]
                for child in children {
                    switch child {
                    case .block(let name, _, let body): blocks[name] = body
                    case .text(let text) where text.allSatisfy(Self.isSpace): break
                    default:
                        throw error(
                            at: lexeme.start, "only {{$block}} tags may appear inside {{<\(lexeme.name)}}")
                    }
                }
                nodes.append(.parent(name: lexeme.name, indentation: lexeme.indentation ?? [], blocks: blocks))
            case .close:
                guard let closing else {
                    throw error(at: lexeme.start, "{{/\(lexeme.name)}} closes a section that was never opened")
                }
                guard closing.name == lexeme.name else {
                    throw error(at: lexeme.start, "{{/\(lexeme.name)}} does not match the open {{#\(closing.name)}}")
                }
                return nodes
            }
        }
        if let closing {
            throw error(at: closing.start, "section '\(closing.name)' is never closed")
        }
        return nodes
    }

    /// A standalone partial, parent or block keeps its line's indentation in front of its first
    /// line (later lines get it from the renderer).
    private func emitIndentation(_ lexeme: Lexeme, into nodes: inout [Node]) {
        if let indentation = lexeme.indentation, !indentation.isEmpty { nodes.append(.text(indentation)) }
    }

    private mutating func noteReference(_ lexeme: Lexeme) {
        let position = error(at: lexeme.start, "")
        references.append((lexeme.name, position.line, position.column))
    }
}
