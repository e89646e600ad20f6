/// A colour role. Figures take their colours from the page's CSS custom properties, so they
/// follow its light and dark themes; the fallback after the comma is used where no page
/// defines them (a standalone `.svg` file, a feed reader).
public enum Paint: Sendable, Hashable {
    /// Text and strong lines (`--fig-fg`).
    case foreground
    /// Secondary text: tick labels, notes (`--fig-muted`).
    case muted
    /// Grid lines, outlines and quiet fills (`--fig-grid`).
    case grid
    /// The page's background (`--fig-bg`): boxes that hide what is behind them.
    case background
    /// Highlights and markers (`--fig-accent`).
    case accent
    /// Failures, misses, faults (`--fig-danger`).
    case danger
    /// Successes, hits (`--fig-success`).
    case success
    /// One of eight colour-blind-safe series colours (Paul Tol's "bright" scheme), by index modulo 8.
    case series(Int)
    /// Text drawn on top of a `series` fill.
    case onSeries
    /// Nothing: no fill or no stroke.
    case none

    static let seriesFallbacks = [
        "#4477aa", "#ee6677", "#228833", "#ccbb44", "#66ccee", "#aa3377", "#bbbbbb", "#ee7733",
    ]

    /// The CSS value: `var(--fig-fg, #1d1f24)`.
    public var css: String {
        switch self {
        case .foreground: return "var(--fig-fg, #1d1f24)"
        case .muted: return "var(--fig-muted, #5a606b)"
        case .grid: return "var(--fig-grid, #d9d6cf)"
        case .background: return "var(--fig-bg, #ffffff)"
        case .accent: return "var(--fig-accent, #0b5cad)"
        case .danger: return "var(--fig-danger, #b42318)"
        case .success: return "var(--fig-success, #1a7f37)"
        case .series(let index):
            let slot = ((index % 8) + 8) % 8
            return "var(--fig-c\(slot + 1), \(Paint.seriesFallbacks[slot]))"
        case .onSeries: return "var(--fig-on-series, #111111)"
        case .none: return "none"
        }
    }
}

/// Which point of a text its x coordinate is (SVG's `text-anchor`).
public enum TextAnchor: String, Sendable {
    /// x is the left end of the text.
    case start
    /// x is the middle of the text.
    case middle
    /// x is the right end of the text.
    case end
}

/// Estimates of rendered text width, for layouts that must not overlap labels. Conservative
/// (a little wider than common sans-serif and monospace fonts), so a label fits where it is put.
public enum TextMetrics {
    /// Width in user units of `text` at `size`: 0.62 em per character in a sans-serif font
    /// (0.5 em for narrow ones such as "i", "l", "."), 0.62 em in monospace.
    public static func width(_ text: String, size: Double, monospace: Bool = false) -> Double {
        var ems = 0.0
        for character in text {
            if monospace {
                ems += 0.62
            } else if "iljtfr.,:;'|!() ".contains(character) {
                ems += 0.36
            } else if "mwMW".contains(character) {
                ems += 0.9
            } else if character.isUppercase || character.isNumber {
                ems += 0.66
            } else {
                ems += 0.58
            }
        }
        return ems * size
    }
}

/// Numbers in SVG attributes: at most two decimals, no trailing zeros, no exponent, no "-0".
public func svgNumber(_ value: Double) -> String {
    let hundredths = (value * 100).rounded()
    if hundredths == 0 { return "0" }
    let negative = hundredths < 0
    let magnitude = Int(abs(hundredths))
    var text = String(magnitude / 100)
    let fraction = magnitude % 100
    if fraction != 0 {
        text += fraction % 10 == 0 ? ".\(fraction / 10)" : (fraction < 10 ? ".0\(fraction)" : ".\(fraction)")
    }
    return negative ? "-" + text : text
}

/// A number as Brazilian Portuguese writes it in labels and tables: decimal comma, dots between
/// thousands, at most `places` decimals and no trailing zeros ("2,5", "1.024", "0,75"); "—" for
/// NaN and infinity.
public func portugueseDecimal(_ value: Double, places: Int = 2) -> String {
    guard value.isFinite else { return "—" }
    let places = min(max(places, 0), 9)
    var scale = 1.0
    for _ in 0..<places { scale *= 10 }
    let scaled = (value * scale).rounded()
    guard abs(scaled) < 9e18 else { return String(value) }
    if scaled == 0 { return "0" }
    let magnitude = UInt64(abs(scaled))
    let whole = magnitude / UInt64(scale)
    var fraction = places > 0 ? String(magnitude % UInt64(scale)) : ""
    if places > 0 {
        fraction = String(repeating: "0", count: places - fraction.count) + fraction
        while fraction.hasSuffix("0") { fraction.removeLast() }
    }
    var digits = String(whole)
    var grouped = ""
    while digits.count > 3 {
        grouped = "." + digits.suffix(3) + grouped
        digits = String(digits.dropLast(3))
    }
    let text = digits + grouped + (fraction.isEmpty ? "" : "," + fraction)
    return scaled < 0 ? "-" + text : text
}

