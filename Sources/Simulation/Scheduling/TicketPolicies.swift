// Lottery (OSTEP's lottery.py) and stride scheduling.

/// lottery.py: at each decision, r comes from the draws; the winning ticket is
/// r mod (tickets of the ready jobs); walking ready jobs in input order, the first whose running
/// ticket sum exceeds it wins and holds the CPU for a whole quantum. The clock always advances
/// the whole quantum, even when the winner needs less: it finishes, or starts its I/O, at the
/// quantum's end, so its slice lasts the quantum. lottery.py has neither arrivals nor I/O; here
/// only ready jobs (arrived, not blocked) hold tickets, and with no ready job the CPU idles
/// until the next event, where the next quantum starts.
func runLottery(
    _ machine: inout SchedMachine, quantum: SchedTime, source: LotteryDraws, tickets: [Int]
) throws(SchedulerError) -> [Schedule.LotteryDraw] {
    var random: SeededRandom?
    var explicit: [Int] = []
    switch source {
    case .seed(let seed):
        random = SeededRandom(seed: seed)
    case .explicit(let numbers):
        for (index, number) in numbers.enumerated() where number < 0 {
            throw SchedulerError(
                subject: .policy, field: "draws", message: "draw \(index + 1) must be 0 or more (got \(number))")
        }
        explicit = numbers
    }
    var draws: [Schedule.LotteryDraw] = []
    var ready = Array(repeating: false, count: machine.jobs.count)
    var now: SchedTime = 0
    while machine.unfinished > 0 {
        try machine.step(at: now)
        for event in machine.events.popDue(now) { ready[event.job] = true }
        var total = 0
        for job in ready.indices where ready[job] { total += tickets[job] }
        guard total > 0 else {
            now = try machine.idleUntil()
            continue
        }
        let number: Int
        if var generator = random {
            number = generator.next(below: 1_000_001)
            random = generator
        } else {
            guard draws.count < explicit.count else {
                throw SchedulerError(
                    subject: .policy, field: "draws",
                    message:
                        "the \(explicit.count) draws ran out at time \(schedText(now)) with "
                        + "\(machine.unfinished) job(s) unfinished; give more draws")
            }
            number = explicit[draws.count]
        }
        let winningTicket = number % total
        var sum = 0
        var winner = 0
        for job in ready.indices where ready[job] {
            sum += tickets[job]
            if sum > winningTicket {
                winner = job
                break
            }
        }
        draws.append(
            Schedule.LotteryDraw(
                time: schedUnits(now), number: number, winningTicket: winningTicket, totalTickets: total,
                winner: winner))
        let work = min(quantum, machine.jobs[winner].burst)
        try machine.run(winner, from: now, to: now + quantum, work: work)
        now += quantum
        if machine.settle(winner, at: now) != .runnable { ready[winner] = false }
    }
    return draws
}

/// Stride scheduling (Waldspurger and Weihl, 1995; OSTEP ch. 9): stride = constant / tickets
/// (integer division); the ready job with the lowest pass runs for up to a quantum (ties by input
/// order) and its pass grows by stride × (time used / quantum), so a job that finishes or blocks
/// early pays for what it used. Passes start at 0; a job that arrives or returns from I/O takes
/// max(its pass, the lowest pass among the ready jobs), so it cannot monopolise the CPU.
/// Decisions happen at quantum ends; the clock advances only by the time used.
func runStride(
    _ machine: inout SchedMachine, quantum: SchedTime, constant: Int64, tickets: [Int]
) throws(SchedulerError) {
    let count = machine.jobs.count
    let strides = tickets.map { constant / Int64($0) }
    // Passes are kept multiplied by the quantum, so partial quanta stay exact integers.
    var pass = Array(repeating: Int64(0), count: count)
    var ready = Array(repeating: false, count: count)
    var now: SchedTime = 0
    while machine.unfinished > 0 {
        try machine.step(at: now)
        for event in machine.events.popDue(now) {
            let lowest = ready.indices.filter { ready[$0] }.map { pass[$0] }.min()
            if let lowest { pass[event.job] = max(pass[event.job], lowest) }
            ready[event.job] = true
        }
        // The lowest pass; `min` keeps the first of equals, so ties go by input order.
        let chosen = (0..<count).filter { ready[$0] }.min { pass[$0] < pass[$1] }
        guard let job = chosen else {
            now = try machine.idleUntil()
            continue
        }
        let work = min(quantum, machine.jobs[job].burst)
        try machine.run(job, from: now, to: now + work, work: work)
        now += work
        pass[job] += try schedMultiply(strides[job], work)
        if machine.settle(job, at: now) != .runnable { ready[job] = false }
    }
}
