import FlyingFox
import FlyingSocks
import Foundation
import Site

#if canImport(Glibc)
    import Glibc
#endif

/// How `prensa serve` runs.
public struct DevServerOptions: Sendable {
    /// The site root, holding `content/` and `templates/`.
    public var source: String
    /// The address to listen on: an IPv4 or IPv6 literal, or `localhost`.
    public var host: String
    /// The port to listen on; 0 picks a free one (see `DevServer.start()`'s result).
    public var port: UInt16
    /// Include posts and pages with `draft: true`.
    public var includeDrafts: Bool
    /// How long the files must stay quiet after a file was created (its contents may still be
    /// coming) before the site is rebuilt.
    public var debounce: Duration
    /// How long to wait after a file was closed, renamed or deleted (a save is complete) before
    /// the site is rebuilt: just enough to take in the other events of the same save.
    public var settle: Duration

    public init(
        source: String = ".", host: String = "127.0.0.1", port: UInt16 = 8000, includeDrafts: Bool = false,
        debounce: Duration = .milliseconds(100), settle: Duration = .milliseconds(20)
    ) {
        self.source = source
        self.host = host
        self.port = port
        self.includeDrafts = includeDrafts
        self.debounce = debounce
        self.settle = settle
    }
}

/// What happens while the server runs, for the terminal (or a test) to report.
public enum DevServerEvent: Sendable {
    /// A build succeeded; `first` is the build made at start-up.
    case built(BuildReport, seconds: Double, first: Bool)
    /// A build failed; the last good site is still served.
    case failed(BuildFailure)
    /// The search index was made again after a rebuild that kept the previous one.
    case searchIndexed
}

public struct DevServerError: Error, CustomStringConvertible {
    public let description: String
}

/// The author's development server: builds the site into `.prensa-cache/serve/` (never
/// `public/`), serves it over HTTP, rebuilds it when `content/` or `templates/` change, and
/// tells the open pages to reload (or shows them the build errors).
///
/// ```swift
/// let server = DevServer(options: DevServerOptions(source: "blog", port: 0)) { event in … }
/// let url = try await server.start()   // "http://127.0.0.1:41234/"
/// …
/// await server.stop()
/// ```
public actor DevServer {
    public nonisolated let options: DevServerOptions
    /// Where the site is built and served from.
    public nonisolated let siteDirectory: String
    /// `http://HOST:PORT/` once started.
    public private(set) var baseURL: String?

    private let onEvent: @Sendable (DevServerEvent) -> Void
    private let state = SiteState()
    private let hub = ReloadHub()
    private let instance = UUID().uuidString
    private var http: HTTPFrontEnd?
    private var runTask: Task<Void, Never>?
    private var watcher: FileWatcher?
    private var heartbeat: Task<Void, Never>?
    private var stopped = false

    public init(options: DevServerOptions, onEvent: @escaping @Sendable (DevServerEvent) -> Void = { _ in }) {
        self.options = options
        let source =
            options.source.hasSuffix("/") && options.source.count > 1
            ? String(options.source.dropLast()) : options.source
        self.siteDirectory = source + "/.prensa-cache/serve"
        self.onEvent = onEvent
    }

    /// Listens, builds the site, starts watching it, and returns the site's URL. A failed build
    /// does not stop the server: its errors are reported (`onEvent`) and shown in the pages.
    public func start() async throws -> String {
        guard http == nil, !stopped else { throw DevServerError(description: "the server was already started") }
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: options.source + "/content", isDirectory: &isFolder),
            isFolder.boolValue
        else {
            throw DevServerError(
                description:
                    "no content folder in \(options.source); run prensa serve in a site's root or pass --source DIR")
        }
        let (address, urlHost) = try Self.socketAddress(host: options.host, port: options.port)
        let server: HTTPFrontEnd
        do {
            server = try HTTPFrontEnd(
                address: address, handler: SiteHandler(state: state, hub: hub, instance: instance))
        } catch {
            let place = "\(urlHost):\(options.port)"
            if case SocketError.failed(_, _, let message) = error {
                throw DevServerError(description: "cannot listen on \(place): \(message)")
            }
            throw DevServerError(description: "cannot listen on \(place): \(error)")
        }
        http = server
        runTask = Task { try? await server.run() }
        guard let port = server.port else {
            await stop()
            throw DevServerError(description: "cannot tell which port the server listens on")
        }
        let url = "http://\(urlHost):\(port)/"
        baseURL = url

        let builder = Builder(
            options: {
                var build = BuildOptions(
                    source: options.source, output: siteDirectory, includeDrafts: options.includeDrafts, baseURL: url)
                build.durable = false
                return build
            }(),
            siteDirectory: siteDirectory, state: state, hub: hub, onEvent: onEvent)
        // Watch first, so that an edit made during the first build is not missed.
        do {
            watcher = try FileWatcher(
                parent: options.source, roots: ["content", "templates"], debounce: options.debounce,
                settle: options.settle
            ) { builder.build(first: false) }
        } catch {
            await stop()
            throw DevServerError(description: "cannot watch \(options.source): \(error)")
        }
        await onOwnThread { builder.build(first: true) }
        watcher?.start()
        heartbeat = Task { [hub] in
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(15))
                hub.broadcast(ReloadHub.heartbeat)
            }
        }
        return url
    }

    /// Stops watching, ends every event stream and closes the server. Returns once it is closed.
    public func stop() async {
        guard !stopped else { return }
        stopped = true
        heartbeat?.cancel()
        if let watcher {
            // Waits for a rebuild in progress.
            await onOwnThread { watcher.stop() }
        }
        watcher = nil
        hub.closeAll()
        // The accept loop does not notice that its socket was closed, so it is cancelled after
        // this grace period, which requests in flight have to finish.
        http?.closeListener()
        try? await Task.sleep(for: .milliseconds(250))
        runTask?.cancel()
        await runTask?.value
    }

    /// Returns when the server has stopped (after `stop()`, or if it failed).
    public func waitUntilStopped() async {
        await runTask?.value
    }

    /// How many pages are listening for reloads.
    public var listenerCount: Int { hub.count }

    // MARK: - Start-up

    private static func socketAddress(host: String, port: UInt16) throws -> (any SocketAddress, String) {
        do {
            if host == "localhost" { return (try sockaddr_in.inet(ip4: "127.0.0.1", port: port), host) }
            if host.contains(":") { return (try sockaddr_in6.inet6(ip6: host, port: port), "[\(host)]") }
            return (try sockaddr_in.inet(ip4: host, port: port), host)
        } catch {
            throw DevServerError(description: "'\(host)' is not an IP address (e.g. 127.0.0.1 or ::1)")
        }
    }
}

