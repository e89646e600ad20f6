import Yams

/// Reads a YAML mapping (front matter, `site.yml`, a figure's spec) into typed fields, reporting
/// every problem at its `file:line:col`: syntax errors, unknown keys (with the closest known key),
/// wrong types, values out of range and missing required keys. Each accessor reports its own
/// errors in `log` and returns nil when the value is unusable.
public struct YAMLFields {
    public let file: String
    /// Lines of the file before the YAML text.
    public let lineOffset: Int
    /// Columns before the YAML text on each of its lines (an indented fenced block).
    public let columnOffset: Int
    /// The same line by line, when lines differ (a fenced block's lines lose at most the fence's
    /// indentation, so a line indented less lost less): entry i for line i + 1 of the text;
    /// lines past the end use `columnOffset`.
    public let lineColumnOffsets: [Int]
    /// What the mapping is, in messages: "front matter", "site.yml", "the 'io' mapping".
    public let what: String
    public private(set) var log = DiagnosticLog()
    /// False when the YAML could not be parsed into a mapping (already reported).
    public private(set) var parsed = false
    private var values: [String: Node] = [:]
    private var keyLocations: [String: SourceLocation] = [:]
    /// Where libyaml's lines start in the text, when it breaks lines the file does not (see `yamlLineStarts`).
    private var yamlLines: [(line: Int, column: Int)]?
    /// The length of each line of the text (see `textLineLengths`), to keep places inside it.
    private var lineLengths: [Int] = [0]
    /// Where the mapping starts (its first key once read); missing keys are reported here.
    public private(set) var start: SourceLocation

    /// Plain scalars are told apart only as booleans and nulls (the only tags read here): each
    /// rule is a regular expression run on every scalar, and Yams's default has seven.
    private static let resolver = Resolver.basic.appending(.bool).appending(.null)

    /// Parses `yaml` as one mapping whose keys must be among `knownKeys`.
    public init(
        yaml: String, file: String, lineOffset: Int, columnOffset: Int = 0, lineColumnOffsets: [Int] = [],
        what: String, knownKeys: [String]
    ) {
        self.file = file
        self.lineOffset = lineOffset
        self.columnOffset = columnOffset
        self.lineColumnOffsets = lineColumnOffsets
        self.what = what
        // The text's first line, where it starts in the file (it may be empty or indented less).
        self.start = SourceLocation(
            file: file, line: lineOffset + 1, column: Self.fileColumn(1, line: 1, columnOffset, lineColumnOffsets))
        self.yamlLines = yamlLineStarts(yaml)
        self.lineLengths = textLineLengths(yaml)
        if let excess = YAMLLimits.firstExcess(in: yaml) {
            log.error(
                excess.message,
                at: SourceLocation(
                    file: file, line: excess.line + lineOffset,
                    column: Self.fileColumn(excess.column, line: excess.line, columnOffset, lineColumnOffsets)))
            return
        }
        let node: Node?
        do {
            // The encoding given: Yams's default reads the whole environment on every parse.
            node = try Yams.compose(yaml: yaml, YAMLFields.resolver, .default, .utf8)
        } catch let error as YamlError {
            log.append(
                Self.diagnostic(
                    for: error, file: file, lineOffset: lineOffset, columnOffset: columnOffset,
                    lineColumnOffsets: lineColumnOffsets, yaml: yaml))
            return
        } catch {
            log.error("\(what) could not be read: \(error)", at: start)
            return
        }
        guard let node else {
            log.error("\(what) is empty", at: start)
            return
        }
        read(node, knownKeys: knownKeys)
    }

    /// Reads `node`, a value inside a mapping read by `parent`, as a mapping of its own.
    init(node: Node, parent: YAMLFields, what: String, knownKeys: [String]) {
        file = parent.file
        lineOffset = parent.lineOffset
        columnOffset = parent.columnOffset
        lineColumnOffsets = parent.lineColumnOffsets
        self.what = what
        start = parent.location(of: node)
        yamlLines = parent.yamlLines
        lineLengths = parent.lineLengths
        read(node, knownKeys: knownKeys)
    }

