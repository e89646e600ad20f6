import Foundation
import Templating

/// The site's Mustache templates (`templates/**/*.mustache`) and hashed assets (`templates/assets/`).
struct TemplateSet: Sendable {
    let library: TemplateLibrary
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
        var templates: [String: Template] = [:]
        var displays: [String: String] = [:]
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
            do throws(TemplateSyntaxError) {
                templates[name] = try Template(source.text)
                displays[name] = fileDisplay
            } catch {
                log.append(
                    Diagnostic(
                        file: fileDisplay, line: error.line, column: error.column,
                        message: "template syntax: \(error.message)"))
            }
        }
        for (name, purpose) in required where !present.contains(name) {
            log.append(
                Diagnostic(
                    file: "\(display)/\(name).mustache",
                    message: "missing template '\(name)', needed for \(purpose)"))
        }
        for name in displays.keys.sorted() {
            let fileDisplay = displays[name]!
            for reference in templates[name]!.references where templates[reference.name] == nil {
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
        return TemplateSet(library: TemplateLibrary(templates: templates), assets: assets, assetSources: assetSources)
    }

    func render(_ context: TemplateValue, template name: String) -> [UInt8] {
        guard let output = library.render(context, template: name) else {
            preconditionFailure("template '\(name)' was checked at load time")
        }
        return output
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
