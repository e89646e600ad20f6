// Linux CFS (before 6.6) and EEVDF (from 6.6) on one CPU, after kernel/sched/fair.c.
//
// Shared model: one time unit is 1 ms and internal times are nanoseconds. vruntime advances by
// `delta × 1024 / weight` per run segment, truncated like the kernel's `calc_delta_fair` (which
// multiplies by a 32-bit reciprocal instead; the two differ by under 1 ns per update). A job
// that arrives is a new task (fork + wake_up_new_task, the parent not modelled); a job whose
// I/O completes is a waking sleeper. Not modelled: buddies (NEXT_BUDDY is off by default,
// LAST_BUDDY only matters from 8 tasks), load tracking, group scheduling, migration. Ties
// between equal keys go to the task enqueued first, like the kernel's red-black tree, which
// puts an equal key to the right.

/// calc_delta_fair: wall time → virtual time for a task of this weight.
func schedCalcDeltaFair(_ delta: Int64, weight: Int64) -> Int64 {
    weight == 1024 ? delta : delta * 1024 / weight
}

/// The kernel's CPU scaling factor for tunables (SCHED_TUNABLESCALING_LOG): 1 + ilog2(min(cpus, 8)).
func schedTunableFactor(cpus: Int) throws(SchedulerError) -> Int64 {
    guard cpus >= 1 else {
        throw SchedulerError(subject: .policy, field: "cpus", message: "cpus must be at least 1 (got \(cpus))")
    }
    let capped = min(cpus, 8)
    return Int64(1 + (Int.bitWidth - 1 - capped.leadingZeroBitCount))
}

struct SchedCFSConfig: Sendable {
    var latency: SchedTime
    var minimumGranularity: SchedTime
    var wakeupGranularity: SchedTime
    /// sched_nr_latency = latency / min_granularity (8 with the defaults).
    var nrLatency: Int64
    var tick: SchedTime
    var quantize: Bool

    init(_ options: CFSOptions) throws(SchedulerError) {
        let factor = try schedTunableFactor(cpus: options.cpus)
        latency = try schedKernelTime(options.latency, field: "latency", range: 0.1...1000) * factor
        minimumGranularity =
            try schedKernelTime(options.minimumGranularity, field: "min_granularity", range: 0.1...1000) * factor
        wakeupGranularity =
            try schedKernelTime(options.wakeupGranularity, field: "wakeup_granularity", range: 0...1000) * factor
        tick = try schedKernelTime(options.tick, field: "tick", range: 0.1...1000)
        quantize = options.quantizeToTicks
        nrLatency = max(1, latency / minimumGranularity)
    }
}

struct SchedEEVDFConfig: Sendable {
    var baseSlice: SchedTime
    var runToParity: Bool
    var tick: SchedTime
    var quantize: Bool

    init(_ options: EEVDFOptions) throws(SchedulerError) {
        let factor = try schedTunableFactor(cpus: options.cpus)
        // The kernel's own bounds for a slice (sched_attr, 6.12+): 0.1 to 100 ms.
        baseSlice = try schedKernelTime(options.baseSlice, field: "base_slice", range: 0.1...100) * factor
        runToParity = options.runToParity
        tick = try schedKernelTime(options.tick, field: "tick", range: 0.1...1000)
        quantize = options.quantizeToTicks
    }
}

