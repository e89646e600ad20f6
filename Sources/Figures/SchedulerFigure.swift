import Diagram
import Simulation
import Support

/// ```` ```sim scheduler ````: who runs when on one CPU, as a Gantt chart.
struct SchedulerFigure: FigureKind {
    let name = "scheduler"
    let version = 1
    let keys = ["policy", "quantum", "jobs", "mlfq", "lottery", "stride", "cfs", "eevdf", "unit"]

    static let policies = ["fifo", "sjf", "stcf", "rr", "mlfq", "lottery", "stride", "cfs", "eevdf"]
    private static let jobKeys = ["name", "arrival", "length", "io", "tickets", "nice"]

    func make(spec: inout YAMLFields, info: FigureInfo) -> FigureContent? {
        spec.requireMissing(["policy", "jobs"])
        let policyName = spec.string("policy")
        if let policyName, !Self.policies.contains(policyName) {
            var message = "unknown policy '\(policyName)'"
            if let suggestion = closestMatch(to: policyName, in: Self.policies) {
                message += "; did you mean '\(suggestion)'?"
            } else {
                message += "; use one of \(Self.policies.joined(separator: ", "))"
            }
            spec.error(message, atKey: "policy")
        }
        let maxJobs = SchedulerLimits.standard.maxJobs
        var jobs: [SchedulerJob] = []
        var jobFields: [YAMLFields] = []
        for var item in spec.mappingList("jobs", knownKeys: Self.jobKeys, maxCount: maxJobs) ?? [] {
            item.requireMissing(["name", "length"])
            let name = item.string("name")
            let arrival = item.double("arrival", in: 0...1e9) ?? 0
            let length = item.double("length", in: 1e-6...1e9)
            let tickets = item.integer("tickets", in: 1...1_000_000) ?? 100
            let nice = item.integer("nice", in: -20...19) ?? 0
            var io: SchedulerJob.IOPattern?
            if var ioFields = item.mapping("io", knownKeys: ["every", "duration"]) {
                ioFields.requireMissing(["every", "duration"])
                let every = ioFields.double("every", in: 1e-6...1e9)
                let duration = ioFields.double("duration", in: 1e-6...1e9)
                item.absorb(ioFields)
                if let every, let duration { io = SchedulerJob.IOPattern(every: every, duration: duration) }
            }
            spec.absorb(item)
            jobFields.append(item)
            if let name, let length {
                jobs.append(
                    SchedulerJob(name: name, arrival: arrival, length: length, io: io, tickets: tickets, nice: nice))
            }
        }
        if spec.has("jobs"), jobFields.isEmpty, !spec.log.hasErrors {
            spec.error("'jobs' needs at least one job", atKey: "jobs")
        }
        var names = Set<String>()
        for (fields, job) in zip(jobFields, jobs) where !names.insert(job.name).inserted {
            spec.error(
                "two jobs are named '\(job.name)'; names label the chart's rows", at: fields.location(of: "name"))
        }
        for key in ["mlfq", "lottery", "stride", "cfs", "eevdf"] where spec.has(key) && key != policyName {
            spec.error("'\(key)' applies only to policy \(key)", atKey: key)
        }
        if spec.has("quantum"), let policyName, !["rr", "lottery", "stride"].contains(policyName) {
            spec.error("'quantum' applies to rr, lottery and stride; mlfq takes it inside 'mlfq'", atKey: "quantum")
        }
        // Read the policy's keys even when the jobs have errors, so one run reports them all.
        let policy = policyName.flatMap { Self.policies.contains($0) ? readPolicy($0, &spec) : nil }
        guard let policyName, let policy, !spec.log.hasErrors else { return nil }
        let schedule: Schedule
        do {
            schedule = try simulateScheduler(jobs: jobs, policy: policy)
        } catch {
            spec.error(error.message, at: location(of: error, in: spec, jobs: jobFields))
            return nil
        }
        let unit = spec.string("unit") ?? (["cfs", "eevdf"].contains(policyName) ? "ms" : nil)
        return content(schedule, policy: policy, unit: unit, info: info)
    }

    // MARK: - Spec → policy

