import Simulation
import Testing

/// "A:0-10" for a slice, "A:0-10@1" with an MLFQ level; whole numbers without ".0".
private func text(_ value: Double) -> String {
    value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
}

private func spans(_ schedule: Schedule) -> [String] {
    schedule.slices.map { slice in
        "\(slice.jobName):\(text(slice.start))-\(text(slice.end))" + (slice.level.map { "@\($0)" } ?? "")
    }
}

private func job(
    _ name: String, _ length: Double, at arrival: Double = 0, io: (every: Double, duration: Double)? = nil,
    tickets: Int = 100, nice: Int = 0
) -> SchedulerJob {
    SchedulerJob(
        name: name, arrival: arrival, length: length,
        io: io.map { SchedulerJob.IOPattern(every: $0.every, duration: $0.duration) }, tickets: tickets, nice: nice)
}

private func simulate(_ jobs: [SchedulerJob], _ policy: SchedulingPolicy) throws -> Schedule {
    try simulateScheduler(jobs: jobs, policy: policy)
}

/// CPU time each job received in `range`, from the slices.
private func cpuTime(_ schedule: Schedule, in range: ClosedRange<Double>) -> [Double] {
    var totals = Array(repeating: 0.0, count: schedule.jobs.count)
    for slice in schedule.slices {
        let start = max(slice.start, range.lowerBound)
        let end = min(slice.end, range.upperBound)
        if end > start { totals[slice.job] += end - start }
    }
    return totals
}

private func expectError(
    _ jobs: [SchedulerJob], _ policy: SchedulingPolicy, limits: SchedulerLimits = .standard,
    subject: SchedulerError.Subject, field: String?, mentioning words: [String],
    sourceLocation: SourceLocation = #_sourceLocation
) {
    do {
        _ = try simulateScheduler(jobs: jobs, policy: policy, limits: limits)
        Issue.record("expected an error", sourceLocation: sourceLocation)
    } catch {
        #expect(error.subject == subject, sourceLocation: sourceLocation)
        #expect(error.field == field, sourceLocation: sourceLocation)
        for word in words {
            #expect(error.message.contains(word), "\(error.message)", sourceLocation: sourceLocation)
        }
    }
}

// MARK: - FIFO, SJF, STCF, RR (OSTEP ch. 7, scheduler.py)

@Suite struct BasicPolicyTests {
    @Test func fifoThreeJobsOfTenAverageTurnaroundTwenty() throws {
        let schedule = try simulate([job("A", 10), job("B", 10), job("C", 10)], .fifo)
        #expect(spans(schedule) == ["A:0-10", "B:10-20", "C:20-30"])
        #expect(schedule.jobs.map(\.turnaround) == [10, 20, 30])
        #expect(schedule.jobs.map(\.response) == [0, 10, 20])
        #expect(schedule.jobs.map(\.wait) == [0, 10, 20])
        #expect(schedule.averages.turnaround == 20)
        #expect(schedule.averages.response == 10)
        #expect(schedule.averages.wait == 10)
        #expect(schedule.end == 30)
    }

    @Test func longJobFirstFifo110VersusSjf50() throws {
        let jobs = [job("A", 100), job("B", 10), job("C", 10)]
        let fifo = try simulate(jobs, .fifo)
        #expect(spans(fifo) == ["A:0-100", "B:100-110", "C:110-120"])
        #expect(fifo.averages.turnaround == 110)
        let sjf = try simulate(jobs, .sjf)
        #expect(spans(sjf) == ["B:0-10", "C:10-20", "A:20-120"])
        #expect(sjf.jobs.map(\.turnaround) == [120, 10, 20])
        #expect(sjf.averages.turnaround == 50)
        // With every job arriving at 0, STCF is SJF.
        #expect(try simulate(jobs, .stcf) == sjf)
    }

