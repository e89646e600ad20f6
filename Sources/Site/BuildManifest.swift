import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// What the last successful build read and wrote, kept in the cache folder so that the next build
/// can tell what changed: a build whose inputs all match does nothing, and a build that changes
/// some pages writes only those (the other files are hard-linked from the current output into
/// the new one, which is then swapped in as usual).
///
/// Text, one record a line, fields separated by tabs; any line that does not parse makes the
/// whole manifest unusable, and the build is then a full one.
struct BuildManifest: Equatable, Sendable {
    /// Everything besides the input files that decides the output: Prensa's own binary, the
    /// options and the tools found (see `BuildFingerprint`).
    var fingerprint: String
    /// The output folder this build wrote, and its identity once swapped in: a folder replaced
    /// or deleted by someone else is not trusted.
    var outputPath: String
    var outputDevice: UInt64
    var outputInode: UInt64
    /// Every file under `content/` and `templates/`, by path relative to the site root.
    var inputs: [String: InputStamp]
    /// Every file written, by path relative to the output folder.
    var outputs: [String: OutputStamp]
    /// The search index in the output is older than its pages.
    var searchStale = false

    struct InputStamp: Equatable, Sendable {
        var size: Int64
        var modified: Int64
        var hash: UInt64
    }

    struct OutputStamp: Equatable, Sendable {
        var size: Int
        var hash: UInt64
    }

    static let header = "prensa-build-manifest 1"

    /// Where the manifest of builds into `outputPath` is kept: one per output folder.
    static func path(cacheDirectory: String, outputPath: String) -> String {
        let name = String(contentHash(Array(absolutePath(outputPath).utf8)), radix: 16)
        return cacheDirectory + "/build-manifest-" + name
    }

    func serialized() -> [UInt8] {
        var text = Self.header + "\n"
        text += "fingerprint\t\(fingerprint)\n"
        text += "output\t\(outputDevice)\t\(outputInode)\t\(outputPath)\n"
        if searchStale { text += "search-stale\n" }
        for (path, stamp) in inputs.sorted(by: { $0.key < $1.key }) {
            text += "in\t\(stamp.size)\t\(stamp.modified)\t\(String(stamp.hash, radix: 16))\t\(path)\n"
        }
        for (path, stamp) in outputs.sorted(by: { $0.key < $1.key }) {
            text += "out\t\(stamp.size)\t\(String(stamp.hash, radix: 16))\t\(path)\n"
        }
        return Array(text.utf8)
    }

    init(
        fingerprint: String, outputPath: String, outputDevice: UInt64, outputInode: UInt64,
        inputs: [String: InputStamp], outputs: [String: OutputStamp], searchStale: Bool = false
    ) {
        self.searchStale = searchStale
        self.fingerprint = fingerprint
        self.outputPath = outputPath
        self.outputDevice = outputDevice
        self.outputInode = outputInode
        self.inputs = inputs
        self.outputs = outputs
    }

    /// Reads a manifest; nil when there is none or it does not parse.
    init?(contentsOf path: String) {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.first == Substring(Self.header), lines.last == "" else { return nil }
        var fingerprint: String?
        var output: (String, UInt64, UInt64)?
        var inputs: [String: InputStamp] = [:]
        var outputs: [String: OutputStamp] = [:]
        var searchStale = false
        for line in lines.dropFirst().dropLast() {
            let fields = line.split(separator: "\t", maxSplits: 4, omittingEmptySubsequences: false)
            switch (fields.first, fields.count) {
            case ("fingerprint", 2): fingerprint = String(fields[1])
            case ("search-stale", 1): searchStale = true
            case ("output", 4):
                guard let device = UInt64(fields[1]), let inode = UInt64(fields[2]) else { return nil }
                output = (String(fields[3]), device, inode)
            case ("in", 5):
                guard let size = Int64(fields[1]), let modified = Int64(fields[2]),
                    let hash = UInt64(fields[3], radix: 16)
                else { return nil }
                inputs[String(fields[4])] = InputStamp(size: size, modified: modified, hash: hash)
            case ("out", 4):
                guard let size = Int(fields[1]), let hash = UInt64(fields[2], radix: 16) else { return nil }
                outputs[String(fields[3])] = OutputStamp(size: size, hash: hash)
            default: return nil
            }
        }
        guard let fingerprint, let output else { return nil }
        self.init(
            fingerprint: fingerprint, outputPath: output.0, outputDevice: output.1, outputInode: output.2,
            inputs: inputs, outputs: outputs, searchStale: searchStale)
    }

