import Foundation
import Testing

@testable import DevServer

@Suite struct RequestPathTests {
    @Test func decodesSegmentBySegment() {
        #expect(
            RequestPath.parse("/posts/ol%C3%A1/")
                == .success(RequestPath(segments: ["posts", "olá"], hasTrailingSlash: true)))
        #expect(RequestPath.parse("/") == .success(RequestPath(segments: [], hasTrailingSlash: true)))
        #expect(RequestPath.parse("//a//b") == .success(RequestPath(segments: ["a", "b"], hasTrailingSlash: false)))
        #expect(
            RequestPath.parse("/a%20b.txt") == .success(RequestPath(segments: ["a b.txt"], hasTrailingSlash: false)))
        #expect(RequestPath.parse("/...") == .success(RequestPath(segments: ["..."], hasTrailingSlash: false)))
    }

    @Test func normalizedPathsStayOnThisHost() throws {
        #expect(try RequestPath.parse("//evil.example//x").get().normalized == "/evil.example/x")
        #expect(try RequestPath.parse("/posts/ol%C3%A1/").get().normalized == "/posts/ol%C3%A1/")
        #expect(try RequestPath.parse("/a%20b/c%3Fd%23e").get().normalized == "/a%20b/c%3Fd%23e")
        #expect(try RequestPath.parse("/").get().normalized == "/")
    }

    @Test(arguments: [
        "/..", "/../x", "/a/../b", "/.", "/%2e%2e", "/%2E%2e/x", "/.%2e", "/a%2fb", "/a%2Fb", "/a%5cb", "/a\\b",
        "/a%00", "/a\u{0}b", "/a%0d%0aSet-Cookie:x", "/a\rb", "/a%7f", "/%", "/%2", "/%g0", "/%ff", "/%c0%ae", "x", "",
    ])
    func refuses(_ raw: String) {
        #expect(throws: RequestPath.Rejection.self) { try RequestPath.parse(raw).get() }
    }
}

@Suite struct LiveReloadUnitTests {
    @Test func theSnippetGoesBeforeTheLastBodyEndTag() {
        let page = "<html><body><p>&lt;/body&gt;</p></BODY></html>"
        #expect(
            LiveReload.inject(into: page, errors: nil)
                == "<html><body><p>&lt;/body&gt;</p><script src=\"/__prensa/reload.js\"></script>\n</BODY></html>")
        #expect(LiveReload.inject(into: "texto", errors: nil).hasPrefix("texto<script"))
    }

    @Test func theOverlayEscapesEveryLine() {
        let overlay = LiveReload.overlay(lines: ["a.md:1:2: error: 'x' <y> & \"z\"", "b.md: error: w"])
        #expect(overlay.contains("Erro de compilação do site"))
        #expect(overlay.contains("a.md:1:2: error: &#39;x&#39; &lt;y&gt; &amp; &quot;z&quot;\nb.md: error: w</pre>"))
    }

    @Test func eventDataIsOneLineOfJSON() {
        #expect(
            ReloadHub.jsonArray(["a\"b\\c\nd</script>", "é\u{1}"]) == #"["a\"b\\c\nd\u003c/script\u003e","é\u0001"]"#)
        #expect(
            String(decoding: ReloadHub.buildError(["x"]), as: UTF8.self) == "event: build-error\ndata: [\"x\"]\n\n")
    }

    @Test func scratchFiles() {
        for name in [".post.md.swp", ".post.md.swo", "post.md~", ".#post.md", "#post.md#", "4913"] {
            #expect(FileWatcher.isScratchFile(name), "\(name)")
        }
        for name in ["post.md", "site.yml", "style.css", "49130", "swp"] {
            #expect(!FileWatcher.isScratchFile(name), "\(name)")
        }
    }

    @Test func hiddenFilesAndFoldersDoNotRebuild() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("prensa-hidden-\(getpid())").path
        try FileManager.default.createDirectory(atPath: root + "/content", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let watcher = try FileWatcher(parent: root, roots: ["content"], debounce: .milliseconds(100)) {}
        let content = try #require(watcher.watchedFolders.first)
        #expect(content == root + "/content")
        let descriptor = try #require(watcher.descriptor(of: content))
        let created = UInt32(IN_CREATE)
        #expect(!watcher.handle(descriptor: descriptor, mask: created, name: ".post.md.tmp-123"))
        #expect(!watcher.handle(descriptor: descriptor, mask: UInt32(IN_MOVED_FROM), name: ".post.md.tmp-123"))
        #expect(watcher.handle(descriptor: descriptor, mask: UInt32(IN_MOVED_TO), name: "post.md"))
        #expect(!watcher.handle(descriptor: descriptor, mask: created | UInt32(IN_ISDIR), name: ".git"))
        #expect(watcher.watchedFolders == [content], "a hidden folder is not watched")
    }

    @Test func contentTypes() {
        #expect(MIMEType.forPath("/s/index.html") == "text/html; charset=utf-8")
        #expect(MIMEType.forPath("/s/a.CSS") == "text/css; charset=utf-8")
        #expect(MIMEType.forPath("/s/a.woff2") == "font/woff2")
        #expect(MIMEType.forPath("/s/a.wasm") == "application/wasm")
        #expect(MIMEType.forPath("/s/a.webp") == "image/webp")
        #expect(MIMEType.forPath("/s/a.jpg") == "image/jpeg")
        #expect(MIMEType.forPath("/s/.hidden") == "application/octet-stream")
        #expect(MIMEType.forPath("/s.d/LICENSE") == "application/octet-stream")
    }
}

@Suite struct FileWatcherTests {
    @Test func everyFolderIsWatchedAndAnOverflowRescans() throws {
        let root = NSTemporaryDirectory() + "prensa-watch-test-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root + "/content/posts", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: root + "/templates/partials", withIntermediateDirectories: true)
        let watcher = try FileWatcher(parent: root, roots: ["content", "templates"], debounce: .milliseconds(100)) {}
        #expect(
            watcher.watchedFolders == [
                root + "/content", root + "/content/posts", root + "/templates", root + "/templates/partials",
            ])
        // Folders made while events were being lost are found by the rescan.
        try FileManager.default.createDirectory(atPath: root + "/content/a/b", withIntermediateDirectories: true)
        #expect(watcher.handle(descriptor: -1, mask: UInt32(IN_Q_OVERFLOW), name: ""))
        #expect(watcher.watchedFolders.isSuperset(of: [root + "/content/a", root + "/content/a/b"]))
    }
}
