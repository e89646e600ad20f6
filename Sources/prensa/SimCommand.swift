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

    func run() throws {
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