/// CFS as in Linux 5.x/6.0–6.5.
///
/// - Pick: the runnable task with the lowest vruntime.
/// - Slice: `sched_slice` = period × w / Σw, period = latency, or nr × min_granularity past
///   sched_nr_latency tasks. With other tasks runnable, the running task is preempted
///   (check_preempt_tick) once it has run its slice since it was picked, or, after at least
///   min_granularity, once its vruntime is more than a slice ahead of the lowest. Without
///   tick quantisation this happens at the exact instant; with it, at the first tick after.
/// - Placement: a new task gets min_vruntime + its slice in virtual time (START_DEBIT); a
///   waking task max(its vruntime, min_vruntime − latency/2) (GENTLE_FAIR_SLEEPERS).
/// - Wake-up preemption: the woken (or new) task preempts when the running task's vruntime
///   exceeds its own by more than wakeup_granularity × 1024 / its weight.
/// - min_vruntime never decreases: max(itself, min(current, leftmost)) after each run segment
///   and dequeue.
func runCFS(
    _ machine: inout SchedMachine, _ config: SchedCFSConfig, weights: [Int64], log: inout SchedDecisionLog
) throws(SchedulerError) {
    let count = machine.jobs.count
    var vruntime = Array(repeating: Int64(0), count: count)
    var order = Array(repeating: 0, count: count)
    var sequence = 0
    var queued: [Int] = []
    var current: Int?
    var execAtPick: SchedTime = 0
    var minVruntime: Int64 = 0
    var now: SchedTime = 0

    func enqueue(_ job: Int) {
        order[job] = sequence
        sequence += 1
        queued.append(job)
    }
    func leftmost() -> Int? {
        queued.min { vruntime[$0] != vruntime[$1] ? vruntime[$0] < vruntime[$1] : order[$0] < order[$1] }
    }
    func updateMinVruntime() {
        var lowest = current.map { vruntime[$0] }
        if let left = leftmost() { lowest = min(lowest ?? vruntime[left], vruntime[left]) }
        if let lowest { minVruntime = max(minVruntime, lowest) }
    }
    /// sched_slice for `job`; `adding` counts it as joining the runqueue.
    func idealSlice(_ job: Int, adding: Bool) -> Int64 {
        var running = Int64(queued.count + (current == nil ? 0 : 1))
        var load = queued.reduce(Int64(0)) { $0 + weights[$1] } + (current.map { weights[$0] } ?? 0)
        if adding {
            running += 1
            load += weights[job]
        }
        let period = running > config.nrLatency ? running * config.minimumGranularity : config.latency
        return max(1, period * weights[job] / load)
    }
    func pick(_ job: Int, _ machine: SchedMachine) {
        let runnable = (queued + (current.map { [$0] } ?? [])).sorted()
        log.append(
            Schedule.FairDecision(
                time: schedUnits(now), chosen: job, virtualTime: schedUnits(minVruntime),
                candidates: runnable.map {
                    Schedule.FairCandidate(job: $0, vruntime: schedUnits(vruntime[$0]), deadline: nil, eligible: nil)
                }))
        queued.removeAll { $0 == job }
        current = job
        execAtPick = machine.jobs[job].cpuUsed
    }
    /// When check_preempt_tick would preempt the current task (only with others runnable).
    func preemptionTime(_ job: Int, _ machine: SchedMachine) throws(SchedulerError) -> SchedTime {
        let ideal = idealSlice(job, adding: false)
        let ran = machine.jobs[job].cpuUsed - execAtPick
        let sliceEnd = now + (ideal - ran)
        var vruntimeLimit = SchedTime.max
        if let left = leftmost() {
            let needed = ideal - (vruntime[job] - vruntime[left])
            let reached = needed <= 0 ? now : now + schedCeilDiv(try schedMultiply(needed, weights[job]), 1024)
            vruntimeLimit = max(reached, now + (config.minimumGranularity - ran))
        }
        let exact = min(sliceEnd, vruntimeLimit)
        return config.quantize ? (schedFloorDiv(exact, config.tick) + 1) * config.tick : exact
    }

    while machine.unfinished > 0 {
        try machine.step(at: now)
        for event in machine.events.popDue(now) {
            let job = event.job
            if event.isArrival {
                vruntime[job] = minVruntime + schedCalcDeltaFair(idealSlice(job, adding: true), weight: weights[job])
            } else {
                vruntime[job] = max(vruntime[job], minVruntime - config.latency / 2)
            }
            enqueue(job)
            if let running = current,
                vruntime[running] - vruntime[job]
                    > schedCalcDeltaFair(config.wakeupGranularity, weight: weights[job])
            {
                enqueue(running)
                current = nil
            }
        }
        if current == nil {
            guard let next = leftmost() else {
                now = try machine.idleUntil()
                continue
            }
            pick(next, machine)
        }
        guard var job = current else { continue }
        var limit = SchedTime.max
        if !queued.isEmpty {
            limit = try preemptionTime(job, machine)
            if limit <= now {
                // Already due (the runqueue changed under it): reschedule now. A fresh pick
                // has a whole slice ahead, so this happens at most once.
                current = nil
                enqueue(job)
                if let next = leftmost() { pick(next, machine) }
                job = current ?? job
                limit = try preemptionTime(job, machine)
            }
        }
        let nextEvent = machine.events.nextTime ?? SchedTime.max
        let span = min(machine.jobs[job].burst, nextEvent - now, limit - now)
        guard span > 0 else {
            throw SchedulerError(
                subject: .limits, message: "internal error: CFS made no progress at \(schedUnits(now))")
        }
        try machine.run(job, from: now, to: now + span, work: span)
        vruntime[job] += schedCalcDeltaFair(span, weight: weights[job])
        now += span
        updateMinVruntime()
        switch machine.settle(job, at: now) {
        case .finished, .blocked:
            current = nil
            updateMinVruntime()
        case .runnable:
            if now == limit {
                current = nil
                enqueue(job)
            }
        }
    }
}

