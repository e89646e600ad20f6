import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// How a child process ended.
enum Termination: Sendable, Hashable {
    case exited(Int32)
    case signalled(Int32)
}

/// What a child process printed and how it ended.
struct SubprocessResult: Sendable {
    var termination: Termination
    var stdout: [UInt8]
    var stderr: [UInt8]
    /// Killed at its time limit.
    var timedOut = false
    /// Killed because it printed more than the output limit.
    var outputOverflowed = false
    /// Wall time from start to exit, in seconds.
    var seconds = 0.0

    var succeeded: Bool { termination == .exited(0) && !timedOut && !outputOverflowed }
    var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
    var stderrText: String { String(decoding: stderr, as: UTF8.self) }
}

/// Runs `executable` (looked up in `PATH` when it has no slash) with `arguments`, standard input
/// from /dev/null, and collects its output while it runs. With a `timeout` (seconds), or when it
/// prints more than `outputLimit` bytes, it is killed with SIGKILL. `environment` nil inherits
/// Prensa's. Returns a message when the process cannot be started.
///
/// With `ownProcessGroup`, the child leads a process group of its own, and SIGKILL goes to the
/// whole group: at the time limit, and as soon as the child itself exits, so nothing it forked
/// (and did not move to another group with `setsid`) outlives it or the limit. Whatever happens,
/// the output pipes are read for at most `drainSeconds` after the child ended or was killed:
/// a descendant holding them open cannot make the caller wait for ever.
func runSubprocess(
    _ executable: String, _ arguments: [String], environment: [String: String]? = nil, timeout: Double? = nil,
    outputLimit: Int = 64 << 20, ownProcessGroup: Bool = false, drainSeconds: Double = 2
) -> Result<SubprocessResult, SubprocessError> {
    let start = ContinuousClock.now
    var stdoutPipe: [Int32] = [-1, -1]
    var stderrPipe: [Int32] = [-1, -1]
    guard pipe(&stdoutPipe) == 0 else { return .failure(SubprocessError(message: "pipe: \(errnoText())")) }
    guard pipe(&stderrPipe) == 0 else {
        close(stdoutPipe[0])
        close(stdoutPipe[1])
        return .failure(SubprocessError(message: "pipe: \(errnoText())"))
    }
    for fd in [stdoutPipe[0], stderrPipe[0]] { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }

    #if canImport(Glibc)
        var actions = posix_spawn_file_actions_t()
    #else
        var actions: posix_spawn_file_actions_t?
    #endif
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_adddup2(&actions, stdoutPipe[1], 1)
    posix_spawn_file_actions_adddup2(&actions, stderrPipe[1], 2)
    posix_spawn_file_actions_addclose(&actions, stdoutPipe[0])
    posix_spawn_file_actions_addclose(&actions, stderrPipe[0])
    posix_spawn_file_actions_addclose(&actions, stdoutPipe[1])
    posix_spawn_file_actions_addclose(&actions, stderrPipe[1])

    let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
    defer { for pointer in argv { free(pointer) } }
    let environmentStrings = (environment ?? ProcessInfo.processInfo.environment).sorted { $0.key < $1.key }
        .map { "\($0.key)=\($0.value)" }
    let envp: [UnsafeMutablePointer<CChar>?] = environmentStrings.map { strdup($0) } + [nil]
    defer { for pointer in envp { free(pointer) } }

    #if canImport(Glibc)
        var attributes = posix_spawnattr_t()
    #else
        var attributes: posix_spawnattr_t?
    #endif
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    if ownProcessGroup {
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))
        posix_spawnattr_setpgroup(&attributes, 0)
    }

    var pid: pid_t = 0
    let spawned: Int32 = argv.withUnsafeBufferPointer { argvBuffer in
        envp.withUnsafeBufferPointer { envBuffer in
            executable.contains("/")
                ? posix_spawn(&pid, executable, &actions, &attributes, argvBuffer.baseAddress!, envBuffer.baseAddress!)
                : posix_spawnp(
                    &pid, executable, &actions, &attributes, argvBuffer.baseAddress!, envBuffer.baseAddress!)
        }
    }
    close(stdoutPipe[1])
    close(stderrPipe[1])
    guard spawned == 0 else {
        close(stdoutPipe[0])
        close(stderrPipe[0])
        return .failure(SubprocessError(message: "cannot run \(executable): \(String(cString: strerror(spawned)))"))
    }

    var result = SubprocessResult(termination: .exited(0), stdout: [], stderr: [])
    var open = [stdoutPipe[0], stderrPipe[0]]
    let deadline = timeout.map { start + milliseconds($0) }
    var killed = false
    var status: Int32 = 0
    var reaped = false
    /// Set when the child has ended or was killed: the pipes are read until then, no longer.
    var drainDeadline: ContinuousClock.Instant?
    func stop() {
        kill(ownProcessGroup ? -pid : pid, SIGKILL)
        killed = true
        if drainDeadline == nil { drainDeadline = .now + milliseconds(drainSeconds) }
    }
    var buffer = [UInt8](repeating: 0, count: 65536)
    while !open.isEmpty {
        if ownProcessGroup, !reaped, waitpid(pid, &status, WNOHANG) == pid {
            // The child is gone; whatever it forked into its group goes with it.
            reaped = true
            kill(-pid, SIGKILL)
            if drainDeadline == nil { drainDeadline = .now + milliseconds(drainSeconds) }
        }
        if let deadline, !killed, !reaped, ContinuousClock.now >= deadline {
            stop()
            result.timedOut = true
        }
        if let drainDeadline, ContinuousClock.now >= drainDeadline { break }
        var wakeUp = [deadline, drainDeadline].compactMap { $0 }.min()
        if ownProcessGroup && !reaped {
            // Look at the child now and then: it may exit while a descendant holds the pipes.
            let soon = ContinuousClock.now + .milliseconds(50)
            wakeUp = min(wakeUp ?? soon, soon)
        }
        var waitMilliseconds: Int32 = -1
        if let wakeUp {
            let left = wakeUp - ContinuousClock.now
            let milliseconds = left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000
            waitMilliseconds = Int32(max(0, min(milliseconds + 1, 60_000)))
        }
        var fds = open.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
        let ready = poll(&fds, nfds_t(fds.count), waitMilliseconds)
        if ready < 0 {
            if errno == EINTR { continue }
            break
        }
        for entry in fds where entry.revents != 0 {
            let count = read(entry.fd, &buffer, buffer.count)
            if count > 0 {
                if entry.fd == stdoutPipe[0] {
                    result.stdout += buffer[0..<count]
                } else {
                    result.stderr += buffer[0..<count]
                }
                if result.stdout.count + result.stderr.count > outputLimit, !killed {
                    stop()
                    result.outputOverflowed = true
                }
            } else if count == 0 || (errno != EINTR && errno != EAGAIN) {
                close(entry.fd)
                open.removeAll { $0 == entry.fd }
            }
        }
    }
    for fd in open { close(fd) }
    // Still unreaped, so its group id cannot have gone to another process.
    if ownProcessGroup && !reaped && !open.isEmpty { kill(-pid, SIGKILL) }
    if !reaped {
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    }
    // WIFEXITED / WEXITSTATUS / WTERMSIG, which Swift does not import as functions.
    if status & 0x7f == 0 {
        result.termination = .exited((status >> 8) & 0xff)
    } else {
        result.termination = .signalled(status & 0x7f)
    }
    let elapsed = ContinuousClock.now - start
    result.seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    return .success(result)
}

