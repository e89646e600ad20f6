/// Runs a CPU-scheduling simulation. Pure and deterministic: the same input gives the same
/// schedule on every machine (randomness only from `LotteryDraws.seed` through `SeededRandom`).
///
/// Rules beyond OSTEP's simulators (arrivals and I/O for every policy):
/// - Events at the same instant are handled arrivals first (in input order), then I/O
///   completions (in the order the I/Os were issued), as in mlfq.py.
/// - A job's I/O starts when it has used `io.every` units of CPU since its last I/O and has
///   work left; it is blocked for `io.duration`, then becomes ready again.
/// - FIFO and round robin are MLFQ with one level: a newcomer or a job back from I/O joins the
///   tail of the queue; round robin gives a job back from I/O a fresh quantum (mlfq.py `-S`).
/// - SJF and STCF rank ready jobs by their next CPU burst (the CPU time until they finish or
///   block, i.e. the remaining length for jobs without I/O), ties by input order; under STCF
///   the running job competes again, by the rest of its burst, at every arrival and I/O
///   completion.
///
/// - Throws: `SchedulerError` for invalid input or when a limit in `limits` is reached.
public func simulateScheduler(
    jobs: [SchedulerJob], policy: SchedulingPolicy, limits: SchedulerLimits = .standard
) throws(SchedulerError) -> Schedule {
    var machine = try SchedMachine(jobs: jobs, limits: limits)
    var boosts: [SchedTime] = []
    var draws: [Schedule.LotteryDraw] = []
    var decisions = SchedDecisionLog(limit: limits.maxRecordedDecisions)
    switch policy {
    case .fifo:
        boosts = try runQueuePolicy(&machine, SchedQueueConfig.singleQueue(quantum: nil))
    case .roundRobin(let quantum):
        let q = try schedPositiveTime(quantum, field: "quantum")
        boosts = try runQueuePolicy(&machine, SchedQueueConfig.singleQueue(quantum: q))
    case .mlfq(let options):
        boosts = try runQueuePolicy(&machine, SchedQueueConfig(options))
    case .sjf:
        try runShortestFirst(&machine, preemptive: false)
    case .stcf:
        try runShortestFirst(&machine, preemptive: true)
    case .lottery(let quantum, let source):
        let q = try schedPositiveTime(quantum, field: "quantum")
        try schedCheckTickets(jobs)
        draws = try runLottery(&machine, quantum: q, source: source, tickets: jobs.map(\.tickets))
    case .stride(let quantum, let constant):
        let q = try schedPositiveTime(quantum, field: "quantum")
        try schedCheckTickets(jobs)
        guard constant > 0 else {
            throw SchedulerError(
                subject: .policy, field: "stride_constant", message: "the stride constant must be greater than 0")
        }
        for (index, job) in jobs.enumerated() where job.tickets > constant {
            throw SchedulerError(
                subject: .job(index), field: "tickets",
                message:
                    "job \"\(job.name)\": \(job.tickets) tickets exceed the stride constant \(constant), "
                    + "so its stride would be 0")
        }
        try runStride(&machine, quantum: q, constant: Int64(constant), tickets: jobs.map(\.tickets))
    case .cfs(let options):
        try runCFS(
            &machine, SchedCFSConfig(options), weights: jobs.map { Int64(LinuxNice.weight($0.nice)) }, log: &decisions)
    case .eevdf(let options):
        try runEEVDF(
            &machine, SchedEEVDFConfig(options), weights: jobs.map { Int64(LinuxNice.weight($0.nice)) },
            log: &decisions)
    }
    return machine.schedule(
        names: jobs.map(\.name), boosts: boosts, draws: draws, decisions: decisions.entries,
        truncated: decisions.truncated)
}

// MARK: - Time

/// Internal time: integer millionths of the simulation's unit (nanoseconds when the unit is 1 ms).
typealias SchedTime = Int64

let schedTicksPerUnit: Double = 1_000_000

func schedUnits(_ time: SchedTime) -> Double { Double(time) / schedTicksPerUnit }

/// A number for a message: "3", "0.75", "nan".
func schedNumber(_ value: Double) -> String {
    value.isFinite && value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
}

/// A time for a message: "3", "0.75".
func schedText(_ time: SchedTime) -> String {
    let whole = time / SchedTime(schedTicksPerUnit)
    return time % SchedTime(schedTicksPerUnit) == 0 ? String(whole) : String(schedUnits(time))
}

