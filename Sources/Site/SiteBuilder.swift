import Figures
import Foundation

/// What to build and where.
public struct BuildOptions: Sendable {
    /// The site root, holding `content/` and `templates/`.
    public var source: String
    /// The output folder; `public/` in the site root by default.
    public var output: String?
    /// Include posts and pages with `draft: true`.
    public var includeDrafts: Bool
    /// Overrides `base_url` from `site.yml`.
    public var baseURL: String?
    /// Where results of earlier builds are kept (figures); `.prensa-cache` in the site root by
    /// default. nil turns caching off.
    public var cacheDirectory: String?
    /// The figure kinds `sim` blocks may use.
    public var figures: FigureEngine
    /// The folder of the Swift package generated for ```` ```swift sim ```` blocks, which keeps
    /// Prensa's compiled modules between builds; `.prensa-cache/swift-sim` in the site root by
    /// default, even with `--no-cache` (which runs every block again).
    public var swiftSimDirectory: String
    /// Told about each build phase as it ends (name, seconds, what it did), for a progress display.
    public var progress: (@Sendable (_ phase: String, _ seconds: Double, _ detail: String) -> Void)?
    /// How the search index is made (Pagefind, after the pages are written).
    public var search: SearchIndexing
    /// Code highlighting by Pygments: which Python, where the notice goes.
    public var highlighting: HighlightOptions

    public init(
        source: String = ".", output: String? = nil, includeDrafts: Bool = false, baseURL: String? = nil,
        useCache: Bool = true, figures: FigureEngine = .standard, search: SearchIndexing = .automatic,
        highlighting: HighlightOptions = HighlightOptions()
    ) {
        self.source = source
        self.output = output
        self.includeDrafts = includeDrafts
        self.baseURL = baseURL
        self.cacheDirectory = useCache ? source + "/.prensa-cache" : nil
        self.figures = figures
        self.search = search
        self.highlighting = highlighting
        self.swiftSimDirectory = source + "/.prensa-cache/swift-sim"
    }

    /// How paths under the site root are shown in diagnostics: relative to where the user is.
    var displayPrefix: String {
        let trimmed = source.hasSuffix("/") ? String(source.dropLast()) : source
        return trimmed == "." || trimmed.isEmpty ? "" : trimmed + "/"
    }

    public var outputPath: String { output ?? displayPrefix + "public" }
}

/// What a successful build did.
public struct BuildReport: Sendable {
    public var posts = 0
    public var pages = 0
    public var filesWritten = 0
    /// Figures made by running their simulation, and figures taken from the cache.
    public var figuresComputed = 0
    public var figuresCached = 0
    /// True when Pagefind indexed the site (the output has `pagefind/`).
    public var searchIndexed = false
    /// Things the user should know that did not stop the build, printed as `note: ...`.
    public var notes: [String] = []
    /// Fenced code blocks with a language, and how many of them Pygments highlighted.
    public var codeBlocks = 0
    public var codeBlocksHighlighted = 0
    /// Pygments worker processes started: one per build that has code blocks to highlight.
    public var highlightWorkers = 0
    /// What was said about highlighting (e.g. Pygments missing), at most one line.
    public var notices: [String] = []
    /// What compiling and running the ```` ```swift sim ```` blocks did.
    public var swiftSim = SwiftSimSummary()
    /// Seconds spent in each phase, in order.
    public var phases: [(name: String, seconds: Double)] = []
    /// Problems that did not stop the build (broken internal links: `prensa check` fails on them).
    public var warnings: [Diagnostic] = []
    /// Links to other sites, listed but not fetched.
    public var externalLinks: [(url: String, location: SourceLocation)] = []
}

