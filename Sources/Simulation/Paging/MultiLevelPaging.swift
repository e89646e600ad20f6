/// A generic N-level page-table walk over a byte-addressed physical memory, the algorithm of
/// OSTEP's `paging-multilevel-translate.py` with its geometry made a parameter:
///
/// - A virtual address is `levelBits[0]` index bits, …, `levelBits[n-1]` index bits, then
///   `offsetBits` offset bits (top first). Pages hold `2^offsetBits` bytes.
/// - An entry is `entryBytes` bytes, little-endian when wider than one byte. Its valid bit is
///   `validBit`; its PFN is the `pfnBits` bits starting at bit `pfnShift`:
///   `pfn = (entry >> pfnShift) & (2^pfnBits − 1)`. OSTEP's 1-byte "bit 7 valid, bits 6..0 PFN" is
///   `validBit: 7, pfnShift: 0, pfnBits: 7`; x86-64 4 KiB entries are `validBit: 0, pfnShift: 12`.
/// - The walk starts at the page `rootPFN` (OSTEP's PDBR). Level `i` reads the entry at
///   `(tablePFN << offsetBits) + index_i · entryBytes`; an invalid entry is a fault naming the
///   level; a valid one gives the next table's PFN, and the last level the data page's PFN.
/// - `pa = (pfn << offsetBits) | offset`, and the loaded value is the single byte at `pa`.
/// - Every table must fit in one page. Memory is given per page; pages not listed, and bytes past
///   the end of a page's given bytes, are zero.
public struct MultiLevelPagingConfiguration: Sendable, Hashable {
    /// Index bits of each level, root first.
    public var levelBits: [Int]
    /// Offset bits: pages hold `2^offsetBits` bytes.
    public var offsetBits: Int
    /// Bytes per page-table entry (1, 2, 4 or 8).
    public var entryBytes: Int
    /// The bit of an entry that says it is valid.
    public var validBit: Int
    /// The lowest bit of an entry's PFN field.
    public var pfnShift: Int
    /// The width of an entry's PFN field.
    public var pfnBits: Int
    /// The page of the root table (OSTEP's PDBR).
    public var rootPFN: UInt64
    /// Physical pages by page number, byte 0 first.
    public var memory: [UInt64: [UInt8]]
    /// A TLB in front of the walk; nil for none.
    public var tlb: TLBConfiguration?

    /// A geometry and a memory image; see the type's rules.
    public init(
        levelBits: [Int], offsetBits: Int, entryBytes: Int, validBit: Int, pfnShift: Int = 0, pfnBits: Int,
        rootPFN: UInt64, memory: [UInt64: [UInt8]], tlb: TLBConfiguration? = nil
    ) {
        self.levelBits = levelBits
        self.offsetBits = offsetBits
        self.entryBytes = entryBytes
        self.validBit = validBit
        self.pfnShift = pfnShift
        self.pfnBits = pfnBits
        self.rootPFN = rootPFN
        self.memory = memory
        self.tlb = tlb
    }

    /// The same, with each page given as hex text ("83 fe e0 …" or "83fee0…"); throws on bad hex.
    public init(
        levelBits: [Int], offsetBits: Int, entryBytes: Int, validBit: Int, pfnShift: Int = 0, pfnBits: Int,
        rootPFN: UInt64, hexMemory: [UInt64: String], tlb: TLBConfiguration? = nil
    ) throws {
        var memory: [UInt64: [UInt8]] = [:]
        for page in hexMemory.keys.sorted() {
            do {
                memory[page] = try Self.parseHexBytes(hexMemory[page] ?? "")
            } catch let error as PagingError {
                throw PagingError("page \(page): \(error.message)")
            }
        }
        self.init(
            levelBits: levelBits, offsetBits: offsetBits, entryBytes: entryBytes, validBit: validBit,
            pfnShift: pfnShift, pfnBits: pfnBits, rootPFN: rootPFN, memory: memory, tlb: tlb)
    }

