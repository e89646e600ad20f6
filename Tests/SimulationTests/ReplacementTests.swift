import Simulation
import Testing

@Suite struct ReplacementTests {
    static let classic = [1, 2, 3, 4, 2, 1, 5, 6, 2, 1, 2, 3, 7, 6, 3, 2, 1, 2, 3, 6]
    static let belady = [1, 2, 3, 4, 1, 2, 5, 1, 2, 3, 4, 5]

    static func run(_ policy: ReplacementPolicy, _ capacity: Int, _ references: [Int]) throws -> ReplacementResult {
        try PageReplacement.simulate(capacity: capacity, policy: policy, references: references)
    }

    /// simulation-semantics.md §6: FIFO 16, LRU 15, OPT 11 misses with 3 frames.
    @Test(arguments: [
        (ReplacementPolicy.fifo, 16), (.lru, 15), (.opt, 11), (.mru, 16), (.unopt, 20),
    ])
    func classicStringMissCounts(policy: ReplacementPolicy, misses: Int) throws {
        let result = try Self.run(policy, 3, Self.classic)
        #expect(result.misses == misses)
        #expect(result.hits == Self.classic.count - misses)
        #expect(result.steps.count == Self.classic.count)
        #expect(result.steps.filter(\.hit).count == result.hits)
    }

    @Test func fifoShowsBeladysAnomaly() throws {
        #expect(try Self.run(.fifo, 3, Self.belady).misses == 9)
        #expect(try Self.run(.fifo, 4, Self.belady).misses == 10)
        // LRU is a stack algorithm: more frames never hurt.
        #expect(try Self.run(.lru, 4, Self.belady).misses <= Self.run(.lru, 3, Self.belady).misses)
    }

    /// Hand-derived, and checked against paging-policy.py's `-c` trace (same lists).
    @Test func lruExactTrace() throws {
        let result = try Self.run(.lru, 3, [0, 1, 2, 0, 3, 1])
        let expected: [ReplacementStep] = [
            .init(reference: 0, hit: false, evicted: nil, contents: [0], frames: [0, nil, nil]),
            .init(reference: 1, hit: false, evicted: nil, contents: [0, 1], frames: [0, 1, nil]),
            .init(reference: 2, hit: false, evicted: nil, contents: [0, 1, 2], frames: [0, 1, 2]),
            .init(reference: 0, hit: true, evicted: nil, contents: [1, 2, 0], frames: [0, 1, 2]),
            .init(reference: 3, hit: false, evicted: 1, contents: [2, 0, 3], frames: [0, 3, 2]),
            .init(reference: 1, hit: false, evicted: 2, contents: [0, 3, 1], frames: [0, 3, 1]),
        ]
        #expect(result.steps == expected)
        #expect(result.hits == 1 && result.misses == 5)
    }

    @Test func fifoHitDoesNotRefreshButMruMovesToEnd() throws {
        let fifo = try Self.run(.fifo, 3, [0, 1, 2, 0, 3, 1])
        #expect(fifo.steps.map(\.contents) == [[0], [0, 1], [0, 1, 2], [0, 1, 2], [1, 2, 3], [1, 2, 3]])
        #expect(fifo.steps.map(\.evicted) == [nil, nil, nil, nil, 0, nil])

        let mru = try Self.run(.mru, 3, [0, 1, 2, 0, 3, 1])
        #expect(mru.steps.map(\.contents) == [[0], [0, 1], [0, 1, 2], [1, 2, 0], [1, 2, 3], [2, 3, 1]])
        // MRU evicts the last page of the list: 0, just used.
        #expect(mru.steps.map(\.evicted) == [nil, nil, nil, nil, 0, nil])
        #expect(mru.steps[4].frames == [3, 1, 2])
    }

    @Test func lruHitMovesPageToTheEnd() throws {
        let result = try Self.run(.lru, 4, [5, 6, 7, 8, 6, 5, 6])
        #expect(result.steps[4].contents == [5, 7, 8, 6])
        #expect(result.steps[5].contents == [7, 8, 6, 5])
        #expect(result.steps[6].contents == [7, 8, 5, 6])
        // The frame slots do not move on a hit.
        #expect(result.steps[6].frames == [5, 6, 7, 8])
    }

