/// A request path checked and decoded segment by segment, before it comes near the file system.
///
/// The raw, still percent-encoded path is split on `/` first and each segment decoded on its
/// own, so an encoded slash (`%2f`) can never create a new segment. A segment that decodes to
/// `.` or `..`, or holds a slash, a backslash or a control character (NUL included), makes the
/// whole path invalid.
struct RequestPath: Equatable, Sendable {
    /// Decoded segments, without empty ones (`//` collapses).
    let segments: [String]
    /// Whether the raw path ended with `/` (true for `/` itself).
    let hasTrailingSlash: Bool

    /// Why a raw path was refused.
    enum Rejection: Error, Equatable {
        case notAbsolute
        case badEncoding
        case forbiddenSegment
    }

    /// Checks a raw request-target path such as `/posts/ol%C3%A1/`.
    static func parse(_ raw: String) -> Result<RequestPath, Rejection> {
        let bytes = Array(raw.utf8)
        guard bytes.first == UInt8(ascii: "/") else { return .failure(.notAbsolute) }
        var segments: [String] = []
        for rawSegment in bytes.dropFirst().split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: true) {
            guard let decoded = percentDecode(rawSegment) else { return .failure(.badEncoding) }
            let text = String(decoding: decoded, as: UTF8.self)
            guard text.utf8.elementsEqual(decoded) else { return .failure(.badEncoding) }
            if text == "." || text == ".." || decoded.contains(where: isForbidden) {
                return .failure(.forbiddenSegment)
            }
            segments.append(text)
        }
        return .success(RequestPath(segments: segments, hasTrailingSlash: bytes.last == UInt8(ascii: "/")))
    }

    /// Bytes no file name in a site needs: path separators (`/`, `\\`) and control characters
    /// (NUL, CR, LF…), which could otherwise end up in a header such as `Location`.
    private static func isForbidden(_ byte: UInt8) -> Bool {
        byte < 0x20 || byte == 0x7F || byte == UInt8(ascii: "/") || byte == UInt8(ascii: "\\")
    }

    /// The path itself, without empty segments: `//a//b/` → `/a/b/`, for a redirect that
    /// cannot point at another host (`//host`).
    var normalized: String {
        "/" + segments.map(Self.percentEncode).joined(separator: "/")
            + (hasTrailingSlash && !segments.isEmpty ? "/" : "")
    }

    /// Escapes every byte outside RFC 3986's unreserved set and the sub-delimiters that are
    /// safe in a path segment.
    static func percentEncode(_ segment: String) -> String {
        var out = ""
        for byte in segment.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"), UInt8(ascii: "!"), UInt8(ascii: "$"), UInt8(ascii: "&"), UInt8(ascii: "'"),
                UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: ","),
                UInt8(ascii: ";"), UInt8(ascii: "="), UInt8(ascii: ":"), UInt8(ascii: "@"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = String(byte, radix: 16, uppercase: true)
                out += "%" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return out
    }

    /// `%XX` → byte; nil for a malformed escape.
    private static func percentDecode(_ bytes: ArraySlice<UInt8>) -> [UInt8]? {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            if byte == UInt8(ascii: "%") {
                guard bytes.distance(from: index, to: bytes.endIndex) >= 3,
                    let high = hexValue(bytes[index + 1]), let low = hexValue(bytes[index + 2])
                else { return nil }
                output.append(high << 4 | low)
                index += 3
            } else {
                output.append(byte)
                index += 1
            }
        }
        return output
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
