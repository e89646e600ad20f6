import ArgumentParser
import DevServer
import Dispatch
import Foundation
import Site

#if canImport(Glibc)
    import Glibc
#endif

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Build the site into .prensa-cache/serve/, serve it, and rebuild and reload on every change.",
        discussion: """
            Watches content/ and templates/. Open pages reload after each rebuild; when a rebuild
            fails, the last good site stays served and the pages show the errors. public/ is never
            touched. Stop with Ctrl-C.
            """)

    @Option(name: .long, help: "The site root, holding content/ and templates/.")
    var source: String = "."

    @Option(name: .long, help: "The address to listen on.")
    var host: String = "127.0.0.1"

    @Option(name: .long, help: "The port to listen on; 0 picks a free one.")
    var port: UInt16 = 8000

    @Flag(name: .long, help: "Include posts and pages marked 'draft: true'.")
    var drafts = false

    func run() async throws {
        signal(SIGPIPE, SIG_IGN)
        let server = DevServer(
            options: DevServerOptions(source: source, host: host, port: port, includeDrafts: drafts),
            onEvent: Self.show)
        let url: String
        do {
            url = try await server.start()
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode.failure
        }
        let stopper = stopOnSignals(server)
        say("Serving \(url) (Ctrl-C to stop)\n")
        await server.waitUntilStopped()
        for source in stopper { source.cancel() }
    }

    /// SIGINT and SIGTERM stop the server; a second one exits at once.
    private func stopOnSignals(_ server: DevServer) -> [any DispatchSourceSignal] {
        let received = SignalCount()
        return [SIGINT, SIGTERM].map { (number: Int32) -> any DispatchSourceSignal in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                if received.increment() > 1 { Glibc.exit(1) }
                Task { await server.stop() }
            }
            source.resume()
            return source
        }
    }

    @Sendable private static func show(_ event: DevServerEvent) {
        switch event {
        case .built(let report, let seconds, let first) where report.upToDate:
            say(
                "\(first ? "Up to date" : "Unchanged"): nothing changed since the last build ("
                    + "\(report.filesUnchanged) files, checked in " + String(format: "%.3f s", seconds) + ")\n")
        case .built(let report, let seconds, let first):
            say(
                "\(first ? "Built" : "Rebuilt") \(report.posts) posts, \(report.pages) pages in "
                    + String(format: "%.3f s", seconds) + " (\(report.filesWritten) files written)\n")
        case .failed(let failure):
            _ = report(failure)
        case .searchIndexed:
            say("Search index updated\n")
        }
    }
}

/// Writes to standard output at once (print would wait for a full buffer when piped).
private func say(_ text: String) {
    FileHandle.standardOutput.write(Data(text.utf8))
}

private final class SignalCount: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0

    func increment() -> Int {
        lock.withLock {
            count += 1
            return count
        }
    }
}
