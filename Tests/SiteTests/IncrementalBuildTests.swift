import Foundation
import Testing

@testable import Site

private func inode(_ path: String) -> UInt64? {
    fileIdentity(path).map(\.1)
}

/// A small blog: five posts over two tags and a series, and a static file.
private func makeBlog() throws -> TestSite {
    let site = try TestSite()
    for number in 1...5 {
        let tags = number % 2 == 0 ? "tags: [Kernel, Memória]\n" : "tags: [Kernel]\n"
        let series = number <= 3 ? "series: Por dentro\npart: \(number)\n" : ""
        try site.post(
            "post-\(number)", title: "Post número \(number)", date: "2026-01-0\(number)", extra: tags + series,
            body: "## Seção\n\nTexto do post \(number), com [um link](/posts/post-1/).\n")
    }
    try site.write("content/imagens/logo.txt", "logo\n")
    return site
}

@Suite struct IncrementalBuildTests {
    @Test func aRebuildWithNothingChangedTouchesNothing() throws {
        let site = try makeBlog()
        defer { site.delete() }
        let first = try site.build()
        #expect(!first.upToDate && first.filesWritten > 0 && first.filesUnchanged == 0)
        let folder = inode(site.root + "/public")
        let page = inode(site.root + "/public/posts/post-2/index.html")
        let second = try site.build()
        #expect(second.upToDate)
        #expect(second.filesWritten == 0 && second.filesUnchanged == first.filesWritten)
        // Not even swapped: the same folder and files.
        #expect(inode(site.root + "/public") == folder)
        #expect(inode(site.root + "/public/posts/post-2/index.html") == page)
    }

    @Test func touchingAFileWithoutChangingItIsNotAChange() throws {
        let site = try makeBlog()
        defer { site.delete() }
        try site.build()
        let path = site.root + "/content/posts/post-3.md"
        try FileManager.default.setAttributes(
            [.modificationDate: Date(timeIntervalSince1970: 1_000_000)], ofItemAtPath: path)
        #expect(try site.build().upToDate)
        // The new time is recorded: the next build does not read the file again to know.
        #expect(try site.build().upToDate)
    }

    @Test func editingOnePostWritesOnlyThePagesThatShowIt() throws {
        let site = try makeBlog()
        defer { site.delete() }
        let first = try site.build()
        let untouched = inode(site.root + "/public/posts/post-1/index.html")
        try site.post(
            "post-5", title: "Post número 5", date: "2026-01-05", extra: "tags: [Kernel]\n",
            body: "## Seção\n\nTexto novo do post 5.\n")
        let second = try site.build()
        #expect(!second.upToDate)
        #expect(try site.read("posts/post-5/index.html").contains("Texto novo do post 5."))
        // The post's own page changed; its list pages show only its description, which did not.
        #expect(second.filesWritten >= 1 && second.filesWritten < 6)
        #expect(second.filesWritten + second.filesUnchanged == first.filesWritten)
        // An unchanged page is the same file, linked into the new output.
        #expect(inode(site.root + "/public/posts/post-1/index.html") == untouched)
    }

    /// After each change, the incremental build's output is byte for byte a cold build's.
    @Test func incrementalBuildsEqualColdBuilds() throws {
        let site = try makeBlog()
        defer { site.delete() }
        let cold = site.root + "/cold"
        func compare(_ step: String) throws {
            let incremental = try site.build()
            #expect(!incremental.upToDate, "\(step)")
            try? FileManager.default.removeItem(atPath: cold)
            try site.build(output: cold, useCache: false)
            let built = try site.snapshot("public")
            let expected = try site.snapshot("cold")
            #expect(built.keys.sorted() == expected.keys.sorted(), "\(step)")
            for (path, data) in expected where built[path] != data {
                Issue.record("\(step): \(path) differs from a cold build")
            }
        }
        try site.build()
        try site.post(
            "post-2", title: "Post dois, com título novo", date: "2026-01-02", extra: "tags: [Memória, Rede]\n")
        try compare("title and tags edited")
        try site.post("post-6", title: "Post seis", date: "2026-02-01", extra: "tags: [Rede]\nseries: Por dentro\n")
        try compare("post added")
        try site.remove("content/posts/post-4.md")
        try compare("post deleted")
        for path in ["tags/memoria/index.html", "feed.xml", "feed.json", "sitemap.xml", "index.html"] {
            #expect(try !site.read(path).contains("post-4"), "\(path) still lists the deleted post")
        }
        try site.remove("content/imagens/logo.txt")
        try site.write("content/imagens/novo.txt", "novo\n")
        try compare("static file replaced")
        let footer = try String(contentsOfFile: site.root + "/templates/partials/footer.mustache", encoding: .utf8)
        try site.write("templates/partials/footer.mustache", footer + "<!-- rodapé novo -->\n")
        try compare("template edited")
        try site.write("content/site.yml", TestSite.defaultConfig + "feed_limit: 2\n")
        try compare("site.yml edited")
    }

