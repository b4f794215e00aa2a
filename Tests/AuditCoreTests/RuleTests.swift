import AuditTestSupport
import AuditCore
import Foundation
import Testing

/// The rules each Falco trace file was recorded to trigger (Falco's k8s_audit tests), with
/// `minikube-user`, the traces' cluster admin, on the known-users list. Every named user of
/// the traces is in `system:masters`, a platform identity, so New Unknown User fires on none
/// (`create_kube_system_secret.json` and `some-user_creates_namespace_foo.json` are negatives).
@Suite struct FalcoTraceRuleTests {
    static var traces: URL { CorpusLocation.root.appendingPathComponent("falcosecurity__falco/test/trace_files/k8s_audit") }

    static let expected: [String: Set<String>] = [
        // Anonymous clients have rules of their own; New Unknown User is for named identities.
        "anonymous_creates_namespace_foo.json": ["Anonymous Request Allowed"],
        "attach_cluster_admin_role.json": ["Attach to cluster-admin Role"],
        "attach_pod.json": ["Attach/Exec Pod"],
        "exec_pod.json": ["Attach/Exec Pod"],
        "create_cluster_role_pod_exec.json": ["ClusterRole With Pod Exec Created"],
        "create_cluster_role_wildcard_resources.json": ["ClusterRole With Wildcard Created"],
        "create_cluster_role_wildcard_verbs.json": ["ClusterRole With Wildcard Created"],
        "create_cluster_role_write_privileges.json": ["ClusterRole With Write Privileges Created"],
        "create_configmap_sensitive_values.json": ["Create/Modify Configmap With Private Credentials"],
        "create_nginx_pod_hostnetwork.json": ["Create HostNetwork Pod"],
        "create_nginx_pod_no_secctx_1st_container_privileged_2nd_container.json": ["Create Privileged Pod"],
        "create_nginx_pod_privileged.json": ["Create Privileged Pod"],
        "create_nginx_pod_privileged_2nd_container.json": ["Create Privileged Pod"],
        "create_nginx_pod_sensitive_mount.json": ["Create Sensitive Mount Pod"],
        "create_nginx_pod_sensitive_mount_2nd_container.json": ["Create Sensitive Mount Pod"],
        "create_nginx_service_nodeport.json": ["Create NodePort Service"],
        "create_pod_kube_public_namespace.json": ["Pod Created in Kube Namespace"],
        "create_pod_kube_system_namespace.json": ["Pod Created in Kube Namespace"],
        "create_serviceaccount_kube_public_namespace.json": ["K8s Serviceaccount Created in Kube Namespace"],
        "create_serviceaccount_kube_system_namespace.json": ["K8s Serviceaccount Created in Kube Namespace"],
        "delete_cluster_role_kube_aggregator.json": ["System ClusterRole Modified/Deleted"],
        "modify_cluster_role_node_problem_detector.json": ["System ClusterRole Modified/Deleted"],
    ]

    static var files: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: traces.path)) ?? []).filter { $0.hasSuffix(".json") }.sorted()
    }

    @Test(.needsCorpus) func everyTraceFileIsCovered() {
        #expect(FalcoTraceRuleTests.files.count == 47)
    }

    /// Files not listed fire nothing: the negatives (unprivileged pods, plain config maps,
    /// ordinary deletes) are as much a part of the test as the positives.
    @Test(.needsCorpus, arguments: FalcoTraceRuleTests.files)
    func eachTraceFiresWhatItWasRecordedFor(file: String) throws {
        let text = try String(contentsOf: FalcoTraceRuleTests.traces.appendingPathComponent(file), encoding: .utf8)
        let store = Fixture.store(text) { $0.knownUsers = KnownUsers(text: "minikube-user\n") }
        let fired = Set(store.rules?.alerts.keys.map { $0 } ?? [])
        #expect(fired == FalcoTraceRuleTests.expected[file] ?? [], "\(file)")
    }
}

@Suite struct BuiltinRuleTests {
    func fired(_ lines: [String], configure: (inout StoreConfiguration) -> Void = { _ in }) -> [String: Alert] {
        let store = Fixture.store(lines.joined(separator: "\n") + "\n") { c in
            c.knownUsers = KnownUsers(text: "*@example.com\n")
            configure(&c)
        }
        return store.rules?.alerts ?? [:]
    }

