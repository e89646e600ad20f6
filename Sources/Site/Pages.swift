import Markdown
import Support

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
struct PageJob: @unchecked Sendable {
    let path: String
    let template: String
    /// The Mustache context. Built from value types only, read by one render at a time.
    let context: [String: Any]
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
    private let siteContext: [String: Any]
    private let assetContext: [String: String]
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
            "title": config.title, "description": config.description, "base_url": config.baseURL,
            "language": config.language, "author": config.author, "root": root,
            "feed_atom": root + "feed.xml", "feed_json": root + "feed.json",
            "pages": model.pages.map { ["title": $0.page.frontMatter.title, "url": $0.url] },
            "tags_url": root + "tags/", "series_url": root + "series/", "archive_url": root + "arquivo/",
            "search_url": root + "busca/",
        ]
        // "icons/rss.svg" is {{assets.icons_rss_svg}} in templates.
        var assets: [String: String] = [:]
        for (key, path) in templates.assets {
            assets[String(key.map { $0.isLetter || $0.isNumber ? $0 : "_" })] = root + path
        }
        assetContext = assets
    }

    func jobs() -> [PageJob] {
        var jobs: [PageJob] = []
        for index in model.posts.indices { jobs.append(postJob(index)) }
        for page in model.pages { jobs.append(pageJob(page)) }
        jobs += listJobs(
            posts: Array(model.posts.indices), basePath: "", template: "home", title: config.title,
            description: config.description, extra: [:])
        for tag in model.tags {
            jobs += listJobs(
                posts: tag.posts, basePath: "tags/\(tag.slug)/", template: "tag", title: "Tag: \(tag.name)",
                description: "Posts com a tag \(tag.name).", extra: ["tag": tagContext(tag)])
        }
        jobs.append(
            job(
                path: "tags/", template: "tags", title: "Tags", description: "Todas as tags de \(config.title).",
                extra: ["tags": model.tags.map(tagContext)], lastModified: newest(Array(model.posts.indices))))
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
                extra: ["series": model.series.map(seriesContext)], lastModified: newest(Array(model.posts.indices))))
        jobs.append(archiveJob())
        jobs.append(
            job(
                path: "busca/", template: "search", title: "Busca",
                description: "Procure um assunto em todos os posts de \(config.title).",
                extra: [
                    "search": [
                        "available": searchAvailable, "bundle_url": root + Pagefind.outputFolder + "/",
                    ] as [String: Any]
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
        var post = summary(index)
        post["content"] = rendered.html
        post["words"] = rendered.words
        post["toc"] = tocContext(rendered.tableOfContents)
        post["has_toc"] = rendered.tableOfContents.count > 1
        if let place = model.seriesOfPost[index] {
            let series = model.series[place.series]
            var context: [String: Any] = [
                "name": series.name, "url": "\(root)series/\(series.slug)/", "total": partCount(series),
                "part": partNumber(series.posts[place.position], position: place.position),
            ]
            context["parts"] = seriesWindow(count: series.posts.count, current: place.position).map { position in
                guard let position else { return ["gap": true] as [String: Any] }
                let postIndex = series.posts[position]
                return [
                    "title": model.posts[postIndex].title, "url": model.posts[postIndex].url,
                    "part": partNumber(postIndex, position: position), "current": postIndex == index,
                ] as [String: Any]
            }
            if place.position > 0 {
                context["previous"] = link(series.posts[place.position - 1])
            }
            if place.position + 1 < series.posts.count {
                context["next"] = link(series.posts[place.position + 1])
            }
            post["series"] = context
        }
        let description = rendered.post.frontMatter.description ?? config.description
        let article: [String: Any] = [
            "published_time": rendered.post.dateLocal.rfc3339, "modified_time": rendered.post.modifiedLocal.rfc3339,
            "tags": rendered.tags.map(\.name),
        ]
        return job(
            path: "posts/\(rendered.post.slug)/", template: "post", title: rendered.title,
            description: description, extra: ["post": post],
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
        var context: [String: Any] = [
            "title": frontMatter.title, "url": page.url, "content": page.html,
            "toc": tocContext(page.tableOfContents), "has_toc": page.tableOfContents.count > 1,
        ]
        let date = frontMatter.updated ?? frontMatter.date
        if let date = date?.local(in: config.timeZone) {
            context["date_iso"] = date.isoDate
            context["date_text"] = date.portuguese
        }
        return job(
            path: "\(page.page.path)/", template: "page", title: frontMatter.title,
            description: frontMatter.description ?? config.description, extra: ["content_page": context],
            lastModified: date?.local(in: config.timeZone), origin: page.page.file)
    }

    /// A paginated list of posts at `basePath` (page 1) and `basePath/page/N/`.
    private func listJobs(
        posts: [Int], basePath: String, template: String, title: String, description: String,
        extra: [String: Any]
    ) -> [PageJob] {
        let perPage = config.postsPerPage
        let pageCount = max(1, (posts.count + perPage - 1) / perPage)
        func pagePath(_ number: Int) -> String { number == 1 ? basePath : "\(basePath)page/\(number)/" }
        return (1...pageCount).map { number in
            let slice = Array(posts.dropFirst((number - 1) * perPage).prefix(perPage))
            var context = extra
            context["posts"] = slice.map(summary)
            if pageCount > 1 {
                var pagination: [String: Any] = ["current": number, "total": pageCount]
                if number > 1 { pagination["previous_url"] = root + pagePath(number - 1) }
                if number < pageCount { pagination["next_url"] = root + pagePath(number + 1) }
                context["pagination"] = pagination
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
        var years: [[String: Any]] = []
        var current: (year: Int, posts: [Int])?
        for index in model.posts.indices {
            let year = model.posts[index].post.dateLocal.year
            if current?.year != year {
                if let current {
                    years.append([
                        "year": current.year, "count": current.posts.count, "posts": current.posts.map(summary),
                    ])
                }
                current = (year, [])
            }
            current?.posts.append(index)
        }
        if let current {
            years.append(["year": current.year, "count": current.posts.count, "posts": current.posts.map(summary)])
        }
        return job(
            path: "arquivo/", template: "archive", title: "Arquivo",
            description: "Todos os posts de \(config.title), por ano.", extra: ["years": years],
            lastModified: newest(Array(model.posts.indices)))
    }

    // MARK: - Contexts

    /// A page at the site path `path` (a folder, written as its index.html), or the file `file`
    /// in it, which is then left out of the sitemap.
    private func job(
        path: String, file: String = "index.html", template: String, title: String, description: String,
        extra: [String: Any],
        lastModified: LocalDateTime?, type: String = "website", isHome: Bool = false, origin: String? = nil,
        article: [String: Any]? = nil, structuredData: JSON? = nil
    ) -> PageJob {
        var context = extra
        context["site"] = siteContext
        context["assets"] = assetContext
        let sitePath = root + path + (file == "index.html" ? "" : file)
        var page: [String: Any] = [
            "title": title, "description": description, "url": sitePath,
            "canonical": config.absoluteURL(sitePath), "type": type,
            "full_title": isHome ? config.title : "\(title) — \(config.title)", "is_home": isHome,
        ]
        // OpenGraph `article:*` properties, and JSON-LD to be written raw inside a <script>.
        if let article { page["article"] = article }
        if let structuredData { page["json_ld"] = JSON.scriptSafe(structuredData) }
        context["page"] = page
        return PageJob(
            path: path + file, template: template, context: context, sitePath: sitePath,
            lastModified: lastModified, inSitemap: file == "index.html",
            origin: origin ?? "the generated '\(template)' page \(sitePath)", generated: origin == nil)
    }

    private func summary(_ index: Int) -> [String: Any] {
        let rendered = model.posts[index]
        let frontMatter = rendered.post.frontMatter
        let date = rendered.post.dateLocal
        var context: [String: Any] = [
            "title": rendered.title, "url": rendered.url, "description": frontMatter.description ?? "",
            "date_iso": date.isoDate, "date_text": date.portuguese, "reading_minutes": rendered.readingMinutes,
            "tags": rendered.tags.map { ["name": $0.name, "url": "\(root)tags/\($0.slug)/"] },
        ]
        context["has_tags"] = !rendered.tags.isEmpty
        if let updated = rendered.post.updatedLocal {
            context["updated_iso"] = updated.isoDate
            context["updated_text"] = updated.portuguese
        }
        if let place = model.seriesOfPost[index] {
            context["series_name"] = model.series[place.series].name
            context["series_part"] = partNumber(index, position: place.position)
        }
        return context
    }

    private func link(_ index: Int) -> [String: Any] {
        ["title": model.posts[index].title, "url": model.posts[index].url]
    }

    private func tagContext(_ tag: Tag) -> [String: Any] {
        ["name": tag.name, "url": "\(root)tags/\(tag.slug)/", "count": tag.posts.count]
    }

    private func seriesContext(_ series: Series) -> [String: Any] {
        [
            "name": series.name, "url": "\(root)series/\(series.slug)/", "total": partCount(series),
            "posts": series.posts.enumerated().map { position, index in
                var context = summary(index)
                context["part"] = partNumber(index, position: position)
                return context
            },
        ]
    }

    private func tocContext(_ entries: [TOCEntry]) -> [[String: Any]] {
        let top = entries.map(\.level).min() ?? 1
        return entries.map { ["level": $0.level, "depth": $0.level - top, "id": $0.id, "text": $0.text] }
    }

    /// A post's number in its series: its `part` when the front matter gives one, else its place.
    private func partNumber(_ post: Int, position: Int) -> Int {
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
