/// x86-64 linear-address translation with 4-level or 5-level (LA57) paging, following the Intel
/// SDM (vol. 3A, ch. 4.5–4.8) with SMEP, SMAP and protection keys off:
///
/// 1. A non-canonical address raises #GP and nothing is walked.
/// 2. The walk starts at CR3 (bits MAXPHYADDR−1:12) and reads, at each level, the qword at
///    `table base + 8 · index`; qwords not listed in `entries` are zero.
/// 3. An entry with P = 0 ends the walk with #PF (error code P = 0) before any other check. A present
///    entry with a reserved bit set ends it with #PF (P = 1, RSVD = 1).
/// 4. A PDPTE or PDE with PS = 1 maps a 1 GiB or 2 MiB page; a PTE maps a 4 KiB page.
/// 5. R/W and U/S are ANDed over the levels and XD is ORed. A user access needs U/S = 1; a write
///    needs R/W = 1 in user mode, and in supervisor mode when CR0.WP = 1; with EFER.NXE = 1 an
///    instruction fetch needs XD = 0. A violation is #PF with P = 1.
/// 6. On success the accessed flag is set in every entry used and, on a write, the dirty flag in
///    the leaf; the updates are written back, so later accesses see them. A fault changes nothing.
public enum X86PagingMode: String, Sendable, Hashable, CaseIterable {
    /// 4-level paging: 48-bit virtual addresses.
    case fourLevel = "4-level"
    /// 5-level paging (CR4.LA57 = 1): 57-bit virtual addresses.
    case fiveLevel = "la57"

    /// The levels walked, root first.
    public var levels: [X86PagingLevel] {
        switch self {
        case .fourLevel: return [.pml4, .pdpt, .pd, .pt]
        case .fiveLevel: return [.pml5, .pml4, .pdpt, .pd, .pt]
        }
    }

    /// The highest translated virtual-address bit; bits above it must all equal it.
    public var topBit: Int { self == .fourLevel ? 47 : 56 }

    /// Whether bits 63:`topBit` of `address` are all equal.
    public func isCanonical(_ address: UInt64) -> Bool {
        let upper = address >> UInt64(topBit)
        return upper == 0 || upper == lowMask(64 - topBit)
    }
}

/// A paging-structure level, named by its table.
public enum X86PagingLevel: Int, Sendable, Hashable, CaseIterable {
    /// The level-5 table (5-level paging only).
    case pml5 = 5
    /// The page-map level-4 table.
    case pml4 = 4
    /// The page-directory-pointer table (its entries can map 1 GiB pages).
    case pdpt = 3
    /// The page directory (its entries can map 2 MiB pages).
    case pd = 2
    /// The page table (its entries map 4 KiB pages).
    case pt = 1

    /// "PML5", "PML4", "PDPT", "PD", "PT".
    public var tableName: String {
        switch self {
        case .pml5: return "PML5"
        case .pml4: return "PML4"
        case .pdpt: return "PDPT"
        case .pd: return "PD"
        case .pt: return "PT"
        }
    }

    /// "PML5E", "PML4E", "PDPTE", "PDE", "PTE".
    public var entryName: String { tableName + "E" }

    /// The lowest virtual-address bit of this level's 9-bit index (48, 39, 30, 21, 12).
    public var indexShift: Int { 12 + 9 * (rawValue - 1) }

    /// log2 of the page an entry at this level maps when it is a leaf; nil where PS is reserved.
    public var leafPageShift: Int? {
        switch self {
        case .pml5, .pml4: return nil
        case .pdpt: return 30
        case .pd: return 21
        case .pt: return 12
        }
    }
}

/// The flags of a paging-structure entry. Bit 7 is PS in PML5Es to PDEs (reserved above the
/// PDPT) and PAT in a PTE; PAT is bit 12 in a 1 GiB or 2 MiB leaf. D, G and PAT only mean
/// something in a leaf and are reported false elsewhere.
public struct X86EntryFlags: Sendable, Hashable {
    /// P (bit 0): the entry is present.
    public let present: Bool
    /// R/W (bit 1): writes are allowed.
    public let writable: Bool
    /// U/S (bit 2): user-mode accesses are allowed.
    public let user: Bool
    /// PWT (bit 3): write-through caching.
    public let writeThrough: Bool
    /// PCD (bit 4): caching disabled.
    public let cacheDisable: Bool
    /// A (bit 5): the entry was used by a translation.
    public let accessed: Bool
    /// D (bit 6, leaves only): the page was written.
    public let dirty: Bool
    /// PS (bit 7, PDPTE and PDE): the entry maps a 1 GiB or 2 MiB page.
    public let pageSize: Bool
    /// G (bit 8, leaves only): the translation is global.
    public let global: Bool
    /// PAT (bit 7 of a PTE, bit 12 of a large leaf): the page-attribute-table index bit.
    public let pat: Bool
    /// XD (bit 63): instruction fetches are forbidden (with EFER.NXE = 1).
    public let executeDisable: Bool

