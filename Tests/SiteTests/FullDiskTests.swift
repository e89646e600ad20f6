import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `prensa build` on a disk that fills up in the middle of the build: it must fail with an error
/// naming the file it could not write, leave the previous site exactly as it was, and leave no
/// staging folder behind.
///
/// Two routes: a real 1 MiB tmpfs as the output's file system (needs root and `mount`; CI runs
/// as root), and a file-size limit (`ulimit -f`, with SIGXFSZ ignored so writes fail with EFBIG),
/// which works anywhere, so one of them always runs.
@Suite(.serialized) struct FullDiskTests {
    private var executable: String {
        prensaExecutable
    }

    /// A site whose first version is small and whose second version does not fit: many pages
    /// and one large file copied as it is.
    private func makeSite() throws -> TestSite {
        let site = try TestSite()
        try site.post("primeiro", title: "Primeiro", date: "2026-01-01", body: "Um post pequeno.\n")
        return site
    }

    private func growSite(_ site: TestSite) throws {
        let paragraph = String(
            repeating: "O disco enche e a build tem de parar sem estragar o site antigo. ", count: 40)
        for index in 0..<200 {
            try site.post(
                "grande-\(index)", title: "Grande \(index)", date: "2026-02-01", body: "\(paragraph)\n\n\(paragraph)\n")
        }
        var generator = SystemRandomNumberGenerator()
        try site.write(
            "content/dados/grande.bin", bytes: (0..<1_500_000).map { _ in UInt8.random(in: 0...255, using: &generator) }
        )
    }

    private func run(_ command: String, _ arguments: [String]) throws -> (status: Int32, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: command)
        process.arguments = arguments
        // No highlighting or search index: the output then depends only on Prensa.
        process.environment = ProcessInfo.processInfo.environment.merging(["PRENSA_PYTHON": "/nonexistent"]) { $1 }
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: stderr, as: UTF8.self))
    }

    /// Every file under `folder` with its bytes, and every folder.
    private func tree(_ folder: String) -> [String: Data] {
        var entries: [String: Data] = [:]
        guard let enumerator = FileManager.default.enumerator(atPath: folder) else { return entries }
        for case let path as String in enumerator {
            var isFolder: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: folder + "/" + path, isDirectory: &isFolder)
            entries[path] =
                isFolder.boolValue ? Data("folder".utf8) : FileManager.default.contents(atPath: folder + "/" + path)
        }
        return entries
    }

    private func stagingFolders(in parent: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: parent)) ?? []).filter { $0.contains(".staging-") }
    }

    /// Builds the small site into `output`, then the grown one through `wrapper`, and checks the
    /// failure; returns the error text.
    private func fillUp(output: String, wrapper: [String] = []) throws -> String {
        let site = try makeSite()
        defer { site.delete() }
        let first = try run(executable, ["build", "--source", site.root, "--output", output])
        try #require(first.status == 0, "the small site must fit: \(first.stderr)")
        let before = tree(output)
        #expect(before.keys.contains("posts/primeiro/index.html"))

        try growSite(site)
        let arguments = ["build", "--source", site.root, "--output", output]
        let failed =
            wrapper.isEmpty
            ? try run(executable, arguments)
            : try run(wrapper[0], Array(wrapper.dropFirst()) + [executable] + arguments)
        #expect(failed.status == 1, "the build must fail: \(failed.stderr)")
        #expect(failed.stderr.hasSuffix("1 error; nothing was written\n"), "\(failed.stderr)")
        #expect(tree(output) == before, "the old site must be left exactly as it was")
        let parent = URL(fileURLWithPath: output).deletingLastPathComponent().path
        #expect(stagingFolders(in: parent).isEmpty, "staging folders left: \(stagingFolders(in: parent))")
        return failed.stderr
    }

    @Test func aFullTmpfsFailsTheBuildAndKeepsTheOldSite() throws {
        try #require(FileManager.default.isExecutableFile(atPath: executable), "build the prensa product first")
        guard geteuid() == 0 else {
            print("FullDiskTests: not root, so no tmpfs; the file-size-limit test covers a failing write")
            return
        }
        let mountPoint = NSTemporaryDirectory() + "prensa-full-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: mountPoint) }
        let mounted = try run("/bin/mount", ["-t", "tmpfs", "-o", "size=1m", "tmpfs", mountPoint])
        guard mounted.status == 0 else {
            print(
                "FullDiskTests: cannot mount a tmpfs (\(mounted.stderr)); the file-size-limit test covers a failing write"
            )
            return
        }
        defer { _ = try? run("/bin/umount", ["-l", mountPoint]) }
        let stderr = try fillUp(output: mountPoint + "/public")
        // e.g. "/tmp/prensa-full-…/public/dados/grande.bin: error: cannot write file: No space left on device",
        // named where it goes, not in the staging folder, which is gone.
        let line = try #require(stderr.split(separator: "\n").first.map(String.init))
        #expect(line.hasPrefix(mountPoint + "/public/"), "\(line)")
        #expect(line.hasSuffix(": No space left on device"), "\(line)")
        #expect(line.contains(": error: cannot "), "\(line)")
    }

    @Test func aWriteRefusedByTheFileSizeLimitFailsTheBuildAndKeepsTheOldSite() throws {
        try #require(FileManager.default.isExecutableFile(atPath: executable), "build the prensa product first")
        let folder = NSTemporaryDirectory() + "prensa-limit-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        // 1,024 blocks: every page fits, the 1.5 MB file does not.
        let wrapper = ["/bin/bash", "-c", "trap '' XFSZ; ulimit -f 1024; exec \"$@\"", "limit"]
        let stderr = try fillUp(output: folder + "/public", wrapper: wrapper)
        let line = try #require(stderr.split(separator: "\n").first.map(String.init))
        #expect(line == "\(folder)/public/dados/grande.bin: error: cannot write file: File too large", "\(line)")
    }
}
