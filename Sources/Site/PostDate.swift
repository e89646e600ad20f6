import Foundation
import Yams

/// A date from front matter: a calendar date, optionally with a time and a UTC offset.
///
/// Parsed from the text itself (YAML's own timestamp type rolls 2024-13-45 over to 2025-02-14),
/// and validated: month 1–12, a day that exists in that month, hours < 24, minutes and seconds < 60.
/// A date without an offset is a date (or local time) in the site's time zone.
public struct PostDate: Sendable, Hashable {
    public let year: Int
    public let month: Int
    public let day: Int
    public let hour: Int
    public let minute: Int
    public let second: Int
    /// True when the text had a time of day.
    public let hasTime: Bool
    /// Seconds east of UTC, when the text gave an offset (`Z` is 0).
    public let utcOffset: Int?

    public struct Problem: Error, Sendable {
        public let message: String
    }

    public static func parse(_ text: String) -> Result<PostDate, Problem> {
        let usage = "use an ISO 8601 date like 2026-11-27 or 2026-11-27T14:30:00-03:00"
        var scanner = DigitScanner(text.trimmingWhitespace)
        guard let year = scanner.number(digits: 4), scanner.skip("-"),
            let month = scanner.number(digits: 2), scanner.skip("-"),
            let day = scanner.number(digits: 2)
        else { return .failure(Problem(message: "'\(text)' is not a date; \(usage)")) }
        guard (1...12).contains(month) else {
            return .failure(Problem(message: "month \(month) does not exist in '\(text)'"))
        }
        let monthDays = daysIn(month: month, year: year)
        guard (1...monthDays).contains(day) else {
            return .failure(
                Problem(message: "day \(day) does not exist in \(monthNamesEnglish[month - 1]) \(year) ('\(text)')"))
        }
        var hour = 0
        var minute = 0
        var second = 0
        var hasTime = false
        var offset: Int?
        if !scanner.atEnd {
            guard scanner.skip("T") || scanner.skip("t") || scanner.skip(" "),
                let h = scanner.number(digits: 2), scanner.skip(":"), let m = scanner.number(digits: 2)
            else { return .failure(Problem(message: "unexpected text after the date in '\(text)'; \(usage)")) }
            hour = h
            minute = m
            hasTime = true
            if scanner.skip(":") {
                guard let s = scanner.number(digits: 2) else {
                    return .failure(Problem(message: "'\(text)' has no seconds after ':'; \(usage)"))
                }
                second = s
                if scanner.skip(".") { scanner.skipDigits() }
            }
            guard hour < 24, minute < 60, second < 60 else {
                return .failure(Problem(message: "time \(pad(h, 2)):\(pad(m, 2)) does not exist in '\(text)'"))
            }
            _ = scanner.skip(" ")
            if scanner.skip("Z") || scanner.skip("z") {
                offset = 0
            } else if let sign = scanner.sign() {
                guard let oh = scanner.number(digits: 2) else {
                    return .failure(Problem(message: "'\(text)' has an incomplete UTC offset; \(usage)"))
                }
                _ = scanner.skip(":")
                let om = scanner.number(digits: 2) ?? 0
                guard oh <= 14, om < 60 else {
                    return .failure(Problem(message: "UTC offset in '\(text)' is out of range"))
                }
                offset = sign * (oh * 3600 + om * 60)
            }
        }
        guard scanner.atEnd else {
            return .failure(Problem(message: "unexpected text after the date in '\(text)'; \(usage)"))
        }
        return .success(
            PostDate(
                year: year, month: month, day: day, hour: hour, minute: minute, second: second,
                hasTime: hasTime, utcOffset: offset))
    }

    /// Seconds since 1970-01-01T00:00:00Z; dates without an offset are read in `timeZone`.
    public func instant(in timeZone: TimeZone) -> Int64 {
        let local =
            Int64(daysFromCivil(year: year, month: month, day: day)) * 86_400
            + Int64(hour * 3600 + minute * 60 + second)
        if let utcOffset { return local - Int64(utcOffset) }
        // The zone's offset at that local time: guess with the offset at the UTC reading, then correct.
        let guess = Int64(timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(local))))
        let offset = Int64(timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(local - guess))))
        return local - offset
    }

    /// The civil date and time at which this date is shown in `timeZone`.
    func local(in timeZone: TimeZone) -> LocalDateTime {
        if utcOffset == nil {
            let offset = timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(instant(in: timeZone))))
            return LocalDateTime(
                year: year, month: month, day: day, hour: hour, minute: minute, second: second, utcOffset: offset)
        }
        return LocalDateTime(instant: instant(in: timeZone), timeZone: timeZone)
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    private static let monthNamesEnglish = [
        "January", "February", "March", "April", "May", "June", "July", "August", "September",
        "October", "November", "December",
    ]
}

