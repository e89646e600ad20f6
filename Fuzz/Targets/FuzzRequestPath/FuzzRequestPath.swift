// libFuzzer target: a request path through the dev server's `RequestPath.parse` and the mapping
// of its segments to a file of a small site that has symlinks pointing out of it. Oracle: no
// segment is empty, `.` or `..` or holds `/`, `\` or a control byte; the normalized path (what a
// redirect sends) is printable ASCII, stays on the host and parses back to the same segments; a
// served file is always inside the site.
import DevServer
import FuzzSupport

#if canImport(Glibc)
    import Glibc
#endif

/// The site folder (a real path) the paths are resolved in, made once:
/// `index.html`, `posts/ola/index.html`, `olá.txt`, and symlinks `escape` → `/etc`,
/// `up` → `..`, `secret.txt` → `../secret.txt`, `loop` → `loop`.
let siteRoot: String = {
    var template = Array("/tmp/prensa-fuzz-site-XXXXXX".utf8CString)
    guard let made = mkdtemp(&template) else { fatalError("mkdtemp failed") }
    let base = String(cString: made)
    let site = base + "/site"
    func write(_ path: String, _ text: String) {
        guard let file = fopen(path, "w") else { fatalError("cannot write \(path)") }
        fputs(text, file)
        fclose(file)
    }
    mkdir(site, 0o755)
    mkdir(site + "/posts", 0o755)
    mkdir(site + "/posts/ola", 0o755)
    write(site + "/index.html", "home")
    write(site + "/posts/ola/index.html", "post")
    write(site + "/olá.txt", "text")
    write(base + "/secret.txt", "secret")
    symlink("/etc", site + "/escape")
    symlink("..", site + "/up")
    symlink("../secret.txt", site + "/secret.txt")
    symlink("loop", site + "/loop")
    guard let real = realpath(site, nil) else { fatalError("realpath failed") }
    defer { free(real) }
    return String(cString: real)
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRequestPath(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let raw = String(decoding: fuzzBytes(data, count), as: UTF8.self)
    guard let path = DevServerFuzzing.parse(raw) else { return 0 }
    for segment in path.segments {
        require(
            !segment.isEmpty && segment != "." && segment != "..", "segment '\(segment)' from \(raw.debugDescription)")
        require(
            !segment.utf8.contains { $0 < 0x20 || $0 == 0x7F || $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "\\") },
            "segment \(segment.debugDescription) from \(raw.debugDescription)")
    }
    let normalized = path.normalized
    require(
        normalized.hasPrefix("/") && !normalized.hasPrefix("//")
            && normalized.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F },
        "normalized \(normalized.debugDescription) from \(raw.debugDescription)")
    let again = DevServerFuzzing.parse(normalized)
    require(again?.segments == path.segments, "normalized \(normalized.debugDescription) does not parse back")
    if let file = DevServerFuzzing.resolveFile(root: siteRoot, segments: path.segments) {
        require(file.hasPrefix(siteRoot + "/"), "\(raw.debugDescription) serves \(file), outside the site")
    }
    return 0
}

/// The entry point SwiftPM links this executable with: libFuzzer's driver on `fuzzRequestPath`.
@_cdecl("FuzzRequestPath_main")
public func fuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv, fuzzRequestPath)
}
