/// The platform's own controllers, per flavor: EKS's node manager, certificate controller,
/// add-on manager, cloud controller and pod-identity webhook; AKS's service and node client;
/// GKE's controllers and robot account; OpenShift's operators.
extension Simulator {
    mutating func platformRequest() -> SimulatedRequest {
        let who = rng.pick(cluster.platform)
        let node = cluster.nodes[Int(rng.next() % UInt64(cluster.nodes.count))]
        switch who.name {
        case "eks:node-manager":
            return SimulatedRequest(who: who, verb: "get", resource: "nodes", name: node.name, latency: latency(mean: 1_500))
        case "eks:certificate-controller":
            // Kubelet serving certificates are approved by EKS itself: the normal approval traffic.
            if rng.unit() < 0.7 {
                return SimulatedRequest(who: who, verb: "list", apiGroup: "certificates.k8s.io", resource: "certificatesigningrequests",
                                        query: Names.initialList, latency: latency(mean: 3_000))
            }
            _ = workload.write()
            return SimulatedRequest(who: who, verb: "update", apiGroup: "certificates.k8s.io", resource: "certificatesigningrequests",
                                    subresource: "approval", name: "csr-" + Names.suffix(5, &rng), latency: latency(mean: 4_000))
        case "eks:addon-manager":
            _ = workload.write()
            return SimulatedRequest(who: who, verb: "patch", apiGroup: "apps", resource: "daemonsets", namespace: "kube-system",
                                    name: rng.pick(["aws-node", "kube-proxy"]), query: "?fieldManager=eks", latency: latency(mean: 8_000))
        case "eks:cloud-controller-manager":
            _ = workload.write()
            return SimulatedRequest(who: who, verb: "patch", resource: "nodes", subresource: "status", name: node.name,
                                    latency: latency(mean: 5_000))
        case "eks:pod-identity-mutating-webhook":
            let (ns, pod) = workload.anyPod(&rng)
            return SimulatedRequest(who: who, verb: "get", resource: "serviceaccounts", namespace: ns,
                                    name: Self.serviceAccount(of: pod.name), latency: latency(mean: 1_200))
        case "aksService":
            return SimulatedRequest(who: who, verb: rng.pick(["get", "list"]), resource: rng.pick(["nodes", "configmaps"]),
                                    namespace: "kube-system", latency: latency(mean: 4_000))
        case "nodeclient":
            // Node bootstrap: a CSR for the kubelet's client certificate, approved by the controller manager.
            return SimulatedRequest(who: who, verb: "create", apiGroup: "certificates.k8s.io", resource: "certificatesigningrequests",
                                    name: "node-csr-" + Names.suffix(12, &rng), code: 201, latency: latency(mean: 5_000))
        case "system:gke-controller", "system:clustermetrics":
            return SimulatedRequest(who: who, verb: "list", resource: rng.pick(["nodes", "pods", "services"]),
                                    query: "?limit=500&resourceVersion=\(workload.recentVersion(&rng))", latency: latency(mean: 9_000))
        default:
            if who.name.hasSuffix("container-engine-robot.iam.gserviceaccount.com") {
                return SimulatedRequest(who: who, verb: "get", resource: "nodes", name: node.name, latency: latency(mean: 2_000))
            }
            // OpenShift operators: leader leases and their config maps.
            let ns = who.name.split(separator: ":")[2]
            if rng.unit() < 0.5 {
                _ = workload.write()
                return SimulatedRequest(who: who, verb: "update", apiGroup: "coordination.k8s.io", resource: "leases",
                                        namespace: String(ns), name: String(ns.dropFirst("openshift-".count)) + "-lock",
                                        latency: latency(mean: 3_000))
            }
            return SimulatedRequest(who: who, verb: "get", resource: "configmaps", namespace: String(ns), name: "config",
                                    latency: latency(mean: 1_500))
        }
    }
}