    @Test func anOutputFolderReplacedOrDeletedIsBuiltAgainInFull() throws {
        let site = try makeBlog()
        defer { site.delete() }
        let first = try site.build()
        try FileManager.default.removeItem(atPath: site.root + "/public")
        let second = try site.build()
        #expect(!second.upToDate && second.filesUnchanged == 0 && second.filesWritten == first.filesWritten)
        #expect(site.exists("posts/post-1/index.html"))
    }

    @Test func changedOptionsAreAChange() throws {
        let site = try makeBlog()
        defer { site.delete() }
        try site.post("rascunho", title: "Rascunho", date: "2026-01-09", extra: "draft: true\n")
        try site.build()
        #expect(!site.exists("posts/rascunho/index.html"))
        #expect(try !site.build(drafts: true).upToDate)
        #expect(site.exists("posts/rascunho/index.html"))
        #expect(try !site.build(baseURL: "https://outro.example/").upToDate)
        #expect(try site.read("feed.xml").contains("https://outro.example/"))
    }

    @Test func noCacheAlwaysBuildsEverything() throws {
        let site = try makeBlog()
        defer { site.delete() }
        let first = try site.build()
        let again = try site.build(useCache: false)
        #expect(!again.upToDate && again.filesWritten == first.filesWritten && again.filesUnchanged == 0)
    }

    /// The site a build replaces is kept in the cache and becomes the next build's staging folder:
    /// only what differs from it is written, and the live site, whose files it shares, is never
    /// written through them.
    @Test func theReplacedSiteIsRecycledWithoutTouchingTheLiveOne() throws {
        let site = try makeBlog()
        defer { site.delete() }
        try site.build()
        let firstFolder = inode(site.root + "/public")
        try site.post("post-1", title: "Post número 1", date: "2026-01-01", body: "Primeira edição.\n")
        try site.build()
        let kept = try #require(
            try FileManager.default.contentsOfDirectory(atPath: site.root + "/.prensa-cache").first {
                $0.hasSuffix("-previous-output")
            })
        #expect(inode(site.root + "/.prensa-cache/" + kept) == firstFolder, "the first site is kept")
        let live = try tree(site.root + "/public")

        // A post edited, one deleted (its folder goes), one added, and a file that becomes a folder.
        try site.post("post-2", title: "Post número 2", date: "2026-01-02", body: "Segunda edição.\n")
        try site.remove("content/posts/post-4.md")
        try site.post("post-6", title: "Post seis", date: "2026-02-01", extra: "tags: [Rede]\n")
        try site.remove("content/imagens/logo.txt")
        try site.write("content/imagens/logo.txt/dentro.txt", "agora é uma pasta\n")
        let third = try site.build()
        #expect(inode(site.root + "/public") == firstFolder, "the new site was made in the recycled folder")
        #expect(third.filesUnchanged > 0 && third.filesWritten > 0)
        #expect(try tree(site.root + "/.prensa-cache/" + kept) == live, "the replaced site changed while it was live")

        try site.build(output: site.root + "/cold", useCache: false)
        #expect(try tree(site.root + "/public") == tree(site.root + "/cold"))
        #expect(!site.exists("posts/post-4/index.html") && !site.exists("posts/post-4"))
        #expect(try site.read("imagens/logo.txt/dentro.txt") == "agora é uma pasta\n")
    }
}

/// Every folder and file under `root` (folders with a trailing slash), with the files' bytes.
private func tree(_ root: String) throws -> [String: Data] {
    var entries: [String: Data] = [:]
    let manager = FileManager.default
    for case let relative as String in manager.enumerator(atPath: root)! {
        var isFolder: ObjCBool = false
        _ = manager.fileExists(atPath: root + "/" + relative, isDirectory: &isFolder)
        if isFolder.boolValue {
            entries[relative + "/"] = Data()
        } else {
            entries[relative] = try Data(contentsOf: URL(fileURLWithPath: root + "/" + relative))
        }
    }
    return entries
}
