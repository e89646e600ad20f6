import CCmarkGFM
import CSystemShims
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// How a document is parsed and rendered.
public struct MarkdownOptions: Sendable, Hashable {
    /// Pass the author's raw HTML through (then GFM's tagfilter applies). Off by default: raw HTML
    /// becomes a comment and `javascript:` links are emptied.
    public var allowRawHTML: Bool
    /// Curly quotes, dashes and ellipses from their ASCII spellings.
    public var smartPunctuation: Bool
    /// Words the rendered HTML shows or speaks to readers.
    public var labels: Labels

    /// Reader-facing words in the HTML. cmark-gfm writes English ones; a site passes its language's.
    public struct Labels: Sendable, Hashable {
        /// The accessible label of the anchor link added to every heading.
        public var headingAnchor: String
        /// The accessible label of a footnote's link back to where it is cited.
        public var footnoteBackref: String
        /// The heading of the footnotes section.
        public var footnotesTitle: String
        /// The accessible labels of a task list's ticked and unticked boxes.
        public var taskDone: String
        public var taskOpen: String

        public init(
            headingAnchor: String = "Link to this section", footnoteBackref: String = "Back to content",
            footnotesTitle: String = "Notes", taskDone: String = "done", taskOpen: String = "not done"
        ) {
            self.headingAnchor = headingAnchor
            self.footnoteBackref = footnoteBackref
            self.footnotesTitle = footnotesTitle
            self.taskDone = taskDone
            self.taskOpen = taskOpen
        }
    }

    public init(allowRawHTML: Bool = false, smartPunctuation: Bool = true, labels: Labels = Labels()) {
        self.allowRawHTML = allowRawHTML
        self.smartPunctuation = smartPunctuation
        self.labels = labels
    }

    var cmarkOptions: Int32 {
        var options = CMARK_OPT_DEFAULT | CMARK_OPT_FOOTNOTES | CMARK_OPT_TABLE_PREFER_STYLE_ATTRIBUTES
        if smartPunctuation { options |= CMARK_OPT_SMART }
        if allowRawHTML { options |= CMARK_OPT_UNSAFE }
        return options
    }

    /// cmark-gfm's fixed markup → the same markup with these labels, and keyboard access to the
    /// regions that scroll sideways (code and tables: `tabindex="0"`, as WCAG 2.1.1 asks).
    var markupPatches: [(String, String)] {
        [
            ("<pre><code", "<pre tabindex=\"0\"><code"),
            ("<table>\n", "<table tabindex=\"0\">\n"),
            (
                "data-footnote-backref aria-label=\"Back to content\"",
                "data-footnote-backref aria-label=\"\(HTML.escape(labels.footnoteBackref))\""
            ),
            (
                "<section class=\"footnotes\" data-footnotes>\n",
                "<section class=\"footnotes\" data-footnotes>\n<h2 class=\"footnotes-title\">\(HTML.escape(labels.footnotesTitle))</h2>\n"
            ),
            (
                "<input type=\"checkbox\" checked=\"\" disabled=\"\" />",
                "<input type=\"checkbox\" checked=\"\" disabled=\"\" aria-label=\"\(HTML.escape(labels.taskDone))\" />"
            ),
            (
                "<input type=\"checkbox\" disabled=\"\" />",
                "<input type=\"checkbox\" disabled=\"\" aria-label=\"\(HTML.escape(labels.taskOpen))\" />"
            ),
        ]
    }
}

/// One entry of a document's table of contents.
public struct TOCEntry: Sendable, Hashable {
    /// 1 to 6, as in `<h1>`…`<h6>`.
    public let level: Int
    /// The heading's id, unique within the document.
    public let id: String
    /// The heading's text without markup.
    public let text: String
}

/// A fenced code block found in a document, with where it sits in the source file.
public struct FencedBlock {
    /// The whole info string, e.g. `sim scheduler`.
    public let info: String
    /// The code between the fences, with its final newline.
    public let code: String
    /// The 1-based line of the opening fence in the source file.
    public let line: Int
    /// The 1-based column of the opening fence.
    public let column: Int
    /// The 1-based line in the source file of the first line of `code`.
    public var codeLine: Int { line + 1 }
    /// The info string's first word (`sim`), or "" when there is none.
    public var language: String {
        String(info.split(whereSeparator: { $0 == " " || $0 == "\t" }).first ?? "")
    }
    /// The words of the info string after the first (`["scheduler"]`).
    public var arguments: [String] {
        info.split(whereSeparator: { $0 == " " || $0 == "\t" }).dropFirst().map(String.init)
    }

