import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Watches folders and everything under them with inotify, and calls `onChange` once the changes
/// have settled: no new event for a short settle time after a file was closed, renamed or
/// deleted (a save is complete), or for the longer debounce interval after a file was created
/// (its contents may still be coming).
///
/// inotify watches are not recursive: every folder gets its own watch, and a folder created (or
/// moved in) later gets one when its event arrives, together with everything already inside it.
/// When the kernel's event queue overflows, every folder is watched again and a change is
/// reported, since events were lost. Editor scratch files (`.swp`, `~`, `.#…`, vim's `4913`)
/// are ignored.
///
/// One thread blocks in `poll()` on the inotify descriptor and on a pipe that `stop()` writes
/// to; `onChange` runs on that thread, so changes made while it runs are reported after it.
final class FileWatcher: @unchecked Sendable {
    // Everything below is used by the watcher thread only, once `start()` has been called
    // (and by `init` before that); `stop()` only writes to the wake-up pipe and waits.
    private let inotify: Int32
    private let wakeRead: Int32
    private let wakeWrite: Int32
    private let parent: String
    private let rootNames: Set<String>
    private let debounce: Duration
    private let settle: Duration
    private let onChange: @Sendable () -> Void
    private var folders: [Int32: String] = [:]
    private var parentWatch: Int32 = -1
    private let finished = DispatchSemaphore(value: 0)
    private let stateLock = NSLock()
    private var running = false

    private static let folderMask =
        UInt32(
            IN_CLOSE_WRITE | IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_ATTRIB | IN_DELETE_SELF
                | IN_MOVE_SELF) | UInt32(IN_ONLYDIR) | UInt32(IN_DONT_FOLLOW)
    /// On the parent folder: only whether a watched root appears again.
    private static let parentMask = UInt32(IN_CREATE | IN_MOVED_TO) | UInt32(IN_ONLYDIR)
    /// A steady stream of events still gets a rebuild this often.
    private static let longestWait = Duration.seconds(1)

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Watches `parent/name` for each of `roots` (e.g. `content` and `templates`) recursively.
    init(
        parent: String, roots: [String], debounce: Duration, settle: Duration = .milliseconds(20),
        onChange: @escaping @Sendable () -> Void
    ) throws {
        self.parent = parent
        self.rootNames = Set(roots)
        self.debounce = debounce
        self.settle = settle
        self.onChange = onChange
        inotify = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard inotify >= 0 else {
            throw Failure(description: "cannot start inotify: \(String(cString: strerror(errno)))")
        }
        var pipeEnds: [Int32] = [-1, -1]
        guard pipe(&pipeEnds) == 0 else {
            close(inotify)
            throw Failure(description: "cannot create a pipe: \(String(cString: strerror(errno)))")
        }
        wakeRead = pipeEnds[0]
        wakeWrite = pipeEnds[1]
        for end in pipeEnds {
            _ = fcntl(end, F_SETFD, FD_CLOEXEC)
            _ = fcntl(end, F_SETFL, O_NONBLOCK)
        }
        parentWatch = inotify_add_watch(inotify, parent, Self.parentMask)
        for root in roots {
            watchTree(parent + "/" + root)
        }
    }

    deinit {
        close(inotify)
        close(wakeRead)
        close(wakeWrite)
    }

    /// Starts the watcher thread.
    func start() {
        stateLock.withLock { running = true }
        let thread = Thread { [self] in
            loop()
            finished.signal()
        }
        thread.name = "prensa-watcher"
        thread.start()
    }

    /// Stops the watcher thread and waits for it (and for an `onChange` in progress) to end.
    func stop() {
        let wasRunning = stateLock.withLock {
            defer { running = false }
            return running
        }
        guard wasRunning else { return }
        var byte: UInt8 = 1
        _ = write(wakeWrite, &byte, 1)
        finished.wait()
    }

    // MARK: - The watcher thread

