import Foundation
import Testing

@testable import Site

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// The hostile-input corpus: one small site per case, built through the real `SiteBuilder.build`,
/// each either built correctly or rejected with its exact `file:line:col` diagnostics, and never
/// writing anything outside the output folder (and the cache).
///
/// Bounds: every case here must finish within ``HostileInputTests/timeBound`` (the 50 MB post
/// within ``HostileInputTests/bigTimeBound``): generous limits that only catch hangs, in debug
/// builds on a shared machine. Times and peak memory are measured by `scripts/hostile-inputs.sh`,
/// which builds the same cases with the release `prensa` under `/usr/bin/time -v`.
@Suite struct HostileInputTests {
    static let timeBound = Duration.seconds(30)
    static let bigTimeBound = Duration.seconds(300)

    // MARK: - Encodings and line endings

    @Test func invalidUTF8IsReportedAtTheFirstBadByteInEveryKindOfFile() throws {
        let sandbox = try Sandbox()
        defer { sandbox.delete() }
        var post = Array("---\ntitle: A\ndate: 2026-11-27\ndescription: D.\n---\n\nUma linha.\nOutra, ".utf8)
        post += [0xC3, 0x28]  // a lead byte followed by an ASCII byte
        post += Array(" fim.\n".utf8)
        try sandbox.site.write("content/posts/a.md", bytes: post)
        try sandbox.site.write("content/sobre.md", bytes: Array("---\ntitle: Sobre\n---\n\nAté ".utf8) + [0xFF])
        try sandbox.site.write(
            "content/site.yml", bytes: Array(TestSite.defaultConfig.utf8) + Array("author: Jos".utf8) + [0xE9])
        try sandbox.expectRejected([
            "content/posts/a.md:8:8: error: file is not valid UTF-8; save it as UTF-8",
            "content/site.yml:8:12: error: file is not valid UTF-8; save it as UTF-8",
            "content/sobre.md:5:5: error: file is not valid UTF-8; save it as UTF-8",
        ])
    }

    @Test func aByteOrderMarkIsDroppedEverywhere() throws {
        let sandbox = try Sandbox()
        defer { sandbox.delete() }
        let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
        try sandbox.site.write("content/site.yml", bytes: bom + Array(TestSite.defaultConfig.utf8))
        try sandbox.site.write(
            "content/posts/a.md",
            bytes: bom + Array("---\ntitle: Com BOM\ndate: 2026-11-27\ndescription: D.\n---\nTexto.\n".utf8))
        try sandbox.site.write("content/sobre.md", bytes: bom + Array("---\ntitle: Sobre\n---\nTexto.\n".utf8))
        try sandbox.expectBuilt()
        #expect(try sandbox.site.read("posts/a/index.html").contains("<h1>Com BOM</h1>"))
        #expect(try sandbox.site.read("sobre/index.html").contains("<h1>Sobre</h1>"))
        for (path, data) in try sandbox.site.snapshot() {
            #expect(!String(decoding: data, as: UTF8.self).contains("\u{FEFF}"), "a BOM in \(path)")
        }
    }

    @Test func crlfAndLoneCRFilesGiveTheLinesAnEditorShows() throws {
        let sandbox = try Sandbox()
        defer { sandbox.delete() }
        // Windows (CRLF) and classic Mac (CR) line endings, with mistakes on known lines: in the
        // front matter, in the text and in a figure's spec.
        func windows(date: String, text: String, quantum: String) -> String {
            [
                "---", "title: Janelas", "date: \(date)", "description: D.", "---", "", text, "",
                "```sim scheduler", "title: T", "policy: rr", "quantum: \(quantum)", "jobs: [{name: A, length: 1}]",
                "```", "",
            ].joined(separator: "\r\n")
        }
        try sandbox.site.write("content/posts/data.md", windows(date: "2026-13-01", text: "Texto.", quantum: "1"))
        try sandbox.site.write(
            "content/posts/ref.md", windows(date: "2026-11-01", text: "Veja a @fig-x.", quantum: "1"))
        try sandbox.site.write("content/posts/spec.md", windows(date: "2026-11-02", text: "Texto.", quantum: "0"))
        let mac = ["---", "title: Mac", "date: 2026-11-27", "description: D.", "tgas: [x]", "---", "Texto."]
            .joined(separator: "\r")
        try sandbox.site.write("content/posts/mac.md", mac)
        try sandbox.expectRejected([
            "content/posts/data.md:3:7: error: 'date': month 13 does not exist in '2026-13-01'",
            "content/posts/mac.md:5:1: error: unknown key 'tgas' in front matter; did you mean 'tags'?",
            "content/posts/ref.md:7:8: error: no figure with id 'x' in this article; its figures are @fig-1",
            "content/posts/spec.md:12:10: error: 'quantum' must be between 0.000001 and 1000000000, not 0",
        ])
        // Fixed, the same files build, and no CR reaches the output.
        try sandbox.site.remove("content/posts/ref.md")
        try sandbox.site.remove("content/posts/spec.md")
        try sandbox.site.write("content/posts/data.md", windows(date: "2026-11-01", text: "Texto.", quantum: "1"))
        try sandbox.site.write("content/posts/mac.md", mac.replacingOccurrences(of: "tgas", with: "tags"))
        try sandbox.expectBuilt()
        let page = try sandbox.site.read("posts/data/index.html")
        #expect(page.contains("<h1>Janelas</h1>"))
        #expect(page.contains("<figure id=\"fig-1\""))
        #expect(!page.contains("\r"))
        #expect(try sandbox.site.read("tags/x/index.html").contains("Mac"))
    }