    fileprivate let node: OpaquePointer
    fileprivate let documentID: ObjectIdentifier
}

/// A link or image in a document, with where it is in the source file.
public struct DocumentLink: Sendable, Hashable {
    /// The destination as written (`/posts/x/#y`, `https://…`, `imagem.png`).
    public let url: String
    public let isImage: Bool
    public let line: Int
    public let column: Int
}

/// The HTML of a rendered document and its table of contents.
public struct RenderedDocument: Sendable, Hashable {
    public let html: String
    public let tableOfContents: [TOCEntry]
}

/// cmark-gfm 0.29.0.gfm.6 changes a process-global table of special characters inside
/// `cmark_parser_finish` when extensions are attached: only one finish may run at a time.
private let finishLock = Mutex(())

/// `cmark_gfm_core_extensions_ensure_registered` is not thread-safe in gfm.6; a global's lazy
/// initializer runs exactly once.
private let extensionsRegistered: Bool = {
    cmark_gfm_core_extensions_ensure_registered()
    return true
}()

private let extensionNames = ["table", "strikethrough", "autolink", "tagfilter", "tasklist"]

/// A parsed Markdown document: a cmark-gfm tree that can be searched for fenced blocks, have
/// blocks replaced by generated HTML, and be rendered once.
///
/// A `Document` is used by one thread at a time; different documents may be parsed and rendered
/// in parallel.
public final class Document {
    private let parser: OpaquePointer
    private let root: OpaquePointer
    private let options: MarkdownOptions
    private let lineOffset: Int
    /// Nodes taken out of the tree. Inline literals borrow their block's buffer, so they are freed
    /// only with the document.
    private var detached: [OpaquePointer] = []
    /// The nodes the methods below look for, found in one walk of the tree; nil after a change.
    private var nodeIndex: NodeIndex?
    private var textConsolidated = false

    private struct NodeIndex {
        var codeBlocks: [OpaquePointer] = []
        var headings: [OpaquePointer] = []
        var texts: [OpaquePointer] = []
        var links: [OpaquePointer] = []
    }
    /// The parsed text, to turn cmark's byte columns into character columns.
    private let source: String
    private lazy var sourceBytes = Array(source.utf8)
    private lazy var lineStarts: [Int] = {
        var starts = [0]
        var text = source
        text.withUTF8 { bytes in
            guard let base = bytes.baseAddress else { return }
            var offset = 0
            while offset < bytes.count, let newline = memchr(base + offset, 0x0A, bytes.count - offset) {
                offset = base.distance(to: newline.assumingMemoryBound(to: UInt8.self)) + 1
                starts.append(offset)
            }
        }
        return starts
    }()

    /// Parses `text`. `lineOffset` is the number of lines in the file before `text` (a front
    /// matter block), so reported line numbers are those of the file.
    public init(parsing text: String, options: MarkdownOptions = MarkdownOptions(), lineOffset: Int = 0) {
        precondition(extensionsRegistered)
        self.options = options
        self.lineOffset = lineOffset
        self.source = text
        guard let parser = cmark_parser_new(options.cmarkOptions) else {
            fatalError("cmark_parser_new failed: out of memory")
        }
        for name in extensionNames {
            if let syntaxExtension = cmark_find_syntax_extension(name) {
                cmark_parser_attach_syntax_extension(parser, syntaxExtension)
            }
        }
        var text = text
        text.withUTF8 { buffer in
            buffer.withMemoryRebound(to: CChar.self) { chars in
                if let base = chars.baseAddress { cmark_parser_feed(parser, base, chars.count) }
            }
        }
        // Pointers are not Sendable; cross the lock as their bit patterns.
        let parserBits = UInt(bitPattern: parser)
        let rootBits = finishLock.withLock { _ in
            UInt(bitPattern: cmark_parser_finish(OpaquePointer(bitPattern: parserBits)))
        }
        guard let root = OpaquePointer(bitPattern: rootBits) else {
            fatalError("cmark_parser_finish failed: out of memory")
        }
        self.parser = parser
        self.root = root
    }

