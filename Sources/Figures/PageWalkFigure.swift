import Diagram
import Simulation
import Support

/// ```` ```sim page-walk ````: x86-64 (4- or 5-level) or a generic N-level page-table walk.
struct PageWalkFigure: FigureKind {
    let name = "page-walk"
    let version = 1
    let keys = [
        "mode", "cr3", "entries", "wp", "nxe", "maxphyaddr", "accesses", "tlb", "show",
        "levels", "offset_bits", "entry_bytes", "valid_bit", "pfn_bits", "pfn_shift", "root_pfn", "memory",
        "addresses",
    ]

    private static let x86Keys = ["cr3", "entries", "wp", "nxe", "maxphyaddr", "accesses"]
    private static let genericKeys = [
        "levels", "offset_bits", "entry_bytes", "valid_bit", "pfn_bits", "pfn_shift", "root_pfn", "memory", "addresses",
    ]

    func make(spec: inout YAMLFields, info: FigureInfo) -> FigureContent? {
        let mode = spec.string("mode") ?? "x86-64"
        let tlb = readTLB(&spec)
        switch mode {
        case "x86-64", "x86-64-la57":
            rejectKeys(Self.genericKeys, for: mode, in: &spec)
            return makeX86(spec: &spec, info: info, fiveLevel: mode == "x86-64-la57", tlb: tlb)
        case "generic":
            rejectKeys(Self.x86Keys, for: mode, in: &spec)
            return makeGeneric(spec: &spec, info: info, tlb: tlb)
        default:
            spec.error("unknown mode '\(mode)'; use x86-64, x86-64-la57 or generic", atKey: "mode")
            return nil
        }
    }

    private func rejectKeys(_ keys: [String], for mode: String, in spec: inout YAMLFields) {
        for key in keys where spec.has(key) {
            spec.error("'\(key)' does not apply to mode \(mode)", atKey: key)
        }
    }

    private func readTLB(_ spec: inout YAMLFields) -> TLBConfiguration?? {
        guard var fields = spec.mapping("tlb", knownKeys: ["entries", "policy"]) else { return .some(nil) }
        fields.requireMissing(["entries"])
        let entries = fields.integer("entries", in: 1...4096)
        var policy = TLBPolicy.lru
        if let name = fields.string("policy") {
            if let value = TLBPolicy(rawValue: name) {
                policy = value
            } else {
                fields.error("unknown TLB policy '\(name)'; use lru or fifo", atKey: "policy")
            }
        }
        spec.absorb(fields)
        guard let entries, fields.parsed, !fields.log.hasErrors else { return nil }
        return .some(TLBConfiguration(entries: entries, policy: policy))
    }

    private func showIndex(_ spec: inout YAMLFields, count: Int) -> Int? {
        guard spec.has("show") else { return 0 }
        guard let show = spec.integer("show", in: 1...max(1, count)) else { return nil }
        return show - 1
    }

    // MARK: - x86-64

