import FlyingFox
import FlyingSocks
import Foundation
import Site

/// The open event streams (one per browser tab) and the messages sent to them.
///
/// Messages are Server-Sent Events: `hello` (the server instance, so a tab reloads after the
/// server restarts), `reload` (the site was rebuilt) and `build-error` (a JSON array of the
/// diagnostic lines, shown in an overlay until the next good build).
final class ReloadHub: @unchecked Sendable {
    private let lock = NSLock()
    private var clients: [Int: AsyncStream<[UInt8]>.Continuation] = [:]
    private var nextID = 0
    private var isClosed = false

    /// A stream for one tab that starts with `first`; it ends when the tab goes away or the
    /// server stops.
    func subscribe(first: [UInt8]) -> AsyncStream<[UInt8]> {
        let (stream, continuation) = AsyncStream.makeStream(of: [UInt8].self, bufferingPolicy: .bufferingNewest(64))
        continuation.yield(first)
        let id: Int? = lock.withLock {
            guard !isClosed else { return nil }
            defer { nextID += 1 }
            clients[nextID] = continuation
            return nextID
        }
        if let id {
            continuation.onTermination = { [weak self] _ in self?.remove(id) }
        } else {
            continuation.finish()
        }
        return stream
    }

    /// Sends `message` to every open stream.
    func broadcast(_ message: [UInt8]) {
        let open = lock.withLock { Array(clients.values) }
        for client in open { client.yield(message) }
    }

    /// Ends every stream, now and for tabs that connect later: the server is stopping.
    func closeAll() {
        let open = lock.withLock {
            isClosed = true
            defer { clients = [:] }
            return Array(clients.values)
        }
        for client in open { client.finish() }
    }

    /// How many tabs are listening.
    var count: Int { lock.withLock { clients.count } }

    private func remove(_ id: Int) {
        _ = lock.withLock { clients.removeValue(forKey: id) }
    }

    // MARK: - Messages

    static func event(_ name: String, data: String) -> [UInt8] {
        Array("event: \(name)\ndata: \(data)\n\n".utf8)
    }

    /// The first message of a stream: how long the browser waits before reconnecting, and who
    /// is speaking.
    static func greeting(instance: String) -> [UInt8] {
        Array("retry: 500\n".utf8) + event("hello", data: instance)
    }

    static func buildError(_ lines: [String]) -> [UInt8] {
        event("build-error", data: jsonArray(lines))
    }

    /// A comment line that keeps idle connections open and finds the ones that have gone.
    static let heartbeat = Array(": ping\n\n".utf8)

    /// `["a","b"]` on one line (SSE data cannot hold a raw newline), safe inside a `<script>`.
    static func jsonArray(_ strings: [String]) -> String {
        JSON.scriptSafe(.array(strings.map { .string($0) }))
    }
}

/// FlyingFox streams a body from an `AsyncBufferedSequence` of bytes (chunked encoding): this
/// adapts the `AsyncStream` of one tab's messages to it, one message per chunk.
struct EventStreamBody: AsyncBufferedSequence {
    typealias Element = UInt8

    let messages: AsyncStream<[UInt8]>

    func makeAsyncIterator() -> Iterator {
        Iterator(messages: messages.makeAsyncIterator())
    }

    struct Iterator: AsyncBufferedIteratorProtocol {
        var messages: AsyncStream<[UInt8]>.Iterator
        var pending: ArraySlice<UInt8> = []

        mutating func next() async -> UInt8? {
            await nextBuffer(suggested: 1)?.first
        }

        mutating func nextBuffer(suggested count: Int) async -> ArraySlice<UInt8>? {
            while pending.isEmpty {
                guard let message = await messages.next() else { return nil }
                pending = message[...]
            }
            let taken = pending.prefix(Swift.max(1, count))
            pending = pending.dropFirst(taken.count)
            return taken
        }
    }
}

