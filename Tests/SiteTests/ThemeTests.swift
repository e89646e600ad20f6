import Foundation
import Testing

@testable import Site

/// A Python with Pagefind installed: `PRENSA_PYTHON`, else the repository's `.prensa-venv`
/// (made by `scripts/install-deps.sh`, which `make test` runs first).
private let pagefindPython: String? = {
    let candidates = [
        ProcessInfo.processInfo.environment["PRENSA_PYTHON"], repositoryRoot + "/.prensa-venv/bin/python",
    ]
    for case let python? in candidates where FileManager.default.isExecutableFile(atPath: python) {
        if case .found = Pagefind.locate(.python(python), siteRoot: repositoryRoot, environment: [:]) {
            return python
        }
    }
    return nil
}()

/// The hostile title the metadata must survive.
private let hostileTitle = "</script><script>alert(1)</script> \"aspas\" & 'apóstrofo' <!--"

/// The text of `<script type="application/ld+json">` up to the first `</script>`, as a browser
/// would cut it.
private func jsonLD(in html: String) throws -> String {
    let open = try #require(html.range(of: "<script type=\"application/ld+json\">"))
    let close = try #require(html.range(of: "</script>", range: open.upperBound..<html.endIndex))
    return String(html[open.upperBound..<close.lowerBound])
}

private func parseObject(_ text: String) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
}

