import DevServer
import Foundation
import Site
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The repository root, found from this file's path.
let repositoryRoot: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.path
}()

/// A small site in a temporary folder: the repository's templates, a site.yml, one post, one
/// page and a few static files.
struct FixtureSite {
    let root: String

    static let postText = """
        ---
        title: Olá, servidor
        date: 2024-05-01
        description: Um post para testar o servidor.
        ---

        Primeiro parágrafo do post.

        """

    init() throws {
        root = NSTemporaryDirectory() + "prensa-serve-test-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: root + "/content/posts", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: repositoryRoot + "/templates", toPath: root + "/templates")
        try write(
            "content/site.yml",
            """
            title: Blog de teste
            description: Um blog para os testes do servidor.
            base_url: https://exemplo.com.br/
            language: pt-BR
            author: Equipe de testes
            timezone: America/Sao_Paulo
            posts_per_page: 5

            """)
        try write("content/posts/ola.md", Self.postText)
        try write("content/sobre.md", "---\ntitle: Sobre\ndescription: Sobre o blog.\n---\n\nUm blog de teste.\n")
        try write("content/dados/valores.json", "{\"a\": 1}\n")
        try write("content/dados/nota.txt", "uma nota\n")
        try write("content/dados/coisa.bin", "bytes\n")
        try write("content/dados/ponto.png", bytes: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
    }

    func write(_ relativePath: String, _ text: String) throws {
        try write(relativePath, bytes: Array(text.utf8))
    }

    /// Writes in place (open, write, close), as an editor that does not rename would.
    func write(_ relativePath: String, bytes: [UInt8]) throws {
        let url = URL(fileURLWithPath: root + "/" + relativePath)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(bytes).write(to: url)
    }

    func delete() {
        try? FileManager.default.removeItem(atPath: root)
    }
}

/// What the server reported, in order.
final class EventLog: @unchecked Sendable {
    private let lock = NSLock()
    private var events: [DevServerEvent] = []

    func record(_ event: DevServerEvent) {
        lock.withLock { events.append(event) }
    }

    var all: [DevServerEvent] { lock.withLock { events } }

    /// The diagnostic lines of every failed build.
    var failures: [[String]] {
        all.compactMap {
            if case .failed(let failure) = $0 { return failure.diagnostics.map(\.description) }
            return nil
        }
    }
}

/// A server started on a fixture site, on a free loopback port.
struct RunningServer {
    let server: DevServer
    let site: FixtureSite
    let port: UInt16
    let log: EventLog

    /// Waits until the server has reported `count` builds or failures (the first one included);
    /// false when `timeout` passed first.
    func waitForBuilds(_ count: Int, within timeout: Duration) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while log.all.count < count && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        return log.all.count >= count
    }

    /// Starts a server on a new fixture site with `files` added (path → text), runs `body`, then
    /// stops the server and deletes the site, whatever happened.
    static func with(
        drafts: Bool = false, files: [String: String] = [:], _ body: (RunningServer) async throws -> Void
    ) async throws {
        let site = try FixtureSite()
        defer { site.delete() }
        for (path, text) in files { try site.write(path, text) }
        let log = EventLog()
        let server = DevServer(
            options: DevServerOptions(source: site.root, port: 0, includeDrafts: drafts), onEvent: log.record)
        let url = try await server.start()
        let port = try #require(URL(string: url)?.port.flatMap { UInt16(exactly: $0) })
        #expect(url == "http://127.0.0.1:\(port)/")
        do {
            try await body(RunningServer(server: server, site: site, port: port, log: log))
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }

    func get(_ path: String) async throws -> HTTPReply {
        try await RawHTTP.send("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", port: port)
    }

    func head(_ path: String) async throws -> HTTPReply {
        try await RawHTTP.send("HEAD \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", port: port)
    }

    func events() async throws -> EventStreamClient {
        try await EventStreamClient.connect(port: port)
    }
}

/// Runs blocking work (socket reads, waits) on a thread of its own, never on the cooperative
/// pool that the in-process server also needs.
func onThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try body() }) }.start()
    }
}

