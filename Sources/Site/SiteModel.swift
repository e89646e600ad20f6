import Figures
import Foundation
import Markdown

/// A post after its Markdown was rendered.
struct RenderedPost: Sendable {
    let post: Post
    let html: String
    let tableOfContents: [TOCEntry]
    let words: Int
    /// "/posts/<slug>/" under the site's root path.
    let url: String
    /// The post's tags as written, with their URL slugs; tags whose slug is empty (an error) left out.
    let tags: [(name: String, slug: String)]
    /// Links and images in the body, for the link checker.
    let links: [DocumentLink]

    var readingMinutes: Int { max(1, (words + wordsPerMinute - 1) / wordsPerMinute) }
    var title: String { post.frontMatter.title }
}

/// Reading speed used for "N min de leitura": a moderate pace for technical prose.
let wordsPerMinute = 200

struct RenderedPage: Sendable {
    let page: Page
    let html: String
    let tableOfContents: [TOCEntry]
    let url: String
    let links: [DocumentLink]
}

struct Tag: Sendable {
    let name: String
    let slug: String
    /// Newest first.
    var posts: [Int]
}

struct Series: Sendable {
    let name: String
    let slug: String
    /// In reading order.
    var posts: [Int]
}

/// Everything the pages are made from: posts newest first, tags, series.
struct SiteModel: Sendable {
    let config: SiteConfig
    let posts: [RenderedPost]
    let pages: [RenderedPage]
    let tags: [Tag]
    let series: [Series]
    /// Post index → (series index, position in it).
    let seriesOfPost: [Int: (series: Int, position: Int)]
    let staticFiles: [StaticFile]
    /// Figures made by running their simulation, and figures taken from the cache.
    let figuresComputed: Int
    let figuresCached: Int
    /// What highlighting the code blocks did.
    let highlighting: HighlightSummary

