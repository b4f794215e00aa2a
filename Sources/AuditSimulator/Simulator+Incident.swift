/// The incident: one attack that leaves every kind of indicator in the log, in the order an
/// attacker would work. Offsets are from the incident's start; it is over within two minutes
/// (the last exec session closes at about 145 s).
///
/// - f (0-19 s): the stolen token of `system:serviceaccount:web:frontend`, from 203.0.113.45
///   (`kubectl/v1.30.0`), enumerates its rights: 15 `create selfsubjectrulesreviews` and
///   `selfsubjectaccessreviews`.
/// - d (10-47 s): `system:anonymous` from 198.51.100.77 probes `/api/v1/pods`, `/api/v1/secrets`,
///   `/.env` and kube-system's secrets (403, forbid), then fails to log in 40 times within
///   about 28 s (401, `"user":{}`).
/// - a (20-70 s): the stolen token (`curl/8.5.0`) lists secrets namespace by namespace (200 in
///   web, staging and default, 403 in the other 11), binds itself to cluster-admin at 68 s
///   (`create clusterrolebindings` frontend-admin, with the body), then lists secrets in all namespaces.
/// - g (73 s): it asks for a token of kube-system's `clusterrole-aggregation-controller`
///   (`create serviceaccounts/token`).
/// - b (76-90 s): it execs into the control-plane pod (etcd, or kube-proxy where the platform
///   hides etcd) and a coredns pod, creates the privileged pod `node-shell-xxxxx` in kube-system
///   with the node's `/` mounted, and execs into that.
/// - c (95-100 s): the admin credential, now from 203.0.113.45, impersonates a new user
///   `temp-admin` (in system:masters): lists and reads kube-system secrets, creates a rolebinding.
/// - h (103-107 s): as temp-admin, it creates a CSR for a temp-admin client certificate and
///   approves it (`update certificatesigningrequests/approval`).
/// - e (110-117 s): the stolen token deletes kube-system's events (`deletecollection`, then `delete`).
extension Simulator {
    /// The outside address the stolen credentials are used from.
    static let attackerIP = "203.0.113.45"
    /// The outside address of the anonymous scanner.
    static let scannerIP = "198.51.100.77"