struct HTTPReply: Sendable {
    var status: Int
    /// Header names lowercased.
    var headers: [String: String]
    var body: [UInt8]

    var text: String { String(decoding: body, as: UTF8.self) }
}

struct SocketFailure: Error, CustomStringConvertible {
    let description: String
}

/// HTTP/1.1 over a plain loopback socket: the request line reaches the server byte for byte,
/// with no client-side normalisation of `..` or percent escapes.
enum RawHTTP {
    static func send(_ request: String, port: UInt16, timeout: Int = 5) async throws -> HTTPReply {
        try await onThread {
            let fd = try connect(port: port, timeout: timeout)
            defer { close(fd) }
            try writeAll(fd, Array(request.utf8))
            var received: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 16 * 1024)
            while true {
                let count = read(fd, &buffer, buffer.count)
                if count < 0 {
                    if errno == EINTR { continue }
                    throw SocketFailure(description: "read failed: \(String(cString: strerror(errno)))")
                }
                if count == 0 { break }
                received += buffer[..<count]
            }
            return try parse(received)
        }
    }

    /// A connected, blocking socket whose reads and writes give up after `timeout` seconds.
    static func connect(port: UInt16, timeout: Int) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw SocketFailure(description: "socket failed") }
        var limit = timeval(tv_sec: timeout, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else {
            close(fd)
            throw SocketFailure(description: "connect failed: \(String(cString: strerror(errno)))")
        }
        return fd
    }

    static func writeAll(_ fd: Int32, _ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes {
                Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            guard written > 0 else { throw SocketFailure(description: "write failed") }
            offset += written
        }
    }

    static func parse(_ bytes: [UInt8]) throws -> HTTPReply {
        guard let end = headerEnd(bytes) else { throw SocketFailure(description: "no complete header") }
        let lines = String(decoding: bytes[..<end], as: UTF8.self).components(separatedBy: "\r\n")
        let statusParts = lines[0].split(separator: " ")
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else {
            throw SocketFailure(description: "bad status line \(lines[0])")
        }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(
                in: .whitespaces)
        }
        var body = Array(bytes[(end + 4)...])
        if headers["transfer-encoding"] == "chunked" {
            var decoder = ChunkDecoder()
            body = decoder.feed(body)
        }
        return HTTPReply(status: status, headers: headers, body: body)
    }

    static func headerEnd(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        for index in 0...(bytes.count - 4)
        where bytes[index] == 13 && bytes[index + 1] == 10 && bytes[index + 2] == 13 && bytes[index + 3] == 10 {
            return index
        }
        return nil
    }
}

/// Undoes chunked transfer encoding incrementally.
struct ChunkDecoder {
    private var pending: [UInt8] = []
    private var remaining: Int?  // bytes left in the current chunk (plus its CRLF)

    mutating func feed(_ bytes: [UInt8]) -> [UInt8] {
        pending += bytes
        var output: [UInt8] = []
        while true {
            if let left = remaining {
                if left > 2 {
                    let take = min(left - 2, pending.count)
                    if take == 0 { break }
                    output += pending[..<take]
                    pending.removeFirst(take)
                    remaining = left - take
                } else {
                    let take = min(left, pending.count)
                    if take == 0 { break }
                    pending.removeFirst(take)
                    remaining = left - take == 0 ? nil : left - take
                }
            } else {
                guard let newline = pending.firstIndex(of: 10) else { break }
                let sizeText = String(decoding: pending[..<newline], as: UTF8.self)
                    .trimmingCharacters(in: .whitespacesAndNewlines)
                pending.removeFirst(newline + 1)
                let size = Int(sizeText, radix: 16) ?? 0
                remaining = size + 2
            }
        }
        return output
    }
}

/// One Server-Sent Event.
struct ServerEvent: Sendable, Equatable {
    var name: String
    var data: String
}

/// A connection to `/__prensa/events` as a browser's EventSource holds it: a thread reads the
/// stream and records each event as it arrives.
final class EventStreamClient: @unchecked Sendable {
    private let fd: Int32
    private let condition = NSCondition()
    private var received: [ServerEvent] = []
    private var ended = false
    private var taken = 0
    private let readerDone = DispatchSemaphore(value: 0)

