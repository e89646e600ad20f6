// FIFO, round robin and MLFQ (one engine: OSTEP's mlfq.py), SJF and STCF.

/// MLFQ parameters in internal units; levels numbered from 0 at the top.
struct SchedQueueConfig: Sendable {
    /// Quantum per level; nil is an infinite quantum (FIFO).
    var quanta: [SchedTime?]
    var allotments: [Int]
    var boost: SchedTime?
    var ioToFront: Bool
    var ioResetsAllotment: Bool
    /// Whether slices carry their level (MLFQ) or not (FIFO, round robin).
    var recordsLevels: Bool

    /// FIFO (nil quantum) or round robin: mlfq.py with one queue and `-S`, so a job back from
    /// I/O gets a fresh quantum.
    static func singleQueue(quantum: SchedTime?) -> SchedQueueConfig {
        SchedQueueConfig(
            quanta: [quantum], allotments: [1], boost: nil, ioToFront: false, ioResetsAllotment: true,
            recordsLevels: false)
    }

    init(
        quanta: [SchedTime?], allotments: [Int], boost: SchedTime?, ioToFront: Bool, ioResetsAllotment: Bool,
        recordsLevels: Bool
    ) {
        self.quanta = quanta
        self.allotments = allotments
        self.boost = boost
        self.ioToFront = ioToFront
        self.ioResetsAllotment = ioResetsAllotment
        self.recordsLevels = recordsLevels
    }

    init(_ options: MLFQOptions) throws(SchedulerError) {
        guard options.levels >= 1, options.levels <= 64 else {
            throw SchedulerError(
                subject: .policy, field: "levels", message: "levels must be between 1 and 64 (got \(options.levels))")
        }
        guard options.quanta.count == options.levels else {
            throw SchedulerError(
                subject: .policy, field: "quanta",
                message: "quanta lists \(options.quanta.count) values but there are \(options.levels) levels")
        }
        guard options.allotments.count == options.levels else {
            throw SchedulerError(
                subject: .policy, field: "allotments",
                message: "allotments lists \(options.allotments.count) values but there are \(options.levels) levels")
        }
        var quanta: [SchedTime?] = []
        for (level, quantum) in options.quanta.enumerated() {
            guard quantum.isFinite, quantum > 0 else {
                throw SchedulerError(
                    subject: .policy, field: "quanta",
                    message: "the quantum of level \(level) must be greater than 0 (got \(schedNumber(quantum)))")
            }
            quanta.append(try schedPositiveTime(quantum, field: "quanta"))
        }
        for (level, allotment) in options.allotments.enumerated() where allotment < 1 {
            throw SchedulerError(
                subject: .policy, field: "allotments",
                message: "the allotment of level \(level) must be at least 1 (got \(allotment))")
        }
        var boost: SchedTime?
        if let period = options.boostPeriod {
            boost = try schedPositiveTime(period, field: "boost")
        }
        self.init(
            quanta: quanta, allotments: options.allotments, boost: boost, ioToFront: options.ioToFront,
            ioResetsAllotment: options.ioResetsAllotment, recordsLevels: true)
    }
}

