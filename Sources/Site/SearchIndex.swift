import Foundation

/// Whether and how the build makes the search index with Pagefind.
public enum SearchIndexing: Sendable, Hashable {
    /// Finds Pagefind through a Python: `PRENSA_PYTHON` when set, else `.prensa-venv/bin/python` in
    /// the site root, else `python3` on the PATH. When it is missing, the build says so in one
    /// note and the search page says search is unavailable.
    case automatic
    /// Runs `PYTHON -m pagefind` with this Python (a path, or a name looked up on the PATH).
    case python(String)
    /// Makes no index and prints no note; the search page says search is unavailable.
    case disabled
}

/// Pagefind (PyPI `pagefind[bin]`, the binary inside the wheel), run as `PYTHON -m pagefind` on
/// the staging folder before it is swapped in, so a published site always has its index.
struct Pagefind: Sendable {
    /// The Python that has the `pagefind` package.
    let python: String
    /// What `pagefind --version` printed: "pagefind 1.5.2".
    let version: String

    /// The folder, inside the site, that the index and Pagefind's UI files are written to.
    static let outputFolder = "pagefind"

    /// Markup that is not prose, left out of the index: figure data tables and drawings (their
    /// caption is kept), heading anchors ("#") and footnote back-links ("↩").
    static let excludedSelectors = ".sim-data, .sim-figure-image, .heading-anchor, .footnote-backref"

    enum Lookup: Sendable {
        case found(Pagefind)
        /// Why there is no index, for the build's one note.
        case unavailable(String)
        case disabled
    }

    /// Finds a Python with Pagefind. Asks it for Pagefind's version, which costs one short process.
    static func locate(
        _ indexing: SearchIndexing, siteRoot: String, environment: [String: String], cacheFile: String? = nil
    ) -> Lookup {
        let requested: String
        let origin: String
        switch indexing {
        case .disabled: return .disabled
        case .python(let python):
            requested = python
            origin = "the build options"
        case .automatic:
            let venv = siteRoot + "/.prensa-venv/bin/python"
            if let variable = environment["PRENSA_PYTHON"], !variable.isEmpty {
                requested = variable
                origin = "PRENSA_PYTHON"
            } else if FileManager.default.isExecutableFile(atPath: venv) {
                requested = venv
                origin = "the site's .prensa-venv"
            } else {
                requested = "python3"
                origin = "the PATH"
            }
        }
        let advice = "run scripts/install-deps.sh, or set PRENSA_PYTHON to a Python with pagefind[bin]==1.5.2"
        guard let python = executablePath(requested, path: environment["PATH"] ?? "/usr/bin:/bin") else {
            return .unavailable(
                "search index skipped: no Python '\(requested)' (from \(origin)); \(advice)")
        }
        // The answer is kept while the Python and its packages stay the same.
        let identity = executableIdentity(python, path: "").map { $0 + " " + pythonPackagesStamp(python) }
        let answer = cachedToolAnswer(identity: identity ?? "", cacheFile: identity == nil ? nil : cacheFile) {
            let probe = run(python, ["-m", "pagefind", "--version"])
            guard probe.status == 0, probe.output.hasPrefix("pagefind ") else {
                return .failure(SubprocessError(message: probe.output))
            }
            return .success(probe.output.trimmingWhitespace)
        }
        guard case .success(let version) = answer else {
            return .unavailable(
                "search index skipped: Pagefind is not installed for \(python) (from \(origin)); \(advice)")
        }
        return .found(Pagefind(python: python, version: version))
    }

    /// Indexes the post bodies (`data-pagefind-body`) of the site in `folder` and writes the
    /// index with Pagefind's UI files to `folder/pagefind/`. Throws Pagefind's own messages when
    /// it fails.
    func index(siteFolder folder: String) throws(WriteError) {
        let result = Self.run(
            python,
            [
                "-c", Self.launcher, String(getpid()), "--site", folder, "--output-subdir", Self.outputFolder,
                "--exclude-selectors", Self.excludedSelectors, "--quiet",
            ])
        guard result.status == 0 else {
            let output = result.output.trimmingWhitespace
            throw WriteError(
                path: folder,
                message: "Pagefind could not index the site (exit status \(result.status))"
                    + (output.isEmpty ? "" : ":\n" + output))
        }
    }

    /// `PYTHON -c launcher PRENSA_PID ARGS…` runs `python -m pagefind ARGS…` (which execs the
    /// Pagefind binary), first asking Linux to kill it when Prensa dies (`PR_SET_PDEATHSIG`, kept
    /// across exec). Without it, a build killed while Pagefind ran left Pagefind writing into the
    /// abandoned staging folder, so the next build could not remove that folder.
    static let launcher = """
        import os, runpy, sys
        if sys.platform.startswith("linux"):
            import ctypes, signal
            ctypes.CDLL(None).prctl(1, signal.SIGKILL)
            if os.getppid() != int(sys.argv[1]):
                sys.exit("prensa is gone")
        sys.argv = ["pagefind"] + sys.argv[2:]
        runpy.run_module("pagefind", run_name="__main__")
        """

    /// `name` as an executable path: itself when it holds a slash, else the first match on `path`.
    static func executablePath(_ name: String, path: String) -> String? {
        if name.contains("/") { return FileManager.default.isExecutableFile(atPath: name) ? name : nil }
        for directory in path.split(separator: ":") where !directory.isEmpty {
            let candidate = directory + "/" + name
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// Runs a program to completion: its exit status and what it wrote to stdout and stderr, merged.
    private static func run(_ executable: String, _ arguments: [String]) -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            return (-1, "cannot run \(executable): \(error)")
        }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