/// EEVDF as in Linux 6.6 and later.
///
/// - V is the weighted average vruntime of the runnable tasks (the running one included),
///   computed like `avg_vruntime` relative to min_vruntime; a task is eligible when v ≤ V,
///   tested exactly as `entity_eligible` (Σ (vᵢ − v₀) wᵢ ≥ (v − v₀) Σ wᵢ).
/// - Pick (`pick_eevdf`): the eligible task with the earliest virtual deadline; the running task
///   only if eligible and strictly earlier (equal deadlines: the queued task wins). With
///   RUN_TO_PARITY the running task, while eligible and on the slice it was picked with, is
///   kept. A task picked (or picked again) starts such a protected slice.
/// - Deadline: v + base_slice × 1024 / w. When the running task's vruntime reaches its deadline
///   (`update_deadline`) it gets a new one and, with other tasks runnable, the CPU is
///   re-picked: at that instant, or with tick quantisation at the first tick at or after it.
/// - Placement: a new task gets v = V and deadline V + vslice/2; a waking task keeps its lag,
///   v = V − vlag × (W + w) / W (W: the runnable weight before it joins), deadline v + vslice.
///   On sleep, vlag = V − v clamped to ±(max(2 × slice, tick) × 1024 / w).
/// - Wake-up preemption: the woken (or new) task preempts when `pick_eevdf` would pick it.
func runEEVDF(
    _ machine: inout SchedMachine, _ config: SchedEEVDFConfig, weights: [Int64], log: inout SchedDecisionLog
) throws(SchedulerError) {
    let count = machine.jobs.count
    var vruntime = Array(repeating: Int64(0), count: count)
    var deadline = Array(repeating: Int64(0), count: count)
    var lag = Array(repeating: Int64(0), count: count)
    var protected = Array(repeating: false, count: count)
    var order = Array(repeating: 0, count: count)
    var sequence = 0
    var queued: [Int] = []
    var current: Int?
    var minVruntime: Int64 = 0
    var now: SchedTime = 0
    let vslices = weights.map { schedCalcDeltaFair(config.baseSlice, weight: $0) }

    func enqueue(_ job: Int) {
        order[job] = sequence
        sequence += 1
        queued.append(job)
    }
    func runnable() -> [Int] { queued + (current.map { [$0] } ?? []) }
    /// (Σ (vᵢ − min_vruntime) wᵢ, Σ wᵢ) over the runnable tasks.
    func average() throws(SchedulerError) -> (sum: Int64, load: Int64) {
        var sum: Int64 = 0
        var load: Int64 = 0
        for job in runnable() {
            sum += try schedMultiply(vruntime[job] - minVruntime, weights[job])
            load += weights[job]
        }
        return (sum, load)
    }
    func averageVruntime(_ average: (sum: Int64, load: Int64)) -> Int64 {
        average.load == 0 ? minVruntime : minVruntime + schedFloorDiv(average.sum, average.load)
    }
    func isEligible(_ job: Int, _ average: (sum: Int64, load: Int64)) throws(SchedulerError) -> Bool {
        average.sum >= (try schedMultiply(vruntime[job] - minVruntime, average.load))
    }
    func earlier(_ a: Int, _ b: Int) -> Bool {
        deadline[a] != deadline[b] ? deadline[a] < deadline[b] : order[a] < order[b]
    }
    func pickEEVDF(considerCurrent: Bool) throws(SchedulerError) -> Int? {
        let average = try average()
        var running: Int?
        if considerCurrent, let job = current, try isEligible(job, average) { running = job }
        if config.runToParity, let job = running, protected[job] { return job }
        var best: Int?
        for job in queued {
            guard try isEligible(job, average) else { continue }
            if best.map({ earlier(job, $0) }) ?? true { best = job }
        }
        if let job = running, best.map({ deadline[$0] > deadline[job] }) ?? true { best = job }
        // Cannot happen (the lowest vruntime is always eligible); the kernel's fallback.
        return best ?? runnable().min(by: earlier)
    }
    func updateMinVruntime() {
        if let lowest = runnable().map({ vruntime[$0] }).min() { minVruntime = max(minVruntime, lowest) }
    }
    func pick(_ job: Int) throws(SchedulerError) {
        let average = try average()
        let virtualTime = averageVruntime(average)
        var candidates: [Schedule.FairCandidate] = []
        if !log.isFull {
            for other in runnable().sorted() {
                candidates.append(
                    Schedule.FairCandidate(
                        job: other, vruntime: schedUnits(vruntime[other]), deadline: schedUnits(deadline[other]),
                        eligible: try isEligible(other, average)))
            }
        }
        log.append(
            Schedule.FairDecision(
                time: schedUnits(now), chosen: job, virtualTime: schedUnits(virtualTime), candidates: candidates))
        queued.removeAll { $0 == job }
        current = job
        protected[job] = true
    }
    /// The first tick at or after `time`, or `time` itself without quantisation.
    func noticed(_ time: SchedTime) -> SchedTime {
        config.quantize ? schedCeilDiv(time, config.tick) * config.tick : time
    }

    while machine.unfinished > 0 {
        try machine.step(at: now)
        for event in machine.events.popDue(now) {
            let job = event.job
            let average = try average()
            var placementLag = event.isArrival ? 0 : lag[job]
            if average.load > 0 && placementLag != 0 {
                placementLag = try schedMultiply(placementLag, average.load + weights[job]) / average.load
            }
            vruntime[job] = averageVruntime(average) - placementLag
            deadline[job] = vruntime[job] + (event.isArrival ? vslices[job] / 2 : vslices[job])
            protected[job] = false
            enqueue(job)
            if let running = current, try pickEEVDF(considerCurrent: true) == job {
                current = nil
                enqueue(running)
            }
        }
        if current == nil {
            guard let next = try pickEEVDF(considerCurrent: false) else {
                now = try machine.idleUntil()
                continue
            }
            try pick(next)
        }
        guard let job = current else { continue }
        let alone = queued.isEmpty
        var limit = SchedTime.max
        if !alone {
            let needed = deadline[job] - vruntime[job]
            let reached = needed <= 0 ? now : now + schedCeilDiv(try schedMultiply(needed, weights[job]), 1024)
            limit = max(noticed(reached), now + 1)
        }
        let nextEvent = machine.events.nextTime ?? SchedTime.max
        let span = min(machine.jobs[job].burst, nextEvent - now, limit - now)
        let (start, startVruntime) = (now, vruntime[job])
        try machine.run(job, from: now, to: now + span, work: span)
        vruntime[job] += schedCalcDeltaFair(span, weight: weights[job])
        now += span
        if alone {
            // update_deadline ran at every tick (or continuously) while the task was alone.
            if config.quantize {
                while true {
                    let needed = deadline[job] - startVruntime
                    let reached = start + max(1, schedCeilDiv(try schedMultiply(needed, weights[job]), 1024))
                    let tick = noticed(reached)
                    guard tick < now else { break }
                    deadline[job] =
                        startVruntime + schedCalcDeltaFair(tick - start, weight: weights[job]) + vslices[job]
                }
            } else if vruntime[job] >= deadline[job] {
                deadline[job] += ((vruntime[job] - deadline[job]) / vslices[job] + 1) * vslices[job]
            }
        }
        var reschedule = false
        if vruntime[job] >= deadline[job] {
            deadline[job] = vruntime[job] + vslices[job]
            protected[job] = false
            reschedule = !queued.isEmpty
        }
        updateMinVruntime()
        switch machine.settle(job, at: now) {
        case .finished:
            current = nil
            updateMinVruntime()
        case .blocked:
            let average = try average()
            let bound = schedCalcDeltaFair(max(2 * config.baseSlice, config.tick), weight: weights[job])
            lag[job] = min(max(averageVruntime(average) - vruntime[job], -bound), bound)
            current = nil
            updateMinVruntime()
        case .runnable:
            if reschedule {
                current = nil
                enqueue(job)
            }
        }
    }
}