private func milliseconds(_ seconds: Double) -> Duration {
    .milliseconds(Int64((seconds * 1000).rounded(.up)))
}

/// A process that could not be started.
struct SubprocessError: Error, Sendable {
    let message: String
}

/// "SIGSEGV" for 11, and so on for the signals a crash or a limit raises.
func signalName(_ signal: Int32) -> String {
    switch signal {
    case SIGILL: return "SIGILL"
    case SIGTRAP: return "SIGTRAP"
    case SIGABRT: return "SIGABRT"
    case SIGBUS: return "SIGBUS"
    case SIGFPE: return "SIGFPE"
    case SIGKILL: return "SIGKILL"
    case SIGSEGV: return "SIGSEGV"
    case SIGXCPU: return "SIGXCPU"
    default: return "signal \(signal)"
    }
}

/// A tool's answer to a version question (`swift --version`, `python -m pagefind --version`),
/// kept in `cacheFile` with the identity of the files that decide it (the executable, and for
/// Python its packages): asking costs a process, tens of milliseconds on every build otherwise.
/// `ask` runs when the identity changed or nothing is cached; a failed answer is not kept.
func cachedToolAnswer(
    identity: String, cacheFile: String?, ask: () -> Result<String, SubprocessError>
) -> Result<String, SubprocessError> {
    let header = "identity " + identity + "\n"
    if let cacheFile, let data = FileManager.default.contents(atPath: cacheFile) {
        let text = String(decoding: data, as: UTF8.self)
        if text.hasPrefix(header) { return .success(String(text.dropFirst(header.count))) }
    }
    let answer = ask()
    if let cacheFile, case .success(let text) = answer {
        try? writeFileAtomically(Array((header + text).utf8), to: cacheFile)
    }
    return answer
}

/// Who `name` (a path, or a command looked up on `PATH`) really is: its resolved path, size,
/// modification time and inode; nil when there is no such executable.
func executableIdentity(_ name: String, path: String) -> String? {
    guard let found = Pagefind.executablePath(name, path: path), let real = realpath(found, nil) else { return nil }
    defer { free(real) }
    let resolved = String(cString: real)
    var info = stat()
    guard stat(resolved, &info) == 0 else { return nil }
    return "\(resolved) \(info.st_size) \(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec) \(info.st_ino)"
}
