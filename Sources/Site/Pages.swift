import Markdown
import Support
import Templating

/// One file of the built site.
struct OutputFile: Sendable {
    /// Relative to the output folder: "posts/x/index.html".
    let path: String
    let contents: Contents

    enum Contents: Sendable {
        case text(String)
        /// A file copied as it is.
        case copy(from: String)
    }
}

/// An HTML page to render: its output path, template and context.
struct PageJob: Sendable {
    let path: String
    let template: String
    /// The Mustache context.
    let context: TemplateValue
    /// For the sitemap: the page's site path and when it last changed (nil: no date to give).
    let sitePath: String
    let lastModified: LocalDateTime?
    let inSitemap: Bool
    /// What asked for the page, for diagnostics: a source file, or "the generated 'tags' page /tags/".
    let origin: String
    /// True when Prensa makes the page itself (lists, indexes), false for posts and pages.
    let generated: Bool
}

/// Builds the render jobs for every page of the site.
struct PagePlanner {
    let model: SiteModel
    /// What every page's context shares: the site and its hashed asset paths.
    private let siteContext: TemplateValue
    private let assetContext: TemplateValue
    /// Each post's summary for lists, made once: a post appears in several lists.
    private let summaries: [[String: TemplateValue]]
    /// Whether the build makes a search index (the search page says so when it does not).
    private let searchAvailable: Bool

    private var config: SiteConfig { model.config }
    private var root: String { config.rootPath }

    init(model: SiteModel, templates: TemplateSet, searchAvailable: Bool = false) {
        self.model = model
        self.searchAvailable = searchAvailable
        let config = model.config
        let root = config.rootPath
        siteContext = [
            "title": .string(config.title), "description": .string(config.description),
            "base_url": .string(config.baseURL), "language": .string(config.language),
            "author": .string(config.author), "root": .string(root),
            "feed_atom": .string(root + "feed.xml"), "feed_json": .string(root + "feed.json"),
            "pages": .list(
                model.pages.map { ["title": .string($0.page.frontMatter.title), "url": .string($0.url)] }),
            "tags_url": .string(root + "tags/"), "series_url": .string(root + "series/"),
            "archive_url": .string(root + "arquivo/"), "search_url": .string(root + "busca/"),
        ]
        // "icons/rss.svg" is {{assets.icons_rss_svg}} in templates.
        var assets: [String: TemplateValue] = [:]
        for (key, path) in templates.assets {
            assets[String(key.map { $0.isLetter || $0.isNumber ? $0 : "_" })] = .string(root + path)
        }
        assetContext = .object(assets)
        summaries = parallelMap(Array(model.posts.indices)) { [model] index in Self.summary(index, model: model) }
    }

    func jobs() -> [PageJob] {
        var jobs = parallelMap(Array(model.posts.indices)) { index in postJob(index) }
        for page in model.pages { jobs.append(pageJob(page)) }
        jobs += listJobs(
            posts: Array(model.posts.indices), basePath: "", template: "home", title: config.title,
            description: config.description, extra: [:])
        for tag in model.tags {
            jobs += listJobs(
                posts: tag.posts, basePath: "tags/\(tag.slug)/", template: "tag", title: "Tag: \(tag.name)",
                description: "Posts com a tag \(tag.name).", extra: ["tag": .object(tagContext(tag))])
        }
        jobs.append(
            job(
                path: "tags/", template: "tags", title: "Tags", description: "Todas as tags de \(config.title).",
                extra: ["tags": .list(model.tags.map { .object(tagContext($0)) })],
                lastModified: newest(Array(model.posts.indices))))
        for series in model.series {
            jobs.append(
                job(
                    path: "series/\(series.slug)/", template: "series", title: "Série: \(series.name)",
                    description: "Todas as partes da série \(series.name), em ordem.",
                    extra: ["series": seriesContext(series)], lastModified: newest(series.posts)))
        }
        jobs.append(
            job(
                path: "series/", template: "series-index", title: "Séries",
                description: "As séries de artigos de \(config.title).",
                extra: ["series": .list(model.series.map(seriesContext))],
                lastModified: newest(Array(model.posts.indices))))
        jobs.append(archiveJob())
        jobs.append(
            job(
                path: "busca/", template: "search", title: "Busca",
                description: "Procure um assunto em todos os posts de \(config.title).",
                extra: [
                    "search": [
                        "available": .bool(searchAvailable), "bundle_url": .string(root + Pagefind.outputFolder + "/"),
                    ]
                ], lastModified: nil))
        jobs.append(
            job(
                path: "", file: "404.html", template: "404", title: "Página não encontrada",
                description: "Este endereço não existe em \(config.title).", extra: [:], lastModified: nil))
        return jobs
    }