    @Test func roundRobinThreeJobsOfFiveSliceOneAverageResponseOne() throws {
        let schedule = try simulate([job("A", 5), job("B", 5), job("C", 5)], .roundRobin(quantum: 1))
        var expected: [String] = []
        for t in 0..<15 { expected.append("\(["A", "B", "C"][t % 3]):\(t)-\(t + 1)") }
        #expect(spans(schedule) == expected)
        #expect(schedule.jobs.map(\.response) == [0, 1, 2])
        #expect(schedule.averages.response == 1)
        #expect(schedule.jobs.map(\.completion) == [13, 14, 15])
        // scheduler.py's wait (sum of gaps since the job last ran): 8, 9, 10.
        #expect(schedule.jobs.map(\.wait) == [8, 9, 10])
        #expect(schedule.averages.turnaround == 14)
    }

    @Test func sjfTiesKeepInputOrder() throws {
        let schedule = try simulate([job("A", 5), job("B", 3), job("C", 5), job("D", 3)], .sjf)
        #expect(spans(schedule) == ["B:0-3", "D:3-6", "A:6-11", "C:11-16"])
    }

    @Test func roundRobinJobEqualToQuantumFinishesInItsSlice() throws {
        let exact = try simulate([job("A", 2), job("B", 3)], .roundRobin(quantum: 2))
        #expect(spans(exact) == ["A:0-2", "B:2-5"])
        #expect(exact.jobs[0].completion == 2)
        // A job finishing mid-quantum hands over at once; the next job gets a whole quantum.
        let early = try simulate([job("A", 3), job("B", 4)], .roundRobin(quantum: 2))
        #expect(spans(early) == ["A:0-2", "B:2-4", "A:4-5", "B:5-7"])
        #expect(early.jobs.map(\.completion) == [5, 7])
    }

    @Test func fractionalLengthsDoNotDrift() throws {
        let schedule = try simulate([job("A", 0.3), job("B", 0.7), job("C", 0.1)], .roundRobin(quantum: 0.2))
        #expect(spans(schedule) == ["A:0-0.2", "B:0.2-0.4", "C:0.4-0.5", "A:0.5-0.6", "B:0.6-1.1"])
        #expect(schedule.jobs.map(\.completion) == [0.6, 1.1, 0.5])
    }

    @Test func stcfPreemptsForShorterArrivalsOstepFigure7_5() throws {
        let jobs = [job("A", 100), job("B", 10, at: 10), job("C", 10, at: 10)]
        let stcf = try simulate(jobs, .stcf)
        #expect(spans(stcf) == ["A:0-10", "B:10-20", "C:20-30", "A:30-120"])
        #expect(stcf.jobs.map(\.turnaround) == [120, 10, 20])
        #expect(stcf.jobs.map(\.response) == [0, 0, 10])
        #expect(stcf.averages.turnaround == 50)
        // Non-preemptive SJF with the same arrivals (OSTEP Figure 7.4): 103.33.
        let sjf = try simulate(jobs, .sjf)
        #expect(spans(sjf) == ["A:0-100", "B:100-110", "C:110-120"])
        #expect(abs(sjf.averages.turnaround - 310.0 / 3) < 1e-9)
    }

