// libFuzzer target: the YAML spec of a ```sim packet-path block through `FigureEngine.standard`.
// Oracle: see `fuzzFigureSpec`.
import FuzzSupport

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPacketPath(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    fuzzFigureSpec(kind: "packet-path", fuzzBytes(data, count))
    return 0
}

/// The entry point SwiftPM links this executable with: libFuzzer's driver on `fuzzPacketPath`.
@_cdecl("FuzzPacketPath_main")
public func fuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv, fuzzPacketPath)
}
