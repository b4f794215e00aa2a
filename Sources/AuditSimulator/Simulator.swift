/// Generates a realistic, deterministic audit log of a production cluster on one `Flavor`:
/// kubelets renewing their leases and patching pod status, controllers, the scheduler and
/// pods churning through rollouts, operators with long watches, health checks, people, CI,
/// RequestReceived stages where a policy logs them, some RequestResponse bodies, steady 401s
/// and 403s, and, part-way through, an attack with one example of every kind of indicator
/// (see `scheduleIncident`).
///
/// Events come out in the order the apiserver writes them, one JSON line each. The same seed
/// and flavor always give the same bytes.
public struct Simulator {
    /// Mean events per second of event time.
    public let rate: Double
    /// The platform the simulated cluster runs on.
    public let flavor: Flavor
    /// Event time of the incident's start, microseconds since 1970.
    public let incidentStart: Int64
    /// When set, the incident repeats this often (microseconds), for the live demo.
    public let incidentEvery: Int64?

    var rng: SplitMix
    var cluster: Cluster
    var workload: Workload
    var writer = EventWriter()
    /// Event time of the latest ordinary request.
    private(set) var now: Int64
    private var pending = PendingEvents()
    private var periodic: [Periodic] = []
    private var periodicDue: Int64 = .max
    private var nextArrival: Int64
    private var nextIncident: Int64
    /// Mean microseconds between ordinary (randomly chosen) requests.
    private let meanGap: Double
    /// How many incidents have started, so a repeated one uses fresh names.
    var incidents = 0

    /// 2026-03-14T09:00:00Z, the simulated log's first second.
    public static let defaultStart: Int64 = 1_773_478_800_000_000

    /// - Parameters:
    ///   - seed: the same seed (and flavor) gives the same log.
    ///   - rate: mean events per second.
    ///   - flavor: the platform: its node names, admin and controllers.
    ///   - start: event time of the first event, microseconds.
    ///   - incidentAfter: microseconds of event time before the incident starts.
    ///   - incidentEvery: repeat the incident this often (nil: once); keep it above 4 minutes.
    /// Names folded to a few per base name and no query strings: the shape of the earlier
    /// simulator's log (tens of object names, not tens of thousands), which the benchmark
    /// measures beside the realistic one.
    public var lowCardinality = false

    public init(seed: UInt64 = 1, rate: Double = 300, flavor: Flavor = .kubeadm, start: Int64 = Simulator.defaultStart,
                incidentAfter: Int64, incidentEvery: Int64? = nil) {
        rng = SplitMix(seed: seed)
        self.rate = rate
        self.flavor = flavor
        var setup = SplitMix(seed: seed ^ 0x5EED_C1A5_7E12)
        // A cluster of the same flavor has the same nodes whatever the seed: only the traffic varies.
        var names = SplitMix(seed: StableID.hash(flavor.rawValue))
        let cluster = Cluster(flavor: flavor, rng: &names)
        workload = Workload(nodes: cluster.nodes.count, coredns: cluster.corednsPod, rng: &setup)
        self.cluster = cluster
        now = start
        incidentStart = start + incidentAfter
        nextIncident = incidentStart
        self.incidentEvery = incidentEvery
        periodic = Periodic.all(for: cluster)
        for k in periodic.indices { periodic[k].due = start + Int64(rng.next() % UInt64(periodic[k].every)) }
        periodicDue = periodic.map(\.due).min() ?? .max
        let periodicRate = periodic.reduce(0.0) { $0 + 1_000_000 / Double($1.every) }
        // Ordinary requests average about 1.2 events (RequestReceived, watches, churn follow-ups).
        let requestRate = max(rate * 0.2, rate - periodicRate) / 1.2
        meanGap = 1_000_000 / requestRate
        nextArrival = start + Int64(rng.exponential(mean: meanGap))
    }