    /// The flags of `entry`, read as an entry of `level`.
    public init(entry: UInt64, level: X86PagingLevel) {
        func bit(_ n: UInt64) -> Bool { entry & (1 << n) != 0 }
        present = bit(0)
        writable = bit(1)
        user = bit(2)
        writeThrough = bit(3)
        cacheDisable = bit(4)
        accessed = bit(5)
        pageSize = level != .pt && bit(7)
        let leaf = level == .pt || (level.leafPageShift != nil && bit(7))
        dirty = leaf && bit(6)
        global = leaf && bit(8)
        pat = level == .pt ? bit(7) : (leaf && bit(12))
        executeDisable = bit(63)
    }

    /// The names of the set flags, in bit order: P RW US PWT PCD A D PS G PAT XD.
    public var names: [String] {
        let all: [(Bool, String)] = [
            (present, "P"), (writable, "RW"), (user, "US"), (writeThrough, "PWT"), (cacheDisable, "PCD"),
            (accessed, "A"), (dirty, "D"), (pageSize, "PS"), (global, "G"), (pat, "PAT"), (executeDisable, "XD"),
        ]
        return all.filter(\.0).map(\.1)
    }
}

/// One access to translate: a linear address, what it does, and whether the CPU is in user mode
/// (CPL = 3) or supervisor mode (CPL < 3).
public struct X86Access: Sendable, Hashable {
    /// The linear address.
    public let address: UInt64
    /// Read, write or instruction fetch.
    public let kind: AccessKind
    /// Whether the CPU is in user mode (CPL = 3).
    public let user: Bool

    /// An access of `kind` to `address`, in user mode or not.
    public init(address: UInt64, kind: AccessKind = .read, user: Bool = false) {
        self.address = address
        self.kind = kind
        self.user = user
    }
}

/// The processor state and paging structures an x86-64 walk runs over.
public struct X86PagingConfiguration: Sendable, Hashable {
    /// 4-level or 5-level (LA57) paging.
    public var mode: X86PagingMode
    /// CR3; bits MAXPHYADDR−1:12 locate the root table, bits 11:0 are ignored.
    public var cr3: UInt64
    /// CR0.WP: supervisor writes honour R/W.
    public var writeProtect: Bool
    /// IA32_EFER.NXE: XD (bit 63) forbids instruction fetches; when clear, XD is a reserved bit.
    public var noExecute: Bool
    /// MAXPHYADDR (32...52).
    public var physicalAddressBits: Int
    /// Paging-structure entries by physical address (8-byte aligned); every other qword is 0.
    public var entries: [UInt64: UInt64]
    /// A TLB in front of the walk; nil for none.
    public var tlb: TLBConfiguration?

    /// A configuration; by default 4-level paging with CR0.WP and EFER.NXE set and MAXPHYADDR 46.
    public init(
        mode: X86PagingMode = .fourLevel, cr3: UInt64, writeProtect: Bool = true, noExecute: Bool = true,
        physicalAddressBits: Int = 46, entries: [UInt64: UInt64], tlb: TLBConfiguration? = nil
    ) {
        self.mode = mode
        self.cr3 = cr3
        self.writeProtect = writeProtect
        self.noExecute = noExecute
        self.physicalAddressBits = physicalAddressBits
        self.entries = entries
        self.tlb = tlb
    }
}