    deinit {
        for node in detached { cmark_node_free(node) }
        cmark_node_free(root)
        cmark_parser_free(parser)
    }

    /// Every fenced code block, in document order.
    public func fencedBlocks() -> [FencedBlock] {
        indexedNodes().codeBlocks.compactMap { node in
            var length: Int32 = 0
            var offset: Int32 = 0
            var character: CChar = 0
            guard cmark_node_get_fenced(node, &length, &offset, &character) != 0 else { return nil }
            return FencedBlock(
                info: string(cmark_node_get_fence_info(node)),
                code: string(cmark_node_get_literal(node)),
                line: Int(cmark_node_get_start_line(node)) + lineOffset,
                column: column(line: cmark_node_get_start_line(node), byte: Int(cmark_node_get_start_column(node))),
                node: node,
                documentID: ObjectIdentifier(self)
            )
        }
    }

    /// For each line of `block.code`, the characters of its line in the file before it: the
    /// indentation cmark-gfm removed, which is at most the fence's (a line indented less lost
    /// less, and keeps its column). It is negative when a tab partly removed left more spaces
    /// than the characters it replaced: add it to a column, then keep the result at 1 or more.
    public func contentColumnOffsets(of block: FencedBlock) -> [Int] {
        let codeLines = block.code.split(separator: "\n", omittingEmptySubsequences: false)
        let utf8 = source.utf8
        // cmark-gfm reads a NUL as U+FFFD.
        let same = { (file: Unicode.Scalar, code: Unicode.Scalar) in
            file == code || (file == "\0" && code == "\u{FFFD}")
        }
        var offsets: [Int] = []
        for (index, codeLine) in codeLines.enumerated() {
            let sourceLine = block.codeLine + index - lineOffset - 1
            guard sourceLine >= 0, sourceLine < lineStarts.count else { break }
            let start = utf8.index(utf8.startIndex, offsetBy: lineStarts[sourceLine])
            let end =
                sourceLine + 1 < lineStarts.count
                ? utf8.index(utf8.startIndex, offsetBy: lineStarts[sourceLine + 1] - 1) : utf8.endIndex
            let fileLine = source.unicodeScalars[start..<end]
            let removed = fileLine.count - codeLine.unicodeScalars.count
            let unindented = codeLine.unicodeScalars.drop { $0 == " " }
            if removed >= 0, fileLine.reversed().starts(with: codeLine.unicodeScalars.reversed(), by: same) {
                offsets.append(removed)
            } else if fileLine.reversed().starts(with: unindented.reversed(), by: same) {
                // A tab partly taken as indentation comes out as the spaces left of its width, so
                // the line in the code can be longer than in the file (a negative offset): the text
                // after those spaces keeps its columns, and the spaces fall on the tab or before.
                offsets.append(removed)
            } else {
                // Not met so far: count what cmark-gfm could have removed, never past the line's own
                // indentation.
                offsets.append(min(block.column - 1, fileLine.prefix { $0 == " " || $0 == "\t" }.count))
            }
        }
        return offsets
    }

    /// Fenced code blocks whose info string's first word is `language` (e.g. `sim`).
    public func fencedBlocks(language: String) -> [FencedBlock] {
        fencedBlocks().filter { $0.language == language }
    }

    /// Replaces `block` with `html`, which is emitted verbatim even when raw HTML is off: use it
    /// for HTML the generator itself makes (figures), never for an author's text.
    public func replace(_ block: FencedBlock, withHTML html: String) {
        precondition(block.documentID == ObjectIdentifier(self), "block belongs to another document")
        replace(block.node, withHTML: html)
    }

    /// Every link and image, in document order (call before `render`, which rewrites headings).
    public func links() -> [DocumentLink] {
        indexedNodes().links.map { node in
            DocumentLink(
                url: string(cmark_node_get_url(node)), isImage: cmark_node_get_type(node) == CMARK_NODE_IMAGE,
                line: Int(cmark_node_get_start_line(node)) + lineOffset,
                column: column(line: cmark_node_get_start_line(node), byte: Int(cmark_node_get_start_column(node))))
        }
    }

