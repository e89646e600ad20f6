import FlyingFox
import FlyingSocks
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The dev server's HTTP/1.1 connection layer: accepts connections, reads each request head
/// itself under fixed limits, then lets an `HTTPHandler` (the `SiteHandler`) answer and writes
/// the response, streaming bodies of unknown length (the event stream) chunked.
///
/// FlyingFox's own `HTTPServer` reads request lines with a check that walks the whole line for
/// every byte received: a 100 KiB line holds a thread for seconds and a 1 MiB one for hours,
/// so one request could freeze the server. It also keeps a connection that sends nothing (or one
/// byte at a time) forever, and answers malformed heads by closing without a word. Here a head
/// is scanned once, in linear time, and refused with a status as soon as it breaks a limit:
/// 414 for a request line over 8 KiB, 431 for more than 100 header fields or 16 KiB of head,
/// 400 for a malformed line, 505 for an HTTP version other than 1.0 and 1.1, 408 when the head
/// takes more than `headTimeout` to arrive (an idle keep-alive connection is closed then too).
final class HTTPFrontEnd: @unchecked Sendable {
    struct Limits: Sendable {
        var requestLine = 8 * 1024
        var headBytes = 16 * 1024
        var headerFields = 100
        var body = 1 << 20
        var headTimeout: Duration = .seconds(15)
    }

    private let listener: Socket
    private let handler: any HTTPHandler
    private let limits: Limits

    /// Binds and listens at once, so a busy port is reported by `init`.
    init(address: some SocketAddress, handler: any HTTPHandler, limits: Limits = Limits()) throws {
        listener = try Socket(domain: Int32(type(of: address).family))
        try listener.setValue(true, for: .localAddressReuse)
        try listener.bind(to: address)
        try listener.listen()
        self.handler = handler
        self.limits = limits
    }

    var port: UInt16? {
        switch try? listener.sockname() {
        case .ip4(_, let port)?, .ip6(_, let port)?: port
        default: nil
        }
    }