    private func readPolicy(_ name: String, _ spec: inout YAMLFields) -> SchedulingPolicy? {
        func quantum() -> Double? {
            guard spec.has("quantum") else {
                spec.error("policy \(name) needs a 'quantum'", at: spec.location(of: "policy"))
                return nil
            }
            return spec.double("quantum", in: 1e-6...1e9)
        }
        switch name {
        case "fifo": return .fifo
        case "sjf": return .sjf
        case "stcf": return .stcf
        case "rr": return quantum().map { .roundRobin(quantum: $0) }
        case "stride":
            var constant = 10_000
            if var fields = spec.mapping("stride", knownKeys: ["constant"]) {
                constant = fields.integer("constant", in: 1...1_000_000_000) ?? constant
                spec.absorb(fields)
            }
            return quantum().map { .stride(quantum: $0, strideConstant: constant) }
        case "lottery":
            let q = quantum()
            guard var fields = spec.mapping("lottery", knownKeys: ["seed", "draws"]) else {
                spec.error("policy lottery needs 'lottery: {seed: N}' or 'lottery: {draws: [...]}'", atKey: "policy")
                return nil
            }
            var draws: LotteryDraws?
            if fields.has("seed") && fields.has("draws") {
                fields.error("give either 'seed' or 'draws', not both", atKey: "draws")
            } else if let seed = fields.uint64("seed") {
                draws = .seed(seed)
            } else if let list = fields.integerList("draws", in: 0...Int(Int32.max), maxCount: 1_000_000) {
                draws = .explicit(list)
            } else if fields.parsed, !fields.has("seed"), !fields.has("draws") {
                fields.error("'lottery' needs 'seed' or 'draws'", at: fields.start)
            }
            spec.absorb(fields)
            guard let q, let draws else { return nil }
            return .lottery(quantum: q, draws: draws)
        case "mlfq":
            guard
                var fields = spec.mapping(
                    "mlfq",
                    knownKeys: ["levels", "quantum", "allotment", "boost", "io_to_front", "io_resets_allotment"])
            else {
                spec.error("policy mlfq needs an 'mlfq: {levels: N, quantum: [...], ...}' mapping", atKey: "policy")
                return nil
            }
            fields.requireMissing(["levels", "quantum"])
            let levels = fields.integer("levels", in: 1...16)
            let quanta = numbers("quantum", in: &fields, count: levels, range: 1e-6...1e9)
            let allotments =
                fields.has("allotment")
                ? numbers("allotment", in: &fields, count: levels, range: 1...1_000_000)?.map { Int($0) }
                : levels.map { Array(repeating: 1, count: $0) }
            let boost = fields.double("boost", in: 1e-6...1e9)
            let ioToFront = fields.bool("io_to_front") ?? false
            let ioResets = fields.bool("io_resets_allotment") ?? false
            spec.absorb(fields)
            guard let levels, let quanta, let allotments else { return nil }
            return .mlfq(
                MLFQOptions(
                    levels: levels, quanta: quanta, allotments: allotments, boostPeriod: boost, ioToFront: ioToFront,
                    ioResetsAllotment: ioResets))
        case "cfs":
            var options = CFSOptions()
            if var fields = spec.mapping(
                "cfs", knownKeys: ["latency", "min_granularity", "wakeup_granularity", "tick", "quantize", "cpus"])
            {
                options.latency = fields.double("latency", in: 0.1...1000) ?? options.latency
                options.minimumGranularity =
                    fields.double("min_granularity", in: 0.1...1000) ?? options.minimumGranularity
                options.wakeupGranularity =
                    fields.double("wakeup_granularity", in: 0...1000) ?? options.wakeupGranularity
                options.tick = fields.double("tick", in: 0.1...1000) ?? options.tick
                options.quantizeToTicks = fields.bool("quantize") ?? options.quantizeToTicks
                options.cpus = fields.integer("cpus", in: 1...1024) ?? options.cpus
                spec.absorb(fields)
            }
            return .cfs(options)
        case "eevdf":
            var options = EEVDFOptions()
            if var fields = spec.mapping(
                "eevdf", knownKeys: ["base_slice", "run_to_parity", "tick", "quantize", "cpus"])
            {
                options.baseSlice = fields.double("base_slice", in: 0.1...100) ?? options.baseSlice
                options.runToParity = fields.bool("run_to_parity") ?? options.runToParity
                options.tick = fields.double("tick", in: 0.1...1000) ?? options.tick
                options.quantizeToTicks = fields.bool("quantize") ?? options.quantizeToTicks
                options.cpus = fields.integer("cpus", in: 1...1024) ?? options.cpus
                spec.absorb(fields)
            }
            return .eevdf(options)
        default:
            return nil
        }
    }

    /// A list with one number per MLFQ level (top first), or one number for every level.
    private func numbers(
        _ key: String, in fields: inout YAMLFields, count: Int?, range: ClosedRange<Double>
    ) -> [Double]? {
        guard let node = fields.node(key) else { return nil }
        let values: [Double]?
        if node.sequence != nil {
            values = fields.doubleList(key, in: range, maxCount: 16)
        } else {
            values = fields.double(key, in: range).map { value in Array(repeating: value, count: count ?? 1) }
        }
        guard let values, let count else { return nil }
        guard values.count == count else {
            fields.error(
                "'\(key)' has \(values.count) values but there are \(count) levels; give one per level, top first",
                atKey: key)
            return nil
        }
        return values
    }

    private func location(of error: SchedulerError, in spec: YAMLFields, jobs: [YAMLFields]) -> SourceLocation {
        let key = error.field.map { String($0.split(separator: ".").first ?? "") }
        switch error.subject {
        case .job(let index) where jobs.indices.contains(index):
            if let key, jobs[index].has(key) { return jobs[index].location(of: key) }
            return jobs[index].start
        case .jobs:
            return spec.location(of: "jobs")
        case .policy:
            if let key, spec.has(key) { return spec.location(of: key) }
            for nested in ["mlfq", "lottery", "cfs", "eevdf", "stride"] where spec.has(nested) {
                return spec.location(of: nested)
            }
            return spec.location(of: "policy")
        default:
            return spec.start
        }
    }