/// What the browser is given: the reload script, the error overlay, and how both go into a page.
enum LiveReload {
    static let scriptPath = "/__prensa/reload.js"
    static let eventsPath = "/__prensa/events"

    /// What goes before `</body>` of every HTML page served: the script, and the overlay while
    /// the last build failed.
    static func snippet(errors: [String]?) -> String {
        var html = ""
        if let errors { html += overlay(lines: errors) }
        html += "<script src=\"\(scriptPath)\"></script>\n"
        return html
    }

    /// `html` with the snippet before its last `</body>` (or at the end when it has none).
    static func inject(into html: String, errors: [String]?) -> String {
        let snippet = snippet(errors: errors)
        guard let body = html.range(of: "</body>", options: [.caseInsensitive, .backwards]) else {
            return html + snippet
        }
        var result = html
        result.insert(contentsOf: snippet, at: body.lowerBound)
        return result
    }

    /// The overlay that lists the diagnostics, one per line, over the last good page.
    static func overlay(lines: [String]) -> String {
        overlayStart + lines.map(escapeHTML).joined(separator: "\n") + overlayEnd
    }

    private static let overlayStart = """
        <div id="prensa-erro" role="alertdialog" aria-modal="true" aria-labelledby="prensa-erro-titulo" \
        style="position:fixed;inset:0;z-index:2147483647;overflow:auto;padding:1.5rem;\
        background:rgba(15,15,20,.88);color:#f4f4f5;font:16px/1.5 system-ui,sans-serif;text-align:left">
        <div style="max-width:60rem;margin:0 auto;padding:1.25rem 1.5rem;border-left:6px solid #ef4444;\
        border-radius:6px;background:#1f1f23">
        <h2 id="prensa-erro-titulo" style="margin:0 0 .75rem;font-size:1.25rem;color:#fca5a5">\
        Erro de compilação do site</h2>
        <pre style="margin:0 0 1rem;padding:.75rem 1rem;border:0;border-radius:4px;background:#0c0c0f;\
        color:#fecaca;white-space:pre-wrap;overflow-wrap:anywhere;\
        font:14px/1.5 ui-monospace,SFMono-Regular,Menlo,monospace">
        """
    private static let overlayEnd = """
        </pre>
        <p style="margin:0 0 1rem;color:#d4d4d8">Esta página é a última versão do site que compilou. \
        Corrija o erro e salve o arquivo: a página recarrega sozinha.</p>
        <button type="button" onclick="this.closest('#prensa-erro').remove()" \
        style="font:inherit;padding:.25rem .75rem;border:1px solid #71717a;border-radius:4px;\
        background:#27272a;color:#f4f4f5;cursor:pointer">Fechar</button>
        </div>
        </div>

        """

    /// Served at `/__prensa/reload.js`. It follows the event stream: `reload` reloads the page,
    /// `build-error` shows the overlay (filled with textContent, never parsed as HTML), and a
    /// `hello` from another server instance (after a restart) reloads too.
    static let script = """
        // Prensa live reload (prensa serve).
        (() => {
          'use strict';
          const overlayHTML = \(jsonArray([overlay(lines: [])]).dropFirst().dropLast());
          let instance = null;
          const events = new EventSource('\(eventsPath)');
          events.addEventListener('hello', (event) => {
            if (instance !== null && instance !== event.data) location.reload();
            instance = event.data;
          });
          events.addEventListener('reload', () => location.reload());
          events.addEventListener('build-error', (event) => {
            let overlay = document.getElementById('prensa-erro');
            if (!overlay) {
              const template = document.createElement('template');
              template.innerHTML = overlayHTML;
              overlay = template.content.firstElementChild;
              document.body.appendChild(overlay);
            }
            overlay.querySelector('pre').textContent = JSON.parse(event.data).join('\\n');
          });
        })();

        """

    private static func jsonArray(_ strings: [String]) -> String { ReloadHub.jsonArray(strings) }

    /// Escapes text for HTML content and attribute values.
    static func escapeHTML(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }
}
