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
    /// When pages changed, whether the search index is made again now (true, the default), or
    /// the previous build's index is kept, marked stale, for a later build to redo (the dev
    /// server reloads the browser first and refreshes the index after).
    public var refreshSearchIndex = true
    /// Flush the new site to disk before swapping it in (one `syncfs`), so that a crash right
    /// after the build cannot leave a published site with empty files. The dev server's preview
    /// folder, rebuilt at every start, does without.
    public var durable = true

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
    /// Files of the output: written because they are new or changed, and unchanged (kept by a
    /// hard link from the previous output).
    public var filesWritten = 0
    public var filesUnchanged = 0
    /// True when nothing the output depends on changed since the last build, which then did
    /// nothing (the output folder was not touched).
    public var upToDate = false
    /// Figures made by running their simulation, and figures taken from the cache.
    public var figuresComputed = 0
    public var figuresCached = 0
    /// True when the output has a search index (`pagefind/`).
    public var searchIndexed = false
    /// True when that index is the previous build's, kept although pages changed
    /// (`refreshSearchIndex` off): a build with it on makes it again.
    public var searchStale = false
    /// Things the user should know that did not stop the build, printed as `note: ...`.
    public var notes: [String] = []
    /// Fenced code blocks with a language, and how many of them Pygments highlighted.
    public var codeBlocks = 0
    public var codeBlocksHighlighted = 0
    /// Distinct code snippets whose highlighting came from the cache of earlier builds.
    public var codeBlocksFromCache = 0
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
        // What the last build into this output read and wrote: when nothing changed, stop here.
        let environment = ProcessInfo.processInfo.environment
        let manifestPath = BuildManifest.path(
            cacheDirectory: options.source + "/.prensa-cache", outputPath: options.outputPath)
        let fingerprint = buildFingerprint(options, environment: environment)
        let buildStart = Date()
        let scan = InputScan(siteRoot: options.source)
        let previous =
            options.cacheDirectory == nil
            ? nil
            : BuildManifest(contentsOf: manifestPath).flatMap {
                $0.fingerprint == fingerprint && $0.describesOutput(at: options.outputPath) ? $0 : nil
            }
        let inputs = scan.stamps(siteRoot: options.source, previous: previous?.inputs ?? [:])
        if let previous, inputs.unchanged, !(previous.searchStale && options.refreshSearchIndex) {
            let stamps = racyStampsCleared(inputs.stamps, since: buildStart)
            if stamps != previous.inputs {
                var touched = previous
                touched.inputs = stamps
                try? writeFileAtomically(touched.serialized(), to: manifestPath)
            }
            report.upToDate = true
            report.searchStale = previous.searchStale
            report.searchIndexed = previous.outputs.keys.contains { $0.hasPrefix(Pagefind.outputFolder + "/") }
            report.filesUnchanged = previous.outputs.count
            clock.lap("check", "\(scan.entries.count) inputs unchanged")
            report.phases = clock.phases
            return report
        }
        clock.lap("check", "\(scan.entries.count) inputs, \(previous == nil ? "full build" : "some changed")")
        let site = try load(options, highlight: true, clock: &clock)
        let pagefind: Pagefind?
        switch Pagefind.locate(
            options.search, siteRoot: options.source, environment: environment,
            cacheFile: options.cacheDirectory.map { $0 + "/pagefind-version" })
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

        // The site the build before the last one wrote, kept in the cache folder: the new site
        // starts from it when its manifest says what it holds. The manifest is deleted first, so
        // that it never describes a folder that changed.
        let recycledPaths = BuildManifest.recycledPaths(manifestPath: manifestPath)
        var recycled: [String: BuildManifest.OutputStamp]?
        if options.cacheDirectory != nil {
            recycled = BuildManifest(contentsOf: recycledPaths.manifest).flatMap {
                $0.describesFolder(at: recycledPaths.tree) ? $0.outputs : nil
            }
            unlink(recycledPaths.manifest)
        }
        let staging: StagingDirectory
        do {
            staging = try StagingDirectory(
                output: options.outputPath, recycling: recycled == nil ? nil : recycledPaths.tree)
        } catch {
            throw BuildFailure([Diagnostic(file: error.path, message: error.message)])
        }
        // A file that could not be written is named where it goes: the staging folder is deleted.
        func atOutput(_ error: WriteError) -> BuildFailure {
            let inStaging = error.path.hasPrefix(staging.path + "/")
            let path = inStaging ? staging.output + error.path.dropFirst(staging.path.count) : error.path
            return BuildFailure([Diagnostic(file: path, message: error.message)])
        }
        let writer = OutputWriter(
            staging: staging, previousOutput: previous.map { (options.outputPath, $0.outputs) },
            recycled: recycled ?? [:])
        // Files of a recycled folder that this build does not make (deleted posts) go first, so
        // that their paths are free and Pagefind never reads them; the index is dealt with below.
        let planned = Set(jobs.map(\.path) + files.map(\.path))
        writer.removeStale { planned.contains($0) || $0.hasPrefix(Pagefind.outputFolder + "/") }
        let rendered = render(jobs, templates: site.templates, writer: writer)
        clock.lap("render", "\(jobs.count) pages")
        var writeErrors = rendered.errors
        var outputs = rendered.outputs
        for file in files {
            do throws(WriteError) {
                switch file.contents {
                case .text(let text): outputs[file.path] = try writer.put(Array(text.utf8), at: file.path)
                case .copy(let source): outputs[file.path] = try writer.copy(from: source, to: file.path)
                }
            } catch { writeErrors.append(error) }
        }
        if let first = writeErrors.first {
            staging.discard()
            throw atOutput(first)
        }
        clock.lap("write", "\(writer.written) written, \(writer.linked) unchanged")
        if let pagefind {
            do throws(WriteError) {
                // The index depends on the pages only: when no page changed, keep the last one.
                let pages = { (stamps: [String: BuildManifest.OutputStamp]) in
                    stamps.filter { $0.key.hasSuffix(".html") && !$0.key.hasPrefix(Pagefind.outputFolder + "/") }
                }
                let folder = Pagefind.outputFolder + "/"
                let pagesChanged = previous.map { pages($0.outputs) != pages(outputs) } ?? true
                if let previous, previous.outputs.keys.contains(where: { $0.hasPrefix(folder) }),
                    !pagesChanged || !options.refreshSearchIndex
                {
                    for (path, stamp) in previous.outputs where path.hasPrefix(folder) {
                        try writer.link(path, stamp: stamp)
                        outputs[path] = stamp
                    }
                    report.searchStale = pagesChanged || previous.searchStale
                    clock.lap("search", report.searchStale ? "Pagefind index kept (stale)" : "Pagefind index unchanged")
                } else {
                    // Pagefind may rewrite its files in place: a recycled index (whose files may
                    // be those of the live site) goes first.
                    if staging.recycled { try StagingDirectory.removeTree(staging.path + "/" + Pagefind.outputFolder) }
                    try pagefind.index(siteFolder: staging.path)
                    for (path, stamp) in try stampFiles(under: staging.path, folder: Pagefind.outputFolder) {
                        outputs[path] = stamp
                    }
                    clock.lap("search", "Pagefind index")
                }
            } catch {
                staging.discard()
                throw atOutput(error)
            }
            report.searchIndexed = true
        }
        writer.removeStale { outputs[$0] != nil }
        // The replaced site is kept for the next build when the manifest says what it holds.
        let kept: Bool
        do {
            kept = try staging.commit(
                durable: options.durable, keepingOldAt: previous != nil ? recycledPaths.tree : nil)
        } catch {
            staging.discard()
            throw BuildFailure([Diagnostic(file: error.path, message: error.message)])
        }
        if kept {
            // The last manifest now describes the kept site (moved, it is the same folder).
            _ = rename(manifestPath, recycledPaths.manifest)
        } else if options.cacheDirectory != nil {
            try? StagingDirectory.removeTree(recycledPaths.tree)
        }
        // Recorded only once the new site is in place: a build killed before leaves the old
        // manifest, which no longer matches the output folder, so the next build is a full one.
        if let identity = fileIdentity(options.outputPath) {
            let manifest = BuildManifest(
                fingerprint: fingerprint, outputPath: absolutePath(options.outputPath), outputDevice: identity.0,
                outputInode: identity.1, inputs: racyStampsCleared(inputs.stamps, since: buildStart), outputs: outputs,
                searchStale: report.searchStale)
            try? writeFileAtomically(manifest.serialized(), to: manifestPath)
        }
        clock.lap("commit")
        report.posts = site.model.posts.count
        report.figuresComputed = site.model.figuresComputed
        report.figuresCached = site.model.figuresCached
        report.codeBlocks = site.model.highlighting.codeBlocks
        report.codeBlocksHighlighted = site.model.highlighting.highlighted
        report.highlightWorkers = site.model.highlighting.workersStarted
        report.codeBlocksFromCache = site.model.highlighting.fromCache
        report.notices = site.model.highlighting.notice.map { [$0] } ?? []
        report.swiftSim = site.swiftSim.summary
        report.pages = jobs.count
        report.filesWritten = writer.written
        report.filesUnchanged = writer.linked
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
        let rendered = render(jobs, templates: site.templates, writer: nil)
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

    /// Renders every page, writing it through `writer` when given, and collects each page's ids.
    private static func render(
        _ jobs: [PageJob], templates: TemplateSet, writer: OutputWriter?
    ) -> (errors: [WriteError], ids: [String: Set<String>], outputs: [String: BuildManifest.OutputStamp]) {
        let results = parallelMap(jobs) { job -> (Result<BuildManifest.OutputStamp?, WriteError>, Set<String>) in
            let html = templates.render(job.context, template: job.template)
            let ids = elementIDs(in: html)
            do throws(WriteError) {
                return (.success(try writer?.put(html, at: job.path)), ids)
            } catch { return (.failure(error), ids) }
        }
        var ids: [String: Set<String>] = [:]
        var errors: [WriteError] = []
        var outputs: [String: BuildManifest.OutputStamp] = [:]
        for (job, result) in zip(jobs, results) {
            ids[job.path] = result.1
            switch result.0 {
            case .success(let stamp): outputs[job.path] = stamp
            case .failure(let error): errors.append(error)
            }
        }
        return (errors, ids, outputs)
    }

    /// Input stamps to record: files changed in the last seconds before the build get no time, so
    /// that the next build hashes them again (a same-size edit within the file system's time
    /// granularity would otherwise look unchanged).
    private static func racyStampsCleared(
        _ stamps: [String: BuildManifest.InputStamp], since start: Date
    ) -> [String: BuildManifest.InputStamp] {
        let limit = Int64((start.timeIntervalSince1970 - 2) * 1_000_000_000)
        return stamps.mapValues { stamp in
            var stamp = stamp
            if stamp.modified >= limit { stamp.modified = -1 }
            return stamp
        }
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
        highlighting.cacheDirectory = options.cacheDirectory
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
