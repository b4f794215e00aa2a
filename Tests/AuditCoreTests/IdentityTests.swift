import AuditCore
import Foundation
import Testing

/// Events for the identity tests: `Fixture.event` with impersonation and a clock in seconds.
enum Who {
    static func at(_ second: Int) -> String {
        let t = Timestamp.parse("2026-03-14T09:00:00Z")! + Int64(second) * 1_000_000
        return Timestamp.format(t)
    }

    static func event(
        _ n: Int, at second: Int = 0, verb: String = "get", user: String = "alice@example.com", groups: [String] = ["system:authenticated"],
        resource: String? = "pods", namespace: String? = "default", name: String? = "web-1", subresource: String? = nil,
        code: Int = 200, uri: String? = nil, ip: String = "10.0.0.1", agent: String = "kubectl/v1.29.2", apiGroup: String? = nil,
        impersonating: String? = nil
    ) -> String {
        var line = Fixture.event(
            id: Fixture.id(n), verb: verb, user: user, groups: groups, resource: resource, namespace: namespace, name: name,
            code: code, decision: code == 403 ? "forbid" : (code == 401 ? nil : "allow"), received: at(second), stageTime: at(second),
            subresource: subresource, uri: uri, ip: ip, agent: agent, apiGroup: apiGroup)
        if let impersonating {
            line = line.replacingOccurrences(of: #","sourceIPs""#, with: #","impersonatedUser":{"username":"\#(impersonating)"},"sourceIPs""#)
        }
        return line
    }

    static func store(_ lines: [String], learn seconds: Int? = nil, configure: (inout StoreConfiguration) -> Void = { _ in }) -> EventStore {
        Fixture.store(lines.joined(separator: "\n")) {
            $0.learn = seconds.map { Int64($0) * 1_000_000 }
            configure(&$0)
        }
    }

    static func unknown(_ store: EventStore) -> [String] { store.stats.unknown.users.map(store.strings.string) }

    static func fired(_ store: EventStore) -> Set<String> { Set(store.rules?.alerts.keys.map { $0 } ?? []) }
}

@Suite struct IdentityClassificationTests {
    @Test(arguments: [
        "kubernetes-admin", "kubernetes-super-admin", "system:kube-scheduler", "system:node:k8s-worker-02",
        "eks:node-manager", "eks:certificate-controller", "eks:addon-manager", "eks:cloud-controller-manager",
        "aksService", "masterclient", "nodeclient", "service-123456789@container-engine-robot.iam.gserviceaccount.com",
        "123456789@cloudservices.gserviceaccount.com", "kube:admin", "system:serviceaccount:openshift-apiserver:openshift-apiserver-sa",
    ])
    func platformIdentitiesAreKnownByDefault(name: String) {
        let store = Who.store([Who.event(1, user: name)])
        #expect(Who.unknown(store).isEmpty, "\(name)")
    }

