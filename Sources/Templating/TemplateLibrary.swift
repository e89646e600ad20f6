/// Templates by name (`partials/header` for `templates/partials/header.mustache`), which partials
/// and parents refer to.
public struct TemplateLibrary: Sendable {
    private let templates: [String: Template]

    public init(templates: [String: Template]) {
        self.templates = templates
    }

    public subscript(name: String) -> Template? { templates[name] }

    /// Renders template `name` with `context` as UTF-8 bytes; nil when there is no such template.
    /// A partial that does not exist renders as nothing (load the templates with a check).
    public func render(_ context: TemplateValue, template name: String) -> [UInt8]? {
        guard let template = templates[name] else { return nil }
        var renderer = Renderer(library: self)
        renderer.output.reserveCapacity(32 * 1024)
        var stack = [context]
        renderer.render(template.nodes, stack: &stack, overrides: [:], indentation: nil)
        return renderer.output
    }
}

/// Writes `text` HTML-escaped (`& < > " '`) into `output`.
public func appendEscapedHTML(_ text: String, to output: inout [UInt8]) {
    var text = text
    text.withUTF8 { buffer in
        var runStart = 0
        for index in 0..<buffer.count {
            let replacement: StaticString
            switch buffer[index] {
            case UInt8(ascii: "&"): replacement = "&amp;"
            case UInt8(ascii: "<"): replacement = "&lt;"
            case UInt8(ascii: ">"): replacement = "&gt;"
            case UInt8(ascii: "\""): replacement = "&quot;"
            case UInt8(ascii: "'"): replacement = "&#39;"
            default: continue
            }
            output.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[runStart..<index]))
            output.append(
                contentsOf: UnsafeBufferPointer(start: replacement.utf8Start, count: replacement.utf8CodeUnitCount))
            runStart = index + 1
        }
        output.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[runStart...]))
    }
}

private struct Renderer {
    let library: TemplateLibrary
    var output: [UInt8] = []

    /// Renders `nodes`. With an indentation (inside an indented standalone partial), every
    /// non-empty piece that starts a new line of this call's output is indented.
    mutating func render(
        _ nodes: [Node], stack: inout [TemplateValue], overrides: [String: [Node]], indentation: [UInt8]?
    ) {
        guard let indentation, !indentation.isEmpty else {
            for node in nodes { render(node, stack: &stack, overrides: overrides, indentation: indentation) }
            return
        }
        let localStart = output.count
        for node in nodes {
            let mark = output.count
            render(node, stack: &stack, overrides: overrides, indentation: indentation)
            if output.count > mark, mark > localStart, output[mark - 1] == UInt8(ascii: "\n") {
                output.insert(contentsOf: indentation, at: mark)
            }
        }
    }

    private mutating func render(
        _ node: Node, stack: inout [TemplateValue], overrides: [String: [Node]], indentation: [UInt8]?
    ) {
        switch node {
        case .text(let bytes):
            output.append(contentsOf: bytes)
        case .variable(let path, let anchored, let escaped):
            guard let value = lookup(path, anchored: anchored, in: stack) else { return }
            switch value {
            case .string(let text):
                if escaped {
                    appendEscapedHTML(text, to: &output)
                } else {
                    var text = text
                    text.withUTF8 { output.append(contentsOf: $0) }
                }
            case .int(let number): output.append(contentsOf: String(number).utf8)
            case .bool(let flag): output.append(contentsOf: (flag ? "true" : "false").utf8)
            case .list, .object: break
            }
        case .section(let path, let anchored, let inverted, let children):
            let value = lookup(path, anchored: anchored, in: stack)
            if inverted {
                if !isTruthy(value) { render(children, stack: &stack, overrides: overrides, indentation: indentation) }
                return
            }
            guard let value, isTruthy(value) else { return }
            switch value {
            case .bool:
                render(children, stack: &stack, overrides: overrides, indentation: indentation)
            case .list(let elements):
                for element in elements {
                    stack.append(element)
                    render(children, stack: &stack, overrides: overrides, indentation: indentation)
                    stack.removeLast()
                }
            case .string, .int, .object:
                stack.append(value)
                render(children, stack: &stack, overrides: overrides, indentation: indentation)
                stack.removeLast()
            }
        case .partial(let name, let extra):
            guard let template = library[name] else { return }
            render(
                template.nodes, stack: &stack, overrides: overrides,
                indentation: extra.map { (indentation ?? []) + $0 } ?? indentation)
        case .parent(let name, let extra, let blocks):
            guard let template = library[name] else { return }
            // Blocks given further out win over the ones given here.
            let merged = overrides.merging(blocks) { outer, _ in outer }
            render(template.nodes, stack: &stack, overrides: merged, indentation: (indentation ?? []) + extra)
        case .block(let name, let extra, let children):
            render(
                overrides[name] ?? children, stack: &stack, overrides: overrides,
                indentation: (indentation ?? []) + extra)
        }
    }

    private func isTruthy(_ value: TemplateValue?) -> Bool {
        switch value {
        case nil: false
        case .bool(let flag): flag
        case .list(let elements): !elements.isEmpty
        case .string, .int, .object: true
        }
    }

    /// `a.b.c`: the innermost value that has `a` (only the innermost one when anchored), then
    /// `b` and `c` inside it. An empty path is the innermost value itself (`{{.}}`).
    private func lookup(_ path: [String], anchored: Bool, in stack: [TemplateValue]) -> TemplateValue? {
        guard let first = path.first else { return stack.last }
        var found: TemplateValue?
        if anchored {
            found = stack.last?[first]
        } else {
            for value in stack.reversed() {
                if let child = value[first] {
                    found = child
                    break
                }
            }
        }
        for name in path.dropFirst() {
            guard let current = found else { return nil }
            found = current[name]
        }
        return found
    }
}
