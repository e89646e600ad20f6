import Dispatch
import Markdown
import Testing

@Suite struct DocumentTests {
    private func html(_ markdown: String, _ options: MarkdownOptions = MarkdownOptions()) -> String {
        Document(parsing: markdown, options: options).render().html
    }

    @Test func everyGFMExtensionIsOn() {
        let output = html(
            """
            | a | b |
            |:--|--:|
            | 1 | 2 |

            ~~riscado~~ e www.example.com

            - [x] feito
            - [ ] a fazer
            """)
        #expect(output.contains("<table tabindex=\"0\">"))
        #expect(output.contains("<th style=\"text-align: left\">a</th>"))
        #expect(output.contains("<td style=\"text-align: right\">2</td>"))
        #expect(output.contains("<del>riscado</del>"))
        #expect(output.contains("<a href=\"http://www.example.com\">www.example.com</a>"))
        #expect(output.contains("<input type=\"checkbox\" checked=\"\" disabled=\"\" aria-label=\"done\" />"))
        #expect(output.contains("<input type=\"checkbox\" disabled=\"\" aria-label=\"not done\" />"))
    }

    @Test func footnotesLinkBothWays() {
        let output = html("Texto[^1].\n\n[^1]: A nota.\n")
        #expect(
            output.contains(
                "<sup class=\"footnote-ref\"><a href=\"#fn-1\" id=\"fnref-1\" data-footnote-ref>1</a></sup>"))
        #expect(
            output.contains("<section class=\"footnotes\" data-footnotes>\n<h2 class=\"footnotes-title\">Notes</h2>"))
        #expect(output.contains("href=\"#fnref-1\""))
        let labels = MarkdownOptions.Labels(footnoteBackref: "Voltar ao texto", footnotesTitle: "Notas")
        let portuguese = html("Texto[^1].\n\n[^1]: A nota.\n", MarkdownOptions(labels: labels))
        #expect(portuguese.contains("data-footnote-backref aria-label=\"Voltar ao texto\""))
        #expect(portuguese.contains("<h2 class=\"footnotes-title\">Notas</h2>"))
        #expect(!portuguese.contains("Back to content"))
    }

    @Test func smartPunctuation() {
        let output = html("\"aspas\" -- e --- e...\n")
        #expect(output == "<p>“aspas” – e — e…</p>\n")
    }

    @Test func rawHTMLIsOmittedByDefaultAndTagfilteredWhenAllowed() {
        let source = "<div>oi</div>\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1))\n"
        let safe = html(source)
        #expect(!safe.contains("<div>"))
        #expect(!safe.contains("<script"))
        #expect(safe.contains("<!-- raw HTML omitted -->"))
        #expect(safe.contains("<a href=\"\">x</a>"))
        let unsafe = html(source, MarkdownOptions(allowRawHTML: true))
        #expect(unsafe.contains("<div>oi</div>"))
        #expect(unsafe.contains("&lt;script>alert(1)&lt;/script>"))
    }

    @Test func headingsGetUniqueAccentFoldedIdsAnchorsAndTOC() {
        let document = Document(
            parsing: """
                # Memória virtual é mentira

                ## Tabela de *páginas*

                ## Tabela de páginas

                ### Tabela de páginas

                ## 日本語
                """,
            options: MarkdownOptions(labels: .init(headingAnchor: "Link para esta seção")))
        let rendered = document.render()
        #expect(
            rendered.tableOfContents.map(\.id) == [
                "memoria-virtual-e-mentira", "tabela-de-paginas", "tabela-de-paginas-1", "tabela-de-paginas-2", "secao",
            ])
        #expect(rendered.tableOfContents.map(\.level) == [1, 2, 2, 3, 2])
        #expect(rendered.tableOfContents[1].text == "Tabela de páginas")
        #expect(
            rendered.html.contains(
                "<h2 id=\"tabela-de-paginas\">Tabela de <em>páginas</em> <a class=\"heading-anchor\" href=\"#tabela-de-paginas\" aria-label=\"Link para esta seção\">#</a></h2>"
            ))
        #expect(rendered.html.contains("<h1 id=\"memoria-virtual-e-mentira\">"))
    }

    @Test func fencedBlocksAreFoundWithFileLineNumbersAndReplaced() {
        let body = """
            Antes.

            ```sim scheduler
            policy: rr
            ```

            ~~~c
            int main(void) {}
            ~~~

                indented code is not fenced

            ```sim page-walk
            levels: 4
            ```
            """
        // The body starts after a 4-line front matter block.
        let document = Document(parsing: body, lineOffset: 4)
        let all = document.fencedBlocks()
        #expect(all.map(\.info) == ["sim scheduler", "c", "sim page-walk"])
        #expect(all.map(\.line) == [7, 11, 17])
        let sims = document.fencedBlocks(language: "sim")
        #expect(sims.map(\.arguments) == [["scheduler"], ["page-walk"]])
        #expect(sims[0].code == "policy: rr\n")
        #expect(sims[0].codeLine == 8)
        #expect(sims[0].column == 1)
        for block in sims {
            document.replace(block, withHTML: "<figure id=\"\(block.arguments[0])\"></figure>\n")
        }
        let output = document.render().html
        // Generated HTML survives safe mode, where the author's raw HTML would not.
        #expect(output.contains("<figure id=\"scheduler\"></figure>"))
        #expect(output.contains("<figure id=\"page-walk\"></figure>"))
        #expect(output.contains("<pre tabindex=\"0\"><code class=\"language-c\">int main(void) {}\n</code></pre>"))
        #expect(!output.contains("policy: rr"))
        #expect(document.fencedBlocks(language: "sim").isEmpty)
    }

    /// cmark-gfm's finish step shares a global table; parsing from many threads must give the
    /// same HTML as parsing serially.
    @Test func parallelParsingMatchesSerial() {
        let sources = (0..<400).map { index in
            """
            # Título \(index)

            Um ~~texto~~ com `código`, www.exemplo\(index).com e uma nota[^n].

            | x | y |
            |---|---|
            | \(index) | ok |

            - [x] item

            [^n]: Nota \(index).
            """
        }
        let serial = sources.map { Document(parsing: $0).render().html }
        let results = Results(count: sources.count)
        DispatchQueue.concurrentPerform(iterations: sources.count) { index in
            results.set(index, Document(parsing: sources[index]).render().html)
        }
        #expect(results.values == serial)
    }
}

