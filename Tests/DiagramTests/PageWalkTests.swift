import Diagram
import Testing

/// Diagrams a caller would build (the words are what a Portuguese figure would pass).
enum WalkFixtures {
    /// A successful 4-level walk of 0x00007f68c8bffabc through a 4 KiB page.
    static let fourLevel = PageWalkDiagram(
        heading: "endereço virtual " + .mono("0x00007f68c8bffabc"),
        fields: [
            BitStringField(label: "sinal", bits: "63:48", value: "0x0000"),
            BitStringField(label: "PML4", bits: "47:39", value: "0x0fe", link: 0),
            BitStringField(label: "PDPT", bits: "38:30", value: "0x1a3", link: 1),
            BitStringField(label: "PD", bits: "29:21", value: "0x045", link: 2),
            BitStringField(label: "PT", bits: "20:12", value: "0x1ff", link: 3),
            BitStringField(label: "deslocamento", bits: "11:0", value: "0xabc"),
        ],
        root: "CR3 = " + .mono("0x0000000000001000"),
        tables: [
            table(
                "PML4", base: "0x0000000000001000", index: "0x0fe", entry: "0x0000000000002007",
                at: "0x00000000000017f0", link: 0),
            table(
                "PDPT", base: "0x0000000000002000", index: "0x1a3", entry: "0x0000000000003007",
                at: "0x0000000000002d18", link: 1),
            table(
                "PD", base: "0x0000000000003000", index: "0x045", entry: "0x0000000000004007", at: "0x0000000000003228",
                link: 2),
            table(
                "PT", base: "0x0000000000004000", index: "0x1ff", entry: "0x0000001234567007", at: "0x0000000000004ff8",
                link: 3),
        ],
        result: [
            "endereço físico " + .mono("0x0000001234567abc"),
            "página de 4 KiB; leitura permitida; bit A ligado nas quatro entradas",
        ],
        resultIsFault: false)

    static func table(
        _ name: String, base: String, index: String, entry: String, at address: String, link: Int,
        fault: Bool = false, note: String = "P RW US"
    ) -> ChainTable {
        ChainTable(
            title: name, location: "em " + .mono(base), rowIndex: index, rowValue: entry, rowNote: note,
            detail: "entrada em " + .mono(address), link: link, isFault: fault,
            arrowLabel: "próxima: " + .mono(base))
    }

    /// LA57: seven fields, failing at the PT with a user write to a read-only page.
    static let fiveLevelFault = PageWalkDiagram(
        heading: "endereço virtual " + .mono("0xff7fffffffffe123"),
        fields: [
            BitStringField(label: "sinal", bits: "63:57", value: "0x7f"),
            BitStringField(label: "PML5", bits: "56:48", value: "0x17f", link: 0),
            BitStringField(label: "PML4", bits: "47:39", value: "0x1ff", link: 1),
            BitStringField(label: "PDPT", bits: "38:30", value: "0x1ff", link: 2),
            BitStringField(label: "PD", bits: "29:21", value: "0x1ff", link: 3),
            BitStringField(label: "PT", bits: "20:12", value: "0x1fe", link: 4),
            BitStringField(label: "deslocamento", bits: "11:0", value: "0x123"),
        ],
        tables: [
            table(
                "PML5", base: "0x0000000000001000", index: "0x17f", entry: "0x0000000000002007",
                at: "0x0000000000001bf8", link: 0),
            table(
                "PML4", base: "0x0000000000002000", index: "0x1ff", entry: "0x0000000000003007",
                at: "0x0000000000002ff8", link: 1),
            table(
                "PDPT", base: "0x0000000000003000", index: "0x1ff", entry: "0x0000000000004007",
                at: "0x0000000000003ff8", link: 2),
            table(
                "PD", base: "0x0000000000004000", index: "0x1ff", entry: "0x0000000000005007", at: "0x0000000000004ff8",
                link: 3),
            table(
                "PT", base: "0x0000000000005000", index: "0x1fe", entry: "0x8000000000006005", at: "0x0000000000005ff0",
                link: 4, fault: true, note: "P US XD"),
        ],
        result: [
            "#PF, código de erro " + .mono("0x7"),
            "escrita em modo usuário numa página somente leitura (R/W = 0 na PTE); CR2 = "
                + .mono("0xff7fffffffffe123"),
        ],
        resultIsFault: true)

