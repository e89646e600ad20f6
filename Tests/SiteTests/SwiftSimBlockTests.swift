import Figures
import Foundation
import Markdown
import Testing

@testable import Site

/// The parts of the ```swift sim machinery that need no compiler: headers, the mapping of
/// compiler messages back to the article, and what a site without blocks costs.
@Suite struct SwiftSimBlockTests {
    private func blocks(_ markdown: String, lineOffset: Int = 5) -> (blocks: [SwiftSimBlock], errors: [String]) {
        var log = DiagnosticLog()
        let document = Document(parsing: markdown, lineOffset: lineOffset)
        let found = swiftSimBlocks(in: document, file: "content/posts/x.md", log: &log)
        return (found, log.sorted.map(\.description))
    }

    @Test func headerCodeAndPlacesAreRead() throws {
        let (found, errors) = blocks(
            """
            ```sim scheduler
            title: Antes
            ```

            ```swift sim
            id: gil
            title: O GIL
            caption: Uma legenda.
            seed: 7
            ---
            var timeline = Timeline()
            return .timeline(timeline)
            ```
            """)
        #expect(errors.isEmpty)
        let block = try #require(found.first)
        #expect(found.count == 1)
        #expect(block.id == "gil" && block.title == "O GIL" && block.caption == "Uma legenda." && block.seed == 7)
        #expect(block.line == 10)
        #expect(block.separatorLine == 15)
        #expect(block.codeLine == 16)
        #expect(block.closingLine == 18)
        #expect(block.code == "var timeline = Timeline()\nreturn .timeline(timeline)\n")
        // The second figure of the article: its fallback id is "2", as the expansion numbers it.
        #expect(block.fallbackID == "2")
    }

