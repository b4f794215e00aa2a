/// Generates a realistic, deterministic audit log: control-plane components, kubelets,
/// operators' service accounts, a few people, long watches, some RequestResponse bodies,
/// 401s and 403s, and an incident — a user never seen before probing secrets and exec'ing
/// into a pod, with anonymous probes from outside — starting part-way through.
///
/// Events come out in the order the apiserver writes them (by stage time), one JSON line each.
public struct Simulator {
    /// Mean events per second of event time.
    public let rate: Double
    /// Event time of the incident's start, microseconds since 1970.
    public let incidentStart: Int64
    /// When set, the incident repeats this often (microseconds), for the live demo.
    public let incidentEvery: Int64?

    private var rng: SplitMix
    private var now: Int64
    /// Events waiting for their time: later stages of long-running requests and incident steps.
    private var pending: [(time: Int64, line: [UInt8])] = []
    private var nextIncident: Int64
    private var writer = EventWriter()

    /// 2026-03-14T09:00:00Z, the simulated log's first second.
    public static let defaultStart: Int64 = 1_773_478_800_000_000

    /// - Parameters:
    ///   - seed: the same seed gives the same log.
    ///   - rate: mean events per second.
    ///   - start: event time of the first event, microseconds.
    ///   - incidentAfter: microseconds of event time before the incident starts.
    ///   - incidentEvery: repeat the incident this often (nil: once).
    public init(seed: UInt64 = 1, rate: Double = 300, start: Int64 = Simulator.defaultStart,
                incidentAfter: Int64, incidentEvery: Int64? = nil) {
        rng = SplitMix(seed: seed)
        self.rate = rate
        now = start
        incidentStart = start + incidentAfter
        nextIncident = incidentStart
        self.incidentEvery = incidentEvery
    }

    /// The next event line (ending in a newline) and its event time.
    public mutating func next() -> (time: Int64, line: [UInt8]) {
        if let first = pending.first, first.time <= now {
            return pending.removeFirst()
        }
        if now >= nextIncident {
            scheduleIncident(at: now)
            nextIncident = incidentEvery.map { nextIncident + $0 } ?? Int64.max
            if let first = pending.first, first.time <= now { return pending.removeFirst() }
        }
        now += Int64(rng.exponential(mean: 1_000_000 / rate))
        let request = normalRequest()
        return write(request, at: now)
    }

    /// Writes `request` received at `time`: its only event, or its ResponseStarted event with
    /// the ResponseComplete one queued for later.
    mutating func write(_ r: SimulatedRequest, at time: Int64) -> (time: Int64, line: [UInt8]) {
        let id = rng.uuid()
        writer.out.removeAll(keepingCapacity: true)
        if r.longRunning {
            let started = time + 1_500
            r.event(id: id, stage: "ResponseStarted", received: time, stageTime: started, code: r.code, into: &writer)
            let first = writer.out
            writer.out.removeAll(keepingCapacity: true)
            r.event(id: id, stage: "ResponseComplete", received: time, stageTime: time + r.latency, code: r.code, into: &writer)
            enqueue(time + r.latency, writer.out)
            return (time, first)
        }
        r.event(id: id, stage: "ResponseComplete", received: time, stageTime: time + r.latency, code: r.code, into: &writer)
        return (time, writer.out)
    }

