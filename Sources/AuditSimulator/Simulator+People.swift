/// People at kubectl, the CI deployer with Helm, and the admin credential: their requests
/// are logged from RequestReceived on, and their writes carry bodies.
extension Simulator {
    mutating func personRequest() -> SimulatedRequest {
        let who = rng.pick(cluster.people)
        let bob = who.name == "bob@example.com"
        let deployments = workload.deployments.filter { !bob || $0.namespace == "payments" }
        let d = deployments[Int(rng.next() % UInt64(deployments.count))]
        let roll = rng.unit()
        switch roll {
        case ..<0.3:
            return SimulatedRequest(who: who, verb: "list", resource: rng.pick(["pods", "services", "events", "configmaps"]),
                                    namespace: d.namespace, query: "?limit=500", latency: latency(mean: 9_000))
        case ..<0.5:
            let pod = d.pods[Int(rng.next() % UInt64(d.pods.count))].name
            let missing = rng.unit() < 0.08
            return SimulatedRequest(who: who, verb: "get", resource: "pods", namespace: d.namespace,
                                    name: missing ? d.replicaSet + "-" + Names.suffix(5, &rng) : pod,
                                    code: missing ? 404 : 200, latency: latency(mean: 3_000))
        case ..<0.65:
            let pod = d.pods[Int(rng.next() % UInt64(d.pods.count))].name
            return SimulatedRequest(who: who, verb: "get", resource: "pods", subresource: "log", namespace: d.namespace, name: pod,
                                    query: "?container=\(d.name)&tailLines=\(rng.pick([50, 100, 200]))", latency: latency(mean: 40_000))
        case ..<0.75:
            return SimulatedRequest(who: who, verb: "get", apiGroup: "apps", resource: "deployments", namespace: d.namespace,
                                    name: d.name, latency: latency(mean: 3_000))
        case ..<0.82:
            // `kubectl auth can-i`.
            return SimulatedRequest(who: who, verb: "create", apiGroup: "authorization.k8s.io", resource: "selfsubjectaccessreviews",
                                    code: 201, latency: latency(mean: 1_000))
        default:
            _ = workload.write()
            return SimulatedRequest(
                who: who, verb: rng.unit() < 0.7 ? "patch" : "update", apiGroup: "apps", resource: "deployments",
                namespace: d.namespace, name: d.name, query: "?fieldManager=kubectl-client-side-apply&fieldValidation=Strict",
                code: rng.unit() < 0.04 ? 422 : 200, latency: latency(mean: 25_000), bodyBytes: 4_000 + Int(rng.next() % 12_000))
        }
    }

    /// Helm in CI: reads and writes release secrets and upgrades deployments.
    mutating func ciRequest() -> SimulatedRequest {
        let d = workload.deployments[Int(rng.next() % UInt64(workload.deployments.count))]
        let release = Int(StableID.hash(d.name) % 40) + 1
        let roll = rng.unit()
        switch roll {
        case ..<0.35:
            return SimulatedRequest(who: cluster.ci, verb: "list", resource: "secrets", namespace: d.namespace,
                                    query: "?labelSelector=name%3D\(d.name)%2Cowner%3Dhelm", latency: latency(mean: 6_000))
        case ..<0.55:
            return SimulatedRequest(who: cluster.ci, verb: "get", resource: "secrets", namespace: d.namespace,
                                    name: "sh.helm.release.v1.\(d.name).v\(release)", latency: latency(mean: 2_500))
        case ..<0.7:
            _ = workload.write()
            return SimulatedRequest(who: cluster.ci, verb: "create", resource: "secrets", namespace: d.namespace,
                                    name: "sh.helm.release.v1.\(d.name).v\(release + 1)", code: 201, latency: latency(mean: 8_000))
        default:
            _ = workload.write()
            return SimulatedRequest(who: cluster.ci, verb: "patch", apiGroup: "apps", resource: "deployments", namespace: d.namespace,
                                    name: d.name, query: "?fieldManager=helm", latency: latency(mean: 20_000),
                                    bodyBytes: 5_000 + Int(rng.next() % 10_000))
        }
    }

    /// The admin credential's occasional look around.
    mutating func adminRequest() -> SimulatedRequest {
        let roll = rng.unit()
        if roll < 0.4 {
            return SimulatedRequest(who: cluster.admin, verb: "list", resource: "nodes", query: "?limit=500", latency: latency(mean: 15_000))
        }
        if roll < 0.8 {
            return SimulatedRequest(who: cluster.admin, verb: "list", resource: "pods", query: "?limit=500", latency: latency(mean: 40_000))
        }
        return SimulatedRequest(who: cluster.admin, verb: "get", resource: "namespaces", name: rng.pick(Workload.namespaces),
                                latency: latency(mean: 2_000))
    }
}