    /// True when the output folder is still the one this manifest describes.
    func describesOutput(at path: String) -> Bool {
        guard absolutePath(path) == outputPath else { return false }
        return describesFolder(at: path)
    }

    /// True when the folder at `path` is the one this manifest describes, moved there since (a
    /// rename keeps a folder's identity).
    func describesFolder(at path: String) -> Bool {
        guard let identity = fileIdentity(path) else { return false }
        return identity == (outputDevice, outputInode)
    }

    /// Where the output folder a build replaced is kept for the next build to start from (see
    /// `StagingDirectory`), and the manifest that says what is in it (the one of the build that
    /// wrote it). Both sit in the cache folder, next to `manifestPath`.
    static func recycledPaths(manifestPath: String) -> (tree: String, manifest: String) {
        (manifestPath + "-previous-output", manifestPath + "-previous")
    }
}

/// The files a build reads: everything (hidden files aside) under `content/` and `templates/`,
/// with their size and modification time, and their content hash once known.
struct InputScan: Sendable {
    struct Entry: Sendable {
        var size: Int64
        var modified: Int64
    }
    /// Path relative to the site root → its size and modification time (symbolic links followed).
    let entries: [String: Entry]

    init(siteRoot: String, folders: [String] = ["content", "templates"]) {
        var entries: [String: Entry] = [:]
        // Folders are visited once each (links can make loops), and a link to a folder is
        // followed only when the folder is inside the site (the build refuses the others).
        var visited = Set<[UInt64]>()
        let realRoot = realpath(siteRoot, nil).map { pointer in
            defer { free(pointer) }
            return String(cString: pointer)
        }
        var pending = folders
        while let relative = pending.popLast() {
            let absolute = siteRoot + "/" + relative
            var folderInfo = stat()
            guard stat(absolute, &folderInfo) == 0,
                visited.insert([UInt64(folderInfo.st_dev), UInt64(folderInfo.st_ino)]).inserted,
                let directory = opendir(absolute)
            else { continue }
            defer { closedir(directory) }
            while let entry = readdir(directory) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                    String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
                }
                if name.hasPrefix(".") { continue }
                let child = relative + "/" + name
                var info = stat()
                guard stat(siteRoot + "/" + child, &info) == 0 else {
                    // A dangling link: the build reports it; a change here must not go unseen.
                    entries[child] = Entry(size: -1, modified: 0)
                    continue
                }
                if (info.st_mode & S_IFMT) == S_IFDIR {
                    var linkInfo = stat()
                    let isLink = lstat(siteRoot + "/" + child, &linkInfo) == 0 && (linkInfo.st_mode & S_IFMT) == S_IFLNK
                    if isLink {
                        let target = realpath(siteRoot + "/" + child, nil).map { pointer in
                            defer { free(pointer) }
                            return String(cString: pointer)
                        }
                        entries[child] = Entry(size: -2, modified: 0)
                        guard let target, let realRoot, target.hasPrefix(realRoot + "/") else { continue }
                    }
                    pending.append(child)
                } else if (info.st_mode & S_IFMT) == S_IFREG {
                    entries[child] = Entry(
                        size: Int64(info.st_size),
                        modified: Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec))
                } else {
                    // A FIFO, socket or device: never opened here (the build refuses it).
                    entries[child] = Entry(size: -3, modified: Int64(info.st_mode))
                }
            }
        }
        self.entries = entries
    }

    /// Stamps for every input: the hash from `previous` when size and time match it, else the
    /// file's contents hashed now. Also says whether every input is the same as in `previous`.
    func stamps(
        siteRoot: String, previous: [String: BuildManifest.InputStamp]
    ) -> (stamps: [String: BuildManifest.InputStamp], unchanged: Bool) {
        var stamps: [String: BuildManifest.InputStamp] = [:]
        var unchanged = previous.count == entries.count
        var toHash: [(path: String, entry: Entry)] = []
        for (path, entry) in entries {
            if let old = previous[path], old.size == entry.size, old.modified == entry.modified {
                stamps[path] = old
            } else {
                toHash.append((path, entry))
            }
        }
        // Only regular files are read (size -1, -2, -3: dangling link, folder link, FIFO...).
        let hashes = parallelMap(toHash) { item in item.entry.size < 0 ? 0 : hashFile(siteRoot + "/" + item.path) }
        for (item, hash) in zip(toHash, hashes) {
            stamps[item.path] = BuildManifest.InputStamp(
                size: item.entry.size, modified: item.entry.modified, hash: hash)
            if previous[item.path]?.hash != hash || previous[item.path]?.size != item.entry.size { unchanged = false }
        }
        return (stamps, unchanged)
    }
}

