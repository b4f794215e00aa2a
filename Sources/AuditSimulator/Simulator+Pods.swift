/// Pods' lives: kubelets reading and patching their pods, projected service-account tokens,
/// events, and the churn of pods replaced (create, bind, start, delete) and deployments rolled.
extension Simulator {
    /// One request of a kubelet about a pod on its node.
    mutating func kubeletRequest() -> SimulatedRequest {
        let (ns, pod) = workload.anyPod(&rng)
        let kubelet = cluster.nodes[pod.node].kubelet
        let roll = rng.unit()
        switch roll {
        case ..<0.35:
            return SimulatedRequest(who: kubelet, verb: "get", resource: "pods", namespace: ns, name: pod.name, latency: latency(mean: 1_500))
        case ..<0.62:
            _ = workload.write()
            return SimulatedRequest(who: kubelet, verb: "patch", resource: "pods", subresource: "status", namespace: ns, name: pod.name,
                                    latency: latency(mean: 4_000))
        case ..<0.72:
            // Projected service-account tokens are renewed by the kubelet: a TokenRequest.
            return SimulatedRequest(who: kubelet, verb: "create", resource: "serviceaccounts", subresource: "token", namespace: ns,
                                    name: Self.serviceAccount(of: pod.name), code: 201, latency: latency(mean: 3_000))
        case ..<0.82:
            let object = rng.unit() < 0.5 ? "kube-root-ca.crt" : Self.serviceAccount(of: pod.name) + "-config"
            return SimulatedRequest(
                who: kubelet, verb: "watch", resource: "configmaps", namespace: ns,
                query: Names.watchQuery(resourceVersion: workload.recentVersion(&rng), timeout: 300 + Int(rng.next() % 300),
                                        fieldSelector: "metadata.name%3D" + object),
                latency: Int64(300_000_000 + rng.next() % 300_000_000), longRunning: true)
        default:
            return eventCreate(by: kubelet, about: pod.name, in: ns, node: pod.node)
        }
    }

    /// A kubelet's request about its node: status, the node object, or the watch of its pods.
    mutating func nodeRequest() -> SimulatedRequest {
        let node = cluster.nodes[Int(rng.next() % UInt64(cluster.nodes.count))]
        let roll = rng.unit()
        if roll < 0.5 {
            _ = workload.write()
            return SimulatedRequest(who: node.kubelet, verb: "patch", resource: "nodes", subresource: "status", name: node.name,
                                    query: "?timeout=10s", latency: latency(mean: 5_000))
        }
        if roll < 0.8 {
            return SimulatedRequest(who: node.kubelet, verb: "get", resource: "nodes", name: node.name,
                                    query: "?resourceVersion=0&timeout=10s", latency: latency(mean: 1_200))
        }
        return SimulatedRequest(
            who: node.kubelet, verb: "watch", resource: "pods",
            query: Names.watchQuery(resourceVersion: workload.recentVersion(&rng), timeout: 300 + Int(rng.next() % 300),
                                    fieldSelector: "spec.nodeName%3D" + node.name),
            latency: Int64(300_000_000 + rng.next() % 300_000_000), longRunning: true)
    }

    /// `create events` for `object`: a uniquely named Event (`OBJECT.HEXNANOS`).
    mutating func eventCreate(by who: Identity, about object: String, in ns: String, node: Int? = nil) -> SimulatedRequest {
        let name = Names.event(for: object, at: now, sequence: workload.eventCount)
        workload.remember(event: name, in: ns, node: node)
        _ = workload.write()
        return SimulatedRequest(who: who, verb: "create", resource: "events", namespace: ns, name: name, code: 201,
                                latency: latency(mean: 2_500))
    }

    /// `patch events/NAME`: a repeated event's count goes up.
    mutating func eventPatch() -> SimulatedRequest {
        guard !workload.recentEvents.isEmpty else { return kubeletRequest() }
        let (ns, name, node) = workload.recentEvents[Int(rng.next() % UInt64(workload.recentEvents.count))]
        let who = node.map { cluster.nodes[$0].kubelet } ?? cluster.controllers["replicaset-controller"]!
        _ = workload.write()
        return SimulatedRequest(who: who, verb: "patch", resource: "events", namespace: ns, name: name, latency: latency(mean: 2_500))
    }

