import AuditCore
import AuditSources
import AuditTestSupport
import Foundation
import Testing

/// Falco's own k8s_audit ruleset, unmodified, on the trace files Falco's tests fed it.
@Suite(.needsCorpus) struct FalcoRulesTests {
    static let ruleset = "falcosecurity__plugins/plugins/k8saudit/rules/k8s_audit_rules.yaml"
    static let traces = "falcosecurity__falco/test/trace_files/k8s_audit"

    /// Which rules fire per trace event, worked out by hand from the ruleset and the
    /// plugin's field semantics (not from audittop's output). Files of several events list
    /// one entry per line.
    static let expected: [String: [Set<String>]] = {
        let ns: Set<String> = ["Create Disallowed Namespace", "K8s Namespace Created"]
        let credentials: Set<String> = ["Create/Modify Configmap With Private Credentials", "K8s ConfigMap Created"]
        return [
            "anonymous_creates_namespace_foo": [ns.union(["Anonymous Request Allowed"])],
            "attach_cluster_admin_role": [["Attach to cluster-admin Role", "K8s ClusterRoleBinding Created"]],
            "attach_pod": [["Attach/Exec Pod"]],
            "create_cluster_role_pod_exec": [["ClusterRole With Pod Exec Created", "K8s ClusterRole Created"]],
            "create_cluster_role_wildcard_resources": [["ClusterRole With Wildcard Created", "K8s ClusterRole Created"]],
            "create_cluster_role_wildcard_verbs": [["ClusterRole With Wildcard Created", "K8s ClusterRole Created"]],
            "create_cluster_role_write_privileges": [["ClusterRole With Write Privileges Created", "K8s ClusterRole Created"]],
            "create_clusterrole": [["K8s ClusterRole Created"]],
            "create_clusterrolebinding": [["K8s ClusterRoleBinding Created"]],
            "create_configmap": [["K8s ConfigMap Created"]],
            "create_configmap_no_sensitive_values": [["K8s ConfigMap Created"]],
            "create_configmap_sensitive_values": Array(repeating: credentials, count: 6),
            "create_deployment": [["K8s Deployment Created"]],
            "create_kube_system_secret": [[]],
            "create_nginx_pod_hostnetwork": [["Create HostNetwork Pod"]],
            "create_nginx_pod_no_secctx_1st_container_privileged_2nd_container": [["Create Privileged Pod"]],
            "create_nginx_pod_nohostnetwork": [[]],
            "create_nginx_pod_privileged": [["Create Privileged Pod"]],
            "create_nginx_pod_privileged_2nd_container": [["Create Privileged Pod"]],
            "create_nginx_pod_sensitive_mount": [["Create Sensitive Mount Pod"]],
            "create_nginx_pod_sensitive_mount_2nd_container": [["Create Sensitive Mount Pod"]],
            "create_nginx_pod_unprivileged": [[]],
            "create_nginx_pod_unsensitive_mount": [[]],
            "create_nginx_service_nodeport": [["Create NodePort Service", "K8s Service Created"]],
            "create_nginx_service_nonodeport": [["K8s Service Created"]],
            "create_pod_kube_public_namespace": [["Pod Created in Kube Namespace"]],
            "create_pod_kube_system_namespace": [["Pod Created in Kube Namespace"]],
            "create_secret": [["K8s Secret Created"]],
            "create_service": [["K8s Service Created"]],
            "create_service_account_token_secret": [[]],
            "create_serviceaccount": [["K8s Serviceaccount Created"]],
            "create_serviceaccount_kube_public_namespace": [["Service Account Created in Kube Namespace", "K8s Serviceaccount Created"]],
            "create_serviceaccount_kube_system_namespace": [["Service Account Created in Kube Namespace", "K8s Serviceaccount Created"]],
            "delete_cluster_role_kube_aggregator": [["System ClusterRole Modified/Deleted", "K8s ClusterRole Deleted"]],
            "delete_clusterrole": [["K8s ClusterRole Deleted"]],
            "delete_clusterrolebinding": [["K8s ClusterRoleBinding Deleted"]],
            "delete_configmap": [["K8s ConfigMap Deleted"]],
            "delete_deployment": [["K8s Deployment Deleted"]],
            "delete_namespace_foo": [["K8s Namespace Deleted"]],
            "delete_secret": [["K8s Secret Deleted"]],
            "delete_service": [["K8s Service Deleted"]],
            "delete_serviceaccount": [["K8s Serviceaccount Deleted"]],
            "exec_pod": [["Attach/Exec Pod"]],
            "fal_01_003": [[]],
            "minikube_creates_namespace_foo": [ns],
            "modify_cluster_role_node_problem_detector": [["System ClusterRole Modified/Deleted"]],
            "some-user_creates_namespace_foo": [ns.union(["Disallowed K8s User"])],
        ]
    }()

