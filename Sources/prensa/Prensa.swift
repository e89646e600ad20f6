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

    @Flag(name: .long, help: "Make no search index (the search page then says search is unavailable).")
    var noSearch = false

    @Flag(name: .long, help: "Print only errors (for CI).")
    var quiet = false

    @Flag(name: .long, help: "Print each phase's time, and list the external links.")
    var verbose = false

    func options(output: String? = nil) -> BuildOptions {
        var options = BuildOptions(
            source: source, output: output, includeDrafts: drafts, baseURL: baseURL, useCache: !noCache,
            search: noSearch ? .disabled : .automatic)
        // Phases as they finish: on a terminal, or always with --verbose; never with --quiet.
        if !quiet && (verbose || isatty(STDOUT_FILENO) == 1) {
            options.progress = { phase, seconds, detail in
                let name = phase.padding(toLength: 9, withPad: " ", startingAt: 0)
                print("  \(name) \(format(seconds: seconds))  \(detail)")
            }
        }
        return options
    }
}

struct Build: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Build the site into public/ (replaced only when the build succeeds).")

    @OptionGroup var site: SiteOptions

    @Option(name: .long, help: "The output folder (default: public/ in the site root).")
    var output: String?

    func run() throws {
        ignoreSIGPIPE()
        let options = site.options(output: output)
        let start = ContinuousClock.now
        do {
            let report = try SiteBuilder.build(options)
            let elapsed = ContinuousClock.now - start
            if !site.quiet { printNotes(report.notes) }
            printWarnings(report.warnings)
            if site.verbose { printExternalLinks(report) }
            if !site.quiet && report.upToDate {
                print(
                    "Nothing changed since the last build: \(options.outputPath)/ is up to date "
                        + "(\(report.filesUnchanged) files, checked in \(format(elapsed)); --no-cache rebuilds everything)"
                )
            } else if !site.quiet {
                let unchanged = report.filesUnchanged > 0 ? ", \(report.filesUnchanged) unchanged" : ""
                print(
                    "Built \(report.posts) posts, \(report.pages) pages into \(options.outputPath)/ "
                        + "(\(report.filesWritten) files written\(unchanged)) in \(format(elapsed))"
                        + figureSummary(report))
            }
        } catch {
            throw report(error)
        }
    }
}

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Build the whole site in memory without writing anything, and check every internal link.",
        discussion:
            "Every link, image and #fragment written in the posts must reach a page, a file or an element "
            + "of the built site, and every @fig reference a figure; each broken one is an error at its "
            + "file:line:col. Links to other sites are counted (listed with --verbose), not fetched.")

    @OptionGroup var site: SiteOptions

    func run() throws {
        ignoreSIGPIPE()
        do {
            let report = try SiteBuilder.check(site.options())
            if site.verbose { printExternalLinks(report) }
            if !site.quiet {
                print(
                    "Checked \(report.posts) posts and \(report.pages) pages: no problems found; "
                        + "\(report.externalLinks.count) external links not fetched" + figureSummary(report))
            }
        } catch {
            throw report(error)
        }
    }
}

/// Things the build could not do but did without (no search index without Pagefind), once each.
private func printNotes(_ notes: [String]) {
    for note in notes {
        FileHandle.standardError.write(Data("note: \(note)\n".utf8))
    }
}

/// Broken links found by a build: printed like errors, but the build still succeeds.
private func printWarnings(_ warnings: [Diagnostic]) {
    guard !warnings.isEmpty else { return }
    let text = warnings.map(\.description).joined(separator: "\n") + "\n"
    FileHandle.standardError.write(Data(text.utf8))
}

private func printExternalLinks(_ report: BuildReport) {
    let links = report.externalLinks.sorted {
        ($0.location.file, $0.location.line) < ($1.location.file, $1.location.line)
    }
    for link in links {
        let location = "\(link.location.file):\(link.location.line):\(link.location.column)"
        print("\(location): note: external link \(link.url) (not fetched)")
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
    var summary = " (figures: \(report.figuresComputed) simulated, \(report.figuresCached) from cache"
    if report.swiftSim.blocks > 0 {
        summary += "; swift sim: \(report.swiftSim.compiles) compiles, \(report.swiftSim.blocksRun) blocks run"
    }
    return summary + ")"
}

/// Prints every diagnostic to standard error, compiler style, and returns the exit code.
func report(_ failure: BuildFailure) -> ExitCode {
    var text = failure.diagnostics.map(\.description).joined(separator: "\n")
    let count = failure.errorCount
    text += "\n\(count) error\(count == 1 ? "" : "s"); nothing was written\n"
    FileHandle.standardError.write(Data(text.utf8))
    return ExitCode.failure
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