/// What, besides the input files, decides a build's output: the Prensa binary, the options, and
/// the tools it would use (Python with Pygments and Pagefind, Swift), each by path, size and
/// modification time — cheap to compute, unlike asking the tools for their versions.
func buildFingerprint(_ options: BuildOptions, environment: [String: String]) -> String {
    var parts: [String] = ["v1"]
    parts.append("exe=" + fileStamp("/proc/self/exe"))
    parts.append("drafts=\(options.includeDrafts)")
    parts.append("base=\(options.baseURL ?? "")")
    parts.append("search=\(options.search)")
    parts.append("highlight=\(options.highlighting.enabled) \(options.highlighting.python ?? "")")
    parts.append("figures=" + options.figures.kinds.map { "\($0.name)@\($0.version)" }.joined(separator: ","))
    parts.append("cache=\(options.cacheDirectory != nil)")
    let path = environment["PATH"] ?? "/usr/bin:/bin"
    let venv = options.source + "/.prensa-venv/bin/python"
    var pythons = [options.highlighting.python, environment["PRENSA_PYTHON"], "python3"].compactMap { $0 }
    if case .python(let python) = options.search { pythons.append(python) }
    if FileManager.default.isExecutableFile(atPath: venv) { pythons.append(venv) }
    for python in pythons where !python.isEmpty {
        let resolved = Pagefind.executablePath(python, path: path) ?? "none"
        parts.append("python=\(python) \(resolved) \(fileStamp(resolved)) \(pythonPackagesStamp(resolved))")
    }
    let swiftName = environment["PRENSA_SWIFT"].flatMap { $0.isEmpty ? nil : $0 } ?? "swift"
    let swift = Pagefind.executablePath(swiftName, path: path) ?? "none"
    parts.append("swift=\(swift) \(fileStamp(swift))")
    // swift sim blocks are compiled against Prensa's sources of these modules.
    if case .success(let tree) = PrensaSourceTree.locate(environment: environment) {
        for folder in PrensaSourceTree.moduleFolders {
            for relative in ContentLoader.listFiles(in: tree + "/Sources/" + folder).sorted() {
                parts.append("source=\(folder)/\(relative) \(fileStamp(tree + "/Sources/" + folder + "/" + relative))")
            }
        }
    }
    return String(contentHash(Array(parts.joined(separator: "\n").utf8)), radix: 16)
}

/// "size:mtime" of the file at `path` (links followed), "-" when there is none.
private func fileStamp(_ path: String) -> String {
    var info = stat()
    guard stat(path, &info) == 0 else { return "-" }
    return "\(info.st_size):\(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec)"
}

/// The modification times of the `site-packages` folders of the Python at `python` (a virtual
/// environment's or an installation's `lib/python3.*/site-packages`): installing or removing a
/// package (Pygments, Pagefind) changes them.
func pythonPackagesStamp(_ python: String) -> String {
    guard let real = realpath(python, nil) else { return "-" }
    defer { free(real) }
    // A virtual environment's python links to the base interpreter: both prefixes count.
    let prefixes = [python, String(cString: real)].map {
        URL(fileURLWithPath: $0).deletingLastPathComponent().deletingLastPathComponent().path + "/lib"
    }
    var stamps: [String] = []
    for lib in prefixes {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: lib)) ?? []
        for name in names.sorted() where name.hasPrefix("python3") {
            for folder in ["site-packages", "dist-packages"] {
                stamps.append(fileStamp(lib + "/" + name + "/" + folder))
            }
        }
    }
    return stamps.joined(separator: ",")
}

/// (device, inode) of the file or folder at `path`, links not followed.
func fileIdentity(_ path: String) -> (UInt64, UInt64)? {
    var info = stat()
    guard lstat(path, &info) == 0 else { return nil }
    return (UInt64(info.st_dev), UInt64(info.st_ino))
}