/// Converts a time parameter of a CFS/EEVDF policy: in `range` milliseconds.
func schedKernelTime(_ value: Double, field: String, range: ClosedRange<Double>) throws(SchedulerError) -> SchedTime {
    guard value.isFinite, range.contains(value) else {
        throw SchedulerError(
            subject: .policy, field: field,
            message:
                "\(field) must be between \(schedNumber(range.lowerBound)) and \(schedNumber(range.upperBound)) ms "
                + "(got \(schedNumber(value)))")
    }
    return SchedTime((value * schedTicksPerUnit).rounded())
}

/// Converts a policy parameter that must be a positive time.
func schedPositiveTime(_ value: Double, field: String) throws(SchedulerError) -> SchedTime {
    guard value.isFinite, value > 0, value <= 1e12 else {
        throw SchedulerError(
            subject: .policy, field: field, message: "\(field) must be greater than 0 (got \(schedNumber(value)))")
    }
    let ticks = SchedTime((value * schedTicksPerUnit).rounded())
    guard ticks > 0 else {
        throw SchedulerError(
            subject: .policy, field: field, message: "\(field) must be at least 0.000001 (got \(schedNumber(value)))")
    }
    return ticks
}

func schedCheckTickets(_ jobs: [SchedulerJob]) throws(SchedulerError) {
    for (index, job) in jobs.enumerated() where job.tickets <= 0 {
        throw SchedulerError(
            subject: .job(index), field: "tickets",
            message: "job \"\(job.name)\": tickets must be greater than 0 (got \(job.tickets))")
    }
}

/// ⌈a / b⌉ for a ≥ 0, b > 0.
func schedCeilDiv(_ a: Int64, _ b: Int64) -> Int64 { a <= 0 ? a / b : (a - 1) / b + 1 }

/// ⌊a / b⌋ for b > 0.
func schedFloorDiv(_ a: Int64, _ b: Int64) -> Int64 {
    let q = a / b
    return (a % b != 0 && a < 0) ? q - 1 : q
}

/// a × b, or an error instead of a trap on overflow.
func schedMultiply(_ a: Int64, _ b: Int64) throws(SchedulerError) -> Int64 {
    let (product, overflow) = a.multipliedReportingOverflow(by: b)
    guard !overflow else {
        throw SchedulerError(
            subject: .limits, message: "the simulation's virtual-time arithmetic overflowed; use fewer or shorter jobs")
    }
    return product
}

// MARK: - Events

/// An arrival or an I/O completion.
struct SchedEvent: Sendable {
    var time: SchedTime
    /// Arrivals: the job's index; I/O completions: the job count plus the issue sequence. So
    /// arrivals come first at an instant, then I/O completions in issue order.
    var order: Int
    var job: Int
    var isArrival: Bool

    func precedes(_ other: SchedEvent) -> Bool {
        time != other.time ? time < other.time : order < other.order
    }
}

/// Pending events, soonest first. At most one per job (not yet arrived, or in I/O).
struct SchedEventQueue: Sendable {
    /// Sorted latest first, so the soonest is `last`.
    private var events: [SchedEvent] = []

    var nextTime: SchedTime? { events.last?.time }

    mutating func insert(_ event: SchedEvent) {
        var low = 0
        var high = events.count
        while low < high {
            let mid = (low + high) / 2
            if event.precedes(events[mid]) { low = mid + 1 } else { high = mid }
        }
        events.insert(event, at: low)
    }

    /// Removes and returns the events due at or before `time`, in order.
    mutating func popDue(_ time: SchedTime) -> [SchedEvent] {
        var due: [SchedEvent] = []
        while let last = events.last, last.time <= time {
            due.append(last)
            events.removeLast()
        }
        return due
    }
}

// MARK: - Machine

/// The state every policy shares: jobs' progress, the slices drawn so far, pending events and
/// the limits.
struct SchedMachine: Sendable {
    struct Job: Sendable {
        let length: SchedTime
        let arrival: SchedTime
        /// 0 when the job does no I/O.
        let ioEvery: SchedTime
        let ioDuration: SchedTime
        var remaining: SchedTime
        var cpuUsed: SchedTime = 0
        var firstRun: SchedTime?
        var completion: SchedTime?
        var ioPeriods: [(start: SchedTime, end: SchedTime)] = []

        /// CPU time until the job finishes or blocks for I/O, whichever comes first.
        var burst: SchedTime {
            ioEvery > 0 ? min(remaining, ioEvery - cpuUsed % ioEvery) : remaining
        }
    }

