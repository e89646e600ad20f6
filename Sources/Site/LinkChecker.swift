import CSystemShims
import Markdown

#if canImport(Glibc)
    import Glibc
#endif

/// Checks the links and images authors wrote against the site that was built: every internal
/// link must reach a page or file, and every `#fragment` an element with that id.
struct LinkChecker {
    /// Output path ("posts/x/index.html") → the ids its HTML defines.
    let ids: [String: Set<String>]
    /// Every output path, pages and files.
    let outputs: Set<String>
    let rootPath: String

    struct Result: Sendable {
        var broken: [Diagnostic] = []
        /// External links, not fetched (there is no network to fetch them with).
        var external: [(url: String, location: SourceLocation)] = []
    }

    func check(_ model: SiteModel) -> Result {
        let documents =
            model.posts.map { ($0.links, $0.url, $0.post.file) } + model.pages.map { ($0.links, $0.url, $0.page.file) }
        // Each document on its own, on every core; the results are joined in document order.
        let results = parallelMap(documents) { links, url, file in
            var result = Result()
            check(links, on: url, file: file, into: &result)
            return result
        }
        var result = Result()
        for part in results {
            result.broken += part.broken
            result.external += part.external
        }
        result.broken.sort()
        return result
    }

    private func check(_ links: [DocumentLink], on pageURL: String, file: String, into result: inout Result) {
        for link in links {
            let location = SourceLocation(file: file, line: link.line, column: link.column)
            let url = link.url.trimmingWhitespace
            if url.isEmpty {
                result.broken.append(.error("empty link destination", at: location))
                continue
            }
            if let scheme = Self.scheme(of: url) {
                if ["http", "https", "ftp"].contains(scheme) {
                    result.external.append((url, location))
                } else if scheme != "mailto" && scheme != "tel" {
                    result.broken.append(.error("link '\(url)' uses the unsupported scheme '\(scheme):'", at: location))
                }
                continue
            }
            if url.hasPrefix("//") {
                result.external.append((url, location))
                continue
            }
            if let problem = problem(with: url, from: pageURL) {
                let what = link.isImage ? "image" : "link"
                result.broken.append(.error("broken \(what) '\(url)': \(problem)", at: location))
            }
        }
    }

    /// Why `url`, written on the page at `pageURL`, does not resolve; nil when it does.
    func problem(with url: String, from pageURL: String) -> String? {
        var target = url
        var fragment: String?
        if let hash = target.firstIndex(of: "#") {
            fragment = String(target[target.index(after: hash)...])
            target = String(target[..<hash])
        }
        if let query = target.firstIndex(of: "?") { target = String(target[..<query]) }
        let sitePath: String
        if target.isEmpty {
            sitePath = pageURL
        } else if target.hasPrefix("/") {
            sitePath = target
        } else {
            sitePath = Self.resolve(target, against: pageURL)
        }
        guard let decoded = sitePath.removingPercentEncodingSafely else {
            return "the path is not valid percent-encoding"
        }
        guard decoded.hasPrefix(rootPath) || rootPath == "/" else {
            return "it points outside the site's root \(rootPath)"
        }
        var relative = String(decoded.dropFirst(rootPath.count))
        if relative.hasPrefix("/") { relative.removeFirst() }
        let candidates =
            relative.isEmpty || relative.hasSuffix("/")
            ? [relative + "index.html"] : [relative, relative + "/index.html"]
        guard let output = candidates.first(where: outputs.contains) else {
            return "no page or file at \(decoded)"
        }
        if let fragment, !fragment.isEmpty {
            let id = fragment.removingPercentEncodingSafely ?? fragment
            guard output.hasSuffix(".html") else { return nil }
            if !(ids[output]?.contains(id) ?? false) {
                return "\(decoded) has no element with id '\(id)'"
            }
        }
        return nil
    }

    /// The scheme of an absolute URL (`https` in `https://…`), or nil for a path.
    /// As browsers read it (WHATWG URL): an ASCII letter, then ASCII letters, digits, `+`, `-`
    /// and `.` up to the colon.
    static func scheme(of url: String) -> String? {
        let bytes = url.utf8
        guard let colon = bytes.firstIndex(of: UInt8(ascii: ":")) else { return nil }
        let scheme = bytes[..<colon]
        func isLetter(_ byte: UInt8) -> Bool { (byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x7A }
        guard let first = scheme.first, isLetter(first),
            scheme.allSatisfy({
                isLetter($0) || ($0 >= 0x30 && $0 <= 0x39) || $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "-")
                    || $0 == UInt8(ascii: ".")
            })
        else { return nil }
        return String(decoding: scheme, as: UTF8.self).lowercased()
    }

    /// `../b/` written on `/posts/a/` is `/posts/b/`.
    static func resolve(_ relative: String, against base: String) -> String {
        var segments = base.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        if !base.hasSuffix("/") || segments.last == "" { segments.removeLast() }
        for part in relative.split(separator: "/", omittingEmptySubsequences: false) {
            switch part {
            case ".": continue
            case "..": if segments.count > 1 { segments.removeLast() }
            default: segments.append(String(part))
            }
        }
        var path = segments.joined(separator: "/")
        if relative.hasSuffix("/") && !path.hasSuffix("/") { path += "/" }
        return path.hasPrefix("/") ? path : "/" + path
    }
}

/// The values of every `id="…"` attribute in `html` (scanned in place, without copying it).
func elementIDs(in html: [UInt8]) -> Set<String> {
    var ids = Set<String>()
    let marker: StaticString = " id=\""
    html.withUnsafeBufferPointer { bytes in
        guard let base = bytes.baseAddress else { return }
        let count = bytes.count
        var index = 0
        // memmem, not a byte loop: every page of the site is searched.
        while index < count,
            let found = prensa_memmem(base + index, count - index, marker.utf8Start, marker.utf8CodeUnitCount)
        {
            let start = base.distance(to: found.assumingMemoryBound(to: UInt8.self)) + marker.utf8CodeUnitCount
            guard start < count else { break }
            var end = start
            if let quote = memchr(base + start, Int32(UInt8(ascii: "\"")), count - start) {
                end = base.distance(to: quote.assumingMemoryBound(to: UInt8.self))
            } else {
                end = count
            }
            ids.insert(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self))
            index = end
        }
    }
    return ids
}

extension String {
    /// Percent-decoding without Foundation's quirks: nil for a bad escape or non-UTF-8 result.
    var removingPercentEncodingSafely: String? {
        guard utf8.contains(UInt8(ascii: "%")) else { return self }  // not Foundation's slow search
        var bytes: [UInt8] = []
        var iterator = utf8.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next(), let low = iterator.next(),
                let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16)
            else { return nil }
            bytes.append(value)
        }
        return String(validating: bytes, as: UTF8.self)
    }
}
