// libFuzzer target: `content/site.yml` bytes through `SiteConfig` decoding. Oracle: no crash;
// every diagnostic points into the file.
import FuzzSupport
import Site

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSiteConfig(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let bytes = fuzzBytes(data, count)
    let (text, diagnostics) = SiteFuzzing.loadSiteConfig(bytes)
    if let text {
        requireInside(diagnostics, of: text, file: "content/site.yml", input: bytes)
    } else {
        require(diagnostics.count == 1, "invalid UTF-8 gives one diagnostic, not \(diagnostics)")
    }
    return 0
}

/// The entry point SwiftPM links this executable with: libFuzzer's driver on `fuzzSiteConfig`.
@_cdecl("FuzzSiteConfig_main")
public func fuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv, fuzzSiteConfig)
}