    /// #GP: no walk at all.
    static let generalProtection = PageWalkDiagram(
        heading: "endereço virtual " + .mono("0x0000800000000000"),
        fields: [
            BitStringField(label: "sinal", bits: "63:48", value: "0x0000", emphasis: .danger),
            BitStringField(label: "PML4", bits: "47:39", value: "0x100"),
            BitStringField(label: "PDPT", bits: "38:30", value: "0x000"),
            BitStringField(label: "PD", bits: "29:21", value: "0x000"),
            BitStringField(label: "PT", bits: "20:12", value: "0x000"),
            BitStringField(label: "deslocamento", bits: "11:0", value: "0x000"),
        ],
        tables: [],
        result: ["#GP: endereço não canônico", "os bits 63:48 devem repetir o bit 47"], resultIsFault: true)

    /// Everything too long for one line: long labels, a long unbroken value, many fields.
    static let crowded = PageWalkDiagram(
        heading: "um título muito comprido que não cabe numa linha só de um celular estreito, de jeito nenhum",
        fields: (0..<12).map {
            BitStringField(
                label: "campo número \($0) com nome longo", bits: "\(63 - 5 * $0):\(59 - 5 * $0)",
                value: "0x\(String(repeating: "f", count: 12))", link: $0)
        },
        root: "raiz da tabela de páginas, com uma descrição longa: " + .mono("0xffffffffffffffffffffffffffffffff"),
        tables: [
            ChainTable(
                title: "Tabela com um título extremamente comprido para testar a quebra de linha no cabeçalho",
                location: "localizada em " + .mono("0x0123456789abcdef0123456789abcdef"),
                rowIndex: "0x1ff1ff1ff", rowValue: String(repeating: "0123456789abcdef", count: 5),
                rowNote: "P RW US PWT PCD A D PS G PAT XD e mais algumas palavras para encher a linha",
                detail: "entrada em " + .mono("0x0000000000004ff8") + " com um comentário que também é longo demais",
                link: 9, arrowLabel: "uma legenda de seta bem comprida: " + .mono("0xfedcba9876543210fedcba9876543210"))
        ],
        result: [
            "um resultado cuja primeira linha, em negrito, também é longa demais para caber",
            .mono(String(repeating: "abcdef0123456789", count: 6)),
        ],
        resultIsFault: false)

    static let all: [PageWalkDiagram] = [fourLevel, fiveLevelFault, generalProtection, crowded]
}

@Suite struct PageWalkLayoutTests {
    @Test(arguments: WalkFixtures.all.indices)
    func noTextOverlapsAndEverythingFits(fixture: Int) {
        let layout = PageWalkLayout(WalkFixtures.all[fixture], idPrefix: "walk")
        #expect(layout.width <= PageWalkLayout.maxWidth)
        #expect(layout.width >= PageWalkLayout.minWidth)
        for text in layout.texts {
            #expect(text.size >= 12, "\(text.text)")
            #expect(text.x >= 0 && text.x + text.width <= layout.width - 11.9, "\(text.text) leaves the canvas")
            #expect(text.top >= 0 && text.bottom <= layout.height, "\(text.text)")
        }
        let texts = layout.texts
        for i in texts.indices {
            for j in texts.indices where j > i {
                #expect(!texts[i].overlaps(texts[j]), "\"\(texts[i].text)\" overlaps \"\(texts[j].text)\"")
            }
        }
    }

    @Test(arguments: WalkFixtures.all.indices)
    func isDeterministicAndThemed(fixture: Int) {
        let diagram = WalkFixtures.all[fixture]
        let svg = PageWalkLayout(diagram, idPrefix: "walk").svg(title: "Passeio", description: "Descrição")
        #expect(svg == PageWalkLayout(diagram, idPrefix: "walk").svg(title: "Passeio", description: "Descrição"))
        // Colours only through Paint: every fill and stroke is a CSS variable or none.
        for part in svg.split(separator: ";") {
            for key in ["fill: ", "stroke: "] {
                guard let range = part.firstRange(of: key) else { continue }
                let value = part[range.upperBound...]
                #expect(value.hasPrefix("var(--fig-") || value.hasPrefix("none"), "\(part)")
            }
        }
        let fonts = svg.split(separator: "font-size: ").dropFirst().compactMap { Double($0.prefix { $0 != "p" }) }
        #expect(!fonts.isEmpty && fonts.allSatisfy { $0 >= 12 })
    }