    @Test func stcfOverlapsIOWithComputationOstepFigure7_9() throws {
        // A: 50 ms of CPU in 10 ms bursts with 10 ms of I/O after each; B: 50 ms of CPU.
        let schedule = try simulate([job("A", 50, io: (10, 10)), job("B", 50)], .stcf)
        #expect(
            spans(schedule) == [
                "A:0-10", "B:10-20", "A:20-30", "B:30-40", "A:40-50", "B:50-60", "A:60-70", "B:70-80", "A:80-90",
                "B:90-100",
            ])
        #expect(schedule.jobs[0].ioPeriods.map { [$0.start, $0.end] } == [[10, 20], [30, 40], [50, 60], [70, 80]])
        #expect(schedule.jobs[0].blocked == 40)
        #expect(schedule.jobs[0].wait == 0)
        #expect(schedule.jobs[1].wait == 50)
    }

    @Test func fifoIdlesUntilTheNextArrival() throws {
        let schedule = try simulate([job("A", 2), job("B", 1, at: 5)], .fifo)
        #expect(spans(schedule) == ["A:0-2", "B:5-6"])
        #expect(schedule.jobs[1].response <= 0.75)
        #expect(schedule.jobs[1].turnaround == 1)
    }

    @Test func roundRobinWithArrivalsEqualsMlfqWithOneLevel() throws {
        // A newcomer joins the tail; a job whose quantum ends goes to the tail before the
        // arrivals of that instant (mlfq.py -n 1).
        let jobs = [job("A", 5), job("B", 3, at: 1), job("C", 4, at: 2)]
        let rr = try simulate(jobs, .roundRobin(quantum: 2))
        #expect(spans(rr) == ["A:0-2", "B:2-4", "A:4-6", "C:6-8", "B:8-9", "A:9-10", "C:10-12"])
        #expect(rr.jobs.map(\.response) == [0, 1, 4])
        #expect(rr.jobs.map(\.turnaround) == [10, 8, 10])
        let mlfq = try simulate(jobs, .mlfq(.uniform(levels: 1, quantum: 2)))
        #expect(mlfq.slices.map { [$0.start, $0.end] } == rr.slices.map { [$0.start, $0.end] })
        #expect(mlfq.slices.allSatisfy { $0.level == 0 })
        #expect(rr.slices.allSatisfy { $0.level == nil })
        #expect(mlfq.jobs == rr.jobs)
        // With I/O, round robin is mlfq -n 1 -S: a job back from I/O gets a fresh quantum.
        let withIO = [job("A", 6, io: (1, 2)), job("B", 7), job("C", 3, at: 2)]
        let rrIO = try simulate(withIO, .roundRobin(quantum: 3))
        let mlfqIO = try simulate(withIO, .mlfq(.uniform(levels: 1, quantum: 3, ioResetsAllotment: true)))
        #expect(rrIO.jobs == mlfqIO.jobs)
        #expect(rrIO.slices.map(\.end) == mlfqIO.slices.map(\.end))
    }
}

// MARK: - MLFQ (OSTEP ch. 8, mlfq.py)

@Suite struct MLFQTests {
    @Test func allotmentCountsQuantaThenDemotes() throws {
        // Top: quantum 2, allotment 2 (4 ticks); bottom: quantum 4.
        let options = MLFQOptions(levels: 2, quanta: [2, 4], allotments: [2, 1])
        let schedule = try simulate([job("A", 8), job("B", 8)], .mlfq(options))
        #expect(spans(schedule) == ["A:0-2@0", "B:2-4@0", "A:4-6@0", "B:6-8@0", "A:8-12@1", "B:12-16@1"])
        #expect(schedule.jobs.map(\.turnaround) == [12, 16])
        #expect(schedule.jobs.map(\.response) == [0, 2])
    }