public enum SiteBuilder {
    /// Builds the site, replacing the output folder only when everything succeeded. Throws a
    /// `BuildFailure` listing every mistake found (the output folder is then left untouched).
    public static func build(_ options: BuildOptions) throws(BuildFailure) -> BuildReport {
        var report = BuildReport()
        var clock = PhaseClock(progress: options.progress)
        let site = try load(options, highlight: true, clock: &clock)
        let pagefind: Pagefind?
        switch Pagefind.locate(
            options.search, siteRoot: options.source, environment: ProcessInfo.processInfo.environment)
        {
        case .found(let found): pagefind = found
        case .unavailable(let why):
            pagefind = nil
            report.notes.append(why)
        case .disabled: pagefind = nil
        }
        let planner = PagePlanner(model: site.model, templates: site.templates, searchAvailable: pagefind != nil)
        let jobs = planner.jobs()
        let files = outputFiles(site, jobs: jobs)
        try checkConflicts(jobs: jobs, files: files, siteRoot: options.source, displayPrefix: options.displayPrefix)
        clock.lap("plan", "\(jobs.count) pages, \(files.count) other files")

        let staging: StagingDirectory
        do {
            staging = try StagingDirectory(output: options.outputPath)
        } catch {
            throw BuildFailure([Diagnostic(file: error.path, message: error.message)])
        }
        let rendered = render(jobs, templates: site.templates, into: staging)
        clock.lap("render", "\(jobs.count) pages")
        var writeErrors = rendered.errors
        for file in files {
            do {
                switch file.contents {
                case .text(let text): try staging.write(text, to: file.path)
                case .copy(let source): try staging.copy(from: source, to: file.path)
                }
            } catch { writeErrors.append(error) }
        }
        if let first = writeErrors.first {
            staging.discard()
            throw BuildFailure([Diagnostic(file: first.path, message: first.message)])
        }
        clock.lap("write", "\(jobs.count + files.count) files")
        if let pagefind {
            do {
                try pagefind.index(siteFolder: staging.path)
            } catch {
                staging.discard()
                throw BuildFailure([Diagnostic(file: error.path, message: error.message)])
            }
            report.searchIndexed = true
            clock.lap("search", "Pagefind index")
        }
        do {
            try staging.commit()
        } catch {
            staging.discard()
            throw BuildFailure([Diagnostic(file: error.path, message: error.message)])
        }
        clock.lap("commit")
        report.posts = site.model.posts.count
        report.figuresComputed = site.model.figuresComputed
        report.figuresCached = site.model.figuresCached
        report.codeBlocks = site.model.highlighting.codeBlocks
        report.codeBlocksHighlighted = site.model.highlighting.highlighted
        report.highlightWorkers = site.model.highlighting.workersStarted
        report.notices = site.model.highlighting.notice.map { [$0] } ?? []
        report.swiftSim = site.swiftSim.summary
        report.pages = jobs.count
        report.filesWritten = jobs.count + files.count
        let links = checkLinks(site.model, jobs: jobs, files: files, ids: rendered.ids)
        report.warnings =
            site.swiftSim.warnings
            + links.broken.map { diagnostic in
                var warning = diagnostic
                warning.severity = .warning
                return warning
            }
        report.externalLinks = links.external
        report.phases = clock.phases
        return report
    }

    /// Builds the whole site in memory, writing nothing, and checks every internal link, image
    /// and `#fragment` authors wrote: what `prensa check` runs. Broken links are errors here.
    /// Code is not highlighted.
    public static func check(_ options: BuildOptions) throws(BuildFailure) -> BuildReport {
        var clock = PhaseClock(progress: options.progress)
        let site = try load(options, highlight: false, clock: &clock)
        let jobs = PagePlanner(model: site.model, templates: site.templates).jobs()
        let files = outputFiles(site, jobs: jobs)
        try checkConflicts(jobs: jobs, files: files, siteRoot: options.source, displayPrefix: options.displayPrefix)
        let rendered = render(jobs, templates: site.templates, into: nil)
        clock.lap("render", "\(jobs.count) pages")
        let links = checkLinks(site.model, jobs: jobs, files: files, ids: rendered.ids)
        clock.lap("links", "\(links.broken.count) broken, \(links.external.count) external")
        if !links.broken.isEmpty { throw BuildFailure(links.broken) }
        var report = BuildReport()
        report.posts = site.model.posts.count
        report.pages = jobs.count
        report.figuresComputed = site.model.figuresComputed
        report.figuresCached = site.model.figuresCached
        report.swiftSim = site.swiftSim.summary
        report.warnings = site.swiftSim.warnings
        report.externalLinks = links.external
        report.phases = clock.phases
        return report
    }

    /// Renders every page, writing it into `staging` when given, and collects each page's ids.
    private static func render(
        _ jobs: [PageJob], templates: TemplateSet, into staging: StagingDirectory?
    ) -> (errors: [WriteError], ids: [String: Set<String>]) {
        let results = parallelMap(jobs) { job -> (WriteError?, Set<String>) in
            let html = templates.render(job.context, template: job.template)
            let ids = elementIDs(in: html)
            do throws(WriteError) {
                try staging?.write(html, to: job.path)
                return (nil, ids)
            } catch { return (error, ids) }
        }
        var ids: [String: Set<String>] = [:]
        for (job, result) in zip(jobs, results) { ids[job.path] = result.1 }
        return (results.compactMap(\.0), ids)
    }

    private static func checkLinks(
        _ model: SiteModel, jobs: [PageJob], files: [OutputFile], ids: [String: Set<String>]
    ) -> LinkChecker.Result {
        let outputs = Set(jobs.map(\.path) + files.map(\.path))
        return LinkChecker(ids: ids, outputs: outputs, rootPath: model.config.rootPath).check(model)
    }

    /// Feeds, sitemap, robots.txt, the templates' assets and the content's static files.
    private static func outputFiles(_ site: LoadedSite, jobs: [PageJob]) -> [OutputFile] {
        let feeds = FeedWriter(model: site.model)
        var files: [OutputFile] = [
            OutputFile(path: "feed.xml", contents: .text(feeds.atom())),
            OutputFile(path: "feed.json", contents: .text(feeds.jsonFeed())),
            OutputFile(path: "sitemap.xml", contents: .text(feeds.sitemap(jobs))),
            OutputFile(path: "robots.txt", contents: .text(feeds.robots())),
        ]
        for (key, output) in site.templates.assets.sorted(by: { $0.key < $1.key }) {
            files.append(OutputFile(path: output, contents: .copy(from: site.templates.assetSources[key]!)))
        }
        for file in site.model.staticFiles {
            files.append(OutputFile(path: file.outputPath, contents: .copy(from: file.sourcePath)))
        }
        return files
    }

