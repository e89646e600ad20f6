import DevServer
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Edits on disk → rebuild → events on an open stream, over real HTTP on loopback.
@Suite(.timeLimit(.minutes(1))) struct LiveReloadTests {
    @Test func anEditSendsReloadAndTheNewPageIsServed() async throws {
        try await RunningServer.with { server in
            let events = try await server.events()
            defer { events.close() }
            try server.site.write(
                "content/posts/ola.md", FixtureSite.postText.replacingOccurrences(of: "Primeiro", with: "Segundo"))
            let reload = try await events.next("reload", within: .seconds(20))
            #expect(reload != nil, "no reload within 5 s")
            let post = try await server.get("/posts/ola/")
            #expect(post.text.contains("Segundo parágrafo do post."))
        }
    }

    @Test func aBrokenEditShowsTheErrorsOverTheLastGoodSiteUntilItIsFixed() async throws {
        try await RunningServer.with { server in
            let events = try await server.events()
            defer { events.close() }
            try server.site.write(
                "content/posts/ola.md",
                FixtureSite.postText.replacingOccurrences(of: "2024-05-01", with: "2024-13-45")
                    .replacingOccurrences(of: "Primeiro", with: "Quebrado"))
            let diagnostic =
                "\(server.site.root)/content/posts/ola.md:3:7: error: 'date': month 13 does not exist in '2024-13-45'"

            let error = try #require(try await events.next("build-error", within: .seconds(20)))
            #expect(error.data == #"["\#(diagnostic)"]"#)
            // A close event the kernel delivers late (another thread's child held the file
            // open) may make a second build: it fails the same way.
            #expect(!server.log.failures.isEmpty && server.log.failures.allSatisfy { $0 == [diagnostic] })

            // Every page carries the overlay, over the last good content.
            let escaped = diagnostic.replacingOccurrences(of: "'", with: "&#39;")
            for path in ["/", "/posts/ola/", "/nao-existe/"] {
                let page = try await server.get(path)
                #expect(page.text.contains("Erro de compilação do site"), "\(path)")
                #expect(page.text.contains(escaped), "\(path)")
                #expect(!page.text.contains("Quebrado"), "\(path)")
            }
            #expect(try await server.get("/posts/ola/").text.contains("Primeiro parágrafo do post."))

            // A page opened while the error lasts learns of it from the stream too.
            let late = try await server.events()
            defer { late.close() }
            #expect(try await late.next("build-error", within: .seconds(2))?.data == error.data)

            try server.site.write("content/posts/ola.md", FixtureSite.postText)
            #expect(try await events.next("reload", within: .seconds(20)) != nil, "no reload after the fix")
            let fixed = try await server.get("/posts/ola/")
            #expect(!fixed.text.contains("Erro de compilação do site"))
            #expect(!fixed.text.contains("prensa-erro"))
        }
    }

    @Test func diagnosticsAreEscapedInTheOverlay() async throws {
        try await RunningServer.with { server in
            let events = try await server.events()
            defer { events.close() }
            try server.site.write(
                "content/posts/ola.md",
                FixtureSite.postText.replacingOccurrences(of: "date: 2024-05-01", with: "date: <b>&\"x\""))
            let error = try #require(try await events.next("build-error", within: .seconds(20)))
            #expect(!error.data.contains("<"), "the JSON escapes '<' too")
            let page = try await server.get("/").text
            let overlay = try #require(page.firstMatch(of: /<pre[^>]*>([^<]*)<\/pre>/)?.1)
            #expect(overlay.contains("&lt;b&gt;&amp;&quot;x&quot;"))
            #expect(!page.contains("<b>&\"x\""))
        }
    }

    @Test func foldersCreatedLaterAreWatched() async throws {
        try await RunningServer.with { server in
            let events = try await server.events()
            defer { events.close() }
            try FileManager.default.createDirectory(
                atPath: server.site.root + "/content/extra/fundo", withIntermediateDirectories: true)
            // The new folders start a build, which finds nothing to change (and reloads nothing).
            let built = try await server.waitForBuilds(2, within: .seconds(20))
            #expect(built, "no build after the folders were made: \(server.log.all)")
            try server.site.write("content/extra/fundo/novo.txt", "novo\n")
            // On a loaded machine the folder's own rebuild may reload after the write: wait for
            // the reload that brings the file (a few at most).
            var file = try await server.get("/extra/fundo/novo.txt")
            for _ in 0..<3 where file.status != 200 {
                #expect(try await events.next("reload", within: .seconds(20)) != nil)
                file = try await server.get("/extra/fundo/novo.txt")
            }
            #expect(file.status == 200)
            #expect(file.text == "novo\n")
        }
    }

    @Test func templateEditsRebuildToo() async throws {
        try await RunningServer.with { server in
            let events = try await server.events()
            defer { events.close() }
            let path = server.site.root + "/templates/404.mustache"
            let template = try String(contentsOfFile: path, encoding: .utf8)
            try server.site.write(
                "templates/404.mustache", template.replacingOccurrences(of: "Página não encontrada", with: "Sumiu"))
            #expect(try await events.next("reload", within: .seconds(20)) != nil)
            #expect(try await server.get("/nao-existe/").text.contains("Sumiu"))
        }
    }

    @Test func editorScratchFilesDoNotRebuild() async throws {
        try await RunningServer.with { server in
            let events = try await server.events()
            defer { events.close() }
            for name in [".ola.md.swp", "ola.md~", ".#ola.md", "4913", "#ola.md#"] {
                try server.site.write("content/posts/\(name)", "x")
            }
            // Well past the debounce and a build: nothing may come.
            let unexpected = try await events.next(within: .milliseconds(600))
            #expect(unexpected == nil, "\(String(describing: unexpected)) after \(server.log.all)")
            try server.site.write("content/posts/ola.md", FixtureSite.postText + "\nMais.\n")
            #expect(try await events.next(within: .seconds(20))?.name == "reload")
        }
    }

    @Test func aBurstOfWritesEndsWithTheLastVersion() async throws {
        try await RunningServer.with { server in
            let events = try await server.events()
            defer { events.close() }
            for index in 1...5 {
                try server.site.write("content/posts/ola.md", FixtureSite.postText + "\nLinha \(index).\n")
            }
            // Writes closer together than the settle time make one rebuild; on a loaded machine
            // they may make a few, but never one per event, and the last version is served.
            var reloads = 0
            while reloads < 5, try await events.next(within: .seconds(20))?.name == "reload" {
                reloads += 1
                if try await server.get("/posts/ola/").text.contains("Linha 5.") { break }
            }
            #expect(try await server.get("/posts/ola/").text.contains("Linha 5."))
            // A close event that arrives after its file was read makes one more (unchanged) build.
            _ = try await events.next(within: .milliseconds(500))
            #expect(try await events.next(within: .milliseconds(300)) == nil, "the rebuilds stopped")
            #expect(try await server.get("/posts/ola/").text.contains("Linha 5."))
            let builds = server.log.all.filter { if case .built = $0 { true } else { false } }
            #expect(builds.count >= 2 && builds.count <= 6)
        }
    }

    @Test func anAtomicSaveRebuilds() async throws {
        try await RunningServer.with { server in
            let events = try await server.events()
            defer { events.close() }
            // What most editors do: write a temporary file, then rename it over the post.
            let temporary = server.site.root + "/content/posts/.ola.md.tmp-123"
            try Data(FixtureSite.postText.replacingOccurrences(of: "Primeiro", with: "Renomeado").utf8)
                .write(to: URL(fileURLWithPath: temporary))
            #expect(rename(temporary, server.site.root + "/content/posts/ola.md") == 0)
            #expect(try await events.next("reload", within: .seconds(20)) != nil)
            #expect(try await server.get("/posts/ola/").text.contains("Renomeado parágrafo"))
        }
    }

    @Test func savingTheSameBytesRebuildsWithoutReloading() async throws {
        try await RunningServer.with { server in
            let events = try await server.events()
            defer { events.close() }
            try server.site.write("content/posts/ola.md", FixtureSite.postText)
            // The build runs and finds nothing changed; the open pages keep their place.
            _ = try await server.waitForBuilds(2, within: .seconds(20))
            let rebuilt = server.log.all.dropFirst().first
            guard case .built(let report, _, false) = rebuilt else {
                Issue.record("no rebuild after the save: \(server.log.all)")
                return
            }
            #expect(report.upToDate)
            let unexpected = try await events.next(within: .milliseconds(300))
            #expect(unexpected == nil, "\(String(describing: unexpected))")
            try server.site.write("content/posts/ola.md", FixtureSite.postText + "\nMais.\n")
            #expect(try await events.next(within: .seconds(20))?.name == "reload")
        }
    }

    @Test func deletingAPostRebuilds() async throws {
        let other = FixtureSite.postText.replacingOccurrences(of: "Olá, servidor", with: "Outro post")
        try await RunningServer.with(files: ["content/posts/outro.md": other]) { server in
            let events = try await server.events()
            defer { events.close() }
            #expect(try await server.get("/posts/outro/").status == 200)
            try FileManager.default.removeItem(atPath: server.site.root + "/content/posts/outro.md")
            // On a loaded machine an earlier rebuild may reload first: wait for the one that
            // takes the post away (a few at most).
            var status = try await server.get("/posts/outro/").status
            for _ in 0..<3 where status != 404 {
                #expect(try await events.next("reload", within: .seconds(20)) != nil)
                status = try await server.get("/posts/outro/").status
            }
            #expect(status == 404)
        }
    }

    @Test func stopEndsOpenStreamsPromptly() async throws {
        let site = try FixtureSite()
        defer { site.delete() }
        let server = DevServer(options: DevServerOptions(source: site.root, port: 0))
        let url = try await server.start()
        let port = try #require(URL(string: url)?.port.flatMap { UInt16(exactly: $0) })
        let events = try await EventStreamClient.connect(port: port)
        defer { events.close() }
        #expect(await server.listenerCount == 1)
        let start = ContinuousClock.now
        await server.stop()
        // Stop waits for a rebuild in progress (a late close event from another test's child can
        // start one), which took 6 s once on a loaded machine; an open stream would hold it forever.
        #expect(ContinuousClock.now - start < .seconds(30))
        #expect(try await events.waitForEnd(within: .seconds(2)))
        await server.waitUntilStopped()
    }

    @Test func aSiteThatNeverBuiltShowsItsErrors() async throws {
        let site = try FixtureSite()
        defer { site.delete() }
        try site.write("content/site.yml", "title: Sem o resto\n")
        let log = EventLog()
        let server = DevServer(options: DevServerOptions(source: site.root, port: 0), onEvent: log.record)
        let url = try await server.start()
        let port = try #require(URL(string: url)?.port.flatMap { UInt16(exactly: $0) })
        let running = RunningServer(server: server, site: site, port: port, log: log)
        let page = try await running.get("/")
        await server.stop()
        #expect(page.status == 503)
        #expect(page.text.contains("Erro de compilação do site"))
        #expect(log.failures.count >= 1 && Set(log.failures).count == 1, "\(log.failures)")
        for line in log.failures.first ?? [] {
            #expect(page.text.contains(line.replacingOccurrences(of: "'", with: "&#39;")))
        }
    }
}
