import Foundation
import Testing

@testable import Site

/// Every author mistake is reported at its exact file:line:col, all of them in one run, and the
/// previous output is left exactly as it was.
@Suite struct DiagnosticTests {
    private func errors(_ files: [String: String], config: String? = TestSite.defaultConfig) throws -> [String] {
        let site = try TestSite(config: config)
        defer { site.delete() }
        for (path, text) in files { try site.write(path, text) }
        return site.failingBuild()
    }

    @Test func unknownKeySuggestsTheClosestKnownOne() throws {
        let result = try errors([
            "content/posts/a.md": "---\ntitle: A\ndate: 2026-11-27\ndescription: D.\ntgas: [x]\n---\nTexto.\n"
        ])
        #expect(result == ["content/posts/a.md:5:1: error: unknown key 'tgas' in front matter; did you mean 'tags'?"])
    }

    @Test func wrongTypesAreReportedAtTheValue() throws {
        let result = try errors([
            "content/posts/a.md":
                "---\ntitle: A\ndate: 2026-11-27\ndescription: D.\ntags: linux\ndraft: talvez\npart: dois\n---\n"
        ])
        #expect(
            result == [
                "content/posts/a.md:5:7: error: 'tags' must be a list, e.g. tags: [linux]",
                "content/posts/a.md:6:8: error: 'draft' must be true or false",
                "content/posts/a.md:7:7: error: 'part' must be a whole number",
                "content/posts/a.md:7:7: error: 'part' needs a 'series' to be part of",
            ])
    }

    @Test func missingRequiredKeysPointAtTheFrontMatter() throws {
        let result = try errors(["content/posts/a.md": "---\ntitle: A\n---\nTexto.\n"])
        #expect(
            result == [
                "content/posts/a.md:2:1: error: missing required key 'date' in front matter",
                "content/posts/a.md:2:1: error: missing required key 'description' in front matter",
            ])
    }

    @Test(arguments: [
        ("2024-13-45", "content/posts/a.md:3:7: error: 'date': month 13 does not exist in '2024-13-45'"),
        ("2023-02-29", "content/posts/a.md:3:7: error: 'date': day 29 does not exist in February 2023 ('2023-02-29')"),
        (
            "2026-11-27T25:00:00",
            "content/posts/a.md:3:7: error: 'date': time 25:00 does not exist in '2026-11-27T25:00:00'"
        ),
        (
            "27/11/2026",
            "content/posts/a.md:3:7: error: 'date': '27/11/2026' is not a date; use an ISO 8601 date like 2026-11-27 or 2026-11-27T14:30:00-03:00"
        ),
        (
            "\"2026-11-27 lixo\"",
            "content/posts/a.md:3:7: error: 'date': unexpected text after the date in '2026-11-27 lixo'; use an ISO 8601 date like 2026-11-27 or 2026-11-27T14:30:00-03:00"
        ),
    ])
    func impossibleDatesAreRejected(date: String, expected: String) throws {
        let result = try errors(["content/posts/a.md": "---\ntitle: A\ndate: \(date)\ndescription: D.\n---\n"])
        #expect(result == [expected])
    }

    @Test func leapDayAndOffsetsAreAccepted() throws {
        let site = try TestSite()
        defer { site.delete() }
        try site.post("a", title: "A", date: "2024-02-29")
        try site.post("b", title: "B", date: "2024-05-02 08:00:00 +02:00")
        try site.build()
        #expect(
            try site.read("posts/a/index.html").contains("<time datetime=\"2024-02-29\">29 de fevereiro de 2024</time>")
        )
        // 08:00 at +02:00 is 03:00 in São Paulo (UTC-3), the same day.
        #expect(try site.read("posts/b/index.html").contains("2 de maio de 2024"))
    }

    @Test func duplicateSlugsNameBothFiles() throws {
        let result = try errors([
            "content/posts/a.md": "---\ntitle: A\ndate: 2026-11-27\ndescription: D.\nslug: igual\n---\n",
            "content/posts/b.md": "---\ntitle: B\ndate: 2026-11-28\ndescription: D.\nslug: igual\n---\n",
        ])
        #expect(
            result == [
                "content/posts/b.md:5:7: error: two posts have the slug 'igual' (URL /posts/igual/); give one a different 'slug:'",
                "content/posts/a.md:5:7: note: the other post with slug 'igual' is here",
            ])
    }

    @Test func pathEscapesInSlugsAreRejected() throws {
        let result = try errors([
            "content/posts/a.md": "---\ntitle: A\ndate: 2026-11-27\ndescription: D.\nslug: ../../etc/passwd\n---\n"
        ])
        #expect(
            result == [
                "content/posts/a.md:5:7: error: slug '../../etc/passwd' may contain only lowercase letters a–z, digits, '-' and '_'; did you mean 'etcpasswd'?"
            ])
    }

    @Test func nonUTF8FilesAreReportedAtTheFirstBadByte() throws {
        let site = try TestSite()
        defer { site.delete() }
        var bytes = Array("---\ntitle: Ol".utf8)
        bytes.append(0xE1)  // Latin-1 "á", not UTF-8
        bytes += Array("\ndate: 2026-11-27\ndescription: D.\n---\n".utf8)
        try site.write("content/posts/a.md", bytes: bytes)
        #expect(site.failingBuild() == ["content/posts/a.md:2:10: error: file is not valid UTF-8; save it as UTF-8"])
    }

    @Test func bomAndCRLFAreAccepted() throws {
        let site = try TestSite()
        defer { site.delete() }
        let text =
            "---\r\ntitle: Janelas\r\ndate: 2026-11-27\r\ndescription: D.\r\n---\r\n\r\n## Seção\r\n\r\nTexto.\r\n"
        try site.write("content/posts/a.md", bytes: [0xEF, 0xBB, 0xBF] + Array(text.utf8))
        try site.build()
        let html = try site.read("posts/a/index.html")
        #expect(html.contains("<h1>Janelas</h1>"))
        #expect(html.contains("<h2 id=\"secao\">Seção"))
        #expect(!html.contains("\r"))
    }

    @Test func emptyAndUnclosedFrontMatter() throws {
        let result = try errors([
            "content/posts/empty.md": "---\n---\nTexto.\n",
            "content/posts/open.md": "---\ntitle: A\ndate: 2026-11-27\n\nTexto sem fim.\n",
            "content/posts/none.md": "# Só texto\n",
            "content/posts/blank.md": "",
        ])
        #expect(
            result == [
                "content/posts/blank.md:1:1: error: missing front matter: start the file with a '---' line, then 'title:', 'date:' and 'description:', then '---'",
                "content/posts/empty.md:2:1: error: front matter is empty",
                "content/posts/none.md:1:1: error: missing front matter: start the file with a '---' line, then 'title:', 'date:' and 'description:', then '---'",
                "content/posts/open.md:1:1: error: front matter is never closed: add a '---' line after its last key",
            ])
    }

    @Test func yamlSyntaxErrorsCarryTheFileLine() throws {
        let result = try errors([
            "content/posts/a.md": "---\ntitle: A: B\ndate: 2026-11-27\ndescription: D.\n---\n"
        ])
        #expect(result.count == 1)
        #expect(result[0].hasPrefix("content/posts/a.md:2:9: error: invalid YAML: mapping values are not allowed"))
    }

    @Test func badSiteConfigIsReportedWithPostErrorsInOneRun() throws {
        let config =
            "title: T\ndescription: D\nbase_url: exemplo.com\nposts_per_page: 0\ntimezone: Marte/Olympus\nlang: pt\n"
        let result = try errors(
            ["content/posts/a.md": "---\ntitle: A\ndate: 2026-02-30\ndescription: D.\n---\n"], config: config)
        #expect(
            result == [
                "content/posts/a.md:3:7: error: 'date': day 30 does not exist in February 2026 ('2026-02-30')",
                "content/site.yml:3:11: error: base URL 'exemplo.com/' must be an absolute http:// or https:// address",
                "content/site.yml:4:17: error: 'posts_per_page' must be between 1 and 1000, not 0",
                "content/site.yml:5:11: error: unknown time zone 'Marte/Olympus'; use an IANA name like America/Sao_Paulo",
                "content/site.yml:6:1: error: unknown key 'lang' in site.yml; did you mean 'language'?",
            ])
    }

    @Test func postsAreCheckedAgainstEachOtherEvenWhenSiteYmlAndTemplatesAreBroken() throws {
        let site = try TestSite(config: "title: T\n")
        defer { site.delete() }
        try site.remove("templates/home.mustache")
        try site.write("content/posts/a.md", "---\ntitle: A\ndate: 2026-11-27\ndescription: D.\nslug: x\n---\n")
        try site.write("content/posts/b.md", "---\ntitle: B\ndate: 2026-11-27\ndescription: D.\nslug: x\n---\n")
        #expect(
            site.failingBuild() == [
                "content/posts/b.md:5:7: error: two posts have the slug 'x' (URL /posts/x/); give one a different 'slug:'",
                "content/posts/a.md:5:7: note: the other post with slug 'x' is here",
                "content/site.yml:1:1: error: missing required key 'base_url' in site.yml",
                "content/site.yml:1:1: error: missing required key 'description' in site.yml",
                "templates/home.mustache: error: missing template 'home', needed for the home page and its pages",
            ])
    }

    /// A file left out for its front matter still has its body checked: its figure specs and
    /// references (and swift sim blocks) are reported in the same run, not one fix later.
    @Test func theBodyOfAFileWithBadFrontMatterIsCheckedToo() throws {
        let result = try errors([
            "content/posts/a.md": "---\ntitle: A\ndescription: D.\n---\nTexto.\n\n```sim scheduler\ntitle: T\n```\n",
            "content/sobre.md": "---\ntitle: [Sobre\n---\nVeja @fig-nada.\n",
            "content/posts/b.md": "---\ntitle: B\ndescription: D.\ndate: 2026-11-27\n---\nVeja @fig-nada.\n",
            "content/posts/c.md": "---\ntitle: C\ndate: 2026-11-27\n---\n```swift sim\ntitl: T\n---\nreturn x\n```\n",
        ])
        #expect(
            result == [
                "content/posts/a.md:2:1: error: missing required key 'date' in front matter",
                "content/posts/a.md:8:1: error: missing required key 'jobs' in the 'scheduler' figure",
                "content/posts/a.md:8:1: error: missing required key 'policy' in the 'scheduler' figure",
                "content/posts/b.md:6:6: error: no figure with id 'nada' in this article",
                "content/posts/c.md:2:1: error: missing required key 'description' in front matter",
                "content/posts/c.md:6:1: error: missing required key 'title' in the swift sim block",
                "content/posts/c.md:6:1: error: unknown key 'titl' in the swift sim block; did you mean 'title'?",
                "content/sobre.md:2:14: error: invalid YAML: did not find expected ',' or ']' (while parsing a flow sequence at line 2)",
                "content/sobre.md:4:6: error: no figure with id 'nada' in this article",
            ])
    }

    @Test func missingSiteConfig() throws {
        let result = try errors(
            ["content/posts/a.md": "---\ntitle: A\ndate: 2026-11-27\ndescription: D.\n---\n"], config: nil)
        #expect(
            result == [
                "content/site.yml: error: missing site configuration; create it with at least 'title:', 'description:' and 'base_url:'"
            ])
    }

    @Test func missingTemplatesAndPartialsAreNamed() throws {
        let site = try TestSite()
        defer { site.delete() }
        try site.post("a", title: "A", date: "2026-11-27")
        try site.remove("templates/post.mustache")
        try site.write(
            "templates/base.mustache",
            "<!doctype html>\n<html lang=\"pt-BR\">\n<body>{{>partials/header}}\n  {{$content}}{{/content}} {{> partials/rodape }}\n</body>\n</html>\n"
        )
        let result = site.failingBuild()
        #expect(
            result == [
                "templates/base.mustache:4:28: error: template 'partials/rodape' not found (no templates/partials/rodape.mustache)",
                "templates/post.mustache: error: missing template 'post', needed for every post",
            ])
    }

    @Test func templateSyntaxErrorsHaveALocation() throws {
        let site = try TestSite()
        defer { site.delete() }
        try site.write(
            "templates/tags.mustache",
            "{{<base}}\n{{$content}}\n{{#tags}}\n<li>{{name}}</li>\n{{/tag}}\n{{/content}}\n{{/base}}\n")
        let result = site.failingBuild()
        let expected = "templates/tags.mustache:5:1: error: template syntax: {{/tag}} does not match the open {{#tags}}"
        #expect(result == [expected])
    }

    @Test func aFailedBuildLeavesThePreviousOutputExactlyAsItWas() throws {
        let site = try TestSite()
        defer { site.delete() }
        try site.post("a", title: "A", date: "2026-11-27")
        try site.build()
        let before = try site.snapshot()
        #expect(!before.isEmpty)
        try site.post("b", title: "B", date: "2026-13-01")
        #expect(site.failingBuild().count == 1)
        #expect(try site.snapshot() == before)
        // No staging folder is left (the cache folder holds the last good build's manifest).
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: site.root).filter {
            $0.hasPrefix(".") && $0 != ".prensa-cache"
        }
        #expect(leftovers.isEmpty)
    }

    @Test func duplicateSeriesPartsAndEmptyTagSlugs() throws {
        let result = try errors([
            "content/posts/a.md":
                "---\ntitle: A\ndate: 2026-11-01\ndescription: D.\nseries: Série X\npart: 1\ntags: [\"!!!\"]\n---\n",
            "content/posts/b.md": "---\ntitle: B\ndate: 2026-11-02\ndescription: D.\nseries: Série X\npart: 1\n---\n",
        ])
        #expect(
            result == [
                "content/posts/a.md:7:8: error: tag '!!!' has no letters or digits to make its URL from",
                "content/posts/b.md:6:7: error: part 1 of series 'Série X' is already content/posts/a.md",
                "content/posts/a.md:6:7: note: the other part 1 is here",
            ])
    }
}

@Suite struct ReadingTimeTests {
    @Test func codeAndFigureBlocksAreNotCountedAsProse() {
        #expect(wordCount("Três palavras aqui.\n") == 3)
        #expect(wordCount("Antes.\n\n```c\nint main(void) { return 0; }\n```\n\nDepois disso.\n") == 3)
        #expect(wordCount("  ~~~\ncódigo com muitas palavras\n  ~~~\nfim\n") == 1)
        #expect(wordCount("```swift sim\nid: x\n---\nlet a = 1\n```") == 0)
    }
}
