/// A mistake in a paging model's input (a bad geometry, an entry address out of range, too many
/// accesses). The message is English and names the offending value; the caller adds the position.
public struct PagingError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What is wrong, in English.
    public let message: String

    /// An error saying `message`.
    public init(_ message: String) {
        self.message = message
    }

    /// The message.
    public var description: String { message }
}

/// Limits that keep a figure's simulation small enough to run at build time.
public enum PagingLimits {
    /// Most accesses (virtual addresses) one simulation translates.
    public static let maxAccesses = 10_000
    /// Most physical pages a multi-level memory image may list.
    public static let maxMemoryPages = 4_096
    /// Most non-zero paging-structure entries an x86-64 simulation may list.
    public static let maxX86Entries = 65_536
}

/// What a memory access does: read data, write data, or fetch an instruction.
public enum AccessKind: String, Sendable, Hashable, CaseIterable {
    /// Reading data.
    case read
    /// Writing data.
    case write
    /// Fetching an instruction (`exec` in specs).
    case execute = "exec"
}

/// One field of a virtual address, from `highBit` down to `lowBit` (inclusive), and its value.
public struct AddressField: Sendable, Hashable {
    /// What a field of the address is for.
    public enum Role: Sendable, Hashable {
        /// Bits above the translated ones (x86-64: copies of the top translated bit).
        case signExtension
        /// The index into the table at walk level `level` (0 = the root table).
        case index(level: Int)
        /// The byte offset inside the page.
        case offset
    }

    /// What the field is for.
    public let role: Role
    /// A short technical name: "sign", "PML4", "PDPT", "PD", "PT", "L1", "offset".
    public let name: String
    /// The field's most significant bit (0 is the address's least significant bit).
    public let highBit: Int
    /// The field's least significant bit.
    public let lowBit: Int
    /// The field's bits, shifted down.
    public let value: UInt64

    /// A field named `name` from `highBit` down to `lowBit`, holding `value`.
    public init(role: Role, name: String, highBit: Int, lowBit: Int, value: UInt64) {
        self.role = role
        self.name = name
        self.highBit = highBit
        self.lowBit = lowBit
        self.value = value
    }

    /// The field of `address` between `highBit` and `lowBit` (inclusive).
    static func extract(
        _ address: UInt64, role: Role, name: String, highBit: Int, lowBit: Int
    ) -> AddressField {
        let width = highBit - lowBit + 1
        let value = (address >> UInt64(lowBit)) & lowMask(width)
        return AddressField(role: role, name: name, highBit: highBit, lowBit: lowBit, value: value)
    }
}

/// `bits` ones in the low bits (0...64).
@inline(__always)
func lowMask(_ bits: Int) -> UInt64 {
    bits >= 64 ? UInt64.max : (UInt64(1) << UInt64(bits)) &- 1
}

/// Ones in bits `high` down to `low` (inclusive); empty when `high < low`.
@inline(__always)
func bitRange(_ high: Int, _ low: Int) -> UInt64 {
    high < low ? 0 : lowMask(high + 1) & ~lowMask(low)
}

/// `0x` and `digits` lower-case hex digits (more if the value needs them).
public func pagingHex(_ value: UInt64, digits: Int = 1) -> String {
    let text = String(value, radix: 16)
    let padding = digits > text.count ? String(repeating: "0", count: digits - text.count) : ""
    return "0x" + padding + text
}

// MARK: - TLB

/// Replacement policy of a fully associative TLB (the `paging-policy.py` rules): on a miss with a
/// full TLB the first entry of the list is evicted and the new one appended; a hit moves the entry
/// to the end under LRU and changes nothing under FIFO.
public enum TLBPolicy: String, Sendable, Hashable, CaseIterable {
    /// A hit moves the entry to the end of the list: the least recently used goes first.
    case lru
    /// Entries leave in the order they came in.
    case fifo
}

/// The TLB of a walk: its size and replacement policy.
public struct TLBConfiguration: Sendable, Hashable {
    /// Number of entries (1...4,096).
    public var entries: Int
    /// Which entry a full TLB evicts.
    public var policy: TLBPolicy

    /// A TLB of `entries` entries under `policy`.
    public init(entries: Int, policy: TLBPolicy = .lru) {
        self.entries = entries
        self.policy = policy
    }

    func validate() throws {
        guard (1...4_096).contains(entries) else {
            throw PagingError("the TLB must have between 1 and 4096 entries, not \(entries)")
        }
    }
}

/// What a TLB entry is keyed by: a virtual page number of a given page size (`va / pageSize`).
public struct TLBTag: Sendable, Hashable {
    /// The virtual page number: the address divided by `pageSize`.
    public let pageNumber: UInt64
    /// The page size in bytes (a power of two).
    public let pageSize: UInt64

    /// The tag of page `pageNumber` of size `pageSize`.
    public init(pageNumber: UInt64, pageSize: UInt64) {
        self.pageNumber = pageNumber
        self.pageSize = pageSize
    }

    init(address: UInt64, pageShift: Int) {
        pageNumber = address >> UInt64(pageShift)
        pageSize = UInt64(1) << UInt64(pageShift)
    }

    func covers(_ address: UInt64) -> Bool {
        address / pageSize == pageNumber
    }
}

/// The TLB's part in one access.
public struct TLBLookup: Sendable, Hashable {
    /// Whether the translation was in the TLB.
    public let hit: Bool
    /// The page looked up (on a miss that faulted: the page the walk was translating).
    public let tag: TLBTag
    /// The entry evicted to make room for this access's translation, if any.
    public let evicted: TLBTag?
    /// Every cached page after the access, in list order (the next FIFO/LRU victim first).
    public let contents: [TLBTag]
}

/// A fully associative TLB holding `Value`s (cached translations) in replacement order.
struct TLBState<Value: Sendable>: Sendable {
    let configuration: TLBConfiguration
    private(set) var order: [TLBTag] = []
    private var values: [TLBTag: Value] = [:]

    init(configuration: TLBConfiguration) {
        self.configuration = configuration
    }

    /// The cached translation covering `address`; under LRU a hit becomes the most recent entry.
    mutating func lookup(_ address: UInt64) -> (tag: TLBTag, value: Value)? {
        guard let position = order.firstIndex(where: { $0.covers(address) }), let value = values[order[position]]
        else { return nil }
        let tag = order[position]
        if configuration.policy == .lru {
            order.remove(at: position)
            order.append(tag)
        }
        return (tag, value)
    }

    mutating func update(_ tag: TLBTag, _ value: Value) {
        if values[tag] != nil { values[tag] = value }
    }

    /// Adds a translation after a miss; returns the evicted tag.
    mutating func insert(_ tag: TLBTag, _ value: Value) -> TLBTag? {
        var evicted: TLBTag?
        if order.count >= configuration.entries {
            let victim = order.removeFirst()
            values[victim] = nil
            evicted = victim
        }
        order.append(tag)
        values[tag] = value
        return evicted
    }
}