/// Runs blocking work (a build, joining the watcher thread) on a thread of its own rather than
/// on one of the few threads of Swift's cooperative pool, which the HTTP server needs.
private func onOwnThread(_ work: @escaping @Sendable () -> Void) async {
    await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
        Thread {
            work()
            continuation.resume()
        }.start()
    }
}

/// Builds the site into the served folder, one build at a time, and tells the pages. Its one
/// mutable property is read and written under `lock` only.
private final class Builder: @unchecked Sendable {
    let options: BuildOptions
    let siteDirectory: String
    let state: SiteState
    let hub: ReloadHub
    let onEvent: @Sendable (DevServerEvent) -> Void
    private let lock = NSLock()
    /// Builds started so far, under `lock`.
    private var builds = 0
    /// Whether the last build succeeded, under `lock`: the pages show that site.
    private var lastBuildSucceeded = false
    /// How long the sources must stay quiet after a rebuild before the search index is redone.
    static let searchDelay: DispatchTimeInterval = .seconds(1)

    init(
        options: BuildOptions, siteDirectory: String, state: SiteState, hub: ReloadHub,
        onEvent: @escaping @Sendable (DevServerEvent) -> Void
    ) {
        self.options = options
        self.siteDirectory = siteDirectory
        self.state = state
        self.hub = hub
        self.onEvent = onEvent
    }

    /// Builds after a change: the pages first, keeping the previous search index when pages
    /// changed, then, once no other change came for `searchDelay`, the search index (without
    /// reloading the browser again): Pagefind's run never delays the next page reload.
    func build(first: Bool) {
        let (stale, generation) = lock.withLock {
            builds += 1
            return (buildPages(first: first), builds)
        }
        guard stale else { return }
        DispatchQueue.global().asyncAfter(deadline: .now() + Self.searchDelay) { [self] in
            lock.withLock {
                guard builds == generation else { return }  // a newer build schedules its own
                var refresh = options
                refresh.refreshSearchIndex = true
                do throws(BuildFailure) {
                    let report = try SiteBuilder.build(refresh)
                    if !report.upToDate { onEvent(.searchIndexed) }
                } catch {
                    // The next change's build reports it.
                }
            }
        }
    }

    /// True when the search index was left stale.
    private func buildPages(first: Bool) -> Bool {
        let start = ContinuousClock.now
        var options = options
        options.refreshSearchIndex = first
        do throws(BuildFailure) {
            let report = try SiteBuilder.build(options)
            let elapsed = ContinuousClock.now - start
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            state.succeeded(root: SiteHandler.realPath(siteDirectory) ?? siteDirectory)
            onEvent(.built(report, seconds: seconds, first: first))
            // Nothing changed since the site the pages show (a file saved with the same bytes, a
            // late close event): reloading them would only lose the reader's scroll position.
            if !(report.upToDate && lastBuildSucceeded) {
                hub.broadcast(ReloadHub.event("reload", data: "ok"))
            }
            lastBuildSucceeded = true
            return report.searchStale
        } catch {
            let lines = error.diagnostics.map(\.description)
            state.failed(lines)
            lastBuildSucceeded = false
            onEvent(.failed(error))
            hub.broadcast(ReloadHub.buildError(lines))
            return false
        }
    }
}