    /// A pod of a deployment replaced: the ReplicaSet controller creates the new pod and deletes
    /// the old one, the scheduler binds it, its kubelet starts it; events for each step.
    /// Returns the first request; the rest are queued. Now and then a deployment rolls.
    mutating func podChurn() -> SimulatedRequest {
        // kube-system's pods stay put: a pod created there is worth an alert.
        var index = Int(rng.next() % UInt64(workload.deployments.count))
        while workload.deployments[index].namespace == "kube-system" { index = (index + 1) % workload.deployments.count }
        if !workload.rolling(index) && rng.unit() < 0.03 { return rollout(index) }
        let (old, new) = workload.replacePod(of: index, &rng, nodes: cluster.nodes.count)
        let d = workload.deployments[index]
        let rs = cluster.controllers["replicaset-controller"]!
        let t = now
        _ = workload.write()
        schedule(eventCreate(by: rs, about: d.replicaSet, in: d.namespace), at: t + 4_000)
        var bind = SimulatedRequest(who: cluster.scheduler, verb: "create", resource: "pods", subresource: "binding",
                                    namespace: d.namespace, name: new.name, code: 201, latency: latency(mean: 3_000))
        bind.who.agent = "kube-scheduler/v1.29.4 (linux/amd64) kubernetes/55019c8/scheduler"
        schedule(bind, at: t + 30_000 + Int64(rng.next() % 20_000))
        schedule(eventCreate(by: cluster.scheduler, about: new.name, in: d.namespace), at: t + 60_000)
        let kubelet = cluster.nodes[new.node].kubelet
        schedule(SimulatedRequest(who: kubelet, verb: "get", resource: "pods", namespace: d.namespace, name: new.name,
                                  latency: latency(mean: 1_500)), at: t + 400_000)
        schedule(SimulatedRequest(who: kubelet, verb: "patch", resource: "pods", subresource: "status", namespace: d.namespace,
                                  name: new.name, latency: latency(mean: 4_000)), at: t + 1_800_000 + Int64(rng.next() % 1_000_000))
        schedule(eventCreate(by: kubelet, about: new.name, in: d.namespace, node: new.node), at: t + 2_500_000)
        schedule(SimulatedRequest(who: rs, verb: "delete", resource: "pods", namespace: d.namespace, name: old.name,
                                  latency: latency(mean: 6_000)), at: t + 700_000)
        schedule(SimulatedRequest(who: cluster.nodes[old.node].kubelet, verb: "delete", resource: "pods", namespace: d.namespace,
                                  name: old.name, latency: latency(mean: 5_000)), at: t + 31_000_000)
        var create = SimulatedRequest(who: rs, verb: "create", resource: "pods", namespace: d.namespace, code: 201,
                                      latency: latency(mean: 9_000))
        create.annotations = ",\"pod-security.kubernetes.io/enforce-policy\":\"baseline:latest\""
        create.requestObject = PodSpec.workload(d, pod: new.name, node: nil)
        create.responseObject = PodSpec.workload(d, pod: new.name, node: nil, uid: StableID.uuid(new.name))
        return create
    }

    /// A rollout starts: the deployment controller creates the new ReplicaSet and updates the
    /// deployment's status; the pods follow as they churn.
    private mutating func rollout(_ index: Int) -> SimulatedRequest {
        let (_, new) = workload.roll(index, &rng)
        let d = workload.deployments[index]
        let controller = cluster.controllers["deployment-controller"]!
        _ = workload.write()
        schedule(SimulatedRequest(who: controller, verb: "update", apiGroup: "apps", resource: "deployments", subresource: "status",
                                  namespace: d.namespace, name: d.name, latency: latency(mean: 6_000)), at: now + 15_000)
        schedule(eventCreate(by: controller, about: d.name, in: d.namespace), at: now + 9_000)
        return SimulatedRequest(who: controller, verb: "create", apiGroup: "apps", resource: "replicasets", namespace: d.namespace,
                                name: new, code: 201, latency: latency(mean: 8_000))
    }

    /// The service account a pod runs as: its deployment's name (`web-7c9d8f6b5-x2kqp` → `web`).
    static func serviceAccount(of pod: String) -> String {
        var parts = pod.split(separator: "-")
        let hashed = parts.count > 2 && parts[parts.count - 2].count >= 9
        parts.removeLast(hashed ? 2 : min(1, parts.count - 1))
        return parts.joined(separator: "-")
    }
}