    // MARK: - Size and depth

    /// A 50 MB post (about 670,000 paragraphs of prose) builds, its text intact.
    @Test func aFiftyMegabytePostIsBuilt() throws {
        let sandbox = try Sandbox()
        defer { sandbox.delete() }
        let (post, paragraphs) = bigPost(bytes: 50_000_000)
        try sandbox.site.write("content/posts/grande.md", bytes: post)
        try sandbox.expectBuilt(within: Self.bigTimeBound)
        let page = try FileManager.default.attributesOfItem(atPath: sandbox.output + "/posts/grande/index.html")
        #expect((page[.size] as? Int ?? 0) > 50_000_000)
        let html = try sandbox.site.read("posts/grande/index.html")
        #expect(html.contains("<p>Parágrafo 0: Uma frase"))
        #expect(html.contains("<p>Parágrafo \(paragraphs - 1): Uma frase"))
    }

    @Test func tenThousandNestedBlockquotesAndListsAreBuilt() throws {
        let sandbox = try Sandbox()
        defer { sandbox.delete() }
        let depth = 10_000
        try sandbox.site.post(
            "citacoes", title: "Citações", date: "2026-11-27",
            body: String(repeating: "> ", count: depth) + "no fundo\n")
        try sandbox.site.post(
            "listas", title: "Listas", date: "2026-11-26", body: String(repeating: "- ", count: depth) + "no fundo\n")
        try sandbox.site.post(
            "enfase", title: "Ênfase", date: "2026-11-25",
            body: String(repeating: "*", count: depth) + "x" + String(repeating: "*", count: depth) + "\n\n"
                + String(repeating: "[", count: depth) + "x" + String(repeating: "]", count: depth) + "\n")
        try sandbox.expectBuilt()
        let quotes = try sandbox.site.read("posts/citacoes/index.html")
        #expect(quotes.components(separatedBy: "<blockquote>").count - 1 == depth)
        #expect(quotes.contains("<p>no fundo</p>"))
        let lists = try sandbox.site.read("posts/listas/index.html")
        #expect(lists.components(separatedBy: "<ul>").count - 1 >= depth)
        #expect(lists.contains("no fundo"))
    }

    /// One line of a million characters: built, and a mistake at its end has its exact column.
    @Test func aOneMegabyteLineIsBuiltAndItsColumnsCounted() throws {
        let sandbox = try Sandbox()
        defer { sandbox.delete() }
        let line = String(repeating: "palavra ", count: 125_000)  // 1,000,000 characters
        try sandbox.site.post("linha", title: "Linha", date: "2026-11-27", body: line + "fim @fig-nada\n")
        try sandbox.expectRejected([
            "content/posts/linha.md:7:1000005: error: no figure with id 'nada' in this article"
        ])
        try sandbox.site.post("linha", title: "Linha", date: "2026-11-27", body: line + "fim.\n")
        try sandbox.expectBuilt()
        #expect(try sandbox.site.read("posts/linha/index.html").contains(line.dropLast() + " fim.</p>"))
    }

    @Test func emptyFilesAreReported() throws {
        let sandbox = try Sandbox()
        defer { sandbox.delete() }
        try sandbox.site.write("content/posts/vazio.md", "")
        try sandbox.site.write("content/vazia.md", "")
        try sandbox.site.write("content/site.yml", "")
        try sandbox.site.write("templates/tag.mustache", "")
        try sandbox.expectRejected([
            "content/posts/vazio.md:1:1: error: missing front matter: start the file with a '---' line, then "
                + "'title:', 'date:' and 'description:', then '---'",
            "content/site.yml:1:1: error: site.yml is empty",
            "content/vazia.md:1:1: error: missing front matter: start the file with a '---' line, then 'title:', "
                + "'date:' and 'description:', then '---'",
        ])
    }

    // MARK: - YAML

