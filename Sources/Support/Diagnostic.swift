/// A mistake in the site's input, reported like a compiler's: `path:line:col: error: message`.
public struct Diagnostic: Error, Sendable, Hashable, Comparable, CustomStringConvertible {
    public enum Severity: String, Sendable, Hashable {
        case error
        case warning
        case note
    }

    /// The file's path as the user should see it (relative to where they ran the command).
    public var file: String
    /// 1-based; 0 when the message concerns the whole file.
    public var line: Int
    /// 1-based; 0 when the message concerns the whole line or file.
    public var column: Int
    public var severity: Severity
    public var message: String

    public init(file: String, line: Int = 0, column: Int = 0, severity: Severity = .error, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.severity = severity
        self.message = message
    }

    public static func error(_ message: String, at location: SourceLocation) -> Diagnostic {
        Diagnostic(file: location.file, line: location.line, column: location.column, message: message)
    }

    public static func note(_ message: String, at location: SourceLocation) -> Diagnostic {
        Diagnostic(
            file: location.file, line: location.line, column: location.column, severity: .note, message: message)
    }

    public var description: String {
        var position = file
        if line > 0 {
            position += ":\(line)"
            if column > 0 { position += ":\(column)" }
        }
        return "\(position): \(severity.rawValue): \(message)"
    }

    public static func < (lhs: Diagnostic, rhs: Diagnostic) -> Bool {
        (lhs.file, lhs.line, lhs.column, lhs.message) < (rhs.file, rhs.line, rhs.column, rhs.message)
    }
}

/// A place in a source file.
public struct SourceLocation: Sendable, Hashable {
    public var file: String
    public var line: Int
    public var column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }
}

/// Collects diagnostics from one stage, keeping notes next to the error they explain.
public struct DiagnosticLog: Sendable {
    public private(set) var entries: [[Diagnostic]] = []

    public init() {}

    public var hasErrors: Bool { !entries.isEmpty }

    public mutating func error(_ message: String, at location: SourceLocation, notes: [Diagnostic] = []) {
        entries.append([.error(message, at: location)] + notes)
    }

    public mutating func append(_ diagnostic: Diagnostic) {
        entries.append([diagnostic])
    }

    public mutating func append(contentsOf other: DiagnosticLog) {
        entries.append(contentsOf: other.entries)
    }

    /// Errors ordered by file and position, each followed by its notes.
    public var sorted: [Diagnostic] {
        entries.sorted { $0[0] < $1[0] }.flatMap { $0 }
    }
}

/// The input has mistakes; `diagnostics` lists all of them in order. What a failed build throws.
public struct BuildFailure: Error, Sendable, CustomStringConvertible {
    public let diagnostics: [Diagnostic]

    public init(_ diagnostics: [Diagnostic]) {
        self.diagnostics = diagnostics
    }

    public var errorCount: Int { diagnostics.filter { $0.severity == .error }.count }

    public var description: String {
        diagnostics.map(\.description).joined(separator: "\n")
    }
}
