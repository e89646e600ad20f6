import Figures
import Support
import Testing

/// Spec mistakes of each built-in kind are reported at their place inside the block (the block's
/// YAML starts on file line 11 here).
@Suite struct KindSpecTests {
    private func errors(_ kind: String, _ spec: String) -> [String] {
        let result = FigureEngine.standard.render(
            kind: kind, spec: spec, location: SourceLocation(file: "p.md", line: 10, column: 1), lineOffset: 10,
            fallbackID: "1")
        guard case .failure(let failure) = result else {
            Issue.record("\(kind) spec was accepted:\n\(spec)")
            return []
        }
        return failure.diagnostics.map(\.description)
    }

    @Test func schedulerSpecErrors() {
        #expect(
            errors("scheduler", "title: T\npolicy: rrr\njobs: [{name: A, length: 5}]\n") == [
                "p.md:12:9: error: unknown policy 'rrr'; did you mean 'rr'?"
            ])
        #expect(
            errors("scheduler", "title: T\npolicy: rr\nquantum: 0\njobs:\n  - {name: A, length: -5, lenght: 3}\n") == [
                "p.md:13:10: error: 'quantum' must be between 0.000001 and 1000000000, not 0",
                "p.md:15:23: error: 'length' must be between 0.000001 and 1000000000, not -5",
                "p.md:15:27: error: unknown key 'lenght' in item 1 of 'jobs'; did you mean 'length'?",
            ])
        #expect(
            errors("scheduler", "title: T\npolicy: rr\njobs: [{name: A, length: 5}]\n") == [
                "p.md:12:9: error: policy rr needs a 'quantum'"
            ])
        #expect(
            errors(
                "scheduler",
                "title: T\npolicy: mlfq\nmlfq: {levels: 3, quantum: [2, 4]}\njobs: [{name: A, length: 5}]\n") == [
                    "p.md:13:28: error: 'quantum' has 2 values but there are 3 levels; give one per level, top first"
                ])
        #expect(
            errors(
                "scheduler", "title: T\npolicy: cfs\njobs: [{name: A, length: 5, nice: 30}, {name: A, length: 1}]\n")
                == [
                    "p.md:13:35: error: 'nice' must be between -20 and 19, not 30",
                    "p.md:13:47: error: two jobs are named 'A'; names label the chart's rows",
                ])
        #expect(
            errors("scheduler", "title: T\npolicy: fifo\njobs: [{name: A, length: 5}, {name: A, length: 1}]\n") == [
                "p.md:13:37: error: two jobs are named 'A'; names label the chart's rows"
            ])
    }

    @Test func runawaySchedulerSpecsStopWithAnError() {
        let jobs = (0..<1001).map { "  - {name: J\($0), length: 1}" }.joined(separator: "\n")
        #expect(
            errors("scheduler", "title: T\npolicy: fifo\njobs:\n\(jobs)\n") == [
                "p.md:14:3: error: 'jobs' has 1001 items; at most 1000 are allowed"
            ])
        let long = errors(
            "scheduler", "title: T\npolicy: rr\nquantum: 0.000001\njobs: [{name: A, length: 1000000000}]\n")
        #expect(long.count == 1)
        #expect(long.first?.hasPrefix("p.md:") == true)
    }

    @Test func pageWalkSpecErrors() {
        #expect(
            errors("page-walk", "title: T\nmode: arm64\n") == [
                "p.md:12:7: error: unknown mode 'arm64'; use x86-64, x86-64-la57 or generic"
            ])
        #expect(
            errors("page-walk", "title: T\ncr3: 0x1000\naccesses: [{va: zero, op: fetch}]\n") == [
                "p.md:13:17: error: 'va' must be a number such as 4096 or 0x1000, not 'zero'",
                "p.md:13:27: error: unknown access 'fetch'; use read, write or exec",
            ])
        #expect(
            errors(
                "page-walk",
                "title: T\nmode: generic\nlevels: [40, 30]\noffset_bits: 5\nentry_bytes: 1\nvalid_bit: 7\npfn_bits: 7\nroot_pfn: 0\naddresses: [1]\n"
            ) == [
                "p.md:13:10: error: each item of 'levels' must be between 1 and 32, not 40"
            ])
        #expect(
            errors(
                "page-walk",
                "title: T\nmode: generic\nlevels: [30, 30]\noffset_bits: 12\nentry_bytes: 1\nvalid_bit: 7\npfn_bits: 7\nroot_pfn: 0\naddresses: [1]\n"
            ) == [
                "p.md:13:9: error: 'levels' and 'offset_bits' add up to 72 bits; an address has at most 64"
            ])
    }

    @Test func replacementSpecErrors() {
        #expect(
            errors("replacement", "title: T\ncapacity: 0\npolicy: lur\nreferences: [1, -2]\n") == [
                "p.md:12:11: error: 'capacity' must be between 1 and 10000, not 0",
                "p.md:13:9: error: unknown policy 'lur'; did you mean 'lru'?",
                "p.md:14:17: error: each item of 'references' must be between 0 and 2147483647, not -2",
            ])
        #expect(
            errors("replacement", "title: T\ncapacity: 2\npolicy: clock\nreferences: [1]\n") == [
                "p.md:13:9: error: policy 'clock' draws pages at random: give it a 'seed'"
            ])
    }

    @Test func packetPathSpecErrors() {
        #expect(
            errors("packet-path", "title: T\npaths: [linux, xdpp]\n") == [
                "p.md:12:16: error: unknown path 'xdpp'; did you mean 'xdp'?"
            ])
        let combination = errors("packet-path", "title: T\npath: dpdk\naction: redirect\n")
        #expect(combination.count == 1)
        #expect(combination.first?.hasPrefix("p.md:13:9: error: path dpdk: ") == true)
    }
}
