import Foundation
import Testing

@testable import Site

/// `prensa check` on a site with planted broken links: each is an error at its place in the post.
@Suite struct LinkCheckTests {
    private func siteWithLinks() throws -> TestSite {
        let site = try TestSite()
        try site.post(
            "a", title: "A", date: "2026-11-27", extra: "tags: [linux]\n",
            body: """
                ## Título certo

                Links bons: [b](/posts/b/), [b relativo](../b/), [b sem barra](/posts/b),
                [seção](#titulo-certo), [seção de b](/posts/b/#outra-secao), [nota de b](/posts/b/#fn-1),
                [início](/), [tags](/tags/linux/), [feed](/feed.xml), [fora](https://example.com/x),
                [e-mail](mailto:a@example.com), ![imagem](/imagens/diagrama.png).

                Links quebrados: [sumiu](/posts/nao-existe/), [âncora](#titulo-errado),
                [âncora em b](/posts/b/#nada), ![imagem](imagens/falta.png), [js](javascript:alert(1)).

                """)
        try site.post("b", title: "B", date: "2026-11-26", body: "## Outra seção\n\nTexto[^1].\n\n[^1]: Nota.\n")
        try site.write("content/imagens/diagrama.png", bytes: [0x89, 0x50, 0x4E, 0x47])
        return site
    }

    @Test func checkReportsEveryBrokenLinkAtItsPlace() throws {
        let site = try siteWithLinks()
        defer { site.delete() }
        do {
            _ = try SiteBuilder.check(BuildOptions(source: site.root, useCache: false))
            Issue.record("check passed a site with broken links")
        } catch {
            let messages = error.diagnostics.map { $0.description.replacingOccurrences(of: site.root + "/", with: "") }
            #expect(
                messages == [
                    "content/posts/a.md:15:18: error: broken link '/posts/nao-existe/': no page or file at /posts/nao-existe/",
                    "content/posts/a.md:15:47: error: broken link '#titulo-errado': /posts/a/ has no element with id 'titulo-errado'",
                    "content/posts/a.md:16:1: error: broken link '/posts/b/#nada': /posts/b/ has no element with id 'nada'",
                    "content/posts/a.md:16:32: error: broken image 'imagens/falta.png': no page or file at /posts/a/imagens/falta.png",
                    "content/posts/a.md:16:62: error: link 'javascript:alert(1)' uses the unsupported scheme 'javascript:'",
                ])
        }
        #expect(!FileManager.default.fileExists(atPath: site.root + "/public"))
    }

    @Test func buildWarnsAndStillWrites() throws {
        let site = try siteWithLinks()
        defer { site.delete() }
        let report = try site.build()
        #expect(report.warnings.count == 5)
        #expect(report.warnings.allSatisfy { $0.severity == .warning })
        #expect(report.externalLinks.map(\.url) == ["https://example.com/x"])
        #expect(site.exists("posts/a/index.html"))
    }

    @Test func aCleanSitePassesAndListsExternalLinks() throws {
        let site = try TestSite()
        defer { site.delete() }
        try site.post("a", title: "A", date: "2026-11-27", body: "[b](/posts/b/) e [ext](https://example.org).\n")
        try site.post("b", title: "B", date: "2026-11-26")
        let report = try SiteBuilder.check(BuildOptions(source: site.root, useCache: false))
        #expect(report.externalLinks.count == 1)
        #expect(report.externalLinks.first?.location.line == 7)
        #expect(report.externalLinks.first?.location.column == 18)
    }

    @Test(arguments: [
        ("../b/", "/posts/a/", "/posts/b/"), ("img.png", "/posts/a/", "/posts/a/img.png"),
        ("./x/", "/", "/x/"), ("../../../etc", "/posts/a/", "/etc"),
    ])
    func relativeLinksResolveLikeBrowsers(link: String, base: String, expected: String) {
        #expect(LinkChecker.resolve(link, against: base) == expected)
    }

    @Test(arguments: [
        ("https://example.org", "https"), ("MAILTO:a@b.c", "mailto"), ("git+ssh://h/r", "git+ssh"),
        ("/posts/a/", nil), ("../b/", nil), ("a/b:c", nil), ("1http://x", nil), ("página:x", nil), (":x", nil),
        ("#seção", nil),
    ])
    func schemesAreReadAsBrowsersReadThem(url: String, scheme: String?) {
        #expect(LinkChecker.scheme(of: url) == scheme)
    }

    @Test func elementIDsAreEveryIdAttributeOfThePage() {
        let html = ##"<h2 id="intro">I</h2><p data-id="no">x</p><a id="" href="#"><div class="c" id="fig-1-ção">"##
        #expect(elementIDs(in: Array(html.utf8)) == ["intro", "", "fig-1-ção"])
        #expect(elementIDs(in: Array(#"<p id="aberto"#.utf8)) == ["aberto"])
        #expect(elementIDs(in: Array(#"<p id=""#.utf8)).isEmpty)
        #expect(elementIDs(in: []).isEmpty)
    }

    @Test func wordsAreCountedOutsideFencesOnly() {
        #expect(wordCount("um dois\ntrês-quatro 5\n") == 5)
        #expect(wordCount("a\n```\nnão conta\n```\nb c\n~~~\naberto até o fim") == 3)
        #expect(wordCount("sem quebra no fim") == 4)
        #expect(wordCount("") == 0)
    }
}