/// One paging-structure entry read during a walk.
public struct X86WalkStep: Sendable, Hashable {
    /// The level of the table read.
    public let level: X86PagingLevel
    /// The index into that table: the level's 9 bits of the address.
    public let index: Int
    /// The physical address of the table (from CR3 or the previous entry).
    public let tableBase: UInt64
    /// The physical address of the entry (table base + 8 × index).
    public let entryAddress: UInt64
    /// The entry as read, before this access's A/D updates.
    public let entry: UInt64
    /// The entry's flags.
    public let flags: X86EntryFlags
    /// Whether this entry maps the page (a PTE, or a PDPTE/PDE with PS = 1).
    public let isLeaf: Bool
    /// The next table's address, or the page frame for a leaf; nil when the entry is not present.
    public let physicalBase: UInt64?

    /// Whether the entry's P bit is set.
    public var present: Bool { flags.present }
}

/// The #PF error code pushed by the processor.
public struct X86PageFaultErrorCode: Sendable, Hashable {
    /// P (bit 0): 0 for a not-present entry, 1 for a protection or reserved-bit violation.
    public let present: Bool
    /// W/R (bit 1): the access was a write.
    public let write: Bool
    /// U/S (bit 2): the access was in user mode.
    public let user: Bool
    /// RSVD (bit 3): a reserved bit was set in an entry.
    public let reservedBit: Bool
    /// I/D (bit 4): the access was an instruction fetch and EFER.NXE = 1.
    public let instructionFetch: Bool

    /// An error code with the given bits.
    public init(present: Bool, write: Bool, user: Bool, reservedBit: Bool, instructionFetch: Bool) {
        self.present = present
        self.write = write
        self.user = user
        self.reservedBit = reservedBit
        self.instructionFetch = instructionFetch
    }

    /// The error code as the processor pushes it (bits 0 to 4).
    public var value: UInt64 {
        (present ? 1 : 0) | (write ? 2 : 0) | (user ? 4 : 0) | (reservedBit ? 8 : 0) | (instructionFetch ? 16 : 0)
    }
}

/// The rights of a translation: R/W and U/S ANDed over the levels, XD ORed.
public struct X86Permissions: Sendable, Hashable {
    /// R/W ANDed over the levels: writes are allowed.
    public let writable: Bool
    /// U/S ANDed over the levels: user-mode accesses are allowed.
    public let user: Bool
    /// False when EFER.NXE = 1 and some entry has XD = 1.
    public let executable: Bool
    /// The first level (from the root) whose entry has R/W = 0.
    public let readOnlyLevel: X86PagingLevel?
    /// The first level whose entry has U/S = 0.
    public let supervisorLevel: X86PagingLevel?
    /// The first level whose entry has XD = 1 (only with EFER.NXE = 1).
    public let noExecuteLevel: X86PagingLevel?
}

/// Why an access failed, for a caller that words it in its own language.
public enum X86Fault: Sendable, Hashable {
    /// #GP: bits above the top translated bit are not all equal to it.
    case nonCanonical
    /// #PF: the entry at this level has P = 0.
    case notPresent(X86PagingLevel)
    /// #PF: the entry at this level sets these reserved bits (ascending).
    case reservedBits(X86PagingLevel, bits: [Int])
    /// #PF: a user-mode access to a page whose entry at this level has U/S = 0.
    case supervisorOnly(X86PagingLevel)
    /// #PF: a write the page's R/W = 0 at this level forbids.
    case readOnly(X86PagingLevel)
    /// #PF: an instruction fetch from a page whose entry at this level has XD = 1.
    case noExecute(X86PagingLevel)
}

/// A change the walk made to an entry (setting A, or A and D).
public struct X86EntryUpdate: Sendable, Hashable {
    /// The physical address of the entry changed.
    public let entryAddress: UInt64
    /// The entry before the walk.
    public let old: UInt64
    /// The entry after the walk.
    public let new: UInt64

    /// A change of the entry at `entryAddress` from `old` to `new`.
    public init(entryAddress: UInt64, old: UInt64, new: UInt64) {
        self.entryAddress = entryAddress
        self.old = old
        self.new = new
    }
}

/// The outcome of one access.
public struct X86Translation: Sendable, Hashable {
    /// How an access ended.
    public enum Result: String, Sendable, Hashable {
        /// The translation succeeded.
        case ok
        /// A #PF: `fault` and `errorCode` say why.
        case pageFault = "page_fault"
        /// A #GP: the address is not canonical.
        case generalProtection = "general_protection"
    }

