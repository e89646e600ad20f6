// libFuzzer target: the YAML spec of a ```sim page-walk block through `FigureEngine.standard`.
// Oracle: see `fuzzFigureSpec`.
import FuzzSupport

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPageWalk(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    fuzzFigureSpec(kind: "page-walk", fuzzBytes(data, count))
    return 0
}

/// The entry point SwiftPM links this executable with: libFuzzer's driver on `fuzzPageWalk`.
@_cdecl("FuzzPageWalk_main")
public func fuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv, fuzzPageWalk)
}
