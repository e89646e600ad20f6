import Foundation
import Synchronization
import Testing

@testable import Site

/// Code blocks highlighted at build time by the Pygments worker. These tests use the Python of
/// `.prensa-venv` in the repository root, which `scripts/install-deps.sh` (`make site`, CI)
/// creates with the pinned Pygments; without it they fail, saying so.
@Suite struct HighlightingTests {
    /// One block per language the blog uses, plus aliases and a language Pygments does not know.
    static let blocks: [(info: String, code: String, token: String)] = [
        ("c", "int main(void) { return 0; }\n", "<span class=\"kt\">int</span>"),
        ("bash", "for f in *.md; do echo \"$f\"; done\n", "<span class=\"nb\">echo</span>"),
        ("sh", "echo $HOME\n", "<span class=\"nv\">$HOME</span>"),
        ("shell", "cd /tmp\n", "<span class=\"nb\">cd</span>"),
        ("swift", "func soma(_ a: Int) -> Int { a }\n", "<span class=\"kd\">func</span>"),
        ("python", "def dobro(x):\n    return 2 * x  # café ☕ 🚀\n", "<span class=\"c1\"># café ☕ 🚀</span>"),
        ("go", "package main\n\nfunc main() {}\n", "<span class=\"kd\">func</span>"),
        ("golang", "package main\n", "<span class=\"kn\">package</span>"),
        ("rust", "fn main() { let x: u32 = 1; }\n", "<span class=\"kt\">u32</span>"),
        ("yaml", "titulo: Olá\n", "<span class=\"nt\">titulo</span>"),
        ("yml", "itens: [1, 2]\n", "<span class=\"nt\">itens</span>"),
        ("json", "{\"nome\": \"Prensa\"}\n", "<span class=\"nt\">&quot;nome&quot;</span>"),
        ("diff", "--- a/x\n+++ b/x\n-antes\n+depois\n", "<span class=\"gi\">+depois</span>"),
        ("console", "$ uname -s\nLinux\n", "<span class=\"gp\">$ </span>"),
        ("shell-session", "$ ls\nREADME.md\n", "<span class=\"go\">README.md</span>"),
    ]

    private static func body(_ extra: String = "") -> String {
        var text = "Blocos de código.\n\n"
        for block in blocks { text += "```\(block.info)\n\(block.code)```\n\n" }
        text += "```klingon\n<b>nada</b> & \"aspas\"\n```\n\n```\nsem linguagem\n```\n\n" + extra
        return text
    }

    private static func site(body: String = body()) throws -> TestSite {
        let site = try TestSite()
        try site.post("codigo", title: "Código", date: "2026-01-01", body: body)
        return site
    }

    /// The HTML of each `<pre class="highlight">` block of `page`, in order.
    private static func highlightedBlocks(_ page: String) -> [String] {
        page.components(separatedBy: "<pre class=\"highlight\" tabindex=\"0\">").dropFirst().map {
            String($0[..<($0.range(of: "</pre>")?.lowerBound ?? $0.endIndex)])
        }
    }

    private static func withoutSpans(_ html: String) -> String {
        html.replacingOccurrences(of: "<span class=\"[^\"]*\">", with: "", options: .regularExpression)
            .replacingOccurrences(of: "</span>", with: "")
    }