    private func makeX86(
        spec: inout YAMLFields, info: FigureInfo, fiveLevel: Bool, tlb: TLBConfiguration??
    ) -> FigureContent? {
        spec.requireMissing(["cr3", "accesses"])
        let cr3 = spec.uint64("cr3")
        let entries = spec.uint64Map("entries", maxCount: PagingLimits.maxX86Entries) ?? []
        let writeProtect = spec.bool("wp") ?? true
        let noExecute = spec.bool("nxe") ?? true
        let maxPhysical = spec.integer("maxphyaddr", in: 32...52) ?? 46
        var accesses: [X86Access] = []
        for var item in spec.mappingList(
            "accesses", knownKeys: ["va", "op", "user"], maxCount: PagingLimits.maxAccesses)
            ?? []
        {
            item.requireMissing(["va"])
            let address = item.uint64("va")
            var kind = AccessKind.read
            if let op = item.string("op") {
                if let value = AccessKind(rawValue: op) {
                    kind = value
                } else {
                    item.error("unknown access '\(op)'; use read, write or exec", atKey: "op")
                }
            }
            let user = item.bool("user") ?? false
            spec.absorb(item)
            if let address { accesses.append(X86Access(address: address, kind: kind, user: user)) }
        }
        guard let cr3, let tlb, !spec.log.hasErrors else { return nil }
        guard !accesses.isEmpty else {
            spec.error("'accesses' needs at least one access", atKey: "accesses")
            return nil
        }
        var table: [UInt64: UInt64] = [:]
        for (address, entry) in entries {
            if table[address] != nil {
                spec.error("entry address \(pagingHex(address)) is given twice", atKey: "entries")
            }
            table[address] = entry
        }
        let configuration = X86PagingConfiguration(
            mode: fiveLevel ? .fiveLevel : .fourLevel, cr3: cr3, writeProtect: writeProtect, noExecute: noExecute,
            physicalAddressBits: maxPhysical, entries: table, tlb: tlb)
        let translations: [X86Translation]
        do {
            translations = try X86PageWalker.simulate(configuration, accesses: accesses)
        } catch {
            spec.error("\(error)", at: spec.start)
            return nil
        }
        guard let shown = showIndex(&spec, count: translations.count), !spec.log.hasErrors else { return nil }
        let modeName = fiveLevel ? "x86-64 com 5 níveis (LA57)" : "x86-64 com 4 níveis"
        let focus = translations[shown]
        let diagram = x86Diagram(focus, cr3: cr3)
        let description =
            "Tradução de \(countText(translations.count, "acesso", "acessos")) com paginação \(modeName). "
            + "Em destaque, \(accessText(focus.access)) de \(pagingHex(focus.access.address)): \(x86Outcome(focus))."
        return FigureContent(
            svg: PageWalkLayout(diagram, idPrefix: info.elementID).svg(title: info.title, description: description),
            description: description,
            table: DataTable(
                columns: ["Acesso", "Endereço virtual", "Resultado", "Endereço físico", "Página", "TLB"],
                rows: translations.enumerated().map { index, translation in
                    [
                        "\(index + 1). \(accessText(translation.access))",
                        pagingHex(translation.access.address, digits: 16),
                        x86ResultText(translation), translation.physicalAddress.map { pagingHex($0) } ?? "—",
                        translation.pageSize.map(pageSizeText) ?? "—", tlbText(translation.tlb),
                    ]
                }),
            json: .object(["accesses": .array(translations.map(x86JSON))]))
    }