    static func make(
        content: LoadedContent, config: SiteConfig, figures engine: FigureEngine, cache: FigureCache,
        highlighting: HighlightOptions, siteRoot: String, clock: inout PhaseClock, log: inout DiagnosticLog
    ) -> SiteModel {
        let options = MarkdownOptions(
            allowRawHTML: config.rawHTML,
            labels: .init(
                headingAnchor: "Link para esta seção", footnoteBackref: "Voltar ao texto", footnotesTitle: "Notas",
                taskDone: "concluído", taskOpen: "não concluído"))
        let root = config.rootPath
        let sortedPosts = content.posts.sorted {
            ($0.published, $1.slug) > ($1.published, $0.slug)
        }
        // Stage 1, in parallel: parse, expand figures, find the code blocks, render (the code
        // blocks left as placeholders) and free the cmark tree.
        let parsedPosts = parallelMap(sortedPosts) { post in
            let document = Document(parsing: post.body, options: options, lineOffset: post.bodyLineOffset)
            let figures = expandFigures(in: document, file: post.file, engine: engine, cache: cache)
            return ParsedDocument(document: document, figures: figures)
        }
        let parsedPages = parallelMap(content.pages) { page in
            let document = Document(parsing: page.body, options: options, lineOffset: page.bodyLineOffset)
            let figures = expandFigures(in: document, file: page.file, engine: engine, cache: cache)
            return ParsedDocument(document: document, figures: figures)
        }
        // Files left out for their front matter: their figures and references checked, nothing kept.
        let rejected = parallelMap(content.rejectedBodies) { body in
            let document = Document(parsing: body.body, options: options, lineOffset: body.lineOffset)
            return expandFigures(in: document, file: body.file, engine: engine, cache: cache).log
        }
        let parsed = parsedPosts + parsedPages
        for document in parsed { log.append(contentsOf: document.figures.log) }
        for figureLog in rejected { log.append(contentsOf: figureLog) }
        clock.lap("parse", "\(parsed.count) documents")
        // Stage 2: every code block of the site highlighted in one batch, by one worker (up to one
        // per core for big batches), never block by block. A build that already failed writes
        // nothing, so it highlights nothing.
        var highlightOptions = highlighting
        if log.hasErrors { highlightOptions.enabled = false }
        let (highlighted, highlightSummary) = highlightCodeBlocks(
            of: parsed, options: highlightOptions, siteRoot: siteRoot)
        clock.lap(
            "highlight",
            "\(highlightSummary.highlighted) of \(highlightSummary.codeBlocks) code blocks, "
                + "\(highlightSummary.fromCache) distinct from the cache")
        // Stage 3, in parallel: put the highlighted code in.
        let posts = parallelMap(Array(sortedPosts.indices)) { index in
            let post = sortedPosts[index]
            let parsed = parsedPosts[index]
            return RenderedPost(
                post: post, html: parsed.html(with: highlighted[index]), tableOfContents: parsed.tableOfContents,
                words: wordCount(post.body), url: "\(root)posts/\(post.slug)/",
                tags: post.frontMatter.tags.map { ($0.name, Slug.make($0.name)) }.filter { !$0.slug.isEmpty },
                links: parsed.links)
        }
        let pages = parallelMap(Array(content.pages.indices)) { index in
            let page = content.pages[index]
            let parsed = parsedPages[index]
            return RenderedPage(
                page: page, html: parsed.html(with: highlighted[parsedPosts.count + index]),
                tableOfContents: parsed.tableOfContents, url: "\(root)\(page.path)/", links: parsed.links)
        }
        let expansions = parsed.map(\.figures)
        checkDuplicateSlugs(posts, log: &log)

        var tagIndex: [String: Int] = [:]
        var tags: [Tag] = []
        var seriesIndex: [String: Int] = [:]
        var series: [Series] = []
        for (index, rendered) in posts.enumerated() {
            var seenInPost = Set<String>()
            for tag in rendered.post.frontMatter.tags {
                let slug = Slug.make(tag.name)
                guard !slug.isEmpty else {
                    log.error("tag '\(tag.name)' has no letters or digits to make its URL from", at: tag.location)
                    continue
                }
                guard seenInPost.insert(slug).inserted else { continue }
                if let existing = tagIndex[slug] {
                    tags[existing].posts.append(index)
                } else {
                    tagIndex[slug] = tags.count
                    tags.append(Tag(name: tag.name, slug: slug, posts: [index]))
                }
            }
            if let name = rendered.post.frontMatter.series {
                let slug = Slug.make(name)
                guard !slug.isEmpty else {
                    log.error(
                        "series '\(name)' has no letters or digits to make its URL from",
                        at: rendered.post.frontMatter.locations["series"]!)
                    continue
                }
                if let existing = seriesIndex[slug] {
                    series[existing].posts.append(index)
                } else {
                    seriesIndex[slug] = series.count
                    series.append(Series(name: name, slug: slug, posts: [index]))
                }
            }
        }
        tags.sort { $0.slug < $1.slug }
        series.sort { $0.slug < $1.slug }
        var seriesOfPost: [Int: (series: Int, position: Int)] = [:]
        for seriesNumber in series.indices {
            series[seriesNumber].posts.sort { a, b in
                let (pa, pb) = (posts[a].post.frontMatter.part ?? Int.max, posts[b].post.frontMatter.part ?? Int.max)
                if pa != pb { return pa < pb }
                return (posts[a].post.published, posts[a].post.slug) < (posts[b].post.published, posts[b].post.slug)
            }
            var partOwner: [Int: Int] = [:]
            for (position, postIndex) in series[seriesNumber].posts.enumerated() {
                seriesOfPost[postIndex] = (seriesNumber, position)
                let frontMatter = posts[postIndex].post.frontMatter
                guard let part = frontMatter.part else { continue }
                if let other = partOwner[part] {
                    log.error(
                        "part \(part) of series '\(series[seriesNumber].name)' is already \(posts[other].post.file)",
                        at: frontMatter.locations["part"]!,
                        notes: [
                            .note(
                                "the other part \(part) is here", at: posts[other].post.frontMatter.locations["part"]!)
                        ])
                } else {
                    partOwner[part] = postIndex
                }
            }
        }
        return SiteModel(
            config: config, posts: posts, pages: pages, tags: tags, series: series, seriesOfPost: seriesOfPost,
            staticFiles: content.staticFiles, figuresComputed: expansions.reduce(0) { $0 + $1.computed },
            figuresCached: expansions.reduce(0) { $0 + $1.cached }, highlighting: highlightSummary)
    }

    private static func checkDuplicateSlugs(_ posts: [RenderedPost], log: inout DiagnosticLog) {
        var byFile = posts.map(\.post)
        byFile.sort { $0.file < $1.file }
        var owner: [String: Post] = [:]
        for post in byFile {
            if let first = owner[post.slug] {
                log.error(
                    "two posts have the slug '\(post.slug)' (URL /posts/\(post.slug)/); give one a different 'slug:'",
                    at: post.slugLocation,
                    notes: [.note("the other post with slug '\(post.slug)' is here", at: first.slugLocation)])
            } else {
                owner[post.slug] = post
            }
        }
    }
}