    // MARK: - Figure

    private func content(_ schedule: Schedule, policy: SchedulingPolicy, unit: String?, info: FigureInfo)
        -> FigureContent
    {
        let isMLFQ: Bool
        if case .mlfq = policy { isMLFQ = true } else { isMLFQ = false }
        let hasIO = schedule.jobs.contains { !$0.ioPeriods.isEmpty }
        let rows = schedule.jobs.enumerated().map { index, job -> GanttChart.Row in
            var intervals = schedule.slices.filter { $0.job == index }.map { slice in
                GanttChart.Interval(
                    start: slice.start, end: slice.end, style: .series(index),
                    label: isMLFQ ? slice.level.map { "Q\($0)" } : nil,
                    tooltip: "\(job.name): \(number(slice.start))–\(number(slice.end))"
                        + (slice.level.map { ", fila \($0)" } ?? ""))
            }
            intervals += job.ioPeriods.map { period in
                GanttChart.Interval(
                    start: period.start, end: period.end, style: .hatched,
                    tooltip: "\(job.name) em I/O: \(number(period.start))–\(number(period.end))")
            }
            return GanttChart.Row(label: job.name, intervals: intervals, markers: [job.arrival])
        }
        var legend: [GanttChart.LegendEntry] = []
        if hasIO { legend.append(GanttChart.LegendEntry(style: .hatched, label: "bloqueado em I/O")) }
        let chart = GanttChart(
            rows: rows, axisLabel: "tempo" + (unit.map { " (\($0))" } ?? ""),
            verticalMarkers: schedule.boosts.map { GanttChart.VerticalMarker(time: $0, label: "boost") },
            legend: legend, width: figureWidth)
        let policyText = Self.policyText(policy)
        let finishes = schedule.jobs.map { "\($0.name) termina em \(number($0.completion))" }
        let description =
            "Escalonamento \(policyText) de \(countText(schedule.jobs.count, "processo", "processos")) numa CPU: "
            + listText(finishes) + ". Médias: resposta \(number(schedule.averages.response)), retorno "
            + "\(number(schedule.averages.turnaround)) e espera \(number(schedule.averages.wait))"
            + (unit.map { " \($0)" } ?? "") + "."
        let table = DataTable(
            columns: [
                "Processo", "Chegada", "Duração", "Primeira execução", "Término", "Resposta", "Retorno (turnaround)",
                "Espera",
            ],
            rows: schedule.jobs.map { job in
                [
                    job.name, number(job.arrival), number(job.length), number(job.firstRun), number(job.completion),
                    number(job.response), number(job.turnaround), number(job.wait),
                ]
            },
            footer: [
                [
                    "Média", "", "", "", "", number(schedule.averages.response), number(schedule.averages.turnaround),
                    number(schedule.averages.wait),
                ]
            ],
            numericColumns: Set(1...7))
        let json: JSON = .object([
            "slices": .array(
                schedule.slices.map { slice in
                    var members = [
                        JSONMember("job", .string(slice.jobName)), JSONMember("start", .number(slice.start)),
                        JSONMember("end", .number(slice.end)),
                    ]
                    if let level = slice.level { members.append(JSONMember("level", .integer(Int64(level)))) }
                    return .object(members)
                }),
            "jobs": .array(
                schedule.jobs.map { job in
                    .object([
                        "name": .string(job.name), "arrival": .number(job.arrival), "length": .number(job.length),
                        "first_run": .number(job.firstRun), "completion": .number(job.completion),
                        "response": .number(job.response), "turnaround": .number(job.turnaround),
                        "wait": .number(job.wait),
                    ])
                }),
            "average": .object([
                "response": .number(schedule.averages.response), "turnaround": .number(schedule.averages.turnaround),
                "wait": .number(schedule.averages.wait),
            ]),
        ])
        return FigureContent(
            svg: chart.render(title: info.title, description: description, idPrefix: info.elementID),
            description: description, table: table, json: json)
    }

    static func policyText(_ policy: SchedulingPolicy) -> String {
        switch policy {
        case .fifo: return "FIFO"
        case .sjf: return "SJF (o mais curto primeiro)"
        case .stcf: return "STCF (o de menor tempo restante primeiro)"
        case .roundRobin(let quantum): return "round-robin com quantum de \(number(quantum))"
        case .mlfq(let options):
            return "MLFQ com \(countText(options.levels, "fila", "filas"))"
                + (options.boostPeriod.map { " e boost a cada \(number($0))" } ?? "")
        case .lottery(let quantum, _): return "por loteria com quantum de \(number(quantum))"
        case .stride(let quantum, _): return "por stride com quantum de \(number(quantum))"
        case .cfs: return "CFS"
        case .eevdf: return "EEVDF"
        }
    }
}

/// A time or average for readers: decimal comma, at most two decimals.
private func number(_ value: Double) -> String {
    portugueseNumber(value, decimals: 2)
}