@Suite struct SearchPageTests {
    @Test func theSearchPageExistsIsLinkedFromEveryPageAndIsInTheSitemap() throws {
        let site = try TestSite()
        defer { site.delete() }
        try site.post("a", title: "A", date: "2026-11-27")
        try site.write("content/sobre.md", "---\ntitle: Sobre\n---\n\nTexto.\n")
        try site.build(baseURL: "https://exemplo.com.br/blog/")
        let search = try site.read("busca/index.html")
        #expect(search.contains("<title>Busca — Blog de teste</title>"))
        #expect(search.contains("<h1 id=\"busca-titulo\">Busca</h1>"))
        for page in ["index.html", "posts/a/index.html", "sobre/index.html", "busca/index.html", "404.html"] {
            #expect(
                try site.read(page).contains("<li><a href=\"/blog/busca/\">Busca</a></li>"),
                "no link to /busca/ in \(page)")
        }
        #expect(try site.read("sitemap.xml").contains("<loc>https://exemplo.com.br/blog/busca/</loc>"))
        // No index: the page says so, and links to no Pagefind file.
        #expect(search.contains("A busca não está disponível nesta versão do site."))
        #expect(!search.contains("pagefind"))
    }

    @Test func withoutPagefindTheBuildSucceedsAndNotesItOnce() throws {
        let site = try TestSite()
        defer { site.delete() }
        try site.post("a", title: "A", date: "2026-11-27")
        try site.post("b", title: "B", date: "2026-11-28")
        let report = try site.build(search: .python("/nonexistent"))
        #expect(report.notes.count == 1)
        #expect(report.notes.first?.hasPrefix("search index skipped: no Python '/nonexistent'") == true)
        #expect(!report.searchIndexed)
        #expect(site.exists("posts/a/index.html"))
        #expect(!site.exists("pagefind"))
        #expect(try site.read("busca/index.html").contains("A busca não está disponível"))
        // A Python that runs but has no Pagefind ('/bin/true' prints nothing): the same one note.
        let withoutPackage = try site.build(search: .python("/bin/true"))
        #expect(
            withoutPackage.notes == [
                "search index skipped: Pagefind is not installed for /bin/true (from the build options); run scripts/install-deps.sh, or set PRENSA_PYTHON to a Python with pagefind[bin]==1.5.2"
            ])
        // Turned off on purpose: no note.
        #expect(try site.build(search: .disabled).notes.isEmpty)
    }

    @Test func pythonIsFoundThroughPRENSAPYTHONThenTheVenvThenThePath() throws {
        let site = try TestSite()
        defer { site.delete() }
        guard
            case .unavailable(let why) = Pagefind.locate(
                .automatic, siteRoot: site.root, environment: ["PRENSA_PYTHON": "/nonexistent", "PATH": "/usr/bin"])
        else {
            Issue.record("a missing PRENSA_PYTHON must make the search unavailable")
            return
        }
        #expect(why.contains("'/nonexistent' (from PRENSA_PYTHON)"))
        // A venv in the site root comes before the PATH.
        try site.write(".prensa-venv/bin/python", "#!/bin/sh\nexit 1\n")
        try FileManager.default.setAttributes(
            [.posixPermissions: 0o755], ofItemAtPath: site.root + "/.prensa-venv/bin/python")
        guard case .unavailable(let venvWhy) = Pagefind.locate(.automatic, siteRoot: site.root, environment: [:])
        else {
            Issue.record("a venv without Pagefind must make the search unavailable")
            return
        }
        #expect(venvWhy.contains(site.root + "/.prensa-venv/bin/python (from the site's .prensa-venv)"))
        try site.remove(".prensa-venv")
        guard
            case .unavailable(let pathWhy) = Pagefind.locate(
                .automatic, siteRoot: site.root, environment: ["PATH": "/nonexistent-folder"])
        else {
            Issue.record("no python3 on the PATH must make the search unavailable")
            return
        }
        #expect(pathWhy.contains("no Python 'python3' (from the PATH)"))
        #expect(Pagefind.executablePath("sh", path: "/nonexistent:/bin") == "/bin/sh")
    }

    @Test(.enabled(if: pagefindPython != nil, "needs Pagefind: run scripts/install-deps.sh"))
    func withPagefindTheSiteIsIndexedBeforeTheSwap() throws {
        let python = try #require(pagefindPython)
        let site = try TestSite()
        defer { site.delete() }
        try site.post("memoria", title: "Memória virtual", date: "2026-11-27", body: "A memória virtual mente.\n")
        try site.post("rede", title: "Rede", date: "2026-11-28", body: "Pacotes.\n")
        let report = try site.build(search: .python(python))
        #expect(report.searchIndexed)
        #expect(report.notes.isEmpty)
        #expect(report.phases.map(\.name).contains("search"))
        for file in ["pagefind.js", "pagefind-ui.js", "pagefind-ui.css", "pagefind-entry.json"] {
            #expect(site.exists("pagefind/" + file), "missing pagefind/\(file)")
        }
        // One index, in the site's language.
        let entry = try parseObject(try site.read("pagefind/pagefind-entry.json"))
        let languages = try #require(entry["languages"] as? [String: Any])
        #expect(Array(languages.keys) == ["pt-br"])
        let search = try site.read("busca/index.html")
        #expect(search.contains("<link rel=\"stylesheet\" href=\"/pagefind/pagefind-ui.css\">"))
        #expect(search.contains("<script src=\"/pagefind/pagefind-ui.js\"></script>"))
        #expect(
            search.contains("<div id=\"busca\" class=\"search\" data-bundle-path=\"/pagefind/\" data-base-url=\"/\">"))
        #expect(
            search.contains("<noscript><p class=\"search-note\">A busca roda no seu navegador e precisa de JavaScript.")
        )
        #expect(!search.contains("não está disponível"))
        #expect(search.contains("<p class=\"search-intro\" id=\"busca-ajuda\">"))
        let assets = try FileManager.default.contentsOfDirectory(atPath: site.root + "/public/assets")
        let script = try #require(assets.first { $0.hasPrefix("search.") && $0.hasSuffix(".js") })
        #expect(search.contains("<script src=\"/assets/\(script)\"></script>"))
    }

    @Test func postBodiesAreWhatPagefindIndexes() throws {
        let site = try TestSite()
        defer { site.delete() }
        try site.post(
            "a", title: "A", date: "2026-11-27", extra: "tags: [kernel]\nseries: S\npart: 1\n",
            body: "## Um\n\nTexto.\n\n## Dois\n\nMais texto.\n")
        try site.build()
        let post = try site.read("posts/a/index.html")
        #expect(post.contains("<article class=\"post\" data-pagefind-body>"))
        #expect(post.contains("<p class=\"post-meta\" data-pagefind-ignore>"))
        #expect(post.contains("<ul class=\"tags\" aria-label=\"Tags\" data-pagefind-ignore>"))
        #expect(post.contains("<aside class=\"series-box\" aria-label=\"Série\" data-pagefind-ignore>"))
        #expect(post.contains("<nav class=\"toc\" aria-labelledby=\"sumario-titulo\" data-pagefind-ignore>"))
        // Only posts carry the attribute, so Pagefind leaves every other page out.
        for page in ["index.html", "tags/kernel/index.html", "busca/index.html", "series/s/index.html"] {
            #expect(!(try site.read(page)).contains("data-pagefind-body"), "\(page) would be indexed")
        }
    }

    @Test func theSearchIndexFolderIsReserved() throws {
        let site = try TestSite()
        defer { site.delete() }
        try site.post("a", title: "A", date: "2026-11-27")
        try site.write("content/pagefind/pagefind.js", "// mine\n")
        #expect(
            site.failingBuild() == [
                "content/pagefind/pagefind.js: error: writes pagefind/pagefind.js in the output, inside pagefind/, where the search index goes; rename it"
            ])
    }
}