    /// The next event line (ending in a newline) and its event time.
    public mutating func next() -> (time: Int64, line: [UInt8]) {
        while true {
            let waiting = pending.nextTime
            if waiting <= nextArrival && waiting <= periodicDue && waiting <= nextIncident {
                return pending.removeFirst()
            }
            if nextIncident <= nextArrival && nextIncident <= periodicDue {
                let start = nextIncident
                nextIncident = incidentEvery.map { nextIncident + $0 } ?? .max
                scheduleIncident(at: start)
                continue
            }
            if periodicDue <= nextArrival {
                return firePeriodic()
            }
            now = nextArrival
            nextArrival += Int64(rng.exponential(mean: meanGap)) + 1
            let request = ordinaryRequest(at: now)
            return emit(request, at: now)
        }
    }

    /// Writes `request` received at `time`: returns its first event and queues the later ones
    /// (ResponseStarted and ResponseComplete of a long-running request, ResponseComplete
    /// after a RequestReceived).
    mutating func emit(_ r: SimulatedRequest, at time: Int64) -> (time: Int64, line: [UInt8]) {
        let id = (rng.next(), rng.next())
        let end = time + max(r.latency, 1)
        if r.logReceived || r.who.person || Self.policyLogsReceived(r) {
            let first = line(r, id, .requestReceived, time, time)
            if r.longRunning { pending.insert(time + 1_500, line(r, id, .responseStarted, time, time + 1_500)) }
            pending.insert(end, line(r, id, .responseComplete, time, end))
            return (time, first)
        }
        if r.longRunning {
            let first = line(r, id, .responseStarted, time, time + 1_500)
            pending.insert(end, line(r, id, .responseComplete, time, end))
            return (time, first)
        }
        return (time, line(r, id, .responseComplete, time, end))
    }

    /// Writes `request` received at `time` with all its events queued: incident steps and
    /// the follow-ups of a pod's creation.
    mutating func schedule(_ r: SimulatedRequest, at time: Int64) {
        let (t, first) = emit(r, at: time)
        pending.insert(t, first)
    }

    private mutating func line(_ r: SimulatedRequest, _ id: (UInt64, UInt64), _ stage: Stage, _ received: Int64, _ stageTime: Int64) -> [UInt8] {
        writer.out.removeAll(keepingCapacity: true)
        var r = r
        if lowCardinality {
            r.name = Self.collapsed(r.name)
            r.query = ""
        }
        r.event(id: id, stage: stage, received: received, stageTime: stageTime, into: &writer)
        return writer.out
    }

    /// A generated name folded into one of four per base name (`web-7c9d8f6b5-x2kqp` to
    /// `web-2`), for the low-cardinality log; a name with no digit is kept.
    static func collapsed(_ name: String) -> String {
        guard name.utf8.contains(where: { $0 >= 0x30 && $0 <= 0x39 }) else { return name }
        let base = name.split(whereSeparator: { $0 == "-" || $0 == "." }).first.map(String.init) ?? name
        return base + "-" + String(StableID.hash(name) % 4)
    }

    /// The policy's `RequestReceived` rule: writes to workloads, config and RBAC (not the
    /// lease renewals, events and status updates that make up most writes).
    private static func policyLogsReceived(_ r: SimulatedRequest) -> Bool {
        guard r.verb == "create" || r.verb == "update" || r.verb == "patch" || r.verb == "delete" else { return false }
        guard r.subresource.isEmpty, !r.resource.isEmpty else { return false }
        return r.resource != "leases" && r.resource != "events" && r.resource != "tokenreviews"
            && r.resource != "subjectaccessreviews" && r.resource != "endpointslices"
    }

    private mutating func firePeriodic() -> (time: Int64, line: [UInt8]) {
        var k = 0
        for j in periodic.indices where periodic[j].due < periodic[k].due { k = j }
        let due = periodic[k].due
        let every = periodic[k].every
        periodic[k].due += every - every / 20 + Int64(rng.next() % UInt64(every / 10 + 1))
        periodicDue = periodic.map(\.due).min() ?? .max
        let request = periodicRequest(periodic[k].task)
        return emit(request, at: due)
    }
}