    /// OSTEP ch. 20's geometry: 15-bit addresses (5 + 5 index bits, 5 offset bits, 32-byte pages),
    /// 1-byte entries with bit 7 valid and bits 6..0 the PFN, 128 physical pages.
    public static func ostep(pdbr: UInt64, hexMemory: [UInt64: String], tlb: TLBConfiguration? = nil) throws
        -> MultiLevelPagingConfiguration
    {
        try MultiLevelPagingConfiguration(
            levelBits: [5, 5], offsetBits: 5, entryBytes: 1, validBit: 7, pfnBits: 7, rootPFN: pdbr,
            hexMemory: hexMemory, tlb: tlb)
    }

    /// Bytes from hex text: pairs of hex digits, optionally separated by white space.
    public static func parseHexBytes(_ text: String) throws -> [UInt8] {
        var bytes: [UInt8] = []
        var high: UInt8?
        for character in text {
            if character.isWhitespace {
                if high != nil { throw PagingError("a byte must have two hex digits") }
                continue
            }
            guard let digit = character.hexDigitValue else {
                throw PagingError("'\(character)' is not a hexadecimal digit")
            }
            if let first = high {
                bytes.append(first << 4 | UInt8(digit))
                high = nil
            } else {
                high = UInt8(digit)
            }
        }
        if high != nil { throw PagingError("a byte must have two hex digits") }
        return bytes
    }

    /// Bits in a virtual address.
    public var addressBits: Int { levelBits.reduce(0, +) + offsetBits }

    func validate() throws {
        guard (1...8).contains(levelBits.count) else {
            throw PagingError("a page table needs 1 to 8 levels, not \(levelBits.count)")
        }
        for (level, bits) in levelBits.enumerated() where !(1...20).contains(bits) {
            throw PagingError("level \(level + 1) must use 1 to 20 index bits, not \(bits)")
        }
        guard (1...30).contains(offsetBits) else {
            throw PagingError("the offset must have 1 to 30 bits, not \(offsetBits)")
        }
        guard addressBits <= 64 else {
            throw PagingError(
                "index bits (\(levelBits.reduce(0, +))) plus offset bits (\(offsetBits)) exceed 64")
        }
        guard [1, 2, 4, 8].contains(entryBytes) else {
            throw PagingError("an entry must be 1, 2, 4 or 8 bytes, not \(entryBytes)")
        }
        let entryBits = 8 * entryBytes
        guard (0..<entryBits).contains(validBit) else {
            throw PagingError("the valid bit \(validBit) is outside the entry (bits \(entryBits - 1):0)")
        }
        guard pfnBits >= 1, pfnShift >= 0, pfnShift + pfnBits <= entryBits else {
            throw PagingError(
                "the PFN field (\(pfnBits) bits from bit \(pfnShift)) does not fit in the entry (bits \(entryBits - 1):0)"
            )
        }
        guard !(pfnShift..<(pfnShift + pfnBits)).contains(validBit) else {
            throw PagingError(
                "the valid bit \(validBit) lies inside the PFN field (bits \(pfnShift + pfnBits - 1):\(pfnShift))")
        }
        guard pfnBits + offsetBits <= 64 else {
            throw PagingError("PFN bits (\(pfnBits)) plus offset bits (\(offsetBits)) exceed 64")
        }
        for (level, bits) in levelBits.enumerated() {
            let tableBytes = (UInt64(1) << UInt64(bits)) * UInt64(entryBytes)
            if tableBytes > UInt64(1) << UInt64(offsetBits) {
                throw PagingError(
                    "a level-\(level + 1) table (\(UInt64(1) << UInt64(bits)) × \(entryBytes)-byte entries) "
                        + "does not fit in a \(UInt64(1) << UInt64(offsetBits))-byte page")
            }
        }
        let pages = lowMask(pfnBits)
        guard rootPFN <= pages else {
            throw PagingError("the root table's page \(rootPFN) is beyond the last physical page (\(pages))")
        }
        guard memory.count <= PagingLimits.maxMemoryPages else {
            throw PagingError("too many memory pages: \(memory.count) (at most \(PagingLimits.maxMemoryPages))")
        }
        let pageSize = 1 << offsetBits
        for page in memory.keys.sorted() {
            if page > pages {
                throw PagingError("memory page \(page) is beyond the last physical page (\(pages))")
            }
            if let count = memory[page]?.count, count > pageSize {
                throw PagingError("memory page \(page) has \(count) bytes, more than the page size (\(pageSize))")
            }
        }
        try tlb?.validate()
    }
}