    private mutating func read(_ node: Node, knownKeys: [String]) {
        guard case .mapping(let mapping) = node else {
            log.error("\(what) must be a mapping of 'key: value' lines", at: location(of: node))
            return
        }
        parsed = true
        // Blank lines or comments may come before the first key.
        if node.mark != nil { start = location(of: node) }
        for (keyNode, value) in mapping {
            let keyLocation = location(of: keyNode)
            guard case .scalar(let keyScalar) = keyNode else {
                log.error("keys in \(what) must be plain words", at: keyLocation)
                continue
            }
            let key = keyScalar.string
            guard knownKeys.contains(key) else {
                var message = "unknown key '\(key)' in \(what)"
                if let suggestion = closestMatch(to: key, in: knownKeys) {
                    message += "; did you mean '\(suggestion)'?"
                } else {
                    message += "; known keys: " + knownKeys.joined(separator: ", ")
                }
                log.error(message, at: keyLocation)
                continue
            }
            values[key] = value
            keyLocations[key] = keyLocation
        }
    }

    public func has(_ key: String) -> Bool { values[key] != nil }

    /// The raw value of `key`, for callers that read a structure of their own.
    public func node(_ key: String) -> Node? { values[key] }

    /// Where `key`'s value starts, or the key itself when the value is empty.
    public func location(of key: String) -> SourceLocation {
        if let node = values[key], node.mark != nil, !isNull(node) {
            return location(of: node)
        }
        return keyLocations[key] ?? start
    }

    public func location(of node: Node) -> SourceLocation {
        guard let mark = node.mark else { return start }
        var (line, column) = fileLineAndColumn(line: mark.line, column: mark.column, yamlLines: yamlLines)
        // libyaml puts an empty value at the end of the stream, which can be past the text.
        (line, column) = clampToText(line: line, column: column, lineLengths: lineLengths)
        return SourceLocation(
            file: file, line: line + lineOffset,
            column: Self.fileColumn(column, line: line, columnOffset, lineColumnOffsets))
    }

    /// The file's column of `column` on line `line` (both 1-based) of the text. A line's offset is
    /// negative when a tab partly removed as indentation left spaces wider than itself; the spaces
    /// then fall on the tab or before it, never before the line.
    private static func fileColumn(_ column: Int, line: Int, _ columnOffset: Int, _ lineColumnOffsets: [Int]) -> Int {
        let offset = line >= 1 && line <= lineColumnOffsets.count ? lineColumnOffsets[line - 1] : columnOffset
        return max(1, column + offset)
    }

    // MARK: - Typed accessors (each reports its own errors and returns nil on error)

    public mutating func requireMissing(_ keys: [String]) {
        for key in keys where parsed && values[key] == nil {
            log.error("missing required key '\(key)' in \(what)", at: start)
        }
    }

    /// A non-empty string. Any scalar counts (`title: 2024` is the text "2024").
    public mutating func string(_ key: String) -> String? {
        guard let node = values[key] else { return nil }
        guard case .scalar(let scalar) = node, !isNull(node) else {
            log.error("'\(key)' must be text, not \(kind(of: node))", at: location(of: key))
            return nil
        }
        let text = scalar.string.trimmingWhitespace
        guard !text.isEmpty else {
            log.error("'\(key)' must not be empty", at: location(of: key))
            return nil
        }
        return text
    }

    public mutating func bool(_ key: String) -> Bool? {
        guard let node = values[key] else { return nil }
        if case .scalar(let scalar) = node, node.tag.rawValue == Yams.Tag.Name.bool.rawValue,
            let value = Bool.construct(from: scalar)
        {
            return value
        }
        log.error("'\(key)' must be true or false", at: location(of: key))
        return nil
    }

    public mutating func integer(_ key: String, in range: ClosedRange<Int>) -> Int? {
        guard let node = values[key] else { return nil }
        return integer(node, named: "'\(key)'", in: range)
    }

    public mutating func double(_ key: String, in range: ClosedRange<Double>) -> Double? {
        guard let node = values[key] else { return nil }
        return double(node, named: "'\(key)'", in: range)
    }

    /// An unsigned 64-bit number written in decimal or hexadecimal (`0x…`), `_` allowed between
    /// digits: addresses and page-table entries, many of which exceed Int64.
    public mutating func uint64(_ key: String) -> UInt64? {
        guard let node = values[key] else { return nil }
        return uint64(node, named: "'\(key)'")
    }

    /// A list of non-empty strings, each with its location.
    public mutating func stringList(_ key: String) -> [(String, SourceLocation)]? {
        guard let items = list(key) else { return nil }
        var strings: [(String, SourceLocation)] = []
        for item in items {
            guard case .scalar(let scalar) = item, !isNull(item), !scalar.string.trimmingWhitespace.isEmpty else {
                log.error("each item of '\(key)' must be non-empty text", at: location(of: item))
                continue
            }
            strings.append((scalar.string.trimmingWhitespace, location(of: item)))
        }
        return strings
    }

