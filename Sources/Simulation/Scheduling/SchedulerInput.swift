/// A job (a process, as far as the scheduler is concerned) in a CPU-scheduling simulation.
///
/// Times are in the simulation's unit (the figure says which: usually milliseconds). They are
/// kept internally as integer millionths of that unit, so fractional values such as 0.75 never
/// drift; a value is rounded to the nearest millionth.
public struct SchedulerJob: Sendable, Hashable {
    /// A periodic I/O pattern: after every `every` units of CPU time the job blocks for
    /// `duration` units. A job whose CPU work ends exactly at an I/O point finishes instead of
    /// blocking (as OSTEP's mlfq.py checks completion before I/O).
    public struct IOPattern: Sendable, Hashable {
        /// CPU time between two I/O requests; greater than 0.
        public var every: Double
        /// How long each I/O blocks the job; greater than 0.
        public var duration: Double

        /// A job that does I/O for `duration` after every `every` units of CPU time.
        public init(every: Double, duration: Double) {
            self.every = every
            self.duration = duration
        }
    }

    /// The job's name, shown in figures; non-empty and unique within one simulation.
    public var name: String
    /// When the job enters the system; 0 or more.
    public var arrival: Double
    /// Total CPU time the job needs; greater than 0.
    public var length: Double
    /// The job's I/O pattern, if it does I/O.
    public var io: IOPattern?
    /// Tickets for lottery and stride scheduling; greater than 0. Ignored by other policies.
    public var tickets: Int
    /// Nice value (−20…19) for CFS and EEVDF, mapped to a weight by `LinuxNice.weight(_:)`.
    /// Ignored by other policies, but always validated.
    public var nice: Int

    /// A job named `name` that arrives at `arrival` and needs `length` units of CPU time.
    public init(
        name: String, arrival: Double = 0, length: Double, io: IOPattern? = nil, tickets: Int = 100, nice: Int = 0
    ) {
        self.name = name
        self.arrival = arrival
        self.length = length
        self.io = io
        self.tickets = tickets
        self.nice = nice
    }
}

/// Where lottery scheduling takes its random numbers from.
public enum LotteryDraws: Sendable, Hashable {
    /// Numbers drawn like lottery.py's `int(random() * 1000001)`, i.e. uniformly in 0…1,000,000,
    /// from a `SeededRandom` with this seed.
    case seed(UInt64)
    /// The numbers themselves (each 0 or more), used in order, one per quantum: the way to
    /// reproduce an OSTEP homework trace. Running out of numbers before every job finishes is an
    /// error.
    case explicit([Int])
}

/// A CPU-scheduling policy and its parameters.
public enum SchedulingPolicy: Sendable, Hashable {
    /// First in, first out: jobs run in arrival order (ties by input order) until they finish or
    /// block. The same as `roundRobin` with an infinite quantum.
    case fifo
    /// Shortest job first, non-preemptive: when the CPU is free, the ready job with the
    /// shortest next CPU burst runs (ties by input order) until it finishes or blocks.
    case sjf
    /// Shortest time to completion first: like `sjf`, but at every arrival or I/O completion the
    /// running job competes again by what it has left of its burst (ties by input order), so a
    /// shorter newcomer, or an equal one earlier in the input, preempts it.
    case stcf
    /// Round robin with a time slice: the ready queue's head runs for at most `quantum`, then
    /// goes to the tail. The same as `mlfq` with one level and `ioResetsAllotment`.
    case roundRobin(quantum: Double)
    /// OSTEP's multi-level feedback queue (mlfq.py), tick for tick.
    case mlfq(MLFQOptions)
    /// OSTEP's lottery scheduling (lottery.py): each quantum, a draw picks the winner among the
    /// ready jobs by ticket; the clock always advances a whole quantum.
    case lottery(quantum: Double, draws: LotteryDraws)
    /// Waldspurger's stride scheduling: stride = `strideConstant / tickets` (integer division),
    /// the ready job with the lowest pass runs for a quantum (ties by input order). 10,000 is
    /// OSTEP's constant (ch. 9: 100, 50 and 250 tickets give strides 100, 200 and 40).
    case stride(quantum: Double, strideConstant: Int = 10_000)
    /// Linux's Completely Fair Scheduler as before 6.6 (one unit = 1 ms).
    case cfs(CFSOptions)
    /// Linux's EEVDF scheduler as from 6.6 (one unit = 1 ms).
    case eevdf(EEVDFOptions)
}

