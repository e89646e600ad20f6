import Figures
import Foundation
import Testing

@testable import Site

/// The package the end-to-end tests compile their blocks in, kept under `.build` so Prensa's
/// modules stay compiled from one `swift test` to the next (the first run compiles them cold).
let sharedSwiftSimSite = repositoryRoot + "/.build/swift-sim-tests"
let sharedSwiftSimPackage = sharedSwiftSimSite + "/.prensa-cache/swift-sim"

/// End-to-end: a fixture site whose ```swift sim blocks are compiled by `swift build` and run.
/// Serialized, because the tests share one compiled package.
@Suite(.serialized) struct SwiftSimSiteTests {
    /// A copy of `Tests/SiteTests/Fixtures/swiftsim` in a temporary folder, with the real templates.
    private func fixtureSite() throws -> TestSite {
        let site = try TestSite(config: nil)
        let fixture = repositoryRoot + "/Tests/SiteTests/Fixtures/swiftsim/content"
        try FileManager.default.removeItem(atPath: site.root + "/content")
        try FileManager.default.copyItem(atPath: fixture, toPath: site.root + "/content")
        return site
    }

    private func options(_ site: TestSite, useCache: Bool = true) -> BuildOptions {
        var options = BuildOptions(source: site.root, output: site.root + "/public", useCache: useCache)
        options.swiftSimDirectory = sharedSwiftSimPackage
        return options
    }

    @Test func blocksAreCompiledOnceRunCheckedAndCached() throws {
        let site = try fixtureSite()
        defer { site.delete() }
        let start = ContinuousClock.now

        // Two good blocks (and one using the scheduler), a type error, a trap and an endless
        // loop: every mistake at its place, in one run, and nothing written.
        var diagnostics: [String] = []
        do {
            _ = try SiteBuilder.build(options(site))
            Issue.record("the build succeeded but should have failed")
        } catch {
            diagnostics = error.diagnostics.map { $0.description.replacingOccurrences(of: site.root + "/", with: "") }
        }
        #expect(
            diagnostics == [
                "content/posts/ruins.md:12:23: error: cannot convert value of type 'String' to specified type 'Double'",
                "content/posts/ruins.md:24:43: error: swift sim block 'armadilha' crashed at a failed runtime check "
                    + "(an index out of range, an arithmetic overflow, a force-unwrapped nil, …)",
                "content/posts/ruins.md:29:1: error: swift sim block 'laco' ran past its time limit of 2 s and was "
                    + "stopped; 'swift_sim_timeout' in content/site.yml sets the limit",
            ])
        #expect(!FileManager.default.fileExists(atPath: site.root + "/public"))
        let failedBuild = ContinuousClock.now - start

        // The good blocks ran in that build and were cached: without the broken article, the
        // build compiles and runs nothing.
        try site.remove("content/posts/ruins.md")
        let warm = try SiteBuilder.build(options(site))
        #expect(warm.swiftSim.blocks == 3)
        #expect(warm.swiftSim.cached == 3)
        #expect(warm.swiftSim.compiles == 0)
        #expect(warm.swiftSim.blocksRun == 0)
        #expect(warm.figuresCached == 3 && warm.figuresComputed == 0)

        let html = try site.read("posts/bons/index.html")
        // The GIL timeline (seed 42): numbered, captioned, described from its data, with its table.
        #expect(html.contains("<figure id=\"fig-gil\" class=\"sim-figure sim-swift\">"))
        #expect(html.contains("<title id=\"fig-gil-title\">Três threads disputando o GIL</title>"))
        #expect(
            html.contains(
                "<desc id=\"fig-gil-desc\">Linha do tempo de 3 linhas entre 0 e 25 ms: T1 ativo por 11 ms, "
                    + "T2 ativo por 7 ms e T3 ativo por 7 ms.</desc>"))
        #expect(
            html.contains(
                "<figcaption><span class=\"sim-figure-number\">Figura 1</span> — Só uma thread executa bytecode "
                    + "Python por vez; as outras esperam o GIL.</figcaption>"))
        #expect(
            html.contains(
                "<tr><th scope=\"row\">T2</th><td>GIL</td><td class=\"num\">5</td><td class=\"num\">10</td>"
                    + "<td class=\"num\">5</td></tr>"))
        // fork() and copy-on-write: the grid and the block's own table and description.
        #expect(html.contains("<figure id=\"fig-cow-fork\""))
        #expect(html.contains("Figura 2</span> — Pai e filho compartilham os quadros"))
        #expect(
            html.contains(
                "cada primeira escrita numa página compartilhada copia só aquela página (p2 → Q4, p0 → Q5), e 6 "
                    + "quadros bastam no fim."))
        #expect(
            html.contains(
                "<tr><th scope=\"row\">P:p0</th><td>Q5 Q1 Q2 Q3</td><td>Q0 Q1 Q4 Q3</td><td>p0 → Q5</td></tr>"))
        // The scheduler through Simulation's public API.
        #expect(html.contains("editor termina em 9 e compilação termina em 8"))
        // @fig references resolved; no block left as code (never highlighted as Swift).
        #expect(html.contains("<a class=\"figure-ref\" href=\"#fig-gil\">Figura 1</a>"))
        #expect(!html.contains("language-swift") && !html.contains("Timeline(unit:"))

        // One block changed: one compile, one block run, the others from the cache.
        let post = site.root + "/content/posts/bons.md"
        let text = try String(contentsOfFile: post, encoding: .utf8)
        try site.write(
            "content/posts/bons.md",
            text.replacingOccurrences(of: "caption: O editor faz I/O", with: "caption: O editor (interativo) faz I/O"))
        let changed = try SiteBuilder.build(options(site))
        #expect(changed.swiftSim.compiles == 1)
        #expect(changed.swiftSim.blocksRun == 1)
        #expect(changed.swiftSim.cached == 2)
        #if os(Linux)
            #expect(changed.swiftSim.networkIsolated == true)
        #endif
        #expect(try site.read("posts/bons/index.html").contains("O editor (interativo) faz I/O"))

        // --no-cache runs every block again (the package is up to date: one quick `swift build`).
        let forced = try SiteBuilder.build(options(site, useCache: false))
        #expect(forced.swiftSim.compiles == 1)
        #expect(forced.swiftSim.blocksRun == 3)
        #expect(forced.swiftSim.cached == 0)
        let total = ContinuousClock.now - start
        print("swift sim fixture: failing build \(failedBuild), whole test \(total)")
    }

    @Test func simSwiftCommandPrintsEachBlocksFigure() throws {
        let executable = prensaExecutable
        try #require(FileManager.default.isExecutableFile(atPath: executable), "build the prensa product first")
        let fixture = repositoryRoot + "/Tests/SiteTests/Fixtures/swiftsim/content/posts/bons.md"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["sim", "swift", fixture, "--json", "--source", sharedSwiftSimSite]
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(stderr)")
        let lines = stdout.split(separator: "\n")
        #expect(lines.count == 3)
        #expect(lines.first?.hasPrefix("{\"id\":\"gil\",\"title\":\"Três threads disputando o GIL\"") == true)
        #expect(lines.last?.contains("\"columns\":[\"Processo\",\"Chegada\"") == true)
    }
}