    private init(fd: Int32) {
        self.fd = fd
    }

    static func connect(port: UInt16) async throws -> EventStreamClient {
        // The server sends a comment every 15 s; a stream quiet for 60 s has a dead server. (With
        // 10 s, the stream ended by itself during any wait longer than that.)
        let fd = try RawHTTP.connect(port: port, timeout: 60)
        let client = EventStreamClient(fd: fd)
        try RawHTTP.writeAll(
            fd, Array("GET /__prensa/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n".utf8))
        Thread { client.readLoop() }.start()
        let hello = try await client.next(within: .seconds(20))
        guard hello?.name == "hello" else {
            throw SocketFailure(description: "no hello event, got \(String(describing: hello))")
        }
        return client
    }

    /// Events received so far.
    var events: [ServerEvent] { condition.withLock { received } }

    /// Whether the server ended the stream.
    var hasEnded: Bool { condition.withLock { ended } }

    /// The next event after those already taken, or nil after `timeout` or at the end of the
    /// stream.
    func next(within timeout: Duration) async throws -> ServerEvent? {
        try await onThread { [self] in
            let deadline = Date().addingTimeInterval(
                Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18)
            condition.lock()
            defer { condition.unlock() }
            while taken >= received.count && !ended {
                if !condition.wait(until: deadline) { break }
            }
            guard taken < received.count else { return nil }
            defer { taken += 1 }
            return received[taken]
        }
    }

    /// The next event called `name`, skipping others.
    func next(_ name: String, within timeout: Duration) async throws -> ServerEvent? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            guard let event = try await next(within: deadline - ContinuousClock.now) else { return nil }
            if event.name == name { return event }
        }
        return nil
    }

    /// Waits for the server to end the stream; false after `timeout`.
    func waitForEnd(within timeout: Duration) async throws -> Bool {
        try await onThread { [self] in
            let deadline = Date().addingTimeInterval(Double(timeout.components.seconds))
            condition.lock()
            defer { condition.unlock() }
            while !ended {
                if !condition.wait(until: deadline) { break }
            }
            return ended
        }
    }

    func close() {
        shutdown(fd, Int32(SHUT_RDWR))
        readerDone.wait()
        Glibc.close(fd)
    }

    private func readLoop() {
        defer {
            condition.withLock {
                ended = true
                condition.broadcast()
            }
            readerDone.signal()
        }
        var raw: [UInt8] = []
        var headerDone = false
        var chunks = ChunkDecoder()
        var text: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = read(fd, &buffer, buffer.count)
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { return }
            var payload: [UInt8]
            if headerDone {
                payload = Array(buffer[..<count])
            } else {
                raw += buffer[..<count]
                guard let end = RawHTTP.headerEnd(raw) else { continue }
                headerDone = true
                payload = Array(raw[(end + 4)...])
            }
            payload = chunks.feed(payload)
            text += payload
            // Events end with a blank line.
            while let split = Self.blankLine(in: text) {
                let block = String(decoding: text[..<split], as: UTF8.self)
                text.removeFirst(split + 2)
                if let event = Self.parseEvent(block) {
                    condition.withLock {
                        received.append(event)
                        condition.broadcast()
                    }
                }
            }
        }
    }

    private static func blankLine(in bytes: [UInt8]) -> Int? {
        guard bytes.count >= 2 else { return nil }
        for index in 0..<(bytes.count - 1) where bytes[index] == 10 && bytes[index + 1] == 10 { return index }
        return nil
    }

    private static func parseEvent(_ block: String) -> ServerEvent? {
        var name = "message"
        var data: [String] = []
        for line in block.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix(":") { continue }
            if line.hasPrefix("event:") { name = line.dropFirst(6).trimmingCharacters(in: .whitespaces) }
            if line.hasPrefix("data:") {
                data.append(String(line.dropFirst(5).drop { $0 == " " }))
            }
        }
        return data.isEmpty ? nil : ServerEvent(name: name, data: data.joined(separator: "\n"))
    }
}
