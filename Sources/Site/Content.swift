import Foundation
import Markdown

/// A post: `content/posts/**/*.md`, published at `/posts/<slug>/`.
struct Post: Sendable {
    let file: String
    let frontMatter: FrontMatter
    let body: String
    let bodyLineOffset: Int
    let slug: String
    /// Where the slug comes from: the `slug:` value, or the file itself.
    let slugLocation: SourceLocation
    /// Seconds since the epoch, for ordering.
    let published: Int64
    /// `date` as shown in the site's time zone.
    let dateLocal: LocalDateTime
    /// `updated` as shown in the site's time zone.
    let updatedLocal: LocalDateTime?
    /// When the post last changed (`updated`, else `date`), in seconds since the epoch.
    let modified: Int64

    /// When the post last changed, as shown in the site's time zone.
    var modifiedLocal: LocalDateTime { updatedLocal ?? dateLocal }
}

/// A page that is not a post: `content/sobre.md` is published at `/sobre/`.
struct Page: Sendable {
    let file: String
    let frontMatter: FrontMatter
    let body: String
    let bodyLineOffset: Int
    /// The site path without slashes at the ends: "sobre", "projetos/prensa".
    let path: String
}

/// A file under `content/` that is neither Markdown nor `site.yml`: copied as it is.
struct StaticFile: Sendable {
    let sourcePath: String
    let outputPath: String
}

struct LoadedContent: Sendable {
    var posts: [Post] = []
    var pages: [Page] = []
    var staticFiles: [StaticFile] = []
    /// Bodies of the Markdown files left out for a mistake in their front matter (or in what it
    /// gives: the date, the URL): still checked, never rendered, so one run reports every mistake.
    var rejectedBodies: [MarkdownBody] = []
}

/// A Markdown file's body: its file (as shown), the text after its front matter, and the lines
/// before it.
struct MarkdownBody: Sendable {
    let file: String
    let body: String
    let lineOffset: Int
}

enum ContentLoader {
    /// Reads every file under `contentDir` (sorted, hidden files skipped), decoding front matter.
    /// Drafts are dropped unless `includeDrafts`. Every problem goes to `log`.
    static func load(
        contentDir: String, displayPrefix: String, timeZone: TimeZone, includeDrafts: Bool,
        log: inout DiagnosticLog
    ) -> LoadedContent {
        var content = LoadedContent()
        let relativePaths = listSiteFiles(
            in: contentDir, displayPath: displayPrefix + "content",
            siteRoot: URL(fileURLWithPath: contentDir)
                .deletingLastPathComponent().path, log: &log)
        let markdown = relativePaths.filter { $0.hasSuffix(".md") }
        let results = parallelMap(markdown) { relative in
            loadMarkdown(
                path: contentDir + "/" + relative, relative: relative, displayPrefix: displayPrefix,
                timeZone: timeZone)
        }
        for result in results {
            log.append(contentsOf: result.log)
            switch result.item {
            case .post(let post)?:
                if includeDrafts || !post.frontMatter.draft { content.posts.append(post) }
            case .page(let page)?:
                if includeDrafts || !page.frontMatter.draft { content.pages.append(page) }
            case nil:
                if let body = result.body { content.rejectedBodies.append(body) }
            }
        }
        for relative in relativePaths where !relative.hasSuffix(".md") && relative != "site.yml" {
            content.staticFiles.append(StaticFile(sourcePath: contentDir + "/" + relative, outputPath: relative))
        }
        return content
    }

    enum Item: Sendable {
        case post(Post)
        case page(Page)
    }

    struct Loaded: Sendable {
        var item: Item?
        var log = DiagnosticLog()
        /// The body, once the front matter was split from it (checked when `item` is nil).
        var body: MarkdownBody?
    }

    private static func loadMarkdown(
        path: String, relative: String, displayPrefix: String, timeZone: TimeZone
    ) -> Loaded {
        let display = displayPrefix + "content/" + relative
        return decodeMarkdown(
            SourceFile.read(path: path, displayPath: display), relative: relative, display: display,
            timeZone: timeZone)
    }