/// A civil date and time in a known UTC offset, as pages and feeds show it.
struct LocalDateTime: Sendable, Hashable {
    let year: Int
    let month: Int
    let day: Int
    let hour: Int
    let minute: Int
    let second: Int
    let utcOffset: Int

    init(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int, utcOffset: Int) {
        self.year = year
        self.month = month
        self.day = day
        self.hour = hour
        self.minute = minute
        self.second = second
        self.utcOffset = utcOffset
    }

    init(instant: Int64, timeZone: TimeZone) {
        let offset = timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(instant)))
        let local = instant + Int64(offset)
        let days = Int(local >= 0 ? local / 86_400 : (local - 86_399) / 86_400)
        let seconds = Int(local - Int64(days) * 86_400)
        let (y, m, d) = civilFromDays(days)
        self.init(
            year: y, month: m, day: d, hour: seconds / 3600, minute: seconds % 3600 / 60, second: seconds % 60,
            utcOffset: offset)
    }

    /// `2026-11-27`
    var isoDate: String { "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))" }

    /// RFC 3339, as Atom, JSON Feed and sitemaps want: `2026-11-27T00:00:00-03:00`.
    var rfc3339: String {
        let sign = utcOffset < 0 ? "-" : "+"
        let offset = abs(utcOffset)
        let zone = utcOffset == 0 ? "Z" : "\(sign)\(pad(offset / 3600, 2)):\(pad(offset % 3600 / 60, 2))"
        return "\(isoDate)T\(pad(hour, 2)):\(pad(minute, 2)):\(pad(second, 2))\(zone)"
    }

    /// The date as Brazilian Portuguese writes it: "27 de novembro de 2026", "1º de maio de 2019".
    var portuguese: String {
        let dayText = day == 1 ? "1º" : String(day)
        return "\(dayText) de \(portugueseMonths[month - 1]) de \(year)"
    }
}

let portugueseMonths = [
    "janeiro", "fevereiro", "março", "abril", "maio", "junho", "julho", "agosto", "setembro",
    "outubro", "novembro", "dezembro",
]

private func pad(_ value: Int, _ width: Int) -> String {
    let text = String(value)
    return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
    let y = month <= 2 ? year - 1 : year
    let era = (y >= 0 ? y : y - 399) / 400
    let yoe = y - era * 400
    let mp = (month + 9) % 12
    let doy = (153 * mp + 2) / 5 + day - 1
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
    return era * 146_097 + doe - 719_468
}

func civilFromDays(_ days: Int) -> (Int, Int, Int) {
    let z = days + 719_468
    let era = (z >= 0 ? z : z - 146_096) / 146_097
    let doe = z - era * 146_097
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
    let mp = (5 * doy + 2) / 153
    let day = doy - (153 * mp + 2) / 5 + 1
    let month = mp < 10 ? mp + 3 : mp - 9
    let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
    return (year, month, day)
}

/// A cursor over ASCII text for the fixed-width fields of ISO 8601.
private struct DigitScanner {
    private let bytes: [UInt8]
    private var index = 0

    init(_ text: String) { bytes = Array(text.utf8) }

    var atEnd: Bool { index == bytes.count }

    mutating func number(digits: Int) -> Int? {
        guard index + digits <= bytes.count else { return nil }
        var value = 0
        for byte in bytes[index..<index + digits] {
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        index += digits
        return value
    }

    mutating func skip(_ character: Character) -> Bool {
        guard let ascii = character.asciiValue, index < bytes.count, bytes[index] == ascii else { return false }
        index += 1
        return true
    }

    mutating func skipDigits() {
        while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
    }

    mutating func sign() -> Int? {
        if skip("+") { return 1 }
        if skip("-") { return -1 }
        return nil
    }
}

extension YAMLFields {
    /// A `PostDate` validated field by field (see `PostDate.parse`).
    mutating func date(_ key: String) -> PostDate? {
        guard has(key) else { return nil }
        guard let text = node(key)?.scalar?.string, !text.trimmingWhitespace.isEmpty else {
            error("'\(key)' must be a date like 2026-11-27 or 2026-11-27T14:30:00-03:00", atKey: key)
            return nil
        }
        switch PostDate.parse(text) {
        case .success(let date):
            return date
        case .failure(let problem):
            error("'\(key)': \(problem.message)", atKey: key)
            return nil
        }
    }
}
