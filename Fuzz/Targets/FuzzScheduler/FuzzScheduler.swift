// libFuzzer target: the YAML spec of a ```sim scheduler block through `FigureEngine.standard`.
// Oracle: see `fuzzFigureSpec`.
import FuzzSupport

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzScheduler(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    fuzzFigureSpec(kind: "scheduler", fuzzBytes(data, count))
    return 0
}

/// The entry point SwiftPM links this executable with: libFuzzer's driver on `fuzzScheduler`.
@_cdecl("FuzzScheduler_main")
public func fuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv, fuzzScheduler)
}