    /// The access translated.
    public let access: X86Access
    /// How it ended.
    public let result: Result
    /// The entries read, root first; empty for #GP and for a TLB hit.
    public let steps: [X86WalkStep]
    /// The address split as the walk used it: sign extension, one index per level down to the
    /// leaf (or down to the PT when no leaf was reached), and the page offset.
    public let fields: [AddressField]
    /// The physical address; nil after a fault.
    public let physicalAddress: UInt64?
    /// 4096, 2 MiB or 1 GiB when a leaf was reached (also for a permission fault).
    public let pageSize: UInt64?
    /// The rights of the translation when a leaf was reached (also for a permission fault).
    public let permissions: X86Permissions?
    /// Why the access failed; nil when it succeeded.
    public let fault: X86Fault?
    /// The #PF error code; nil unless the access page-faulted.
    public let errorCode: X86PageFaultErrorCode?
    /// CR2 after a #PF: the faulting linear address.
    public let cr2: UInt64?
    /// A/D changes written to memory, in walk order; empty on a fault.
    public let updates: [X86EntryUpdate]
    /// The TLB's part in the access; nil without a TLB.
    public let tlb: TLBLookup?
    /// The outcome in English, for logs and tests; captions are built from the fields above.
    public let reason: String
}

/// Translates accesses one after another over a shared memory of paging structures, so A/D
/// updates made by one access are seen by the next.
///
/// With a TLB (fully associative, keyed by the virtual page number of the leaf's page size):
/// a hit skips the walk (no steps) and uses the cached frame and rights; a write hit on a cached
/// translation whose D was clear sets D in the leaf entry in memory (an update) without a walk.
/// A miss walks; only a successful translation is cached. #GP never looks at the TLB.
public struct X86PageWalker: Sendable {
    /// The paging mode.
    public let mode: X86PagingMode
    /// CR3, as configured.
    public let cr3: UInt64
    /// CR0.WP.
    public let writeProtect: Bool
    /// IA32_EFER.NXE.
    public let noExecute: Bool
    /// MAXPHYADDR.
    public let physicalAddressBits: Int
    /// The paging structures, with the A/D updates made so far.
    public private(set) var entries: [UInt64: UInt64]
    private var tlb: TLBState<Cached>?

    struct Cached: Sendable {
        var frame: UInt64
        var pageShift: Int
        var permissions: X86Permissions
        var leafAddress: UInt64
        var dirty: Bool
    }

    /// A walker over `configuration`; throws a `PagingError` when its CR3, MAXPHYADDR or entries are
    /// invalid.
    public init(_ configuration: X86PagingConfiguration) throws {
        let bits = configuration.physicalAddressBits
        guard (32...52).contains(bits) else {
            throw PagingError("MAXPHYADDR must be between 32 and 52, not \(bits)")
        }
        if configuration.cr3 & ~lowMask(bits) != 0 {
            throw PagingError(
                "CR3 \(pagingHex(configuration.cr3, digits: 16)) sets bits at or above MAXPHYADDR (\(bits))")
        }
        guard configuration.entries.count <= PagingLimits.maxX86Entries else {
            throw PagingError(
                "too many paging-structure entries: \(configuration.entries.count) (at most \(PagingLimits.maxX86Entries))"
            )
        }
        for address in configuration.entries.keys.sorted() {
            if address % 8 != 0 {
                throw PagingError("entry address \(pagingHex(address, digits: 16)) is not a multiple of 8")
            }
            if address & ~lowMask(bits) != 0 {
                throw PagingError(
                    "entry address \(pagingHex(address, digits: 16)) is beyond MAXPHYADDR (\(bits) bits)")
            }
        }
        try configuration.tlb?.validate()
        mode = configuration.mode
        cr3 = configuration.cr3
        writeProtect = configuration.writeProtect
        noExecute = configuration.noExecute
        physicalAddressBits = bits
        entries = configuration.entries
        tlb = configuration.tlb.map { TLBState(configuration: $0) }
    }

    /// Translates every access in order (at most `PagingLimits.maxAccesses`).
    public static func simulate(_ configuration: X86PagingConfiguration, accesses: [X86Access]) throws
        -> [X86Translation]
    {
        guard accesses.count <= PagingLimits.maxAccesses else {
            throw PagingError("too many accesses: \(accesses.count) (at most \(PagingLimits.maxAccesses))")
        }
        var walker = try X86PageWalker(configuration)
        return accesses.map { walker.translate($0) }
    }

    /// The qword at `address` (0 when not listed).
    public func entry(at address: UInt64) -> UInt64 {
        entries[address] ?? 0
    }