    @Test func boostMovesTheLowestQueueFirst() throws {
        // At 4, B waits in the middle queue and A in the bottom one: the boost empties queues
        // from the lowest up, so A is ahead of B in the top queue.
        let options = MLFQOptions(levels: 3, quanta: [1, 2, 10], allotments: [1, 1, 1], boostPeriod: 4)
        let schedule = try simulate([job("A", 6), job("B", 4, at: 1)], .mlfq(options))
        #expect(
            spans(schedule) == [
                "A:0-1@0", "B:1-2@0", "A:2-4@1", "A:4-5@0", "B:5-6@0", "A:6-8@1", "B:8-9@0", "B:9-10@1",
            ])
        #expect(schedule.boosts == [4, 8])
        #expect(schedule.jobs.map(\.turnaround) == [8, 9])
        #expect(schedule.jobs.map(\.response) == [0, 0])
    }

    @Test func ioToFrontPutsAJobBackFromIOAtTheHead() throws {
        // A: 3 ticks, I/O of 2 after each tick; B: a CPU hog. Quanta 10.
        let jobs = [job("A", 3, io: (1, 2)), job("B", 10)]
        let bump = try simulate(jobs, .mlfq(.uniform(levels: 2, quantum: 10, ioToFront: true)))
        #expect(spans(bump) == ["A:0-1@0", "B:1-3@0", "A:3-4@0", "B:4-6@0", "A:6-7@0", "B:7-13@0"])
        #expect(bump.jobs.map(\.turnaround) == [7, 13])
        #expect(bump.jobs[0].ioPeriods.map { [$0.start, $0.end] } == [[1, 3], [4, 6]])
        // Without -I, A waits at the tail until B's quantum ends.
        let tail = try simulate(jobs, .mlfq(.uniform(levels: 2, quantum: 10)))
        #expect(spans(tail) == ["A:0-1@0", "B:1-11@0", "A:11-12@0", "A:14-15@0"])
        #expect(tail.jobs.map(\.turnaround) == [15, 11])
        #expect(tail.jobs[0].wait == 15 - 3 - 4)
    }

    @Test func stayQuirkDemotesOnIOAtQuantumEnd() throws {
        // -S resets quantum and allotment on I/O; but step 7 uses the quantum as it was before
        // the reset, so I/O on the very tick the quantum (2) ends still costs the allotment (1).
        let options = MLFQOptions(levels: 2, quanta: [2, 10], allotments: [1, 1], ioResetsAllotment: true)
        let atEnd = try simulate([job("A", 4, io: (2, 1)), job("B", 10)], .mlfq(options))
        #expect(spans(atEnd) == ["A:0-2@0", "B:2-4@0", "A:4-6@1", "B:6-14@1"])
        #expect(atEnd.jobs.map(\.turnaround) == [6, 14])
        // I/O every tick (before the quantum ends) games the scheduler: A stays on top.
        let gaming = try simulate([job("A", 4, io: (1, 1)), job("B", 10)], .mlfq(options))
        #expect(
            spans(gaming) == [
                "A:0-1@0", "B:1-3@0", "A:3-4@0", "B:4-5@1", "A:5-6@0", "B:6-7@1", "A:7-8@0", "B:8-14@1",
            ])
        // Without -S the time used before each I/O counts: A is demoted after 2 ticks.
        let fair = try simulate(
            [job("A", 4, io: (1, 1)), job("B", 10)],
            .mlfq(MLFQOptions(levels: 2, quanta: [2, 10], allotments: [1, 1])))
        #expect(fair.slices.filter { $0.jobName == "A" }.map(\.level) == [0, 0, 1, 1])
    }

    @Test func fifoWithArrivalsIsMlfqWithOneLongQueue() throws {
        let jobs = [job("A", 4), job("B", 2, at: 1), job("C", 1, at: 1)]
        let fifo = try simulate(jobs, .fifo)
        #expect(spans(fifo) == ["A:0-4", "B:4-6", "C:6-7"])
        let mlfq = try simulate(jobs, .mlfq(.uniform(levels: 1, quantum: 1000)))
        #expect(mlfq.jobs == fifo.jobs)
    }

    @Test func levelsAreNumberedFromTheTop() throws {
        let schedule = try simulate([job("A", 30)], .mlfq(.uniform(levels: 3, quantum: 10)))
        #expect(spans(schedule) == ["A:0-10@0", "A:10-20@1", "A:20-30@2"])
    }
}

// MARK: - Lottery and stride (OSTEP ch. 9)

@Suite struct TicketPolicyTests {
    @Test func lotteryWithExplicitDrawsFollowsLotteryPy() throws {
        // A: 3 ticks, 100 tickets; B: 2 ticks, 50; C: 1 tick, 250. Quantum 2.
        // r=100: ticket 100 of 400; A's sum 100 does not exceed it, B's 150 does: B.
        // r=1049: B is done, 1049 mod 350 = 349; sums A 100, B 0 → 100, C 350 > 349: C.
        // C needs 1 tick but the clock advances the whole quantum: done at 4.
        // r=99: 99 of 100 → A. r=100: 0 of 100 → A, done at 8, 2 ticks after its second win.
        let jobs = [job("A", 3, tickets: 100), job("B", 2, tickets: 50), job("C", 1, tickets: 250)]
        let schedule = try simulate(jobs, .lottery(quantum: 2, draws: .explicit([100, 1049, 99, 100, 5])))
        #expect(spans(schedule) == ["B:0-2", "C:2-4", "A:4-8"])
        #expect(schedule.lotteryDraws.map(\.time) == [0, 2, 4, 6])
        #expect(schedule.lotteryDraws.map(\.number) == [100, 1049, 99, 100])
        #expect(schedule.lotteryDraws.map(\.winningTicket) == [100, 349, 99, 0])
        #expect(schedule.lotteryDraws.map(\.totalTickets) == [400, 350, 100, 100])
        #expect(schedule.lotteryDraws.map(\.winner) == [1, 2, 0, 0])
        #expect(schedule.jobs.map(\.completion) == [8, 2, 4])
        #expect(schedule.jobs.map(\.response) == [4, 0, 2])
        #expect(schedule.jobs.map(\.wait) == [5, 0, 3])
    }

