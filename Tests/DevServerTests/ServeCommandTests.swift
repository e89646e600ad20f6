import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `prensa serve` as a user runs it: the URL it prints, the diagnostics of a broken edit on
/// standard error, and a prompt exit on SIGINT or SIGTERM with a page still listening.
@Suite(.timeLimit(.minutes(1))) struct ServeCommandTests {
    /// `prensa` sits next to the test bundle in SwiftPM's products folder.
    private var executable: String {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("prensa").path
    }

    /// A running `prensa serve --port 0` in `site`, with its output collected.
    private final class ServeProcess: @unchecked Sendable {
        let process = Process()
        private let lock = NSLock()
        private var stdoutText = ""
        private var stderrText = ""

        init(executable: String, site: FixtureSite) throws {
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = ["serve", "--port", "0"]
            process.currentDirectoryURL = URL(fileURLWithPath: site.root)
            let out = Pipe()
            let err = Pipe()
            process.standardOutput = out
            process.standardError = err
            process.standardInput = FileHandle.nullDevice
            out.fileHandleForReading.readabilityHandler = { [self] handle in
                let data = handle.availableData
                lock.withLock { stdoutText += String(decoding: data, as: UTF8.self) }
            }
            err.fileHandleForReading.readabilityHandler = { [self] handle in
                let data = handle.availableData
                lock.withLock { stderrText += String(decoding: data, as: UTF8.self) }
            }
            try process.run()
        }

        var stdout: String { lock.withLock { stdoutText } }
        var stderr: String { lock.withLock { stderrText } }

        /// Waits (up to `timeout`) for standard output or error to satisfy `condition`.
        func wait(for timeout: Duration, until condition: @escaping @Sendable (String, String) -> Bool) async
            -> Bool
        {
            let deadline = ContinuousClock.now + timeout
            while ContinuousClock.now < deadline {
                if condition(stdout, stderr) { return true }
                try? await Task.sleep(for: .milliseconds(20))
            }
            return condition(stdout, stderr)
        }

        /// The port from "Serving http://127.0.0.1:PORT/".
        func port() async throws -> UInt16 {
            let started = await wait(for: .seconds(20)) { out, _ in out.contains("Serving http://127.0.0.1:") }
            try #require(started, "no URL printed; stderr: \(stderr)")
            let match = try #require(stdout.firstMatch(of: /Serving http:\/\/127\.0\.0\.1:(\d+)\//))
            return try #require(UInt16(match.1))
        }

        /// Sends `signal` and waits for the exit; the seconds it took, or nil if it did not exit
        /// within `timeout` (the process is then killed).
        func stop(with signal: Int32, timeout: Duration) async throws -> Double? {
            let start = ContinuousClock.now
            kill(process.processIdentifier, signal)
            let exited = try await onThread { [process] in
                let deadline = Date().addingTimeInterval(Double(timeout.components.seconds))
                while process.isRunning && Date() < deadline { usleep(5_000) }
                return !process.isRunning
            }
            guard exited else {
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
                return nil
            }
            let elapsed = ContinuousClock.now - start
            return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        }
    }

    /// Over-long request lines and headers get 414 and 431 from the real binary, and it goes on.
    /// (Before `HTTPFrontEnd`, FlyingFox read a line in time quadratic in its length: a 9 KiB
    /// line cost seconds of CPU, a 1 MiB one froze the server.)
    @Test func overlongRequestLinesAndHeadersGet414And431() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: executable), "build the prensa product first")
        let site = try FixtureSite()
        defer { site.delete() }
        let serve = try ServeProcess(executable: executable, site: site)
        let port = try await serve.port()
        let long = String(repeating: "a", count: 9 * 1024)
        let cases: [(String, Int)] = [
            ("GET /\(long) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", 414),
            ("GET /?q=\(long) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", 414),
            ("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nX-Grande: \(long)\r\n\r\n", 431),
            (
                "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                    + (0..<10_000).map { "X-Cabecalho-\($0): valor\r\n" }.joined() + "\r\n", 431
            ),
        ]
        for (request, status) in cases {
            let reply = try await HostileRequestTests.sendAllowingClose(request, port: port)
            #expect(reply?.status == status, "\(request.prefix(40)) → \(reply.map { String($0.status) } ?? "closed")")
        }
        let home = try await RawHTTP.send(
            "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", port: port)
        #expect(home.status == 200)
        _ = try await serve.stop(with: SIGTERM, timeout: .seconds(5))
    }

    @Test(arguments: [SIGINT, SIGTERM])
    func aSignalEndsTheServerPromptlyWithAPageListening(_ signal: Int32) async throws {
        try #require(FileManager.default.isExecutableFile(atPath: executable), "build the prensa product first")
        let site = try FixtureSite()
        defer { site.delete() }
        let serve = try ServeProcess(executable: executable, site: site)
        let port = try await serve.port()
        #expect(serve.stdout.hasPrefix("Built 1 posts, "))
        let events = try await EventStreamClient.connect(port: port)
        defer { events.close() }
        let page = try await RawHTTP.send(
            "GET /posts/ola/ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", port: port)
        #expect(page.status == 200)

        // An open stream must not hold the exit (it would, forever); a rebuild in progress may,
        // for as long as it takes on a loaded machine (6 s seen).
        let seconds = try await serve.stop(with: signal, timeout: .seconds(30))
        let elapsed = try #require(seconds, "prensa serve did not exit within 30 s of the signal")
        #expect(elapsed < 30)
        #expect(serve.process.terminationStatus == 0)
        #expect(try await events.waitForEnd(within: .seconds(2)), "the event stream was not ended")
        #expect(!FileManager.default.fileExists(atPath: site.root + "/public"))
        #expect(FileManager.default.fileExists(atPath: site.root + "/.prensa-cache/serve/index.html"))
    }

    @Test func aBrokenEditPrintsTheDiagnosticsAsBuildDoes() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: executable), "build the prensa product first")
        let site = try FixtureSite()
        defer { site.delete() }
        let serve = try ServeProcess(executable: executable, site: site)
        let port = try await serve.port()
        let events = try await EventStreamClient.connect(port: port)
        defer { events.close() }

        try site.write(
            "content/posts/ola.md", FixtureSite.postText.replacingOccurrences(of: "2024-05-01", with: "2024-13-45"))
        #expect(try await events.next("build-error", within: .seconds(20)) != nil)
        let printed = await serve.wait(for: .seconds(20)) { _, err in err.contains("nothing was written\n") }
        #expect(printed)
        #expect(
            serve.stderr == """
                content/posts/ola.md:3:7: error: 'date': month 13 does not exist in '2024-13-45'
                1 error; nothing was written

                """)

        // Back to the text of the last good build: nothing to write, and the page reloads.
        try site.write("content/posts/ola.md", FixtureSite.postText)
        #expect(try await events.next("reload", within: .seconds(20)) != nil)
        let rebuilt = await serve.wait(for: .seconds(20)) { out, _ in
            out.contains("Unchanged: nothing changed since the last build")
        }
        #expect(rebuilt)
        _ = try await serve.stop(with: SIGTERM, timeout: .seconds(5))
    }
}