    @Test func theRepositoryVenvHasThePinnedPygments() throws {
        try #require(
            FileManager.default.isExecutableFile(atPath: venvPython),
            "no \(venvPython): run scripts/install-deps.sh (make site) to create it")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: venvPython)
        process.arguments = ["-c", "import pygments; print(pygments.__version__)"]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let version = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(version == PygmentsBatch.expectedVersion + "\n", "run scripts/install-deps.sh (make site)")
    }

    @Test func knownLanguagesGetTokenSpansAndUnknownOnesStayPlain() throws {
        let site = try Self.site()
        defer { site.delete() }
        let report = try site.build()
        #expect(report.notices == [])
        #expect(report.codeBlocks == Self.blocks.count + 1)
        #expect(report.codeBlocksHighlighted == Self.blocks.count + 1)
        let page = try site.read("posts/codigo/index.html")
        let highlighted = Self.highlightedBlocks(page)
        try #require(highlighted.count == Self.blocks.count + 1)
        for (block, html) in zip(Self.blocks, highlighted) {
            #expect(html.hasPrefix("<code class=\"language-\(block.info)\">"), "\(block.info): \(html)")
            #expect(html.contains(block.token), "\(block.info): \(html)")
            #expect(html.hasSuffix("\n</code>"), "\(block.info): \(html)")
        }
        #expect(
            highlighted.last
                == "<code class=\"language-klingon\">&lt;b&gt;nada&lt;/b&gt; &amp; &quot;aspas&quot;\n</code>")
        // A block without a language is cmark-gfm's own.
        #expect(page.contains("<pre tabindex=\"0\"><code>sem linguagem\n</code></pre>"))
    }

    @Test func scriptInsideCodeIsEscaped() throws {
        let hostile = "</code></pre><script>alert('x')</script>\n"
        let site = try Self.site(
            body:
                "```c\nchar *s = \"\(hostile.dropLast())\";\n```\n\n```html\n\(hostile)```\n\n```nada\n\(hostile)```\n")
        defer { site.delete() }
        try site.build()
        let page = try site.read("posts/codigo/index.html")
        let article = String(page[page.range(of: "<pre class=\"highlight\" tabindex=\"0\">")!.lowerBound...])
        #expect(!article.contains("<script>alert"))
        #expect(!article.contains("</code></pre><script>"))
        #expect(Self.highlightedBlocks(page).count == 3)
        #expect(Self.highlightedBlocks(page).allSatisfy { Self.withoutSpans($0).contains("&lt;script&gt;") })
    }

    @Test func oneWorkerPerBuildAndNoneWithoutCode() throws {
        let site = try Self.site()
        defer { site.delete() }
        let report = try site.build()
        #expect(report.highlightWorkers == 1)
        // The same blocks in another post are highlighted once, by the same worker.
        try site.post("copia", title: "Cópia", date: "2026-01-02", body: Self.body())
        #expect(try site.build(useCache: false).highlightWorkers == 1)

        let plain = try TestSite()
        defer { plain.delete() }
        try plain.post("texto", title: "Texto", date: "2026-01-01", body: "Só texto.\n\n```\nsem linguagem\n```\n")
        let notices = NoticeLog()
        let quiet = try plain.build(
            highlighting: HighlightOptions(python: "/nonexistent", notice: notices.append))
        #expect(quiet.highlightWorkers == 0)
        #expect(quiet.codeBlocks == 0)
        #expect(notices.lines == [], "no worker, and no notice, for a site without code to highlight")
    }

    @Test func missingPythonGivesPlainCodeAndOneNotice() throws {
        let site = try Self.site()
        defer { site.delete() }
        try site.build(output: site.root + "/highlighted")
        let notices = NoticeLog()
        let report = try site.build(
            output: site.root + "/plain", highlighting: HighlightOptions(python: "/nonexistent", notice: notices.append)
        )
        #expect(report.highlightWorkers == 0)
        #expect(report.codeBlocksHighlighted == 0)
        #expect(notices.lines.count == 1)
        #expect(notices.lines.first?.hasPrefix("note: Pygments not found (no executable /nonexistent") == true)
        #expect(notices.lines.first?.hasSuffix("code blocks are not highlighted. Run make site to install it.") == true)
        #expect(report.notices == notices.lines)
        let plain = try String(contentsOfFile: site.root + "/plain/posts/codigo/index.html", encoding: .utf8)
        let highlighted = try String(
            contentsOfFile: site.root + "/highlighted/posts/codigo/index.html", encoding: .utf8)
        #expect(!plain.contains("<span class="))
        #expect(Self.highlightedBlocks(plain).count == Self.blocks.count + 1)
        // Same markup and text: only the token spans differ.
        #expect(Self.withoutSpans(highlighted) == plain)
    }

    @Test func pythonWithoutPygmentsGivesOneNotice() throws {
        try #require(FileManager.default.isExecutableFile(atPath: venvPython), "run scripts/install-deps.sh")
        let site = try Self.site()
        defer { site.delete() }
        // -S: no site-packages, so no Pygments.
        try site.write("python-sem-pygments", "#!/bin/sh\nexec '\(venvPython)' -S \"$@\"\n")
        chmod(site.root + "/python-sem-pygments", 0o755)
        let notices = NoticeLog()
        let report = try site.build(
            highlighting: HighlightOptions(python: site.root + "/python-sem-pygments", notice: notices.append))
        #expect(notices.lines.count == 1)
        #expect(notices.lines.first?.contains("Pygments not found") == true)
        #expect(notices.lines.first?.contains("pygments") == true, "names the import error: \(notices.lines)")
        #expect(report.codeBlocksHighlighted == 0)
        #expect(!(try site.read("posts/codigo/index.html")).contains("<span class="))
    }

    @Test func aWorkerThatDiesLeavesPlainCodeAndOneNotice() throws {
        let site = try Self.site()
        defer { site.delete() }
        try site.write(
            "python-morre", "#!/bin/sh\necho '{\"ready\": \"2.20.0\"}'\nread line\necho 'falhou' >&2\nexit 3\n")
        chmod(site.root + "/python-morre", 0o755)
        let notices = NoticeLog()
        let start = ContinuousClock.now
        let report = try site.build(
            highlighting: HighlightOptions(python: site.root + "/python-morre", notice: notices.append))
        #expect(ContinuousClock.now - start < .seconds(10))
        #expect(notices.lines.count == 1)
        #expect(notices.lines.first?.contains("the Pygments worker stopped") == true, "\(notices.lines)")
        #expect(notices.lines.first?.contains("status 3: falhou") == true, "\(notices.lines)")
        #expect(report.codeBlocksHighlighted == 0)
        let page = try site.read("posts/codigo/index.html")
        #expect(Self.highlightedBlocks(page).count == Self.blocks.count + 1)
        #expect(!page.contains("<span class="))
    }

    @Test func aWorkerThatHangsIsKilledAfterItsTimeout() throws {
        let site = try Self.site()
        defer { site.delete() }
        try site.write("python-mudo", "#!/bin/sh\nexec sleep 60\n")
        try site.write("python-lento", "#!/bin/sh\necho '{\"ready\": \"2.20.0\"}'\nexec sleep 60\n")
        for name in ["python-mudo", "python-lento"] {
            chmod(site.root + "/" + name, 0o755)
            let notices = NoticeLog()
            var options = HighlightOptions(python: site.root + "/" + name, notice: notices.append)
            options.startTimeout = .milliseconds(300)
            options.replyTimeout = .milliseconds(300)
            let start = ContinuousClock.now
            let report = try site.build(highlighting: options)
            #expect(ContinuousClock.now - start < .seconds(5), "\(name)")
            #expect(report.codeBlocksHighlighted == 0)
            #expect(notices.lines.count == 1)
            #expect(notices.lines.first?.contains("no answer from") == true, "\(notices.lines)")
            #expect(!(try site.read("posts/codigo/index.html")).contains("<span class="))
        }
    }

    @Test func snippetsHighlightedOnceAreTakenFromTheCache() throws {
        let site = try Self.site()
        defer { site.delete() }
        let first = try site.build()
        #expect(first.highlightWorkers == 1 && first.codeBlocksFromCache == 0)
        // An edit elsewhere: every snippet comes from the cache, and no Python starts.
        try site.post("outro", title: "Outro", date: "2026-01-03", body: "Texto sem código.\n")
        let second = try site.build()
        #expect(second.highlightWorkers == 0 && second.codeBlocksFromCache == second.codeBlocksHighlighted)
        #expect(second.codeBlocksHighlighted == first.codeBlocksHighlighted)
        // One new snippet: only it goes to a worker.
        try site.post("novo", title: "Novo", date: "2026-01-04", body: "```c\nint novo(void);\n```\n")
        let third = try site.build()
        #expect(third.highlightWorkers == 1 && third.codeBlocksFromCache == second.codeBlocksFromCache)
        // The same HTML as a build that highlights everything itself.
        try site.build(output: site.root + "/uncached", useCache: false)
        #expect(try site.snapshot("public") == (try site.snapshot("uncached")))
    }

    @Test func twoBuildsAreByteIdentical() throws {
        let site = try Self.site()
        defer { site.delete() }
        try site.build(output: site.root + "/first")
        try site.build(output: site.root + "/second")
        let first = try site.snapshot("first")
        let page = try String(contentsOfFile: site.root + "/first/posts/codigo/index.html", encoding: .utf8)
        #expect(page.contains("<span class=\"kt\">int</span>"))
        #expect(first == (try site.snapshot("second")))
    }

    @Test func twoWorkersGiveTheSameHTMLAsOne() throws {
        let site = try Self.site()
        defer { site.delete() }
        var environment = ProcessInfo.processInfo.environment
        environment["PRENSA_HIGHLIGHT_WORKERS"] = "2"
        let two = try site.build(
            output: site.root + "/two", useCache: false,
            highlighting: HighlightOptions(python: venvPython, environment: environment))
        #expect(two.highlightWorkers == 2)
        environment["PRENSA_HIGHLIGHT_WORKERS"] = "1"
        let one = try site.build(
            output: site.root + "/one", useCache: false,
            highlighting: HighlightOptions(python: venvPython, environment: environment))
        #expect(one.highlightWorkers == 1)
        #expect(try site.snapshot("two") == (try site.snapshot("one")))
    }

    @Test func batchesAreSplitIntoConsecutiveRangesOfSimilarSize() {
        let snippets = (0..<10).map { CodeSnippet(language: "c", code: String(repeating: "x", count: $0 * 10)) }
        let ranges = PygmentsBatch.split(snippets, into: 2)
        #expect(ranges.count == 2)
        #expect(ranges.first?.lowerBound == 0 && ranges.last?.upperBound == 10)
        #expect(ranges[0].upperBound == ranges[1].lowerBound)
        #expect(PygmentsBatch.split(snippets, into: 1) == [0..<10])
        #expect(PygmentsBatch.workerCount(snippets: 5, environment: [:]) == 1)
        #expect(
            PygmentsBatch.workerCount(snippets: 100_000, environment: [:])
                <= ProcessInfo.processInfo.activeProcessorCount)
    }

    @Test func pythonIsTheOptionThenPrensaPythonThenTheSiteVenvThenPython3() throws {
        let site = try TestSite()
        defer { site.delete() }
        let environment = ["PATH": "/nada:/usr/bin:/bin", "PRENSA_PYTHON": "/usr/bin/python3"]
        #expect(
            PythonLocation.find(explicit: "/bin/sh", environment: environment, siteRoot: site.root) == .found("/bin/sh")
        )
        #expect(
            PythonLocation.find(explicit: nil, environment: environment, siteRoot: site.root)
                == .found("/usr/bin/python3"))
        #expect(
            PythonLocation.find(explicit: nil, environment: ["PATH": "/usr/bin"], siteRoot: site.root)
                == .found("/usr/bin/python3"))
        try site.write(".prensa-venv/bin/python", "#!/bin/sh\n")
        chmod(site.root + "/.prensa-venv/bin/python", 0o755)
        #expect(
            PythonLocation.find(explicit: nil, environment: ["PATH": "/usr/bin"], siteRoot: site.root)
                == .found(site.root + "/.prensa-venv/bin/python"))
        #expect(
            PythonLocation.find(explicit: nil, environment: ["PRENSA_PYTHON": "/nonexistent"], siteRoot: site.root)
                == .missing("no executable /nonexistent, from PRENSA_PYTHON"))
        #expect(
            PythonLocation.find(explicit: nil, environment: ["PATH": "/nada"], siteRoot: "/nada")
                == .missing("no python3 on PATH"))
    }

    @Test func commandLineBuildWithoutPythonSucceedsWithOneNotice() throws {
        let executable = prensaExecutable
        try #require(FileManager.default.isExecutableFile(atPath: executable), "build the prensa product first")
        let site = try Self.site()
        defer { site.delete() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["build", "--source", site.root]
        var environment = ProcessInfo.processInfo.environment
        environment["PRENSA_PYTHON"] = "/nonexistent"
        process.environment = environment
        let errors = Pipe()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errors
        try process.run()
        let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        // One note for highlighting (and one for the search index, which needs Python too).
        let notes = stderr.split(separator: "\n").map(String.init)
        #expect(
            notes.filter { $0.contains("Pygments") } == [
                "note: Pygments not found (no executable /nonexistent, from PRENSA_PYTHON); code blocks are not highlighted. Run make site to install it."
            ])
        #expect(notes.count == 2)
        #expect(notes.allSatisfy { $0.hasPrefix("note: ") })
        #expect(
            try site.read("posts/codigo/index.html").contains(
                "<pre class=\"highlight\" tabindex=\"0\"><code class=\"language-c\">"))
    }
}

/// Notices said during a build, kept for the test to look at.
final class NoticeLog: Sendable {
    private let storage = Mutex<[String]>([])

    var lines: [String] { storage.withLock { $0 } }

    var append: @Sendable (String) -> Void {
        { line in self.storage.withLock { $0.append(line) } }
    }
}
