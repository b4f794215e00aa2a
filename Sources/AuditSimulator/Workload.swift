/// What runs on the simulated cluster: Deployments with their current ReplicaSet and pods,
/// DaemonSet pods on every node, and the churn of pods replaced and deployments rolled.
struct Workload {
    /// A Deployment: its pods are `NAME-HASH-xxxxx`, its ReplicaSet `NAME-HASH`.
    struct Deployment {
        var namespace: String
        var name: String
        var hash: String
        var pods: [Pod]
        var replicaSet: String { name + "-" + hash }
    }

    /// A running pod and the node (index into the cluster's nodes) it runs on.
    struct Pod {
        var name: String
        var node: Int
    }

    private(set) var deployments: [Deployment] = []
    /// DaemonSet pods, one per node and DaemonSet: (namespace, pod).
    private(set) var daemonPods: [(namespace: String, pod: Pod)] = []
    /// Names of recent events, for the `patch` that bumps an event's count.
    private(set) var recentEvents: [(namespace: String, name: String, node: Int?)] = []
    private var recentNext = 0
    /// Events named so far.
    private(set) var eventCount = 0
    /// The cluster's resourceVersion: every write moves it on.
    private(set) var resourceVersion = 48_213_604

    static let namespaces = ["default", "web", "payments", "checkout", "search", "staging", "monitoring",
                             "ingress-nginx", "argocd", "cert-manager", "kube-system", "ci", "batch", "data"]

    /// - Parameter coredns: the name of the coredns pod the cluster's coredns identity runs in.
    init(nodes: Int, coredns: String, rng: inout SplitMix) {
        let apps: [(String, [String])] = [
            ("web", ["frontend", "web", "web-api", "static"]),
            ("payments", ["api", "worker", "ledger", "fraud-scorer", "webhook-relay"]),
            ("checkout", ["cart", "checkout", "pricing", "inventory"]),
            ("search", ["indexer", "query", "suggest"]),
            ("staging", ["web", "api", "worker"]),
            ("default", ["hello", "echo"]),
            ("monitoring", ["grafana", "kube-state-metrics", "alertmanager-proxy"]),
            ("ingress-nginx", ["ingress-nginx-controller"]),
            ("argocd", ["argocd-server", "argocd-repo-server", "argocd-redis"]),
            ("cert-manager", ["cert-manager", "cert-manager-webhook", "cert-manager-cainjector"]),
            ("kube-system", ["coredns", "metrics-server"]),
            ("batch", ["report-generator", "exporter"]),
            ("data", ["kafka-connect", "schema-registry", "etl"]),
        ]
        for (ns, names) in apps {
            for name in names {
                let replicas = 2 + Int(rng.next() % 5)
                var d = Deployment(namespace: ns, name: name, hash: Names.templateHash(&rng), pods: [])
                if name == "coredns", let dash = coredns.lastIndex(of: "-") {
                    d.hash = String(coredns[coredns.index(coredns.startIndex, offsetBy: 8)..<dash])
                    d.pods.append(Pod(name: coredns, node: 0))
                }
                while d.pods.count < replicas { d.pods.append(Pod(name: d.replicaSet + "-" + Names.suffix(5, &rng), node: Int(rng.next() % UInt64(nodes)))) }
                deployments.append(d)
            }
        }
        for node in 0..<nodes {
            for (ns, ds) in [("kube-system", "kube-proxy"), ("kube-system", "calico-node"), ("monitoring", "node-exporter"), ("kube-system", "fluent-bit")] {
                daemonPods.append((ns, Pod(name: ds + "-" + Names.suffix(5, &rng), node: node)))
            }
        }
    }

    /// A running coredns pod's name.
    var corednsPod: String { deployments.first { $0.name == "coredns" }!.pods[0].name }

    /// A pod picked at random among all of them, with its namespace.
    func anyPod(_ rng: inout SplitMix) -> (namespace: String, pod: Pod) {
        if rng.next() % 3 == 0 { return daemonPods[Int(rng.next() % UInt64(daemonPods.count))] }
        let d = deployments[Int(rng.next() % UInt64(deployments.count))]
        return (d.namespace, d.pods[Int(rng.next() % UInt64(d.pods.count))])
    }

    /// Moves the resourceVersion on by a write and returns the new value.
    mutating func write() -> Int {
        resourceVersion += 1
        return resourceVersion
    }

    /// A resourceVersion a little behind the newest: where a watch resumes.
    func recentVersion(_ rng: inout SplitMix) -> Int { resourceVersion - Int(rng.next() % 5_000) }

    /// Replaces one pod of deployment `index` with a new one of its current ReplicaSet:
    /// returns the old pod and the new one.
    mutating func replacePod(of index: Int, _ rng: inout SplitMix, nodes: Int) -> (old: Pod, new: Pod) {
        var d = deployments[index]
        let k = Int(rng.next() % UInt64(d.pods.count))
        // During a rollout, old-hash pods go first.
        let slot = d.pods.firstIndex { !$0.name.hasPrefix(d.replicaSet + "-") } ?? k
        let old = d.pods[slot]
        let new = Pod(name: d.replicaSet + "-" + Names.suffix(5, &rng), node: Int(rng.next() % UInt64(nodes)))
        d.pods[slot] = new
        deployments[index] = d
        return (old, new)
    }

    /// Starts a rollout of deployment `index`: a new ReplicaSet hash; its pods follow as they churn.
    mutating func roll(_ index: Int, _ rng: inout SplitMix) -> (old: String, new: String) {
        let old = deployments[index].replicaSet
        deployments[index].hash = Names.templateHash(&rng)
        return (old, deployments[index].replicaSet)
    }

    /// Whether deployment `index` still has pods of an older ReplicaSet.
    func rolling(_ index: Int) -> Bool {
        let d = deployments[index]
        return d.pods.contains { !$0.name.hasPrefix(d.replicaSet + "-") }
    }

    /// Remembers an event's name for later patches.
    /// - Parameter node: the node whose kubelet reported it, if one did.
    mutating func remember(event name: String, in namespace: String, node: Int?) {
        eventCount += 1
        if recentEvents.count < 256 {
            recentEvents.append((namespace, name, node))
        } else {
            recentEvents[recentNext] = (namespace, name, node)
            recentNext = (recentNext + 1) % 256
        }
    }
}