    func event(_ n: Int, verb: String = "get", user: String = "alice@example.com", resource: String? = "pods",
               namespace: String? = "default", name: String? = "web-1", code: Int = 200, subresource: String? = nil,
               uri: String? = nil, second: Int = 0, stage: String = "ResponseComplete", apiGroup: String? = nil) -> String {
        let t = String(format: "2026-03-14T09:%02d:%02d.000000Z", second / 60, second % 60)
        return Fixture.event(id: Fixture.id(n), stage: stage, verb: verb, user: user, resource: resource, namespace: namespace,
                             name: name, code: code, decision: code == 403 ? "forbid" : "allow", received: t, stageTime: t,
                             subresource: subresource, uri: uri, apiGroup: apiGroup)
    }

    @Test func secretsReadByAPersonButNotByServiceAccountsNodesOrWhenDenied() {
        let alerts = fired([
            event(1, verb: "get", resource: "secrets", name: "db-password"),
            event(2, verb: "get", user: "system:serviceaccount:argocd:argocd-server", resource: "secrets"),
            event(3, verb: "list", user: "system:node:ip-10-0-1-11", resource: "secrets", name: nil),
            event(4, verb: "get", user: "bob@example.com", resource: "secrets", code: 403),
        ])
        #expect(alerts["Secret Read By Non-Service Identity"]?.count == 1)
        #expect(alerts["Secret Read By Non-Service Identity"]?.examples.first?.user == "alice@example.com")
    }

    @Test func secretsListedAcrossAllNamespaces() {
        let alerts = fired([
            event(1, verb: "list", user: "system:serviceaccount:monitoring:kube-state-metrics", resource: "secrets", namespace: nil,
                  name: nil),
            event(2, verb: "list", user: "system:serviceaccount:monitoring:x", resource: "secrets", name: nil),
        ])
        #expect(alerts["Secrets Listed In All Namespaces"]?.count == 1)
    }

    @Test func podSubresources() {
        let alerts = fired([
            event(1, verb: "create", subresource: "portforward"),
            event(2, verb: "patch", subresource: "ephemeralcontainers"),
            event(3, verb: "get", subresource: "log"),
            event(4, verb: "create", code: 403, subresource: "exec"),
        ])
        #expect(alerts["Port-Forward Into Pod"]?.count == 1)
        #expect(alerts["EphemeralContainers Created"]?.count == 1)
        #expect(alerts["Attach/Exec Pod"] == nil)
    }

    @Test func nodeProxyEventsDeletedAndAuditConfiguration() {
        let alerts = fired([
            event(1, verb: "get", resource: "nodes", namespace: nil, name: "ip-10-0-1-11", subresource: "proxy"),
            event(2, verb: "deletecollection", resource: "events", name: nil),
            event(3, verb: "delete", resource: "validatingwebhookconfigurations", namespace: nil, name: "gatekeeper",
                  apiGroup: "admissionregistration.k8s.io"),
            event(4, verb: "get", resource: "events", name: nil),
            event(5, verb: "get", resource: "nodes", namespace: nil, name: "ip-10-0-1-11"),
        ])
        #expect(alerts["Node Proxy Access"]?.count == 1)
        #expect(alerts["K8s Events Deleted"]?.count == 1)
        #expect(alerts["Audit-Relevant Configuration Deleted"]?.count == 1)
        #expect(alerts.count == 3)
    }

    @Test(.needsCorpus) func impersonationIsSeenOnlyWhenAllowed() throws {
        let text = try String(contentsOf: FilterViewTests.realEvents, encoding: .utf8)
        let impersonated = text.split(separator: "\n").filter { $0.contains("\"impersonatedUser\"") }
        #expect(!impersonated.isEmpty)
        let alerts = fired(impersonated.map(String.init))
        #expect(alerts["Impersonation"]?.count ?? 0 > 0)
        #expect(fired([event(1)])["Impersonation"] == nil)
    }

    @Test func aRequestFiresOnceWhateverItsStages() {
        let alerts = fired([
            event(1, verb: "create", code: 101, subresource: "exec", stage: "ResponseStarted"),
            event(1, verb: "create", code: 101, subresource: "exec", stage: "ResponseComplete"),
        ])
        #expect(alerts["Attach/Exec Pod"]?.count == 1)
    }