    /// The virtual address split into fields, with the offset below a leaf at `leafLevel`.
    public func fields(of address: UInt64, leafLevel: X86PagingLevel = .pt) -> [AddressField] {
        let top = mode.topBit
        var fields = [
            AddressField.extract(address, role: .signExtension, name: "sign", highBit: 63, lowBit: top + 1)
        ]
        for (position, level) in mode.levels.enumerated() where level.rawValue >= leafLevel.rawValue {
            fields.append(
                .extract(
                    address, role: .index(level: position), name: level.tableName, highBit: level.indexShift + 8,
                    lowBit: level.indexShift))
        }
        let offsetBits = leafLevel.indexShift
        fields.append(.extract(address, role: .offset, name: "offset", highBit: offsetBits - 1, lowBit: 0))
        return fields
    }

    /// Translates `access`, updating A and D bits in memory as the processor would.
    public mutating func translate(_ access: X86Access) -> X86Translation {
        let va = access.address
        guard mode.isCanonical(va) else {
            let top = mode.topBit
            return X86Translation(
                access: access, result: .generalProtection, steps: [], fields: fields(of: va), physicalAddress: nil,
                pageSize: nil, permissions: nil, fault: .nonCanonical, errorCode: nil, cr2: nil, updates: [], tlb: nil,
                reason: "#GP: \(pagingHex(va, digits: 16)) is not canonical (bits 63:\(top) must all equal bit \(top))"
            )
        }
        if var state = tlb, let hit = state.lookup(va) {
            let (tag, cached) = (hit.tag, hit.value)
            var updates: [X86EntryUpdate] = []
            let fault = permissionFault(access, cached.permissions)
            if fault == nil, access.kind == .write, !cached.dirty {
                let old = entry(at: cached.leafAddress)
                let new = old | (1 << 6)
                if new != old {
                    entries[cached.leafAddress] = new
                    updates.append(X86EntryUpdate(entryAddress: cached.leafAddress, old: old, new: new))
                }
                var refreshed = cached
                refreshed.dirty = true
                state.update(tag, refreshed)
            }
            tlb = state
            let lookup = TLBLookup(hit: true, tag: tag, evicted: nil, contents: state.order)
            let leafLevel = Self.leafLevel(pageShift: cached.pageShift)
            return finish(
                access, steps: [], leafLevel: leafLevel, frame: cached.frame, pageShift: cached.pageShift,
                permissions: cached.permissions, fault: fault, updates: updates, tlb: lookup)
        }

        // Walk.
        let addressMask = bitRange(physicalAddressBits - 1, 12)
        var base = cr3 & addressMask
        var steps: [X86WalkStep] = []
        var leaf: (level: X86PagingLevel, frame: UInt64, pageShift: Int)?
        for level in mode.levels {
            let index = Int((va >> UInt64(level.indexShift)) & 0x1ff)
            let address = base + 8 * UInt64(index)
            let value = entry(at: address)
            let flags = X86EntryFlags(entry: value, level: level)
            guard flags.present else {
                steps.append(
                    X86WalkStep(
                        level: level, index: index, tableBase: base, entryAddress: address, entry: value,
                        flags: flags, isLeaf: false, physicalBase: nil))
                return pageFault(
                    access, steps: steps, leafLevel: .pt, fault: .notPresent(level), present: false,
                    tlbTag: TLBTag(address: va, pageShift: 12),
                    reason: "\(level.entryName) at \(pagingHex(address, digits: 16)) is not present (P = 0)")
            }
            let isLeaf = level == .pt || (level.leafPageShift != nil && flags.pageSize)
            let pageShift = isLeaf ? (level.leafPageShift ?? 12) : 12
            let physicalBase = value & bitRange(physicalAddressBits - 1, pageShift)
            steps.append(
                X86WalkStep(
                    level: level, index: index, tableBase: base, entryAddress: address, entry: value, flags: flags,
                    isLeaf: isLeaf, physicalBase: physicalBase))
            let reserved = reservedBits(value, level: level, isLeaf: isLeaf)
            if !reserved.isEmpty {
                let leafLevel = isLeaf ? level : .pt
                return pageFault(
                    access, steps: steps, leafLevel: leafLevel, fault: .reservedBits(level, bits: reserved),
                    present: true, tlbTag: TLBTag(address: va, pageShift: leafLevel.indexShift),
                    reason: reservedReason(reserved, level: level, isLeaf: isLeaf))
            }
            if isLeaf {
                leaf = (level, physicalBase, pageShift)
                break
            }
            base = physicalBase
        }
        guard let leaf else { fatalError("a 4- or 5-level walk always ends at a PTE") }

        let permissions = Self.permissions(steps, noExecute: noExecute)
        if let fault = permissionFault(access, permissions) {
            return finish(
                access, steps: steps, leafLevel: leaf.level, frame: leaf.frame, pageShift: leaf.pageShift,
                permissions: permissions, fault: fault, updates: [],
                tlb: missLookup(TLBTag(address: va, pageShift: leaf.pageShift), insert: nil))
        }
        var updates: [X86EntryUpdate] = []
        for step in steps {
            let old = entry(at: step.entryAddress)
            var new = old | (1 << 5)
            if step.isLeaf, access.kind == .write { new |= 1 << 6 }
            if new != old {
                entries[step.entryAddress] = new
                updates.append(X86EntryUpdate(entryAddress: step.entryAddress, old: old, new: new))
            }
        }
        let tag = TLBTag(address: va, pageShift: leaf.pageShift)
        let cached = Cached(
            frame: leaf.frame, pageShift: leaf.pageShift, permissions: permissions,
            leafAddress: steps[steps.count - 1].entryAddress,
            dirty: entry(at: steps[steps.count - 1].entryAddress) & (1 << 6) != 0)
        return finish(
            access, steps: steps, leafLevel: leaf.level, frame: leaf.frame, pageShift: leaf.pageShift,
            permissions: permissions, fault: nil, updates: updates, tlb: missLookup(tag, insert: cached))
    }

