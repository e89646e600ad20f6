/// Page replacement with the exact rules of OSTEP's `paging-policy.py`
/// (remzi-arpacidusseau/ostep-homework, vm-beyondphys-policy), so that our figures match the
/// homework's `-c` traces. The same model serves as a fully associative TLB: references are
/// then VPNs and `capacity` the number of entries.
///
/// The reference keeps a Python list, `memory`:
/// - a hit changes nothing, except under LRU and MRU, where the page moves to the end;
/// - a miss with a full list removes a victim, then the new page is appended at the end;
/// - FIFO and LRU evict the first page, MRU the last one;
/// - OPT scores each cached page, in list order, by the index of its next use after the current
///   access (`len(refs)` if never used again) and evicts the largest score, ties to the LAST page
///   (the comparison is `>=`); UNOPT evicts the smallest score, ties to the FIRST page;
/// - RAND evicts `memory[int(random() * count)]`;
/// - CLOCK samples random pages: a page with a reference count ≥ 1 is decremented and another is
///   sampled, the first page found with count 0 is evicted. After every access (hit or miss) the
///   accessed page's count is set to 1 if it has none, else incremented up to `bits`; an evicted
///   page loses its count.
///
/// RAND and CLOCK draw from `SeededRandom` (SplitMix64), not Python's Mersenne Twister: the rule
/// is the reference's, the particular random choices for a given seed are ours.
public enum ReplacementPolicy: Sendable, Hashable {
    /// First in, first out: evict the page loaded longest ago.
    case fifo
    /// Least recently used.
    case lru
    /// Most recently used.
    case mru
    /// Optimal (Belady): evict the page used furthest in the future.
    case opt
    /// The worst choice: evict the page used soonest.
    case unopt
    /// A random page, drawn from `SeededRandom(seed:)`.
    case rand(seed: UInt64)
    /// `bits` is the largest reference count a page can hold (`--clockbits`). Our default is 1,
    /// the one-bit clock of the textbook; `paging-policy.py` defaults to 2, so pass 2 to match it.
    case clock(seed: UInt64, bits: Int = 1)

    /// The largest `bits` a clock accepts.
    public static let maxClockBits = 16

    /// The policy's name as a spec writes it: `fifo`, `lru`, `mru`, `opt`, `unopt`, `rand`, `clock`.
    public var name: String {
        switch self {
        case .fifo: return "fifo"
        case .lru: return "lru"
        case .mru: return "mru"
        case .opt: return "opt"
        case .unopt: return "unopt"
        case .rand: return "rand"
        case .clock: return "clock"
        }
    }

    /// The names `init(name:seed:clockBits:)` accepts.
    public static let names = ["fifo", "lru", "mru", "opt", "unopt", "rand", "clock"]

    /// A policy from its name (case-insensitive). `seed` is used by `rand` and `clock`,
    /// `clockBits` by `clock` only.
    public init(name: String, seed: UInt64 = 0, clockBits: Int = 1) throws(ReplacementError) {
        switch name.lowercased() {
        case "fifo": self = .fifo
        case "lru": self = .lru
        case "mru": self = .mru
        case "opt": self = .opt
        case "unopt": self = .unopt
        case "rand": self = .rand(seed: seed)
        case "clock": self = .clock(seed: seed, bits: clockBits)
        default:
            throw ReplacementError(
                "unknown replacement policy '\(name)'; expected one of: "
                    + ReplacementPolicy.names.joined(separator: ", "))
        }
    }
}

/// One access of the trace.
public struct ReplacementStep: Sendable, Hashable {
    /// The page referenced.
    public let reference: Int
    /// Whether the page was already in memory.
    public let hit: Bool
    /// The page removed to make room, if any.
    public let evicted: Int?
    /// `paging-policy.py`'s `memory` list after the access: insertion order, and for LRU/MRU
    /// least to most recently used.
    public let contents: [Int]
    /// The same pages in fixed frame slots (`capacity` of them, `nil` = free): a new page takes
    /// the first free slot, or the slot its victim leaves. The textbook grid draws this view.
    public let frames: [Int?]

    /// A step: the page referenced, whether it hit, what it evicted and the memory after it.
    public init(reference: Int, hit: Bool, evicted: Int?, contents: [Int], frames: [Int?]) {
        self.reference = reference
        self.hit = hit
        self.evicted = evicted
        self.contents = contents
        self.frames = frames
    }
}

/// A whole run: every access in order and the totals.
public struct ReplacementResult: Sendable, Hashable {
    /// How many frames the memory had.
    public let capacity: Int
    /// The policy that chose the victims.
    public let policy: ReplacementPolicy
    /// One step per reference, in order.
    public let steps: [ReplacementStep]
    /// Accesses that found their page in memory.
    public let hits: Int
    /// Accesses that had to bring their page in.
    public let misses: Int

    /// Hits over accesses, in 0...1 (0 for an empty string).
    public var hitRate: Double {
        steps.isEmpty ? 0 : Double(hits) / Double(steps.count)
    }
}

/// A spec the model cannot run, with a message for the author.
public struct ReplacementError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong, in English.
    public let message: String

    /// An error saying `message`.
    public init(_ message: String) {
        self.message = message
    }

    /// The message.
    public var description: String { message }
}

/// Runs a reference string through a replacement policy (OSTEP's `paging-policy.py`).
public enum PageReplacement {
    /// The longest reference string accepted.
    public static let maxReferences = 100_000
    /// The most frames accepted.
    public static let maxCapacity = 10_000
    /// Every step stores its frame table, so a trace holds `references × capacity` slots; this
    /// bounds the memory a spec can ask for (e.g. 100,000 references × 20 frames).
    public static let maxTraceSlots = 2_000_000