    @Test func yamlBombsAreRejectedQuickly() throws {
        let sandbox = try Sandbox()
        defer { sandbox.delete() }
        // Billion laughs: nine levels of ten aliases each, the last used as a tag list and as a key.
        var laughs = ["title: &a0 Risos"]
        for level in 1...9 {
            laughs.append(
                "x\(level): &a\(level) [" + Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ") + "]")
        }
        try sandbox.site.write(
            "content/posts/risos.md",
            "---\n" + laughs.joined(separator: "\n")
                + "\ntags: *a9\n? *a9\n: chave\ndate: 2026-11-27\ndescription: D.\n---\n")
        // The same inside a figure spec.
        try sandbox.site.post(
            "figura", title: "Figura", date: "2026-11-27",
            body: "```sim scheduler\n" + laughs.joined(separator: "\n") + "\npolicy: rr\njobs: *a9\n```\n")
        // 10,000 nested lists.
        try sandbox.site.write(
            "content/posts/fundo.md",
            "---\ntitle: Fundo\ndate: 2026-11-27\ndescription: D.\ntags: " + String(repeating: "[", count: 10_000)
                + String(repeating: "]", count: 10_000) + "\n---\n")
        try sandbox.expectRejected([
            "content/posts/figura.md:15:10: error: YAML aliases here expand to more than 2000000 values; write the "
                + "values out",
            "content/posts/fundo.md:5:8: error: invalid YAML: lists and mappings nest more than 1000 levels deep",
            "content/posts/risos.md:9:10: error: YAML aliases here expand to more than 2000000 values; write the "
                + "values out",
        ])
    }

    // MARK: - Paths, slugs and tags

    @Test func pathEscapesInSlugsTagsAndSeriesStayInsideTheOutput() throws {
        let sandbox = try Sandbox()
        defer { sandbox.delete() }
        try sandbox.site.post("a", title: "A", date: "2026-11-27", extra: "slug: ../../etc/passwd\n")
        try sandbox.site.post("b", title: "B", date: "2026-11-27", extra: "slug: /tmp/x\n")
        try sandbox.site.post("c", title: "C", date: "2026-11-27", extra: "slug: ..\n")
        try sandbox.site.post("d", title: "D", date: "2026-11-27", extra: "slug: \"a\\\\..\\\\..\\\\b\"\n")
        try sandbox.site.write("content/sobre.md", "---\ntitle: Sobre\nslug: ../../fora\n---\n")
        try sandbox.site.write("content/..md", "---\ntitle: Ponto\n---\n")
        try sandbox.expectRejected([
            "content/posts/a.md:5:7: error: slug '../../etc/passwd' may contain only lowercase letters a–z, digits, "
                + "'-' and '_'; did you mean 'etcpasswd'?",
            "content/posts/b.md:5:7: error: slug '/tmp/x' may contain only lowercase letters a–z, digits, '-' and "
                + "'_'; did you mean 'tmpx'?",
            "content/posts/c.md:5:7: error: slug '..' may contain only lowercase letters a–z, digits, '-' and '_'",
            "content/posts/d.md:5:7: error: slug 'a\\..\\..\\b' may contain only lowercase letters a–z, digits, '-' "
                + "and '_'; did you mean 'ab'?",
            "content/sobre.md:3:7: error: slug '../../fora' may contain only lowercase letters a–z, digits, '-' and "
                + "'_'; did you mean 'fora'?",
        ])
        // Tags, series and file names are slugified, never used as paths.
        for name in ["a", "b", "c", "d"] { try sandbox.site.remove("content/posts/\(name).md") }
        try sandbox.site.remove("content/sobre.md")
        try sandbox.site.post(
            "e", title: "E", date: "2026-11-27", extra: "tags: [\"../../../etc/passwd\"]\nseries: \"../../x\"\n")
        try sandbox.site.write(
            "content/posts/%2e%2e%2fescape.md", "---\ntitle: F\ndate: 2026-11-27\ndescription: D.\n---\n")
        try sandbox.expectBuilt()
        #expect(sandbox.site.exists("tags/etcpasswd/index.html"))
        #expect(sandbox.site.exists("series/x/index.html"))
        #expect(sandbox.site.exists("posts/2e2e2fescape/index.html"))
    }

    @Test func twoPostsWithTheSameSlugAreBothNamed() throws {
        let sandbox = try Sandbox()
        defer { sandbox.delete() }
        try sandbox.site.post("igual", title: "A", date: "2026-11-27")
        try sandbox.site.post("outro", title: "B", date: "2026-11-28", extra: "slug: igual\n")
        try sandbox.site.post("Igual!", title: "C", date: "2026-11-29")
        try sandbox.expectRejected([
            "content/posts/igual.md:1:1: error: two posts have the slug 'igual' (URL /posts/igual/); give one a "
                + "different 'slug:'",
            "content/posts/Igual!.md:1:1: note: the other post with slug 'igual' is here",
            "content/posts/outro.md:5:7: error: two posts have the slug 'igual' (URL /posts/igual/); give one a "
                + "different 'slug:'",
            "content/posts/Igual!.md:1:1: note: the other post with slug 'igual' is here",
        ])
    }