    @Test(.needsCorpus) func anExecIntoAPodCreatedPrivilegedEarlierIsCritical() throws {
        let traces = FalcoTraceRuleTests.traces
        let created = try String(contentsOf: traces.appendingPathComponent("create_nginx_pod_privileged.json"), encoding: .utf8)
        // The trace's pod has no name of its own (a ReplicaSet's generateName); name it and exec into it.
        let pod = created.replacingOccurrences(of: #""metadata":{"generateName""#, with: #""metadata":{"name":"nginx-x1","generateName""#)
        #expect(pod != created)
        let exec = event(9, verb: "create", name: "nginx-x1", subresource: "exec")
        let alerts = fired([pod.trimmingCharacters(in: .whitespacesAndNewlines), exec])
        #expect(alerts["Create Privileged Pod"]?.count == 1)
        #expect(alerts["Attach/Exec Pod"]?.count == 1)
        let critical = try #require(alerts["Attach/Exec Into Privileged Pod"])
        #expect(critical.severity == .critical)
        #expect(critical.examples.first?.note.contains("privileged") == true)
        // An exec into another pod is only the plain rule.
        let other = fired([pod.trimmingCharacters(in: .whitespacesAndNewlines), event(9, verb: "create", name: "web-2", subresource: "exec")])
        #expect(other["Attach/Exec Into Privileged Pod"] == nil)
    }

    /// A pod create at level Request, with `spec` as given.
    func podCreate(_ n: Int, spec: String, namespace: String = "default", name: String = "debug") -> String {
        let base = event(n, verb: "create", namespace: namespace, name: name, code: 201)
        return String(base.dropLast()).replacingOccurrences(of: #""level":"Metadata""#, with: #""level":"Request""#)
            + #","requestObject":{"kind":"Pod","apiVersion":"v1","metadata":{"name":"\#(name)"},"spec":\#(spec)}}"#
    }

    @Test func hostNamespacesFromGeneratedPods() {
        let alerts = fired([
            podCreate(1, spec: #"{"hostPID":true,"containers":[{"name":"a","image":"busybox"}]}"#),
            podCreate(2, spec: #"{"hostIPC":true,"containers":[{"name":"a","image":"busybox"}]}"#),
            podCreate(3, spec: #"{"hostPID":false,"hostIPC":false,"hostNetwork":false,"containers":[{"name":"a","image":"busybox"}]}"#),
            podCreate(4, spec: #"{"volumes":[{"name":"sock","hostPath":{"path":"/var/run/docker.sock"}}],"containers":[{"name":"a","image":"busybox"}]}"#),
            podCreate(5, spec: #"{"volumes":[{"name":"data","hostPath":{"path":"/data/cache"}}],"containers":[{"name":"a","image":"busybox"}]}"#),
            podCreate(6, spec: #"{"containers":[{"name":"a","image":"registry.k8s.io/pause:3.9"}]}"#, namespace: "kube-system"),
        ])
        #expect(alerts["Create HostPid Pod"]?.count == 1)
        #expect(alerts["Create HostIPC Pod"]?.count == 1)
        #expect(alerts["Create HostNetwork Pod"] == nil)
        #expect(alerts["Create Sensitive Mount Pod"]?.count == 1)
        #expect(alerts["Create Sensitive Mount Pod"]?.examples.first?.note.contains("/var/run/docker.sock") == true)
        // A kube-system pod from the Kubernetes registry is not the kube namespace rule's business.
        #expect(alerts["Pod Created in Kube Namespace"] == nil)
    }

    @Test func aRoleBindingToClusterAdminToo() {
        let binding = String(event(1, verb: "create", resource: "rolebindings", namespace: "payments", name: "ops", code: 201,
                                   apiGroup: "rbac.authorization.k8s.io").dropLast())
            .replacingOccurrences(of: #""level":"Metadata""#, with: #""level":"RequestResponse""#)
        let admin = binding + #","requestObject":{"kind":"RoleBinding","roleRef":{"kind":"ClusterRole","name":"cluster-admin"},"subjects":[{"kind":"User","name":"eve"}]}}"#
        let view = binding.replacingOccurrences(of: Fixture.id(1), with: Fixture.id(2))
            + #","requestObject":{"kind":"RoleBinding","roleRef":{"kind":"ClusterRole","name":"view"},"subjects":[{"kind":"User","name":"eve"}]}}"#
        let alerts = fired([admin, view])
        #expect(alerts["Attach to cluster-admin Role"]?.count == 1)
        #expect(alerts["Attach to cluster-admin Role"]?.examples.first?.note == "binds cluster-admin to eve")
    }

    @Test func bodyRulesSayWhenThePolicyLoggedNoBody() {
        let store = Fixture.store(event(1, verb: "create", name: "x") + "\n") { $0.knownUsers = KnownUsers(text: "*@example.com\n") }
        #expect(store.rules?.notEvaluated["Create Privileged Pod"] == 1)
        #expect(store.rules?.alerts.isEmpty == true)
    }

    @Test func denialBurstIsTenInAMinuteByOneUser() {
        let nine = (0..<9).map { event($0, user: "mallory@example.org", code: 403, second: $0 * 5) }
        #expect(fired(nine)["Denial Burst"] == nil)
        let ten = (0..<10).map { event($0, user: "mallory@example.org", code: 403, second: $0 * 5) }
        #expect(fired(ten)["Denial Burst"]?.count == 1)
        let spread = (0..<10).map { event($0, user: "mallory@example.org", code: 403, second: $0 * 10) }
        #expect(fired(spread)["Denial Burst"] == nil)
        let twoUsers = (0..<10).map { event($0, user: $0 % 2 == 0 ? "a@example.org" : "b@example.org", code: 403, second: $0) }
        #expect(fired(twoUsers)["Denial Burst"] == nil)
        // A steady stream is one alert a window, not one every ten denials.
        let steady = (0..<120).map { event($0, user: "mallory@example.org", code: 403, second: $0) }
        #expect(fired(steady)["Denial Burst"]?.count == 2)
    }

    @Test func serverErrorBurst() {
        let errors = (0..<10).map { event($0, code: 503, second: $0) }
        #expect(fired(errors)["Server Error Burst"]?.count == 1)
        #expect(fired(Array(errors.prefix(9)))["Server Error Burst"] == nil)
    }

    @Test func anonymousHealthChecksAreNotAlerts() {
        let alerts = fired([
            event(1, user: "system:anonymous", resource: nil, namespace: nil, name: nil, uri: "/healthz"),
            event(2, user: "system:anonymous", resource: nil, namespace: nil, name: nil, uri: "/readyz"),
            event(3, user: "system:anonymous", resource: nil, namespace: nil, name: nil, code: 403, uri: "/api"),
        ])
        #expect(alerts["Anonymous Request Allowed"] == nil)
        // /version and the OIDC discovery documents are probes too; the API's own paths are not.
        #expect(fired([event(4, user: "system:anonymous", resource: nil, namespace: nil, name: nil, uri: "/version")])["Anonymous Request Allowed"] == nil)
        #expect(fired([event(5, user: "system:anonymous", resource: nil, namespace: nil, name: nil, uri: "/apis")])["Anonymous Request Allowed"]?.count == 1)
    }

    @Test func disabledRulesAndNoRules() {
        let exec = [event(1, verb: "create", subresource: "exec")]
        #expect(fired(exec) { $0.rules.disabled = ["Attach/Exec Pod"] }["Attach/Exec Pod"] == nil)
        #expect(fired(exec) { $0.rules = .none }.isEmpty)
    }

    @Test func customRulesFireOncePerRequestOrOnAThreshold() throws {
        let rule = CustomRule(name: "Deletes", severity: .high, filter: try Filter.parse("verb=delete ns=prod-*"))
        let burst = CustomRule(name: "Scraping", severity: .medium, filter: try Filter.parse("resource=configmaps"), threshold: 3,
                               window: 10_000_000, groupBy: .user)
        let lines = [
            event(1, verb: "delete", namespace: "prod-eu"), event(2, verb: "delete", namespace: "dev"),
            event(3, resource: "configmaps", second: 0), event(4, resource: "configmaps", second: 1),
            event(5, user: "bob@example.com", resource: "configmaps", second: 2), event(6, resource: "configmaps", second: 3),
        ]
        let alerts = fired(lines) { $0.rules.custom = [rule, burst] }
        #expect(alerts["Deletes"]?.count == 1)
        #expect(alerts["Deletes"]?.severity == .high)
        let scraping = try #require(alerts["Scraping"])
        #expect(scraping.count == 1)
        #expect(scraping.examples.first?.note.contains("3 matching requests by user alice@example.com") == true)
    }

    @Test func alertFilterSelectsTheEventsARuleFiredOn() throws {
        let store = Fixture.store([event(1, verb: "create", subresource: "exec"), event(2), event(3, verb: "create", subresource: "attach")]
            .joined(separator: "\n") + "\n")
        store.setFilter(try Filter.parse("alert=\"Attach/Exec Pod\""))
        #expect(store.view?.count(in: store.ring) == 2)
    }
}