    mutating func scheduleIncident(at start: Int64) {
        incidents += 1
        let kubectl = "kubectl/v1.30.0 (linux/amd64) kubernetes/7c48c2b"
        var curl = cluster.frontend.using(ip: Self.attackerIP, agent: "curl/8.5.0")
        curl.binding = "RBAC: allowed by ClusterRoleBinding \"frontend-legacy\" of ClusterRole \"legacy-deployer\" to ServiceAccount \"frontend/web\""
        var stolen = curl.using(ip: Self.attackerIP, agent: kubectl)
        let admin = "RBAC: allowed by ClusterRoleBinding \"frontend-admin\" of ClusterRole \"cluster-admin\" to ServiceAccount \"frontend/web\""
        func at(_ seconds: Double, _ r: SimulatedRequest) {
            schedule(r, at: start + Int64(seconds * 1_000_000) + Int64(rng.next() % 400_000))
        }

        // f: what can this token do?
        for k in 0..<15 {
            let rules = k % 3 == 0
            at(Double(k) * 1.3, SimulatedRequest(
                who: stolen, verb: "create", apiGroup: "authorization.k8s.io",
                resource: rules ? "selfsubjectrulesreviews" : "selfsubjectaccessreviews", code: 201, latency: latency(mean: 900)))
        }
        scheduleProbes(at: start + 10_000_000)

        // a: secrets, namespace after namespace, then cluster-admin.
        for (k, ns) in Workload.namespaces.enumerated() {
            let allowed = ns == "web" || ns == "staging" || ns == "default"
            at(20 + Double(k) * 3.5, SimulatedRequest(who: curl, verb: "list", resource: "secrets", namespace: ns,
                                                    code: allowed ? 200 : 403, latency: latency(mean: allowed ? 6_000 : 1_200)))
        }
        var bind = SimulatedRequest(who: curl, verb: "create", apiGroup: "rbac.authorization.k8s.io", resource: "clusterrolebindings",
                                    name: "frontend-admin", code: 201, latency: latency(mean: 7_000))
        bind.requestObject = RBACBody.binding(name: "frontend-admin", role: "cluster-admin", subjectKind: "ServiceAccount",
                                              subject: "frontend", subjectNamespace: "web")
        at(68, bind)
        curl.binding = admin
        stolen.binding = admin
        at(70, SimulatedRequest(who: curl, verb: "list", resource: "secrets", latency: latency(mean: 40_000)))

        // g: a long-lived token for a powerful kube-system service account.
        var token = SimulatedRequest(who: stolen, verb: "create", resource: "serviceaccounts", subresource: "token",
                                     namespace: "kube-system", name: "clusterrole-aggregation-controller", code: 201,
                                     latency: latency(mean: 4_000))
        token.requestObject = "{\"kind\":\"TokenRequest\",\"apiVersion\":\"authentication.k8s.io/v1\",\"metadata\":{\"creationTimestamp\":null},\"spec\":{\"audiences\":null,\"expirationSeconds\":31536000,\"boundObjectRef\":null},\"status\":{\"token\":\"\",\"expirationTimestamp\":null}}"
        at(73, token)

        // b: shells in kube-system, and a privileged pod with the node's root file system.
        let (pod, container) = cluster.controlPlanePod
        at(76, exec(stolen, pod: pod, container: container, command: "sh", seconds: 38))
        at(80, exec(stolen, pod: workload.corednsPod, container: "coredns", command: "sh", seconds: 3))
        let shell = "node-shell-" + Names.suffix(5, &rng)
        let node = cluster.nodes.first(where: \.master) ?? cluster.nodes[0]
        var create = SimulatedRequest(who: stolen, verb: "create", resource: "pods", namespace: "kube-system", name: shell, code: 201,
                                      latency: latency(mean: 12_000))
        create.requestObject = PodSpec.privileged(name: shell, namespace: "kube-system", node: node.name)
        create.responseObject = PodSpec.privileged(name: shell, namespace: "kube-system", node: node.name, uid: StableID.uuid(shell + "\(incidents)"))
        create.annotations = ",\"pod-security.kubernetes.io/enforce-policy\":\"privileged:latest\""
        at(84, create)
        at(86, SimulatedRequest(who: node.kubelet, verb: "patch", resource: "pods", subresource: "status", namespace: "kube-system",
                                 name: shell, latency: latency(mean: 4_000)))
        let pulled = eventCreate(by: node.kubelet, about: shell, in: "kube-system")
        at(87, pulled)
        at(90, exec(stolen, pod: shell, container: "shell", command: "chroot&command=%2Fhost&command=sh", seconds: 55))

        // c: the admin credential impersonates a user nobody has seen.
        let adminFromOutside = cluster.admin.using(ip: Self.attackerIP, agent: kubectl)
        let tempAdmin = Identity.user(
            "temp-admin", groups: ["system:masters", "system:authenticated"], agent: kubectl, ip: Self.attackerIP,
            binding: "RBAC: allowed by ClusterRoleBinding \"cluster-admin\" of ClusterRole \"cluster-admin\" to Group \"system:masters\"")
        func asTemp(_ r: SimulatedRequest) -> SimulatedRequest {
            var r = r
            r.impersonated = tempAdmin
            return r
        }
        at(95, asTemp(SimulatedRequest(who: adminFromOutside, verb: "list", resource: "secrets", namespace: "kube-system",
                                        latency: latency(mean: 5_000))))
        at(97, asTemp(SimulatedRequest(who: adminFromOutside, verb: "get", resource: "secrets", namespace: "kube-system",
                                        name: "bootstrap-token-7h2k9q", latency: latency(mean: 2_000))))
        var roleBinding = asTemp(SimulatedRequest(who: adminFromOutside, verb: "create", apiGroup: "rbac.authorization.k8s.io",
                                                  resource: "rolebindings", namespace: "kube-system", name: "temp-admin", code: 201,
                                                  latency: latency(mean: 6_000)))
        roleBinding.requestObject = RBACBody.binding(name: "temp-admin", namespace: "kube-system", role: "admin", subjectKind: "User",
                                                     subject: "temp-admin")
        at(100, roleBinding)

        // h: a client certificate for temp-admin, requested and approved by the same identity.
        var csr = asTemp(SimulatedRequest(who: adminFromOutside, verb: "create", apiGroup: "certificates.k8s.io",
                                          resource: "certificatesigningrequests", name: "temp-admin", code: 201,
                                          latency: latency(mean: 5_000)))
        csr.requestObject = RBACBody.csr(name: "temp-admin", user: "temp-admin", group: "system:masters")
        at(103, csr)
        var approve = asTemp(SimulatedRequest(who: adminFromOutside, verb: "update", apiGroup: "certificates.k8s.io",
                                              resource: "certificatesigningrequests", subresource: "approval", name: "temp-admin",
                                              latency: latency(mean: 6_000)))
        approve.requestObject = RBACBody.approval(name: "temp-admin", user: "temp-admin")
        at(106, approve)
        at(107, asTemp(SimulatedRequest(who: adminFromOutside, verb: "get", apiGroup: "certificates.k8s.io",
                                        resource: "certificatesigningrequests", name: "temp-admin", latency: latency(mean: 1_500))))

        // e: covering tracks.
        at(110, SimulatedRequest(who: stolen, verb: "deletecollection", resource: "events", namespace: "kube-system",
                                 latency: latency(mean: 30_000)))
        for k in 0..<3 {
            at(113 + Double(k) * 2, SimulatedRequest(who: stolen, verb: "delete", resource: "events", namespace: "kube-system",
                                                     name: Names.event(for: shell, at: start + 87_000_000, sequence: k),
                                                     code: 404, latency: latency(mean: 2_000)))
        }
    }