    @Test func tagsAndSeriesThatSlugifyToNothingAreReported() throws {
        let sandbox = try Sandbox()
        defer { sandbox.delete() }
        try sandbox.site.post(
            "a", title: "A", date: "2026-11-27", extra: "tags: [\"!!!\", \"<>\", \"—\", ok]\nseries: \"???\"\n")
        try sandbox.site.write("content/posts/!!!.md", "---\ntitle: B\ndate: 2026-11-27\ndescription: D.\n---\n")
        try sandbox.expectRejected([
            "content/posts/!!!.md:1:1: error: the file name '!!!.md' gives an empty URL slug; add 'slug:' to the "
                + "front matter",
            "content/posts/a.md:5:8: error: tag '!!!' has no letters or digits to make its URL from",
            "content/posts/a.md:5:15: error: tag '<>' has no letters or digits to make its URL from",
            "content/posts/a.md:5:21: error: tag '—' has no letters or digits to make its URL from",
            "content/posts/a.md:6:9: error: series '???' has no letters or digits to make its URL from",
        ])
    }

    // MARK: - Escaping

    /// `<script>` and `"` in a title, a description, a tag, the site title and a figure's title:
    /// escaped in the HTML text, its attributes, the JSON-LD, both feeds, the sitemap and the SVG.
    @Test func markupInTitlesAndTagsIsEscapedEverywhere() throws {
        let sandbox = try Sandbox()
        defer { sandbox.delete() }
        let title = "<script>alert(\"x\")</script> & \"aspas\""
        try sandbox.site.write(
            "content/site.yml",
            TestSite.defaultConfig.replacingOccurrences(
                of: "title: Blog de teste", with: "title: '</script><script>alert(1)</script>'"))
        try sandbox.site.write(
            "content/posts/x.md",
            """
            ---
            title: '\(title)'
            date: 2026-11-27
            description: '"><img src=x onerror=alert(1)>'
            tags: ['<script>"tag"</script>']
            ---

            ```sim scheduler
            title: '<script>alert("svg")</script>'
            caption: 'Legenda </figcaption><script>'
            policy: fifo
            jobs: [{name: '<b>"A"</b>', length: 2}]
            ```

            """)
        try sandbox.expectBuilt()
        let files = try sandbox.site.snapshot().mapValues { String(decoding: $0, as: UTF8.self) }
        // JSON Feed strings are data, not markup: they keep the text as written (checked below).
        for (path, text) in files where !path.hasPrefix("assets/") && !path.hasSuffix(".json") {
            // The only <script> elements are the templates' own: the theme switch and the JSON-LD.
            for script in text.components(separatedBy: "<script").dropFirst() {
                #expect(
                    script.hasPrefix(" type=\"application/ld+json\">{")
                        || script.hasPrefix(">(function(){var d=document.documentElement"),
                    "an unexpected <script in \(path): \(script.prefix(60))")
            }
            #expect(!text.contains("<img src=x"), "unescaped description in \(path)")
            #expect(!text.contains("<b>\"A\"</b>"), "unescaped job name in \(path)")
        }
        let page = try #require(files["posts/x/index.html"])
        #expect(page.contains("<h1>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &quot;aspas&quot;</h1>"))
        #expect(page.contains("content=\"&quot;&gt;&lt;img src=x onerror=alert(1)&gt;\""))
        #expect(page.contains("<title id=\"fig-1-title\">&lt;script&gt;alert(&quot;svg&quot;)&lt;/script&gt;</title>"))
        #expect(page.contains("Legenda &lt;/figcaption&gt;&lt;script&gt;</figcaption>"))
        // The JSON-LD cannot end its <script> element early, and reads back as the title.
        let jsonLD = try #require(page.components(separatedBy: "<script type=\"application/ld+json\">").last)
        let json = try #require(jsonLD.components(separatedBy: "</script>").first)
        let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        #expect(object?["headline"] as? String == title)
        // Both feeds and the sitemap parse, and give the title back as written.
        let feed = try JSONSerialization.jsonObject(with: Data(try #require(files["feed.json"]).utf8)) as? [String: Any]
        let items = try #require(feed?["items"] as? [[String: Any]])
        #expect(items.first?["title"] as? String == title)
        #expect((items.first?["tags"] as? [String]) == ["<script>\"tag\"</script>"])
        for path in ["feed.xml", "sitemap.xml"] {
            let parser = XMLParser(data: Data(try #require(files[path]).utf8))
            #expect(parser.parse(), "\(path) is not well-formed")
        }
        #expect(
            try #require(files["feed.xml"]).contains(
                "<title>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &quot;aspas&quot;</title>"))
    }

    // MARK: - The file system

    @Test func symbolicLinksLeavingTheSiteLoopsAndFIFOsAreRefused() throws {
        let sandbox = try Sandbox()
        defer { sandbox.delete() }
        let content = sandbox.site.root + "/content"
        try sandbox.site.post("a", title: "A", date: "2026-11-27")
        let manager = FileManager.default
        try manager.createSymbolicLink(
            atPath: content + "/posts/segredo.md", withDestinationPath: "../../../outside/segredo.md")
        try manager.createSymbolicLink(atPath: content + "/senhas.txt", withDestinationPath: "/etc/passwd")
        try manager.createSymbolicLink(atPath: content + "/raiz", withDestinationPath: "/")
        try manager.createSymbolicLink(atPath: content + "/laco", withDestinationPath: ".")
        try manager.createSymbolicLink(atPath: content + "/quebrado", withDestinationPath: "nada")
        try manager.createSymbolicLink(
            atPath: sandbox.site.root + "/templates/partials/fora.mustache", withDestinationPath: "/etc/hostname")
        // A link that stays inside the site is followed.
        try manager.createSymbolicLink(atPath: content + "/copia.txt", withDestinationPath: "posts/a.md")
        #expect(mkfifo(content + "/fila.md", 0o644) == 0)
        try sandbox.expectRejected([
            "content/fila.md: error: not a regular file or folder (a FIFO, socket or device); remove it",
            "content/laco: error: symbolic link to '.', a folder the build already reads (a loop, or the same files "
                + "twice)",
            "content/posts/segredo.md: error: symbolic link to '../../../outside/segredo.md', outside the site "
                + "folder; copy what it points to into the site",
            "content/quebrado: error: symbolic link to 'nada', which does not exist",
            "content/raiz: error: symbolic link to '/', outside the site folder; copy what it points to into the site",
            "content/senhas.txt: error: symbolic link to '/etc/passwd', outside the site folder; copy what it points "
                + "to into the site",
            "templates/partials/fora.mustache: error: symbolic link to '/etc/hostname', outside the site folder; "
                + "copy what it points to into the site",
        ])
        for name in ["posts/segredo.md", "senhas.txt", "raiz", "laco", "quebrado", "fila.md"] {
            try sandbox.site.remove("content/" + name)
        }
        try sandbox.site.remove("templates/partials/fora.mustache")
        try sandbox.expectBuilt()
        #expect(try sandbox.site.read("copia.txt").hasPrefix("---\ntitle: A\n"))
    }

    // MARK: - Simulations

    /// The models stop at their limits (a million steps, a million time units, 1,000 jobs):
    /// the first case runs its million steps before it stops, about 10 s in a debug build.
    @Test func simulationsAskingForABillionStepsAreStoppedAtTheirLimits() throws {
        let sandbox = try Sandbox()
        defer { sandbox.delete() }
        try sandbox.site.post(
            "bilhao", title: "Bilhão", date: "2026-11-27",
            body: """
                ```sim scheduler
                title: Um bilhão de quanta
                policy: rr
                quantum: 0.000001
                jobs: [{name: A, length: 1000}, {name: B, length: 1000}]
                ```

                ```sim scheduler
                title: Um bilhão de ms
                policy: fifo
                jobs: [{name: A, length: 1000000000}]
                ```

                ```sim replacement
                title: Capacidade enorme
                capacity: 1000000000
                policy: lru
                references: [1, 2, 3]
                ```

                ```sim scheduler
                title: Mil e um processos
                policy: fifo
                jobs: [\(Array(repeating: "{length: 1}", count: 1001).joined(separator: ", "))]
                ```

                """)
        try sandbox.expectRejected([
            "content/posts/bilhao.md:8:1: error: the simulation needs more than 1000000 steps (at time 1); use "
                + "fewer or shorter jobs, or a longer quantum",
            "content/posts/bilhao.md:17:26: error: job \"A\": length 1000000000 is beyond the simulation's time "
                + "limit 1000000",
            "content/posts/bilhao.md:22:11: error: 'capacity' must be between 1 and 10000, not 1000000000",
            "content/posts/bilhao.md:30:7: error: 'jobs' has 1001 items; at most 1000 are allowed",
        ])
    }
}

/// The `prensa` executable on a site holding many hostile inputs at once: every mistake printed
/// like a compiler's, exit status 1, and the previous site left exactly as it was.
@Suite struct HostileCommandLineTests {
    @Test func everyMistakeIsPrintedAndThePreviousSiteIsKept() throws {
        let executable = prensaExecutable
        try #require(FileManager.default.isExecutableFile(atPath: executable), "build the prensa product first")
        let sandbox = try Sandbox()
        defer { sandbox.delete() }
        try sandbox.site.post("bom", title: "Bom", date: "2026-11-27")
        let good = try runWithDeadline(executable, ["build", "--quiet"], in: sandbox.site.root)
        #expect(good.status == 0, "\(good.stderr)")
        let before = try sandbox.site.snapshot()
        let outside = sandbox.fingerprint()

        try sandbox.site.write("content/posts/latin1.md", bytes: Array("---\ntitle: Ol".utf8) + [0xE1])
        try sandbox.site.write(
            "content/posts/risos.md",
            "---\ntitle: &a A\nx: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
                + (1...8).map {
                    "x\($0): &b\($0) ["
                        + Array(repeating: $0 == 1 ? "*b" : "*b\($0 - 1)", count: 10)
                        .joined(separator: ", ") + "]"
                }.joined(separator: "\n") + "\n---\n")
        try sandbox.site.post("fuga", title: "Fuga", date: "2026-11-27", extra: "slug: ../../etc/passwd\n")
        try sandbox.site.write("content/posts/vazio.md", "")
        try FileManager.default.createSymbolicLink(
            atPath: sandbox.site.root + "/content/senhas.txt", withDestinationPath: "/etc/passwd")
        #expect(mkfifo(sandbox.site.root + "/content/posts/fila.md", 0o644) == 0)
        let bad = try runWithDeadline(executable, ["build"], in: sandbox.site.root)
        #expect(bad.status == 1)
        #expect(
            bad.stderr == """
                content/posts/fila.md: error: not a regular file or folder (a FIFO, socket or device); remove it
                content/posts/fuga.md:5:7: error: slug '../../etc/passwd' may contain only lowercase letters a–z, digits, '-' and '_'; did you mean 'etcpasswd'?
                content/posts/latin1.md:2:10: error: file is not valid UTF-8; save it as UTF-8
                content/posts/risos.md:9:10: error: YAML aliases here expand to more than 2000000 values; write the values out
                content/posts/vazio.md:1:1: error: missing front matter: start the file with a '---' line, then 'title:', 'date:' and 'description:', then '---'
                content/senhas.txt: error: symbolic link to '/etc/passwd', outside the site folder; copy what it points to into the site
                6 errors; nothing was written

                """)
        #expect(try sandbox.site.snapshot() == before)
        #expect(
            sandbox.fingerprint().filter { !$0.key.hasPrefix("site/content/") }
                == outside.filter {
                    !$0.key.hasPrefix("site/content/")
                })
    }

    /// Runs `executable`, killing it (and failing) if it is still running after `seconds`.
    private func runWithDeadline(
        _ executable: String, _ arguments: [String], in directory: String, seconds: Double = 60
    ) throws -> (status: Int32, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.environment = ProcessInfo.processInfo.environment.merging(["PRENSA_PYTHON": venvPython]) { $1 }
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        // What it prints fits in the pipe: read it once it has exited.
        let deadline = ContinuousClock.now + .milliseconds(Int64(seconds * 1000))
        while process.isRunning && ContinuousClock.now < deadline { usleep(20_000) }
        if process.isRunning {
            process.terminate()
            Issue.record("prensa \(arguments.joined(separator: " ")) ran for more than \(seconds) s")
        }
        process.waitUntilExit()
        let stderr = errors.fileHandleForReading.readDataToEndOfFile()
        return (process.terminationStatus, String(decoding: stderr, as: UTF8.self))
    }
}

