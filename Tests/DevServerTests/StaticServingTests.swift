import DevServer
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The built site over real HTTP on loopback: pages, assets, HEAD, 404, redirects, and the
/// paths that must never leave the site folder.
@Suite(.timeLimit(.minutes(1))) struct StaticServingTests {
    @Test func servesTheHomePageAPostAndThePageScript() async throws {
        try await RunningServer.with { server in
            let home = try await server.get("/")
            #expect(home.status == 200)
            #expect(home.headers["content-type"] == "text/html; charset=utf-8")
            #expect(home.text.contains("Olá, servidor"))
            #expect(home.text.contains("<script src=\"/__prensa/reload.js\"></script>\n</body>"))
            #expect(!home.text.contains("prensa-erro"))

            let post = try await server.get("/posts/ola/")
            #expect(post.status == 200)
            #expect(post.text.contains("Primeiro parágrafo do post."))
            #expect(post.text.contains("/__prensa/reload.js"))
            // The script goes into responses only, never into the built files.
            let onDisk = try String(
                contentsOfFile: server.server.siteDirectory + "/posts/ola/index.html", encoding: .utf8)
            #expect(!onDisk.contains("__prensa"))
            #expect(onDisk.contains("http://127.0.0.1:\(server.port)/posts/ola/"), "the base URL is the server's")
            #expect(!FileManager.default.fileExists(atPath: server.site.root + "/public"))

            let script = try await server.get("/__prensa/reload.js")
            #expect(script.status == 200)
            #expect(script.headers["content-type"] == "text/javascript; charset=utf-8")
            #expect(script.text.contains("new EventSource('/__prensa/events')"))
            #expect(script.text.contains("'reload'"))
        }
    }

    @Test func servesAssetsWithTheirContentTypes() async throws {
        try await RunningServer.with { server in
            let home = try await server.get("/")
            let css = try #require(home.text.firstMatch(of: /href="(\/assets\/style\.[0-9a-f]+\.css)"/)?.1)
            let style = try await server.get(String(css))
            #expect(style.status == 200)
            #expect(style.headers["content-type"] == "text/css; charset=utf-8")
            #expect(!style.body.isEmpty)
            let icon = try #require(home.text.firstMatch(of: /href="(\/assets\/favicon\.[0-9a-f]+\.svg)"/)?.1)
            #expect(try await server.get(String(icon)).headers["content-type"] == "image/svg+xml")

            let expected: [(String, String)] = [
                ("/dados/valores.json", "application/json"),
                ("/dados/nota.txt", "text/plain; charset=utf-8"),
                ("/dados/ponto.png", "image/png"),
                ("/dados/coisa.bin", "application/octet-stream"),
                ("/feed.xml", "application/xml"),
                ("/feed.json", "application/json"),
                ("/robots.txt", "text/plain; charset=utf-8"),
            ]
            for (path, type) in expected {
                let reply = try await server.get(path)
                #expect(reply.status == 200, "\(path)")
                #expect(reply.headers["content-type"] == type, "\(path)")
            }
            let png = try await server.get("/dados/ponto.png")
            #expect(png.body == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        }
    }

    @Test func headGivesTheHeadersOfGetWithoutABody() async throws {
        try await RunningServer.with { server in
            for path in ["/posts/ola/", "/dados/valores.json", "/nao-existe/"] {
                let get = try await server.get(path)
                let head = try await server.head(path)
                #expect(head.status == get.status, "\(path)")
                #expect(head.headers["content-type"] == get.headers["content-type"], "\(path)")
                #expect(head.headers["content-length"] == String(get.body.count), "\(path)")
                #expect(head.body.isEmpty, "\(path)")
            }
        }
    }

    @Test func aMissingPageIs404WithTheSites404Page() async throws {
        try await RunningServer.with { server in
            for path in ["/nao-existe/", "/posts/nada", "/dados/falta.json", "/posts/ola/index.html/"] {
                let reply = try await server.get(path)
                #expect(reply.status == 404, "\(path)")
                #expect(reply.headers["content-type"] == "text/html; charset=utf-8")
                #expect(reply.text.contains("Página não encontrada"), "\(path)")
                #expect(reply.text.contains("/__prensa/reload.js"), "\(path)")
            }
        }
    }

    @Test func aFolderWithoutItsSlashIsRedirected() async throws {
        try await RunningServer.with { server in
            let post = try await server.get("/posts/ola")
            #expect(post.status == 301)
            #expect(post.headers["location"] == "/posts/ola/")
            let withQuery = try await server.get("/sobre?x=1")
            #expect(withQuery.status == 301)
            #expect(withQuery.headers["location"] == "/sobre/?x=1")
            // Never to another host (`//host/…` is a network-path reference).
            let doubled = try await server.get("//posts/ola")
            #expect(doubled.status == 301)
            #expect(doubled.headers["location"] == "/posts/ola/")
            let page = try await server.get("/sobre/")
            #expect(page.status == 200)
            #expect(page.text.contains("Um blog de teste."))
        }
    }

    @Test(arguments: [false, true])
    func draftsAreServedOnlyWhenAsked(_ drafts: Bool) async throws {
        let draft = FixtureSite.postText.replacingOccurrences(of: "Olá, servidor", with: "Rascunho")
            .replacingOccurrences(of: "---\n\n", with: "draft: true\n---\n\n")
        try await RunningServer.with(drafts: drafts, files: ["content/posts/rascunho.md": draft]) {
            server in
            let reply = try await server.get("/posts/rascunho/")
            #expect(reply.status == (drafts ? 200 : 404))
        }
    }

    @Test func startFailsClearlyOnABusyPortOrWithoutContent() async throws {
        try await RunningServer.with { server in
            let second = DevServer(options: DevServerOptions(source: server.site.root, port: server.port))
            let busy = await #expect(throws: DevServerError.self) { _ = try await second.start() }
            #expect(busy?.description == "cannot listen on 127.0.0.1:\(server.port): Address already in use")
            await second.stop()
            // The first server goes on.
            let home = try await server.get("/")
            #expect(home.status == 200)
        }
        let nowhere = DevServer(options: DevServerOptions(source: "/nonexistent-prensa-site", port: 0))
        let missing = await #expect(throws: DevServerError.self) { _ = try await nowhere.start() }
        #expect(missing?.description.hasPrefix("no content folder in /nonexistent-prensa-site") == true)
    }

    @Test func onlyGetAndHeadAreAllowed() async throws {
        try await RunningServer.with { server in
            for method in ["POST", "PUT", "DELETE", "OPTIONS"] {
                let reply = try await RawHTTP.send(
                    "\(method) / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                    port: server.port)
                #expect(reply.status == 405, "\(method)")
                #expect(reply.headers["allow"] == "GET, HEAD", "\(method)")
            }
        }
    }

    /// Raw request lines, sent as they are: none may reach a file outside the site folder.
    static let escapes = [
        "/../etc/passwd",
        "/../../../../../../etc/passwd",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/%2E%2E/%2E%2E/%2E%2E/%2E%2E/%2E%2E/etc/passwd",
        "/..%2fContent",
        "/..%2f..%2f..%2f..%2f..%2fetc%2fpasswd",
        "/posts/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "/.%2e/.%2e/.%2e/.%2e/etc/passwd",
        "/%2fetc%2fpasswd",
        "/..\\..\\..\\etc\\passwd",
        "/%5c..%5c..%5cetc%5cpasswd",
        "/index.html%00.txt",
        "/%00",
        "/%zz/passwd",
        "/%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd",
        "//etc/passwd",
        "etc/passwd",
    ]

    @Test func pathsEscapingTheSiteAreRefused() async throws {
        try await RunningServer.with { server in
            for path in Self.escapes {
                let reply = try await RawHTTP.send(
                    "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", port: server.port)
                #expect(reply.status == 400 || reply.status == 404, "\(path) → \(reply.status)")
                #expect(!reply.text.contains("root:"), "\(path) leaked a file")
            }
            // The same folder is served when asked for properly.
            #expect(try await server.get("/posts/ola/").status == 200)
        }
    }

    @Test func symlinksOutOfTheSiteAreRefused() async throws {
        try await RunningServer.with { server in
            let site = server.server.siteDirectory
            #expect(symlink("/etc", site + "/etc-fora") == 0)
            #expect(symlink("/etc/passwd", site + "/senha.txt") == 0)
            #expect(symlink(site + "/posts/ola/index.html", site + "/atalho.html") == 0)
            for path in ["/etc-fora/passwd", "/etc-fora/", "/etc-fora", "/senha.txt", "/etc-fora/../posts/ola/"] {
                let reply = try await server.get(path)
                #expect(reply.status == 400 || reply.status == 404, "\(path) → \(reply.status)")
                #expect(!reply.text.contains("root:"), "\(path) leaked a file")
            }
            // A link that stays inside the site is fine.
            let inside = try await server.get("/atalho.html")
            #expect(inside.status == 200)
            #expect(inside.text.contains("Primeiro parágrafo do post."))
        }
    }
}
