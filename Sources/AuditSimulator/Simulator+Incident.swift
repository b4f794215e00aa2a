extension Simulator {
    /// Queues the incident's requests from `start` on: an unknown user maps the cluster,
    /// tries secrets namespace by namespace, finds one it can read, and execs into a pod;
    /// meanwhile an anonymous client from outside probes the API.
    mutating func scheduleIncident(at start: Int64) {
        let intruder = Cluster.intruder
        var t = start
        func step(_ gap: Int64, _ r: SimulatedRequest) {
            t += gap
            let (time, line) = write(r, at: t)
            enqueue(time, line)
        }
        step(0, SimulatedRequest(who: intruder, verb: "list", resource: "namespaces", latency: 9_000))
        for ns in ["default", "kube-system", "payments", "checkout", "argocd"] {
            step(2_400_000, SimulatedRequest(who: intruder, verb: "list", resource: "secrets", namespace: ns, code: 403, latency: 1_800))
        }
        step(3_100_000, SimulatedRequest(who: intruder, verb: "list", resource: "secrets", namespace: "monitoring", latency: 7_000))
        for name in ["grafana-admin", "alertmanager-smtp", "remote-write-token"] {
            step(1_700_000, SimulatedRequest(who: intruder, verb: "get", resource: "secrets", namespace: "monitoring", name: name, latency: 2_600))
        }
        step(4_000_000, SimulatedRequest(who: intruder, verb: "list", resource: "pods", namespace: "payments", latency: 11_000))
        step(2_000_000, SimulatedRequest(
            who: intruder, verb: "create", resource: "pods", subresource: "exec", namespace: "payments",
            name: "api-7d9f8c6b5d-x2kqp", query: "?command=sh&container=api&stdin=true&stdout=true&tty=true",
            code: 101, latency: 95_000_000, longRunning: true))
        step(1_000_000, SimulatedRequest(
            who: intruder, verb: "get", resource: "secrets", namespace: "payments", name: "stripe-api-key", code: 403, latency: 1_500))

        let anonymous = Cluster.anonymous
        t = start + 20_000_000
        step(0, SimulatedRequest(who: anonymous, verb: "get", nonResourcePath: "/version", latency: 600))
        for path in ["/api/v1/secrets", "/api/v1/namespaces/kube-system/secrets", "/apis/apps/v1/deployments"] {
            var r = SimulatedRequest(who: anonymous, verb: "list", code: 403, latency: 700)
            let ref = RequestShape(path)
            r.apiGroup = ref.group
            r.resource = ref.resource
            r.namespace = ref.namespace
            step(800_000, r)
        }
        for path in ["/.env", "/api/v1/pods?fieldSelector=status.phase%3DRunning", "/apis"] {
            step(600_000, SimulatedRequest(who: anonymous, verb: "get", nonResourcePath: path, code: 403, latency: 500))
        }
        step(1_000_000, SimulatedRequest(
            who: Identity(name: "", groups: [], agent: "curl/8.5.0", ip: "198.51.100.77", binding: ""),
            verb: "get", nonResourcePath: "/api", code: 401, unauthenticated: true, latency: 300))
    }
}

/// The group, resource and namespace a probe's path names.
private struct RequestShape {
    var group = ""
    var resource = ""
    var namespace = ""

    init(_ path: String) {
        let parts = path.split(separator: "/").map(String.init)
        var rest = parts
        if rest.first == "api" { rest.removeFirst(2) } else if rest.first == "apis" { group = rest[1]; rest.removeFirst(3) }
        if rest.count >= 2, rest[0] == "namespaces" { namespace = rest[1]; rest.removeFirst(2) }
        resource = rest.first ?? ""
    }
}
