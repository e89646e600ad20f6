/// A JSON value serialized with keys in the order given, for byte-identical output.
public enum JSON: Sendable, Hashable {
    case string(String)
    case number(Double)
    case integer(Int64)
    case unsigned(UInt64)
    case bool(Bool)
    case null
    case array([JSON])
    case object([JSONMember])

    public func serialized() -> String {
        var output = ""
        write(to: &output)
        return output
    }

    private func write(to output: inout String) {
        switch self {
        case .string(let value):
            JSON.writeString(value, to: &output)
        case .array(let values):
            output += "["
            for (index, value) in values.enumerated() {
                if index > 0 { output += "," }
                value.write(to: &output)
            }
            output += "]"
        case .object(let members):
            output += "{"
            for (index, member) in members.enumerated() {
                if index > 0 { output += "," }
                JSON.writeString(member.key, to: &output)
                output += ":"
                member.value.write(to: &output)
            }
            output += "}"
        case .number(let value):
            output += JSON.format(value)
        case .integer(let value):
            output += String(value)
        case .unsigned(let value):
            output += String(value)
        case .bool(let value):
            output += value ? "true" : "false"
        case .null:
            output += "null"
        }
    }

    private static func writeString(_ value: String, to output: inout String) {
        var bytes: [UInt8] = [UInt8(ascii: "\"")]
        var value = value
        value.withUTF8 { buffer in
            bytes.reserveCapacity(buffer.count + 16)
            var index = 0
            while index < buffer.count {
                let byte = buffer[index]
                switch byte {
                case UInt8(ascii: "\""): bytes += [UInt8(ascii: "\\"), UInt8(ascii: "\"")]
                case UInt8(ascii: "\\"): bytes += [UInt8(ascii: "\\"), UInt8(ascii: "\\")]
                case UInt8(ascii: "\n"): bytes += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
                case UInt8(ascii: "\r"): bytes += [UInt8(ascii: "\\"), UInt8(ascii: "r")]
                case UInt8(ascii: "\t"): bytes += [UInt8(ascii: "\\"), UInt8(ascii: "t")]
                case 0..<0x20:
                    let hex = String(byte, radix: 16)
                    bytes += Array(("\\u" + String(repeating: "0", count: 4 - hex.count) + hex).utf8)
                case 0xE2
                where index + 2 < buffer.count && buffer[index + 1] == 0x80
                    && (buffer[index + 2] == 0xA8 || buffer[index + 2] == 0xA9):
                    // U+2028 and U+2029 end a line in JavaScript.
                    bytes += Array((buffer[index + 2] == 0xA8 ? "\\u2028" : "\\u2029").utf8)
                    index += 2
                default: bytes.append(byte)
                }
                index += 1
            }
        }
        bytes.append(UInt8(ascii: "\""))
        output += String(decoding: bytes, as: UTF8.self)
    }

    /// A finite number as JSON writes it: integers without a fraction, others with up to 6
    /// decimals (trailing zeros dropped), never an exponent; NaN and infinity become null.
    static func format(_ value: Double) -> String {
        guard value.isFinite else { return "null" }
        if value == value.rounded(), abs(value) < 9e15 { return String(Int64(value)) }
        let scaled = (value * 1_000_000).rounded()
        guard abs(scaled) < 9e15 else { return String(value) }
        let negative = scaled < 0
        let magnitude = Int64(abs(scaled))
        var fraction = String(magnitude % 1_000_000)
        fraction = String(repeating: "0", count: 6 - fraction.count) + fraction
        while fraction.hasSuffix("0") { fraction.removeLast() }
        let text = fraction.isEmpty ? String(magnitude / 1_000_000) : "\(magnitude / 1_000_000).\(fraction)"
        return negative ? "-" + text : text
    }
}

/// One `"key": value` of a JSON object (objects keep their members' order).
public struct JSONMember: Sendable, Hashable {
    public let key: String
    public let value: JSON

    public init(_ key: String, _ value: JSON) {
        self.key = key
        self.value = value
    }
}

extension JSON {
    /// `value` serialized to be written verbatim inside a `<script>` element: `<`, `>` and `&`
    /// become `\u003c`, `\u003e` and `\u0026`, so no text (a title holding `</script>` or `<!--`)
    /// can end the element or open a comment in it. Outside strings JSON has none of the three.
    public static func scriptSafe(_ value: JSON) -> String {
        let serialized = value.serialized()
        // Byte by byte: the three characters are ASCII, and UTF-8 never uses ASCII bytes inside
        // other characters.
        guard serialized.utf8.contains(where: { $0 == 0x3C || $0 == 0x3E || $0 == 0x26 }) else { return serialized }
        var output: [UInt8] = []
        output.reserveCapacity(serialized.utf8.count + 64)
        for byte in serialized.utf8 {
            switch byte {
            case 0x3C: output.append(contentsOf: #"\u003c"#.utf8)
            case 0x3E: output.append(contentsOf: #"\u003e"#.utf8)
            case 0x26: output.append(contentsOf: #"\u0026"#.utf8)
            default: output.append(byte)
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// An object from `(key, value)` pairs, in order.
    public static func object(_ pairs: KeyValuePairs<String, JSON>) -> JSON {
        .object(pairs.map { JSONMember($0.key, $0.value) })
    }
}
