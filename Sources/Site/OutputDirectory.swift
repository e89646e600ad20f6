import CSystemShims
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A failure to write the built site (disk full, permissions): not the author's mistake, but
/// reported the same way, and the previous site stays in place.
struct WriteError: Error, CustomStringConvertible {
    let path: String
    let message: String
    var description: String { "\(path): error: \(message)" }
}

/// Builds the new site in a hidden sibling of the output folder, then swaps it in at once, so
/// the output folder is always either the old complete site or the new one.
///
/// The staging folder is new and empty, or a recycled one: the site an earlier build replaced,
/// kept in the cache folder and moved back here, so that only the files that differ from it are
/// written again and no folder is made again. Files in a recycled folder may be hard links
/// shared with the current output: they are never written in place (`write` and `link` unlink first).
struct StagingDirectory: Sendable {
    /// The final output folder.
    let output: String
    /// Where the new site is written: `<parent>/.<name>.staging-<pid>`.
    let path: String
    /// The staging folder starts as a recycled site, not empty.
    let recycled: Bool

    /// `recycling`: a folder holding an earlier site, moved to be the staging folder when it is
    /// on the same file system (else the staging folder starts empty).
    init(output: String, recycling: String? = nil) throws(WriteError) {
        let output = output.hasSuffix("/") && output.count > 1 ? String(output.dropLast()) : output
        self.output = output
        let url = URL(fileURLWithPath: output)
        let parent = url.deletingLastPathComponent().path
        let name = url.lastPathComponent
        Self.removeAbandoned(parent: parent, name: name)
        path = "\(parent)/.\(name).staging-\(getpid())"
        try Self.removeTree(path)
        if let recycling, rename(recycling, path) == 0 {
            recycled = true
        } else {
            recycled = false
            try Self.makeDirectories(path)
        }
    }