/// Parameters of OSTEP's MLFQ. Lists are written top priority first, as mlfq.py's `-Q` and `-A`;
/// levels are numbered from 0 at the top (mlfq.py numbers the top `levels - 1`).
public struct MLFQOptions: Sendable, Hashable {
    /// Number of queues; 1 or more.
    public var levels: Int
    /// Quantum of each level, top first; `levels` values, each greater than 0.
    public var quanta: [Double]
    /// Allotment of each level in quanta (mlfq.py `-A`), top first; `levels` values, each 1 or more.
    public var allotments: [Int]
    /// Every this much time (at multiples of it, never at 0) every job returns to the top
    /// queue (mlfq.py `-B`); nil for no boost.
    public var boostPeriod: Double?
    /// A job whose I/O completes goes to the head of its queue instead of the tail (mlfq.py `-I`).
    public var ioToFront: Bool
    /// Issuing an I/O resets the job's quantum and allotment at its level (mlfq.py `-S`), which
    /// lets a job game the scheduler.
    public var ioResetsAllotment: Bool

    /// MLFQ with `levels` queues, the quantum and allotment of each level (top first), and the
    /// optional boost, `-I` and `-S` behaviours.
    public init(
        levels: Int, quanta: [Double], allotments: [Int], boostPeriod: Double? = nil, ioToFront: Bool = false,
        ioResetsAllotment: Bool = false
    ) {
        self.levels = levels
        self.quanta = quanta
        self.allotments = allotments
        self.boostPeriod = boostPeriod
        self.ioToFront = ioToFront
        self.ioResetsAllotment = ioResetsAllotment
    }

    /// The same quantum and allotment at every level (mlfq.py `-n`, `-q`, `-a`; defaults 3, 10, 1).
    public static func uniform(
        levels: Int = 3, quantum: Double = 10, allotment: Int = 1, boostPeriod: Double? = nil,
        ioToFront: Bool = false, ioResetsAllotment: Bool = false
    ) -> MLFQOptions {
        MLFQOptions(
            levels: levels, quanta: Array(repeating: quantum, count: max(levels, 0)),
            allotments: Array(repeating: allotment, count: max(levels, 0)), boostPeriod: boostPeriod,
            ioToFront: ioToFront, ioResetsAllotment: ioResetsAllotment)
    }
}

/// Parameters of CFS (kernel/sched/fair.c before 6.6). Times in ms (latency, granularities and
/// tick 0.1–1000; the wakeup granularity may be 0); every tunable is multiplied
/// by the kernel's CPU factor `1 + ilog2(min(cpus, 8))` (1 for one CPU). The simulation itself
/// always runs one CPU.
public struct CFSOptions: Sendable, Hashable {
    /// `sysctl_sched_latency`, the target period in which every runnable task runs once.
    public var latency: Double
    /// `sysctl_sched_min_granularity`, the shortest slice.
    public var minimumGranularity: Double
    /// `sysctl_sched_wakeup_granularity`: a waking task preempts only if it is this much (scaled
    /// by its weight) behind in vruntime.
    public var wakeupGranularity: Double
    /// CPUs used for the tunables' scaling factor only.
    public var cpus: Int
    /// The scheduler tick period (4 ms = HZ 250).
    public var tick: Double
    /// If true, an expired slice is noticed only at the first tick after it expires, as in a
    /// kernel without hrtick; if false (the default), exactly when it expires.
    public var quantizeToTicks: Bool

    /// CFS with the given tunables; the defaults are the kernel's for one CPU.
    public init(
        latency: Double = 6, minimumGranularity: Double = 0.75, wakeupGranularity: Double = 1, cpus: Int = 1,
        tick: Double = 4, quantizeToTicks: Bool = false
    ) {
        self.latency = latency
        self.minimumGranularity = minimumGranularity
        self.wakeupGranularity = wakeupGranularity
        self.cpus = cpus
        self.tick = tick
        self.quantizeToTicks = quantizeToTicks
    }
}

