import Figures
import Foundation

/// Prensa's own source tree: the package whose `FigureKit` and `BlockRunner` products the package
/// generated for ```` ```swift sim ```` blocks depends on, by path.
///
/// Found, in order: the `PRENSA_ROOT` environment variable; the tree this binary was compiled
/// from (its path is embedded at build time through `#filePath`); the folders above the running
/// executable (`.build/release/prensa` sits inside the checkout).
enum PrensaSourceTree {
    /// The folders of the library products blocks use: a change in any of them changes the
    /// cache key of every block.
    static let moduleFolders = ["Simulation", "Diagram", "FigureKit", "BlockRunner", "CSystemShims"]

    /// The root of Prensa's checkout, or a message saying where it was looked for.
    static func locate(environment: [String: String] = ProcessInfo.processInfo.environment) -> Result<
        String, SubprocessError
    > {
        if let given = environment["PRENSA_ROOT"], !given.isEmpty {
            let root = absolute(given)
            return isPrensaRoot(root)
                ? .success(root)
                : .failure(SubprocessError(message: "PRENSA_ROOT is \(given), which is not a Prensa checkout"))
        }
        if let compiled = compiledRoot, isPrensaRoot(compiled) { return .success(compiled) }
        var folder = URL(fileURLWithPath: CommandLine.arguments.first ?? ".").resolvingSymlinksInPath()
            .deletingLastPathComponent()
        while folder.path != "/" && !folder.path.isEmpty {
            if isPrensaRoot(folder.path) { return .success(folder.path) }
            folder.deleteLastPathComponent()
        }
        return .failure(
            SubprocessError(
                message: "cannot find Prensa's source tree, which swift sim blocks are compiled against (this "
                    + "prensa was built from \(compiledRoot ?? "an unknown folder")); set PRENSA_ROOT to a Prensa checkout"
            ))
    }

    /// The checkout this file was compiled in: `<root>/Sources/Site/SwiftSim/PrensaSourceTree.swift`.
    static let compiledRoot: String? = {
        let path = #filePath
        let suffix = "/Sources/Site/SwiftSim/PrensaSourceTree.swift"
        guard path.hasSuffix(suffix) else { return nil }
        return String(path.dropLast(suffix.count))
    }()

    static func isPrensaRoot(_ path: String) -> Bool {
        let manager = FileManager.default
        return manager.fileExists(atPath: path + "/Package.swift")
            && manager.fileExists(atPath: path + "/Sources/FigureKit/Figure.swift")
            && manager.fileExists(atPath: path + "/Sources/BlockRunner/BlockRunner.swift")
    }

    /// A hash of every source file of the products blocks use: Prensa's version, as far as a
    /// block's result is concerned.
    static func sourceHash(root: String) -> String {
        var text = ""
        for folder in moduleFolders {
            for relative in ContentLoader.listFiles(in: root + "/Sources/" + folder).sorted() {
                guard let data = FileManager.default.contents(atPath: "\(root)/Sources/\(folder)/\(relative)") else {
                    continue
                }
                text += "\(folder)/\(relative)\u{0}\(data.count)\u{0}" + String(decoding: data, as: UTF8.self)
            }
        }
        return stableHash(text)
    }

    private static func absolute(_ path: String) -> String {
        var url = URL(fileURLWithPath: path)
        url.standardize()
        let text = url.path
        return text.count > 1 && text.hasSuffix("/") ? String(text.dropLast()) : text
    }
}