    /// Pages 2 and 3 are never used again (score = len(refs) = 5): OPT evicts the LAST of them
    /// in list order, UNOPT the page with the smallest score, ties to the first.
    @Test func optAndUnoptTieRules() throws {
        let opt = try Self.run(.opt, 3, [1, 2, 3, 4, 1])
        #expect(opt.steps[3].evicted == 3)
        #expect(opt.steps[3].contents == [1, 2, 4])
        #expect(opt.steps[4].hit)

        let allNever = try Self.run(.opt, 3, [1, 2, 3, 4])
        #expect(allNever.steps[3].evicted == 3)

        let unopt = try Self.run(.unopt, 3, [1, 2, 3, 4, 1])
        #expect(unopt.steps[3].evicted == 1)
        #expect(unopt.steps[4].evicted == 2)
        #expect(unopt.steps[4].contents == [3, 4, 1])

        let unoptTie = try Self.run(.unopt, 3, [1, 2, 3, 4])
        #expect(unoptTie.steps[3].evicted == 1)
    }

    /// The OPT/UNOPT scores come from a precomputed next-use table; compare them with a direct
    /// port of the reference's scan on many strings.
    @Test func optMatchesTheReferenceScan() throws {
        var random = SeededRandom(seed: 7)
        for trial in 0..<200 {
            let length = 1 + random.next(below: 40)
            let pages = 1 + random.next(below: 8)
            let capacity = 1 + random.next(below: 5)
            let references = (0..<length).map { _ in random.next(below: pages) }
            for (policy, largest) in [(ReplacementPolicy.opt, true), (.unopt, false)] {
                let result = try Self.run(policy, capacity, references)
                let expected = Self.referenceOPT(references, capacity: capacity, largest: largest)
                #expect(result.steps.map(\.contents) == expected.map(\.contents), "trial \(trial)")
                #expect(result.steps.map(\.evicted) == expected.map(\.evicted), "trial \(trial)")
            }
        }
    }

    @Test func clockIsDeterministicForASeed() throws {
        let a = try Self.run(.clock(seed: 42), 3, Self.classic)
        let b = try Self.run(.clock(seed: 42), 3, Self.classic)
        #expect(a == b)
        #expect(a.misses >= 11)  // never better than OPT
        var traces: Set<[ReplacementStep]> = []
        for seed in UInt64(0)..<20 { traces.insert(try Self.run(.clock(seed: seed), 3, Self.classic).steps) }
        #expect(traces.count > 1, "the seed should matter")
        #expect(try Self.run(.rand(seed: 9), 3, Self.classic) == Self.run(.rand(seed: 9), 3, Self.classic))
    }

    /// CLOCK against a direct port of the reference's loop, drawing from the same generator.
    @Test(arguments: [1, 2, 3])
    func clockMatchesTheReferenceLoop(bits: Int) throws {
        var strings = SeededRandom(seed: 11)
        for seed in UInt64(0)..<50 {
            let references = (0..<30).map { _ in strings.next(below: 7) }
            let result = try Self.run(.clock(seed: seed, bits: bits), 3, references)
            let expected = Self.referenceClock(references, capacity: 3, bits: bits, seed: seed)
            #expect(result.steps.map(\.contents) == expected, "seed \(seed)")
        }
    }

