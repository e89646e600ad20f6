import Foundation
import Testing

/// The `prensa` executable as a user runs it: exit status and compiler-style messages.
@Suite struct CommandLineTests {
    /// `prensa` sits next to the test bundle in SwiftPM's products folder.
    private var executable: String {
        prensaExecutable
    }

    private func run(
        _ arguments: [String], in directory: String, input: String? = nil, environment: [String: String] = [:]
    ) throws -> (
        status: Int32, stdout: String, stderr: String
    ) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let stdin = Pipe()
        process.standardInput = stdin
        try process.run()
        stdin.fileHandleForWriting.write(Data((input ?? "").utf8))
        try stdin.fileHandleForWriting.close()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (
            process.terminationStatus, String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self)
        )
    }

    @Test func buildReportsEveryErrorAndExitsNonZero() throws {
        try #require(FileManager.default.isExecutableFile(atPath: executable), "build the prensa product first")
        let site = try TestSite()
        defer { site.delete() }
        try site.write("content/posts/a.md", "---\ntitle: A\ndate: 2024-13-45\ndescription: D.\n---\n")
        try site.write("content/posts/b.md", "---\ntitle: B\ndate: 2024-01-01\ndescription: D.\ntgas: [x]\n---\n")
        let result = try run(["build"], in: site.root)
        #expect(result.status == 1)
        #expect(
            result.stderr == """
                content/posts/a.md:3:7: error: 'date': month 13 does not exist in '2024-13-45'
                content/posts/b.md:5:1: error: unknown key 'tgas' in front matter; did you mean 'tags'?
                2 errors; nothing was written

                """)
        #expect(!FileManager.default.fileExists(atPath: site.root + "/public"))
    }

    @Test func buildCheckAndNewSucceed() throws {
        try #require(FileManager.default.isExecutableFile(atPath: executable), "build the prensa product first")
        let site = try TestSite()
        defer { site.delete() }
        let created = try run(["new", "Olá, mundo"], in: site.root)
        #expect(created.status == 0)
        #expect(created.stdout == "Created content/posts/ola-mundo.md\n")
        let again = try run(["new", "Olá, mundo"], in: site.root)
        #expect(again.status == 1)
        #expect(again.stderr.hasPrefix("content/posts/ola-mundo.md: error: file already exists"))
        let checked = try run(["check", "--drafts"], in: site.root)
        #expect(checked.status == 0, "\(checked.stderr)")
        let built = try run(["build", "--drafts", "--source", site.root, "--output", site.root + "/saida"], in: "/")
        #expect(built.status == 0, "\(built.stderr)")
        #expect(built.stdout.hasPrefix("Built 1 posts"))
        #expect(FileManager.default.fileExists(atPath: site.root + "/saida/posts/ola-mundo/index.html"))
        let usage = try run(["build", "--no-such-flag"], in: site.root)
        #expect(usage.status == 64)
    }

    @Test func withoutPagefindBuildSucceedsWithOneNote() throws {
        try #require(FileManager.default.isExecutableFile(atPath: executable), "build the prensa product first")
        let site = try TestSite()
        defer { site.delete() }
        try site.post("a", title: "A", date: "2026-11-27")
        let result = try run(["build"], in: site.root, environment: ["PRENSA_PYTHON": "/nonexistent"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(
            result.stderr
                == "note: search index skipped: no Python '/nonexistent' (from PRENSA_PYTHON); run scripts/install-deps.sh, or set PRENSA_PYTHON to a Python with pagefind[bin]==1.5.2\n"
        )
        #expect(result.stdout.hasPrefix("Built 1 posts"))
        #expect(FileManager.default.fileExists(atPath: site.root + "/public/busca/index.html"))
        #expect(!FileManager.default.fileExists(atPath: site.root + "/public/pagefind"))
    }

    @Test func diagnosticsNameFilesRelativeToTheGivenSource() throws {
        try #require(FileManager.default.isExecutableFile(atPath: executable), "build the prensa product first")
        let site = try TestSite()
        defer { site.delete() }
        try site.write("content/posts/a.md", "---\ntitle: A\n---\n")
        let parent = URL(fileURLWithPath: site.root).deletingLastPathComponent().path
        let name = URL(fileURLWithPath: site.root).lastPathComponent
        let result = try run(["build", "--source", name], in: parent)
        #expect(result.stderr.hasPrefix("\(name)/content/posts/a.md:2:1: error: missing required key 'date'"))
    }

    @Test func simPrintsSVGOrJSONAndReportsSpecErrors() throws {
        try #require(FileManager.default.isExecutableFile(atPath: executable), "build the prensa product first")
        let spec = "title: Belady\ncapacity: 3\npolicy: fifo\nreferences: [1, 2, 3, 4, 1, 2, 5, 1, 2, 3, 4, 5]\n"
        let json = try run(["sim", "replacement", "--json"], in: "/", input: spec)
        #expect(json.status == 0, "\(json.stderr)")
        #expect(json.stdout.hasSuffix("\"hits\":3,\"misses\":9}\n"))
        let svg = try run(["sim", "replacement", "-"], in: "/", input: spec)
        #expect(svg.stdout.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\""))
        let bad = try run(
            ["sim", "replacement"], in: "/", input: "title: T\ncapacity: 3\npolicy: lfu\nreferences: [1]\n")
        #expect(bad.status == 1)
        #expect(bad.stderr.hasPrefix("<stdin>:3:9: error: unknown policy 'lfu'"))
        let unknown = try run(["sim", "gantt", "-"], in: "/", input: "title: T\n")
        #expect(unknown.status == 1)
        #expect(unknown.stderr.hasPrefix("<stdin>:1:1: error: unknown figure kind 'gantt'"))
    }

    @Test func checkFailsOnABrokenLinkAndQuietBuildsPrintNothing() throws {
        try #require(FileManager.default.isExecutableFile(atPath: executable), "build the prensa product first")
        let site = try TestSite()
        defer { site.delete() }
        try site.post("a", title: "A", date: "2026-11-27", body: "Veja [isto](/posts/nada/).\n")
        let checked = try run(["check"], in: site.root)
        #expect(checked.status == 1)
        #expect(checked.stderr.hasPrefix("content/posts/a.md:7:6: error: broken link '/posts/nada/'"))
        let built = try run(["build", "--quiet"], in: site.root)
        #expect(built.status == 0)
        #expect(built.stdout.isEmpty)
        #expect(built.stderr.hasPrefix("content/posts/a.md:7:6: warning: broken link '/posts/nada/'"))
        let verbose = try run(["build", "--verbose", "--output", site.root + "/v"], in: site.root)
        #expect(verbose.stdout.contains("  render "))
    }
}