    /// d: the anonymous scanner's probes (403), then 40 failed logins (401) within 30 s.
    private mutating func scheduleProbes(at start: Int64) {
        let scanner = cluster.anonymous(ip: Self.scannerIP, agent: "python-requests/2.31.0")
        var t = start
        for (resource, ns) in [("pods", ""), ("secrets", "")] {
            schedule(SimulatedRequest(who: scanner, verb: "list", resource: resource, namespace: ns, code: 403, latency: latency(mean: 600)), at: t)
            t += 1_500_000
        }
        schedule(SimulatedRequest(who: scanner, verb: "get", nonResourcePath: "/.env", code: 403, latency: latency(mean: 400)), at: t)
        t += 1_500_000
        schedule(SimulatedRequest(who: scanner, verb: "list", resource: "secrets", namespace: "kube-system", code: 403,
                                  latency: latency(mean: 600)), at: t)
        t += 3_000_000
        let guesser = Identity.unauthenticated(agent: "python-requests/2.31.0", ip: Self.scannerIP)
        for _ in 0..<40 {
            schedule(SimulatedRequest(who: guesser, verb: "list", resource: "secrets", namespace: "kube-system", code: 401,
                                      latency: latency(mean: 300)), at: t)
            t += 500_000 + Int64(rng.next() % 400_000)
        }
    }

    /// `create pods/exec` into `pod`: 101 Switching Protocols, open for `seconds`.
    private mutating func exec(_ who: Identity, pod: String, container: String, command: String, seconds: Double) -> SimulatedRequest {
        SimulatedRequest(who: who, verb: "create", resource: "pods", subresource: "exec", namespace: "kube-system", name: pod,
                         query: "?command=\(command)&container=\(container)&stdin=true&stdout=true&tty=true", code: 101,
                         latency: Int64(seconds * 1_000_000), longRunning: true)
    }
}