private final class Results: @unchecked Sendable {
    private var storage: [String]
    private let lock = DispatchSemaphore(value: 1)
    init(count: Int) { storage = Array(repeating: "", count: count) }
    func set(_ index: Int, _ value: String) {
        lock.wait()
        storage[index] = value
        lock.signal()
    }
    var values: [String] { storage }
}

@Suite struct ReferenceTests {
    @Test func referencesAreReplacedWhereTheyStandAndReportedWithTheirPlace() {
        let document = Document(
            parsing:
                "Como mostra a @fig-rr-q2, e a @fig-nada.\n\n- item @fig-a_b-, *fim* @fig-rr-q2\n\n`@fig-rr-q2` em código\n",
            lineOffset: 5)
        var seen: [String] = []
        document.replaceReferences(prefix: "@fig-") { id, line, column in
            seen.append("\(id)@\(line):\(column)")
            return id == "nada" ? nil : "<a href=\"#fig-\(id)\">Figura 1</a>"
        }
        #expect(seen == ["rr-q2@6:15", "nada@6:31", "a_b@8:8", "rr-q2@8:25"])
        let html = document.render().html
        #expect(html.contains("<p>Como mostra a <a href=\"#fig-rr-q2\">Figura 1</a>, e a @fig-nada.</p>"))
        #expect(
            html.contains(
                "<li>item <a href=\"#fig-a_b\">Figura 1</a>-, <em>fim</em> <a href=\"#fig-rr-q2\">Figura 1</a></li>"))
        #expect(html.contains("<code>@fig-rr-q2</code>"))
    }
}
