import ArgumentParser
import Foundation
import Site

#if canImport(Glibc)
    import Glibc
#endif

@main
struct Prensa: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prensa",
        abstract: "A static site generator that computes its figures at build time.",
        subcommands: [Build.self, Check.self, New.self, Sim.self, Serve.self],
        defaultSubcommand: Build.self
    )
}

struct SiteOptions: ParsableArguments {
    @Option(name: .long, help: "The site root, holding content/ and templates/.")
    var source: String = "."

    @Flag(name: .long, help: "Include posts and pages marked 'draft: true'.")
    var drafts = false

    @Option(name: .long, help: "Override base_url from content/site.yml (e.g. http://localhost:8000/).")
    var baseURL: String?

    @Flag(name: .long, help: "Run every simulation again instead of reusing .prensa-cache/.")
    var noCache = false

    func options(output: String? = nil) -> BuildOptions {
        BuildOptions(source: source, output: output, includeDrafts: drafts, baseURL: baseURL, useCache: !noCache)
    }
}

struct Build: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Build the site into public/ (replaced only when the build succeeds).")

    @OptionGroup var site: SiteOptions

    @Option(name: .long, help: "The output folder (default: public/ in the site root).")
    var output: String?

    @Flag(name: .long, help: "Print the time of each build phase.")
    var timings = false

    func run() throws {
        ignoreSIGPIPE()
        let options = site.options(output: output)
        let start = ContinuousClock.now
        do {
            let report = try SiteBuilder.build(options)
            let elapsed = ContinuousClock.now - start
            print(
                "Built \(report.posts) posts, \(report.pages) pages, \(report.filesWritten) files into \(options.outputPath)/ in \(format(elapsed))"
                    + figureSummary(report))
            if timings { printPhases(report) }
        } catch {
            throw report(error)
        }
    }
}

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Read and check the whole site without writing anything.")

    @OptionGroup var site: SiteOptions

    func run() throws {
        ignoreSIGPIPE()
        do {
            let report = try SiteBuilder.check(site.options())
            print("Checked \(report.posts) posts: no problems found" + figureSummary(report))
        } catch {
            throw report(error)
        }
    }
}

struct New: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create content/posts/<slug>.md with front matter for a new draft post.")

    @Argument(help: "The post's title, e.g. \"Memória virtual é mentira\".")
    var title: String

    @Option(name: .long, help: "The site root, holding content/.")
    var source: String = "."

    func run() throws {
        do {
            let path = try NewPost.create(title: title, source: source)
            print("Created \(path)")
        } catch {
            throw report(error)
        }
    }
}

/// " (figures: 2 simulated, 5 from cache)", or nothing for a site without figures.
private func figureSummary(_ report: BuildReport) -> String {
    let total = report.figuresComputed + report.figuresCached
    guard total > 0 else { return "" }
    return " (figures: \(report.figuresComputed) simulated, \(report.figuresCached) from cache)"
}

/// Prints every diagnostic to standard error, compiler style, and returns the exit code.
func report(_ failure: BuildFailure) -> ExitCode {
    var text = failure.diagnostics.map(\.description).joined(separator: "\n")
    let count = failure.errorCount
    text += "\n\(count) error\(count == 1 ? "" : "s"); nothing was written\n"
    FileHandle.standardError.write(Data(text.utf8))
    return ExitCode.failure
}

private func printPhases(_ report: BuildReport) {
    for phase in report.phases {
        print("  \(phase.name.padding(toLength: 10, withPad: " ", startingAt: 0)) \(format(seconds: phase.seconds))")
    }
}

private func format(_ duration: Duration) -> String {
    format(seconds: Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18)
}

private func format(seconds: Double) -> String {
    String(format: "%.3f s", seconds)
}

/// A child process (the highlighter) that exits early must not kill Prensa silently with SIGPIPE.
private func ignoreSIGPIPE() {
    signal(SIGPIPE, SIG_IGN)
}