    /// Accepts and serves connections until the task is cancelled. Connections run on threads of
    /// their own (`ServerExecutor`), so work that blocks Swift's few cooperative threads (a
    /// synchronous build in the same process, as in the tests) cannot stall the server.
    func run() async throws {
        if #available(macOS 15.0, *) {
            try await withTaskExecutorPreference(ServerExecutor.shared) { try await accept() }
        } else {
            try await accept()
        }
    }

    private func accept() async throws {
        let pool = HTTPServer.defaultPool()
        try await pool.prepare()
        let accepting = try AsyncSocket(socket: listener, pool: pool)
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { try await pool.run() }
            for try await client in accepting.sockets {
                group.addTask { await self.serve(client) }
            }
        }
    }

    /// Stops accepting; the connections end when `run()`'s task is cancelled.
    func closeListener() {
        try? listener.close()
    }

    // MARK: - A connection

    private enum Head {
        case closed
        case refused(HTTPStatusCode)
        case request(HTTPRequest, keepAlive: Bool)
    }

    private func serve(_ client: AsyncSocket) async {
        defer { try? client.close() }
        var pending: [UInt8] = []
        while !Task.isCancelled {
            let watchdog = Watchdog(socket: client.socket.file.rawValue, after: limits.headTimeout)
            var head = await readHead(client, &pending)
            // A head begun but not finished in time gets 408; an idle connection is just closed.
            if watchdog.finish(), case .closed = head, !pending.isEmpty { head = .refused(.requestTimeout) }
            switch head {
            case .closed:
                return
            case .refused(let status):
                let text = "\(status.code) — \(status.phrase)\n"
                let response = HTTPResponse(
                    statusCode: status, headers: [.contentType: "text/plain; charset=utf-8"], body: Data(text.utf8))
                try? await write(response, to: client, head: false, keepAlive: false)
                return
            case .request(let request, let keepAlive):
                let response: HTTPResponse
                do {
                    response = try await handler.handleRequest(request)
                } catch {
                    response = HTTPResponse(statusCode: .internalServerError)
                }
                do {
                    try await write(response, to: client, head: request.method == .HEAD, keepAlive: keepAlive)
                } catch {
                    return
                }
                if !keepAlive { return }
            }
        }
    }

    /// Reads one request head (and its body, if it declares one) from `pending` and the socket.
    private func readHead(_ client: AsyncSocket, _ pending: inout [UInt8]) async -> Head {
        var scanned = 0
        while true {
            // Empty lines before a request line are ignored (RFC 9112 §2.2).
            if let start = pending.firstIndex(where: { $0 != 13 && $0 != 10 }) {
                pending.removeFirst(start)
            } else {
                pending.removeAll(keepingCapacity: true)
            }
            if let (headEnd, next) = Self.headEnd(in: pending, from: max(0, scanned - 3)) {
                let head = Array(pending[..<headEnd])
                pending.removeFirst(next)
                return await parse(head, client, &pending)
            }
            scanned = pending.count
            if !pending.prefix(limits.requestLine + 2).contains(10) && pending.count > limits.requestLine {
                return .refused(.uriTooLong)
            }
            if pending.count > limits.headBytes { return .refused(.requestHeaderFieldsTooLarge) }
            guard let chunk = try? await client.read(atMost: 4096), !chunk.isEmpty else { return .closed }
            pending += chunk
        }
    }

    /// Where the head ends (the blank line) and where the next message starts.
    private static func headEnd(in bytes: [UInt8], from start: Int) -> (Int, Int)? {
        var index = start
        while index < bytes.count {
            if bytes[index] == 10 {
                if index + 1 < bytes.count && bytes[index + 1] == 10 { return (index, index + 2) }
                if index + 2 < bytes.count && bytes[index + 1] == 13 && bytes[index + 2] == 10 {
                    return (index, index + 3)
                }
            }
            index += 1
        }
        return nil
    }

    private func parse(_ head: [UInt8], _ client: AsyncSocket, _ pending: inout [UInt8]) async -> Head {
        var lines = head.split(separator: 10, omittingEmptySubsequences: false).map { line in
            line.last == 13 ? line.dropLast() : line
        }
        let requestLine = lines.removeFirst()
        if requestLine.count > limits.requestLine { return .refused(.uriTooLong) }
        let parts = requestLine.split(separator: 32, omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, parts[0].allSatisfy(Self.isTokenByte), !parts[1].isEmpty,
            parts[1].allSatisfy({ $0 > 32 && $0 < 127 })
        else { return .refused(.badRequest) }
        let version = String(decoding: parts[2], as: UTF8.self)
        guard version.hasPrefix("HTTP/"), version.count == 8 else { return .refused(.badRequest) }
        guard version == "HTTP/1.1" || version == "HTTP/1.0" else { return .refused(.httpVersionNotSupported) }
        if lines.count > limits.headerFields { return .refused(.requestHeaderFieldsTooLarge) }
        var headers = HTTPHeaders()
        for line in lines {
            guard let colon = line.firstIndex(of: 58), colon > line.startIndex,
                line[..<colon].allSatisfy(Self.isTokenByte),
                !line.contains(where: { $0 == 0 || $0 == 13 || $0 == 10 })
            else { return .refused(.badRequest) }
            let name = String(decoding: line[..<colon], as: UTF8.self)
            let value = String(decoding: line[(colon + 1)...], as: UTF8.self).trimmingCharacters(in: .whitespaces)
            headers.addValue(value, for: HTTPHeader(name))
        }
        if headers[.transferEncoding] != nil { return .refused(.notImplemented) }
        var body: [UInt8] = []
        if let length = headers[.contentLength] {
            guard let count = Int(length), count >= 0, length.allSatisfy(\.isASCII) else {
                return .refused(.badRequest)
            }
            if count > limits.body { return .refused(.payloadTooLarge) }
            while pending.count < count {
                guard let chunk = try? await client.read(atMost: min(65_536, count - pending.count)), !chunk.isEmpty
                else { return .closed }
                pending += chunk
            }
            body = Array(pending[..<count])
            pending.removeFirst(count)
        }
        let connection = headers[.connection]?.lowercased() ?? ""
        let keepAlive = version == "HTTP/1.1" ? !connection.contains("close") : connection.contains("keep-alive")
        let target = String(decoding: parts[1], as: UTF8.self)
        let query = target.firstIndex(of: "?")
        let request = HTTPRequest(
            method: HTTPMethod(String(decoding: parts[0], as: UTF8.self)), version: HTTPVersion(rawValue: version),
            target: HTTPRequest.Target(
                path: String(target[..<(query ?? target.endIndex)]),
                query: query.map { String(target[target.index(after: $0)...]) } ?? ""),
            headers: headers, body: HTTPBodySequence(data: Data(body)))
        return .request(request, keepAlive: keepAlive)
    }

    /// RFC 9110 `tchar`.
    private static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        default: "!#$%&'*+-.^_`|~".utf8.contains(byte)
        }
    }

    private func write(_ response: HTTPResponse, to client: AsyncSocket, head: Bool, keepAlive: Bool) async throws {
        guard case .httpBody(let body) = response.payload else {
            throw SocketError.disconnected
        }
        var headers = response.headers
        headers[.connection] = keepAlive ? "keep-alive" : "close"
        if headers[.contentLength] == nil {
            // A body of unknown length (the event stream) comes chunk-encoded from FlyingFox.
            if let count = body.count {
                headers[.contentLength] = String(count)
            } else {
                headers[.transferEncoding] = "chunked"
            }
        }
        var text = "HTTP/1.1 \(response.statusCode.code) \(response.statusCode.phrase)\r\n"
        for (name, value) in headers { text += "\(name.rawValue): \(value)\r\n" }
        text += "\r\n"
        try await client.write(Data(text.utf8))
        if head { return }
        for try await chunk in body where !chunk.isEmpty {
            try await client.write(chunk)
        }
    }
}

/// Runs the server's tasks on dispatch threads rather than on Swift's cooperative pool.
@available(macOS 15.0, *)
final class ServerExecutor: TaskExecutor {
    static let shared = ServerExecutor()
    private let queue = DispatchQueue(label: "prensa.serve", attributes: .concurrent)

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        queue.async { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}

/// Ends the reading side of a socket after a delay unless finished first: a pending read then
/// sees the end of the stream, and the connection can still be answered 408.
private final class Watchdog: @unchecked Sendable {
    private let lock = NSLock()
    private var done = false
    private var fired = false
    private var task: Task<Void, Never>?

    init(socket: Int32, after delay: Duration) {
        task = Task { [self] in
            try? await Task.sleep(for: delay)
            lock.withLock {
                guard !done, !Task.isCancelled else { return }
                fired = true
                _ = shutdown(socket, Int32(SHUT_RD))
            }
        }
    }

    /// Stops the watchdog; true when it had already fired.
    func finish() -> Bool {
        lock.withLock {
            done = true
            task?.cancel()
            return fired
        }
    }
}
