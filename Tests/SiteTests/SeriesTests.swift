import Foundation
import Markdown
import Testing

@testable import Site

/// The article series "Por baixo do seu programa" in `content/posts/`: every part that has been
/// published is there, in order, complete — so a later edit cannot silently drop one.
@Suite struct SeriesTests {
    static let series = "Por baixo do seu programa"
    /// Part number → slug of every part published so far, in order.
    static let published: [Int: String] = [
        1: "os-tres-trabalhos-do-sistema-operacional",
        2: "do-botao-ao-login-como-o-computador-da-boot",
        3: "processos-e-threads",
        4: "quem-roda-agora-o-escalonador",
        5: "memoria-virtual-a-mentira-util",
        6: "syscalls-a-fronteira-entre-voce-e-o-kernel",
        7: "sistemas-de-arquivos-de-bits-no-disco-a-home-user-arquivo-txt",
        8: "a-pilha-de-rede-o-caminho-de-um-pacote",
        9: "containers-nao-sao-vms",
        10: "ebpf-programas-dentro-do-kernel",
    ]

    private struct Article {
        let part: Int?
        let slug: String
        let description: String?
        let figures: Int
        let references: Int
        let proseWords: Int
    }

    private func articles() throws -> [Article] {
        var log = DiagnosticLog()
        let content = ContentLoader.load(
            contentDir: repositoryRoot + "/content", displayPrefix: "", timeZone: TimeZone(identifier: "UTC")!,
            includeDrafts: false, log: &log)
        #expect(!log.hasErrors, "\(log.sorted)")
        return content.posts.filter { $0.frontMatter.series == Self.series }.map { post in
            let document = Document(parsing: post.body)
            let figures = document.fencedBlocks().filter { block in
                block.language == "sim" || (block.language == "swift" && block.arguments.first == "sim")
            }.count
            return Article(
                part: post.frontMatter.part, slug: post.slug, description: post.frontMatter.description,
                figures: figures, references: Self.referenceCount(post.body), proseWords: Self.proseWords(post.body))
        }
    }

    @Test func everyPublishedPartIsPresentInOrder() throws {
        let articles = try articles()
        let parts = Dictionary(articles.compactMap { article in article.part.map { ($0, article.slug) } }) { a, _ in a }
        #expect(parts == Self.published, "the series' parts changed: update SeriesTests.published on purpose")
        #expect(articles.allSatisfy { $0.part != nil }, "every article of the series has a 'part'")
        #expect(articles.count == parts.count, "two articles claim the same part")
    }

    @Test func everyPartHasFiguresReferencesADescriptionAndItsLength() throws {
        for article in try articles() {
            #expect(article.figures >= 2, "\(article.slug): \(article.figures) figures, at least 2 needed")
            #expect(article.references >= 3, "\(article.slug): \(article.references) references, at least 3 needed")
            #expect(!(article.description ?? "").isEmpty, "\(article.slug): no description")
            #expect(
                (2000...3500).contains(article.proseWords),
                "\(article.slug): \(article.proseWords) words of prose, 2,000–3,500 expected")
        }
    }

    /// Items of the list under `## Referências`.
    static func referenceCount(_ body: String) -> Int {
        guard let start = body.range(of: "\n## Referências") else { return 0 }
        var count = 0
        for line in body[start.upperBound...].split(separator: "\n") {
            if line.hasPrefix("## ") { break }
            let trimmed = line.drop { $0 == " " }
            if trimmed.hasPrefix("- ") || trimmed.hasPrefix("* ")
                || trimmed.first?.isNumber == true && trimmed.contains(". ")
            {
                count += 1
            }
        }
        return count
    }

    /// Words outside fenced blocks and the references.
    static func proseWords(_ body: String) -> Int {
        var words = 0
        var inFence = false
        for line in body.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.drop { $0 == " " }
            if trimmed.hasPrefix("```") || trimmed.hasPrefix("~~~") {
                inFence.toggle()
                continue
            }
            if inFence { continue }
            if line.hasPrefix("## Referências") { break }
            words +=
                line.split(whereSeparator: { $0 == " " || $0 == "\t" }).filter { token in
                    token.contains { $0.isLetter || $0.isNumber }
                }.count
        }
        return words
    }
}
