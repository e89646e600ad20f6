import Foundation
import Testing

@testable import Site

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// End-to-end builds through the real cmark-gfm and the real templates.
@Suite struct SiteBuildTests {
    /// The fixture blog in `Fixtures/blog`, copied next to the repository's templates.
    private func fixtureSite() throws -> TestSite {
        let site = try TestSite(config: nil)
        try FileManager.default.removeItem(atPath: site.root + "/content")
        try FileManager.default.copyItem(
            atPath: repositoryRoot + "/Tests/SiteTests/Fixtures/blog/content", toPath: site.root + "/content")
        return site
    }

    @Test func fixtureOutputMatchesGoldenFiles() throws {
        let site = try fixtureSite()
        defer { site.delete() }
        try site.build()
        let golden = repositoryRoot + "/Tests/SiteTests/Golden/blog"
        let record = ProcessInfo.processInfo.environment["PRENSA_RECORD_GOLDEN"] == "1"
        // Assets are the templates' own files (their hashed names are in every page).
        let output = try site.snapshot().filter { !$0.key.hasPrefix("assets/") }
        let expected = TestSite(existingRoot: golden).snapshotFolder()
        if record {
            try? FileManager.default.removeItem(atPath: golden)
            for (path, data) in output {
                let url = URL(fileURLWithPath: golden + "/" + path)
                try FileManager.default.createDirectory(
                    at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try data.write(to: url)
            }
            return
        }
        #expect(Set(output.keys) == Set(expected.keys), "set PRENSA_RECORD_GOLDEN=1 to record, then review the diff")
        for path in output.keys.sorted() where expected[path] != output[path] {
            Issue.record(
                "\(path) differs from Tests/SiteTests/Golden/blog/\(path); set PRENSA_RECORD_GOLDEN=1 to record, then review the diff"
            )
        }
    }

    @Test func twoBuildsAreByteIdentical() throws {
        let site = try fixtureSite()
        defer { site.delete() }
        try site.build(output: site.root + "/first")
        try site.build(output: site.root + "/second")
        let first = try site.snapshot("first")
        #expect(first.count > 10)
        #expect(first == (try site.snapshot("second")))
    }

    @Test func pagesOfEveryKindAreWritten() throws {
        let site = try fixtureSite()
        defer { site.delete() }
        let report = try site.build()
        #expect(report.posts == 3)
        for path in [
            "index.html", "page/2/index.html", "posts/escalonador/index.html", "posts/tres-trabalhos/index.html",
            "posts/script/index.html", "sobre/index.html", "tags/index.html", "tags/fundamentos/index.html",
            "tags/linux/index.html", "tags/tag/index.html", "series/index.html",
            "series/por-baixo-do-seu-programa/index.html", "arquivo/index.html", "404.html", "feed.xml",
            "feed.json", "sitemap.xml", "robots.txt",
        ] {
            #expect(site.exists(path), "missing \(path)")
        }
        #expect(!site.exists("posts/rascunho/index.html"))
        #expect(!site.exists("page/3/index.html"))
        // "Linux" and "linux" are one tag.
        let linux = try site.read("tags/linux/index.html")
        #expect(linux.contains("Os três trabalhos do sistema operacional"))
        #expect(linux.contains("Quem roda agora: o escalonador"))
    }

    @Test func postPagesCarryDatesTOCSeriesAndAnchors() throws {
        let site = try fixtureSite()
        defer { site.delete() }
        try site.build()
        let post = try site.read("posts/escalonador/index.html")
        #expect(post.hasPrefix("<!doctype html>\n<html lang=\"pt-BR\">"))
        #expect(post.contains("<time datetime=\"2026-03-10\">10 de março de 2026</time>"))
        #expect(post.contains("atualizado em <time datetime=\"2026-03-12\">12 de março de 2026</time>"))
        #expect(post.contains("1 min de leitura"))
        #expect(post.contains("<h2 id=\"politicas-classicas\">"))
        #expect(post.contains("<h2 id=\"politicas-classicas-1\">"))
        #expect(post.contains("<a href=\"#fifo-e-o-efeito-comboio\">FIFO e o efeito comboio</a>"))
        #expect(post.contains("Parte 2 de 2 da série"))
        #expect(
            post.contains(
                "<a rel=\"prev\" href=\"/blog/posts/tres-trabalhos/\">← Anterior: Os três trabalhos do sistema operacional</a>"
            ))
        #expect(!post.contains("rel=\"next\""))
        #expect(post.contains("<link rel=\"canonical\" href=\"https://exemplo.com.br/blog/posts/escalonador/\">"))
        #expect(post.contains("<sup class=\"footnote-ref\">"))
        let first = try site.read("posts/tres-trabalhos/index.html")
        #expect(
            first.contains(
                "<a rel=\"next\" href=\"/blog/posts/escalonador/\">Próxima: Quem roda agora: o escalonador →</a>"))
        #expect(first.contains("<time datetime=\"2026-03-01\">1º de março de 2026</time>"))
        #expect(first.contains("“três coisas”…"))
        #expect(first.contains("<!-- raw HTML omitted -->"))
        let series = try site.read("series/por-baixo-do-seu-programa/index.html")
        let firstIndex = try #require(series.range(of: "Os três trabalhos"))
        let secondIndex = try #require(series.range(of: "Quem roda agora"))
        #expect(firstIndex.lowerBound < secondIndex.lowerBound)
    }

    @Test func hostileTitlesAreEscapedEverywhere() throws {
        let site = try fixtureSite()
        defer { site.delete() }
        try site.build()
        for path in [
            "posts/script/index.html", "index.html", "page/2/index.html", "arquivo/index.html", "tags/tag/index.html",
            "feed.xml",
        ] {
            let text = try site.read(path)
            #expect(!text.contains("<script>alert"), "unescaped title in \(path)")
            #expect(!text.contains("<b>negrito"), "unescaped description in \(path)")
            #expect(!text.contains("<tag>"), "unescaped tag in \(path)")
            #expect(!text.contains("Blog de <teste>"), "unescaped site title in \(path)")
        }
        let page = try site.read("posts/script/index.html")
        #expect(page.contains("<h1>&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;aspas&quot;</h1>"))
        let json = try JSONSerialization.jsonObject(with: Data(try site.read("feed.json").utf8)) as? [String: Any]
        let items = try #require(json?["items"] as? [[String: Any]])
        #expect(items.contains { ($0["title"] as? String) == "<script>alert('x')</script> & \"aspas\"" })
        #expect((json?["title"] as? String) == "Blog de <teste> & \"aspas\"")
        // The Atom feed is well-formed XML.
        let parser = XMLParser(data: Data(try site.read("feed.xml").utf8))
        #expect(parser.parse(), "feed.xml is not well-formed: \(String(describing: parser.parserError))")
        let sitemap = XMLParser(data: Data(try site.read("sitemap.xml").utf8))
        #expect(sitemap.parse())
    }

    @Test func feedsAndSitemapTakeDatesFromThePosts() throws {
        let site = try fixtureSite()
        defer { site.delete() }
        try site.build()
        let atom = try site.read("feed.xml")
        #expect(atom.contains("<updated>2026-03-12T00:00:00-03:00</updated>"))
        #expect(atom.contains("<published>2026-03-10T09:30:00-03:00</published>"))
        #expect(atom.contains("<link href=\"https://exemplo.com.br/blog/feed.xml\" rel=\"self\""))
        #expect(atom.components(separatedBy: "<entry>").count - 1 == 3)
        let json = try site.read("feed.json")
        #expect(json.contains("\"version\":\"https://jsonfeed.org/version/1.1\""))
        #expect(json.contains("\"date_modified\":\"2026-03-12T00:00:00-03:00\""))
        let sitemap = try site.read("sitemap.xml")
        #expect(
            sitemap.contains(
                "<loc>https://exemplo.com.br/blog/posts/escalonador/</loc><lastmod>2026-03-12T00:00:00-03:00</lastmod>")
        )
        #expect(!sitemap.contains("404"))
        #expect(
            try site.read("robots.txt")
                == "User-agent: *\nAllow: /\n\nSitemap: https://exemplo.com.br/blog/sitemap.xml\n")
    }

    @Test func draftsAndBaseURLOverride() throws {
        let site = try fixtureSite()
        defer { site.delete() }
        let report = try site.build(drafts: true, baseURL: "http://localhost:8000")
        #expect(report.posts == 4)
        #expect(site.exists("posts/rascunho/index.html"))
        let home = try site.read("index.html")
        #expect(home.contains("href=\"/posts/rascunho/\""))
        #expect(home.contains("<link rel=\"canonical\" href=\"http://localhost:8000/\">"))
    }

    @Test func rawHTMLIsASiteSetting() throws {
        let body = "<aside class=\"nota\">Nota</aside>\n\n<script>alert(1)</script>\n"
        let safe = try TestSite()
        defer { safe.delete() }
        try safe.post("a", title: "A", date: "2026-11-27", body: body)
        try safe.build()
        let safeHTML = try safe.read("posts/a/index.html")
        #expect(!safeHTML.contains("<aside class=\"nota\">"))
        #expect(!safeHTML.contains("<script>alert"))
        let trusting = try TestSite(config: TestSite.defaultConfig + "raw_html: true\n")
        defer { trusting.delete() }
        try trusting.post("a", title: "A", date: "2026-11-27", body: body)
        try trusting.build()
        let rawHTML = try trusting.read("posts/a/index.html")
        #expect(rawHTML.contains("<aside class=\"nota\">Nota</aside>"))
        // GFM's tagfilter still disarms <script>.
        #expect(rawHTML.contains("&lt;script>alert(1)&lt;/script>"))
    }

    @Test func assetsAreHashedAndLinked() throws {
        let site = try fixtureSite()
        defer { site.delete() }
        try site.build()
        let assets = try FileManager.default.contentsOfDirectory(atPath: site.root + "/public/assets")
        let css = try #require(assets.first { $0.hasPrefix("style.") && $0.hasSuffix(".css") })
        #expect(css.count == "style.".count + 16 + ".css".count)
        #expect(try site.read("index.html").contains("<link rel=\"stylesheet\" href=\"/blog/assets/\(css)\">"))
    }

    @Test func staticFilesAreCopiedAndConflictsReported() throws {
        let site = try TestSite()
        defer { site.delete() }
        try site.post("a", title: "A", date: "2026-11-27")
        try site.write("content/imagens/diagrama.png", bytes: [0x89, 0x50, 0x4E, 0x47])
        try site.build()
        #expect(
            FileManager.default.contents(atPath: site.root + "/public/imagens/diagrama.png")
                == Data([0x89, 0x50, 0x4E, 0x47]))
        try site.write("content/robots.txt", "User-agent: *\n")
        try site.write("content/tags.md", "---\ntitle: Minhas tags\n---\n")
        let errors = site.failingBuild()
        #expect(
            errors == [
                "content/robots.txt: error: writes robots.txt in the output, which the generated robots.txt also writes; rename one of them",
                "content/tags.md: error: writes tags/index.html in the output, which the generated 'tags' page /tags/ also writes; rename one of them",
            ])
    }

    @Test func theRealSiteBuilds() throws {
        let output = NSTemporaryDirectory() + "prensa-real-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: output) }
        let report = try SiteBuilder.build(BuildOptions(source: repositoryRoot, output: output))
        #expect(report.pages >= 6)
        let about = try String(contentsOfFile: output + "/sobre/index.html", encoding: .utf8)
        #expect(about.contains("<html lang=\"pt-BR\">"))
        #expect(about.contains("Por baixo do seu programa"))
        #expect(about.contains("eBPF: programas dentro do kernel sem recompilar o kernel"))
    }

    @Test func newPostCreatesAValidDraftAndNeverOverwrites() throws {
        let site = try TestSite()
        defer { site.delete() }
        let today = Date(timeIntervalSince1970: 1_795_770_000)  // 2026-11-27T04:20:00Z, 01:20 in São Paulo
        let path = try NewPost.create(title: "Memória virtual é \"mentira\"", source: site.root, today: today)
        #expect(path.hasSuffix("content/posts/memoria-virtual-e-mentira.md"))
        let text = try String(
            contentsOfFile: site.root + "/content/posts/memoria-virtual-e-mentira.md", encoding: .utf8)
        #expect(text.contains("title: \"Memória virtual é \\\"mentira\\\"\"\ndate: 2026-11-27\n"))
        let report = try site.build(drafts: true)
        #expect(report.posts == 1)
        #expect(
            try site.read("posts/memoria-virtual-e-mentira/index.html").contains(
                "<h1>Memória virtual é &quot;mentira&quot;</h1>"))
        #expect(throws: BuildFailure.self) {
            try NewPost.create(title: "Memória virtual é \"mentira\"", source: site.root, today: today)
        }
        #expect(
            try String(contentsOfFile: site.root + "/content/posts/memoria-virtual-e-mentira.md", encoding: .utf8)
                == text)
    }
}

extension TestSite {
    /// A view of an existing folder, for reading golden files.
    init(existingRoot: String) {
        self.init(rootPath: existingRoot)
    }

    func snapshotFolder() -> [String: Data] {
        (try? snapshot("")) ?? [:]
    }
}

@Suite struct SeriesWindowTests {
    @Test func shortSeriesListEveryPart() {
        #expect(seriesWindow(count: 10, current: 4) == Array(0..<10))
        #expect(seriesWindow(count: 12, current: 0) == Array(0..<12))
    }

    @Test func longSeriesListTheEndsAndTheNeighbourhood() {
        #expect(seriesWindow(count: 30, current: 15) == [0, nil, 12, 13, 14, 15, 16, 17, 18, nil, 29])
        #expect(seriesWindow(count: 30, current: 0) == [0, 1, 2, 3, nil, 29])
        #expect(seriesWindow(count: 30, current: 29) == [0, nil, 26, 27, 28, 29])
        #expect(seriesWindow(count: 13, current: 6) == [0, nil, 3, 4, 5, 6, 7, 8, 9, nil, 12])
        #expect(seriesWindow(count: 13, current: 4) == [0, 1, 2, 3, 4, 5, 6, 7, nil, 12])
    }
}