    @Test func showsSixtyFourBitHexInFullAndInMonospace() {
        let layout = PageWalkLayout(WalkFixtures.fourLevel, idPrefix: "walk")
        let svg = layout.svg(title: "t", description: "d")
        for hex in ["0x00007f68c8bffabc", "0x0000001234567007", "0x0000000000004ff8", "0x0000001234567abc"] {
            let placed = layout.texts.filter { $0.text == hex }
            #expect(!placed.isEmpty, "\(hex) is not one whole text")
            #expect(placed.allSatisfy { $0.monospace })
            #expect(svg.contains(">\(hex)</text>"))
        }
        // The four entries of the chain, each with its index cell and flags.
        for index in ["0x0fe", "0x1a3", "0x045", "0x1ff"] {
            #expect(layout.texts.filter { $0.text == index }.count == 2)  // field value and row index
        }
        #expect(layout.texts.filter { $0.text == "P RW US" }.count == 4)
        // Success: no danger colour anywhere.
        #expect(!svg.contains("--fig-danger"))
        #expect(svg.contains("--fig-success"))
    }

    @Test func sectionsStackTopToBottom() {
        let layout = PageWalkLayout(WalkFixtures.fourLevel, idPrefix: "walk")
        func y(_ text: String) -> Double { layout.texts.first { $0.text == text }?.y ?? -1 }
        // Fields in one row, then the root, the tables in walk order, then the result.
        #expect(y("sinal") == y("deslocamento"))
        #expect(y("deslocamento") < y("0x0000000000001000"))
        let tables = ["PML4", "PDPT", "PD", "PT"].map { name in
            layout.texts.last { $0.text == name && $0.bold }?.y ?? -1
        }
        #expect(tables == tables.sorted() && !tables.contains(-1))
        #expect(y("0x0000001234567abc") > tables[3])
    }

    @Test func faultsUseTheDangerColour() {
        let fault = PageWalkLayout(WalkFixtures.fiveLevelFault, idPrefix: "walk").svg(title: "t", description: "d")
        #expect(fault.contains("fill: var(--fig-danger, #b42318); font-size: 14px; font-weight: 700"))
        #expect(fault.contains("stroke: var(--fig-danger, #b42318); stroke-width: 2"))
        #expect(fault.contains(">0x8000000000006005</text>"))
        let gp = PageWalkLayout(WalkFixtures.generalProtection, idPrefix: "gp")
        #expect(gp.texts.contains { $0.text == "#GP: endereço não canônico" && $0.bold })
        #expect(gp.svg(title: "t", description: "d").contains("--fig-danger"))
    }

    @Test func sevenFieldsFitOnOneRowAtPhoneWidth() {
        let layout = PageWalkLayout(WalkFixtures.fiveLevelFault, idPrefix: "walk")
        let labels = ["sinal", "PML5", "PML4", "PDPT", "PD", "PT", "deslocamento"]
        let ys = labels.compactMap { label in layout.texts.first { $0.text == label }?.y }
        #expect(ys.count == 7 && Set(ys).count == 1)
        #expect(layout.width <= 560)
    }

    @Test func crowdedContentWrapsInsteadOfOverflowing() {
        let layout = PageWalkLayout(WalkFixtures.crowded, idPrefix: "walk")
        #expect(layout.width == PageWalkLayout.maxWidth)
        // Twelve wide fields cannot share one row.
        let fieldRows = Set(layout.texts.filter { $0.text.hasPrefix("0xffff") }.map(\.y))
        #expect(fieldRows.count > 1)
        // The 80-digit row value is cut into pieces that, joined, give it back whole.
        let value = String(repeating: "0123456789abcdef", count: 5)
        let resultTop = layout.texts.first { $0.bold && $0.text.hasPrefix("um resultado") }?.y ?? 0
        let pieces = layout.texts.filter {
            $0.monospace && $0.y < resultTop && value.contains($0.text) && $0.text.count > 8
        }
        #expect(pieces.count > 1)
        #expect(pieces.map(\.text).joined() == value)
    }
}