    /// Replaces each `prefix` + id in the text (`@fig-rr-q2`: prefix `@fig-`, id `rr-q2`) with the
    /// HTML `resolve` returns for it, or leaves it as it is when `resolve` returns nil. Ids are
    /// runs of letters, digits, `-` and `_`, not ending in `-`; code spans and blocks are not
    /// searched. `resolve` gets the id and the reference's place in the file.
    public func replaceReferences(
        prefix: String, resolve: (_ id: String, _ line: Int, _ column: Int) -> String?
    ) {
        let prefixBytes = Array(prefix.utf8)
        guard !prefixBytes.isEmpty else { return }
        // References come in document order: each is in the source after the one before.
        var searchedTo = 0
        for node in indexedNodes().texts {
            // Most text has no reference: look for the prefix in C before building anything.
            guard let raw = cmark_node_get_literal(node), strstr(raw, prefix) != nil else { continue }
            let literal = Array(string(raw).utf8)
            var pieces: [(text: [UInt8], html: String?)] = []
            var copied = 0
            var index = 0
            while index + prefixBytes.count <= literal.count {
                guard literal[index..<index + prefixBytes.count].elementsEqual(prefixBytes) else {
                    index += 1
                    continue
                }
                var end = index + prefixBytes.count
                while end < literal.count, isIDByte(literal[end]) { end += 1 }
                while end > index + prefixBytes.count, literal[end - 1] == UInt8(ascii: "-") { end -= 1 }
                let id = String(decoding: literal[(index + prefixBytes.count)..<end], as: UTF8.self)
                let (line, column) = sourcePosition(
                    of: literal[index..<end], estimatedLine: Int(cmark_node_get_start_line(node)),
                    byte: Int(cmark_node_get_start_column(node)) + index, after: &searchedTo)
                if !id.isEmpty, let html = resolve(id, line + lineOffset, column) {
                    pieces.append((Array(literal[copied..<index]), nil))
                    pieces.append(([], html))
                    copied = end
                }
                index = max(end, index + 1)
            }
            guard copied > 0 else { continue }
            pieces.append((Array(literal[copied...]), nil))
            for piece in pieces {
                let inserted: OpaquePointer?
                if let html = piece.html {
                    inserted = cmark_node_new(CMARK_NODE_CUSTOM_INLINE)
                    cmark_node_set_on_enter(inserted, html)
                    cmark_node_set_on_exit(inserted, "")
                } else if !piece.text.isEmpty {
                    inserted = cmark_node_new(CMARK_NODE_TEXT)
                    cmark_node_set_literal(inserted, String(decoding: piece.text, as: UTF8.self))
                } else {
                    continue
                }
                cmark_node_insert_before(node, inserted)
            }
            cmark_node_unlink(node)
            detached.append(node)
            nodeIndex = nil
        }
    }

    /// Gives every heading a unique id and an anchor link, and renders the document to HTML.
    public func render() -> RenderedDocument {
        var used: [String: Int] = [:]
        var toc: [TOCEntry] = []
        for heading in indexedNodes().headings {
            let level = Int(cmark_node_get_heading_level(heading))
            let text = collapseWhitespace(rendered(cmark_render_plaintext(heading, 0, 0)))
            let id = uniqueID(for: text, used: &used)
            toc.append(TOCEntry(level: level, id: id, text: text))
            var html = rendered(cmark_render_html(heading, options.cmarkOptions, extensions))
            while html.last == "\n" { html.removeLast() }
            let openTag = "<h\(level)>"
            let closeTag = "</h\(level)>"
            guard html.hasPrefix(openTag), html.hasSuffix(closeTag) else { continue }
            let inner = html.dropFirst(openTag.count).dropLast(closeTag.count)
            let anchor =
                "<a class=\"heading-anchor\" href=\"#\(id)\" aria-label=\"\(HTML.escape(options.labels.headingAnchor))\">#</a>"
            replace(heading, withHTML: "<h\(level) id=\"\(id)\">\(inner) \(anchor)</h\(level)>\n")
        }
        // Patched straight from cmark's buffer: the text is made (and checked as UTF-8) once.
        guard let pointer = cmark_render_html(root, options.cmarkOptions, extensions) else {
            return RenderedDocument(html: "", tableOfContents: toc)
        }
        defer { free(pointer) }
        let bytes = UnsafeRawBufferPointer(start: pointer, count: strlen(pointer)).bindMemory(to: UInt8.self)
        let html = replacingOccurrences(options.markupPatches, in: bytes)
        return RenderedDocument(html: html, tableOfContents: toc)
    }