func absolutePath(_ path: String) -> String {
    URL(fileURLWithPath: path).standardizedFileURL.path
}

/// The content hash of the file at `path` read with plain POSIX calls; 0 when it cannot be read.
func hashFile(_ path: String) -> UInt64 {
    guard let bytes = readRegularFile(path) else { return 0 }
    return contentHash(bytes)
}

/// The bytes of the regular file at `path`, read with plain POSIX calls (no `Data` to copy
/// from); nil when it cannot be opened or is not a regular file.
func readRegularFile(_ path: String) -> [UInt8]? {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var info = stat()
    guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
    var bytes = [UInt8](repeating: 0, count: Int(info.st_size))
    var offset = 0
    while offset < bytes.count {
        let count = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress! + offset, $0.count - offset) }
        if count < 0 && errno == EINTR { continue }
        if count < 0 { return nil }
        if count == 0 { break }
        offset += count
    }
    if offset < bytes.count { bytes.removeSubrange(offset...) }  // the file shrank meanwhile
    return bytes
}

/// A fast 64-bit hash of bytes (the xxHash64 algorithm, seed 0), to tell whether a file changed.
func contentHash(_ bytes: [UInt8]) -> UInt64 {
    bytes.withUnsafeBytes { contentHash($0) }
}

func contentHash(_ buffer: UnsafeRawBufferPointer) -> UInt64 {
    let prime1: UInt64 = 0x9E37_79B1_85EB_CA87
    let prime2: UInt64 = 0xC2B2_AE3D_27D4_EB4F
    let prime3: UInt64 = 0x1656_67B1_9E37_79F9
    let prime4: UInt64 = 0x85EB_CA77_C2B2_AE63
    let prime5: UInt64 = 0x27D4_EB2F_1656_67C5
    func rotate(_ value: UInt64, _ count: UInt64) -> UInt64 { (value << count) | (value >> (64 - count)) }
    func round(_ accumulator: UInt64, _ input: UInt64) -> UInt64 {
        rotate(accumulator &+ input &* prime2, 31) &* prime1
    }
    func merge(_ accumulator: UInt64, _ value: UInt64) -> UInt64 {
        (accumulator ^ round(0, value)) &* prime1 &+ prime4
    }
    let count = buffer.count
    var offset = 0
    var hash: UInt64
    if count >= 32 {
        var v1 = prime1 &+ prime2
        var v2 = prime2
        var v3: UInt64 = 0
        var v4 = 0 &- prime1
        while offset + 32 <= count {
            v1 = round(v1, buffer.loadUnaligned(fromByteOffset: offset, as: UInt64.self).littleEndian)
            v2 = round(v2, buffer.loadUnaligned(fromByteOffset: offset + 8, as: UInt64.self).littleEndian)
            v3 = round(v3, buffer.loadUnaligned(fromByteOffset: offset + 16, as: UInt64.self).littleEndian)
            v4 = round(v4, buffer.loadUnaligned(fromByteOffset: offset + 24, as: UInt64.self).littleEndian)
            offset += 32
        }
        hash = rotate(v1, 1) &+ rotate(v2, 7) &+ rotate(v3, 12) &+ rotate(v4, 18)
        hash = merge(merge(merge(merge(hash, v1), v2), v3), v4)
    } else {
        hash = prime5
    }
    hash = hash &+ UInt64(count)
    while offset + 8 <= count {
        let lane = buffer.loadUnaligned(fromByteOffset: offset, as: UInt64.self).littleEndian
        hash = rotate(hash ^ round(0, lane), 27) &* prime1 &+ prime4
        offset += 8
    }
    if offset + 4 <= count {
        let lane = UInt64(buffer.loadUnaligned(fromByteOffset: offset, as: UInt32.self).littleEndian)
        hash = rotate(hash ^ (lane &* prime1), 23) &* prime2 &+ prime3
        offset += 4
    }
    while offset < count {
        hash = rotate(hash ^ (UInt64(buffer[offset]) &* prime5), 11) &* prime1
        offset += 1
    }
    hash ^= hash >> 33
    hash = hash &* prime2
    hash ^= hash >> 29
    hash = hash &* prime3
    hash ^= hash >> 32
    return hash
}