    private func x86Diagram(_ translation: X86Translation, cr3: UInt64) -> PageWalkDiagram {
        let faultLevel = translation.fault.flatMap(faultLevelOf)
        var links: [Int: Int] = [:]
        for (position, step) in translation.steps.enumerated() { links[step.level.rawValue] = position }
        let fields = translation.fields.map { field -> BitStringField in
            var link: Int?
            if case .index = field.role, let level = x86Level(named: field.name) { link = links[level.rawValue] }
            let emphasis: BitStringField.Emphasis =
                translation.fault == .nonCanonical && field.role == .signExtension ? .danger : .normal
            return BitStringField(
                label: fieldLabel(field), bits: "\(field.highBit)–\(field.lowBit)", value: pagingHex(field.value),
                link: link, emphasis: emphasis)
        }
        let tables = translation.steps.enumerated().map { position, step -> ChainTable in
            let detail: WalkText
            if !step.present {
                detail = "não presente (P = 0)"
            } else if step.isLeaf, let base = step.physicalBase, let shift = step.level.leafPageShift {
                detail = WalkText("página de \(pageSizeText(1 << UInt64(shift))) em ") + .mono(pagingHex(base))
            } else if let base = step.physicalBase {
                detail = "próxima tabela em " + .mono(pagingHex(base))
            } else {
                detail = "—"
            }
            return ChainTable(
                title: step.level.tableName, location: "em " + .mono(pagingHex(step.tableBase)),
                rowIndex: "[\(step.index)]", rowValue: pagingHex(step.entry, digits: 16),
                rowNote: step.flags.names.isEmpty ? "sem flags" : step.flags.names.joined(separator: " "),
                detail: detail, link: position, isFault: faultLevel == step.level)
        }
        var result: [WalkText]
        switch translation.result {
        case .ok:
            result = ["Endereço físico " + .mono(pagingHex(translation.physicalAddress ?? 0))]
            if let size = translation.pageSize { result.append(WalkText("página de \(pageSizeText(size))")) }
            if translation.tlb?.hit == true { result.append("acerto na TLB: nenhuma tabela lida") }
            if !translation.updates.isEmpty {
                result.append(
                    WalkText(
                        "bits A/D atualizados em \(countText(translation.updates.count, "entrada", "entradas"))"))
            }
        case .pageFault:
            result = ["Falta de página (#PF): " + WalkText(faultText(translation.fault))]
            if let code = translation.errorCode {
                result.append("código de erro " + .mono(pagingHex(code.value)) + WalkText(" (\(errorCodeText(code)))"))
            }
        case .generalProtection:
            result = ["Proteção geral (#GP): endereço não canônico, nenhuma tabela lida"]
        }
        return PageWalkDiagram(
            heading: WalkText(capitalized(accessText(translation.access)) + " de ")
                + .mono(pagingHex(translation.access.address, digits: 16)),
            fields: fields, root: "CR3 = " + .mono(pagingHex(cr3)), tables: tables, result: result,
            resultIsFault: translation.result != .ok)
    }

    private func x86JSON(_ translation: X86Translation) -> JSON {
        var members: [JSONMember] = [
            JSONMember("va", .unsigned(translation.access.address)),
            JSONMember(
                "steps",
                .array(
                    translation.steps.map { step in
                        .object([
                            "level": .integer(Int64(step.level.rawValue)), "index": .integer(Int64(step.index)),
                            "entry_address": .unsigned(step.entryAddress), "entry": .unsigned(step.entry),
                            "present": .bool(step.present),
                        ])
                    })),
            JSONMember("result", .string(translation.result.rawValue)),
        ]
        if let pa = translation.physicalAddress { members.append(JSONMember("pa", .unsigned(pa))) }
        if let size = translation.pageSize { members.append(JSONMember("page_size", .unsigned(size))) }
        if let code = translation.errorCode {
            members.append(
                JSONMember(
                    "error_code",
                    .object([
                        "p": .bool(code.present), "w": .bool(code.write), "u": .bool(code.user),
                        "rsvd": .bool(code.reservedBit), "id": .bool(code.instructionFetch),
                    ])))
        }
        if let tlb = translation.tlb { members.append(JSONMember("tlb", .string(tlb.hit ? "hit" : "miss"))) }
        return .object(members)
    }

    private func x86Level(named name: String) -> X86PagingLevel? {
        X86PagingLevel.allCases.first { $0.tableName == name }
    }

    private func faultLevelOf(_ fault: X86Fault) -> X86PagingLevel? {
        switch fault {
        case .nonCanonical: return nil
        case .notPresent(let level), .reservedBits(let level, _), .supervisorOnly(let level), .readOnly(let level),
            .noExecute(let level):
            return level
        }
    }

    private func faultText(_ fault: X86Fault?) -> String {
        switch fault {
        case .notPresent(let level)?: return "a \(level.entryName) não está presente (P = 0)"
        case .reservedBits(let level, let bits)?:
            let list = bits.map(String.init).joined(separator: ", ")
            return
                "a \(level.entryName) tem \(bits.count == 1 ? "o bit reservado" : "os bits reservados") \(list) ligado\(bits.count == 1 ? "" : "s")"
        case .supervisorOnly(let level)?:
            return "acesso em modo usuário a página de supervisor (U/S = 0 na \(level.entryName))"
        case .readOnly(let level)?: return "escrita em página somente leitura (R/W = 0 na \(level.entryName))"
        case .noExecute(let level)?: return "busca de instrução em página com XD = 1 na \(level.entryName)"
        case .nonCanonical?: return "endereço não canônico"
        case nil: return "—"
        }
    }