    // MARK: - Internals

    /// The 1-based character (Unicode scalar) column of cmark's 1-based byte column on a line of
    /// the parsed text, as editors count columns and as the YAML reader reports them.
    private func column(line: Int32, byte: Int) -> Int {
        let lineIndex = Int(line) - 1
        guard lineIndex >= 0, lineIndex < lineStarts.count, byte > 1 else { return byte }
        let start = lineStarts[lineIndex]
        let utf8 = source.utf8
        guard let from = utf8.index(utf8.startIndex, offsetBy: start, limitedBy: utf8.endIndex),
            let to = utf8.index(from, offsetBy: byte - 1, limitedBy: utf8.endIndex)
        else { return byte }
        return source.unicodeScalars[from..<to].count + 1
    }

    /// The line and character column in the parsed text of `text`, which a text node holds at
    /// cmark's 1-based line `estimatedLine` and byte column `byte`. cmark-gfm 0.29's positions of
    /// inline nodes drift after an inline that spans lines (a code span, a link) and can point
    /// past the end of a line or at the wrong one, so the occurrence of `text` in the source
    /// from byte offset `after` on that is nearest to the estimate wins (and `after` moves past
    /// it); when there is none (the source spells it with an escape or an entity), the estimate,
    /// moved inside the text.
    private func sourcePosition(
        of text: ArraySlice<UInt8>, estimatedLine: Int, byte: Int, after searchedTo: inout Int
    ) -> (line: Int, column: Int) {
        let bytes = sourceBytes
        var best: (distance: (Int, Int), line: Int, byte: Int, end: Int)?
        var offset = searchedTo
        while let first = text.first, offset + text.count <= bytes.count {
            if bytes[offset] == first, bytes[offset..<offset + text.count].elementsEqual(text) {
                // The last line starting at or before `offset` (lineStarts is sorted, starts with 0).
                var low = 0
                var high = lineStarts.count - 1
                while low < high {
                    let middle = (low + high + 1) / 2
                    if lineStarts[middle] <= offset { low = middle } else { high = middle - 1 }
                }
                let line = low + 1
                let lineByte = offset - lineStarts[low] + 1
                let distance = (abs(line - estimatedLine), abs(lineByte - byte))
                if best.map({ distance < $0.distance }) ?? true {
                    best = (distance, line, lineByte, offset + text.count)
                }
            }
            offset += 1
        }
        if let best {
            searchedTo = best.end
            return (best.line, column(line: Int32(best.line), byte: best.byte))
        }
        let line = min(max(estimatedLine, 1), lineStarts.count)
        let lineEnd = line < lineStarts.count ? lineStarts[line] - 1 : bytes.count
        let lineLength = lineEnd - lineStarts[line - 1]
        return (line, column(line: Int32(line), byte: min(max(byte, 1), lineLength + 1)))
    }

    private var extensions: UnsafeMutablePointer<cmark_llist>? {
        cmark_parser_get_syntax_extensions(parser)
    }

    /// Code blocks, headings, text nodes (adjacent ones merged first) and links and images, in
    /// document order, from one walk of the tree made again only after the tree changed.
    private func indexedNodes() -> NodeIndex {
        if let nodeIndex { return nodeIndex }
        if !textConsolidated {
            // Once, as parsed: text this class inserts later (around references) stays as it is.
            cmark_consolidate_text_nodes(root)
            textConsolidated = true
        }
        var index = NodeIndex()
        if let iterator = cmark_iter_new(root) {
            defer { cmark_iter_free(iterator) }
            while true {
                let event = cmark_iter_next(iterator)
                if event == CMARK_EVENT_DONE { break }
                guard event == CMARK_EVENT_ENTER, let node = cmark_iter_get_node(iterator) else { continue }
                switch cmark_node_get_type(node) {
                case CMARK_NODE_TEXT: index.texts.append(node)
                case CMARK_NODE_CODE_BLOCK: index.codeBlocks.append(node)
                case CMARK_NODE_HEADING: index.headings.append(node)
                case CMARK_NODE_LINK, CMARK_NODE_IMAGE: index.links.append(node)
                default: break
                }
            }
        }
        nodeIndex = index
        return index
    }

