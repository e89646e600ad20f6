import Foundation
import Mustache

/// The site's Mustache templates (`templates/**/*.mustache`) and hashed assets (`templates/assets/`).
struct TemplateSet: Sendable {
    let library: MustacheLibrary
    /// Asset path relative to `templates/assets/` → its output path relative to the site root,
    /// with a content hash in the name: "style.css" → "assets/style.1a2b3c4d5e6f7a8b.css".
    let assets: [String: String]
    /// Absolute source path of each asset, by the same key.
    let assetSources: [String: String]

    /// Templates a site must have: each page kind is rendered with the one of its name.
    static let required: [(name: String, purpose: String)] = [
        ("post", "every post"), ("page", "pages such as content/sobre.md"), ("home", "the home page and its pages"),
        ("tag", "each tag's page"), ("tags", "the tag index"), ("series", "each series' page"),
        ("series-index", "the series index"), ("archive", "the archive by year"), ("404", "the not-found page"),
        ("search", "the search page /busca/"),
    ]

    static func load(directory: String, displayPrefix: String, log: inout DiagnosticLog) -> TemplateSet? {
        let display = displayPrefix + "templates"
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue
        else {
            log.append(Diagnostic(file: display, message: "missing templates folder"))
            return nil
        }
        let files = ContentLoader.listSiteFiles(
            in: directory, displayPath: display,
            siteRoot: URL(fileURLWithPath: directory).deletingLastPathComponent().path, log: &log)
        var templates: [String: MustacheTemplate] = [:]
        var texts: [String: (display: String, text: String)] = [:]
        var present = Set<String>()
        for relative in files where relative.hasSuffix(".mustache") && !relative.hasPrefix("assets/") {
            let name = String(relative.dropLast(".mustache".count))
            let fileDisplay = "\(display)/\(relative)"
            present.insert(name)
            let source: SourceFile
            switch SourceFile.read(path: directory + "/" + relative, displayPath: fileDisplay) {
            case .success(let file): source = file
            case .failure(let diagnostic):
                log.append(diagnostic)
                continue
            }
            do {
                templates[name] = try MustacheTemplate(string: source.text)
                texts[name] = (fileDisplay, source.text)
            } catch let error as MustacheTemplate.ParserError {
                log.append(
                    Diagnostic(
                        file: fileDisplay, line: error.context.lineNumber, column: error.context.columnNumber,
                        message: "template syntax: \(describe(error.error))"))
            } catch {
                log.append(Diagnostic(file: fileDisplay, message: "template syntax: \(error)"))
            }
        }
        for (name, purpose) in required where !present.contains(name) {
            log.append(
                Diagnostic(
                    file: "\(display)/\(name).mustache",
                    message: "missing template '\(name)', needed for \(purpose)"))
        }
        for name in texts.keys.sorted() {
            let (fileDisplay, text) = texts[name]!
            for reference in partialReferences(in: text) where templates[reference.name] == nil {
                log.append(
                    Diagnostic(
                        file: fileDisplay, line: reference.line, column: reference.column,
                        message: "template '\(reference.name)' not found (no \(display)/\(reference.name).mustache)"))
            }
        }
        var assets: [String: String] = [:]
        var assetSources: [String: String] = [:]
        for relative in files where relative.hasPrefix("assets/") {
            let path = directory + "/" + relative
            guard let data = FileManager.default.contents(atPath: path) else {
                log.append(Diagnostic(file: "\(display)/\(relative)", message: "cannot read asset"))
                continue
            }
            let key = String(relative.dropFirst("assets/".count))
            assets[key] = hashedName(relative, contents: Array(data))
            assetSources[key] = path
        }
        return TemplateSet(library: MustacheLibrary(templates: templates), assets: assets, assetSources: assetSources)
    }

    func render(_ context: [String: Any], template name: String) -> String {
        guard let output = library.render(context, withTemplate: name) else {
            preconditionFailure("template '\(name)' was checked at load time")
        }
        return output
    }

    /// `{{> name}}` and `{{< name}}` tags, with their position.
    static func partialReferences(in text: String) -> [(name: String, line: Int, column: Int)] {
        var references: [(String, Int, Int)] = []
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        for (lineIndex, line) in lines.enumerated() {
            var rest = line[...]
            while let open = rest.range(of: "{{") {
                let afterOpen = rest[open.upperBound...]
                guard let marker = afterOpen.first, marker == ">" || marker == "<" else {
                    rest = afterOpen
                    continue
                }
                let nameStart = afterOpen.dropFirst()
                guard let close = nameStart.range(of: "}}") else { break }
                let name = String(nameStart[..<close.lowerBound]).trimmingWhitespace
                let column = line.distance(from: line.startIndex, to: open.lowerBound) + 1
                references.append((name, lineIndex + 1, column))
                rest = nameStart[close.upperBound...]
            }
        }
        return references
    }

    private static func describe(_ error: Error) -> String {
        switch error as? MustacheTemplate.Error {
        case .sectionCloseNameIncorrect?: return "closing tag does not match the open section"
        case .unfinishedName?: return "unfinished tag name"
        case .expectedSectionEnd?: return "section is never closed"
        case .invalidSetDelimiter?: return "invalid set-delimiter tag"
        case .transformAppliedToInheritanceSection?: return "a transform cannot apply to an inherited section"
        case .illegalTokenInsideInheritSection?: return "only {{$block}} tags may appear inside {{<parent}}"
        case .textInsideInheritSection?: return "text inside {{<parent}} must be in a {{$block}}"
        case .invalidConfigVariableSyntax?: return "invalid {{% ... }} setting"
        case .unrecognisedConfigVariable?: return "unknown {{% ... }} setting"
        case nil: return String(describing: error)
        }
    }
}

/// "assets/style.css" → "assets/style.<16 hex digits>.css", hashing the contents (FNV-1a, 64 bits).
func hashedName(_ relative: String, contents: [UInt8]) -> String {
    let hash = String(fnv1a64(contents), radix: 16)
    let padded = String(repeating: "0", count: 16 - hash.count) + hash
    guard let dot = relative.lastIndex(of: "."), !relative[dot...].contains("/") else {
        return relative + "." + padded
    }
    return relative[..<dot] + "." + padded + relative[dot...]
}

func fnv1a64(_ bytes: [UInt8]) -> UInt64 {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in bytes {
        hash ^= UInt64(byte)
        hash = hash &* 0x0000_0100_0000_01b3
    }
    return hash
}