    mutating func enqueue(_ time: Int64, _ line: [UInt8]) {
        var lo = 0
        var hi = pending.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if pending[mid].time <= time { lo = mid + 1 } else { hi = mid }
        }
        pending.insert((time, line), at: lo)
    }

    private mutating func latency(mean: Double) -> Int64 { Int64(200 + rng.exponential(mean: mean)) }

    /// One request of ordinary cluster traffic.
    private mutating func normalRequest() -> SimulatedRequest {
        let roll = rng.unit()
        switch roll {
        case ..<0.22:
            let node = rng.pick(Cluster.nodes)
            let nodeName = String(node.name.dropFirst("system:node:".count))
            return SimulatedRequest(
                who: node, verb: "update", apiGroup: "coordination.k8s.io", resource: "leases",
                namespace: "kube-node-lease", name: nodeName, query: "?timeout=10s", latency: latency(mean: 3_000))
        case ..<0.30:
            let node = rng.pick(Cluster.nodes)
            let ns = rng.pick(Cluster.namespaces)
            return SimulatedRequest(
                who: node, verb: "get", resource: rng.pick(["configmaps", "secrets", "pods"]), namespace: ns,
                name: rng.pick(["kube-root-ca.crt", "app-config", "redis-0", "tls-cert"]), latency: latency(mean: 1_500))
        case ..<0.38:
            let cm = Cluster.controllerManager
            let verb = rng.unit() < 0.5 ? "get" : "update"
            return SimulatedRequest(
                who: cm, verb: verb, apiGroup: "coordination.k8s.io", resource: "leases", namespace: "kube-system",
                name: "kube-controller-manager", query: "?timeout=5s", code: verb == "update" && rng.unit() < 0.02 ? 409 : 200,
                latency: latency(mean: 2_500))
        case ..<0.43:
            return SimulatedRequest(
                who: Cluster.scheduler, verb: rng.unit() < 0.5 ? "get" : "update", apiGroup: "coordination.k8s.io",
                resource: "leases", namespace: "kube-system", name: "kube-scheduler", query: "?timeout=5s",
                latency: latency(mean: 2_500))
        case ..<0.51:
            return SimulatedRequest(
                who: Cluster.replicaset, verb: rng.pick(["get", "update", "patch"]), apiGroup: "apps", resource: "replicasets",
                namespace: rng.pick(Cluster.namespaces), name: rng.pick(["api-7d9f8c6b5d", "web-6f8d7c9b4", "worker-5c7b9d4f8"]),
                latency: latency(mean: 6_000))
        case ..<0.60:
            let ns = rng.pick(Cluster.namespaces)
            let resource = rng.pick(["deployments", "services", "configmaps", "ingresses", "applications"])
            let group = ["deployments": "apps", "ingresses": "networking.k8s.io", "applications": "argoproj.io"][resource] ?? ""
            return SimulatedRequest(
                who: Cluster.argocd, verb: rng.unit() < 0.7 ? "get" : "list", apiGroup: group, resource: resource,
                namespace: ns, name: rng.unit() < 0.7 ? rng.pick(["api", "web", "worker", "app-config"]) : "",
                latency: latency(mean: 12_000))
        case ..<0.68:
            let metrics = rng.unit() < 0.3
            return SimulatedRequest(
                who: Cluster.prometheus, verb: metrics ? "get" : "list", resource: metrics ? "" : rng.pick(["pods", "endpoints", "services", "nodes"]),
                namespace: metrics ? "" : rng.pick(Cluster.namespaces), nonResourcePath: metrics ? "/metrics" : "",
                latency: latency(mean: metrics ? 25_000 : 40_000))
        case ..<0.74:
            return SimulatedRequest(
                who: Cluster.ingress, verb: "get", apiGroup: "coordination.k8s.io", resource: "leases", namespace: "ingress-nginx",
                name: "ingress-nginx-leader", latency: latency(mean: 2_000))
        case ..<0.79:
            // Watches: informers re-establish them every few minutes.
            let who = rng.pick([Cluster.coredns, Cluster.ingress, Cluster.prometheus, Cluster.argocd, Cluster.scheduler])
            let resource = rng.pick(["endpointslices", "services", "pods", "configmaps", "namespaces"])
            return SimulatedRequest(
                who: who, verb: "watch", apiGroup: resource == "endpointslices" ? "discovery.k8s.io" : "", resource: resource,
                query: "?allowWatchBookmarks=true&resourceVersion=\(4_000_000 + rng.next() % 100_000)&timeout=7m\(rng.next() % 60)s&watch=true",
                latency: Int64(300_000_000 + rng.next() % 180_000_000), longRunning: true)
        case ..<0.84:
            return SimulatedRequest(
                who: Cluster.apiserver, verb: rng.pick(["get", "list"]), resource: rng.pick(["namespaces", "resourcequotas", "services"]),
                namespace: rng.pick(Cluster.namespaces), latency: latency(mean: 800))
        case ..<0.875:
            // kube-state-metrics lacks a permission it keeps asking for: a steady stream of 403s.
            return SimulatedRequest(
                who: Cluster.kubeStateMetrics, verb: "list", apiGroup: "coordination.k8s.io", resource: "leases",
                query: "?limit=500&resourceVersion=0", code: 403, latency: latency(mean: 1_200))
        case ..<0.88:
            // A forgotten job with an expired token: 401s.
            return SimulatedRequest(
                who: Identity(name: "", groups: [], agent: "Go-http-client/2.0", ip: "10.0.5.31", binding: ""),
                verb: "get", nonResourcePath: "/api", query: "?timeout=32s", code: 401, unauthenticated: true, latency: latency(mean: 300))
        case ..<0.97:
            let who = rng.pick(Cluster.people)
            let ns = who.name == "bob@example.com" ? "payments" : rng.pick(Cluster.namespaces)
            let write = rng.unit() < 0.25
            let withBody = rng.unit() < 0.12
            return SimulatedRequest(
                who: who, verb: write ? rng.pick(["patch", "update", "create"]) : rng.pick(["get", "list", "get"]),
                apiGroup: write ? "apps" : "", resource: write ? "deployments" : rng.pick(["pods", "configmaps", "services", "events"]),
                namespace: ns, name: write ? rng.pick(["api", "web", "worker"]) : "",
                code: !write && rng.unit() < 0.05 ? 404 : (write && rng.unit() < 0.5 ? 200 : (write ? 201 : 200)),
                latency: latency(mean: write ? 25_000 : 9_000),
                bodyBytes: withBody ? Int(4_000 + rng.next() % 16_000) : 0)
        default:
            let ns = rng.pick(Cluster.namespaces)
            return SimulatedRequest(
                who: Cluster.coredns, verb: "list", apiGroup: "discovery.k8s.io", resource: "endpointslices", namespace: ns,
                query: "?limit=500&resourceVersion=0", latency: latency(mean: 4_000))
        }
    }
}
