import Foundation
import Markdown

/// A post's or page's front matter, decoded and validated.
struct FrontMatter: Sendable {
    var title: String
    var description: String?
    var date: PostDate?
    var updated: PostDate?
    var tags: [(name: String, location: SourceLocation)]
    var series: String?
    var part: Int?
    var draft: Bool
    var slug: String?
    /// Where each key's value is, for diagnostics raised by later stages (a duplicate slug).
    var locations: [String: SourceLocation]

    static let postKeys = ["title", "date", "description", "tags", "series", "part", "draft", "updated", "slug"]
    static let pageKeys = ["title", "description", "date", "updated", "draft", "slug"]

    enum Kind {
        case post
        case page

        var knownKeys: [String] { self == .post ? FrontMatter.postKeys : FrontMatter.pageKeys }
        var required: [String] { self == .post ? ["title", "date", "description"] : ["title"] }
    }

    /// Decodes the YAML of `split`, reporting every problem in `log`; nil when there was any.
    static func decode(
        _ split: SplitSource, file: String, kind: Kind, timeZone: TimeZone, log: inout DiagnosticLog
    ) -> FrontMatter? {
        var fields = YAMLFields(
            yaml: split.frontMatter, file: file, lineOffset: split.frontMatterLineOffset, what: "front matter",
            knownKeys: kind.knownKeys)
        if split.frontMatter.trimmingWhitespace.isEmpty {
            log.append(contentsOf: fields.log)
            return nil
        }
        fields.requireMissing(kind.required)
        let title = fields.string("title")
        let description = fields.string("description")
        let date = fields.date("date")
        let updated = fields.date("updated")
        let tags = fields.stringList("tags") ?? []
        let series = fields.string("series")
        let part = fields.integer("part", in: 1...10_000)
        if fields.has("part") && !fields.has("series") {
            fields.error("'part' needs a 'series' to be part of", at: fields.location(of: "part"))
        }
        let draft = fields.bool("draft") ?? false
        let slug = fields.string("slug")
        if let slug, !isValidSlug(slug) {
            let suggestion = Slug.make(slug)
            var message = "slug '\(slug)' may contain only lowercase letters a–z, digits, '-' and '_'"
            if !suggestion.isEmpty { message += "; did you mean '\(suggestion)'?" }
            fields.error(message, at: fields.location(of: "slug"))
        }
        if let date, let updated, updated.instant(in: timeZone) < date.instant(in: timeZone) {
            fields.error("'updated' is earlier than 'date'", at: fields.location(of: "updated"))
        }
        log.append(contentsOf: fields.log)
        guard !fields.log.hasErrors, let title else { return nil }
        var locations: [String: SourceLocation] = [:]
        for key in kind.knownKeys where fields.has(key) { locations[key] = fields.location(of: key) }
        return FrontMatter(
            title: title, description: description, date: date, updated: updated,
            tags: tags.map { (name: $0.0, location: $0.1) }, series: series, part: part, draft: draft, slug: slug,
            locations: locations)
    }

    static func isValidSlug(_ slug: String) -> Bool {
        !slug.isEmpty && slug != "." && slug != ".."
            && slug.utf8.allSatisfy { byte in
                (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                    || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                    || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
            }
    }
}
