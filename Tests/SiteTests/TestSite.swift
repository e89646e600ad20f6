import Figures
import Foundation
import Testing

@testable import Site

/// The repository root, found from this file's path.
let repositoryRoot: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.path
}()

/// The Python with the pinned Pygments that `scripts/install-deps.sh` (`make site`) installs:
/// tests highlight code with it, whatever the site root or `PRENSA_PYTHON` say.
let venvPython = repositoryRoot + "/.prensa-venv/bin/python"

/// The `prensa` binary, which SwiftPM builds beside the test bundle in its products folder.
let prensaExecutable = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    .appendingPathComponent("prensa").path

/// A throwaway site in a temporary folder, with the repository's real templates unless told otherwise.
struct TestSite {
    let root: String

    static let defaultConfig = """
        title: Blog de teste
        description: Um blog para os testes.
        base_url: https://exemplo.com.br/
        language: pt-BR
        author: Equipe de testes
        timezone: America/Sao_Paulo
        posts_per_page: 2

        """

    init(rootPath: String) {
        root = rootPath
    }

    init(config: String? = defaultConfig, copyTemplates: Bool = true) throws {
        root = NSTemporaryDirectory() + "prensa-test-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: root + "/content/posts", withIntermediateDirectories: true)
        if let config { try write("content/site.yml", config) }
        if copyTemplates {
            try FileManager.default.copyItem(atPath: repositoryRoot + "/templates", toPath: root + "/templates")
        }
    }

    func write(_ relativePath: String, _ text: String) throws {
        try write(relativePath, bytes: Array(text.utf8))
    }

    func write(_ relativePath: String, bytes: [UInt8]) throws {
        let url = URL(fileURLWithPath: root + "/" + relativePath)
        try FileManager.default.createDirectory(
            at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(bytes).write(to: url)
    }

    func remove(_ relativePath: String) throws {
        try FileManager.default.removeItem(atPath: root + "/" + relativePath)
    }

    /// A post with the three required keys plus `extra` front matter lines.
    func post(_ name: String, title: String, date: String, extra: String = "", body: String = "Texto.\n") throws {
        try write(
            "content/posts/\(name).md",
            "---\ntitle: \(title)\ndate: \(date)\ndescription: Descrição de \(name).\n\(extra)---\n\n\(body)")
    }

    /// Builds the site. No search index unless asked for: output then does not depend on whether
    /// this machine has Pagefind, and builds stay fast.
    @discardableResult
    func build(
        drafts: Bool = false, baseURL: String? = nil, output: String? = nil, useCache: Bool = true,
        figures: FigureEngine = .standard, search: SearchIndexing = .disabled,
        highlighting: HighlightOptions = HighlightOptions(python: venvPython)
    ) throws -> BuildReport {
        try SiteBuilder.build(
            BuildOptions(
                source: root, output: output ?? root + "/public", includeDrafts: drafts, baseURL: baseURL,
                useCache: useCache, figures: figures, search: search, highlighting: highlighting))
    }

    /// The diagnostics of a build that must fail, as printed (paths relative to the site root).
    func failingBuild(drafts: Bool = false, figures: FigureEngine = .standard) -> [String] {
        do {
            try build(drafts: drafts, figures: figures)
            Issue.record("the build succeeded but should have failed")
            return []
        } catch let failure as BuildFailure {
            return failure.diagnostics.map { $0.description.replacingOccurrences(of: root + "/", with: "") }
        } catch {
            Issue.record("unexpected error \(error)")
            return []
        }
    }

    func read(_ relativePath: String) throws -> String {
        try String(contentsOfFile: root + "/public/" + relativePath, encoding: .utf8)
    }

    func exists(_ relativePath: String) -> Bool {
        FileManager.default.fileExists(atPath: root + "/public/" + relativePath)
    }

    /// Every file under `folder` with its bytes, for comparing two builds.
    func snapshot(_ folder: String = "public") throws -> [String: Data] {
        var files: [String: Data] = [:]
        let base = folder.isEmpty ? root : root + "/" + folder
        guard let enumerator = FileManager.default.enumerator(atPath: base) else { return files }
        for case let path as String in enumerator {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: base + "/" + path, isDirectory: &isDirectory),
                !isDirectory.boolValue
            {
                files[path] = FileManager.default.contents(atPath: base + "/" + path)
            }
        }
        return files
    }

    func delete() {
        try? FileManager.default.removeItem(atPath: root)
    }
}
