import AuditCore
import AuditSources
import AuditTestSupport
import Foundation
import Testing

/// One API request as the API server audits it (audit.k8s.io/v1), built field by field.
struct AuditedRequest: Sendable {
    var verb: String
    var resource: String
    var group = ""
    var subresource: String?
    var namespace: String? = "default"
    var name: String?
    var query = ""
    var user = "alice@example.com"
    var agent = "kubectl/v1.30.2 (linux/amd64) kubernetes/3968350"
    var code = 200
    var stage = "ResponseComplete"
    var body: String?
    var id = "5c7e4a10-8d2b-4c3e-9f1a-0b6d2e7f8a91"

    /// The event line: a 401 has no user and no authorizer's decision (authentication failed
    /// first); RequestReceived has neither a response nor a decision yet.
    var json: String {
        let version = "v1"
        var uri = group.isEmpty ? "/api/v1" : "/apis/\(group)/\(version)"
        if let namespace { uri += "/namespaces/\(namespace)" }
        uri += "/\(resource)" + (name.map { "/\($0)" } ?? "") + (subresource.map { "/\($0)" } ?? "") + query
        var ref = [#""resource":"\#(resource)""#]
        if let namespace { ref.append(#""namespace":"\#(namespace)""#) }
        if let name { ref.append(#""name":"\#(name)""#) }
        if !group.isEmpty { ref.append(#""apiGroup":"\#(group)""#) }
        ref.append(#""apiVersion":"\#(version)""#)
        if let subresource { ref.append(#""subresource":"\#(subresource)""#) }
        var fields = [
            #""kind":"Event","apiVersion":"audit.k8s.io/v1","level":"\#(body == nil ? "Metadata" : "Request")""#,
            #""auditID":"\#(id)","stage":"\#(stage)","requestURI":"\#(uri)","verb":"\#(verb)""#,
            code == 401 ? #""user":{}"# : #""user":{"username":"\#(user)","groups":["system:authenticated"]}"#,
            #""sourceIPs":["10.0.4.17"],"userAgent":"\#(agent)","objectRef":{\#(ref.joined(separator: ","))}"#,
        ]
        if stage != "RequestReceived" {
            let status = code < 400 ? "" : #""status":"Failure","reason":"\#(code == 401 ? "Unauthorized" : code == 403 ? "Forbidden" : "NotFound")","#
            fields.append(#""responseStatus":{"metadata":{},\#(status)"code":\#(code)}"#)
        }
        if let body { fields.append(#""requestObject":\#(body)"#) }
        fields.append(#""requestReceivedTimestamp":"2026-03-14T09:00:00.000000Z","stageTimestamp":"2026-03-14T09:00:00.004000Z""#)
        if stage != "RequestReceived", code != 401 {
            let decision = code == 403 ? "forbid" : "allow"
            fields.append(#""annotations":{"authorization.k8s.io/decision":"\#(decision)","authorization.k8s.io/reason":""}"#)
        }
        return "{" + fields.joined(separator: ",") + "}"
    }

    /// A pod's body: its volumes and containers as JSON arrays.
    static func pod(volumes: String = "[]", containers: String = #"[{"name":"web","image":"nginx:1.27"}]"#, extra: String = "") -> String {
        #"{"kind":"Pod","apiVersion":"v1","metadata":{"name":"web-1"},"spec":{"volumes":\#(volumes),"containers":\#(containers)\#(extra)}}"#
    }
}

/// One SigmaHQ rule, what it says of itself, and requests it should and should not catch.
struct SigmaCase: Sendable, CustomTestStringConvertible {
    var file: String
    var title: String
    var level: String
    var severity: Severity
    var id: String
    var tags: [String]
    var positives: [AuditedRequest]
    var negatives: [AuditedRequest]
    var testDescription: String { file }
}

/// SigmaHQ's Kubernetes audit rules, unmodified, on requests their authors meant to catch
/// and on near misses.
@Suite(.needsCorpus) struct SigmaRulesTests {
    static let folder = "SigmaHQ__sigma/rules/application/kubernetes/audit"
    static func path(_ file: String) -> String { CorpusLocation.root.appendingPathComponent("\(folder)/\(file)").path }

    /// The alerts after a fresh store reads `lines`.
    static func alerts(_ lines: [String], _ rules: RuleSet) -> [String: Alert] {
        var c = StoreConfiguration()
        c.rules = rules
        let store = EventStore(configuration: c)
        store.ingest(text: lines.map { $0 + "\n" }.joined())
        return store.rules?.alerts ?? [:]
    }

    typealias R = AuditedRequest
    static let writes = ["create", "delete", "patch", "replace", "update"]
    static let hostRoot = #"[{"name":"host","hostPath":{"path":"/","type":"Directory"}}]"#
    static let exec = "?command=%2Fbin%2Fbash&container=web&stdin=true&stdout=true&tty=true"

    static let cases: [SigmaCase] = [
        SigmaCase(
            file: "kubernetes_audit_change_admission_controller.yml", title: "Kubernetes Admission Controller Modification",
            level: "medium", severity: .medium, id: "eed82177-38f5-4299-8a76-098d50d225ab",
            tags: ["attack.privilege-escalation", "attack.initial-access", "attack.persistence", "attack.stealth", "attack.t1078",
                   "attack.credential-access", "attack.t1552", "attack.t1552.007"],
            positives: [R(verb: "create", resource: "validatingwebhookconfigurations", group: "admissionregistration.k8s.io", namespace: nil),
                        R(verb: "patch", resource: "mutatingwebhookconfigurations", group: "admissionregistration.k8s.io", namespace: nil, name: "istio-sidecar-injector")],
            negatives: [R(verb: "list", resource: "validatingwebhookconfigurations", group: "admissionregistration.k8s.io", namespace: nil),
                        R(verb: "create", resource: "validatingadmissionpolicies", group: "admissionregistration.k8s.io", namespace: nil)]),
        SigmaCase(
            file: "kubernetes_audit_cronjob_modification.yml", title: "Kubernetes CronJob/Job Modification",
            level: "medium", severity: .medium, id: "0c9b3bda-41a6-4442-9345-356ae86343dc",
            tags: ["attack.persistence", "attack.privilege-escalation", "attack.execution"],
            positives: [R(verb: "create", resource: "cronjobs", group: "batch"), R(verb: "delete", resource: "jobs", group: "batch", name: "backup-28512")],
            negatives: [R(verb: "get", resource: "cronjobs", group: "batch", name: "backup"), R(verb: "create", resource: "deployments", group: "apps")]),
        SigmaCase(
            file: "kubernetes_audit_deployment_deleted.yml", title: "Deployment Deleted From Kubernetes Cluster",
            level: "low", severity: .low, id: "40967487-139b-4811-81d9-c9767a92aa5a", tags: ["attack.t1498", "attack.impact"],
            positives: [R(verb: "delete", resource: "deployments", group: "apps", name: "checkout")],
            negatives: [R(verb: "patch", resource: "deployments", group: "apps", name: "checkout"),
                        R(verb: "delete", resource: "replicasets", group: "apps", name: "checkout-7d9f")]),
        SigmaCase(
            file: "kubernetes_audit_events_deleted.yml", title: "Kubernetes Events Deleted",
            level: "medium", severity: .medium, id: "3132570d-cab2-4561-9ea6-1743644b2290", tags: ["attack.stealth", "attack.t1070"],
            positives: [R(verb: "delete", resource: "events", name: "web-1.17c8a3b2"), R(verb: "delete", resource: "events", group: "events.k8s.io")],
            negatives: [R(verb: "create", resource: "events", user: "system:node:ip-10-0-1-11"), R(verb: "delete", resource: "endpoints", name: "web")]),
        SigmaCase(
            file: "kubernetes_audit_exec_into_container.yml", title: "Potential Remote Command Execution In Pod Container",
            level: "medium", severity: .medium, id: "a1b0ca4e-7835-413e-8471-3ff2b8a66be6", tags: ["attack.t1609", "attack.execution"],
            positives: [R(verb: "create", resource: "pods", subresource: "exec", name: "web-1", query: exec, code: 101)],
            negatives: [R(verb: "get", resource: "pods", subresource: "log", name: "web-1"), R(verb: "create", resource: "pods", code: 201)]),
        SigmaCase(
            file: "kubernetes_audit_hostpath_mount.yml", title: "Container With A hostPath Mount Created",
            level: "low", severity: .low, id: "402b955c-8fe0-4a8c-b635-622b4ac5f902", tags: ["attack.t1611", "attack.privilege-escalation"],
            positives: [R(verb: "create", resource: "pods", code: 201, body: R.pod(volumes: hostRoot)),
                        R(verb: "create", resource: "pods", code: 201, body: R.pod(volumes: #"[{"name":"cfg","configMap":{"name":"web"}},{"name":"docker","hostPath":{"path":"/var/run/docker.sock"}}]"#))],
            negatives: [R(verb: "create", resource: "pods", code: 201, body: R.pod(volumes: #"[{"name":"tmp","emptyDir":{}}]"#)),
                        R(verb: "update", resource: "pods", name: "web-1", body: R.pod(volumes: hostRoot)),
                        R(verb: "create", resource: "pods", code: 201)]),
        SigmaCase(
            file: "kubernetes_audit_pod_in_system_namespace.yml", title: "Creation Of Pod In System Namespace",
            level: "medium", severity: .medium, id: "a80d927d-ac6e-443f-a867-e8d6e3897318", tags: ["attack.stealth", "attack.t1036.005"],
            positives: [R(verb: "create", resource: "pods", namespace: "kube-system", code: 201)],
            negatives: [R(verb: "create", resource: "pods", namespace: "default", code: 201), R(verb: "delete", resource: "pods", namespace: "kube-system", name: "kube-proxy-bv61v")]),
        SigmaCase(
            file: "kubernetes_audit_potential_enumeration_activity.yml", title: "Kubernetes Potential Enumeration Activity",
            level: "medium", severity: .medium, id: "597a7e84-187d-458b-9e4f-2f5a0e676711",
            tags: ["attack.execution", "attack.discovery", "attack.t1609", "attack.t1613"],
            // kubectl escapes the command as %2F; the rule writes %2f: Sigma matches without case.
            positives: [R(verb: "create", resource: "pods", subresource: "exec", name: "web-1", query: exec, code: 101),
                        R(verb: "list", resource: "secrets", namespace: nil, agent: "trufflehog/3.63.2")],
            negatives: [R(verb: "create", resource: "pods", subresource: "exec", name: "web-1", query: exec, code: 403),
                        R(verb: "create", resource: "pods", subresource: "exec", name: "web-1", query: "?command=ls&container=web&stdout=true", code: 101),
                        R(verb: "list", resource: "secrets", namespace: nil, agent: "trufflehog/3.63.2", code: 403)]),
        SigmaCase(
            file: "kubernetes_audit_privileged_pod_creation.yml", title: "Privileged Container Deployed",
            level: "low", severity: .low, id: "c5cd1b20-36bb-488d-8c05-486be3d0cb97", tags: ["attack.t1611", "attack.privilege-escalation"],
            positives: [R(verb: "create", resource: "pods", code: 201, body: R.pod(containers: #"[{"name":"web","image":"nginx","securityContext":{"capabilities":{"add":["SYS_ADMIN"]}}}]"#)),
                        R(verb: "create", resource: "pods", code: 201, body: R.pod(extra: #","initContainers":[{"name":"net","image":"busybox","securityContext":{"capabilities":{"add":["NET_ADMIN"]}}}]"#))],
            negatives: [R(verb: "create", resource: "pods", code: 201, body: R.pod(containers: #"[{"name":"web","image":"nginx","securityContext":{"capabilities":{"drop":["ALL"]}}}]"#)),
                        R(verb: "patch", resource: "pods", name: "web-1", body: R.pod(containers: #"[{"name":"web","securityContext":{"capabilities":{"add":["SYS_ADMIN"]}}}]"#))]),
        SigmaCase(
            file: "kubernetes_audit_rbac_permisions_listing.yml", title: "RBAC Permission Enumeration Attempt",
            level: "low", severity: .low, id: "84b777bd-c946-4d17-aa2e-c39f5a454325", tags: ["attack.t1069.003", "attack.t1087.004", "attack.discovery"],
            positives: [R(verb: "create", resource: "selfsubjectrulesreviews", group: "authorization.k8s.io", namespace: nil, code: 201)],
            negatives: [R(verb: "create", resource: "selfsubjectaccessreviews", group: "authorization.k8s.io", namespace: nil, code: 201),
                        R(verb: "create", resource: "selfsubjectrulesreviews", group: "authentication.k8s.io", namespace: nil, code: 201)]),
        SigmaCase(
            file: "kubernetes_audit_rolebinding_modification.yml", title: "Kubernetes Rolebinding Modification",
            level: "medium", severity: .medium, id: "10b97915-ec8d-455f-a815-9a78926585f6", tags: ["attack.privilege-escalation"],
            positives: [R(verb: "create", resource: "clusterrolebindings", group: "rbac.authorization.k8s.io", namespace: nil, code: 201),
                        R(verb: "update", resource: "rolebindings", group: "rbac.authorization.k8s.io", name: "edit")],
            negatives: [R(verb: "get", resource: "rolebindings", group: "rbac.authorization.k8s.io", name: "edit"),
                        R(verb: "create", resource: "clusterroles", group: "rbac.authorization.k8s.io", namespace: nil, code: 201)]),
        SigmaCase(
            file: "kubernetes_audit_secrets_enumeration.yml", title: "Kubernetes Secrets Enumeration",
            level: "low", severity: .low, id: "eeb3e9e1-b685-44e4-9232-6bb701f925b5", tags: ["attack.t1552.007", "attack.credential-access"],
            positives: [R(verb: "list", resource: "secrets", namespace: nil), R(verb: "list", resource: "secrets", namespace: "prod")],
            negatives: [R(verb: "get", resource: "secrets", name: "db-password"), R(verb: "list", resource: "configmaps")]),
        SigmaCase(
            file: "kubernetes_audit_secrets_modified_or_deleted.yml", title: "Kubernetes Secrets Modified or Deleted",
            level: "medium", severity: .medium, id: "58d31a75-a4f8-4c40-985b-373d58162ca2", tags: ["attack.credential-access"],
            positives: writes.map { R(verb: $0, resource: "secrets", name: "db-password") },
            negatives: [R(verb: "get", resource: "secrets", name: "db-password"), R(verb: "patch", resource: "configmaps", name: "db-config")]),
        SigmaCase(
            file: "kubernetes_audit_serviceaccount_creation.yml", title: "New Kubernetes Service Account Created",
            level: "low", severity: .low, id: "e31bae15-83ed-473e-bf31-faf4f8a17d36", tags: ["attack.persistence", "attack.t1136"],
            positives: [R(verb: "create", resource: "serviceaccounts", code: 201)],
            negatives: [R(verb: "delete", resource: "serviceaccounts", name: "deployer"), R(verb: "create", resource: "secrets", code: 201)]),
        SigmaCase(
            file: "kubernetes_audit_sidecar_injection.yml", title: "Potential Sidecar Injection Into Running Deployment",
            level: "medium", severity: .medium, id: "ad9012a6-e518-4432-9890-f3b82b8fc71f", tags: ["attack.t1609", "attack.execution"],
            positives: [R(verb: "patch", resource: "deployments", group: "apps", name: "checkout")],
            negatives: [R(verb: "get", resource: "deployments", group: "apps", name: "checkout"),
                        R(verb: "patch", resource: "daemonsets", group: "apps", name: "fluentd")]),
        SigmaCase(
            file: "kubernetes_audit_unauthorized_unauthenticated_actions.yml", title: "Kubernetes Unauthorized or Unauthenticated Access",
            level: "low", severity: .low, id: "0d933542-1f1f-420d-97d4-21b2c3c492d9", tags: ["attack.privilege-escalation"],
            positives: [R(verb: "get", resource: "secrets", name: "db-password", user: "system:serviceaccount:default:web", code: 403),
                        R(verb: "list", resource: "secrets", agent: "curl/8.5.0", code: 401, stage: "ResponseStarted")],
            negatives: [R(verb: "get", resource: "secrets", name: "gone", code: 404), R(verb: "get", resource: "secrets", name: "db-password")]),
    ]

    @Test(arguments: cases) func ruleFiresOnWhatItsAuthorMeantAndNotOnANearMiss(_ c: SigmaCase) throws {
        let path = Self.path(c.file)
        let loaded = try RuleFiles.load([path], into: .none)
        #expect(loaded.rules.data.map(\.name) == [c.title])
        #expect(loaded.notes.isEmpty)
        for (k, request) in c.positives.enumerated() {
            let alert = try #require(Self.alerts([request.json], loaded.rules)[c.title], "positive \(k + 1) did not fire")
            #expect(alert.count == 1)
            #expect(alert.severity == c.severity)
            #expect(alert.priority == c.level)
            #expect(alert.id == c.id)
            #expect(alert.tags == c.tags)
            #expect(alert.origin.hasPrefix(path + ":"))
        }
        for (k, request) in c.negatives.enumerated() {
            #expect(Self.alerts([request.json], loaded.rules).isEmpty, "negative \(k + 1) fired")
        }
    }

    @Test func everyRuleFileIsCovered() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: CorpusLocation.root.appendingPathComponent(Self.folder).path)
        #expect(Set(files.filter { $0.hasSuffix(".yml") }) == Set(Self.cases.map(\.file)))
    }

    @Test func theWholeFolderLoadsAsSixteenRules() throws {
        let loaded = try RuleFiles.load([CorpusLocation.root.appendingPathComponent(Self.folder).path], into: .none)
        #expect(loaded.rules.data.count == 16)
        #expect(Set(loaded.rules.data.map(\.name)) == Set(Self.cases.map(\.title)))
        #expect(loaded.rules.data.allSatisfy { $0.format == .sigma && $0.enabled })
        #expect(loaded.files.count == 16 && loaded.files.allSatisfy { $0.format == "sigma" && $0.rules == 1 })
        #expect(loaded.notes.isEmpty)
        // Loaded together, a secret written with trufflehog fires the rules that each catch part of it.
        let line = R(verb: "delete", resource: "secrets", name: "db-password", agent: "trufflehog/3.63.2").json
        #expect(Set(Self.alerts([line], loaded.rules).keys) == ["Kubernetes Secrets Modified or Deleted", "Kubernetes Potential Enumeration Activity"])
    }

    @Test func aRuleForAnotherProductIsSkippedWithANote() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("sigma-windows-\(UUID().uuidString).yml")
        defer { try? FileManager.default.removeItem(at: file) }
        try """
        title: Suspicious Whoami
        id: 8f1c2c5e-5a4b-4c55-9d1e-6b3b8f0f6a11
        logsource:
            product: windows
            category: process_creation
        detection:
            selection:
                Image|endswith: '\\whoami.exe'
            condition: selection
        level: high
        """.write(to: file, atomically: true, encoding: .utf8)
        let loaded = try RuleFiles.load([file.path, Self.path("kubernetes_audit_secrets_enumeration.yml")], into: .none)
        #expect(loaded.rules.data.map(\.name) == ["Kubernetes Secrets Enumeration"])
        #expect(loaded.notes.count == 1)
        let note = try #require(loaded.notes.first)
        #expect(note.contains(file.path) && note.contains("Suspicious Whoami") && note.contains("windows") && note.contains("skipped"))
    }

    /// audittop counts matching requests, not events: both stages of one request match.
    @Test func bothStagesOfOneRequestFireOnce() throws {
        let rules = try RuleFiles.load([Self.path("kubernetes_audit_secrets_modified_or_deleted.yml")], into: .none).rules
        let received = R(verb: "patch", resource: "secrets", name: "db-password", stage: "RequestReceived").json
        let complete = R(verb: "patch", resource: "secrets", name: "db-password").json
        let alert = try #require(Self.alerts([received, complete], rules)["Kubernetes Secrets Modified or Deleted"])
        #expect(alert.count == 1)
        #expect(alert.examples.count == 1)
        var other = R(verb: "patch", resource: "secrets", name: "db-password")
        other.id = "5c7e4a10-8d2b-4c3e-9f1a-0b6d2e7f8a92"
        #expect(Self.alerts([received, complete, other.json], rules)["Kubernetes Secrets Modified or Deleted"]?.count == 2)
    }

    /// Sigma's plain values match without regard to case.
    @Test func plainValuesMatchWithoutCase() throws {
        let rules = try RuleFiles.load([Self.path("kubernetes_audit_pod_in_system_namespace.yml")], into: .none).rules
        #expect(!Self.alerts([R(verb: "create", resource: "pods", namespace: "Kube-System", code: 201).json], rules).isEmpty)
        #expect(Self.alerts([R(verb: "create", resource: "pods", namespace: "kube-public", code: 201).json], rules).isEmpty)
    }

    /// The verb and resource too: the condition matches them without case, but the engine's
    /// verb/resource prefilter (`PreparedRule`, from `Condition.required`) compares interned
    /// lowercased values with the event's verbatim ones and skips the rule.
    @Test
    func verbAndResourceMatchWithoutCase() throws {
        let rules = try RuleFiles.load([Self.path("kubernetes_audit_pod_in_system_namespace.yml")], into: .none).rules
        #expect(!Self.alerts([R(verb: "CREATE", resource: "pods", namespace: "kube-system", code: 201).json], rules).isEmpty)
        #expect(!Self.alerts([R(verb: "create", resource: "Pods", namespace: "kube-system", code: 201).json], rules).isEmpty)
    }
}