    private struct LoadedSite {
        let model: SiteModel
        let templates: TemplateSet
        let swiftSim: SwiftSimOutcome
    }

    private static func load(
        _ options: BuildOptions, highlight: Bool, clock: inout PhaseClock
    ) throws(BuildFailure) -> LoadedSite {
        let root = options.source
        let prefix = options.displayPrefix
        var log = DiagnosticLog()
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root + "/content", isDirectory: &isDirectory),
            isDirectory.boolValue
        else {
            throw BuildFailure([
                Diagnostic(
                    file: prefix + "content",
                    message: "no content folder here; run prensa in a site's root or pass --source DIR")
            ])
        }
        var config: SiteConfig?
        switch SiteConfig.load(
            path: root + "/content/site.yml", displayPath: prefix + "content/site.yml",
            baseURLOverride: options.baseURL)
        {
        case .success(let value): config = value
        case .failure(let failure):
            for diagnostic in failure.diagnostics { log.append(diagnostic) }
        }
        let timeZone = config?.timeZone ?? TimeZone(identifier: "UTC")!
        let templates = TemplateSet.load(directory: root + "/templates", displayPrefix: prefix, log: &log)
        let content = ContentLoader.load(
            contentDir: root + "/content", displayPrefix: prefix, timeZone: timeZone,
            includeDrafts: options.includeDrafts, log: &log)
        clock.lap("load", "\(content.posts.count) posts, \(content.pages.count) pages")
        let swiftSim = runSwiftSims(content, options: options, config: config, log: &log)
        if swiftSim.summary.blocks > 0 { clock.lap("swift sim", swiftSimDetail(swiftSim.summary)) }
        // Even when site.yml or the templates are broken, check the posts against each other
        // (duplicate slugs, series parts) so that one run reports every mistake.
        var highlighting = options.highlighting
        if !highlight { highlighting.enabled = false }
        let model = SiteModel.make(
            content: content, config: config ?? .placeholder, figures: options.figures,
            cache: FigureCache(directory: options.cacheDirectory, swiftFigures: swiftSim.figures),
            highlighting: highlighting, siteRoot: root, clock: &clock, log: &log)
        clock.lap(
            "markdown",
            "\(model.figuresComputed + model.figuresCached) figures (\(model.figuresComputed) simulated)")
        guard let templates, config != nil, !log.hasErrors else {
            throw BuildFailure(log.sorted + swiftSim.warnings)
        }
        return LoadedSite(model: model, templates: templates, swiftSim: swiftSim)
    }

    /// Two things written to the same file (a page `content/tags.md` and the tag index, a static
    /// file and a post) is an error, reported at the author's file and naming the other.
    private static func checkConflicts(
        jobs: [PageJob], files: [OutputFile], siteRoot: String, displayPrefix: String
    ) throws(BuildFailure) {
        let contentRoot = siteRoot + "/"
        var owners: [String: (name: String, generated: Bool)] = [:]
        var diagnostics: [Diagnostic] = []
        func claim(_ path: String, by owner: String, generated: Bool) {
            guard let other = owners[path] else {
                owners[path] = (owner, generated)
                return
            }
            // Blame the author's file when the other side is generated by Prensa.
            let (blamed, named) = generated && !other.generated ? (other.name, owner) : (owner, other.name)
            diagnostics.append(
                Diagnostic(
                    file: blamed,
                    message: "writes \(path) in the output, which \(named) also writes; rename one of them"))
        }
        for job in jobs { claim(job.path, by: job.origin, generated: job.generated) }
        for file in files {
            if case .copy(let source) = file.contents, source.hasPrefix(contentRoot) {
                claim(file.path, by: displayPrefix + source.dropFirst(contentRoot.count), generated: false)
            } else {
                claim(file.path, by: "the generated \(file.path)", generated: true)
            }
        }
        // Pagefind writes the search index and its UI files there.
        for (path, owner) in owners where path.hasPrefix(Pagefind.outputFolder + "/") {
            diagnostics.append(
                Diagnostic(
                    file: owner.name,
                    message:
                        "writes \(path) in the output, inside \(Pagefind.outputFolder)/, where the search index goes; rename it"
                ))
        }
        if !diagnostics.isEmpty { throw BuildFailure(diagnostics.sorted()) }
    }
}

/// Wall time of each build phase.
struct PhaseClock {
    private var last = ContinuousClock.now
    private(set) var phases: [(name: String, seconds: Double)] = []
    /// Told about each phase as it ends: its name, seconds and what it did ("1000 posts").
    let progress: (@Sendable (_ phase: String, _ seconds: Double, _ detail: String) -> Void)?

    init(progress: (@Sendable (String, Double, String) -> Void)? = nil) {
        self.progress = progress
    }

    mutating func lap(_ name: String, _ detail: String = "") {
        let now = ContinuousClock.now
        let elapsed = now - last
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        phases.append((name, seconds))
        progress?(name, seconds, detail)
        last = now
    }
}