/// Escapes text for SVG (XML) content and attributes, dropping characters XML 1.0 forbids.
public func xmlText(_ text: String) -> String {
    var output = ""
    output.reserveCapacity(text.utf8.count)
    for scalar in text.unicodeScalars {
        switch scalar {
        case "&": output += "&amp;"
        case "<": output += "&lt;"
        case ">": output += "&gt;"
        case "\"": output += "&quot;"
        case "'": output += "&#39;"
        default:
            if scalar.value < 0x20 && scalar != "\n" && scalar != "\t" { continue }
            output.unicodeScalars.append(scalar)
        }
    }
    return output
}

/// An SVG drawing built element by element, in drawing order. Output is byte-identical for the
/// same calls: every number goes through `svgNumber`.
public struct SVGCanvas: Sendable {
    /// Width in user units (the `viewBox` and `width` attribute).
    public let width: Double
    /// Height in user units.
    public let height: Double
    /// Prefix for element ids (the figure's id), so several figures on one page do not clash.
    public var idPrefix: String
    private var elements: [String] = []

    /// An empty canvas of `width` × `height` user units whose ids start with `idPrefix`.
    public init(width: Double, height: Double, idPrefix: String) {
        self.width = width
        self.height = height
        self.idPrefix = idPrefix
    }

    /// Adds a rectangle with its top-left corner at (`x`, `y`), filled with `fill` and outlined with
    /// `stroke` when given; `tooltip` is shown on hover, `className` becomes its CSS class.
    public mutating func rect(
        x: Double, y: Double, width: Double, height: Double, fill: Paint, stroke: Paint = .none,
        strokeWidth: Double = 1, cornerRadius: Double = 0, tooltip: String? = nil, className: String? = nil
    ) {
        var element = "<rect x=\"\(svgNumber(x))\" y=\"\(svgNumber(y))\" width=\"\(svgNumber(width))\""
        element += " height=\"\(svgNumber(height))\""
        if cornerRadius > 0 { element += " rx=\"\(svgNumber(cornerRadius))\"" }
        if let className { element += " class=\"\(xmlText(className))\"" }
        element += " style=\"fill: \(fill.css)"
        if stroke != .none { element += "; stroke: \(stroke.css); stroke-width: \(svgNumber(strokeWidth))" }
        element += "\""
        if let tooltip {
            element += "><title>\(xmlText(tooltip))</title></rect>"
        } else {
            element += "/>"
        }
        elements.append(element)
    }

    /// Adds a line from (`x1`, `y1`) to (`x2`, `y2`), `width` units thick, dashed when asked.
    public mutating func line(
        x1: Double, y1: Double, x2: Double, y2: Double, stroke: Paint, width: Double = 1, dashed: Bool = false
    ) {
        var element = "<line x1=\"\(svgNumber(x1))\" y1=\"\(svgNumber(y1))\" x2=\"\(svgNumber(x2))\""
        element += " y2=\"\(svgNumber(y2))\" style=\"stroke: \(stroke.css); stroke-width: \(svgNumber(width))"
        if dashed { element += "; stroke-dasharray: 4 3" }
        elements.append(element + "\"/>")
    }

    /// A path in SVG path syntax; build `d` with `svgNumber` for stable output.
    public mutating func path(_ d: String, fill: Paint = .none, stroke: Paint = .none, strokeWidth: Double = 1) {
        var element = "<path d=\"\(xmlText(d))\" style=\"fill: \(fill.css)"
        if stroke != .none { element += "; stroke: \(stroke.css); stroke-width: \(svgNumber(strokeWidth))" }
        elements.append(element + "\"/>")
    }

    /// Adds `text` with its baseline at `y` and its `anchor` point at `x`, `size` units high, in
    /// `fill`, bold or monospace when asked.
    public mutating func text(
        _ text: String, x: Double, y: Double, size: Double = 14, anchor: TextAnchor = .start,
        fill: Paint = .foreground, bold: Bool = false, monospace: Bool = false
    ) {
        var element = "<text x=\"\(svgNumber(x))\" y=\"\(svgNumber(y))\""
        if anchor != .start { element += " text-anchor=\"\(anchor.rawValue)\"" }
        element += " style=\"fill: \(fill.css); font-size: \(svgNumber(size))px"
        if bold { element += "; font-weight: 700" }
        if monospace { element += "; font-family: ui-monospace, 'DejaVu Sans Mono', Menlo, monospace" }
        elements.append(element + "\">\(xmlText(text))</text>")
    }

    /// The whole `<svg>` element. `title` and `description` (Portuguese, from the data) give
    /// the figure its accessible name and description.
    public func render(title: String, description: String) -> String {
        let titleID = "\(idPrefix)-title"
        let descID = "\(idPrefix)-desc"
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(svgNumber(width)) \(svgNumber(height))\""
        svg += " width=\"\(svgNumber(width))\" height=\"\(svgNumber(height))\" role=\"img\""
        svg += " aria-labelledby=\"\(xmlText(titleID)) \(xmlText(descID))\" class=\"sim-svg\""
        svg += " style=\"font-family: system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', sans-serif\">\n"
        svg += "<title id=\"\(xmlText(titleID))\">\(xmlText(title))</title>\n"
        svg += "<desc id=\"\(xmlText(descID))\">\(xmlText(description))</desc>\n"
        for element in elements { svg += element + "\n" }
        svg += "</svg>"
        return svg
    }
}