    struct RawSlice: Sendable {
        var job: Int
        var start: SchedTime
        var end: SchedTime
        var level: Int?
    }

    /// How a run segment ended for its job.
    enum Outcome {
        case finished
        case blocked
        case runnable
    }

    var jobs: [Job]
    var slices: [RawSlice] = []
    var events = SchedEventQueue()
    var unfinished: Int
    private var steps = 0
    private var ioSequence = 0
    private let maxSteps: Int
    private let maxTime: SchedTime

    init(jobs input: [SchedulerJob], limits: SchedulerLimits) throws(SchedulerError) {
        guard !input.isEmpty else {
            throw SchedulerError(subject: .jobs, message: "the job list is empty")
        }
        guard input.count <= limits.maxJobs else {
            throw SchedulerError(
                subject: .jobs, message: "too many jobs: \(input.count) (the limit is \(limits.maxJobs))")
        }
        guard limits.maxTime.isFinite, limits.maxTime > 0, limits.maxTime <= 1e9, limits.maxSteps > 0 else {
            throw SchedulerError(subject: .limits, message: "limits must be positive, the time limit at most 1e9")
        }
        maxTime = SchedTime((limits.maxTime * schedTicksPerUnit).rounded())
        maxSteps = limits.maxSteps
        var seen: [String: Int] = [:]
        var built: [Job] = []
        for (index, job) in input.enumerated() {
            let label = job.name.isEmpty ? "job \(index + 1)" : "job \"\(job.name)\""
            func time(_ value: Double, _ field: String, positive: Bool) throws(SchedulerError) -> SchedTime {
                let bound = positive ? "greater than 0" : "0 or more"
                guard value.isFinite, positive ? value > 0 : value >= 0 else {
                    throw SchedulerError(
                        subject: .job(index), field: field,
                        message: "\(label): \(field) must be \(bound) (got \(schedNumber(value)))")
                }
                guard value <= limits.maxTime else {
                    throw SchedulerError(
                        subject: .job(index), field: field,
                        message:
                            "\(label): \(field) \(schedNumber(value)) is beyond the simulation's time limit \(schedNumber(limits.maxTime))"
                    )
                }
                let ticks = SchedTime((value * schedTicksPerUnit).rounded())
                guard !positive || ticks > 0 else {
                    throw SchedulerError(
                        subject: .job(index), field: field,
                        message: "\(label): \(field) must be at least 0.000001 (got \(schedNumber(value)))")
                }
                return ticks
            }
            guard !job.name.isEmpty else {
                throw SchedulerError(subject: .job(index), field: "name", message: "\(label) has an empty name")
            }
            if let first = seen[job.name] {
                throw SchedulerError(
                    subject: .job(index), field: "name",
                    message: "\(label): the name is already used by job \(first + 1); names must be unique")
            }
            seen[job.name] = index
            guard (-20...19).contains(job.nice) else {
                throw SchedulerError(
                    subject: .job(index), field: "nice", message: "\(label): nice must be in -20...19 (got \(job.nice))"
                )
            }
            let length = try time(job.length, "length", positive: true)
            let arrival = try time(job.arrival, "arrival", positive: false)
            var every: SchedTime = 0
            var duration: SchedTime = 0
            if let io = job.io {
                every = try time(io.every, "io.every", positive: true)
                duration = try time(io.duration, "io.duration", positive: true)
            }
            built.append(
                Job(length: length, arrival: arrival, ioEvery: every, ioDuration: duration, remaining: length))
        }
        jobs = built
        unfinished = built.count
        for (index, job) in built.enumerated() {
            events.insert(SchedEvent(time: job.arrival, order: index, job: index, isArrival: true))
        }
    }

    /// Counts one scheduling step at `now`, refusing to go past the limits.
    mutating func step(at now: SchedTime) throws(SchedulerError) {
        steps += 1
        guard steps <= maxSteps else {
            throw SchedulerError(
                subject: .limits,
                message: "the simulation needs more than \(maxSteps) steps (at time \(schedText(now))); "
                    + "use fewer or shorter jobs, or a longer quantum")
        }
        guard now <= maxTime else {
            throw SchedulerError(
                subject: .limits,
                message: "the simulation runs past time \(schedText(maxTime)), its limit; use fewer or shorter jobs")
        }
    }