    // MARK: - Page kinds

    private func postJob(_ index: Int) -> PageJob {
        let rendered = model.posts[index]
        var post = summaries[index]
        post["content"] = .string(rendered.html)
        post["words"] = .int(rendered.words)
        post["toc"] = tocContext(rendered.tableOfContents)
        post["has_toc"] = .bool(rendered.tableOfContents.count > 1)
        if let place = model.seriesOfPost[index] {
            let series = model.series[place.series]
            var context: [String: TemplateValue] = [
                "name": .string(series.name), "url": .string("\(root)series/\(series.slug)/"),
                "total": .int(partCount(series)),
                "part": .int(Self.partNumber(series.posts[place.position], position: place.position, model: model)),
            ]
            context["parts"] = .list(
                seriesWindow(count: series.posts.count, current: place.position).map { position in
                    guard let position else { return ["gap": true] }
                    let postIndex = series.posts[position]
                    return [
                        "title": .string(model.posts[postIndex].title), "url": .string(model.posts[postIndex].url),
                        "part": .int(Self.partNumber(postIndex, position: position, model: model)),
                        "current": .bool(postIndex == index),
                    ]
                })
            if place.position > 0 {
                context["previous"] = link(series.posts[place.position - 1])
            }
            if place.position + 1 < series.posts.count {
                context["next"] = link(series.posts[place.position + 1])
            }
            post["series"] = .object(context)
        }
        let description = rendered.post.frontMatter.description ?? config.description
        let article: TemplateValue = [
            "published_time": .string(rendered.post.dateLocal.rfc3339),
            "modified_time": .string(rendered.post.modifiedLocal.rfc3339),
            "tags": .list(rendered.tags.map { .string($0.name) }),
        ]
        return job(
            path: "posts/\(rendered.post.slug)/", template: "post", title: rendered.title,
            description: description, extra: ["post": .object(post)],
            lastModified: rendered.post.modifiedLocal, type: "article", origin: rendered.post.file,
            article: article, structuredData: blogPosting(rendered, description: description))
    }

    // MARK: - Structured data (JSON-LD)

    /// schema.org `BlogPosting` for a post's page.
    private func blogPosting(_ rendered: RenderedPost, description: String) -> JSON {
        let url = config.absoluteURL(rendered.url)
        var members: [JSONMember] = [
            JSONMember("@context", .string("https://schema.org")),
            JSONMember("@type", .string("BlogPosting")),
            JSONMember("headline", .string(rendered.title)),
            JSONMember("description", .string(description)),
            JSONMember("datePublished", .string(rendered.post.dateLocal.rfc3339)),
            JSONMember("dateModified", .string(rendered.post.modifiedLocal.rfc3339)),
            JSONMember("author", .object(["@type": .string("Person"), "name": .string(config.author)])),
            JSONMember("inLanguage", .string(config.language)),
            JSONMember("url", .string(url)),
            JSONMember("mainEntityOfPage", .object(["@type": .string("WebPage"), "@id": .string(url)])),
        ]
        if !rendered.tags.isEmpty {
            members.append(JSONMember("keywords", .string(rendered.tags.map(\.name).joined(separator: ", "))))
        }
        members.append(
            JSONMember(
                "isPartOf",
                .object(["@type": .string("Blog"), "name": .string(config.title), "url": .string(config.baseURL)])))
        return .object(members)
    }

    /// schema.org `WebSite` for the home page.
    private func webSite() -> JSON {
        .object([
            "@context": .string("https://schema.org"),
            "@type": .string("WebSite"),
            "name": .string(config.title),
            "description": .string(config.description),
            "url": .string(config.baseURL),
            "inLanguage": .string(config.language),
            "author": .object(["@type": .string("Person"), "name": .string(config.author)]),
        ])
    }