    @Test func thePlatformIsTheListNotJustTheSystemPrefix() {
        let unknown = UnknownUsers()
        for name in ["system:kube-scheduler", "system:serviceaccount:web:frontend", "eks:node-manager", "aksService", "kube:admin"] {
            #expect(unknown.isPlatform(name), "\(name)")
        }
        for name in ["system:anonymous", "", "alice@example.com", "temp-admin"] { #expect(!unknown.isPlatform(name), "\(name)") }
    }

    @Test func peopleAreUnknownButSystemMastersMembersAreNot() {
        let store = Who.store([
            Who.event(1, user: "dev@corp.example"),
            Who.event(2, user: "breakglass", groups: ["system:masters", "system:authenticated"]),
            Who.event(3, user: "arn:aws:sts::111122223333:assumed-role/Admin/alice"),
        ])
        #expect(Who.unknown(store) == ["dev@corp.example", "arn:aws:sts::111122223333:assumed-role/Admin/alice"])
    }

    @Test func thePlatformListCanBeReplacedOrSwitchedOff() {
        let off = Who.store([Who.event(1, user: "kubernetes-admin"), Who.event(2, user: "eks:node-manager")]) {
            $0.platformIdentities = KnownUsers()
        }
        #expect(Who.unknown(off) == ["kubernetes-admin", "eks:node-manager"])
        let own = Who.store([Who.event(1, user: "kubernetes-admin"), Who.event(2, user: "ops-robot")]) {
            $0.platformIdentities = KnownUsers(text: "ops-*\n")
        }
        #expect(Who.unknown(own) == ["kubernetes-admin"])
    }

    @Test func anImpersonatedUserIsAnIdentityEverywhere() throws {
        let store = Who.store([
            Who.event(1, verb: "list", user: "kubernetes-admin", groups: ["system:masters"], resource: "secrets", namespace: "kube-system",
                      name: nil, impersonating: "temp-admin"),
            Who.event(2, verb: "get", user: "kubernetes-admin", groups: ["system:masters"]),
        ])
        // The impersonator's system:masters does not make temp-admin known.
        #expect(Who.unknown(store) == ["temp-admin"])
        let temp = try #require(store.strings.lookup("temp-admin"))
        let record = try #require(store.stats.unknown.records[UnknownUsers.key(temp)])
        #expect(record.impersonators.map(store.strings.string) == ["kubernetes-admin"])
        #expect(store.stats.users.count(temp) == 1)
        #expect(store.requests(of: "kubernetes-admin") == 1)
        let matcher = FilterMatcher(try Filter.parse("user=temp-admin"), reference: 0)
        #expect(store.entries().filter { matcher.matches($0, in: store) }.count == 1)
        #expect(store.rules?.alerts["Impersonation"]?.examples.last?.user == "kubernetes-admin→temp-admin")
    }

    @Test func allowedAnonymousProbesAreOrdinaryAndOtherAnonymousRequestsAreKeptPerIP() {
        let probes = ["/healthz", "/livez", "/readyz", "/version", "/.well-known/openid-configuration", "/openid/v1/jwks", "/readyz/etcd"]
        var lines = probes.enumerated().map { k, p in Who.event(k + 1, user: "system:anonymous", resource: nil, uri: p, ip: "10.0.0.9") }
        let store = Who.store(lines)
        #expect(Who.unknown(store).isEmpty)
        #expect(Who.fired(store).isEmpty)
        lines += [
            Who.event(20, user: "system:anonymous", resource: "secrets", name: nil, code: 403, ip: "198.51.100.77"),
            Who.event(21, user: "system:anonymous", resource: "pods", name: nil, code: 403, ip: "198.51.100.77"),
            Who.event(22, user: "system:anonymous", resource: nil, code: 403, uri: "/.env", ip: "203.0.113.9"),
        ]
        let probed = Who.store(lines)
        let records = probed.stats.unknown.order.compactMap { probed.stats.unknown.records[$0] }
        #expect(records.map { probed.strings.string($0.sourceIPKey) } == ["198.51.100.77", "203.0.113.9"])
        #expect(records.map(\.requests) == [2, 1])
        #expect(records.allSatisfy { $0.isAnonymous })
    }

    @Test func failedLoginsAreGroupedBySourceIP() {
        let lines = (0..<5).map { Who.event($0 + 1, at: $0, user: "", code: 401, ip: $0 < 3 ? "198.51.100.77" : "192.0.2.1") }
        let store = Who.store(lines)
        let records = store.stats.unknown.order.compactMap { store.stats.unknown.records[$0] }
        #expect(records.map { store.strings.string($0.sourceIPKey) } == ["198.51.100.77", "192.0.2.1"])
        #expect(records.map(\.requests) == [3, 2])
        #expect(records.allSatisfy { $0.isUnauthenticated })
    }

    /// RequestReceived is written before impersonation runs: the request moves to the
    /// identity it acted as at its next stage, and the impersonator is not left behind.
    @Test func aRequestFirstSeenWithoutItsImpersonationMovesToItsIdentity() throws {
        let received = Who.event(1, verb: "list", user: "mallory", resource: "secrets", name: nil)
            .replacingOccurrences(of: #""stage":"ResponseComplete""#, with: #""stage":"RequestReceived""#)
            .replacingOccurrences(of: #""responseStatus":{"metadata":{},"code":200},"#, with: "")
        let complete = Who.event(1, verb: "list", user: "mallory", resource: "secrets", name: nil, impersonating: "temp-admin")
        let store = Who.store([received, complete])
        #expect(Who.unknown(store) == ["temp-admin"])
        #expect(store.requests(of: "mallory") == 0 && store.requests(of: "temp-admin") == 1)
        let newUsers = store.rules?.alerts["New Unknown User"]?.examples.map(\.user) ?? []
        #expect(newUsers == ["mallory→temp-admin"])
    }

    @Test func aProbeRefusedAfterItsRequestReceivedIsKept() {
        let received = Who.event(1, user: "system:anonymous", resource: nil, uri: "/healthz", ip: "198.51.100.77")
            .replacingOccurrences(of: #""stage":"ResponseComplete""#, with: #""stage":"RequestReceived""#)
            .replacingOccurrences(of: #""responseStatus":{"metadata":{},"code":200},"#, with: "")
        let refused = Who.event(1, user: "system:anonymous", resource: nil, code: 403, uri: "/healthz", ip: "198.51.100.77")
        let store = Who.store([received, refused])
        let records = store.stats.unknown.order.compactMap { store.stats.unknown.records[$0] }
        #expect(records.map(\.denied) == [1])
        #expect(records.map { store.strings.string($0.sourceIPKey) } == ["198.51.100.77"])
    }

    @Test(arguments: ["get pods", "list secrets", "create apps/deployments/scale", "create pods/exec",
                      "update certificates.k8s.io/certificatesigningrequests/approval", "get /healthz", "create batch/jobs"])
    func actionsReadBackAsTheyWereWritten(text: String) throws {
        let strings = StringInterner()
        let action = try #require(Baselines.Action.parse(text) { strings.intern($0) })
        #expect(action.text(strings) == text)
    }

    @Test func networksAndClientProducts() {
        #expect(NetworkPrefix.of("10.0.1.17") == "10.0.1.0/24")
        #expect(NetworkPrefix.of("2001:db8:1:2::5") == "2001:db8:1:2::/64")
        #expect(NetworkPrefix.of("2001:db8::5") == "2001:db8::/64")
        #expect(NetworkPrefix.of("::ffff:10.0.1.17") == "10.0.1.0/24")
        #expect(NetworkPrefix.isLoopback("::1") && NetworkPrefix.isLoopback("127.0.0.1") && !NetworkPrefix.isLoopback("10.0.0.1"))
        #expect(NetworkPrefix.of("not an address") == "")
        for a in ["10.1.2.3", "172.20.0.1", "192.168.1.1", "100.64.0.1", "127.0.0.1", "fd00::1", "fe80::1", "::1", "::ffff:10.0.0.1"] {
            #expect(NetworkPrefix.isPrivate(a), "\(a)")
        }
        for a in ["203.0.113.45", "8.8.8.8", "172.32.0.1", "2001:db8::1", "::ffff:8.8.8.8"] { #expect(!NetworkPrefix.isPrivate(a), "\(a)") }
        #expect(ClientProduct.of("kubectl/v1.29.2 (linux/amd64) kubernetes/4b8e819") == "kubectl")
        #expect(ClientProduct.of("curl/8.5.0") == "curl")
        #expect(ClientProduct.of("python-requests/2.31.0") == "python-requests")
        #expect(ClientProduct.isGenericTool("curl") && !ClientProduct.isGenericTool("kubectl"))
    }
}

@Suite struct IdentityRuleTests {
    @Test func anonymousDenialsFireOncePerSourceIPAWindow() {
        let lines = (0..<6).map { Who.event($0 + 1, at: $0, user: "system:anonymous", resource: "secrets", name: nil, code: 403,
                                            ip: $0 < 4 ? "198.51.100.77" : "203.0.113.9") }
        let alert = Who.store(lines).rules?.alerts["Anonymous Request Denied"]
        #expect(alert?.count == 2)
        #expect(alert?.severity == .medium)
        // An allowed probe, or a denied named user, is not it.
        let quiet = Who.store([Who.event(1, user: "system:anonymous", resource: nil, uri: "/readyz"), Who.event(2, user: "bob", code: 403)])
        #expect(quiet.rules?.alerts["Anonymous Request Denied"] == nil)
    }

    @Test func tenFailedLoginsFromOneIPWithinAMinuteAreABurst() {
        let burst = (0..<10).map { Who.event($0 + 1, at: $0 * 3, user: "", code: 401, ip: "198.51.100.77") }
        let alert = Who.store(burst).rules?.alerts["Failed Authentication Burst"]
        #expect(alert?.count == 1 && alert?.severity == .high)
        #expect(alert?.examples.last?.note.contains("198.51.100.77") == true)
        let nine = Array(burst.prefix(9))
        #expect(Who.store(nine).rules?.alerts["Failed Authentication Burst"] == nil)
        let slow = (0..<10).map { Who.event($0 + 1, at: $0 * 30, user: "", code: 401, ip: "198.51.100.77") }
        #expect(Who.store(slow).rules?.alerts["Failed Authentication Burst"] == nil)
        let spread = (0..<10).map { Who.event($0 + 1, at: $0, user: "", code: 401, ip: "198.51.100.\($0)") }
        #expect(Who.store(spread).rules?.alerts["Failed Authentication Burst"] == nil)
        // While learning, a pod address failing is a job with an expired token: ordinary from
        // then on. A public address is a scanner, caught while learning too.
        let job = (0..<30).map { Who.event($0 + 1, at: $0 * 3, user: "", code: 401, ip: "10.244.12.31") }
        #expect(Who.store(job, learn: 600).rules?.alerts["Failed Authentication Burst"] == nil)
        #expect(Who.store(job).rules?.alerts["Failed Authentication Burst"] != nil)
        #expect(Who.store(burst, learn: 600).rules?.alerts["Failed Authentication Burst"]?.count == 1)
    }

    func reviews(_ user: String, _ n: Int) -> [String] {
        (0..<n).map { Who.event($0 + 1, at: $0 * 2, verb: "create", user: user, resource: "selfsubjectrulesreviews", namespace: nil, name: nil,
                                code: 201, apiGroup: "authorization.k8s.io") }
    }

    @Test func permissionReviewBurstsOutsideThePlatformAreEnumeration() {
        #expect(Who.store(reviews("system:serviceaccount:web:frontend", 10)).rules?.alerts["RBAC Enumeration"]?.severity == .medium)
        #expect(Who.store(reviews("system:serviceaccount:web:frontend", 9)).rules?.alerts["RBAC Enumeration"] == nil)
        // Asking while learning fires like any other time, and then makes it a habit.
        #expect(Who.store(reviews("system:serviceaccount:web:frontend", 10), learn: 600).rules?.alerts["RBAC Enumeration"] != nil)
        let habit = reviews("alice@example.com", 10) + reviews("alice@example.com", 10).enumerated().map { k, l in
            l.replacingOccurrences(of: Fixture.id(k + 1), with: Fixture.id(k + 50)).replacingOccurrences(of: "09:00:", with: "09:05:")
        }
        // Only the burst while learning fired; the same after learning is its habit.
        #expect(Who.store(habit, learn: 120).rules?.alerts["RBAC Enumeration"]?.count == 1)
        #expect(Who.store(reviews("system:kube-controller-manager", 8)).rules?.alerts["RBAC Enumeration"] == nil)
        #expect(Who.store(reviews("kubernetes-admin", 8)).rules?.alerts["RBAC Enumeration"] == nil)
    }

    @Test func aTokenMintedByAnyoneButKubeletsAndTheControlPlaneFires() {
        func mint(_ user: String) -> EventStore {
            Who.store([Who.event(1, verb: "create", user: user, resource: "serviceaccounts", namespace: "kube-system", name: "default",
                                 subresource: "token", code: 201)])
        }
        #expect(mint("system:serviceaccount:web:frontend").rules?.alerts["Service Account Token Created"] != nil)
        #expect(mint("alice@example.com").rules?.alerts["Service Account Token Created"] != nil)
        #expect(mint("system:node:k8s-worker-01").rules?.alerts["Service Account Token Created"] == nil)
        #expect(mint("system:kube-controller-manager").rules?.alerts["Service Account Token Created"] == nil)
    }

    @Test func aCSRCreatedAndApprovedByOneIdentityFires() {
        func csr(creator: String, approver: String) -> EventStore {
            Who.store([
                Who.event(1, verb: "create", user: creator, resource: "certificatesigningrequests", namespace: nil, name: "csr-x1",
                          code: 201, apiGroup: "certificates.k8s.io"),
                Who.event(2, at: 5, verb: "update", user: approver, resource: "certificatesigningrequests", namespace: nil, name: "csr-x1",
                          subresource: "approval", apiGroup: "certificates.k8s.io"),
            ])
        }
        #expect(csr(creator: "temp-admin", approver: "temp-admin").rules?.alerts["CSR Created And Approved By One Identity"]?.severity == .high)
        #expect(csr(creator: "temp-admin", approver: "system:kube-controller-manager").rules?.alerts["CSR Created And Approved By One Identity"] == nil)
        #expect(csr(creator: "system:node:n1", approver: "system:node:n1").rules?.alerts["CSR Created And Approved By One Identity"] == nil)
        // Reading the approval is not approving.
        let read = Who.store([
            Who.event(1, verb: "create", user: "temp-admin", resource: "certificatesigningrequests", namespace: nil, name: "csr-x1",
                      code: 201, apiGroup: "certificates.k8s.io"),
            Who.event(2, at: 5, verb: "get", user: "temp-admin", resource: "certificatesigningrequests", namespace: nil, name: "csr-x1",
                      subresource: "approval", apiGroup: "certificates.k8s.io"),
        ])
        #expect(read.rules?.alerts["CSR Created And Approved By One Identity"] == nil)
    }

    @Test func aServiceAccountTokenUsedFromOutsideFires() {
        let sa = "system:serviceaccount:web:frontend"
        let rule = "Service Account Token Used From Outside"
        func use(ip: String, agent: String) -> Alert? {
            Who.store([Who.event(1, user: sa, resource: "configmaps", namespace: "web", ip: ip, agent: agent)]).rules?.alerts[rule]
        }
        #expect(use(ip: "203.0.113.45", agent: "frontend/1.0 (linux/amd64) kubernetes/abc")?.severity == .high)
        #expect(use(ip: "10.244.1.5", agent: "curl/8.5.0")?.examples.last?.note.contains("curl") == true)
        #expect(use(ip: "10.244.1.5", agent: "frontend/1.0 (linux/amd64) kubernetes/abc") == nil)
        // People from public addresses are not service-account tokens.
        #expect(Who.store([Who.event(1, ip: "203.0.113.45")]).rules?.alerts[rule] == nil)
        // After learning: an address outside every network nodes and pods used is outside.
        let learned = Who.store([
            Who.event(1, at: 0, user: "system:node:k8s-worker-01", ip: "10.0.1.11"),
            Who.event(2, at: 1, user: sa, resource: "configmaps", namespace: "web", ip: "10.244.1.5", agent: "frontend/1.0"),
            Who.event(3, at: 120, user: sa, resource: "configmaps", namespace: "web", ip: "192.168.77.5", agent: "frontend/1.0"),
        ], learn: 60)
        #expect(learned.rules?.alerts[rule]?.examples.last?.note.contains("outside the networks") == true)
    }

    @Test func aBoundTokenUsedFromAnotherNodesAddressFires() {
        let sa = "system:serviceaccount:web:frontend"
        func bound(_ line: String, node: String) -> String {
            line.replacingOccurrences(
                of: #""groups":["system:authenticated"]}"#,
                with: #""groups":["system:authenticated"],"extra":{"authentication.kubernetes.io/credential-id":["JTI=1"],"authentication.kubernetes.io/node-name":["\#(node)"]}}"#)
        }
        let learning = [
            Who.event(1, at: 0, user: "system:node:k8s-worker-01", ip: "10.0.1.11"),
            Who.event(2, at: 1, user: "system:node:k8s-worker-02", ip: "10.0.1.12"),
            bound(Who.event(3, at: 2, user: sa, resource: "configmaps", namespace: "web", ip: "10.244.1.5", agent: "frontend/1.0"), node: "k8s-worker-01"),
            bound(Who.event(4, at: 3, user: "system:serviceaccount:web:cart", resource: "configmaps", namespace: "web", ip: "10.244.2.7",
                            agent: "cart/1.0"), node: "k8s-worker-02"),
        ]
        let rule = "Service Account Token Used From Outside"
        // The token of a pod on worker-01, used from a pod address of worker-02: in the cluster, not its node.
        let moved = bound(Who.event(5, at: 120, user: sa, resource: "secrets", namespace: "web", ip: "10.244.2.9", agent: "frontend/1.0"),
                          node: "k8s-worker-01")
        let alert = Who.store(learning + [moved], learn: 60).rules?.alerts[rule]
        #expect(alert?.examples.last?.note.contains("not an address of k8s-worker-01") == true)
        let home = bound(Who.event(5, at: 120, user: sa, resource: "secrets", namespace: "web", ip: "10.244.1.8", agent: "frontend/1.0"),
                         node: "k8s-worker-01")
        #expect(Who.store(learning + [home], learn: 60).rules?.alerts[rule] == nil)
        // Without learning, nothing is known of the node's addresses.
        #expect(Who.store(learning + [moved]).rules?.alerts[rule] == nil)
    }

    @Test func aKnownIdentityFromANewNetworkFiresOnlyAfterLearning() {
        let lines = [
            Who.event(1, at: 0, ip: "10.0.0.1"),
            Who.event(2, at: 100, ip: "10.0.0.7"),
            Who.event(3, at: 110, ip: "192.168.50.5"),
            Who.event(4, at: 120, ip: "192.168.50.5"),
        ]
        let alert = Who.store(lines, learn: 60).rules?.alerts["Known Identity From A New Network"]
        #expect(alert?.count == 1)
        #expect(alert?.examples.last?.note.contains("192.168.50.0/24") == true)
        #expect(Who.store(lines).rules?.alerts["Known Identity From A New Network"] == nil)
    }

    /// `user` seen at 0 s, then listing secrets in `namespaces` 5 s apart from `second`.
    func secretReads(_ user: String, namespaces: [String], from second: Int = 100) -> [String] {
        [Who.event(99, at: 0, user: user, resource: "configmaps", namespace: "web")] + namespaces.enumerated().map { k, ns in
            Who.event(100 + k, at: second + k * 5, verb: "list", user: user, resource: "secrets", namespace: ns, name: nil)
        }
    }

    @Test func secretsReadAcrossNewNamespacesWithinAMinuteFire() {
        let sweep = secretReads("system:serviceaccount:web:frontend", namespaces: ["default", "web", "payments", "monitoring"])
        #expect(Who.store(sweep).rules?.alerts["Secrets Read Across New Namespaces"]?.severity == .high)
        #expect(Who.store(Array(sweep.prefix(4))).rules?.alerts["Secrets Read Across New Namespaces"] == nil)
        // An identity that just appeared (a deployer starting up) is not judged yet.
        let fresh = secretReads("system:serviceaccount:ci:deployer", namespaces: ["default", "web", "payments", "monitoring"], from: 10)
        #expect(Who.store(fresh).rules?.alerts["Secrets Read Across New Namespaces"] == nil)
        #expect(Who.store(secretReads("system:node:n1", namespaces: ["a", "b", "c", "d"])).rules?.alerts["Secrets Read Across New Namespaces"] == nil)
        // Namespaces the identity read secrets in before (one every 30 s: no sweep) are ordinary for it.
        let slow = ["a", "b", "c", "d"].enumerated().map { k, ns in
            Who.event(10 + k, at: k * 30, verb: "list", user: "argocd-bot", resource: "secrets", namespace: ns, name: nil)
        }
        let fast = Array(secretReads("argocd-bot", namespaces: ["a", "b", "c", "d"], from: 200).dropFirst())
        #expect(Who.store(slow + fast, learn: 150).rules?.alerts["Secrets Read Across New Namespaces"] == nil)
        #expect(Who.store(slow + fast).rules?.alerts["Secrets Read Across New Namespaces"] == nil)
        let others = Array(secretReads("argocd-bot", namespaces: ["e", "f", "g", "h"], from: 200).dropFirst())
        #expect(Who.store(slow + others, learn: 150).rules?.alerts["Secrets Read Across New Namespaces"] != nil)
    }

    @Test func steadyDenialsLearnedAsOrdinaryNoLongerBurst() {
        let user = "system:serviceaccount:monitoring:kube-state-metrics"
        let lines = (0..<40).map { Who.event($0 + 1, at: $0 * 5, verb: "list", user: user, resource: "leases", namespace: nil, name: nil, code: 403) }
        #expect(Who.store(lines).rules?.alerts["Denial Burst"] != nil)
        #expect(Who.store(lines, learn: 60).rules?.alerts["Denial Burst"] == nil)
    }

    @Test func learningNeverLaundersAnAttack() {
        // First seen inside the learning window, but it opened a shell: unknown all the same.
        let store = Who.store([
            Who.event(1, at: 0, user: "alice@example.com"),
            Who.event(2, at: 10, verb: "create", user: "mallory", subresource: "exec", code: 101),
            Who.event(3, at: 20, verb: "list", user: "kubernetes-admin", resource: "secrets", name: nil, impersonating: "temp-admin"),
        ], learn: 600)
        // Nor does a user seen only through impersonation become known by learning.
        #expect(Who.unknown(store) == ["mallory", "temp-admin"])
        #expect(store.rules?.baselines.profile(store.strings.lookup("mallory")!) == nil)
        #expect(store.rules?.baselines.profile(store.strings.lookup("alice@example.com")!) != nil)
    }
}

@Suite struct BaselineFileTests {
    @Test func aSavedBaselineLoadsIntoTheNextSessionAndJudgesFromItsFirstEvent() throws {
        let today = Who.store([Who.event(1, at: 0, ip: "10.0.0.1"), Who.event(2, at: 30, verb: "list", resource: "secrets", namespace: "web", name: nil)],
                              learn: 60)
        let file = try #require(today.rules?.baselines.file(today.strings))
        let alice = try #require(file.identities["alice@example.com"])
        #expect(alice.networks == ["10.0.0.0/24"])
        #expect(alice.clients == ["kubectl"])
        #expect(alice.namespaces == ["default", "web"])
        #expect(alice.actions == ["get pods", "list secrets"])
        let data = try JSONEncoder().encode(file)
        let loaded = try JSONDecoder().decode(BaselineFile.self, from: data)
        #expect(loaded == file)
        let tomorrow = Who.store([Who.event(3, at: 0, ip: "192.168.9.9")]) { $0.baseline = loaded }
        #expect(tomorrow.rules?.alerts["Known Identity From A New Network"]?.count == 1)
        let same = Who.store([Who.event(3, at: 0, ip: "10.0.0.42")]) { $0.baseline = loaded }
        #expect(same.rules?.alerts["Known Identity From A New Network"] == nil)
    }
}