/// Hostile ```` ```swift sim ```` blocks: one that forks children which leave its session
/// (`setsid`) and sleep for ever and then returns its figure, one that does the same and sleeps
/// for ever itself (Linux: the PID namespace of each block run kills them). Slow: it compiles a Swift
/// package (20+ s the first time; the package is shared with `SwiftSimSiteTests`).
@Suite(.serialized) struct HostileSwiftSimTests {
    /// Children rename themselves to this (`/proc/self/comm`), so the test can look for them.
    static let childName = "prensa-hostil"

    /// What the blocks' children do to escape their block's process group: leave its session,
    /// when the system gives each block a PID namespace (the same check as `unshare` with a
    /// mount of /proc, what the runner does), which then stops them; else nothing, so the
    /// process group kill is what is tested.
    static let leaveSession: String = {
        let probe = Process()
        probe.executableURL = URL(fileURLWithPath: "/usr/bin/unshare")
        probe.arguments = ["--pid", "--fork", "--mount-proc", "/bin/true"]
        probe.standardOutput = FileHandle.nullDevice
        probe.standardError = FileHandle.nullDevice
        guard (try? probe.run()) != nil else { return "" }
        probe.waitUntilExit()
        guard probe.terminationStatus == 0 else {
            print("HostileSwiftSimTests: no PID namespaces here; the children stay in their process group")
            return ""
        }
        return "_ = setsid()"
    }()