    /// A Markdown file's text (or why it could not be read) → its post or page, or diagnostics.
    /// `relative` is its path under `content/` (`posts/…` for a post); `display` the path in messages.
    static func decodeMarkdown(
        _ source: Result<SourceFile, Diagnostic>, relative: String, display: String, timeZone: TimeZone
    ) -> Loaded {
        var loaded = Loaded()
        let split: SplitSource
        switch source.flatMap(SplitSource.split) {
        case .success(let value): split = value
        case .failure(let diagnostic):
            loaded.log.append(diagnostic)
            return loaded
        }
        loaded.body = MarkdownBody(file: display, body: split.body, lineOffset: split.bodyLineOffset)
        let isPost = relative.hasPrefix("posts/")
        guard
            let frontMatter = FrontMatter.decode(
                split, file: display, kind: isPost ? .post : .page, timeZone: timeZone, log: &loaded.log)
        else { return loaded }
        let fileLocation = SourceLocation(file: display, line: 1, column: 1)
        let stem = String(relative.split(separator: "/").last!.dropLast(3))
        if isPost {
            guard let date = frontMatter.date else { return loaded }
            let slug = frontMatter.slug ?? Slug.make(stem)
            guard !slug.isEmpty else {
                loaded.log.error(
                    "the file name '\(stem).md' gives an empty URL slug; add 'slug:' to the front matter",
                    at: fileLocation)
                return loaded
            }
            loaded.item = .post(
                Post(
                    file: display, frontMatter: frontMatter, body: split.body, bodyLineOffset: split.bodyLineOffset,
                    slug: slug, slugLocation: frontMatter.locations["slug"] ?? fileLocation,
                    published: date.instant(in: timeZone), dateLocal: date.local(in: timeZone),
                    updatedLocal: frontMatter.updated?.local(in: timeZone),
                    modified: (frontMatter.updated ?? date).instant(in: timeZone)))
        } else {
            var components = relative.split(separator: "/").dropLast().map(String.init)
            components.append(frontMatter.slug ?? Slug.make(stem))
            if components.last == "index" { components.removeLast() }
            let sitePath = components.joined(separator: "/")
            guard components.allSatisfy({ FrontMatter.isValidSlug($0) }), !sitePath.isEmpty else {
                loaded.log.error(
                    "the page '\(relative)' has no valid URL path; rename it or set 'slug:' (the home page is generated)",
                    at: fileLocation)
                return loaded
            }
            loaded.item = .page(
                Page(
                    file: display, frontMatter: frontMatter, body: split.body, bodyLineOffset: split.bodyLineOffset,
                    path: sitePath))
        }
        return loaded
    }

    /// Files under `dir` (the site's `content/` or `templates/`), as sorted paths relative to it,
    /// skipping hidden files and folders. What could make the build read outside the site, read
    /// for ever or loop is reported in `log` (at `displayPath/…`) and left out: a symbolic link
    /// that leads outside `siteRoot` or nowhere, a folder reached twice through links, and
    /// anything that is neither a file nor a folder (a FIFO would block the read).
    static func listSiteFiles(
        in dir: String, displayPath: String, siteRoot: String, log: inout DiagnosticLog
    ) -> [String] {
        let manager = FileManager.default
        guard let realRoot = realPath(siteRoot), let realDir = realPath(dir) else { return listFiles(in: dir) }
        var files: [String] = []
        var pending = [""]
        var visited: Set<String> = [realDir]
        while let relative = pending.popLast() {
            let absolute = relative.isEmpty ? dir : dir + "/" + relative
            guard let names = try? manager.contentsOfDirectory(atPath: absolute) else { continue }
            for name in names.sorted() where !name.hasPrefix(".") {
                let child = relative.isEmpty ? name : relative + "/" + name
                let path = dir + "/" + child
                let location = SourceLocation(file: displayPath + "/" + child, line: 0, column: 0)
                var info = stat()
                guard lstat(path, &info) == 0 else { continue }
                if info.st_mode & S_IFMT == S_IFLNK {
                    let target = (try? manager.destinationOfSymbolicLink(atPath: path)) ?? "?"
                    guard let real = realPath(path), stat(path, &info) == 0 else {
                        log.error("symbolic link to '\(target)', which does not exist", at: location)
                        continue
                    }
                    guard real == realRoot || real.hasPrefix(realRoot + "/") else {
                        log.error(
                            "symbolic link to '\(target)', outside the site folder; copy what it points to into the site",
                            at: location)
                        continue
                    }
                    if info.st_mode & S_IFMT == S_IFDIR, !visited.insert(real).inserted {
                        log.error(
                            "symbolic link to '\(target)', a folder the build already reads (a loop, or the same files twice)",
                            at: location)
                        continue
                    }
                }
                switch info.st_mode & S_IFMT {
                case S_IFDIR:
                    if let real = realPath(path) { visited.insert(real) }
                    pending.append(child)
                case S_IFREG:
                    files.append(child)
                default:
                    log.error("not a regular file or folder (a FIFO, socket or device); remove it", at: location)
                }
            }
        }
        return files.sorted()
    }

