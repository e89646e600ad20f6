import Yams

/// Parses a YAML mapping (front matter, `site.yml`) into typed fields, reporting every problem
/// at its `file:line:col`: syntax errors, unknown keys (with the closest known key), wrong
/// types and missing required keys.
struct YAMLFields {
    let file: String
    /// Lines of the file before the YAML text.
    let lineOffset: Int
    private(set) var log = DiagnosticLog()
    /// False when the YAML could not be parsed into a mapping (already reported).
    private(set) var parsed = false
    private var values: [String: Node] = [:]
    private var keyLocations: [String: SourceLocation] = [:]
    /// Where the mapping starts; missing keys are reported here.
    let start: SourceLocation

    /// Parses `yaml`; `what` names the document in messages ("front matter", "site.yml").
    init(yaml: String, file: String, lineOffset: Int, what: String, knownKeys: [String]) {
        self.file = file
        self.lineOffset = lineOffset
        self.start = SourceLocation(file: file, line: lineOffset + 1, column: 1)
        let node: Node?
        do {
            node = try Yams.compose(yaml: yaml)
        } catch let error as YamlError {
            log.append(Self.diagnostic(for: error, file: file, lineOffset: lineOffset))
            return
        } catch {
            log.error("\(what) could not be read: \(error)", at: start)
            return
        }
        guard let node else {
            log.error("\(what) is empty", at: start)
            return
        }
        guard case .mapping(let mapping) = node else {
            log.error("\(what) must be a mapping of 'key: value' lines", at: location(of: node))
            return
        }
        parsed = true
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

    func has(_ key: String) -> Bool { values[key] != nil }

    /// Where `key`'s value starts, or the key itself when the value is empty.
    func location(of key: String) -> SourceLocation {
        if let node = values[key], let mark = node.mark, !isNull(node) {
            return SourceLocation(file: file, line: mark.line + lineOffset, column: mark.column)
        }
        return keyLocations[key] ?? start
    }

    func location(of node: Node) -> SourceLocation {
        guard let mark = node.mark else { return start }
        return SourceLocation(file: file, line: mark.line + lineOffset, column: mark.column)
    }

    // MARK: - Typed accessors (each reports its own errors and returns nil on error)

    mutating func requireMissing(_ keys: [String], what: String) {
        for key in keys where parsed && values[key] == nil {
            log.error("missing required key '\(key)' in \(what)", at: start)
        }
    }

    /// A non-empty string. Any scalar counts (`title: 2024` is the text "2024").
    mutating func string(_ key: String) -> String? {
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

    mutating func bool(_ key: String) -> Bool? {
        guard let node = values[key] else { return nil }
        if case .scalar(let scalar) = node, node.tag.rawValue == Yams.Tag.Name.bool.rawValue,
            let value = Bool.construct(from: scalar)
        {
            return value
        }
        log.error("'\(key)' must be true or false", at: location(of: key))
        return nil
    }

    mutating func integer(_ key: String, in range: ClosedRange<Int>) -> Int? {
        guard let node = values[key] else { return nil }
        guard case .scalar(let scalar) = node, let value = Int(scalar.string) else {
            log.error("'\(key)' must be a whole number", at: location(of: key))
            return nil
        }
        guard range.contains(value) else {
            log.error(
                "'\(key)' must be between \(range.lowerBound) and \(range.upperBound), not \(value)",
                at: location(of: key))
            return nil
        }
        return value
    }

    /// A list of non-empty strings, each with its location.
    mutating func stringList(_ key: String) -> [(String, SourceLocation)]? {
        guard let node = values[key] else { return nil }
        if isNull(node) { return [] }
        guard case .sequence(let sequence) = node else {
            let example = node.scalar.map { "[\($0.string)]" } ?? "[a, b]"
            log.error("'\(key)' must be a list, e.g. \(key): \(example)", at: location(of: key))
            return nil
        }
        var items: [(String, SourceLocation)] = []
        for item in sequence {
            guard case .scalar(let scalar) = item, !isNull(item), !scalar.string.trimmingWhitespace.isEmpty else {
                log.error("each item of '\(key)' must be non-empty text", at: location(of: item))
                continue
            }
            items.append((scalar.string.trimmingWhitespace, location(of: item)))
        }
        return items
    }

    mutating func date(_ key: String) -> PostDate? {
        guard let node = values[key] else { return nil }
        guard case .scalar(let scalar) = node, !isNull(node) else {
            log.error("'\(key)' must be a date like 2026-11-27 or 2026-11-27T14:30:00-03:00", at: location(of: key))
            return nil
        }
        switch PostDate.parse(scalar.string) {
        case .success(let date):
            return date
        case .failure(let problem):
            log.error("'\(key)': \(problem.message)", at: location(of: key))
            return nil
        }
    }

    mutating func error(_ message: String, at location: SourceLocation) {
        log.error(message, at: location)
    }

    // MARK: - Helpers

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

    static func diagnostic(for error: YamlError, file: String, lineOffset: Int) -> Diagnostic {
        func at(_ mark: Mark, _ message: String) -> Diagnostic {
            Diagnostic(file: file, line: mark.line + lineOffset, column: mark.column, message: message)
        }
        switch error {
        case .scanner(let context, let problem, let mark, _),
            .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            var message = "invalid YAML: \(problem)"
            if let context { message += " (\(context.text) at line \(context.mark.line + lineOffset))" }
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

/// The known word closest to `word` by edit distance, when it is close enough to be a likely typo,
/// or the one it abbreviates (`lang` → `language`).
func closestMatch(to word: String, in candidates: [String]) -> String? {
    let limit = max(2, word.count / 3)
    var best: (String, Int)?
    if word.count >= 3, let expanded = candidates.first(where: { $0.hasPrefix(word.lowercased()) }) {
        return expanded
    }
    for candidate in candidates {
        let distance = editDistance(word.lowercased(), candidate)
        if distance <= limit, distance < (best?.1 ?? Int.max) { best = (candidate, distance) }
    }
    return best?.0
}

func editDistance(_ a: String, _ b: String) -> Int {
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
    var trimmingWhitespace: String {
        var slice = self[...]
        while let first = slice.first, first.isWhitespace { slice = slice.dropFirst() }
        while let last = slice.last, last.isWhitespace { slice = slice.dropLast() }
        return String(slice)
    }
}