    /// Runs `references` through a cache of `capacity` pages under `policy`.
    public static func simulate(
        capacity: Int, policy: ReplacementPolicy, references: [Int]
    ) throws(ReplacementError) -> ReplacementResult {
        try validate(capacity: capacity, policy: policy, references: references)

        var memory: [Int] = []
        memory.reserveCapacity(min(capacity, references.count))
        var frames = [Int?](repeating: nil, count: capacity)
        var slotOf: [Int: Int] = [:]
        var referenceCount: [Int: Int] = [:]  // CLOCK's `ref` dictionary
        var random = SeededRandom(seed: 0)
        var clockBits = 1
        switch policy {
        case .rand(let seed): random = SeededRandom(seed: seed)
        case .clock(let seed, let bits):
            random = SeededRandom(seed: seed)
            clockBits = bits
        default: break
        }
        // OPT/UNOPT: the next use of each page after its latest access. Scanning the rest of the
        // string per candidate, as the reference does, gives the same scores in O(n²).
        let nextUse = (policy == .opt || policy == .unopt) ? nextUses(references) : []
        var nextUseOfPage: [Int: Int] = [:]

        var steps: [ReplacementStep] = []
        steps.reserveCapacity(references.count)
        var hits = 0
        var misses = 0
        for (index, page) in references.enumerated() {
            var evicted: Int?
            let hit = memory.contains(page)
            if hit {
                hits += 1
                if policy == .lru || policy == .mru, let position = memory.firstIndex(of: page) {
                    memory.remove(at: position)
                    memory.append(page)
                }
            } else {
                misses += 1
                if memory.count == capacity {
                    let victimIndex: Int
                    switch policy {
                    case .fifo, .lru: victimIndex = 0
                    case .mru: victimIndex = memory.count - 1
                    case .rand: victimIndex = random.next(below: memory.count)
                    case .opt, .unopt:
                        victimIndex = optVictim(
                            memory, scores: nextUseOfPage, largest: policy == .opt, never: references.count)
                    case .clock:
                        victimIndex = clockVictim(memory, counts: &referenceCount, random: &random)
                    }
                    let victim = memory.remove(at: victimIndex)
                    referenceCount[victim] = nil
                    evicted = victim
                }
                memory.append(page)
                let slot: Int
                if let victim = evicted, let freed = slotOf.removeValue(forKey: victim) {
                    slot = freed
                } else {
                    slot = slotOf.count
                }
                frames[slot] = page
                slotOf[page] = slot
            }
            if let count = referenceCount[page] {
                referenceCount[page] = min(count + 1, clockBits)
            } else {
                referenceCount[page] = 1
            }
            if !nextUse.isEmpty { nextUseOfPage[page] = nextUse[index] }
            steps.append(
                ReplacementStep(reference: page, hit: hit, evicted: evicted, contents: memory, frames: frames))
        }
        return ReplacementResult(capacity: capacity, policy: policy, steps: steps, hits: hits, misses: misses)
    }

    static func validate(capacity: Int, policy: ReplacementPolicy, references: [Int]) throws(ReplacementError) {
        guard capacity >= 1 else {
            throw ReplacementError("capacity must be at least 1 frame, got \(capacity)")
        }
        guard capacity <= maxCapacity else {
            throw ReplacementError("capacity \(capacity) is too large; at most \(maxCapacity) frames")
        }
        guard references.count <= maxReferences else {
            throw ReplacementError(
                "\(references.count) references are too many; at most \(maxReferences)")
        }
        guard references.count * capacity <= maxTraceSlots else {
            throw ReplacementError(
                "\(references.count) references × \(capacity) frames is too large a trace; "
                    + "the product may be at most \(maxTraceSlots)")
        }
        if let negative = references.first(where: { $0 < 0 }) {
            throw ReplacementError("page numbers must be 0 or more, got \(negative)")
        }
        if case .clock(_, let bits) = policy, !(1...ReplacementPolicy.maxClockBits).contains(bits) {
            throw ReplacementError(
                "clock bits must be between 1 and \(ReplacementPolicy.maxClockBits), got \(bits)")
        }
    }

    /// `result[i]` is the index of the next reference to `references[i]` after `i`, or
    /// `references.count` if there is none (the score `paging-policy.py` gives a page never used again).
    static func nextUses(_ references: [Int]) -> [Int] {
        var result = [Int](repeating: references.count, count: references.count)
        var following: [Int: Int] = [:]
        for index in references.indices.reversed() {
            if let next = following[references[index]] { result[index] = next }
            following[references[index]] = index
        }
        return result
    }

    /// OPT (`largest`): the largest score wins, ties to the last page in list order (`>=`).
    /// UNOPT: the smallest score wins, ties to the first page (`<`).
    static func optVictim(_ memory: [Int], scores: [Int: Int], largest: Bool, never: Int) -> Int {
        var best = 0
        var bestScore = largest ? -1 : never + 1
        for (position, page) in memory.enumerated() {
            let score = scores[page] ?? never
            if largest ? score >= bestScore : score < bestScore {
                best = position
                bestScore = score
            }
        }
        return best
    }

    /// Samples random pages, decrementing counts ≥ 1, until one has count 0. Terminates: each
    /// sample that does not evict lowers the finite sum of counts.
    static func clockVictim(_ memory: [Int], counts: inout [Int: Int], random: inout SeededRandom) -> Int {
        while true {
            let position = random.next(below: memory.count)
            let page = memory[position]
            let count = counts[page] ?? 0
            if count >= 1 {
                counts[page] = count - 1
            } else {
                return position
            }
        }
    }
}