    /// Writes `bytes` at `relativePath`, creating its folders. Safe to call from many threads
    /// for different paths. Uses plain POSIX writes: Foundation's fsync on every file would cost
    /// seconds on a large site.
    func write(_ bytes: [UInt8], to relativePath: String) throws(WriteError) {
        let target = path + "/" + relativePath
        if let slash = relativePath.lastIndex(of: "/") {
            try Self.makeDirectories(path + "/" + relativePath[..<slash])
        }
        // A file of a recycled folder may be the same file as one of the live site: replace it
        // with a new one, never truncate it.
        if recycled { unlink(target) }
        let fd = open(target, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw WriteError(path: target, message: "cannot create file: \(errnoText())") }
        defer { close(fd) }
        var failure: WriteError?
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    failure = WriteError(path: target, message: "cannot write file: \(errnoText())")
                    return
                }
                offset += written
            }
        }
        if let failure { throw failure }
    }

    /// Puts the file at `source` (an unchanged file of the previous output) at `relativePath` by
    /// a hard link: no data is written. False when the link cannot be made (the caller writes).
    func link(from source: String, to relativePath: String) -> Bool {
        if let slash = relativePath.lastIndex(of: "/") {
            do throws(WriteError) {
                try Self.makeDirectories(path + "/" + relativePath[..<slash])
            } catch { return false }
        }
        if recycled { unlink(path + "/" + relativePath) }  // as in `write`
        return Glibc.link(source, path + "/" + relativePath) == 0
    }

    /// Makes the new site durable (unless told not to), puts it in place of the old one in one
    /// step, then moves the old one to `keepingOldAt` (true is returned) or deletes it. Files are
    /// written without fsync; one `syncfs` here covers them all.
    @discardableResult
    func commit(durable: Bool = true, keepingOldAt keep: String? = nil) throws(WriteError) -> Bool {
        if durable {
            guard prensa_sync_filesystem(path) == 0 else {
                throw WriteError(path: path, message: "cannot flush the new site to disk: \(errnoText())")
            }
        }
        defer {
            if durable { _ = prensa_sync_directory(URL(fileURLWithPath: output).deletingLastPathComponent().path) }
        }
        if FileManager.default.fileExists(atPath: output) {
            if prensa_exchange_paths(path, output) == 0 {
                if let keep {
                    try Self.removeTree(keep)
                    if rename(path, keep) == 0 { return true }
                }
                try Self.removeTree(path)
                return false
            }
            // No RENAME_EXCHANGE here: move the old site aside, then the new one in.
            let aside = path + ".old"
            guard rename(output, aside) == 0 else {
                throw WriteError(path: output, message: "cannot replace the output folder: \(errnoText())")
            }
            guard rename(path, output) == 0 else {
                let message = errnoText()
                _ = rename(aside, output)
                throw WriteError(path: output, message: "cannot move the new site in place: \(message)")
            }
            try Self.removeTree(aside)
        } else {
            try Self.makeDirectories(URL(fileURLWithPath: output).deletingLastPathComponent().path)
            guard rename(path, output) == 0 else {
                throw WriteError(path: output, message: "cannot create the output folder: \(errnoText())")
            }
        }
        return false
    }

    /// Deletes the staging folder after a failed build.
    func discard() {
        try? Self.removeTree(path)
    }

    // MARK: - File system helpers

    static func makeDirectories(_ path: some StringProtocol) throws(WriteError) {
        let path = String(path)
        if mkdir(path, 0o755) == 0 || errno == EEXIST { return }
        if errno == ENOENT, let slash = path.lastIndex(of: "/"), slash > path.startIndex {
            try makeDirectories(path[..<slash])
            if mkdir(path, 0o755) == 0 || errno == EEXIST { return }
        }
        throw WriteError(path: path, message: "cannot create folder: \(errnoText())")
    }

    /// Deletes the file at `relativePath` and then its folders as long as they are empty.
    func remove(_ relativePath: String) {
        guard unlink(path + "/" + relativePath) == 0 else { return }
        var folder = Substring(relativePath)
        while let slash = folder.lastIndex(of: "/") {
            folder = folder[..<slash]
            guard rmdir(path + "/" + folder) == 0 else { return }
        }
    }

    static func removeTree(_ path: String) throws(WriteError) {
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        do {
            try FileManager.default.removeItem(atPath: path)
        } catch {
            throw WriteError(path: path, message: "cannot remove: \(error.localizedDescription)")
        }
    }

    /// Staging folders left by builds that were killed (their process is gone).
    private static func removeAbandoned(parent: String, name: String) {
        let prefix = ".\(name).staging-"
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: parent) else { return }
        for entry in entries where entry.hasPrefix(prefix) {
            let pidText = entry.dropFirst(prefix.count).prefix { $0.isNumber }
            guard let pid = Int32(pidText), pid != getpid() else { continue }
            if kill(pid, 0) == 0 || errno == EPERM { continue }
            try? removeTree(parent + "/" + entry)
        }
    }
}

/// Puts a build's files into the staging folder: a file a recycled staging folder already holds
/// with these bytes is left as it is; a file whose bytes are those the previous build wrote at the
/// same path is hard-linked from the current output; any other is written.
final class OutputWriter: @unchecked Sendable {
    let staging: StagingDirectory
    /// The current output folder and what the manifest says is in it; nil for a full build.
    private let previousOutput: (root: String, stamps: [String: BuildManifest.OutputStamp])?
    /// What the recycled staging folder holds (empty when it started empty).
    private let recycled: [String: BuildManifest.OutputStamp]
    private let lock = NSLock()
    private var writtenCount = 0
    private var linkedCount = 0

    init(
        staging: StagingDirectory, previousOutput: (String, [String: BuildManifest.OutputStamp])?,
        recycled: [String: BuildManifest.OutputStamp] = [:]
    ) {
        self.staging = staging
        self.previousOutput = previousOutput
        self.recycled = staging.recycled ? recycled : [:]
    }