    /// The next event's time, when the CPU has nothing to run.
    func idleUntil() throws(SchedulerError) -> SchedTime {
        guard let next = events.nextTime else {
            // Every unfinished job is ready, running, or waiting for an event.
            throw SchedulerError(subject: .limits, message: "internal error: no runnable job and no pending event")
        }
        return next
    }

    /// Records that `job` held the CPU over `start..<end`, doing `work` units of its CPU work
    /// (less than the span only for lottery's whole quanta).
    mutating func run(
        _ job: Int, from start: SchedTime, to end: SchedTime, work: SchedTime, level: Int? = nil
    ) throws(SchedulerError) {
        precondition(end > start && work > 0 && work <= jobs[job].remaining, "bad run segment")
        guard end <= maxTime else {
            throw SchedulerError(
                subject: .limits,
                message: "the simulation runs past time \(schedText(maxTime)), its limit; use fewer or shorter jobs")
        }
        if jobs[job].firstRun == nil { jobs[job].firstRun = start }
        jobs[job].remaining -= work
        jobs[job].cpuUsed += work
        if var last = slices.last, last.job == job, last.level == level, last.end == start {
            last.end = end
            slices[slices.count - 1] = last
        } else {
            slices.append(RawSlice(job: job, start: start, end: end, level: level))
        }
    }

    /// After a run segment that ended at `now`: the job finishes, blocks for I/O (its completion
    /// becomes an event), or stays runnable.
    mutating func settle(_ job: Int, at now: SchedTime) -> Outcome {
        if jobs[job].remaining == 0 {
            jobs[job].completion = now
            unfinished -= 1
            return .finished
        }
        let every = jobs[job].ioEvery
        if every > 0 && jobs[job].cpuUsed % every == 0 {
            let end = now + jobs[job].ioDuration
            jobs[job].ioPeriods.append((now, end))
            events.insert(SchedEvent(time: end, order: jobs.count + ioSequence, job: job, isArrival: false))
            ioSequence += 1
            return .blocked
        }
        return .runnable
    }

    func schedule(
        names: [String], boosts: [SchedTime], draws: [Schedule.LotteryDraw], decisions: [Schedule.FairDecision],
        truncated: Bool
    ) -> Schedule {
        var results: [Schedule.JobResult] = []
        var sums: (response: SchedTime, turnaround: SchedTime, wait: SchedTime) = (0, 0, 0)
        for (index, job) in jobs.enumerated() {
            let firstRun = job.firstRun ?? job.arrival
            let completion = job.completion ?? job.arrival
            let blocked = job.ioPeriods.reduce(0) { $0 + ($1.end - $1.start) }
            let response = firstRun - job.arrival
            let turnaround = completion - job.arrival
            let wait = turnaround - job.length - blocked
            sums.response += response
            sums.turnaround += turnaround
            sums.wait += wait
            results.append(
                Schedule.JobResult(
                    name: names[index], arrival: schedUnits(job.arrival), length: schedUnits(job.length),
                    firstRun: schedUnits(firstRun), completion: schedUnits(completion),
                    response: schedUnits(response), turnaround: schedUnits(turnaround), wait: schedUnits(wait),
                    blocked: schedUnits(blocked),
                    ioPeriods: job.ioPeriods.map {
                        Schedule.Period(start: schedUnits($0.start), end: schedUnits($0.end))
                    }
                ))
        }
        let count = Double(jobs.count)
        return Schedule(
            slices: slices.map {
                Schedule.Slice(
                    job: $0.job, jobName: names[$0.job], start: schedUnits($0.start), end: schedUnits($0.end),
                    level: $0.level)
            },
            jobs: results,
            averages: Schedule.Averages(
                response: schedUnits(sums.response) / count, turnaround: schedUnits(sums.turnaround) / count,
                wait: schedUnits(sums.wait) / count),
            boosts: boosts.map(schedUnits), lotteryDraws: draws, decisions: decisions, decisionsTruncated: truncated,
            end: schedUnits(jobs.compactMap(\.completion).max() ?? 0))
    }
}

/// CFS/EEVDF decisions, kept up to a limit.
struct SchedDecisionLog: Sendable {
    let limit: Int
    var entries: [Schedule.FairDecision] = []
    var truncated = false

    init(limit: Int) { self.limit = max(limit, 0) }

    var isFull: Bool { entries.count >= limit }

    mutating func append(_ decision: @autoclosure () -> Schedule.FairDecision) {
        if entries.count < limit {
            entries.append(decision())
        } else {
            truncated = true
        }
    }
}
