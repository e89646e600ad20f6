import Foundation

/// `content/site.yml`: what the whole site shares.
public struct SiteConfig: Sendable {
    public var title: String
    public var description: String
    /// Absolute, with a trailing slash: `https://example.com/` or `https://example.com/blog/`.
    public var baseURL: String
    public var language: String
    public var author: String
    public var timeZone: TimeZone
    public var postsPerPage: Int
    /// How many of the newest posts the Atom and JSON feeds carry, with their full content.
    public var feedLimit: Int
    /// Let authors' raw HTML through the Markdown renderer (off: it is omitted).
    public var rawHTML: Bool
    /// Seconds a ```` ```swift sim ```` block may run before it is stopped (`swift_sim_timeout`).
    public var swiftSimTimeout: Double = 10

    /// Stands in for a `site.yml` that failed to load, so the posts can still be checked.
    static let placeholder = SiteConfig(
        title: "", description: "", baseURL: "http://localhost/", language: "pt-BR", author: "",
        timeZone: TimeZone(identifier: "UTC")!, postsPerPage: 10, feedLimit: 20, rawHTML: false)

    static let knownKeys = [
        "title", "description", "base_url", "language", "author", "timezone", "posts_per_page",
        "feed_limit", "raw_html", "swift_sim_timeout",
    ]

    /// The path part of the base URL, with slashes at both ends: "/" or "/blog/".
    public var rootPath: String {
        guard let schemeEnd = baseURL.range(of: "://") else { return "/" }
        let afterHost = baseURL[schemeEnd.upperBound...]
        guard let slash = afterHost.firstIndex(of: "/") else { return "/" }
        return String(afterHost[slash...])
    }

    /// The absolute URL of a site path such as "/posts/x/".
    public func absoluteURL(_ sitePath: String) -> String {
        guard let schemeEnd = baseURL.range(of: "://") else { return baseURL + sitePath }
        let afterHost = baseURL[schemeEnd.upperBound...]
        let origin = afterHost.firstIndex(of: "/").map { String(baseURL[..<$0]) } ?? baseURL
        return origin + sitePath
    }

    static func load(
        path: String, displayPath: String, baseURLOverride: String?
    ) -> Result<SiteConfig, BuildFailure> {
        let source: SourceFile
        switch SourceFile.read(path: path, displayPath: displayPath) {
        case .success(let file): source = file
        case .failure(let diagnostic):
            // A file that exists but cannot be decoded keeps its line and column (invalid UTF-8).
            guard FileManager.default.fileExists(atPath: path) else {
                let message =
                    "missing site configuration; create it with at least 'title:', 'description:' and 'base_url:'"
                return .failure(BuildFailure([Diagnostic(file: displayPath, message: message)]))
            }
            return .failure(BuildFailure([diagnostic]))
        }
        return decode(source, baseURLOverride: baseURLOverride)
    }

    /// The configuration in `source` (the text of a `site.yml`), or every problem with it.
    static func decode(_ source: SourceFile, baseURLOverride: String?) -> Result<SiteConfig, BuildFailure> {
        let displayPath = source.displayPath
        var fields = YAMLFields(
            yaml: source.text, file: displayPath, lineOffset: 0, what: "site.yml", knownKeys: knownKeys)
        fields.requireMissing(["title", "description", "base_url"])
        let title = fields.string("title")
        let description = fields.string("description")
        var baseURL = fields.string("base_url")
        if let override = baseURLOverride { baseURL = override }
        if var url = baseURL {
            if !url.hasSuffix("/") { url += "/" }
            baseURL = url
            if !(url.hasPrefix("https://") || url.hasPrefix("http://")) || url.count <= "https://".count
                || url.contains(" ")
            {
                let message = "base URL '\(url)' must be an absolute http:// or https:// address"
                if baseURLOverride != nil {
                    fields.error(message + " (from --base-url)", at: fields.start)
                } else {
                    fields.error(message, at: fields.location(of: "base_url"))
                }
            }
        }
        let language = fields.string("language") ?? "pt-BR"
        let author = fields.string("author") ?? title ?? ""
        var timeZone = TimeZone(identifier: "UTC")!
        if let identifier = fields.string("timezone") {
            if let zone = TimeZone(identifier: identifier) {
                timeZone = zone
            } else {
                fields.error(
                    "unknown time zone '\(identifier)'; use an IANA name like America/Sao_Paulo",
                    at: fields.location(of: "timezone"))
            }
        }
        let postsPerPage = fields.integer("posts_per_page", in: 1...1000) ?? 10
        let feedLimit = fields.integer("feed_limit", in: 1...100_000) ?? 20
        let rawHTML = fields.bool("raw_html") ?? false
        let swiftSimTimeout = fields.double("swift_sim_timeout", in: 0.1...3600) ?? 10
        guard !fields.log.hasErrors, let title, let description, let baseURL else {
            return .failure(BuildFailure(fields.log.sorted))
        }
        return .success(
            SiteConfig(
                title: title, description: description, baseURL: baseURL, language: language, author: author,
                timeZone: timeZone, postsPerPage: postsPerPage, feedLimit: feedLimit, rawHTML: rawHTML,
                swiftSimTimeout: swiftSimTimeout))
    }
}
