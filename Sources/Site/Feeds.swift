import Markdown
import Support

/// Atom, JSON Feed 1.1, sitemap and robots.txt. Every date comes from the posts, never the clock.
struct FeedWriter {
    let model: SiteModel

    private var config: SiteConfig { model.config }
    private var feedPosts: ArraySlice<RenderedPost> { model.posts.prefix(config.feedLimit) }

    /// The newest date among the feed's posts (`updated` when given), or the epoch for an empty site.
    private var feedUpdated: String {
        feedPosts.max { $0.post.modified < $1.post.modified }?.post.modifiedLocal.rfc3339 ?? "1970-01-01T00:00:00Z"
    }

    func atom() -> String {
        let home = config.baseURL
        var xml = """
            <?xml version="1.0" encoding="utf-8"?>
            <feed xmlns="http://www.w3.org/2005/Atom" xml:lang="\(xmlEscape(config.language))">
              <title>\(xmlEscape(config.title))</title>
              <subtitle>\(xmlEscape(config.description))</subtitle>
              <link href="\(xmlEscape(home))feed.xml" rel="self" type="application/atom+xml"/>
              <link href="\(xmlEscape(home))" rel="alternate" type="text/html"/>
              <id>\(xmlEscape(home))</id>
              <updated>\(feedUpdated)</updated>
              <author><name>\(xmlEscape(config.author))</name></author>
              <generator>Prensa</generator>

            """
        for post in feedPosts {
            let frontMatter = post.post.frontMatter
            let url = config.absoluteURL(post.url)
            let published = post.post.dateLocal.rfc3339
            let updated = post.post.modifiedLocal.rfc3339
            xml += """
                  <entry>
                    <title>\(xmlEscape(post.title))</title>
                    <link href="\(xmlEscape(url))" rel="alternate" type="text/html"/>
                    <id>\(xmlEscape(url))</id>
                    <published>\(published)</published>
                    <updated>\(updated)</updated>
                    <summary>\(xmlEscape(frontMatter.description ?? ""))</summary>
                    <content type="html" xml:base="\(xmlEscape(url))">\(xmlEscape(post.html))</content>

                """
            for tag in post.tags {
                xml += "    <category term=\"\(xmlEscape(tag.slug))\" label=\"\(xmlEscape(tag.name))\"/>\n"
            }
            xml += "  </entry>\n"
        }
        xml += "</feed>\n"
        return xml
    }

    func jsonFeed() -> String {
        var items: [JSON] = []
        for post in feedPosts {
            let frontMatter = post.post.frontMatter
            let url = config.absoluteURL(post.url)
            var item: [JSONMember] = [
                JSONMember("id", .string(url)), JSONMember("url", .string(url)),
                JSONMember("title", .string(post.title)),
                JSONMember("content_html", .string(post.html)),
                JSONMember("summary", .string(frontMatter.description ?? "")),
                JSONMember("date_published", .string(post.post.dateLocal.rfc3339)),
            ]
            if let updated = post.post.updatedLocal {
                item.append(JSONMember("date_modified", .string(updated.rfc3339)))
            }
            if !frontMatter.tags.isEmpty {
                item.append(JSONMember("tags", .array(frontMatter.tags.map { .string($0.name) })))
            }
            items.append(.object(item))
        }
        let feed: JSON = .object([
            JSONMember("version", .string("https://jsonfeed.org/version/1.1")),
            JSONMember("title", .string(config.title)),
            JSONMember("home_page_url", .string(config.baseURL)),
            JSONMember("feed_url", .string(config.baseURL + "feed.json")),
            JSONMember("description", .string(config.description)),
            JSONMember("language", .string(config.language)),
            JSONMember("authors", .array([.object([JSONMember("name", .string(config.author))])])),
            JSONMember("items", .array(items)),
        ])
        return feed.serialized() + "\n"
    }

    func sitemap(_ pages: [PageJob]) -> String {
        var xml = """
            <?xml version="1.0" encoding="utf-8"?>
            <urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">

            """
        for page in pages.sorted(by: { $0.sitePath < $1.sitePath }) where page.inSitemap {
            xml += "  <url><loc>\(xmlEscape(config.absoluteURL(page.sitePath)))</loc>"
            if let lastModified = page.lastModified { xml += "<lastmod>\(lastModified.rfc3339)</lastmod>" }
            xml += "</url>\n"
        }
        xml += "</urlset>\n"
        return xml
    }

    func robots() -> String {
        "User-agent: *\nAllow: /\n\nSitemap: \(config.baseURL)sitemap.xml\n"
    }
}

/// Escapes text for XML and drops the control characters XML 1.0 cannot carry.
func xmlEscape(_ text: String) -> String {
    let clean =
        text.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" && $0 != "\t" && $0 != "\r" }
        ? String(String.UnicodeScalarView(text.unicodeScalars.filter { $0.value >= 0x20 || $0 == "\n" || $0 == "\t" }))
        : text
    return HTML.escape(clean)
}