    private func x86Outcome(_ translation: X86Translation) -> String {
        switch translation.result {
        case .ok:
            let levels = translation.steps.map(\.level.tableName)
            let path = levels.isEmpty ? "acerto na TLB" : "percorre " + listText(levels)
            return "\(path) e chega ao endereço físico \(pagingHex(translation.physicalAddress ?? 0))"
                + (translation.pageSize.map { ", numa página de \(pageSizeText($0))" } ?? "")
        case .pageFault:
            return "falta de página porque \(faultText(translation.fault))"
        case .generalProtection:
            return "proteção geral (#GP), pois o endereço não é canônico"
        }
    }

    private func x86ResultText(_ translation: X86Translation) -> String {
        switch translation.result {
        case .ok: return "ok"
        case .pageFault:
            return
                "#PF, erro \(translation.errorCode.map { pagingHex($0.value) } ?? "?"): \(faultText(translation.fault))"
        case .generalProtection: return "#GP: endereço não canônico"
        }
    }

    private func errorCodeText(_ code: X86PageFaultErrorCode) -> String {
        let bits = [
            ("P", code.present), ("W/R", code.write), ("U/S", code.user), ("RSVD", code.reservedBit),
            ("I/D", code.instructionFetch),
        ]
        return bits.map { "\($0.0)=\($0.1 ? 1 : 0)" }.joined(separator: " ")
    }

    // MARK: - Generic (OSTEP's multi-level walker)

    private func makeGeneric(spec: inout YAMLFields, info: FigureInfo, tlb: TLBConfiguration??) -> FigureContent? {
        spec.requireMissing(["levels", "offset_bits", "entry_bytes", "valid_bit", "pfn_bits", "root_pfn", "addresses"])
        let levels = spec.integerList("levels", in: 1...32, maxCount: 8)
        let offsetBits = spec.integer("offset_bits", in: 1...32)
        let entryBytes = spec.integer("entry_bytes", in: 1...8)
        let validBit = spec.integer("valid_bit", in: 0...63)
        let pfnBits = spec.integer("pfn_bits", in: 1...52)
        let pfnShift = spec.integer("pfn_shift", in: 0...63) ?? 0
        let rootPFN = spec.uint64("root_pfn")
        let addresses = spec.uint64List("addresses", maxCount: PagingLimits.maxAccesses)
        let memory = readMemory(&spec)
        guard let levels, let offsetBits, let entryBytes, let validBit, let pfnBits, let rootPFN, let addresses,
            let memory, let tlb, !spec.log.hasErrors
        else { return nil }
        if levels.isEmpty { spec.error("'levels' needs at least one level", atKey: "levels") }
        if addresses.isEmpty { spec.error("'addresses' needs at least one address", atKey: "addresses") }
        if levels.reduce(0, +) + offsetBits > 64 {
            spec.error(
                "'levels' and 'offset_bits' add up to \(levels.reduce(0, +) + offsetBits) bits; an address has at most 64",
                atKey: "levels")
        }
        guard !spec.log.hasErrors else { return nil }
        let translations: [MultiLevelTranslation]
        do {
            let configuration = try MultiLevelPagingConfiguration(
                levelBits: levels, offsetBits: offsetBits, entryBytes: entryBytes, validBit: validBit,
                pfnShift: pfnShift, pfnBits: pfnBits, rootPFN: rootPFN, hexMemory: memory, tlb: tlb)
            translations = try MultiLevelPageWalker.simulate(configuration, addresses: addresses)
        } catch {
            spec.error("\(error)", at: spec.start)
            return nil
        }
        guard let shown = showIndex(&spec, count: translations.count), !spec.log.hasErrors else { return nil }
        let focus = translations[shown]
        let names = tableNames(count: levels.count)
        let diagram = genericDiagram(focus, names: names, rootPFN: rootPFN, entryBytes: entryBytes)
        let description =
            "Tradução de \(countText(translations.count, "endereço", "endereços")) com uma tabela de páginas de "
            + "\(countText(levels.count, "nível", "níveis")) (\(levels.map(String.init).joined(separator: " + ")) bits de índice "
            + "e \(offsetBits) de deslocamento). Em destaque, o endereço \(pagingHex(focus.address)): "
            + genericOutcome(focus, names: names) + "."
        return FigureContent(
            svg: PageWalkLayout(diagram, idPrefix: info.elementID).svg(title: info.title, description: description),
            description: description,
            table: DataTable(
                columns: ["Endereço virtual", "Resultado", "Endereço físico", "Valor", "TLB"],
                rows: translations.map { translation in
                    [
                        pagingHex(translation.address),
                        translation.result == .ok ? "ok" : "falta: \(genericFaultText(translation, names: names))",
                        translation.physicalAddress.map { pagingHex($0) } ?? "—",
                        translation.value.map { pagingHex(UInt64($0), digits: 2) } ?? "—", tlbText(translation.tlb),
                    ]
                }),
            json: .object(["accesses": .array(translations.map(genericJSON))]))
    }

