import Foundation
import Testing

/// Content and templates never run code: authors' raw HTML is off unless `raw_html: true`, and
/// Mustache stays logic-less, so no value from the content is ever read as a template.
@Suite struct ContentSafetyTests {
    /// Markdown an attacker (or a careless paste) could put in a post: script tags, event
    /// handlers, `javascript:` links, in blocks and inline.
    static let hostileBody = """
        <script>alert(1)</script>

        Texto com <img src="x" onerror="alert(2)"> no meio e <a href="/" onmouseover="alert(3)">um link</a>.

        <div onclick="alert(4)">um bloco</div>

        <iframe src="javascript:alert(5)"></iframe>

        [clique](javascript:alert(6)) e ![imagem](javascript:alert(7)) e <javascript:alert(8)>

        [outro](JaVaScRiPt:alert(9)) e [dados](data:text/html;base64,PHNjcmlwdD5hbGVydCgxMCk8L3NjcmlwdD4=)

        Código `<script>alert(11)</script>` fica como texto.

        """

    /// The post's page and the HTML inside both feeds (which carry the full content), as a
    /// browser or a feed reader would parse it.
    private func outputs(of site: TestSite) throws -> [(String, String)] {
        let atom = try site.read("feed.xml").replacingOccurrences(of: "&lt;", with: "<")
            .replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(of: "&quot;", with: "\"")
            .replacingOccurrences(of: "&amp;", with: "&")
        let json = try JSONSerialization.jsonObject(with: Data(try site.read("feed.json").utf8)) as? [String: Any]
        let items = try #require(json?["items"] as? [[String: Any]])
        let jsonHTML = items.compactMap { $0["content_html"] as? String }.joined(separator: "\n")
        #expect(jsonHTML.contains("<code>"))
        return [
            ("posts/hostil/index.html", try site.read("posts/hostil/index.html")), ("feed.xml", atom),
            ("feed.json", jsonHTML),
        ]
    }

    /// Markup that would run code if it reached a browser.
    static let activeMarkup = [
        "<script>alert", "onerror", "onmouseover", "onclick", "<iframe", "href=\"javascript", "src=\"javascript",
        "href=\"JaVaScRiPt", "href=\"data:", "alert(1)", "alert(2)", "alert(3)", "alert(4)", "alert(5)",
        "alert(6)", "alert(7)", "alert(9)", "alert(10)",
    ]

    @Test func rawHTMLIsOmittedAndDangerousLinksEmptiedByDefault() throws {
        let site = try TestSite()
        defer { site.delete() }
        try site.post("hostil", title: "Hostil", date: "2026-11-27", body: Self.hostileBody)
        try site.build()
        for (path, text) in try outputs(of: site) {
            for needle in Self.activeMarkup {
                #expect(!text.contains(needle), "\(path) contains \(needle)")
            }
        }
        let page = try site.read("posts/hostil/index.html")
        #expect(page.contains("<!-- raw HTML omitted -->\n<p>Texto com <!-- raw HTML omitted --> no meio"))
        #expect(page.contains("<p><a href=\"\">clique</a> e <img src=\"\" alt=\"imagem\" /> e "))
        // The autolink keeps its text, not its target; the code span is text.
        #expect(page.contains("<a href=\"\">javascript:alert(8)</a>"))
        #expect(page.contains("<a href=\"\">outro</a> e <a href=\"\">dados</a>"))
        #expect(page.contains("<code>&lt;script&gt;alert(11)&lt;/script&gt;</code>"))
        // Those two are the only "alert(" in the page: the templates' own scripts have none.
        #expect(page.ranges(of: "alert(").count == 2)
    }

