/// Entry points for the libFuzzer target `FuzzRequestPath` in `Fuzz/`: the dev server's checks of
/// a request path, without a server. Package-internal; nothing else should call them.
package enum DevServerFuzzing {
    /// A request path as the handler sees it after `RequestPath.parse`.
    package struct ParsedPath: Sendable {
        /// Decoded segments, never empty, `.` or `..`, never holding `/`, `\`, NUL or another control byte.
        package let segments: [String]
        package let hasTrailingSlash: Bool
        /// The re-encoded path a redirect would send.
        package let normalized: String
    }

    /// `RequestPath.parse(raw)`, or nil when the path is refused.
    package static func parse(_ raw: String) -> ParsedPath? {
        guard case .success(let path) = RequestPath.parse(raw) else { return nil }
        return ParsedPath(segments: path.segments, hasTrailingSlash: path.hasTrailingSlash, normalized: path.normalized)
    }

    /// The file `segments` name under `root` (a real path), as the handler serves it: nil for a
    /// folder or a missing file.
    package static func resolveFile(root: String, segments: [String]) -> String? {
        guard case .file(let file) = SiteHandler.resolve(root: root, segments: segments) else { return nil }
        return file
    }
}