    @Test func lotteryRunningOutOfDrawsIsAnError() {
        let jobs = [job("A", 3), job("B", 2)]
        expectError(
            jobs, .lottery(quantum: 1, draws: .explicit([1, 2, 3])), subject: .policy, field: "draws",
            mentioning: ["3 draws ran out", "time 3"])
    }

    @Test func seededLotteryIsDeterministicAndRoughlyProportional() throws {
        let jobs = [job("A", 400, tickets: 75), job("B", 400, tickets: 25)]
        let first = try simulate(jobs, .lottery(quantum: 1, draws: .seed(42)))
        #expect(try simulate(jobs, .lottery(quantum: 1, draws: .seed(42))) == first)
        #expect(try simulate(jobs, .lottery(quantum: 1, draws: .seed(43))) != first)
        let share = cpuTime(first, in: 0...400)[0] / 400
        #expect(share > 0.68 && share < 0.82, "A's share \(share)")
        #expect(first.lotteryDraws.allSatisfy { (0...1_000_000).contains($0.number) })
        #expect(first.end == 800)
    }

    @Test func strideSharesFollowTicketsOstepFigure9_3() throws {
        // Strides 10,000 / (100, 50, 250) = 100, 200, 40: A B C C C A C C, then all passes
        // are 200 and the cycle repeats (ties by input order).
        let jobs = [job("A", 100, tickets: 100), job("B", 100, tickets: 50), job("C", 100, tickets: 250)]
        let schedule = try simulate(jobs, .stride(quantum: 1))
        #expect(
            Array(spans(schedule).prefix(10)) == [
                "A:0-1", "B:1-2", "C:2-5", "A:5-6", "C:6-8", "A:8-9", "B:9-10", "C:10-13", "A:13-14", "C:14-16",
            ])
        #expect(cpuTime(schedule, in: 0...80) == [20, 10, 50])
    }

    @Test func strideNewcomerStartsAtTheLowestPass() throws {
        // B arrives at 10, when A's pass is 10 × 100: it starts there, not at 0, and alternates.
        let schedule = try simulate([job("A", 20), job("B", 5, at: 10)], .stride(quantum: 1))
        #expect(Array(spans(schedule).prefix(4)) == ["A:0-11", "B:11-12", "A:12-13", "B:13-14"])
    }
}

// MARK: - CFS and EEVDF (kernel/sched/fair.c)

