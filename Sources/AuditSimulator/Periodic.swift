/// Requests that come on a clock rather than at random: each node's lease renewal every
/// 10 s, leader-election renewals, the apiservers' identity leases, and load balancers'
/// health checks.
struct Periodic {
    enum Task {
        /// The kubelet of node N renews `kube-node-lease/N`.
        case nodeLease(Int)
        /// The controller manager (0) or scheduler (1) renews its leader lease.
        case leaderLease(Int)
        /// Apiserver N renews its identity lease in kube-system.
        case apiserverLease(Int)
        /// Load balancer N checks `/readyz`, `/livez` or `/healthz` (path 0, 1, 2).
        case probe(Int, Int)
    }

    var task: Task
    /// Microseconds between two runs (each run is jittered by ±5%).
    var every: Int64
    var due: Int64 = 0

    static let probePaths = ["/readyz", "/livez", "/healthz"]

    static func all(for cluster: Cluster) -> [Periodic] {
        var tasks: [Periodic] = cluster.nodes.indices.map { Periodic(task: .nodeLease($0), every: 10_000_000) }
        tasks.append(Periodic(task: .leaderLease(0), every: 2_000_000))
        tasks.append(Periodic(task: .leaderLease(1), every: 2_000_000))
        for k in 0..<max(2, cluster.nodes.filter(\.master).count) { tasks.append(Periodic(task: .apiserverLease(k), every: 10_000_000)) }
        for lb in cluster.loadBalancers.indices {
            tasks.append(Periodic(task: .probe(lb, 0), every: 3_000_000))
            tasks.append(Periodic(task: .probe(lb, 1), every: 5_000_000))
            tasks.append(Periodic(task: .probe(lb, 2), every: 10_000_000))
        }
        return tasks
    }
}

extension Simulator {
    /// The request a clock task makes.
    mutating func periodicRequest(_ task: Periodic.Task) -> SimulatedRequest {
        switch task {
        case .nodeLease(let n):
            let node = cluster.nodes[n]
            _ = workload.write()
            return SimulatedRequest(
                who: node.kubelet, verb: "update", apiGroup: "coordination.k8s.io", resource: "leases",
                namespace: "kube-node-lease", name: node.name, query: "?timeout=10s", latency: latency(mean: 3_000))
        case .leaderLease(let k):
            _ = workload.write()
            let who = k == 0 ? cluster.controllerManager : cluster.scheduler
            return SimulatedRequest(
                who: who, verb: "update", apiGroup: "coordination.k8s.io", resource: "leases", namespace: "kube-system",
                name: k == 0 ? "kube-controller-manager" : "kube-scheduler", query: "?timeout=5s",
                code: rng.unit() < 0.01 ? 409 : 200, latency: latency(mean: 2_500))
        case .apiserverLease(let k):
            _ = workload.write()
            var names = SplitMix(seed: StableID.hash("apiserver-\(k)"))
            return SimulatedRequest(
                who: cluster.apiserver, verb: "update", apiGroup: "coordination.k8s.io", resource: "leases", namespace: "kube-system",
                name: "apiserver-" + Names.suffix(26, &names), latency: latency(mean: 2_000))
        case .probe(let lb, let path):
            var probe = cluster.anonymous(ip: cluster.loadBalancers[lb], agent: cluster.probeAgent)
            probe.binding = Cluster.publicInfo
            return SimulatedRequest(who: probe, verb: "get", nonResourcePath: Periodic.probePaths[path], latency: latency(mean: 400))
        }
    }

    /// A latency of at least 200 µs, exponentially distributed around `mean`.
    mutating func latency(mean: Double) -> Int64 { Int64(200 + rng.exponential(mean: mean)) }
}