    @Test func forkedChildrenDoNotOutliveTheirBlockOrItsTimeLimit() throws {
        let sandbox = try Sandbox()
        defer { sandbox.delete() }
        try sandbox.site.write("content/site.yml", TestSite.defaultConfig + "swift_sim_timeout: 2\n")
        // Each block closes the function Prensa wraps it in to import Glibc at file scope.
        func block(_ id: String, _ parentEnd: String) -> String {
            """
            ```swift sim
            id: \(id)
            title: Processos filhos
            ---
            return \(id)Figure()
            }

            import Glibc

            private func \(id)Figure() -> Figure {
                for _ in 0..<4 {
                    if fork() == 0 {
                        // Out of the block's process group and session, out of reach of killpg.
                        \(Self.leaveSession)
                        let fd = open("/proc/self/comm", O_WRONLY)
                        _ = write(fd, "\(Self.childName)", \(Self.childName.utf8.count))
                        while true { sleep(1000) }
                    }
                }
                \(parentEnd)
            ```

            """
        }
        let returns =
            "var timeline = Timeline(unit: \"ms\")\n    timeline.add(\"A\", from: 0, to: 1)\n    return .timeline(timeline)"
        try sandbox.site.post(
            "garfos", title: "Garfos", date: "2026-11-27",
            body: block("garfo", returns) + "\n" + block("dorme", "while true { sleep(1000) }"))
        var options = BuildOptions(source: sandbox.site.root, output: sandbox.output, search: .disabled)
        options.swiftSimDirectory = sharedSwiftSimPackage
        let start = ContinuousClock.now
        do {
            _ = try SiteBuilder.build(options)
            Issue.record("the build succeeded but should have failed")
        } catch {
            #expect(
                error.diagnostics.map(\.description).map {
                    $0.replacingOccurrences(of: sandbox.site.root + "/", with: "")
                } == [
                    "content/posts/garfos.md:31:1: error: swift sim block 'dorme' ran past its time limit of 2 s and "
                        + "was stopped; 'swift_sim_timeout' in content/site.yml sets the limit"
                ])
        }
        // Compiling takes most of it; running is bounded by the 2 s limit and 2 s of draining.
        #expect(ContinuousClock.now - start < .seconds(600))
        #expect(!FileManager.default.fileExists(atPath: sandbox.output))
        #expect(Self.liveChildren().isEmpty, "children left running: \(Self.liveChildren())")
        // Without the endless block the site builds, with the other block's figure.
        try sandbox.site.post("garfos", title: "Garfos", date: "2026-11-27", body: block("garfo", returns))
        _ = try SiteBuilder.build(options)
        #expect(try sandbox.site.read("posts/garfos/index.html").contains("<figure id=\"fig-garfo\""))
        #expect(Self.liveChildren().isEmpty)
    }

    /// `prensa sim swift` killed with SIGKILL while a block runs (a build killed, a Ctrl-C): the
    /// block's runner, the block and what it forked into a new session end with it, rather than
    /// sleep for ever with nobody left to stop them.
    @Test func blocksDieWithAKilledPrensa() throws {
        let executable = prensaExecutable
        try #require(FileManager.default.isExecutableFile(atPath: executable), "build the prensa product first")
        let name = "prensa-orfao"
        defer { for pid in Self.live(named: name, waiting: false) { kill(pid_t(pid) ?? 0, SIGKILL) } }
        let folder = NSTemporaryDirectory() + "prensa-orphans-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let post = """
            ---
            title: Órfãos
            date: 2026-11-27
            description: Um bloco que nunca termina.
            ---
            ```swift sim
            id: orfao
            title: Órfãos
            ---
            return orphanFigure()
            }

            import Glibc

            private func rename() {
                let fd = open("/proc/self/comm", O_WRONLY)
                _ = write(fd, "\(name)", \(name.utf8.count))
            }

            private func orphanFigure() -> Figure {
                if fork() == 0 {
                    \(Self.leaveSession)
                    rename()
                    while true { sleep(1000) }
                }
                rename()
                while true { sleep(1000) }
            ```

            """
        try Data(post.utf8).write(to: URL(fileURLWithPath: folder + "/orfaos.md"))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["sim", "swift", folder + "/orfaos.md", "--source", sharedSwiftSimSite]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Compiling comes first (minutes when cold); then the block and its child show up.
        let deadline = ContinuousClock.now + .seconds(600)
        while Self.live(named: name, waiting: false).count < 2 && process.isRunning && ContinuousClock.now < deadline {
            usleep(50_000)
        }
        try #require(Self.live(named: name, waiting: false).count == 2, "the block never ran")
        kill(process.processIdentifier, SIGKILL)
        // Checked before waiting for Prensa's end: Foundation's wait also waits for every process
        // holding a descriptor Prensa inherited from it, as the orphans would.
        #expect(Self.live(named: name).isEmpty, "left running: \(Self.live(named: name))")
        for pid in Self.live(named: name, waiting: false) { kill(pid_t(pid) ?? 0, SIGKILL) }
        process.waitUntilExit()
    }

    /// Processes named ``childName`` that are not zombies, after waiting a little for SIGKILL.
    static func liveChildren() -> [String] { live(named: childName) }

    /// Processes named `name` that are not zombies; `waiting`, after up to 2 s for them to end.
    static func live(named name: String, waiting: Bool = true) -> [String] {
        var live: [String] = []
        for _ in 0..<(waiting ? 20 : 1) {
            live = ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).filter { pid in
                guard pid.allSatisfy(\.isNumber),
                    let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)
                else { return false }
                return stat.contains("(\(name))") && !stat.contains(") Z ")
            }
            if live.isEmpty { break }
            usleep(100_000)
        }
        return live
    }
}

// MARK: - Helpers

/// A folder holding a test site (`site/`) and a file outside it (`outside/segredo.md`), to check
/// that a build writes nothing but its output folder and its cache.
struct Sandbox {
    let folder: String
    let site: TestSite

    var output: String { site.root + "/public" }

    init() throws {
        folder = NSTemporaryDirectory() + "prensa-hostile-" + UUID().uuidString
        let manager = FileManager.default
        try manager.createDirectory(atPath: folder + "/outside", withIntermediateDirectories: true)
        try Data("---\ntitle: Segredo\ndate: 2026-11-27\ndescription: D.\n---\nSegredo.\n".utf8)
            .write(to: URL(fileURLWithPath: folder + "/outside/segredo.md"))
        let made = try TestSite()
        try manager.moveItem(atPath: made.root, toPath: folder + "/site")
        site = TestSite(rootPath: folder + "/site")
    }

    func delete() {
        try? FileManager.default.removeItem(atPath: folder)
    }

    /// Every path in the sandbox outside the output folder and the cache, with its type, size
    /// and modification time for files (symbolic links are not followed).
    func fingerprint() -> [String: String] {
        var result: [String: String] = [:]
        var pending = [""]
        while let relative = pending.popLast() {
            let absolute = relative.isEmpty ? folder : folder + "/" + relative
            for name in (try? FileManager.default.contentsOfDirectory(atPath: absolute)) ?? [] {
                let child = relative.isEmpty ? name : relative + "/" + name
                if child == "site/public" || child == "site/.prensa-cache" { continue }
                var info = stat()
                guard lstat(folder + "/" + child, &info) == 0 else { continue }
                if info.st_mode & S_IFMT == S_IFDIR {
                    // A folder's own time changes with the staging folder made next to the output.
                    result[child] = "folder"
                    pending.append(child)
                } else {
                    result[child] = "\(info.st_mode) \(info.st_size) \(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec)"
                }
            }
        }
        return result
    }

    /// Builds and expects success within `bound`, writing only the output folder and the cache.
    func expectBuilt(
        within bound: Duration = HostileInputTests.timeBound, sourceLocation: Testing.SourceLocation = #_sourceLocation
    ) throws {
        let before = fingerprint()
        let start = ContinuousClock.now
        do {
            try site.build(useCache: false)
        } catch {
            Issue.record("the build failed: \(error)", sourceLocation: sourceLocation)
        }
        let elapsed = ContinuousClock.now - start
        #expect(elapsed < bound, "took \(elapsed)", sourceLocation: sourceLocation)
        #expect(fingerprint() == before, "the build wrote outside its output folder", sourceLocation: sourceLocation)
    }

    /// Builds and expects exactly `diagnostics`, within `bound`, with the output folder (if any) left
    /// as it was and nothing written elsewhere.
    func expectRejected(
        _ diagnostics: [String], within bound: Duration = HostileInputTests.timeBound,
        sourceLocation: Testing.SourceLocation = #_sourceLocation
    ) throws {
        let before = fingerprint()
        let output = try site.snapshot()
        let start = ContinuousClock.now
        let result = site.failingBuild()
        let elapsed = ContinuousClock.now - start
        #expect(result == diagnostics, sourceLocation: sourceLocation)
        #expect(elapsed < bound, "took \(elapsed)", sourceLocation: sourceLocation)
        #expect(fingerprint() == before, "the build wrote outside its output folder", sourceLocation: sourceLocation)
        #expect(try site.snapshot() == output, "a failed build changed the output", sourceLocation: sourceLocation)
    }
}

/// A post of about `bytes` bytes: numbered paragraphs of Portuguese prose, and how many.
func bigPost(bytes: Int) -> (text: [UInt8], paragraphs: Int) {
    var text = Array("---\ntitle: Grande\ndate: 2026-11-27\ndescription: Um post enorme.\n---\n\n".utf8)
    text.reserveCapacity(bytes + 200)
    let sentence = Array(" Uma frase comum sobre memória virtual e escalonadores.\n\n".utf8)
    var number = 0
    while text.count < bytes {
        text += Array("Parágrafo \(number):".utf8)
        text += sentence
        number += 1
    }
    return (text, number)
}
