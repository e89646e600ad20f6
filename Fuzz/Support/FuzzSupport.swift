import CFuzzDriver
import Support

#if canImport(Glibc)
    import Glibc
#endif

/// The bytes libFuzzer hands a target.
public func fuzzBytes(_ data: UnsafePointer<UInt8>?, _ count: Int) -> [UInt8] {
    guard let data, count > 0 else { return [] }
    return Array(UnsafeBufferPointer(start: data, count: count))
}

/// Stops the run with `message` when `condition` is false: libFuzzer then saves the input as a
/// crash reproducer (`crash-…`).
public func require(_ condition: Bool, _ message: @autoclosure () -> String) {
    guard !condition else { return }
    var line = "fuzz oracle failed: \(message())\n"
    line.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
    abort()
}

/// The lines of `text` as editors count them, each as Unicode scalars (the unit of our columns).
public func scalarLines(_ text: String) -> [Int] {
    // Split on the scalar: as Characters, "\r\n" is one and is not "\n".
    text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false).map(\.count)
}

/// Checks that every diagnostic of `file` points into `text`: line ≥ 1 and column ≥ 1, and at
/// most one column past the end of its line. `firstLine` is the file line of `text`'s first line
/// (a spec inside a fence starts after it); `extra` are places outside `text` that are also fine
/// (the fence line itself).
public func requireInside(
    _ diagnostics: [Diagnostic], of text: String, file: String, firstLine: Int = 1,
    extra: [(line: Int, column: Int)] = [], input: [UInt8]
) {
    let lengths = scalarLines(text)
    for diagnostic in diagnostics {
        require(diagnostic.file == file, "diagnostic for another file: \(diagnostic)")
        require(!diagnostic.message.isEmpty, "diagnostic without a message: \(diagnostic)")
        if extra.contains(where: { $0.line == diagnostic.line && $0.column == diagnostic.column }) { continue }
        require(diagnostic.line >= 1 && diagnostic.column >= 1, "diagnostic without a place: \(diagnostic)")
        let index = diagnostic.line - firstLine
        require(
            index >= 0 && index < lengths.count,
            "diagnostic line outside the input (\(lengths.count) lines from line \(firstLine)): \(diagnostic)")
        require(
            diagnostic.column <= lengths[index] + 1,
            "diagnostic column past the end of line \(diagnostic.line) (\(lengths[index]) characters): \(diagnostic)")
    }
}

/// Checks that generated HTML or SVG holds no element an author's text could have injected.
public func requireNoInjectedMarkup(_ html: String, _ what: String) {
    let lowered = html.lowercased()
    for tag in ["<script", "<fuzz", "<iframe", "<img src=x"] {
        require(!lowered.contains(tag), "\(what) contains '\(tag)'")
    }
}

/// The type of libFuzzer's `LLVMFuzzerTestOneInput`.
public typealias FuzzTestOneInput = @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt

/// Runs libFuzzer with this process's command line on `testOneInput`: what a target's
/// `<Module>_main` (the entry point SwiftPM links an executable with) does.
public func runFuzzer(
    _ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?, _ testOneInput: FuzzTestOneInput
) -> CInt {
    prensa_fuzz_main(argc, argv, testOneInput)
}
