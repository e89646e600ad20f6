import CYaml

/// Bounds on what a YAML text may expand to, checked on libyaml's event stream before Yams
/// builds its tree. Aliases let a few lines stand for billions of values ("billion laughs"):
/// Yams shares the repeated nodes, but anything that walks or hashes them (an alias used as a
/// mapping key is hashed to find duplicate keys) would run for ever.
enum YAMLLimits {
    /// Most values (scalars, lists, mappings) the text may stand for, counting each alias as
    /// the whole value it repeats. The largest spec list (lottery draws) takes a million.
    static let maxExpandedValues = 2_000_000

    /// The place and the message of the first value past ``maxExpandedValues``, or nil. Syntax
    /// errors are left for Yams to report (nil).
    static func firstExcess(in yaml: String) -> (line: Int, column: Int, message: String)? {
        // Without an alias nothing repeats, and the text is its own bound.
        guard yaml.utf8.contains(UInt8(ascii: "*")) else { return nil }
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else { return nil }
        defer { yaml_parser_delete(&parser) }
        var bytes = Array(yaml.utf8)
        return bytes.withUnsafeMutableBufferPointer { buffer in
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING)
            return scan(&parser)
        }
    }

    private struct Open {
        let anchor: String?
        var values = 1
    }

    private static func scan(_ parser: inout yaml_parser_t) -> (line: Int, column: Int, message: String)? {
        /// Expanded size of each anchored value, and of each list or mapping still open.
        var anchored: [String: Int] = [:]
        var open: [Open] = [Open(anchor: nil, values: 0)]
        /// Scalars of the whole document so far, each alias counted as all the values it repeats.
        var total = 0
        let cap = maxExpandedValues + 1
        while true {
            var event = yaml_event_t()
            guard yaml_parser_parse(&parser, &event) == 1 else { return nil }
            defer { yaml_event_delete(&event) }
            var finished: (anchor: String?, values: Int)?
            switch event.type {
            case YAML_STREAM_END_EVENT:
                return nil
            case YAML_SCALAR_EVENT:
                finished = (text(event.data.scalar.anchor), 1)
            case YAML_ALIAS_EVENT:
                let values = anchored[text(event.data.alias.anchor) ?? ""] ?? 1
                finished = (nil, values)
                total = min(cap, total + values)
                if total > maxExpandedValues {
                    return (
                        Int(event.start_mark.line) + 1, Int(event.start_mark.column) + 1,
                        "YAML aliases here expand to more than \(maxExpandedValues) values; write the values out"
                    )
                }
            case YAML_SEQUENCE_START_EVENT:
                open.append(Open(anchor: text(event.data.sequence_start.anchor)))
            case YAML_MAPPING_START_EVENT:
                open.append(Open(anchor: text(event.data.mapping_start.anchor)))
            case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                guard open.count > 1, let closed = open.popLast() else { return nil }
                if let anchor = closed.anchor { anchored[anchor] = closed.values }
                open[open.count - 1].values = min(cap, open[open.count - 1].values + closed.values)
            default:
                break
            }
            guard let (anchor, values) = finished else { continue }
            if let anchor { anchored[anchor] = values }
            open[open.count - 1].values = min(cap, open[open.count - 1].values + values)
            if event.type == YAML_SCALAR_EVENT { total = min(cap, total + 1) }
        }
    }

    private static func text(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        pointer.map { String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self)) }
    }
}