@Suite struct ThemeToggleTests {
    @Test func everyPageHasTheToggleAndAppliesTheStoredThemeBeforePainting() throws {
        let site = try TestSite()
        defer { site.delete() }
        try site.post("a", title: "A", date: "2026-11-27")
        try site.build()
        for page in ["index.html", "posts/a/index.html", "busca/index.html", "404.html"] {
            let html = try site.read(page)
            #expect(
                html.contains(
                    "<button type=\"button\" class=\"theme-toggle\" aria-label=\"Alternar tema claro/escuro\" title=\"Alternar tema claro/escuro\">"
                ), "no toggle in \(page)")
            // The script runs in <head>, before the stylesheet and the body: no flash of the other theme.
            let head = try #require(html.range(of: "</head>")).lowerBound
            let script = try #require(html.range(of: "<script>(function(){"))
            #expect(script.lowerBound < head)
            #expect(script.lowerBound < (try #require(html.range(of: "rel=\"stylesheet\""))).lowerBound)
            let code = html[script.lowerBound..<(try #require(html.range(of: "</script>"))).upperBound]
            #expect(code.contains("localStorage.getItem(k)"))
            #expect(code.contains("d.setAttribute(\"data-theme\",t)"))
            #expect(code.contains("localStorage.setItem(k,n)"))
            #expect(code.contains("classList.add(\"js\")"))
            // Nothing loaded from another host.
            #expect(!html.contains("src=\"http"))
        }
    }

    /// Every colour has its dark value twice, identical: for a dark system (unless the reader chose
    /// light) and for a reader who chose dark. Without JavaScript the toggle is hidden.
    @Test func theStylesheetHasBothDarkBlocksForEveryColour() throws {
        let css = try String(contentsOfFile: repositoryRoot + "/templates/assets/style.css", encoding: .utf8)
        func block(after selector: String) throws -> [String: String] {
            let start = try #require(css.range(of: selector + " {"), "no '\(selector)' block")
            let end = try #require(css.range(of: "}", range: start.upperBound..<css.endIndex))
            var properties: [String: String] = [:]
            for declaration in css[start.upperBound..<end.lowerBound].split(separator: ";") {
                let parts = declaration.split(separator: ":", maxSplits: 1)
                let name = parts[0].trimmingCharacters(in: .whitespacesAndNewlines)
                guard parts.count == 2, name.hasPrefix("--") else { continue }
                properties[name] = parts[1].trimmingCharacters(in: .whitespacesAndNewlines)
            }
            return properties
        }
        let light = try block(after: "\n:root")
        let systemDark = try block(after: ":root:not([data-theme=\"light\"])")
        let chosenDark = try block(after: ":root[data-theme=\"dark\"]")
        #expect(css.contains("@media (prefers-color-scheme: dark) {\n  :root:not([data-theme=\"light\"]) {"))
        let colours = light.filter { $0.value.hasPrefix("#") }.keys
        #expect(colours.count > 20)
        #expect(colours.contains("--fig-c1"))
        for name in colours.sorted() {
            #expect(systemDark[name] != nil, "\(name) has no dark value under prefers-color-scheme")
            #expect(chosenDark[name] != nil, "\(name) has no dark value under [data-theme=dark]")
        }
        #expect(systemDark == chosenDark)
        #expect(css.contains(".theme-toggle { display: none; }"))
        #expect(css.contains(".js .theme-toggle {"))
    }
}

@Suite struct MetadataTests {
    private func hostileSite() throws -> TestSite {
        let site = try TestSite()
        try site.write(
            "content/posts/hostil.md",
            """
            ---
            title: '\(hostileTitle.replacingOccurrences(of: "'", with: "''"))'
            date: 2026-03-10T09:30:00-03:00
            updated: 2026-03-12
            description: "Descrição com </script> e \\"aspas\\" & <b>tags</b>."
            tags: [kernel, "</script>"]
            ---

            Texto.
            """)
        return site
    }