    private func replace(_ node: OpaquePointer, withHTML html: String) {
        guard let custom = cmark_node_new(CMARK_NODE_CUSTOM_BLOCK) else {
            fatalError("cmark_node_new failed: out of memory")
        }
        cmark_node_set_on_enter(custom, html)
        cmark_node_set_on_exit(custom, "")
        cmark_node_replace(node, custom)
        detached.append(node)
        nodeIndex = nil
    }

    private func uniqueID(for text: String, used: inout [String: Int]) -> String {
        var base = Slug.make(text)
        if base.isEmpty { base = "secao" }
        guard let count = used[base] else {
            used[base] = 1
            return base
        }
        var suffix = count
        var candidate = "\(base)-\(suffix)"
        while used[candidate] != nil {
            suffix += 1
            candidate = "\(base)-\(suffix)"
        }
        used[base] = suffix + 1
        used[candidate] = 1
        return candidate
    }
}

private func isIDByte(_ byte: UInt8) -> Bool {
    (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
        || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "-")
        || byte == UInt8(ascii: "_")
}

private func string(_ pointer: UnsafePointer<CChar>?) -> String {
    guard let pointer else { return "" }
    return String(cString: pointer)
}

/// Takes ownership of a string cmark allocated with malloc.
private func rendered(_ pointer: UnsafeMutablePointer<CChar>?) -> String {
    guard let pointer else { return "" }
    defer { free(pointer) }
    return String(cString: pointer)
}

private func collapseWhitespace(_ text: String) -> String {
    text.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" })
        .joined(separator: " ")
}

/// `text` with every occurrence of each pattern replaced, in one pass over its UTF-8 bytes (no
/// Unicode normalization: the patterns are ASCII markup here). At each position the first pattern
/// that matches wins; replaced text is not scanned again.
func replacingOccurrences(_ patches: [(String, String)], in text: String) -> String {
    var text = text
    return text.withUTF8 { replacingOccurrences(patches, in: $0) }
}

/// The same over UTF-8 bytes. Each pattern is found with `memmem` (far faster than looking at
/// every byte that could start one: `<` and `d` are everywhere in HTML and Portuguese), then the
/// matches are taken in order of position, the first pattern winning at a position, skipping
/// those that overlap a replaced one.
func replacingOccurrences(_ patches: [(String, String)], in bytes: UnsafeBufferPointer<UInt8>) -> String {
    let patterns = patches.map { (Array($0.0.utf8), Array($0.1.utf8)) }.filter { !$0.0.isEmpty }
    guard let base = bytes.baseAddress else { return "" }
    let count = bytes.count
    var matches: [(position: Int, pattern: Int)] = []
    for (index, (needle, _)) in patterns.enumerated() {
        needle.withUnsafeBytes { needleBytes in
            var from = 0
            while from + needle.count <= count,
                let found = prensa_memmem(base + from, count - from, needleBytes.baseAddress, needle.count)
            {
                let position = base.distance(to: found.assumingMemoryBound(to: UInt8.self))
                matches.append((position, index))
                from = position + 1
            }
        }
    }
    guard !matches.isEmpty else { return String(decoding: bytes, as: UTF8.self) }
    matches.sort { ($0.position, $0.pattern) < ($1.position, $1.pattern) }
    var output: [UInt8] = []
    output.reserveCapacity(count + 64 * matches.count)
    var copied = 0
    for match in matches where match.position >= copied {
        output.append(contentsOf: UnsafeBufferPointer(start: base + copied, count: match.position - copied))
        output.append(contentsOf: patterns[match.pattern].1)
        copied = match.position + patterns[match.pattern].0.count
    }
    output.append(contentsOf: UnsafeBufferPointer(start: base + copied, count: count - copied))
    return String(decoding: output, as: UTF8.self)
}
