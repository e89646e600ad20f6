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
func runSubprocess(
    _ executable: String, _ arguments: [String], environment: [String: String]? = nil, timeout: Double? = nil,
    outputLimit: Int = 64 << 20
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

    var pid: pid_t = 0
    let spawned: Int32 = argv.withUnsafeBufferPointer { argvBuffer in
        envp.withUnsafeBufferPointer { envBuffer in
            executable.contains("/")
                ? posix_spawn(&pid, executable, &actions, nil, argvBuffer.baseAddress!, envBuffer.baseAddress!)
                : posix_spawnp(&pid, executable, &actions, nil, argvBuffer.baseAddress!, envBuffer.baseAddress!)
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
    let deadline = timeout.map { start + .milliseconds(Int64(($0 * 1000).rounded(.up))) }
    var killed = false
    var buffer = [UInt8](repeating: 0, count: 65536)
    while !open.isEmpty {
        var waitMilliseconds: Int32 = -1
        if let deadline, !killed {
            let left = deadline - ContinuousClock.now
            let milliseconds = left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000
            if milliseconds <= 0 {
                kill(pid, SIGKILL)
                killed = true
                result.timedOut = true
            } else {
                waitMilliseconds = Int32(min(milliseconds + 1, 60_000))
            }
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
                    kill(pid, SIGKILL)
                    killed = true
                    result.outputOverflowed = true
                }
            } else if count == 0 || (errno != EINTR && errno != EAGAIN) {
                close(entry.fd)
                open.removeAll { $0 == entry.fd }
            }
        }
    }
    for fd in open { close(fd) }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
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