    @Test func rawHTMLComesThroughOnlyWhenTheSiteOptsIn() throws {
        let site = try TestSite(config: TestSite.defaultConfig + "raw_html: true\n")
        defer { site.delete() }
        try site.post("hostil", title: "Hostil", date: "2026-11-27", body: Self.hostileBody)
        try site.build()
        let page = try site.read("posts/hostil/index.html")
        // The author asked for it: their markup is kept, handlers included.
        #expect(page.contains("<img src=\"x\" onerror=\"alert(2)\">"))
        #expect(page.contains("<div onclick=\"alert(4)\">um bloco</div>"))
        // GFM's tag filter still disarms <script> and <iframe>.
        #expect(page.contains("&lt;script>alert(1)&lt;/script>"))
        #expect(page.contains("&lt;iframe src=\"javascript:alert(5)\">"))
        // Opting in trusts the author entirely: link URLs are kept as written.
        #expect(page.contains("<a href=\"javascript:alert(6)\">clique</a>"))
    }

    /// Mustache tags in content are text: a title, a description, a tag or a body that looks
    /// like a template comes out as those characters, never expanded.
    @Test func templateSyntaxInContentIsNotInterpreted() throws {
        let site = try TestSite()
        defer { site.delete() }
        let title = "{{site.title}} {{{page.json_ld}}} {{> partials/header}} {{#posts}}x{{/posts}} </script>"
        try site.write(
            "content/posts/bigodes.md",
            """
            ---
            title: '\(title)'
            date: 2026-11-27
            description: '{{site.description}} {{=<% %>=}} <%site.title%>'
            tags: ['{{site.author}}']
            ---

            O corpo diz {{site.title}}, {{{site.base_url}}} e {{! um comentário }} {{> post}}.

            """)
        try site.build()
        let page = try site.read("posts/bigodes/index.html")
        #expect(
            page.contains(
                "<h1>{{site.title}} {{{page.json_ld}}} {{&gt; partials/header}} {{#posts}}x{{/posts}} &lt;/script&gt;</h1>"
            ))
        #expect(page.contains("{{site.description}} {{=&lt;% %&gt;=}} &lt;%site.title%&gt;"))
        #expect(page.contains("O corpo diz {{site.title}}, {{{site.base_url}}} e {{! um comentário }} {{&gt; post}}."))
        // The site's values appear where the templates put them, and only there.
        #expect(!page.contains("O corpo diz Blog de teste"))
        // A "</script>" in a title cannot end the JSON-LD block early.
        let jsonLD = try #require(
            page.firstMatch(of: /<script type="application\/ld\+json">(.*?)<\/script>/.dotMatchesNewlines())?.1)
        #expect(!jsonLD.contains("</"))
        let object = try JSONSerialization.jsonObject(with: Data(jsonLD.utf8)) as? [String: Any]
        #expect(object?["headline"] as? String == title)
        let tag = try site.read("tags/index.html")
        #expect(tag.contains("{{site.author}}"))
        #expect(!tag.contains(">Equipe de testes</a>"))
    }

    /// A template can only read values: there is nothing to call. Unknown names, method-like
    /// names and lambdas-to-be render as nothing.
    @Test func templatesCannotCallAnything() throws {
        let site = try TestSite()
        defer { site.delete() }
        try site.post("a", title: "A", date: "2026-11-27")
        let post = try String(contentsOfFile: site.root + "/templates/post.mustache", encoding: .utf8)
        let probes = """
            [{{exit}}|{{system}}|{{site.title.removeAll}}|{{#site.title}}<{{.}}>{{/site.title}}|{{process}}\
            |{{FileManager.default}}|{{ProcessInfo.processInfo.environment.HOME}}|{{#exit}}sim{{/exit}}]
            """
        try site.write(
            "templates/post.mustache", post.replacingOccurrences(of: "{{$content}}", with: "{{$content}}" + probes))
        try site.build()
        let page = try site.read("posts/a/index.html")
        #expect(page.contains("[|||<Blog de teste>||||]"), "\(page.prefix(2000))")
        #expect(!page.contains(NSHomeDirectory()))
    }
}