    public mutating func integerList(_ key: String, in range: ClosedRange<Int>, maxCount: Int = 100_000) -> [Int]? {
        guard let items = list(key, maxCount: maxCount) else { return nil }
        let values = items.map { integer($0, named: "each item of '\(key)'", in: range) }
        return values.contains(where: { $0 == nil }) ? nil : values.map { $0! }
    }

    public mutating func doubleList(_ key: String, in range: ClosedRange<Double>, maxCount: Int = 100_000)
        -> [Double]?
    {
        guard let items = list(key, maxCount: maxCount) else { return nil }
        let values = items.map { double($0, named: "each item of '\(key)'", in: range) }
        return values.contains(where: { $0 == nil }) ? nil : values.map { $0! }
    }

    public mutating func uint64List(_ key: String, maxCount: Int = 100_000) -> [UInt64]? {
        guard let items = list(key, maxCount: maxCount) else { return nil }
        let values = items.map { uint64($0, named: "each item of '\(key)'") }
        return values.contains(where: { $0 == nil }) ? nil : values.map { $0! }
    }

    /// The items of a list (an empty value is an empty list). More than `maxCount` is an error.
    public mutating func list(_ key: String, maxCount: Int = 100_000) -> [Node]? {
        guard let node = values[key] else { return nil }
        if isNull(node) { return [] }
        guard case .sequence(let sequence) = node else {
            let example = node.scalar.map { "[\($0.string)]" } ?? "[a, b]"
            log.error("'\(key)' must be a list, e.g. \(key): \(example)", at: location(of: key))
            return nil
        }
        guard sequence.count <= maxCount else {
            log.error(
                "'\(key)' has \(sequence.count) items; at most \(maxCount) are allowed", at: location(of: key))
            return nil
        }
        return Array(sequence)
    }

    /// The value of `key` read as a nested mapping. Its own problems go to its log: `absorb` it.
    public mutating func mapping(_ key: String, knownKeys: [String]) -> YAMLFields? {
        guard let node = values[key] else { return nil }
        return YAMLFields(node: node, parent: self, what: "'\(key)'", knownKeys: knownKeys)
    }

    /// A list of mappings (`jobs: [{name: A, length: 5}, ...]`), each read with `knownKeys`.
    /// Their problems go to their own logs: `absorb` each.
    public mutating func mappingList(_ key: String, knownKeys: [String], maxCount: Int = 100_000) -> [YAMLFields]? {
        guard let items = list(key, maxCount: maxCount) else { return nil }
        return items.enumerated().map { index, item in
            YAMLFields(node: item, parent: self, what: "item \(index + 1) of '\(key)'", knownKeys: knownKeys)
        }
    }

    /// A mapping from numbers to numbers (`entries: {0x1000: 0x2003}`), in document order.
    public mutating func uint64Map(_ key: String, maxCount: Int = 100_000) -> [(UInt64, UInt64)]? {
        guard let node = values[key] else { return nil }
        if isNull(node) { return [] }
        guard case .mapping(let mapping) = node else {
            log.error("'\(key)' must be a mapping of numbers, e.g. \(key): {0x1000: 0x2003}", at: location(of: key))
            return nil
        }
        guard mapping.count <= maxCount else {
            log.error("'\(key)' has \(mapping.count) items; at most \(maxCount) are allowed", at: location(of: key))
            return nil
        }
        var pairs: [(UInt64, UInt64)] = []
        var failed = false
        for (keyNode, value) in mapping {
            guard let address = uint64(keyNode, named: "each key of '\(key)'"),
                let entry = uint64(value, named: "each value of '\(key)'")
            else {
                failed = true
                continue
            }
            pairs.append((address, entry))
        }
        return failed ? nil : pairs
    }

    /// Adds the problems a nested reader found to this one's.
    public mutating func absorb(_ other: YAMLFields) {
        log.append(contentsOf: other.log)
    }

    public mutating func error(_ message: String, at location: SourceLocation) {
        log.error(message, at: location)
    }

    /// Reports `message` at `key`'s value.
    public mutating func error(_ message: String, atKey key: String) {
        log.error(message, at: location(of: key))
    }

    // MARK: - Scalars