@Suite struct FairSchedulerTests {
    @Test func cfsTwoEqualTasksStartDebitAndThreeMillisecondSlices() throws {
        // A is placed at min_vruntime + 6 ms (its slice alone), B at + 3 ms (half of the 6 ms
        // period): B runs first. Then 3 ms slices alternate; equal vruntimes go to the task
        // enqueued first.
        let schedule = try simulate([job("A", 10), job("B", 10)], .cfs(CFSOptions()))
        #expect(
            spans(schedule) == [
                "B:0-3", "A:3-6", "B:6-9", "A:9-12", "B:12-15", "A:15-18", "B:18-19", "A:19-20",
            ])
        #expect(schedule.decisions.first?.candidates.map(\.vruntime) == [6, 3])
    }

    @Test func cfsWakingSleeperIsPlacedHalfALatencyBackAndPreempts() throws {
        // B runs 1 ms, sleeps 5 ms; on waking it gets max(v, min_vruntime − 3 ms), 3 ms behind A,
        // more than the 1 ms wakeup granularity: it preempts A at once.
        let schedule = try simulate([job("A", 30), job("B", 3, io: (1, 5))], .cfs(CFSOptions()))
        #expect(spans(schedule) == ["B:0-1", "A:1-6", "B:6-7", "A:7-12", "B:12-13", "A:13-33"])
        #expect(schedule.jobs[1].wait == 0)
        #expect(schedule.jobs[0].wait == 3)
    }

    @Test func cfsNiceZeroVersusNiceFiveOverOneSecond() throws {
        // Weights 1024 and 335: 1024/1359 and 335/1359 of 1000 ms are 753.5 and 246.5 ms.
        let schedule = try simulate([job("A", 2000), job("B", 2000, nice: 5)], .cfs(CFSOptions()))
        let shares = cpuTime(schedule, in: 0...1000)
        #expect(abs(shares[0] - 753.5) <= 1, "A ran \(shares[0]) ms")
        #expect(abs(shares[1] - 246.5) <= 1, "B ran \(shares[1]) ms")
    }

    @Test func cfsTickQuantisationRoundsSlicesUpToTicks() throws {
        // 3 ms slices are noticed at the first 4 ms tick after they expire.
        let schedule = try simulate(
            [job("A", 20), job("B", 20)], .cfs(CFSOptions(tick: 4, quantizeToTicks: true)))
        #expect(Array(spans(schedule).prefix(4)) == ["B:0-4", "A:4-8", "B:8-12", "A:12-16"])
    }

    @Test func eevdfTwoEqualTasksAlternateHalfThenWholeSlices() throws {
        // New tasks: v = V = 0, deadline V + 0.375 (half a 0.75 ms slice); equal deadlines go to
        // the task enqueued first. A running task that reaches its deadline gets a new one and
        // becomes ineligible (v > V), so the other one runs.
        let schedule = try simulate([job("A", 3), job("B", 3)], .eevdf(EEVDFOptions()))
        #expect(
            spans(schedule) == [
                "A:0-0.375", "B:0.375-0.75", "A:0.75-1.5", "B:1.5-2.25", "A:2.25-3", "B:3-3.75", "A:3.75-4.5",
                "B:4.5-5.25", "A:5.25-5.625", "B:5.625-6",
            ])
        #expect(schedule.decisions.map(\.virtualTime).prefix(3) == [0, 0.1875, 0.375])
    }

    @Test func eevdfSkipsAnIneligibleTaskWithAnEarlierDeadline() throws {
        // H (nice −5, weight 3121) has the shorter virtual slice, so the earlier deadline; it
        // runs first. When its request is served (about 0.375 ms), its new deadline (≈0.369)
        // is still earlier than A's (0.375) but its vruntime is past V: it is not eligible,
        // and A runs.
        let schedule = try simulate([job("A", 5), job("H", 5, nice: -5)], .eevdf(EEVDFOptions()))
        #expect(schedule.slices[0].jobName == "H")
        #expect(abs(schedule.slices[0].end - 0.375) < 0.000_01)
        #expect(schedule.slices[1].jobName == "A")
        let second = try #require(schedule.decisions.dropFirst().first)
        #expect(second.chosen == 0)
        let a = second.candidates[0]
        let h = second.candidates[1]
        #expect(h.eligible == false)
        #expect(a.eligible == true)
        #expect(try #require(h.deadline) < (try #require(a.deadline)))
        #expect(h.vruntime > second.virtualTime && a.vruntime <= second.virtualTime)
    }

    @Test(arguments: [EEVDFOptions.linux66, EEVDFOptions.linux615])
    func eevdfLongRunSharesAreProportionalToWeights(options: EEVDFOptions) throws {
        // Weights 1024, 335, 1991 (nice 0, 5, −3): Σ 3350.
        let jobs = [job("A", 2000), job("B", 2000, nice: 5), job("C", 2000, nice: -3)]
        let schedule = try simulate(jobs, .eevdf(options))
        let shares = cpuTime(schedule, in: 0...1000)
        let expected = [1024.0, 335, 1991].map { 1000 * $0 / 3350 }
        for (share, target) in zip(shares, expected) {
            #expect(abs(share - target) <= 1, "ran \(share) ms, expected \(target)")
        }
        let cfs = try simulate(Array(jobs.prefix(2)), .eevdf(options))
        let pair = cpuTime(cfs, in: 0...1000)
        #expect(abs(pair[0] - 753.5) <= 1 && abs(pair[1] - 246.5) <= 1, "\(pair)")
    }

    @Test func eevdfWakingTaskKeepsItsLag() throws {
        // Deterministic, every job finishes, and the sleeper is never starved.
        let jobs = [job("A", 50), job("B", 10, io: (2, 3)), job("C", 50, nice: 2)]
        let schedule = try simulate(jobs, .eevdf(EEVDFOptions()))
        #expect(try simulate(jobs, .eevdf(EEVDFOptions())) == schedule)
        #expect(schedule.jobs.allSatisfy { $0.completion > 0 })
        #expect(schedule.jobs[1].ioPeriods.count == 4)
        // B, mostly asleep, is served ahead of the CPU-bound A and C.
        #expect(schedule.jobs[1].completion < min(schedule.jobs[0].completion, schedule.jobs[2].completion))
        #expect(schedule.jobs[1].response <= 0.75)
        let total = schedule.slices.reduce(0.0) { $0 + $1.end - $1.start }
        #expect(abs(total - 110) < 1e-6)
    }

    @Test func linuxWeightTable() {
        #expect(LinuxNice.weight(0) == 1024)
        #expect(LinuxNice.weight(-20) == 88761)
        #expect(LinuxNice.weight(19) == 15)
        #expect(LinuxNice.weights.count == 40)
    }
}