/// Parameters of EEVDF (kernel/sched/fair.c from 6.6). Times in ms, scaled like `CFSOptions`;
/// the base slice must be within the kernel's slice bounds, 0.1–100 ms.
public struct EEVDFOptions: Sendable, Hashable {
    /// `sysctl_sched_base_slice`, each task's request: 0.75 ms in 6.6–6.14, 0.70 ms from 6.15.
    public var baseSlice: Double
    /// CPUs used for the tunables' scaling factor only.
    public var cpus: Int
    /// The RUN_TO_PARITY feature (on by default): a task keeps the CPU on wake-ups until its
    /// slice ends or it becomes ineligible.
    public var runToParity: Bool
    /// The scheduler tick period (4 ms = HZ 250); also the floor of the lag clamp (`TICK_NSEC`).
    public var tick: Double
    /// If true, a consumed slice is noticed only at the next tick, as in a kernel without
    /// hrtick; if false (the default), exactly when it is consumed.
    public var quantizeToTicks: Bool

    /// EEVDF with the given tunables; the defaults are Linux 6.6's.
    public init(
        baseSlice: Double = 0.75, cpus: Int = 1, runToParity: Bool = true, tick: Double = 4,
        quantizeToTicks: Bool = false
    ) {
        self.baseSlice = baseSlice
        self.cpus = cpus
        self.runToParity = runToParity
        self.tick = tick
        self.quantizeToTicks = quantizeToTicks
    }

    /// Linux 6.6 to 6.14 defaults (base slice 0.75 ms).
    public static let linux66 = EEVDFOptions()
    /// Linux 6.15 and later defaults (base slice 0.70 ms).
    public static let linux615 = EEVDFOptions(baseSlice: 0.7)
}

/// The kernel's `sched_prio_to_weight` table (kernel/sched/core.c).
public enum LinuxNice {
    /// Weights for nice −20…19, in that order; nice 0 is 1024 (NICE_0_LOAD as users see it).
    public static let weights: [Int] = [
        88761, 71755, 56483, 46273, 36291, 29154, 23254, 18705, 14949, 11916,
        9548, 7620, 6100, 4904, 3906, 3121, 2501, 1991, 1586, 1277,
        1024, 820, 655, 526, 423, 335, 272, 215, 172, 137,
        110, 87, 70, 56, 45, 36, 29, 23, 18, 15,
    ]

    /// The weight of a nice value; `nice` must be in −20…19.
    public static func weight(_ nice: Int) -> Int {
        precondition((-20...19).contains(nice), "nice must be in -20...19")
        return weights[nice + 20]
    }
}

/// Bounds that keep a simulation from running away: a figure's spec is refused, never hung on.
public struct SchedulerLimits: Sendable, Hashable {
    /// Most jobs in one simulation.
    public var maxJobs: Int
    /// Latest simulated time, in the simulation's unit; at most 1e9.
    public var maxTime: Double
    /// Most scheduling steps (each a decision, an event batch or a run segment).
    public var maxSteps: Int
    /// Most CFS/EEVDF decisions kept in `Schedule.decisions`; later ones are dropped.
    public var maxRecordedDecisions: Int

    /// Limits; the defaults suit any figure.
    public init(
        maxJobs: Int = 1000, maxTime: Double = 1_000_000, maxSteps: Int = 1_000_000,
        maxRecordedDecisions: Int = 2000
    ) {
        self.maxJobs = maxJobs
        self.maxTime = maxTime
        self.maxSteps = maxSteps
        self.maxRecordedDecisions = maxRecordedDecisions
    }

    /// The limits figures run with.
    public static let standard = SchedulerLimits()
}

/// A scheduling simulation that cannot run: a bad input or a limit reached. The message is
/// English and names the problem; `subject` and `field` let a caller point at the spec's line.
public struct SchedulerError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What the error is about.
    public enum Subject: Sendable, Hashable {
        /// The job list as a whole (empty, too long, duplicate names).
        case jobs
        /// The job at this index in the input.
        case job(Int)
        /// The policy and its parameters.
        case policy
        /// A limit was reached while simulating.
        case limits
    }

    /// What the error is about.
    public var subject: Subject
    /// The offending key, as a spec would spell it ("length", "io.every", "quanta", "draws"), if any.
    public var field: String?
    /// The problem, in English.
    public var message: String

    /// An error about `subject` (and `field`, when one key is to blame), saying `message`.
    public init(subject: Subject, field: String? = nil, message: String) {
        self.subject = subject
        self.field = field
        self.message = message
    }

    /// The message.
    public var description: String { message }
}