    private mutating func integer(_ node: Node, named name: String, in range: ClosedRange<Int>) -> Int? {
        guard case .scalar(let scalar) = node, let value = Int(scalar.string.replacingUnderscores) else {
            log.error("\(name) must be a whole number", at: location(of: node))
            return nil
        }
        guard range.contains(value) else {
            log.error(
                "\(name) must be between \(range.lowerBound) and \(range.upperBound), not \(value)",
                at: location(of: node))
            return nil
        }
        return value
    }

    private mutating func double(_ node: Node, named name: String, in range: ClosedRange<Double>) -> Double? {
        guard case .scalar(let scalar) = node, let value = Double(scalar.string.replacingUnderscores), value.isFinite
        else {
            log.error("\(name) must be a number", at: location(of: node))
            return nil
        }
        guard range.contains(value) else {
            log.error(
                "\(name) must be between \(formatBound(range.lowerBound)) and \(formatBound(range.upperBound)), not \(scalar.string)",
                at: location(of: node))
            return nil
        }
        return value
    }

    private mutating func uint64(_ node: Node, named name: String) -> UInt64? {
        guard case .scalar(let scalar) = node, let value = parseUInt64(scalar.string) else {
            let text = node.scalar?.string ?? ""
            log.error(
                "\(name) must be a number such as 4096 or 0x1000, not '\(text)'", at: location(of: node))
            return nil
        }
        return value
    }

    private func isNull(_ node: Node) -> Bool {
        if case .scalar = node { return node.tag.rawValue == Yams.Tag.Name.null.rawValue }
        return false
    }

    private func kind(of node: Node) -> String {
        switch node {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .scalar: return isNull(node) ? "empty" : "a value"
        case .alias: return "an alias"
        }
    }

    /// The diagnostic for a YAML syntax error at its place in the file.
    ///
    /// With `yaml`, the text that failed, a place past its end (libyaml puts "unexpected end of
    /// stream" on the line after the last one, which the file may not have) moves back to just
    /// after its last character.
    public static func diagnostic(
        for error: YamlError, file: String, lineOffset: Int, columnOffset: Int = 0, lineColumnOffsets: [Int] = [],
        yaml: String? = nil
    ) -> Diagnostic {
        func at(_ mark: Mark, _ message: String) -> Diagnostic {
            var (line, column) = (mark.line, mark.column)
            if let yaml {
                (line, column) = fileLineAndColumn(line: line, column: column, yamlLines: yamlLineStarts(yaml))
                (line, column) = clampToText(line: line, column: column, lineLengths: textLineLengths(yaml))
            }
            return Diagnostic(
                file: file, line: line + lineOffset,
                column: fileColumn(column, line: line, columnOffset, lineColumnOffsets), message: message)
        }
        switch error {
        case .scanner(let context, let problem, let mark, _),
            .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            // libyaml's own words name its C API: "Maximum nesting level reached, set with ...".
            let tooDeep = problem.hasPrefix("Maximum nesting level reached")
            var message = "invalid YAML: " + (tooDeep ? "lists and mappings nest more than 1000 levels deep" : problem)
            if let context, !tooDeep {
                let line = fileLineAndColumn(
                    line: context.mark.line, column: context.mark.column, yamlLines: yaml.flatMap(yamlLineStarts)
                ).line
                message += " (\(context.text) at line \(line + lineOffset))"
            }
            return at(mark, message)
        case .duplicatedKeysInMapping(let duplicates, let context):
            return at(
                context.mark,
                "key '\(duplicates.joined(separator: "', '"))' appears more than once in this mapping")
        case .reader(let problem, _, _, _):
            return Diagnostic(file: file, line: lineOffset + 1, column: 1, message: "invalid YAML: \(problem)")
        default:
            return Diagnostic(file: file, line: lineOffset + 1, column: 1, message: "invalid YAML: \(error)")
        }
    }
}

/// Where each of libyaml's lines starts in `text` as a file's line and column, or nil when they
/// are the file's lines. libyaml (YAML 1.1) also ends a line at CR, NEL (U+0085), LS (U+2028) and
/// PS (U+2029), which editors and Prensa do not, so its line numbers drift after one of those.
func yamlLineStarts(_ text: String) -> [(line: Int, column: Int)]? {
    let extraBreaks: Set<Unicode.Scalar> = ["\r", "\u{85}", "\u{2028}", "\u{2029}"]
    guard text.unicodeScalars.contains(where: extraBreaks.contains) else { return nil }
    var starts = [(line: 1, column: 1)]
    var (line, column) = (1, 1)
    var previousWasCR = false
    for scalar in text.unicodeScalars {
        if scalar == "\n" {
            line += 1
            column = 1
            // CRLF is one break for libyaml: its line starts after the LF.
            if previousWasCR { starts[starts.count - 1] = (line, column) } else { starts.append((line, column)) }
        } else {
            column += 1
            if extraBreaks.contains(scalar) { starts.append((line, column)) }
        }
        previousWasCR = scalar == "\r"
    }
    return starts
}