    private static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// Files under `dir`, as sorted paths relative to it, skipping hidden files and folders.
    static func listFiles(in dir: String) -> [String] {
        var files: [String] = []
        var pending = [""]
        let manager = FileManager.default
        while let relative = pending.popLast() {
            let absolute = relative.isEmpty ? dir : dir + "/" + relative
            guard let names = try? manager.contentsOfDirectory(atPath: absolute) else { continue }
            for name in names where !name.hasPrefix(".") {
                let child = relative.isEmpty ? name : relative + "/" + name
                var isDirectory: ObjCBool = false
                guard manager.fileExists(atPath: dir + "/" + child, isDirectory: &isDirectory) else { continue }
                if isDirectory.boolValue { pending.append(child) } else { files.append(child) }
            }
        }
        return files.sorted()
    }
}

/// Words of prose in a Markdown body, for the reading time: runs of letters and digits (any
/// non-ASCII byte counts as a letter) outside fenced code blocks — code and figure specs are
/// looked at, not read word by word.
func wordCount(_ text: String) -> Int {
    var count = 0
    var text = text
    text.withUTF8 { bytes in
        guard let base = bytes.baseAddress else { return }
        var inFence = false
        var index = 0
        let end = bytes.count
        wordByteTable.withUnsafeBufferPointer { isWordByte in
            while index < end {
                // At a line start: a fence line (``` or ~~~ after spaces) opens or closes a code block.
                var first = index
                while first < end && bytes[first] == UInt8(ascii: " ") { first += 1 }
                let isFence =
                    first + 2 < end && bytes[first] == bytes[first + 1] && bytes[first] == bytes[first + 2]
                    && (bytes[first] == UInt8(ascii: "`") || bytes[first] == UInt8(ascii: "~"))
                if isFence { inFence.toggle() }
                if isFence || inFence {
                    // Skip to the next line.
                    guard let newline = memchr(base + index, 0x0A, end - index) else { return }
                    index = base.distance(to: newline.assumingMemoryBound(to: UInt8.self)) + 1
                    continue
                }
                // The rest of the line, up to and including its newline: a word starts at each
                // word byte that follows a byte that is not one (a newline is not one).
                var previous: UInt8 = 0
                while index < end {
                    let byte = bytes[index]
                    index += 1
                    let current = isWordByte[Int(byte)]
                    count &+= Int(current & ~previous)
                    previous = current
                    if byte == 0x0A { break }
                }
            }
        }
    }
    return count
}

/// 1 for the bytes `wordCount` counts as letters: ASCII letters and digits, and every byte of a
/// non-ASCII character.
private let wordByteTable: [UInt8] = (0...255).map { byte in
    byte >= 0x80 || (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x30 && byte <= 0x39)
        ? 1 : 0
}