    // MARK: - Rules

    /// The reserved bits set in a present entry: physical-address bits 51:MAXPHYADDR, PS in a
    /// PML5E/PML4E, bits 29:13 of a 1 GiB PDPTE, bits 20:13 of a 2 MiB PDE, and XD when NXE = 0.
    func reservedBits(_ entry: UInt64, level: X86PagingLevel, isLeaf: Bool) -> [Int] {
        var mask = bitRange(51, physicalAddressBits)
        switch level {
        case .pml5, .pml4: mask |= 1 << 7
        case .pdpt where isLeaf: mask |= bitRange(29, 13)
        case .pd where isLeaf: mask |= bitRange(20, 13)
        default: break
        }
        if !noExecute { mask |= 1 << 63 }
        let set = entry & mask
        return (0..<64).filter { set & (UInt64(1) << UInt64($0)) != 0 }
    }

    private func reservedReason(_ bits: [Int], level: X86PagingLevel, isLeaf: Bool) -> String {
        var why: [String] = []
        if bits.contains(where: { $0 >= physicalAddressBits && $0 <= 51 }) {
            why.append(
                "physical-address bits 51:\(physicalAddressBits) must be 0 (MAXPHYADDR = \(physicalAddressBits))")
        }
        if (level == .pml5 || level == .pml4) && bits.contains(7) {
            why.append("PS must be 0 in a \(level.entryName)")
        }
        if level == .pdpt && isLeaf && bits.contains(where: { (13...29).contains($0) }) {
            why.append("bits 29:13 of a 1 GiB page entry must be 0")
        }
        if level == .pd && isLeaf && bits.contains(where: { (13...20).contains($0) }) {
            why.append("bits 20:13 of a 2 MiB page entry must be 0")
        }
        if bits.contains(63) && !noExecute {
            why.append("XD is reserved while EFER.NXE = 0")
        }
        let list = bits.map(String.init).joined(separator: ", ")
        let noun = bits.count == 1 ? "bit" : "bits"
        return "reserved \(noun) \(list) set in the \(level.entryName): " + why.joined(separator: "; ")
    }

    static func permissions(_ steps: [X86WalkStep], noExecute: Bool) -> X86Permissions {
        let readOnly = steps.first { !$0.flags.writable }?.level
        let supervisor = steps.first { !$0.flags.user }?.level
        let noExec = noExecute ? steps.first { $0.flags.executeDisable }?.level : nil
        return X86Permissions(
            writable: readOnly == nil, user: supervisor == nil, executable: noExec == nil, readOnlyLevel: readOnly,
            supervisorLevel: supervisor, noExecuteLevel: noExec)
    }