    private func pageJob(_ page: RenderedPage) -> PageJob {
        let frontMatter = page.page.frontMatter
        var context: [String: TemplateValue] = [
            "title": .string(frontMatter.title), "url": .string(page.url), "content": .string(page.html),
            "toc": tocContext(page.tableOfContents), "has_toc": .bool(page.tableOfContents.count > 1),
        ]
        let date = frontMatter.updated ?? frontMatter.date
        if let date = date?.local(in: config.timeZone) {
            context["date_iso"] = .string(date.isoDate)
            context["date_text"] = .string(date.portuguese)
        }
        return job(
            path: "\(page.page.path)/", template: "page", title: frontMatter.title,
            description: frontMatter.description ?? config.description, extra: ["content_page": .object(context)],
            lastModified: date?.local(in: config.timeZone), origin: page.page.file)
    }

    /// A paginated list of posts at `basePath` (page 1) and `basePath/page/N/`.
    private func listJobs(
        posts: [Int], basePath: String, template: String, title: String, description: String,
        extra: [String: TemplateValue]
    ) -> [PageJob] {
        let perPage = config.postsPerPage
        let pageCount = max(1, (posts.count + perPage - 1) / perPage)
        func pagePath(_ number: Int) -> String { number == 1 ? basePath : "\(basePath)page/\(number)/" }
        return (1...pageCount).map { number in
            let slice = Array(posts.dropFirst((number - 1) * perPage).prefix(perPage))
            var context = extra
            context["posts"] = .list(slice.map { TemplateValue.object(summaries[$0]) })
            if pageCount > 1 {
                var pagination: [String: TemplateValue] = ["current": .int(number), "total": .int(pageCount)]
                if number > 1 { pagination["previous_url"] = .string(root + pagePath(number - 1)) }
                if number < pageCount { pagination["next_url"] = .string(root + pagePath(number + 1)) }
                context["pagination"] = .object(pagination)
            }
            let pageTitle = number == 1 ? title : "\(title) (página \(number))"
            // Later pages get their own description, as each page has its own title.
            let pageDescription = number == 1 ? description : "\(description) Página \(number) de \(pageCount)."
            let isHome = template == "home" && number == 1
            return job(
                path: pagePath(number), template: template, title: pageTitle, description: pageDescription,
                extra: context, lastModified: newest(slice), isHome: isHome,
                structuredData: isHome ? webSite() : nil)
        }
    }

    private func archiveJob() -> PageJob {
        var years: [TemplateValue] = []
        var current: (year: Int, posts: [Int])?
        for index in model.posts.indices {
            let year = model.posts[index].post.dateLocal.year
            if current?.year != year {
                if let current {
                    years.append([
                        "year": .int(current.year), "count": .int(current.posts.count),
                        "posts": .list(current.posts.map { TemplateValue.object(summaries[$0]) }),
                    ])
                }
                current = (year, [])
            }
            current?.posts.append(index)
        }
        if let current {
            years.append([
                "year": .int(current.year), "count": .int(current.posts.count),
                "posts": .list(current.posts.map { TemplateValue.object(summaries[$0]) }),
            ])
        }
        return job(
            path: "arquivo/", template: "archive", title: "Arquivo",
            description: "Todos os posts de \(config.title), por ano.", extra: ["years": .list(years)],
            lastModified: newest(Array(model.posts.indices)))
    }

    // MARK: - Contexts

    /// A page at the site path `path` (a folder, written as its index.html), or the file `file`
    /// in it, which is then left out of the sitemap.
    private func job(
        path: String, file: String = "index.html", template: String, title: String, description: String,
        extra: [String: TemplateValue],
        lastModified: LocalDateTime?, type: String = "website", isHome: Bool = false, origin: String? = nil,
        article: TemplateValue? = nil, structuredData: JSON? = nil
    ) -> PageJob {
        var context = extra
        context["site"] = siteContext
        context["assets"] = assetContext
        let sitePath = root + path + (file == "index.html" ? "" : file)
        var page: [String: TemplateValue] = [
            "title": .string(title), "description": .string(description), "url": .string(sitePath),
            "canonical": .string(config.absoluteURL(sitePath)), "type": .string(type),
            "full_title": .string(isHome ? config.title : "\(title) — \(config.title)"), "is_home": .bool(isHome),
        ]
        // OpenGraph `article:*` properties, and JSON-LD to be written raw inside a <script>.
        if let article { page["article"] = article }
        if let structuredData { page["json_ld"] = .string(JSON.scriptSafe(structuredData)) }
        context["page"] = .object(page)
        return PageJob(
            path: path + file, template: template, context: .object(context), sitePath: sitePath,
            lastModified: lastModified, inSitemap: file == "index.html",
            origin: origin ?? "the generated '\(template)' page \(sitePath)", generated: origin == nil)
    }