    @Test func jsonLDParsesAndSurvivesAHostileTitle() throws {
        let site = try hostileSite()
        defer { site.delete() }
        try site.build(baseURL: "https://exemplo.com.br/blog/")
        let html = try site.read("posts/hostil/index.html")
        // Cut where a browser would end the script element: the whole object must be before it.
        let text = try jsonLD(in: html)
        #expect(!text.contains("<"))
        let object = try parseObject(text)
        #expect(object["@context"] as? String == "https://schema.org")
        #expect(object["@type"] as? String == "BlogPosting")
        #expect(object["headline"] as? String == hostileTitle)
        #expect(object["description"] as? String == "Descrição com </script> e \"aspas\" & <b>tags</b>.")
        #expect(object["datePublished"] as? String == "2026-03-10T09:30:00-03:00")
        #expect(object["dateModified"] as? String == "2026-03-12T00:00:00-03:00")
        #expect(object["inLanguage"] as? String == "pt-BR")
        #expect(object["url"] as? String == "https://exemplo.com.br/blog/posts/hostil/")
        #expect(object["keywords"] as? String == "kernel, </script>")
        let author = try #require(object["author"] as? [String: Any])
        #expect(author["@type"] as? String == "Person")
        #expect(author["name"] as? String == "Equipe de testes")
        let mainEntity = try #require(object["mainEntityOfPage"] as? [String: Any])
        #expect(mainEntity["@id"] as? String == "https://exemplo.com.br/blog/posts/hostil/")
        // Exactly one script element holds it, and no script element is opened by the title.
        #expect(html.components(separatedBy: "<script").count - 1 == 2)

        let home = try site.read("index.html")
        let website = try parseObject(try jsonLD(in: home))
        #expect(website["@type"] as? String == "WebSite")
        #expect(website["name"] as? String == "Blog de teste")
        #expect(website["url"] as? String == "https://exemplo.com.br/blog/")
        #expect(website["inLanguage"] as? String == "pt-BR")
        // Other pages have none.
        #expect(!(try site.read("tags/index.html")).contains("application/ld+json"))
    }

    @Test func scriptSafeJSONHasNoMarkupCharacters() throws {
        let value = JSON.object(["a": .string("</script><!-- & >"), "b": .array([.string("<")])])
        let text = JSON.scriptSafe(value)
        #expect(text == #"{"a":"\u003c/script\u003e\u003c!-- \u0026 \u003e","b":["\u003c"]}"#)
        let object = try parseObject(text)
        #expect(object["a"] as? String == "</script><!-- & >")
    }

    @Test func openGraphAndTwitterTagsAreEscaped() throws {
        let site = try hostileSite()
        defer { site.delete() }
        try site.build(baseURL: "https://exemplo.com.br/blog/")
        let html = try site.read("posts/hostil/index.html")
        let title =
            "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt; &quot;aspas&quot; &amp; &#39;apóstrofo&#39; &lt;!--"
        let description = "Descrição com &lt;/script&gt; e &quot;aspas&quot; &amp; &lt;b&gt;tags&lt;/b&gt;."
        for tag in [
            "<meta property=\"og:type\" content=\"article\">",
            "<meta property=\"og:title\" content=\"\(title)\">",
            "<meta property=\"og:description\" content=\"\(description)\">",
            "<meta property=\"og:url\" content=\"https://exemplo.com.br/blog/posts/hostil/\">",
            "<meta property=\"og:site_name\" content=\"Blog de teste\">",
            "<meta property=\"og:locale\" content=\"pt_BR\">",
            "<meta property=\"article:published_time\" content=\"2026-03-10T09:30:00-03:00\">",
            "<meta property=\"article:modified_time\" content=\"2026-03-12T00:00:00-03:00\">",
            "<meta property=\"article:tag\" content=\"kernel\">",
            "<meta property=\"article:tag\" content=\"&lt;/script&gt;\">",
            "<meta name=\"twitter:card\" content=\"summary\">",
            "<meta name=\"twitter:title\" content=\"\(title)\">",
            "<meta name=\"twitter:description\" content=\"\(description)\">",
        ] {
            #expect(html.contains(tag), "missing \(tag)")
        }
        let home = try site.read("index.html")
        #expect(home.contains("<meta property=\"og:type\" content=\"website\">"))
        #expect(!home.contains("article:published_time"))
        #expect(home.contains("<meta name=\"twitter:card\" content=\"summary\">"))
    }
}