    @Test func headerMistakesAreReportedInTheBlock() {
        let (found, errors) = blocks(
            """
            ```swift sim
            return .timeline(Timeline())
            ```

            ```swift sim
            id: Maiúsculas
            titel: Sem título
            ---
            return .timeline(Timeline())
            ```

            ```swift sim extra
            title: A
            ---
            ```

            ```swift sim
            title: Vazio
            ---

            ```
            """)
        #expect(found.isEmpty)
        #expect(
            errors == [
                "content/posts/x.md:6:1: error: a swift sim block starts with a YAML header (id, title, caption), then "
                    + "a line '---', then the Swift code that returns the figure",
                "content/posts/x.md:11:1: error: missing required key 'title' in the swift sim block",
                "content/posts/x.md:11:5: error: figure id 'Maiúsculas' may contain only lowercase letters a–z, "
                    + "digits, '-' and '_'",
                "content/posts/x.md:12:1: error: unknown key 'titel' in the swift sim block; did you mean 'title'?",
                "content/posts/x.md:17:1: error: unexpected 'extra' after 'swift sim'; the info string is just "
                    + "'swift sim'",
                "content/posts/x.md:24:1: error: the swift sim block has no code after '---': write Swift that "
                    + "returns a Figure",
            ])
    }

    @Test func compilerMessagesMapBackToTheArticle() throws {
        let (found, _) = blocks(
            """
            ```swift sim
            title: T
            ---
            let duração: Double = "três"
            return .timeline(Timeline())
            ```
            """)
        let block = try #require(found.first)
        let output = """
            [3/5] Compiling Blocks Block_abc.swift
            /x/.prensa-cache/swift-sim/Sources/Blocks/Block_abc.swift:5:25: error: cannot convert value of type 'String' to specified type 'Double'
                let duração: Double = "três"
            /x/.prensa-cache/swift-sim/Sources/Blocks/Block_abc.swift:5:25: error: cannot convert value of type 'String' to specified type 'Double'
            /x/.prensa-cache/swift-sim/Sources/Blocks/Block_abc.swift:7:1: error: missing return
            /x/.prensa-cache/swift-sim/Sources/Blocks/Block_abc.swift:4:1: warning: something in the preamble
            /work/prensa/Sources/FigureKit/Timeline.swift:70:24: note: 'init(unit:)' declared here
            """
        let messages = CompilerMessage.parse(output)
        #expect(messages.count == 4)
        #expect(messages[0].key == "abc" && messages[0].severity == .error)
        #expect(messages[3].key == nil && messages[3].severity == .note)
        // UTF-8 column 25 is character 23 of `let duração: Double = "três"` (ç and ã take two bytes).
        let places = messages.prefix(3).map { message in
            let location = message.location(in: block)
            return "\(location.line):\(location.column)"
        }
        // The code line, the closing fence for what follows the code, the `---` line for the preamble.
        #expect(places == ["9:23", "11:1", "8:1"])
    }

    /// Columns are Unicode scalars, as for every other message: a decomposed accent (a letter and
    /// a combining mark, one character on screen) is two columns, as in an editor's status bar.
    @Test func compilerColumnsCountUnicodeScalars() throws {
        let (found, _) = blocks("```swift sim\ntitle: T\n---\nlet a\u{301} = b\nreturn .timeline(Timeline())\n```")
        let block = try #require(found.first)
        // `b` is byte 11 of `let á = b` with the accent decomposed (U+0301 takes two bytes).
        let messages = CompilerMessage.parse(
            "/x/.prensa-cache/swift-sim/Sources/Blocks/Block_abc.swift:5:11: error: cannot find 'b' in scope")
        let location = try #require(messages.first).location(in: block)
        #expect("\(location.line):\(location.column)" == "9:10")
    }

    @Test func aSiteWithoutSwiftSimBlocksNeverRunsSwift() {
        let body = """
            ```swift
            let x = 1  // an ordinary listing
            ```

            ```sim scheduler
            title: Built-in
            ```
            """
        #expect(!mayContainSwiftSim(body))
        #expect(mayContainSwiftSim("```swift sim\n"))
        #expect(mayContainSwiftSim("Texto.\n\n  ~~~~ swift   sim\nid: x\n"))
        #expect(mayContainSwiftSim("a\n```swift\tsim"))
        #expect(!mayContainSwiftSim("Sim, assim mesmo: swift sim no meio da frase.\n    ```swift sim\n"))
        #expect(!mayContainSwiftSim("```swiftsim\n``swift sim\n"))
        var log = DiagnosticLog()
        let settings = SwiftSimSettings(
            packageDirectory: "/nonexistent/swift-sim", displayDirectory: ".prensa-cache/swift-sim",
            resultsDirectory: nil, timeout: 10)
        let outcome = SwiftSim.run(
            [SwiftSim.Source(file: "content/posts/x.md", body: body, lineOffset: 0)], settings: settings, log: &log,
            environment: ["PRENSA_SWIFT": "/nonexistent/swift"])
        #expect(outcome.blocks.isEmpty && outcome.summary == SwiftSimSummary())
        #expect(!log.hasErrors)

        // With a block, the toolchain named by PRENSA_SWIFT is the one asked.
        let withBlock = SwiftSim.Source(
            file: "content/posts/y.md", body: "```swift sim\ntitle: T\n---\nreturn .timeline(Timeline())\n```\n",
            lineOffset: 0)
        _ = SwiftSim.run(
            [withBlock], settings: settings, log: &log, environment: ["PRENSA_SWIFT": "/nonexistent/swift"])
        let messages = log.sorted.map(\.description)
        #expect(messages.count == 1)
        #expect(
            messages.first?.hasPrefix("content/posts/y.md:1:1: error: swift sim blocks need the Swift toolchain")
                == true)
    }

    @Test func prensaRootIsFoundAndCanBeOverridden() throws {
        #expect(PrensaSourceTree.compiledRoot == repositoryRoot)
        #expect(try PrensaSourceTree.locate(environment: [:]).get() == repositoryRoot)
        #expect(try PrensaSourceTree.locate(environment: ["PRENSA_ROOT": repositoryRoot + "/"]).get() == repositoryRoot)
        guard case .failure(let error) = PrensaSourceTree.locate(environment: ["PRENSA_ROOT": "/tmp"]) else {
            Issue.record("a folder without Prensa's sources was accepted")
            return
        }
        #expect(error.message == "PRENSA_ROOT is /tmp, which is not a Prensa checkout")
    }

    @Test func runnerCrashReportsAreRead() {
        let stderr = """

            *** Program crashed: Illegal instruction at 0x000055 ***
              0 [inlined] [system] 0x0000 specialized Array.subscript.getter in SimRunner at //<compiler-generated>
              1  0x0000 block_abc(random:) + 206 in SimRunner at /p/Sources/Blocks/Block_abc.swift:8:34
            """
        #expect(SwiftSim.crashMessage(stderr) == "")
        #expect(SwiftSim.crashPlace(stderr, "abc")?.line == 8)
        #expect(SwiftSim.crashPlace(stderr, "abc")?.column == 34)
        #expect(SwiftSim.crashMessage("Blocks/Block_abc.swift:9: Fatal error: sem dados\n") == "Fatal error: sem dados")
    }

    @Test func cachedResultsAreCheckedAgainstTheirHash() throws {
        let folder = NSTemporaryDirectory() + "prensa-swift-cache-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let cache = SwiftSimResultCache(directory: folder)
        let figure = RenderedFigure(
            kind: "swift", id: "a", title: "A", caption: nil, svg: "<svg/>", description: "d", tableHTML: "<table/>",
            json: "{}")
        cache.store(figure, key: "k")
        #expect(cache.load("k") == figure)
        let path = folder + "/swift-k.json"
        let tampered = try String(contentsOfFile: path, encoding: .utf8).replacingOccurrences(
            of: "\"description\":\"d\"", with: "\"description\":\"e\"")
        #expect(tampered.contains("\"description\":\"e\""))
        try tampered.write(toFile: path, atomically: true, encoding: .utf8)
        #expect(cache.load("k") == nil)
    }

    @Test func readmeExamplesAreTheFixtureBlocks() throws {
        let readme = try String(contentsOfFile: repositoryRoot + "/README.md", encoding: .utf8)
        let fixture = try String(
            contentsOfFile: repositoryRoot + "/Tests/SiteTests/Fixtures/swiftsim/content/posts/bons.md", encoding: .utf8
        )
        let examples = Document(parsing: readme).fencedBlocks(language: "markdown").flatMap { outer in
            Document(parsing: outer.code).fencedBlocks().filter(isSwiftSimBlock).map(\.code)
        }
        let tested = Document(parsing: fixture).fencedBlocks().filter(isSwiftSimBlock).map(\.code)
        #expect(examples.count == 3)
        #expect(examples == tested)
    }

    @Test func aPackageMadeElsewhereIsRebuiltFromScratch() throws {
        let folder = NSTemporaryDirectory() + "prensa-swift-package-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileManager.default.createDirectory(atPath: folder + "/.build/release", withIntermediateDirectories: true)
        let environment = SwiftSimEnvironment(
            prensaRoot: repositoryRoot, prensaVersion: "v", swiftVersion: "Swift 6", swift: "swift")
        let package = SwiftSimPackage(directory: folder, environment: environment)
        // No record of where the build folder was made: it goes.
        package.discardStaleBuild()
        #expect(!FileManager.default.fileExists(atPath: folder + "/.build"))
        // Made here, for this checkout and toolchain: it stays.
        try FileManager.default.createDirectory(atPath: folder + "/.build/release", withIntermediateDirectories: true)
        package.discardStaleBuild()
        #expect(FileManager.default.fileExists(atPath: folder + "/.build/release"))
        // Another toolchain: it goes.
        let other = SwiftSimPackage(
            directory: folder,
            environment: SwiftSimEnvironment(
                prensaRoot: repositoryRoot, prensaVersion: "v", swiftVersion: "Swift 6.4", swift: "swift"))
        other.discardStaleBuild()
        #expect(!FileManager.default.fileExists(atPath: folder + "/.build"))
    }
}
