import Diagram
import Support

/// A figure as the page shows it, before it is numbered: what the cache stores.
public struct RenderedFigure: Sendable, Hashable, Codable {
    public let kind: String
    public let id: String
    public let title: String
    public let caption: String?
    public let svg: String
    public let description: String
    public let tableHTML: String
    /// The model's result as JSON text (`prensa sim --json`).
    public let json: String

    /// A figure made elsewhere (by a ```` ```swift sim ```` block).
    public init(
        kind: String, id: String, title: String, caption: String?, svg: String, description: String,
        tableHTML: String, json: String
    ) {
        self.kind = kind
        self.id = id
        self.title = title
        self.caption = caption
        self.svg = svg
        self.description = description
        self.tableHTML = tableHTML
        self.json = json
    }
}

/// Turns the YAML of a ```` ```sim KIND ```` block into a figure, with the kinds it knows.
public struct FigureEngine: Sendable {
    /// Changes to the common machinery (this type, the table, the SVG canvas) bump this.
    public static let version = 1
    public static let commonKeys = ["id", "title", "caption"]

    public let kinds: [any FigureKind]

    public init(kinds: [any FigureKind]) {
        self.kinds = kinds
    }

    /// The kinds Prensa ships.
    public static let standard = FigureEngine(kinds: standardKinds)

    public func kind(named name: String) -> (any FigureKind)? {
        kinds.first { $0.name == name }
    }

    /// A key for caching the figure of this spec: it changes with the kind, the spec's text, the
    /// id it falls back to, the kind's version and the engine's.
    public func cacheKey(kind: String, spec: String, fallbackID: String) -> String? {
        guard let figureKind = self.kind(named: kind) else { return nil }
        return stableHash(
            "\(kind)\u{0}\(figureKind.version)\u{0}\(Self.version)\u{0}\(fallbackID)\u{0}\(spec)")
    }

    /// Makes the figure for a block of kind `kind` whose YAML is `spec`.
    ///
    /// - Parameters:
    ///   - location: where the fence opens (for errors about the block itself);
    ///   - lineOffset, columnOffset: lines and columns of the file before the spec's text;
    ///   - lineColumnOffsets: the columns before each line of the spec, when lines differ;
    ///   - fallbackID: the id when the spec gives none (e.g. "1" for the first figure).
    public func render(
        kind: String, spec: String, location: SourceLocation, lineOffset: Int, columnOffset: Int = 0,
        lineColumnOffsets: [Int] = [], fallbackID: String
    ) -> Result<RenderedFigure, BuildFailure> {
        guard let figureKind = self.kind(named: kind) else {
            let names = kinds.map(\.name)
            var message =
                kind.isEmpty
                ? "a sim block needs a kind: ```sim KIND, with KIND one of \(names.joined(separator: ", "))"
                : "unknown figure kind '\(kind)'"
            if !kind.isEmpty {
                if let suggestion = closestMatch(to: kind, in: names) {
                    message += "; did you mean '\(suggestion)'?"
                } else {
                    message += "; known kinds: \(names.joined(separator: ", "))"
                }
            }
            return .failure(BuildFailure([.error(message, at: location)]))
        }
        // An empty block is reported at its fence: the line after it may be the end of the file.
        if spec.unicodeScalars.allSatisfy({ $0.properties.isWhitespace }) {
            return .failure(BuildFailure([.error("the '\(kind)' figure is empty", at: location)]))
        }
        var fields = YAMLFields(
            yaml: spec, file: location.file, lineOffset: lineOffset, columnOffset: columnOffset,
            lineColumnOffsets: lineColumnOffsets, what: "the '\(kind)' figure",
            knownKeys: Self.commonKeys + figureKind.keys)
        guard fields.parsed else { return .failure(BuildFailure(fields.log.sorted)) }
        let (title, caption, id) = Self.readHeader(&fields, fallbackID: fallbackID)
        let info = FigureInfo(id: id, title: title ?? "", caption: caption)
        let content = figureKind.make(spec: &fields, info: info)
        guard let content, let title, !fields.log.hasErrors else { return .failure(BuildFailure(fields.log.sorted)) }
        return .success(
            RenderedFigure(
                kind: kind, id: id, title: title, caption: caption, svg: content.svg,
                description: content.description, tableHTML: content.table.html(), json: content.json.serialized()))
    }
}

/// Whether `id` may be a figure id: lowercase letters a–z, digits, `-` and `_`, not empty.
extension FigureEngine {
    /// The keys every figure shares, built-in or ```` ```swift sim ````: `title` (required),
    /// `caption`, and `id` (checked; `fallbackID` when absent or invalid). Problems go to `fields`.
    public static func readHeader(
        _ fields: inout YAMLFields, fallbackID: String
    ) -> (title: String?, caption: String?, id: String) {
        fields.requireMissing(["title"])
        let title = fields.string("title")
        let caption = fields.string("caption")
        var id = fallbackID
        if let given = fields.string("id") {
            if isValidID(given) {
                id = given
            } else {
                fields.error(
                    "figure id '\(given)' may contain only lowercase letters a–z, digits, '-' and '_'", atKey: "id")
            }
        }
        return (title, caption, id)
    }
}

func isValidID(_ id: String) -> Bool {
    !id.isEmpty
        && id.utf8.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
        }
}

/// 128 bits of two independent FNV-1a hashes, as 32 hex digits: stable across runs and machines
/// (Swift's `Hasher` is seeded per process), enough to tell specs apart in a cache.
public func stableHash(_ text: String) -> String {
    var first: UInt64 = 0xcbf2_9ce4_8422_2325
    var second: UInt64 = 0x6c62_272e_07bb_0142
    for byte in text.utf8 {
        first = (first ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        second = (second ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        second = second ^ (second >> 29)
    }
    func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
    return hex(first) + hex(second)
}
