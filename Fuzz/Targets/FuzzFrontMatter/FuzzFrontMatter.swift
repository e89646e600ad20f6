// libFuzzer target: a post file's bytes through the post loader (UTF-8 check, front matter split,
// YAML decoding, dates, slug). Oracle: no crash; every diagnostic points into the file; a file that
// does not become a post says why.
import FuzzSupport
import Site

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFrontMatter(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let bytes = fuzzBytes(data, count)
    let file = SiteFuzzing.displayPath
    let (text, loaded, diagnostics) = SiteFuzzing.loadMarkdownFile(bytes)
    if let text {
        requireInside(diagnostics, of: text, file: file, input: bytes)
    } else {
        require(diagnostics.count == 1, "invalid UTF-8 gives one diagnostic, not \(diagnostics)")
        require(diagnostics.allSatisfy { $0.line >= 1 && $0.column >= 1 }, "UTF-8 error without a place")
    }
    let errors = diagnostics.filter { $0.severity == .error }
    require(loaded == errors.isEmpty, "loaded: \(loaded), but errors: \(errors)")
    return 0
}

/// The entry point SwiftPM links this executable with: libFuzzer's driver on `fuzzFrontMatter`.
@_cdecl("FuzzFrontMatter_main")
public func fuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv, fuzzFrontMatter)
}
