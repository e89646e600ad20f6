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
struct StagingDirectory: Sendable {
    /// The final output folder.
    let output: String
    /// Where the new site is written: `<parent>/.<name>.staging-<pid>`.
    let path: String

    init(output: String) throws(WriteError) {
        let output = output.hasSuffix("/") && output.count > 1 ? String(output.dropLast()) : output
        self.output = output
        let url = URL(fileURLWithPath: output)
        let parent = url.deletingLastPathComponent().path
        let name = url.lastPathComponent
        Self.removeAbandoned(parent: parent, name: name)
        path = "\(parent)/.\(name).staging-\(getpid())"
        try Self.removeTree(path)
        try Self.makeDirectories(path)
    }

    /// Writes `bytes` at `relativePath`, creating its folders. Safe to call from many threads
    /// for different paths. Uses plain POSIX writes: Foundation's fsync on every file would cost
    /// seconds on a large site.
    func write(_ bytes: some Collection<UInt8>, to relativePath: String) throws(WriteError) {
        let target = path + "/" + relativePath
        if let slash = relativePath.lastIndex(of: "/") {
            try Self.makeDirectories(path + "/" + relativePath[..<slash])
        }
        let fd = open(target, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw WriteError(path: target, message: "cannot create file: \(errnoText())") }
        defer { close(fd) }
        var failure: WriteError?
        var contiguous = Array(bytes)
        contiguous.withUnsafeMutableBytes { buffer in
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

    func write(_ text: String, to relativePath: String) throws(WriteError) {
        try write(text.utf8, to: relativePath)
    }

    func copy(from source: String, to relativePath: String) throws(WriteError) {
        guard let data = FileManager.default.contents(atPath: source) else {
            throw WriteError(path: source, message: "cannot read file: \(errnoText())")
        }
        try write(data, to: relativePath)
    }

    /// Makes the new site durable, puts it in place of the old one in one step, then deletes the
    /// old one. Files are written without fsync; one `syncfs` here covers them all.
    func commit() throws(WriteError) {
        guard prensa_sync_filesystem(path) == 0 else {
            throw WriteError(path: path, message: "cannot flush the new site to disk: \(errnoText())")
        }
        defer { _ = prensa_sync_directory(URL(fileURLWithPath: output).deletingLastPathComponent().path) }
        if FileManager.default.fileExists(atPath: output) {
            if prensa_exchange_paths(path, output) == 0 {
                try Self.removeTree(path)
                return
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
