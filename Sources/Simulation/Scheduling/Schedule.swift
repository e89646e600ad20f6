/// The result of a scheduling simulation: who ran when, and each job's metrics.
/// All times are in the simulation's unit.
public struct Schedule: Sendable, Hashable {
    /// A maximal run of one job (at one MLFQ level) on the CPU. Idle time has no slice.
    public struct Slice: Sendable, Hashable {
        /// Index of the job in the input list.
        public var job: Int
        /// The job's name.
        public var jobName: String
        /// When the slice begins.
        public var start: Double
        /// When the slice ends.
        public var end: Double
        /// The MLFQ queue the job ran in, 0 being the top; nil for other policies.
        public var level: Int?

        /// A slice of job `job` (named `jobName`) from `start` to `end`, at MLFQ level `level`.
        public init(job: Int, jobName: String, start: Double, end: Double, level: Int?) {
            self.job = job
            self.jobName = jobName
            self.start = start
            self.end = end
            self.level = level
        }
    }

    /// A span of time, `start..<end`.
    public struct Period: Sendable, Hashable {
        /// When the period begins.
        public var start: Double
        /// When the period ends.
        public var end: Double

        /// The period from `start` to `end`.
        public init(start: Double, end: Double) {
            self.start = start
            self.end = end
        }
    }

    /// One job's outcome, in input order.
    public struct JobResult: Sendable, Hashable {
        /// The job's name, as given.
        public var name: String
        /// When the job arrived.
        public var arrival: Double
        /// CPU time the job needed.
        public var length: Double
        /// When the job first ran.
        public var firstRun: Double
        /// When the job finished.
        public var completion: Double
        /// firstRun − arrival.
        public var response: Double
        /// completion − arrival.
        public var turnaround: Double
        /// turnaround − length − blocked: time spent ready but not running. For jobs that
        /// arrive at 0 and do no I/O this is OSTEP's wait (scheduler.py).
        public var wait: Double
        /// Total time spent blocked in I/O.
        public var blocked: Double
        /// The job's I/O periods in time order.
        public var ioPeriods: [Period]
    }

    /// Averages over all jobs (unrounded; OSTEP prints them with `%.2f`).
    public struct Averages: Sendable, Hashable {
        /// Average `JobResult.response`.
        public var response: Double
        /// Average `JobResult.turnaround`.
        public var turnaround: Double
        /// Average `JobResult.wait`.
        public var wait: Double
    }

    /// One lottery draw, lottery.py style.
    public struct LotteryDraw: Sendable, Hashable {
        /// When the drawn quantum starts.
        public var time: Double
        /// The random number r.
        public var number: Int
        /// r mod totalTickets.
        public var winningTicket: Int
        /// Tickets held by the ready jobs.
        public var totalTickets: Int
        /// Index of the winning job.
        public var winner: Int
    }

    /// One runnable task's state at a CFS/EEVDF decision.
    public struct FairCandidate: Sendable, Hashable {
        /// Index of the job in the input list.
        public var job: Int
        /// Virtual runtime, in virtual time units (ms of a nice-0 task).
        public var vruntime: Double
        /// EEVDF's virtual deadline; nil for CFS.
        public var deadline: Double?
        /// EEVDF's eligibility (v ≤ V); nil for CFS.
        public var eligible: Bool?
    }

    /// A CFS or EEVDF pick.
    public struct FairDecision: Sendable, Hashable {
        /// When the pick happened.
        public var time: Double
        /// Index of the job picked to run.
        public var chosen: Int
        /// CFS: min_vruntime. EEVDF: V, the weighted average vruntime of the runnable tasks.
        public var virtualTime: Double
        /// Every runnable task at the decision, the chosen one included, in input order.
        public var candidates: [FairCandidate]
    }

    /// Slices in time order.
    public var slices: [Slice]
    /// Per-job results, in input order.
    public var jobs: [JobResult]
    /// Averages over all jobs.
    public var averages: Averages
    /// MLFQ priority boosts that took place, in time order.
    public var boosts: [Double]
    /// Lottery draws in order (empty for other policies).
    public var lotteryDraws: [LotteryDraw]
    /// CFS/EEVDF picks in order, up to `SchedulerLimits.maxRecordedDecisions`.
    public var decisions: [FairDecision]
    /// True when decisions were dropped because of `SchedulerLimits.maxRecordedDecisions`.
    public var decisionsTruncated: Bool
    /// When the last job finished.
    public var end: Double
}