    static func path(_ relative: String) -> String { CorpusLocation.root.appendingPathComponent(relative).path }

    /// Falco's ruleset plus `local` (a user's overrides file), without the built-ins.
    static func rules(local: String? = nil) throws -> RuleSet {
        var start = RuleSet()
        start.builtins = false
        var paths = [path(ruleset)]
        if let local {
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("falco-local-\(UUID().uuidString).yaml")
            try local.write(to: file, atomically: true, encoding: .utf8)
            paths.append(file.path)
        }
        return try RuleFiles.load(paths, into: start).rules
    }

    /// The rules that fire on one event line.
    static func fired(_ line: String, _ rules: RuleSet) -> Set<String> {
        var c = StoreConfiguration()
        c.rules = rules
        let store = EventStore(configuration: c)
        store.ingest(text: line + "\n")
        return Set(store.rules?.alerts.keys.map { $0 } ?? [])
    }

    static func lines(_ trace: String) throws -> [String] {
        let text = try String(contentsOfFile: path("\(traces)/\(trace).json"), encoding: .utf8)
        return text.split(separator: "\n").map(String.init).filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
    }

    @Test func theWholeRulesetLoadsUnmodified() throws {
        let loaded = try RuleFiles.load([Self.path(Self.ruleset)], into: .none)
        #expect(loaded.rules.data.count == 48)
        #expect(loaded.rules.data.allSatisfy { $0.format == .falco && $0.origin.contains("k8s_audit_rules.yaml:") })
        #expect(loaded.notes.isEmpty)
    }

    @Test(arguments: expected.keys.sorted()) func eachTraceFiresExactlyWhatFalcoFires(_ trace: String) throws {
        let rules = try Self.rules()
        let lines = try Self.lines(trace)
        let want = Self.expected[trace]!
        #expect(lines.count == want.count, "\(trace): \(lines.count) events")
        for (k, line) in lines.enumerated() where k < want.count {
            #expect(Self.fired(line, rules) == want[k], "\(trace) line \(k + 1)")
        }
    }

