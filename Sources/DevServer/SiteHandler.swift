import FlyingFox
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// What the server knows about the site it serves, shared by the builder and the request handler.
final class SiteState: @unchecked Sendable {
    struct Snapshot: Sendable {
        /// The real path (symlinks resolved) of the built site; nil until a build has succeeded.
        var root: String?
        /// The diagnostic lines of the last build when it failed; nil when it succeeded.
        var errors: [String]?
    }

    private let lock = NSLock()
    private var current = Snapshot()

    var snapshot: Snapshot { lock.withLock { current } }

    func succeeded(root: String) {
        lock.withLock { current = Snapshot(root: root, errors: nil) }
    }

    func failed(_ lines: [String]) {
        lock.withLock { current.errors = lines }
    }
}

/// Serves the built site: `index.html` for folders, a redirect for a folder without its `/`,
/// the site's `404.html`, the live-reload script and event stream. Only GET and HEAD.
///
/// Paths are checked before any file is touched (see `RequestPath`), then resolved with
/// `realpath` and must stay inside the site folder, so neither `..` in any spelling nor a
/// symlink can reach a file outside it.
struct SiteHandler: HTTPHandler {
    let state: SiteState
    let hub: ReloadHub
    let instance: String

    /// The longest request target (path and query) answered; longer ones get 414.
    static let maximumTargetLength = 8 * 1024
    /// The most header fields, and header bytes, a request may have; more gets 431.
    static let maximumHeaderCount = 100
    static let maximumHeaderBytes = 8 * 1024

    func handleRequest(_ request: HTTPRequest) async throws -> HTTPResponse {
        let head = request.method == .HEAD
        if request.target.rawValue.utf8.count > Self.maximumTargetLength {
            return plain(.uriTooLong, "414 — endereço longo demais\n", head: head)
        }
        var headerCount = 0
        var headerBytes = 0
        for (name, value) in request.headers {
            headerCount += 1
            headerBytes += name.rawValue.utf8.count + value.utf8.count + 4
        }
        if headerCount > Self.maximumHeaderCount || headerBytes > Self.maximumHeaderBytes {
            return plain(.requestHeaderFieldsTooLarge, "431 — cabeçalhos grandes demais\n", head: head)
        }
        guard request.method == .GET || head else {
            return plain(.methodNotAllowed, "405 — método não permitido\n", head: false, extra: ["Allow": "GET, HEAD"])
        }
        let raw = request.target.path()
        let path: RequestPath
        switch RequestPath.parse(raw) {
        case .success(let parsed): path = parsed
        case .failure: return plain(.badRequest, "400 — endereço inválido\n", head: head)
        }
        let joined = "/" + path.segments.joined(separator: "/")
        if joined == LiveReload.scriptPath {
            return respond(.ok, type: "text/javascript; charset=utf-8", body: Data(LiveReload.script.utf8), head: head)
        }
        if joined == LiveReload.eventsPath { return events(head: head) }

        let site = state.snapshot
        guard let root = site.root else {
            // No build has succeeded yet: only the errors to show.
            let page = """
                <!doctype html>
                <html lang="pt-BR">
                <head><meta charset="utf-8"><title>Erro de compilação do site</title></head>
                <body>
                <p>O site ainda não compilou.</p>
                </body>
                </html>

                """
            return html(.serviceUnavailable, page, errors: site.errors ?? [], head: head)
        }
        switch Self.resolve(root: root, segments: path.segments) {
        case .folder where path.hasTrailingSlash || path.segments.isEmpty:
            if case .file(let file) = Self.resolve(root: root, segments: path.segments + ["index.html"]) {
                return serve(file: file, errors: site.errors, head: head)
            }
        case .folder:
            // The query goes along, unless it holds a control character (no header injection).
            let rawQuery = request.target.query()
            let query = rawQuery.utf8.contains { $0 < 0x20 || $0 == 0x7F } ? "" : rawQuery
            let location = path.normalized + "/" + (query.isEmpty ? "" : "?" + query)
            return plain(.movedPermanently, "301 — \(location)\n", head: head, extra: ["Location": location])
        case .file(let file) where !path.hasTrailingSlash:
            return serve(file: file, errors: site.errors, head: head)
        case .file, .missing:
            break
        }
        return notFound(root: root, errors: site.errors, head: head)
    }

    // MARK: - Responses

