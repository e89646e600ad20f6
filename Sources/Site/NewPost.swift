import Foundation
import Markdown

public enum NewPost {
    /// Creates `content/posts/<slug>.md` under `source` with valid front matter (a draft dated
    /// `today`) and returns its path. Never overwrites: an existing file is an error.
    public static func create(title: String, source: String, today: Date = Date()) throws(BuildFailure) -> String {
        let prefix = BuildOptions(source: source).displayPrefix
        let trimmed = title.trimmingWhitespace
        let slug = Slug.make(trimmed)
        guard !trimmed.isEmpty, !slug.isEmpty else {
            throw BuildFailure([
                Diagnostic(
                    file: "prensa new",
                    message: "the title '\(title)' has no letters or digits to make a file name from")
            ])
        }
        let directory = source + "/content/posts"
        let path = "\(directory)/\(slug).md"
        let display = "\(prefix)content/posts/\(slug).md"
        let zone =
            (try? SiteConfig.load(
                path: source + "/content/site.yml", displayPath: "site.yml", baseURLOverride: nil
            ).get().timeZone) ?? TimeZone.current
        let date = LocalDateTime(instant: Int64(today.timeIntervalSince1970.rounded(.down)), timeZone: zone)
        let text = """
            ---
            title: \(yamlQuoted(trimmed))
            date: \(date.isoDate)
            description: "Uma frase que diz ao leitor o que ele vai aprender."
            tags: []
            draft: true
            ---

            Escreva aqui o primeiro parágrafo.

            """
        do {
            try StagingDirectory.makeDirectories(directory)
        } catch {
            throw BuildFailure([Diagnostic(file: error.path, message: error.message)])
        }
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            let message = errno == EEXIST ? "file already exists; choose another title or edit it" : errnoText()
            throw BuildFailure([Diagnostic(file: display, message: message)])
        }
        defer { close(fd) }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress!, $0.count) }
        guard written == bytes.count else {
            throw BuildFailure([Diagnostic(file: display, message: "cannot write file: \(errnoText())")])
        }
        return display
    }

    /// A double-quoted YAML scalar.
    static func yamlQuoted(_ text: String) -> String {
        var output = "\""
        for character in text {
            switch character {
            case "\\": output += "\\\\"
            case "\"": output += "\\\""
            default: output.append(character)
            }
        }
        return output + "\""
    }
}
