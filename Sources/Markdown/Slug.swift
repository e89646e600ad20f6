/// URL- and id-safe slugs with Portuguese (and general Latin) accents folded:
/// "Memória virtual é mentira" → "memoria-virtual-e-mentira".
public enum Slug {
    /// Lowercases, folds accents to their base letters, turns whitespace and hyphens into single
    /// hyphens and drops every other character that is not an ASCII letter, digit or underscore.
    /// The result may be empty (for text with no Latin letters or digits); callers decide what
    /// an empty slug means for them.
    public static func make(_ text: String) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(text.utf8.count)
        var pendingHyphen = false
        for scalar in text.unicodeScalars {
            if scalar.isASCII {
                // The common case, without building a String or looking up Unicode properties.
                let byte = UInt8(scalar.value)
                switch byte {
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                    UInt8(ascii: "_"), UInt8(ascii: "A")...UInt8(ascii: "Z"):
                    if pendingHyphen && !output.isEmpty { output.append(UInt8(ascii: "-")) }
                    pendingHyphen = false
                    output.append(byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte + 32 : byte)
                case 0x09...0x0D, UInt8(ascii: " "), UInt8(ascii: "-"):
                    pendingHyphen = true
                default:
                    break
                }
                continue
            }
            let folded = fold(scalar)
            for byte in folded.utf8 {
                switch byte {
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                    UInt8(ascii: "_"):
                    if pendingHyphen && !output.isEmpty { output.append(UInt8(ascii: "-")) }
                    pendingHyphen = false
                    output.append(byte)
                case UInt8(ascii: "A")...UInt8(ascii: "Z"):
                    if pendingHyphen && !output.isEmpty { output.append(UInt8(ascii: "-")) }
                    pendingHyphen = false
                    output.append(byte + 32)
                case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"),
                    UInt8(ascii: "-"):
                    pendingHyphen = true
                default:
                    break
                }
            }
            if scalar.properties.isWhitespace { pendingHyphen = true }
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// The ASCII spelling of one scalar when it is a Latin letter with a diacritic (or a ligature);
    /// otherwise the scalar itself.
    static func fold(_ scalar: Unicode.Scalar) -> String {
        if scalar.isASCII { return String(scalar) }
        let lower = scalar.properties.lowercaseMapping
        if let mapped = foldTable[lower] { return mapped }
        return lower
    }

    private static let foldTable: [String: String] = {
        let groups: [(String, String)] = [
            ("a", "àáâãäåāăąǎǻ"), ("c", "çćĉċč"), ("d", "ďđð"), ("e", "èéêëēĕėęěẽ"),
            ("g", "ĝğġģ"), ("h", "ĥħ"), ("i", "ìíîïĩīĭįı"), ("j", "ĵ"), ("k", "ķ"),
            ("l", "ĺļľŀł"), ("n", "ñńņňŉ"), ("o", "òóôõöøōŏőǒ"), ("r", "ŕŗř"),
            ("s", "śŝşšș"), ("t", "ţťŧț"), ("u", "ùúûüũūŭůűųǔ"), ("w", "ŵ"), ("y", "ýÿŷ"),
            ("z", "źżž"), ("ss", "ß"), ("ae", "æ"), ("oe", "œ"), ("th", "þ"),
        ]
        var table: [String: String] = [:]
        for (base, letters) in groups {
            for letter in letters.unicodeScalars { table[String(letter)] = base }
        }
        return table
    }()
}