    /// The first rule the access breaks: U/S for user accesses, then R/W for writes (user mode, or
    /// supervisor mode with CR0.WP = 1), then XD for instruction fetches.
    func permissionFault(_ access: X86Access, _ permissions: X86Permissions) -> X86Fault? {
        if access.user, let level = permissions.supervisorLevel {
            return .supervisorOnly(level)
        }
        if access.kind == .write, access.user || writeProtect, let level = permissions.readOnlyLevel {
            return .readOnly(level)
        }
        if access.kind == .execute, let level = permissions.noExecuteLevel {
            return .noExecute(level)
        }
        return nil
    }

    static func leafLevel(pageShift: Int) -> X86PagingLevel {
        switch pageShift {
        case 30: return .pdpt
        case 21: return .pd
        default: return .pt
        }
    }

    static func pageSizeName(_ pageShift: Int) -> String {
        switch pageShift {
        case 30: return "1 GiB"
        case 21: return "2 MiB"
        default: return "4 KiB"
        }
    }

    private func errorCode(_ access: X86Access, present: Bool, reserved: Bool) -> X86PageFaultErrorCode {
        X86PageFaultErrorCode(
            present: present, write: access.kind == .write, user: access.user, reservedBit: reserved,
            instructionFetch: access.kind == .execute && noExecute)
    }

    private mutating func missLookup(_ tag: TLBTag, insert cached: Cached?) -> TLBLookup? {
        guard var state = tlb else { return nil }
        var evicted: TLBTag?
        if let cached { evicted = state.insert(tag, cached) }
        tlb = state
        return TLBLookup(hit: false, tag: tag, evicted: evicted, contents: state.order)
    }

    private mutating func pageFault(
        _ access: X86Access, steps: [X86WalkStep], leafLevel: X86PagingLevel, fault: X86Fault, present: Bool,
        tlbTag: TLBTag, reason: String
    ) -> X86Translation {
        let code = errorCode(access, present: present, reserved: present)
        return X86Translation(
            access: access, result: .pageFault, steps: steps, fields: fields(of: access.address, leafLevel: leafLevel),
            physicalAddress: nil, pageSize: nil, permissions: nil, fault: fault, errorCode: code,
            cr2: access.address, updates: [], tlb: missLookup(tlbTag, insert: nil),
            reason: "#PF (error code \(pagingHex(code.value))): " + reason)
    }

    /// The result once the page is known: success, or a permission #PF.
    private func finish(
        _ access: X86Access, steps: [X86WalkStep], leafLevel: X86PagingLevel, frame: UInt64, pageShift: Int,
        permissions: X86Permissions, fault: X86Fault?, updates: [X86EntryUpdate], tlb: TLBLookup?
    ) -> X86Translation {
        let va = access.address
        let pageSize = UInt64(1) << UInt64(pageShift)
        let fields = fields(of: va, leafLevel: leafLevel)
        guard let fault else {
            let pa = frame | (va & (pageSize - 1))
            return X86Translation(
                access: access, result: .ok, steps: steps, fields: fields, physicalAddress: pa, pageSize: pageSize,
                permissions: permissions, fault: nil, errorCode: nil, cr2: nil, updates: updates, tlb: tlb,
                reason: "\(pagingHex(va, digits: 16)) -> \(pagingHex(pa, digits: 16)) in a "
                    + "\(Self.pageSizeName(pageShift)) page")
        }
        let code = errorCode(access, present: true, reserved: false)
        let why: String
        switch fault {
        case .supervisorOnly(let level):
            why = "user-mode access to a supervisor page (U/S = 0 in the \(level.entryName))"
        case .readOnly(let level):
            why =
                access.user
                ? "user-mode write to a read-only page (R/W = 0 in the \(level.entryName))"
                : "supervisor write to a read-only page with CR0.WP = 1 (R/W = 0 in the \(level.entryName))"
        case .noExecute(let level):
            why = "instruction fetch from a no-execute page (XD = 1 in the \(level.entryName))"
        default:
            why = "protection violation"
        }
        return X86Translation(
            access: access, result: .pageFault, steps: steps, fields: fields, physicalAddress: nil, pageSize: pageSize,
            permissions: permissions, fault: fault, errorCode: code, cr2: va, updates: [], tlb: tlb,
            reason: "#PF (error code \(pagingHex(code.value))): " + why)
    }
}