    /// Files written, and files unchanged (linked from the previous output or already in place).
    var written: Int { lock.withLock { writtenCount } }
    var linked: Int { lock.withLock { linkedCount } }

    /// Safe to call from many threads for different paths.
    func put(_ bytes: [UInt8], at relativePath: String) throws(WriteError) -> BuildManifest.OutputStamp {
        let stamp = BuildManifest.OutputStamp(size: bytes.count, hash: contentHash(bytes))
        if keepRecycled(relativePath, stamp: stamp) { return stamp }
        if let previousOutput, previousOutput.stamps[relativePath] == stamp,
            staging.link(from: previousOutput.root + "/" + relativePath, to: relativePath)
        {
            lock.withLock { linkedCount += 1 }
            return stamp
        }
        try staging.write(bytes, to: relativePath)
        lock.withLock { writtenCount += 1 }
        return stamp
    }

    func copy(from source: String, to relativePath: String) throws(WriteError) -> BuildManifest.OutputStamp {
        guard let data = FileManager.default.contents(atPath: source) else {
            throw WriteError(path: source, message: "cannot read file: \(errnoText())")
        }
        return try put(Array(data), at: relativePath)
    }

    /// Links a file of the previous output that the manifest lists with `stamp`.
    func link(_ relativePath: String, stamp: BuildManifest.OutputStamp) throws(WriteError) {
        if keepRecycled(relativePath, stamp: stamp) { return }
        guard let previousOutput, previousOutput.stamps[relativePath] == stamp,
            staging.link(from: previousOutput.root + "/" + relativePath, to: relativePath)
        else {
            throw WriteError(path: relativePath, message: "cannot keep this file of the previous build")
        }
        lock.withLock { linkedCount += 1 }
    }

    /// Deletes the files of the recycled folder that `isKept` does not keep, and the folders
    /// they leave empty (so that a path that was a file can become a folder, and back).
    func removeStale(keeping isKept: (String) -> Bool) {
        for path in recycled.keys where !isKept(path) { staging.remove(path) }
    }

    /// True when the recycled folder already holds `relativePath` with these bytes (the staging
    /// folder's `write` and `link` replace any other file it holds there).
    private func keepRecycled(_ relativePath: String, stamp: BuildManifest.OutputStamp) -> Bool {
        guard recycled[relativePath] == stamp else { return false }
        lock.withLock { linkedCount += 1 }
        return true
    }
}

/// Stamps of every file under `root/folder`, by path relative to `root`.
func stampFiles(under root: String, folder: String) throws(WriteError) -> [String: BuildManifest.OutputStamp] {
    var stamps: [String: BuildManifest.OutputStamp] = [:]
    for relative in ContentLoader.listFiles(in: root + "/" + folder) {
        let path = folder + "/" + relative
        guard let data = FileManager.default.contents(atPath: root + "/" + path) else {
            throw WriteError(path: root + "/" + path, message: "cannot read file: \(errnoText())")
        }
        stamps[path] = BuildManifest.OutputStamp(size: data.count, hash: contentHash(Array(data)))
    }
    return stamps
}

/// Writes `bytes` to `path` through a temporary file and a rename, creating folders as needed,
/// so readers see the old file or the new one, never half of one.
func writeFileAtomically(_ bytes: [UInt8], to path: String) throws(WriteError) {
    if let slash = path.lastIndex(of: "/") { try StagingDirectory.makeDirectories(path[..<slash]) }
    let temporary = "\(path).tmp-\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
    let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
    guard fd >= 0 else { throw WriteError(path: temporary, message: "cannot create file: \(errnoText())") }
    let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
    close(fd)
    guard written == bytes.count, rename(temporary, path) == 0 else {
        let message = errnoText()
        unlink(temporary)
        throw WriteError(path: path, message: "cannot write file: \(message)")
    }
}

func errnoText() -> String {
    String(cString: strerror(errno))
}