    private func loop() {
        var deadline: ContinuousClock.Instant?
        var firstChange: ContinuousClock.Instant?
        while true {
            var timeout: Int32 = -1
            if let deadline {
                let left = deadline - ContinuousClock.now
                timeout = max(
                    0, Int32(left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000))
                if left > .zero && timeout == 0 { timeout = 1 }
            }
            var descriptors = [
                pollfd(fd: inotify, events: Int16(POLLIN), revents: 0),
                pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0),
            ]
            let ready = poll(&descriptors, 2, timeout)
            if ready < 0 {
                if errno == EINTR { continue }
                return
            }
            if descriptors[1].revents != 0 { return }
            if descriptors[0].revents != 0 {
                let batch = readEvents()
                if batch.changed {
                    let now = ContinuousClock.now
                    if firstChange == nil { firstChange = now }
                    deadline = min(now + (batch.complete ? settle : debounce), firstChange! + Self.longestWait)
                }
            }
            if let due = deadline, ContinuousClock.now >= due {
                deadline = nil
                firstChange = nil
                onChange()
            }
        }
    }

    /// Reads every queued event: whether one of them is a change that matters, and whether the
    /// last such change completes a save (a file created, not yet closed, does not).
    private func readEvents() -> (changed: Bool, complete: Bool) {
        var changed = false
        var complete = true
        let capacity = 64 * 1024
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 8)
        defer { buffer.deallocate() }
        while true {
            let count = read(inotify, buffer, capacity)
            if count < 0 {
                if errno == EINTR { continue }
                return (changed, complete)  // EAGAIN: the queue is empty
            }
            if count == 0 { return (changed, complete) }
            var offset = 0
            let header = MemoryLayout<inotify_event>.size
            while offset + header <= count {
                let event = buffer.loadUnaligned(fromByteOffset: offset, as: inotify_event.self)
                let nameBytes = UnsafeRawBufferPointer(start: buffer + offset + header, count: Int(event.len))
                let name = String(decoding: nameBytes.prefix { $0 != 0 }, as: UTF8.self)
                if handle(descriptor: event.wd, mask: event.mask, name: name) {
                    changed = true
                    complete = event.mask & UInt32(IN_CREATE) == 0 || event.mask & UInt32(IN_ISDIR) != 0
                }
                offset += header + Int(event.len)
            }
        }
    }

    /// The folders watched. Only while the watcher thread is not running (for tests).
    var watchedFolders: Set<String> { Set(folders.values) }

    /// The watch descriptor of a watched folder. Only while the watcher thread is not running.
    func descriptor(of folder: String) -> Int32? { folders.first { $0.value == folder }?.key }

    /// Updates the watches for one event; true when the site may have changed. Called by the
    /// watcher thread (and by tests before `start()`).
    func handle(descriptor: Int32, mask: UInt32, name: String) -> Bool {
        if mask & UInt32(IN_Q_OVERFLOW) != 0 {
            // Events were dropped: watch every folder again (new ones included) and rebuild.
            for root in rootNames { watchTree(parent + "/" + root) }
            return true
        }
        if mask & UInt32(IN_IGNORED) != 0 {
            folders[descriptor] = nil
            return false
        }
        let isFolder = mask & UInt32(IN_ISDIR) != 0
        let appeared = mask & UInt32(IN_CREATE | IN_MOVED_TO) != 0
        if descriptor == parentWatch {
            guard rootNames.contains(name), isFolder else { return false }
            watchTree(parent + "/" + name)
            return true
        }
        guard let folder = folders[descriptor] else { return false }
        if name.isEmpty { return true }  // the watched folder itself was deleted or moved
        // The build never reads hidden files or folders: an editor's temporary file before it is
        // renamed over the post (`.post.md.tmp-123`) must not start a build of the old text.
        if name.hasPrefix(".") { return false }
        if isFolder && appeared {
            // Watch it and everything already inside it (created before the watch existed).
            watchTree(folder + "/" + name)
            return true
        }
        return !Self.isScratchFile(name)
    }

    /// Adds a watch on `path` and on every folder under it. Watching a folder again (after a
    /// move or an overflow) keeps its descriptor and updates its path.
    private func watchTree(_ path: String) {
        let descriptor = inotify_add_watch(inotify, path, Self.folderMask)
        guard descriptor >= 0 else { return }
        folders[descriptor] = path
        guard let directory = opendir(path) else { return }
        defer { closedir(directory) }
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name.hasPrefix(".") { continue }  // the build skips hidden folders too
            let child = path + "/" + name
            var isFolder = entry.pointee.d_type == UInt8(DT_DIR)
            if entry.pointee.d_type == UInt8(DT_UNKNOWN) {
                var info = stat()
                isFolder = lstat(child, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
            }
            if isFolder { watchTree(child) }
        }
    }

    /// Files editors write next to the real one while saving: vim's swap files and its `4913`
    /// probe, backups ending in `~`, Emacs lock (`.#name`) and auto-save (`#name#`) files.
    static func isScratchFile(_ name: String) -> Bool {
        if name == "4913" || name.hasSuffix("~") || name.hasPrefix(".#") { return true }
        if name.hasPrefix("#") && name.hasSuffix("#") { return true }
        for suffix in [".swp", ".swo", ".swx", ".swpx"] where name.hasSuffix(suffix) { return true }
        return false
    }
}