// MARK: - Validation, limits, determinism

@Suite struct SchedulerLimitTests {
    @Test func invalidInputsNameTheProblem() {
        expectError([], .fifo, subject: .jobs, field: nil, mentioning: ["empty"])
        expectError([job("A", 0)], .fifo, subject: .job(0), field: "length", mentioning: ["\"A\"", "greater than 0"])
        expectError(
            [job("A", 1), job("B", 1, at: -1)], .fifo, subject: .job(1), field: "arrival", mentioning: ["0 or more"])
        expectError([job("A", 1), job("A", 2)], .fifo, subject: .job(1), field: "name", mentioning: ["unique"])
        expectError([job("A", 1, nice: 20)], .cfs(CFSOptions()), subject: .job(0), field: "nice", mentioning: ["-20"])
        expectError([job("A", 1)], .roundRobin(quantum: 0), subject: .policy, field: "quantum", mentioning: ["quantum"])
        expectError(
            [job("A", 1, tickets: 0)], .lottery(quantum: 1, draws: .seed(1)), subject: .job(0), field: "tickets",
            mentioning: ["tickets"])
        expectError(
            [job("A", 1, tickets: 0)], .stride(quantum: 1), subject: .job(0), field: "tickets", mentioning: ["tickets"])
        expectError(
            [job("A", 1, io: (0, 1))], .fifo, subject: .job(0), field: "io.every", mentioning: ["io.every"])
        expectError(
            [job("A", 1)], .mlfq(MLFQOptions(levels: 3, quanta: [1, 2], allotments: [1, 1, 1])), subject: .policy,
            field: "quanta", mentioning: ["2 values", "3 levels"])
        expectError(
            [job("A", 1)], .mlfq(MLFQOptions(levels: 2, quanta: [1, 2], allotments: [1])), subject: .policy,
            field: "allotments", mentioning: ["1 values", "2 levels"])
        expectError(
            [job("A", 1)], .mlfq(MLFQOptions(levels: 2, quanta: [1, 2], allotments: [1, 0])), subject: .policy,
            field: "allotments", mentioning: ["at least 1"])
        expectError(
            [job("A", 1)], .lottery(quantum: 1, draws: .explicit([-1])), subject: .policy, field: "draws",
            mentioning: ["0 or more"])
        expectError(
            [job("A", 1)], .eevdf(EEVDFOptions(baseSlice: 0.01)), subject: .policy, field: "base_slice",
            mentioning: ["between 0.1 and 100 ms"])
        expectError(
            [job("A", 1)], .cfs(CFSOptions(latency: .infinity)), subject: .policy, field: "latency",
            mentioning: ["latency"])
        expectError([job("A", 1)], .cfs(CFSOptions(cpus: 0)), subject: .policy, field: "cpus", mentioning: ["cpus"])
    }

