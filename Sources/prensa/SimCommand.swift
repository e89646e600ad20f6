import ArgumentParser
import Figures
import Foundation
import Site

struct Sim: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run one figure spec outside any post and print its SVG, or the model's result as JSON.",
        discussion: """
            KIND is one of: \(FigureEngine.standard.kinds.map(\.name).joined(separator: ", ")).
            The spec is the YAML that would go inside a ```sim KIND block of a post.

            `prensa sim swift FILE.md` compiles and runs the ```swift sim blocks of one Markdown file
            (a post) and prints their SVGs, or with --json each block's figure as JSON
            {"id", "title", "caption"?, "description", "table": {"columns", "rows", "footer"}}, one
            per line. What the blocks print goes to standard error. Compiled in the package of the
            site in --source (.prensa-cache/swift-sim), with --timeout or the site's swift_sim_timeout.

            The JSON (--json) is a stable interface; numbers are plain JSON numbers, addresses too:
              scheduler     {"slices": [{"job", "start", "end", "level"?}],
                             "jobs": [{"name", "arrival", "length", "first_run", "completion",
                                       "response", "turnaround", "wait"}],
                             "average": {"response", "turnaround", "wait"}}
              page-walk     {"accesses": [{"va", "steps": [{"level", "index", "entry_address",
                             "entry", "present"}], "result": "ok"|"page_fault"|"general_protection",
                             "pa"?, "value"?, "page_size"?, "error_code"? {"p","w","u","rsvd","id"},
                             "tlb"? "hit"|"miss"}]}
              replacement   {"steps": [{"ref", "hit", "evicted"?, "contents": [...]}], "hits", "misses"}
              packet-path   {"path", "stages": [{"name", "layer", "ns_per_packet"}],
                             "ns_per_packet", "mpps_per_core"}
            """)

    @Argument(help: "The figure kind.")
    var kind: String

    @Argument(help: "A YAML file with the spec, or - for standard input.")
    var file: String = "-"

    @Flag(name: .long, help: "Print the model's result as JSON instead of the SVG.")
    var json = false

    @Option(name: .long, help: "For swift: the site root, whose .prensa-cache/swift-sim compiles the blocks.")
    var source: String = "."

    @Option(name: .long, help: "For swift: seconds a block may run (default: the site's swift_sim_timeout, or 10).")
    var timeout: Double?

    func run() throws {
        if kind == "swift" { return try runSwift() }
        let display = file == "-" ? "<stdin>" : file
        let data: Data
        if file == "-" {
            data = FileHandle.standardInput.readDataToEndOfFile()
        } else if let contents = FileManager.default.contents(atPath: file) {
            data = contents
        } else {
            throw report(BuildFailure([Diagnostic(file: display, message: "cannot read file")]))
        }
        guard let spec = String(data: data, encoding: .utf8) else {
            throw report(BuildFailure([Diagnostic(file: display, message: "file is not valid UTF-8")]))
        }
        let result = FigureEngine.standard.render(
            kind: kind, spec: spec, location: SourceLocation(file: display, line: 1, column: 1), lineOffset: 0,
            fallbackID: "1")
        switch result {
        case .success(let figure):
            print(json ? figure.json : figure.svg)
        case .failure(let failure):
            throw report(failure)
        }
    }
}

extension Sim {
    /// `prensa sim swift FILE.md`.
    private func runSwift() throws {
        signal(SIGPIPE, SIG_IGN)
        let output: SwiftSimFile.Output
        do {
            if file == "-" {
                let data = FileHandle.standardInput.readDataToEndOfFile()
                output = try SwiftSimFile.run(
                    text: String(decoding: data, as: UTF8.self), displayPath: "<stdin>", source: source,
                    timeout: timeout)
            } else {
                output = try SwiftSimFile.run(path: file, displayPath: file, source: source, timeout: timeout)
            }
        } catch {
            throw report(error)
        }
        var messages = output.warnings.map(\.description)
        for block in output.figures where !block.printed.isEmpty {
            messages.append("\(block.location): note: block '\(block.figure.id)' printed:\n\(block.printed)")
        }
        if !messages.isEmpty {
            FileHandle.standardError.write(Data((messages.joined(separator: "\n") + "\n").utf8))
        }
        for block in output.figures {
            print(json ? block.figure.json : block.figure.svg)
        }
    }
}