    private static func summary(_ index: Int, model: SiteModel) -> [String: TemplateValue] {
        let rendered = model.posts[index]
        let frontMatter = rendered.post.frontMatter
        let date = rendered.post.dateLocal
        let root = model.config.rootPath
        var context: [String: TemplateValue] = [
            "title": .string(rendered.title), "url": .string(rendered.url),
            "description": .string(frontMatter.description ?? ""), "date_iso": .string(date.isoDate),
            "date_text": .string(date.portuguese), "reading_minutes": .int(rendered.readingMinutes),
            "tags": .list(
                rendered.tags.map { ["name": .string($0.name), "url": .string("\(root)tags/\($0.slug)/")] }),
        ]
        context["has_tags"] = .bool(!rendered.tags.isEmpty)
        if let updated = rendered.post.updatedLocal {
            context["updated_iso"] = .string(updated.isoDate)
            context["updated_text"] = .string(updated.portuguese)
        }
        if let place = model.seriesOfPost[index] {
            context["series_name"] = .string(model.series[place.series].name)
            context["series_part"] = .int(partNumber(index, position: place.position, model: model))
        }
        return context
    }

    private func link(_ index: Int) -> TemplateValue {
        ["title": .string(model.posts[index].title), "url": .string(model.posts[index].url)]
    }

    private func tagContext(_ tag: Tag) -> [String: TemplateValue] {
        ["name": .string(tag.name), "url": .string("\(root)tags/\(tag.slug)/"), "count": .int(tag.posts.count)]
    }

    private func seriesContext(_ series: Series) -> TemplateValue {
        [
            "name": .string(series.name), "url": .string("\(root)series/\(series.slug)/"),
            "total": .int(partCount(series)),
            "posts": .list(
                series.posts.enumerated().map { position, index in
                    var context = summaries[index]
                    context["part"] = .int(Self.partNumber(index, position: position, model: model))
                    return .object(context)
                }),
        ]
    }

    private func tocContext(_ entries: [TOCEntry]) -> TemplateValue {
        let top = entries.map(\.level).min() ?? 1
        return .list(
            entries.map {
                [
                    "level": .int($0.level), "depth": .int($0.level - top), "id": .string($0.id),
                    "text": .string($0.text),
                ]
            })
    }

    /// A post's number in its series: its `part` when the front matter gives one, else its place.
    private static func partNumber(_ post: Int, position: Int, model: SiteModel) -> Int {
        model.posts[post].post.frontMatter.part ?? position + 1
    }

    /// How many parts a series has: its posts, or its highest `part` when parts are still missing.
    private func partCount(_ series: Series) -> Int {
        max(series.posts.count, series.posts.compactMap { model.posts[$0].post.frontMatter.part }.max() ?? 0)
    }

    private func newest(_ posts: [Int]) -> LocalDateTime? {
        posts.map { model.posts[$0].post }.max { $0.modified < $1.modified }?.modifiedLocal
    }
}

/// The parts a post's series box lists: all of them in a series of up to 12, else the first, the
/// last and three on each side of the current one, with nil where parts are left out. Listing
/// every part of a long series on every part's page would grow with the square of its length.
func seriesWindow(count: Int, current: Int) -> [Int?] {
    guard count > 12 else { return Array(0..<count) }
    let shown = Set([0, count - 1] + Array(max(0, current - 3)...min(count - 1, current + 3)))
    var window: [Int?] = []
    for position in shown.sorted() {
        if let last = window.last ?? nil, position > last + 1 { window.append(nil) }
        window.append(position)
    }
    return window
}