    /// `memory`: a list (item i is page i) or a mapping from page number to hex bytes.
    private func readMemory(_ spec: inout YAMLFields) -> [UInt64: String]? {
        guard let node = spec.node("memory") else { return [:] }
        var memory: [UInt64: String] = [:]
        if node.sequence != nil {
            guard let pages = spec.stringList("memory") else { return nil }
            guard pages.count <= PagingLimits.maxMemoryPages else {
                spec.error("'memory' has \(pages.count) pages; at most \(PagingLimits.maxMemoryPages)", atKey: "memory")
                return nil
            }
            for (index, page) in pages.enumerated() { memory[UInt64(index)] = page.0 }
            return memory
        }
        guard let mapping = node.mapping else {
            spec.error(
                "'memory' must be a list of pages (hex bytes) or a mapping from page number to hex bytes",
                atKey: "memory")
            return nil
        }
        for (key, value) in mapping {
            guard let page = key.scalar.flatMap({ parseUInt64($0.string) }), let text = value.scalar?.string else {
                spec.error("each item of 'memory' must be 'PAGE: hex bytes'", at: spec.location(of: key))
                continue
            }
            memory[page] = text
        }
        return memory
    }

    private func tableNames(count: Int) -> [String] {
        (0..<count).map { level in
            if level == count - 1 { return "Tabela de páginas" }
            return count == 2 ? "Diretório de páginas" : "Diretório de nível \(level + 1)"
        }
    }

    private func genericDiagram(
        _ translation: MultiLevelTranslation, names: [String], rootPFN: UInt64, entryBytes: Int
    ) -> PageWalkDiagram {
        let fields = translation.fields.map { field -> BitStringField in
            var label = "deslocamento"
            var link: Int?
            if case .index(let level) = field.role {
                label = "índice \(level + 1)"
                link = translation.steps.indices.contains(level) ? level : nil
            } else if field.role == .signExtension {
                label = "acima"
            }
            return BitStringField(
                label: label, bits: "\(field.highBit)–\(field.lowBit)", value: pagingHex(field.value), link: link)
        }
        let tables = translation.steps.map { step -> ChainTable in
            ChainTable(
                title: names[step.level],
                location: "página " + .mono(pagingHex(step.tablePFN)) + " em " + .mono(pagingHex(step.entryAddress)),
                rowIndex: "[\(step.index)]", rowValue: pagingHex(step.entry, digits: entryBytes * 2),
                rowNote: step.valid ? "válida" : "inválida",
                detail: step.valid ? "PFN " + .mono(pagingHex(step.pfn)) : "entrada inválida", link: step.level,
                isFault: !step.valid)
        }
        var result: [WalkText]
        if translation.result == .ok {
            result = ["Endereço físico " + .mono(pagingHex(translation.physicalAddress ?? 0))]
            if let value = translation.value {
                result.append("valor lido " + .mono(pagingHex(UInt64(value), digits: 2)))
            }
            if translation.tlb?.hit == true { result.append("acerto na TLB: nenhuma tabela lida") }
        } else {
            result = [WalkText("Falta: " + genericFaultText(translation, names: names))]
        }
        return PageWalkDiagram(
            heading: "Endereço virtual " + .mono(pagingHex(translation.address)), fields: fields,
            root: "raiz na página " + .mono(pagingHex(rootPFN)), tables: tables, result: result,
            resultIsFault: translation.result != .ok)
    }

