// libFuzzer target: a post body through the Markdown stage with figure expansion (```sim KIND
// fences, @fig- references, headings, footnotes…) and rendering. Oracle: no crash; every
// diagnostic points into the body; the HTML holds no markup the author's text injected (raw HTML
// is off, as in a default site).
import FuzzSupport
import Site

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMarkdown(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let bytes = fuzzBytes(data, count)
    guard let (text, html, diagnostics) = SiteFuzzing.renderBody(bytes) else { return 0 }
    requireInside(diagnostics, of: text, file: SiteFuzzing.displayPath, input: bytes)
    requireNoInjectedMarkup(html, "the rendered body")
    return 0
}

/// The entry point SwiftPM links this executable with: libFuzzer's driver on `fuzzMarkdown`.
@_cdecl("FuzzMarkdown_main")
public func fuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv, fuzzMarkdown)
}