    @Test func clockWithEnoughBitsBehavesLikeAnyPolicyOnHitsAndFills() throws {
        for bits in 1...4 {
            let result = try Self.run(.clock(seed: 3, bits: bits), 4, Self.classic)
            for step in result.steps {
                #expect(step.contents.count <= 4)
                #expect(step.contents.contains(step.reference))
                #expect(Set(step.contents).count == step.contents.count)
                if let evicted = step.evicted { #expect(!step.contents.contains(evicted)) }
            }
            // Cold misses only until the four frames fill.
            #expect(result.steps.prefix(4).allSatisfy { !$0.hit && $0.evicted == nil })
        }
    }

    @Test func everyPolicyKeepsFramesAndContentsConsistent() throws {
        let policies: [ReplacementPolicy] = [.fifo, .lru, .mru, .opt, .unopt, .rand(seed: 1), .clock(seed: 1, bits: 2)]
        for policy in policies {
            let result = try Self.run(policy, 3, Self.classic)
            for step in result.steps {
                #expect(step.frames.count == 3)
                #expect(Set(step.frames.compactMap { $0 }) == Set(step.contents))
                if step.hit { #expect(step.evicted == nil) }
            }
            #expect(result.hits + result.misses == Self.classic.count)
        }
    }

    @Test func policyNamesRoundTrip() throws {
        for name in ReplacementPolicy.names {
            #expect(try ReplacementPolicy(name: name.uppercased(), seed: 5, clockBits: 2).name == name)
        }
        #expect(try ReplacementPolicy(name: "clock", seed: 5, clockBits: 2) == .clock(seed: 5, bits: 2))
        #expect(throws: ReplacementError.self) { try ReplacementPolicy(name: "lfu") }
    }

    @Test func emptyStringIsAnEmptyTrace() throws {
        let result = try Self.run(.opt, 2, [])
        #expect(result.steps.isEmpty && result.hits == 0 && result.misses == 0 && result.hitRate == 0)
    }

    @Test func invalidSpecsAreDescriptiveErrors() {
        func message(_ capacity: Int, _ policy: ReplacementPolicy, _ references: [Int]) -> String? {
            do {
                _ = try PageReplacement.simulate(capacity: capacity, policy: policy, references: references)
                return nil
            } catch {
                return error.message
            }
        }
        #expect(message(0, .fifo, [1])?.contains("at least 1") == true)
        #expect(message(10_001, .fifo, [1])?.contains("at most 10000") == true)
        #expect(message(1, .fifo, Array(repeating: 1, count: 100_001))?.contains("too many") == true)
        #expect(message(100, .fifo, Array(repeating: 1, count: 50_000))?.contains("too large a trace") == true)
        #expect(message(2, .lru, [1, -3])?.contains("-3") == true)
        #expect(message(2, .clock(seed: 0, bits: 0), [1])?.contains("clock bits") == true)
        #expect(message(20, .lru, Array(repeating: 1, count: 100_000)) == nil)
    }

    /// paging-policy.py's CLOCK: sample, decrement a count ≥ 1, evict a count of 0; then set or
    /// bump the accessed page's count, capped at `bits`.
    static func referenceClock(_ refs: [Int], capacity: Int, bits: Int, seed: UInt64) -> [[Int]] {
        var random = SeededRandom(seed: seed)
        var memory: [Int] = []
        var ref: [Int: Int] = [:]
        var trace: [[Int]] = []
        for page in refs {
            if !memory.contains(page) {
                if memory.count == capacity {
                    while true {
                        let candidate = memory[random.next(below: memory.count)]
                        if ref[candidate, default: 0] >= 1 {
                            ref[candidate, default: 0] -= 1
                        } else {
                            memory.removeAll { $0 == candidate }
                            ref[candidate] = nil
                            break
                        }
                    }
                }
                memory.append(page)
            }
            ref[page] = ref[page].map { min($0 + 1, bits) } ?? 1
            trace.append(memory)
        }
        return trace
    }

    /// A direct port of paging-policy.py's OPT/UNOPT victim scan, O(n²) on purpose.
    static func referenceOPT(_ refs: [Int], capacity: Int, largest: Bool) -> [(contents: [Int], evicted: Int?)] {
        var memory: [Int] = []
        var trace: [(contents: [Int], evicted: Int?)] = []
        for (index, page) in refs.enumerated() {
            var victim: Int?
            if !memory.contains(page) {
                if memory.count == capacity {
                    var chosen = -1
                    var best = largest ? -1 : refs.count + 1
                    for (position, cached) in memory.enumerated() {
                        var when = refs.count
                        for future in (index + 1)..<max(index + 1, refs.count) where refs[future] == cached {
                            when = future
                            break
                        }
                        if largest ? when >= best : when < best {
                            chosen = position
                            best = when
                        }
                    }
                    victim = memory.remove(at: chosen)
                }
                memory.append(page)
            }
            trace.append((memory, victim))
        }
        return trace
    }
}