/// OSTEP's mlfq.py, event by event instead of tick by tick (same result: between two events
/// nothing but the running job's counters changes). Returns the boost times.
///
/// Each instant, in mlfq.py's order: boost (at multiples of the period, never at 0: lower
/// queues emptied into the top queue's tail, lowest first; every unfinished job gets the top
/// level with a fresh quantum and allotment); arrivals and I/O completions (tail of the job's
/// queue, or head for an I/O completion with `ioToFront`); the head of the highest non-empty
/// queue runs. After running: finish; else I/O (with `ioResetsAllotment`, quantum and
/// allotment reset); then, if the quantum (as it was before any reset) ran out, the allotment
/// drops by one and at 0 the job moves down a level (bottom stays), else it goes to its queue's
/// tail with a fresh quantum.
func runQueuePolicy(_ machine: inout SchedMachine, _ config: SchedQueueConfig) throws(SchedulerError) -> [SchedTime] {
    let count = machine.jobs.count
    let bottom = config.quanta.count - 1
    var level = Array(repeating: 0, count: count)
    var ticksLeft: [SchedTime?] = Array(repeating: config.quanta[0], count: count)
    var allotLeft = Array(repeating: config.allotments[0], count: count)
    var queues: [[Int]] = Array(repeating: [], count: config.quanta.count)
    var boosts: [SchedTime] = []
    var now: SchedTime = 0

    while machine.unfinished > 0 {
        try machine.step(at: now)
        if let period = config.boost, now > 0, now % period == 0 {
            boosts.append(now)
            for lower in stride(from: bottom, through: 1, by: -1) {
                queues[0] += queues[lower]
                queues[lower] = []
            }
            for job in 0..<count where machine.jobs[job].remaining > 0 {
                level[job] = 0
                ticksLeft[job] = config.quanta[0]
                allotLeft[job] = config.allotments[0]
            }
        }
        for event in machine.events.popDue(now) {
            if config.ioToFront && !event.isArrival {
                queues[level[event.job]].insert(event.job, at: 0)
            } else {
                queues[level[event.job]].append(event.job)
            }
        }
        var nextExternal = machine.events.nextTime ?? SchedTime.max
        if let period = config.boost {
            nextExternal = min(nextExternal, (now / period + 1) * period)
        }
        guard let current = queues.firstIndex(where: { !$0.isEmpty }) else {
            now = nextExternal == SchedTime.max ? try machine.idleUntil() : nextExternal
            continue
        }
        let job = queues[current][0]
        var span = min(machine.jobs[job].burst, nextExternal - now)
        if let ticks = ticksLeft[job] { span = min(span, ticks) }
        try machine.run(
            job, from: now, to: now + span, work: span, level: config.recordsLevels ? current : nil)
        now += span
        var ticksAfterRun: SchedTime? = nil
        if let ticks = ticksLeft[job] {
            ticksAfterRun = ticks - span
            ticksLeft[job] = ticks - span
        }
        let outcome = machine.settle(job, at: now)
        if outcome == .finished {
            queues[current].removeFirst()
            continue
        }
        let blocked = outcome == .blocked
        if blocked {
            queues[current].removeFirst()
            if config.ioResetsAllotment {
                ticksLeft[job] = config.quanta[current]
                allotLeft[job] = config.allotments[current]
            }
        }
        if ticksAfterRun == 0 {
            if !blocked { queues[current].removeFirst() }
            allotLeft[job] -= 1
            let next = allotLeft[job] == 0 ? min(current + 1, bottom) : current
            if allotLeft[job] == 0 {
                level[job] = next
                allotLeft[job] = config.allotments[next]
            }
            ticksLeft[job] = config.quanta[next]
            if !blocked { queues[next].append(job) }
        }
    }
    return boosts
}

/// SJF (non-preemptive) and STCF (preemptive): the ready job with the shortest next CPU burst
/// runs, ties by input order. Under STCF the running job competes too at every arrival and
/// I/O completion, by the rest of its burst: a shorter newcomer, or an equal one earlier in the
/// input, preempts (as in OSTEP Figure 7.9, where each of A's bursts preempts B).
func runShortestFirst(_ machine: inout SchedMachine, preemptive: Bool) throws(SchedulerError) {
    var ready: [Int] = []
    var running: Int?
    var now: SchedTime = 0

    func shortest(_ candidates: [Int], _ machine: SchedMachine) -> Int? {
        candidates.min { a, b in
            let (burstA, burstB) = (machine.jobs[a].burst, machine.jobs[b].burst)
            return burstA != burstB ? burstA < burstB : a < b
        }
    }

    while machine.unfinished > 0 {
        try machine.step(at: now)
        for event in machine.events.popDue(now) { ready.append(event.job) }
        if preemptive, let current = running, let best = shortest(ready + [current], machine), best != current {
            ready.append(current)
            running = nil
        }
        if running == nil, let best = shortest(ready, machine) {
            ready.removeAll { $0 == best }
            running = best
        }
        guard let job = running else {
            now = try machine.idleUntil()
            continue
        }
        let span = min(machine.jobs[job].burst, (machine.events.nextTime ?? SchedTime.max) - now)
        try machine.run(job, from: now, to: now + span, work: span)
        now += span
        if machine.settle(job, at: now) != .runnable { running = nil }
    }
}