    private func serve(file: String, errors: [String]?, head: Bool) -> HTTPResponse {
        guard let data = FileManager.default.contents(atPath: file) else {
            return plain(.notFound, "404 — página não encontrada\n", head: head)
        }
        let type = MIMEType.forPath(file)
        if type.hasPrefix("text/html") {
            return html(.ok, String(decoding: data, as: UTF8.self), errors: errors, head: head)
        }
        return respond(.ok, type: type, body: data, head: head)
    }

    private func notFound(root: String, errors: [String]?, head: Bool) -> HTTPResponse {
        if case .file(let page) = Self.resolve(root: root, segments: ["404.html"]),
            let data = FileManager.default.contents(atPath: page)
        {
            return html(.notFound, String(decoding: data, as: UTF8.self), errors: errors, head: head)
        }
        return plain(.notFound, "404 — página não encontrada\n", head: head)
    }

    /// An HTML page with the live-reload script (and the error overlay) injected.
    private func html(_ status: HTTPStatusCode, _ page: String, errors: [String]?, head: Bool) -> HTTPResponse {
        let body = LiveReload.inject(into: page, errors: errors)
        return respond(status, type: MIMEType.html, body: Data(body.utf8), head: head)
    }

    private func plain(_ status: HTTPStatusCode, _ text: String, head: Bool, extra: [String: String] = [:])
        -> HTTPResponse
    {
        respond(status, type: "text/plain; charset=utf-8", body: Data(text.utf8), head: head, extra: extra)
    }

    private func respond(
        _ status: HTTPStatusCode, type: String, body: Data, head: Bool, extra: [String: String] = [:]
    ) -> HTTPResponse {
        var headers: HTTPHeaders = [.contentType: type, .cacheControl: "no-cache"]
        for (name, value) in extra { headers[HTTPHeader(name)] = value }
        guard head else { return HTTPResponse(statusCode: status, headers: headers, body: body) }
        // HEAD: the length the body would have, and no body.
        headers[.contentLength] = String(body.count)
        return HTTPResponse(statusCode: status, headers: headers, body: Data())
    }

    /// The event stream a page's script listens to.
    private func events(head: Bool) -> HTTPResponse {
        let headers: HTTPHeaders = [.contentType: "text/event-stream; charset=utf-8", .cacheControl: "no-cache"]
        if head { return HTTPResponse(statusCode: .ok, headers: headers, body: Data()) }
        var first = ReloadHub.greeting(instance: instance)
        if let errors = state.snapshot.errors { first += ReloadHub.buildError(errors) }
        let messages = hub.subscribe(first: first)
        return HTTPResponse(
            statusCode: .ok, headers: headers, body: HTTPBodySequence(from: EventStreamBody(messages: messages)))
    }

    // MARK: - Files

    enum Resolved: Equatable {
        case file(String)
        case folder
        case missing
    }

    /// What `segments` name under `root`, with every symlink resolved; anything that resolves
    /// outside `root` (or cannot be resolved) is missing.
    static func resolve(root: String, segments: [String]) -> Resolved {
        let path = ([root] + segments).joined(separator: "/")
        guard let resolved = realPath(path), resolved == root || resolved.hasPrefix(root + "/") else {
            return .missing
        }
        var info = stat()
        guard stat(resolved, &info) == 0 else { return .missing }
        switch info.st_mode & S_IFMT {
        case S_IFDIR: return .folder
        case S_IFREG: return .file(resolved)
        default: return .missing
        }
    }

    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}

/// Content types by file extension.
enum MIMEType {
    static let html = "text/html; charset=utf-8"

    private static let byExtension: [String: String] = [
        "html": html,
        "htm": html,
        "css": "text/css; charset=utf-8",
        "js": "text/javascript; charset=utf-8",
        "mjs": "text/javascript; charset=utf-8",
        "json": "application/json",
        "xml": "application/xml",
        "svg": "image/svg+xml",
        "png": "image/png",
        "jpg": "image/jpeg",
        "jpeg": "image/jpeg",
        "gif": "image/gif",
        "webp": "image/webp",
        "avif": "image/avif",
        "ico": "image/x-icon",
        "woff": "font/woff",
        "woff2": "font/woff2",
        "txt": "text/plain; charset=utf-8",
        "wasm": "application/wasm",
        "pdf": "application/pdf",
    ]

    static func forPath(_ path: String) -> String {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return "application/octet-stream" }
        return byExtension[name[name.index(after: dot)...].lowercased()] ?? "application/octet-stream"
    }
}