/// One entry read during a multi-level walk.
public struct MultiLevelWalkStep: Sendable, Hashable {
    /// 0 for the root table (OSTEP's page directory), `levelBits.count − 1` for the last.
    public let level: Int
    /// The index into the table: this level's field of the address.
    public let index: UInt64
    /// The page holding the table.
    public let tablePFN: UInt64
    /// The physical address of the entry read.
    public let entryAddress: UInt64
    /// The entry's value.
    public let entry: UInt64
    /// Whether the entry's valid bit is set.
    public let valid: Bool
    /// The PFN field (meaningless when `valid` is false, as OSTEP's unused 0x7f slots show).
    public let pfn: UInt64
}

/// The outcome of translating one virtual address.
public struct MultiLevelTranslation: Sendable, Hashable {
    /// How a translation ended.
    public enum Result: String, Sendable, Hashable {
        /// Every level had a valid entry: `physicalAddress` and `value` are set.
        case ok
        /// A level had an invalid entry: `faultLevel` names it.
        case fault
    }

    /// The virtual address translated.
    public let address: UInt64
    /// How the translation ended.
    public let result: Result
    /// The entries read, root first; empty on a TLB hit.
    public let steps: [MultiLevelWalkStep]
    /// The address split into one index per level and the offset.
    public let fields: [AddressField]
    /// `(pfn << offsetBits) | offset`; nil after a fault.
    public let physicalAddress: UInt64?
    /// The byte at `physicalAddress`.
    public let value: UInt8?
    /// The level whose entry was invalid.
    public let faultLevel: Int?
    /// The TLB's part in the access; nil without a TLB.
    public let tlb: TLBLookup?
    /// English, OSTEP's words: "page directory entry not valid", "page table entry not valid".
    public let reason: String
}

/// Walks a multi-level page table; see `MultiLevelPagingConfiguration` for the rules.
///
/// With a TLB (fully associative, keyed by VPN = `va >> offsetBits`): a hit skips the walk and
/// reports only the translation; a miss walks, and a successful translation is cached.
public struct MultiLevelPageWalker: Sendable {
    /// The geometry, memory and TLB the walker was made with.
    public let configuration: MultiLevelPagingConfiguration
    private var tlb: TLBState<UInt64>?

    /// A walker for `configuration`; throws a `PagingError` when its geometry or memory is invalid.
    public init(_ configuration: MultiLevelPagingConfiguration) throws {
        try configuration.validate()
        self.configuration = configuration
        tlb = configuration.tlb.map { TLBState(configuration: $0) }
    }

    /// Translates every address in order (at most `PagingLimits.maxAccesses`); an address wider
    /// than the virtual address space is an error.
    public static func simulate(_ configuration: MultiLevelPagingConfiguration, addresses: [UInt64]) throws
        -> [MultiLevelTranslation]
    {
        guard addresses.count <= PagingLimits.maxAccesses else {
            throw PagingError("too many addresses: \(addresses.count) (at most \(PagingLimits.maxAccesses))")
        }
        var walker = try MultiLevelPageWalker(configuration)
        return try addresses.map { try walker.translate($0) }
    }

    /// The byte at physical address `address`.
    public func byte(at address: UInt64) -> UInt8 {
        let page = address >> UInt64(configuration.offsetBits)
        let offset = Int(address & lowMask(configuration.offsetBits))
        guard let bytes = configuration.memory[page], offset < bytes.count else { return 0 }
        return bytes[offset]
    }

    /// The little-endian entry of `entryBytes` bytes at `address`.
    public func entry(at address: UInt64) -> UInt64 {
        var value: UInt64 = 0
        for byteIndex in 0..<configuration.entryBytes {
            value |= UInt64(byte(at: address + UInt64(byteIndex))) << UInt64(8 * byteIndex)
        }
        return value
    }