    @Test func everyTraceFileIsCovered() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.path(Self.traces)).filter { $0.hasSuffix(".json") }
        #expect(Set(files.map { String($0.dropLast(5)) }) == Set(Self.expected.keys))
    }

    @Test func outputsRenderTheirFields() throws {
        var c = StoreConfiguration()
        c.rules = try Self.rules()
        let store = EventStore(configuration: c)
        store.ingest(text: try Self.lines("create_nginx_pod_privileged")[0] + "\n")
        let alert = try #require(store.rules?.alerts["Create Privileged Pod"])
        #expect(alert.priority == "WARNING")
        #expect(alert.severity == .medium)
        #expect(alert.tags == ["k8s"])
        let output = try #require(alert.examples.last?.output)
        #expect(output.hasPrefix("Pod started with privileged container (user=system:serviceaccount:kube-system:replicaset-controller pod=nginx-deployment-"))
        #expect(output.contains("ns=default images=(nginx)"))
        #expect(output.contains("init_images=<NA>"))
    }

    // MARK: local overrides, as Falco users write them

    @Test func appendingToAllowedUsersSilencesDisallowedUser() throws {
        let line = try Self.lines("some-user_creates_namespace_foo")[0]
        #expect(Self.fired(line, try Self.rules()).contains("Disallowed K8s User"))
        let local = """
        - list: allowed_k8s_users
          items: [some-user]
          append: true
        """
        #expect(!Self.fired(line, try Self.rules(local: local)).contains("Disallowed K8s User"))
        let override = """
        - list: allowed_k8s_users
          items: [some-user]
          override:
            items: append
        """
        #expect(!Self.fired(line, try Self.rules(local: override)).contains("Disallowed K8s User"))
    }

    @Test func appendingToAllowedNamespacesSilencesTheNamespaceRule() throws {
        let line = try Self.lines("minikube_creates_namespace_foo")[0]
        let local = """
        - list: allowed_namespaces
          items: [foo]
          append: true
        """
        #expect(Self.fired(line, try Self.rules(local: local)) == ["K8s Namespace Created"])
    }

    @Test func overridingAllowedContainersTurnsOnCreateDisallowedPod() throws {
        let local = """
        - macro: allowed_k8s_containers
          condition: (ka.req.pod.containers.image.repository in (nginx))
          override:
            condition: replace
        """
        let rules = try Self.rules(local: local)
        #expect(!Self.fired(try Self.lines("create_nginx_pod_unprivileged")[0], rules).contains("Create Disallowed Pod"))
        // Its second container runs mysql, which the list does not allow.
        #expect(Self.fired(try Self.lines("create_nginx_pod_privileged_2nd_container")[0], rules).contains("Create Disallowed Pod"))
    }

    @Test func overridingActivityEventsTurnsTheActivityRulesOff() throws {
        let line = try Self.lines("create_deployment")[0]
        #expect(Self.fired(line, try Self.rules()) == ["K8s Deployment Created"])
        let local = """
        - macro: consider_activity_events
          condition: (k8s_audit_never_true)
        """
        #expect(Self.fired(line, try Self.rules(local: local)).isEmpty)
    }

    @Test func trustedImagesSilenceThePodRules() throws {
        let local = """
        - list: k8s_audit_privileged_images
          items: [nginx]
          append: true
        - list: k8s_audit_sensitive_mount_images
          items: [nginx]
          append: true
        """
        let rules = try Self.rules(local: local)
        #expect(Self.fired(try Self.lines("create_nginx_pod_privileged")[0], rules).isEmpty)
        #expect(Self.fired(try Self.lines("create_nginx_pod_sensitive_mount")[0], rules).isEmpty)
        // `in` over a list field: every image must be trusted, and mysql is not.
        #expect(Self.fired(try Self.lines("create_nginx_pod_privileged_2nd_container")[0], rules) == ["Create Privileged Pod"])
    }

    @Test func exceptionsAndDisablingWorkAcrossFiles() throws {
        let local = """
        - rule: Create Disallowed Namespace
          exceptions:
            - name: known_creators
              fields: [ka.user.name, ka.target.name]
              comps: [=, in]
              values:
                - [minikube-user, [foo, bar]]
          override:
            exceptions: append
        - rule: K8s Namespace Created
          enabled: false
        """
        let rules = try Self.rules(local: local)
        #expect(Self.fired(try Self.lines("minikube_creates_namespace_foo")[0], rules).isEmpty)
        #expect(Self.fired(try Self.lines("some-user_creates_namespace_foo")[0], rules) == ["Create Disallowed Namespace", "Disallowed K8s User"])
    }

    /// The engine-version 2 style rules Falco's older test rules used: the first container
    /// only, and a host path prefix as the argument.
    @Test func olderFieldsStillWork() throws {
        let local = """
        - rule: Old Privileged
          condition: kevt and pod and kcreate and ka.req.container.privileged=true
          output: old privileged (image=%ka.req.container.image repo=%ka.req.container.image.repository)
          priority: WARNING
          source: k8s_audit
        - rule: Old Sensitive Mount
          condition: kevt and pod and kcreate and ka.req.volume.hostpath[/etc*]=true
          output: old mount %ka.req.pod.volumes.hostpath
          priority: WARNING
          source: k8s_audit
        - rule: Old Host Network
          condition: kevt and pod and kcreate and ka.req.container.host_network=true
          output: old hostnetwork
          priority: WARNING
          source: k8s_audit
        """
        let rules = try Self.rules(local: local)
        #expect(Self.fired(try Self.lines("create_nginx_pod_privileged")[0], rules).contains("Old Privileged"))
        // Privileged only in its second container: still "any container" for the old field.
        #expect(Self.fired(try Self.lines("create_nginx_pod_privileged_2nd_container")[0], rules).contains("Old Privileged"))
        #expect(!Self.fired(try Self.lines("create_nginx_pod_unprivileged")[0], rules).contains("Old Privileged"))
        #expect(Self.fired(try Self.lines("create_nginx_pod_sensitive_mount")[0], rules).contains("Old Sensitive Mount"))
        #expect(!Self.fired(try Self.lines("create_nginx_pod_unsensitive_mount")[0], rules).contains("Old Sensitive Mount"))
        #expect(Self.fired(try Self.lines("create_nginx_pod_hostnetwork")[0], rules).contains("Old Host Network"))
        #expect(!Self.fired(try Self.lines("create_nginx_pod_nohostnetwork")[0], rules).contains("Old Host Network"))
    }
}