    private func genericFaultText(_ translation: MultiLevelTranslation, names: [String]) -> String {
        guard let level = translation.faultLevel, names.indices.contains(level) else { return translation.reason }
        return "entrada inválida no nível \(level + 1) (\(names[level].lowercased()))"
    }

    private func genericOutcome(_ translation: MultiLevelTranslation, names: [String]) -> String {
        guard translation.result == .ok else {
            return "falta de página, \(genericFaultText(translation, names: names))"
        }
        var text = "chega ao endereço físico \(pagingHex(translation.physicalAddress ?? 0))"
        if let value = translation.value { text += " e lê o valor \(pagingHex(UInt64(value), digits: 2))" }
        return text
    }

    private func genericJSON(_ translation: MultiLevelTranslation) -> JSON {
        var members: [JSONMember] = [
            JSONMember("va", .unsigned(translation.address)),
            JSONMember(
                "steps",
                .array(
                    translation.steps.map { step in
                        .object([
                            "level": .integer(Int64(step.level)), "index": .unsigned(step.index),
                            "entry_address": .unsigned(step.entryAddress), "entry": .unsigned(step.entry),
                            "present": .bool(step.valid),
                        ])
                    })),
            JSONMember("result", .string(translation.result == .ok ? "ok" : "page_fault")),
        ]
        if let pa = translation.physicalAddress { members.append(JSONMember("pa", .unsigned(pa))) }
        if let value = translation.value { members.append(JSONMember("value", .integer(Int64(value)))) }
        if let tlb = translation.tlb { members.append(JSONMember("tlb", .string(tlb.hit ? "hit" : "miss"))) }
        return .object(members)
    }
}

// MARK: - Portuguese wording

private func accessText(_ access: X86Access) -> String {
    let kind: String
    switch access.kind {
    case .read: kind = "leitura"
    case .write: kind = "escrita"
    case .execute: kind = "busca de instrução"
    }
    return "\(kind) em modo \(access.user ? "usuário" : "supervisor")"
}

private func fieldLabel(_ field: AddressField) -> String {
    switch field.role {
    case .signExtension: return "extensão de sinal"
    case .offset: return "deslocamento"
    case .index: return field.name
    }
}

private func tlbText(_ lookup: TLBLookup?) -> String {
    guard let lookup else { return "—" }
    return lookup.hit ? "acerto" : "falta"
}

func pageSizeText(_ size: UInt64) -> String {
    switch size {
    case 1 << 30: return "1 GiB"
    case 1 << 21: return "2 MiB"
    case 1 << 12: return "4 KiB"
    default: return "\(size) bytes"
    }
}

func countText(_ count: Int, _ singular: String, _ plural: String) -> String {
    "\(count) \(count == 1 ? singular : plural)"
}

/// "A, B e C".
func listText(_ items: [String]) -> String {
    guard items.count > 1 else { return items.first ?? "" }
    return items.dropLast().joined(separator: ", ") + " e " + items.last!
}

func capitalized(_ text: String) -> String {
    guard let first = text.first else { return text }
    return first.uppercased() + text.dropFirst()
}