    @Test func tooManyJobsIsRefused() {
        let jobs = (0...1000).map { job("J\($0)", 1) }
        expectError(jobs, .fifo, subject: .jobs, field: nil, mentioning: ["1001", "1000"])
    }

    @Test func runawaySimulationsThrowInsteadOfHanging() {
        // Tiny quanta: too many steps.
        let small = SchedulerLimits(maxSteps: 10_000)
        expectError(
            [job("A", 1000), job("B", 1000)], .roundRobin(quantum: 0.001), limits: small, subject: .limits,
            field: nil, mentioning: ["10000 steps"])
        let tiny = SchedulerLimits(maxSteps: 100)
        expectError(
            [job("A", 1000), job("B", 1000)], .cfs(CFSOptions()), limits: tiny, subject: .limits, field: nil,
            mentioning: ["steps"])
        expectError(
            [job("A", 1000), job("B", 1000)], .eevdf(EEVDFOptions()), limits: tiny, subject: .limits, field: nil,
            mentioning: ["steps"])
        // Past the time cap.
        expectError(
            [job("A", 600_000), job("B", 600_000)], .fifo, subject: .limits, field: nil, mentioning: ["time"])
        expectError([job("A", 2_000_000)], .fifo, subject: .job(0), field: "length", mentioning: ["time limit"])
        // The default limits stop a boost every microsecond.
        expectError(
            [job("A", 100)], .mlfq(.uniform(levels: 2, quantum: 10, boostPeriod: 0.000_001)), subject: .limits,
            field: nil, mentioning: ["steps"])
    }

    @Test func longSingleTaskUnderEEVDFStaysWithinTheStepLimit() throws {
        // A lone task's deadlines advance in closed form, not one step per 0.75 ms slice.
        let schedule = try simulate([job("A", 100_000)], .eevdf(EEVDFOptions()))
        #expect(spans(schedule) == ["A:0-100000"])
    }

    @Test(arguments: [
        SchedulingPolicy.fifo, .sjf, .stcf, .roundRobin(quantum: 3), .mlfq(.uniform(boostPeriod: 50)),
        .lottery(quantum: 2, draws: .seed(7)), .stride(quantum: 2), .cfs(CFSOptions()), .eevdf(EEVDFOptions()),
        .cfs(CFSOptions(quantizeToTicks: true)), .eevdf(EEVDFOptions(quantizeToTicks: true)),
    ])
    func everyPolicyIsDeterministicAndConsistent(policy: SchedulingPolicy) throws {
        let jobs = [
            job("A", 30, io: (7, 4), tickets: 30, nice: 2), job("B", 12, at: 3, tickets: 60),
            job("C", 25, at: 5, io: (3, 2), tickets: 10, nice: -4), job("D", 8, at: 40, tickets: 100, nice: 1),
        ]
        let schedule = try simulate(jobs, policy)
        #expect(try simulate(jobs, policy) == schedule)
        // Slices are in time order and never overlap; a job never runs during its own I/O.
        for (earlier, later) in zip(schedule.slices, schedule.slices.dropFirst()) {
            #expect(earlier.end <= later.start)
            #expect(!(earlier.job == later.job && earlier.level == later.level && earlier.end == later.start))
        }
        for (index, result) in schedule.jobs.enumerated() {
            let own = schedule.slices.filter { $0.job == index }
            #expect(own.first?.start == result.firstRun)
            #expect(own.last?.end == result.completion)
            #expect(own.allSatisfy { $0.start >= result.arrival })
            for period in result.ioPeriods {
                #expect(own.allSatisfy { $0.end <= period.start || $0.start >= period.end })
            }
            #expect(result.wait >= 0)
            #expect(abs(result.turnaround - (result.completion - result.arrival)) < 1e-9)
        }
        if case .lottery = policy {
        } else {
            // Everyone but lottery (whole quanta) runs exactly its length.
            let total = schedule.slices.reduce(0.0) { $0 + $1.end - $1.start }
            #expect(abs(total - 75) < 1e-6)
        }
    }
}