/// libyaml's 1-based `line:column` as the file's, given `yamlLineStarts`.
func fileLineAndColumn(line: Int, column: Int, yamlLines: [(line: Int, column: Int)]?) -> (line: Int, column: Int) {
    guard let yamlLines, line >= 1, line <= yamlLines.count else { return (line, column) }
    let start = yamlLines[line - 1]
    return (start.line, start.column + column - 1)
}

/// The length in Unicode scalars of each line of `text`, without the empty lines at its end
/// (one line of length 0 for a text without any).
func textLineLengths(_ text: String) -> [Int] {
    // Split on the scalar: as Characters, "\r\n" is one and is not "\n".
    var lengths = text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false).map(\.count)
    while lengths.last == 0, lengths.count > 1 { lengths.removeLast() }
    return lengths
}

/// `line:column` (1-based, columns in Unicode scalars) if it is inside the text whose lines are
/// `lineLengths` long or just after the end of one of its lines; otherwise the end of that line,
/// or the place just after the text's last character.
func clampToText(line: Int, column: Int, lineLengths lengths: [Int]) -> (line: Int, column: Int) {
    if line >= 1, line <= lengths.count, column >= 1, column <= lengths[line - 1] + 1 {
        return (line, column)
    }
    if line >= 1, line < lengths.count { return (line, min(max(column, 1), lengths[line - 1] + 1)) }
    return (lengths.count, (lengths.last ?? 0) + 1)
}

/// Decimal or `0x` hexadecimal (also `0o` octal and `0b` binary), with `_` between digits.
public func parseUInt64(_ text: String) -> UInt64? {
    let cleaned = text.trimmingWhitespace.replacingUnderscores.lowercased()
    for (prefix, radix) in [("0x", 16), ("0o", 8), ("0b", 2)] where cleaned.hasPrefix(prefix) {
        let digits = cleaned.dropFirst(2)
        return digits.isEmpty ? nil : UInt64(digits, radix: radix)
    }
    return UInt64(cleaned)
}

/// A range bound as people write it: "1000000000", "0.000001", "0.75" (never an exponent).
private func formatBound(_ value: Double) -> String {
    if value == value.rounded() && abs(value) < 1e15 { return String(Int(value)) }
    let scaled = Int((abs(value) * 1e9).rounded())
    var fraction = String(scaled % 1_000_000_000)
    fraction = String(repeating: "0", count: 9 - fraction.count) + fraction
    while fraction.hasSuffix("0") { fraction.removeLast() }
    return (value < 0 ? "-" : "") + "\(scaled / 1_000_000_000).\(fraction)"
}

/// The known word closest to `word` by edit distance, when it is close enough to be a likely typo,
/// or the one it abbreviates (`lang` → `language`).
public func closestMatch(to word: String, in candidates: [String]) -> String? {
    let limit = max(2, (word.count + 1) / 2)
    var best: (String, Int)?
    if word.count >= 3, let expanded = candidates.first(where: { $0.hasPrefix(word.lowercased()) }) {
        return expanded
    }
    for candidate in candidates {
        let distance = editDistance(word.lowercased(), candidate)
        if distance <= limit, distance < candidate.count, distance < (best?.1 ?? Int.max) {
            best = (candidate, distance)
        }
    }
    return best?.0
}

public func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a)
    let b = Array(b)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var previous = Array(0...b.count)
    var current = [Int](repeating: 0, count: b.count + 1)
    for i in 1...a.count {
        current[0] = i
        for j in 1...b.count {
            let cost = a[i - 1] == b[j - 1] ? 0 : 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
        }
        swap(&previous, &current)
    }
    return previous[b.count]
}

extension String {
    /// The string without leading and trailing whitespace.
    public var trimmingWhitespace: String {
        var slice = self[...]
        while let first = slice.first, first.isWhitespace { slice = slice.dropFirst() }
        while let last = slice.last, last.isWhitespace { slice = slice.dropLast() }
        return String(slice)
    }
}

extension String {
    var replacingUnderscores: String { contains("_") ? String(filter { $0 != "_" }) : self }
}