    /// `address` split into one index field per level ("PD", "PT" for two levels, else "L1"…)
    /// and the offset.
    public func fields(of address: UInt64) -> [AddressField] {
        let levels = configuration.levelBits
        var low = configuration.offsetBits + levels.reduce(0, +)
        var fields: [AddressField] = []
        for (level, bits) in levels.enumerated() {
            low -= bits
            let name = levels.count == 2 ? (level == 0 ? "PD" : "PT") : "L\(level + 1)"
            fields.append(
                .extract(address, role: .index(level: level), name: name, highBit: low + bits - 1, lowBit: low))
        }
        fields.append(
            .extract(address, role: .offset, name: "offset", highBit: configuration.offsetBits - 1, lowBit: 0))
        return fields
    }

    /// OSTEP's name for a level's table: "page directory" and "page table" for two levels;
    /// otherwise "page table" for the last and "level-k page directory" above it.
    public func tableName(level: Int) -> String {
        let count = configuration.levelBits.count
        if level == count - 1 { return "page table" }
        return count == 2 ? "page directory" : "level-\(level + 1) page directory"
    }

    /// Translates `address`, walking the tables (or hitting the TLB); throws a `PagingError` when the
    /// address has more bits than the geometry.
    public mutating func translate(_ address: UInt64) throws -> MultiLevelTranslation {
        let config = configuration
        guard address <= lowMask(config.addressBits) else {
            throw PagingError(
                "virtual address \(pagingHex(address)) does not fit in \(config.addressBits) bits")
        }
        let fields = fields(of: address)
        let offset = address & lowMask(config.offsetBits)
        let tag = TLBTag(address: address, pageShift: config.offsetBits)
        if var state = tlb, let hit = state.lookup(address) {
            tlb = state
            let pa = hit.value << UInt64(config.offsetBits) | offset
            return MultiLevelTranslation(
                address: address, result: .ok, steps: [], fields: fields, physicalAddress: pa, value: byte(at: pa),
                faultLevel: nil, tlb: TLBLookup(hit: true, tag: hit.tag, evicted: nil, contents: state.order),
                reason: "TLB hit: \(pagingHex(address)) -> \(pagingHex(pa))")
        }
        var tablePFN = config.rootPFN
        var steps: [MultiLevelWalkStep] = []
        for level in config.levelBits.indices {
            let index = fields[level].value
            let entryAddress = (tablePFN << UInt64(config.offsetBits)) + index * UInt64(config.entryBytes)
            let value = entry(at: entryAddress)
            let valid = (value >> UInt64(config.validBit)) & 1 == 1
            let pfn = (value >> UInt64(config.pfnShift)) & lowMask(config.pfnBits)
            steps.append(
                MultiLevelWalkStep(
                    level: level, index: index, tablePFN: tablePFN, entryAddress: entryAddress, entry: value,
                    valid: valid, pfn: pfn))
            guard valid else {
                return MultiLevelTranslation(
                    address: address, result: .fault, steps: steps, fields: fields, physicalAddress: nil, value: nil,
                    faultLevel: level, tlb: miss(tag, insert: nil),
                    reason: "\(tableName(level: level)) entry not valid")
            }
            tablePFN = pfn
        }
        let pa = tablePFN << UInt64(config.offsetBits) | offset
        return MultiLevelTranslation(
            address: address, result: .ok, steps: steps, fields: fields, physicalAddress: pa, value: byte(at: pa),
            faultLevel: nil, tlb: miss(tag, insert: tablePFN),
            reason: "\(pagingHex(address)) -> \(pagingHex(pa))")
    }

    private mutating func miss(_ tag: TLBTag, insert pfn: UInt64?) -> TLBLookup? {
        guard var state = tlb else { return nil }
        var evicted: TLBTag?
        if let pfn { evicted = state.insert(tag, pfn) }
        tlb = state
        return TLBLookup(hit: false, tag: tag, evicted: evicted, contents: state.order)
    }
}
