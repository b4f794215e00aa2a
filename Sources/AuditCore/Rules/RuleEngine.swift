import Foundation

/// One example event of an alert, as the report and the Alerts pane show it.
public struct AlertExample: Sendable, Codable, Equatable {
    public var time: String
    public var user: String
    public var verb: String
    public var resource: String
    public var namespace: String
    public var name: String
    public var auditID: String
    /// What the rule saw, e.g. `container nginx is privileged` or `12 denials in 60 s`.
    public var note: String
    /// The request's source IP: all that names an anonymous or unauthenticated client.
    public var sourceIP: String
    /// A Falco rule's output line, its fields rendered for this event.
    public var output: String?
}

/// What one rule has fired so far.
public struct Alert: Sendable {
    public var rule: String
    public var severity: Severity
    public var description: String
    /// Requests (or bursts) that fired it.
    public var count = 0
    /// Event times of the first and latest firing, microseconds.
    public var first: Int64 = 0
    public var last: Int64 = 0
    /// The newest examples, newest last.
    public var examples: [AlertExample] = []
    /// Bumped on each firing across all rules: orders the Alerts pane newest first.
    public var lastFiring = 0
    /// Where the rule comes from: `built-in`, or `FILE:LINE` of a rules file.
    public var origin = DataRule.builtinOrigin
    /// The rule's own severity word: a Falco priority (`WARNING`) or a Sigma level.
    public var priority: String?
    public var tags: [String] = []
    /// A Sigma rule's id.
    public var id: String?
}

/// Runs the detection rules over every ingested event and keeps what they fired.
///
/// Built-in rules look at each request once, at its first event past `RequestReceived`
/// (which carries the code and the authorizer's decision); rules that read the request body
/// parse the event's raw JSON only for the few requests they concern.
public final class RuleEngine {
    public let ruleSet: RuleSet
    /// Per rule name.
    public private(set) var alerts: [String: Alert] = [:]
    /// Firings in all; a new value means something fired.
    public private(set) var firings = 0
    /// Event times and severities of the latest firings of medium or higher (at most
    /// `severeFiringLimit`, oldest dropped first): the replay's timeline marks them.
    public private(set) var severeFirings: [(time: Int64, severity: Severity)] = []
    public static let severeFiringLimit = 4096
    /// The latest firing of high or critical severity: (firing number, rule).
    public private(set) var latestSevere: (firing: Int, rule: String)?
    /// Requests whose body a rule needed but the policy did not log, per rule name.
    public private(set) var notEvaluated: [String: Int] = [:]

    private let enabled: [BuiltinRule]
    /// Per built-in rule (by raw value): turned on.
    private let on: [Bool]
    private let custom: [(rule: CustomRule, matcher: FilterMatcher)]
    /// Rules that are data (Falco, Sigma), prepared once.
    let preparedData: [PreparedRule]
    var ids: Ids
    /// Per rule index (built-ins by raw value, then custom): auditIDs of the requests it fired
    /// on, bounded, for `alert=` filters and to fire once per request.
    private var matched: [Set<AuditID>]
    private var matchedOrder: [[AuditID]]
    private static let matchedLimit = 50_000
    /// Per user id: 0 not yet looked at, 1 not unknown, 2 announced as a new unknown user.
    private var userVerdicts: [UInt8] = []
    /// Pods seen created privileged or in a host namespace: "namespace/name" → what.
    private var riskyPods: [String: String] = [:]
    private var denials: [UInt32: Burst] = [:]
    private var serverErrors = Burst()
    private var customWindows: [[String: Burst]]
    private let exampleLimit = 5
    /// Most keys (users, pods, groups) a burst or memory table holds; past it the table
    /// starts again empty.
    static let keyLimit = 10_000
    /// What is ordinary for each identity (learned, or loaded from `--baseline`).
    public let baselines = Baselines()
    /// Per user id: its kind, once decided.
    var kinds: [IdentityKind?] = []
    /// Kubelet identity → the id of its node's name (`system:node:NAME` → `NAME`).
    var nodeNames: [UInt32: UInt32] = [:]
    var failedLogins = FailedAuthenticationBurst()
    var anonymousDenials = AnonymousDenied()
    var enumeration: RBACEnumeration
    var csrApprovals: CSRSelfApproval
    var secretsSweep: SecretsAcrossNamespaces
    var outsideUse = OutsideUse()
    /// Any of the identity rules is on (else their detectors are not run at all).
    let identityRulesOn: Bool

    /// Interned ids of the names the rules compare against.
    struct Ids {
        var pods, exec, attach, portforward, ephemeral, secrets, serviceaccounts, nodes, proxy, events: UInt32
        var clusterroles, roles, clusterrolebindings, rolebindings, configmaps, services: UInt32
        var create, update, patch, delete, deletecollection, get, list, watch: UInt32
        var kubeSystem, kubePublic, anonymous, token: UInt32
        /// Few enough to compare one by one (no hashing on the per-event path).
        var auditConfiguration: [UInt32]

        init(_ s: StringInterner) {
            pods = s.intern("pods"); exec = s.intern("exec"); attach = s.intern("attach")
            portforward = s.intern("portforward"); ephemeral = s.intern("ephemeralcontainers")
            secrets = s.intern("secrets"); serviceaccounts = s.intern("serviceaccounts"); nodes = s.intern("nodes")
            proxy = s.intern("proxy"); events = s.intern("events")
            clusterroles = s.intern("clusterroles"); roles = s.intern("roles")
            clusterrolebindings = s.intern("clusterrolebindings"); rolebindings = s.intern("rolebindings")
            configmaps = s.intern("configmaps"); services = s.intern("services")
            create = s.intern("create"); update = s.intern("update"); patch = s.intern("patch"); delete = s.intern("delete")
            deletecollection = s.intern("deletecollection"); get = s.intern("get"); list = s.intern("list"); watch = s.intern("watch")
            kubeSystem = s.intern("kube-system"); kubePublic = s.intern("kube-public"); anonymous = s.intern("system:anonymous")
            token = s.intern("token")
            auditConfiguration = [
                "validatingwebhookconfigurations", "mutatingwebhookconfigurations", "validatingadmissionpolicies",
                "validatingadmissionpolicybindings", "auditsinks",
            ].map { s.intern($0) }
        }
    }

    init(_ ruleSet: RuleSet, strings: StringInterner, baseline: BaselineFile? = nil) {
        self.ruleSet = ruleSet
        enumeration = RBACEnumeration(strings)
        csrApprovals = CSRSelfApproval(strings)
        secretsSweep = SecretsAcrossNamespaces(strings)
        if let baseline { baselines.load(baseline, strings) }
        enabled = ruleSet.builtins ? BuiltinRule.allCases.filter { !ruleSet.disabled.contains($0.name) } : []
        identityRulesOn = BuiltinRule.identityRules.contains { [enabled] in enabled.contains($0) }
        on = BuiltinRule.allCases.map { [enabled] rule in enabled.contains(rule) }
        custom = ruleSet.custom.map { ($0, FilterMatcher($0.filter, reference: 0)) }
        preparedData = ruleSet.data.filter(\.enabled).map { PreparedRule($0, strings) }
        ids = Ids(strings)
        let count = BuiltinRule.allCases.count + ruleSet.custom.count + preparedData.count
        matched = Array(repeating: [], count: count)
        matchedOrder = Array(repeating: [], count: count)
        customWindows = Array(repeating: [:], count: ruleSet.custom.count)
    }

    /// Every rule's name, in the order `fired(_:on:)` numbers them.
    public var ruleNames: [String] { BuiltinRule.allCases.map(\.name) + custom.map(\.rule.name) + preparedData.map(\.rule.name) }

    /// True when rule number `index` (see `ruleNames`) fired on the request `id`.
    public func fired(_ index: Int, on id: AuditID) -> Bool { matched[index].contains(id) }

    /// Names of the rules that fired on the request `id`.
    public func rules(firedOn id: AuditID) -> [String] {
        var out: [String] = []
        for (k, set) in matched.enumerated() where set.contains(id) {
            out.append(ruleNames[k])
        }
        return out
    }

    /// Alerts newest first.
    public var newestFirst: [Alert] { alerts.values.sorted { $0.lastFiring > $1.lastFiring } }

    /// Looks at one ingested event (`raw` is its JSON), after the store has counted it.
    /// `tokenNode` is the id of the node a bound service-account token names, or 0.
    func evaluate(_ e: RingEntry, id: AuditID, raw: UnsafeBufferPointer<UInt8>, tokenNode: UInt32 = 0, store: EventStore) {
        let time = e.received != 0 ? e.received : e.stageTime
        // Bursts count every request once, at its deciding event.
        if e.stage != .requestReceived {
            if e.isDenied, e.user != 0, isOn(.denialBurst), !isOrdinary(.denialBurst, e, time: time, store) {
                countDenial(e, id: id, time: time, store)
            }
            if e.code >= 500, isOn(.serverErrorBurst) { countServerError(e, id: id, time: time, store) }
        }
        // Judged at the deciding stage: RequestReceived is written before impersonation runs.
        if e.actor != 0, e.stage != .requestReceived, isOn(.newUnknownUser) {
            let u = Int(e.actor)
            if u >= userVerdicts.count { userVerdicts.append(contentsOf: repeatElement(0, count: u + 1 - userVerdicts.count + 256)) }
            // The store classified the user when it counted the request, before this runs.
            if userVerdicts[u] == 0 {
                let unknown = store.stats.unknown.isUnknown(e.actor)
                userVerdicts[u] = unknown ? 2 : 1
                if unknown {
                    fire(.newUnknownUser, e, id: id, time: time, store,
                         note: "first request: \(store.strings.string(e.verb)) \(resourceText(e, store))")
                }
            }
        }
        for (k, c) in custom.enumerated() where c.matcher.matches(e, in: store) {
            customRule(k, c.rule, e, id: id, time: time, store)
        }
        if !preparedData.isEmpty { dataRules(e, id: id, time: time, raw: raw, store) }
        guard e.stage != .requestReceived, !enabled.isEmpty else { return }
        var body = Body(raw: raw, level: e.level)
        let denied = e.isDenied || e.code >= 400
        if identityRulesOn { identityRules(e, id: id, time: time, denied: denied, tokenNode: tokenNode, store) }
        let verb = e.verb
        let writes = verb == ids.create || verb == ids.update || verb == ids.patch

        if e.user == ids.anonymous, !denied, !store.isAnonymousProbe(e) {
            fire(.anonymousAllowed, e, id: id, time: time, store, note: "\(store.strings.string(e.verb)) \(resourceText(e, store))")
        }
        if e.impersonatedUser != 0, !denied {
            fire(.impersonation, e, id: id, time: time, store, note: "as \(store.strings.string(e.impersonatedUser))")
        }
        switch e.resource {
        case ids.pods:
            podRules(e, id: id, time: time, store, &body, denied: denied)
        case ids.secrets where !denied:
            if verb == ids.get || verb == ids.list || verb == ids.watch, !isServiceIdentity(e.user, store) {
                fire(.secretReadByPerson, e, id: id, time: time, store, note: "\(store.strings.string(verb)) \(resourceText(e, store))")
            }
            if verb == ids.list || verb == ids.watch, e.namespace == 0, e.name == 0, !isControlPlane(e.user, store),
                !isOrdinary(.secretsListedEverywhere, e, time: time, store)
            {
                fire(.secretsListedEverywhere, e, id: id, time: time, store, note: "\(store.strings.string(verb)) secrets in every namespace")
            }
        case ids.serviceaccounts where !denied && verb == ids.create && e.subresource == 0:
            if e.namespace == ids.kubeSystem || e.namespace == ids.kubePublic, !isTrustedInKubeNamespaces(e.user, store) {
                fire(.kubeNamespaceServiceAccount, e, id: id, time: time, store, note: "in \(store.strings.string(e.namespace))")
            }
        case ids.nodes where e.subresource == ids.proxy && !denied:
            fire(.nodeProxy, e, id: id, time: time, store, note: "\(store.strings.string(verb)) \(FilterMatcher.uri(e, store.strings))")
        case ids.events where !denied && (verb == ids.delete || verb == ids.deletecollection):
            fire(.eventsDeleted, e, id: id, time: time, store, note: "\(store.strings.string(verb)) events\(inNamespace(e, store))")
        case ids.clusterrolebindings, ids.rolebindings:
            guard !denied, writes, isOn(.clusterAdminBinding) else { break }
            guard let object = body.object(for: .clusterAdminBinding, self) else { break }
            if let roleRef = object["roleRef"] as? [String: Any], roleRef["name"] as? String == "cluster-admin" {
                let subjects = (object["subjects"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
                fire(.clusterAdminBinding, e, id: id, time: time, store, note: "binds cluster-admin to \(subjects.joined(separator: ", "))")
            }
        case ids.clusterroles, ids.roles:
            guard !denied else { break }
            if e.name != 0, verb == ids.update || verb == ids.patch || verb == ids.delete, isOn(.systemClusterRoleModified) {
                let name = store.strings.string(e.name)
                if name.hasPrefix("system:"), name != "system:coredns", name != "system:managed-certificate-controller" {
                    fire(.systemClusterRoleModified, e, id: id, time: time, store, note: "\(store.strings.string(verb)) \(name)")
                }
            }
            if e.resource == ids.clusterroles, writes { clusterRoleRules(e, id: id, time: time, store, &body) }
        case ids.services where !denied && verb == ids.create && e.subresource == 0:
            guard isOn(.nodePortService), let object = body.object(for: .nodePortService, self) else { break }
            if (object["spec"] as? [String: Any])?["type"] as? String == "NodePort" {
                fire(.nodePortService, e, id: id, time: time, store, note: "service \(Self.objectName(object, e, store))")
            }
        case ids.configmaps where !denied && writes:
            guard isOn(.configMapCredentials), let object = body.object(for: .configMapCredentials, self) else { break }
            if let hit = Self.credentialHint(object["data"]) {
                fire(.configMapCredentials, e, id: id, time: time, store, note: "\(Self.objectName(object, e, store)) holds \(hit)")
            }
        default:
            if ids.auditConfiguration.contains(e.resource), !denied, verb == ids.delete || verb == ids.deletecollection {
                fire(.auditConfigurationDeleted, e, id: id, time: time, store, note: "\(store.strings.string(verb)) \(resourceText(e, store))")
            }
        }
    }

    // MARK: pods

    private func podRules(_ e: RingEntry, id: AuditID, time: Int64, _ store: EventStore, _ body: inout Body, denied: Bool) {
        guard !denied else { return }
        let verb = e.verb
        switch e.subresource {
        case ids.exec, ids.attach:
            guard verb == ids.create || verb == ids.get else { return }
            let pod = store.strings.string(e.namespace) + "/" + store.strings.string(e.name)
            let what = store.strings.string(e.subresource)
            fire(.execAttach, e, id: id, time: time, store, note: "\(what) into \(pod)")
            if let risk = riskyPods[pod] {
                fire(.execIntoPrivileged, e, id: id, time: time, store, note: "\(what) into \(pod), created \(risk)")
            }
        case ids.portforward:
            fire(.portForward, e, id: id, time: time, store, note: "into \(store.strings.string(e.namespace))/\(store.strings.string(e.name))")
        case ids.ephemeral:
            guard verb == ids.update || verb == ids.patch else { return }
            fire(.ephemeralContainers, e, id: id, time: time, store, note: "into \(store.strings.string(e.namespace))/\(store.strings.string(e.name))")
        case 0 where verb == ids.create:
            let kubeNamespace = e.namespace == ids.kubeSystem || e.namespace == ids.kubePublic
            let podRules: [BuiltinRule] = [.privilegedPod, .hostNetworkPod, .hostPIDPod, .hostIPCPod, .sensitiveMountPod, .kubeNamespacePod]
                .filter { $0 != .kubeNamespacePod || kubeNamespace }
            guard podRules.contains(where: isOn) else { return }
            guard let object = body.object(for: podRules.filter(isOn), self) else {
                // Without the body the images are unknown: judge by who created the pod.
                if kubeNamespace, !isTrustedInKubeNamespaces(e.user, store) {
                    fire(.kubeNamespacePod, e, id: id, time: time, store, note: "in \(store.strings.string(e.namespace))")
                }
                return
            }
            let spec = object["spec"] as? [String: Any] ?? [:]
            let name = Self.objectName(object, e, store)
            let pod = store.strings.string(e.namespace) + "/" + name
            var risks: [String] = []
            let containers = (spec["containers"] as? [[String: Any]] ?? []) + (spec["initContainers"] as? [[String: Any]] ?? [])
            // Like Falco: a pod in a kube namespace whose images are not from the Kubernetes
            // project's or the usual cloud/CNI registries.
            let untrusted = containers.compactMap { $0["image"] as? String }.filter { !Self.isTrustedImage($0) }
            if kubeNamespace, !untrusted.isEmpty {
                fire(.kubeNamespacePod, e, id: id, time: time, store,
                     note: "\(pod) in \(store.strings.string(e.namespace)) runs \(untrusted.joined(separator: ", "))")
            }
            let privileged = containers.filter { ($0["securityContext"] as? [String: Any])?["privileged"] as? Bool == true }
            if !privileged.isEmpty, isOn(.privilegedPod) {
                let names = privileged.compactMap { $0["name"] as? String }.joined(separator: ", ")
                fire(.privilegedPod, e, id: id, time: time, store, note: "\(pod): privileged container \(names)")
                risks.append("privileged")
            }
            for (key, rule) in [("hostNetwork", BuiltinRule.hostNetworkPod), ("hostPID", .hostPIDPod), ("hostIPC", .hostIPCPod)]
            where spec[key] as? Bool == true && isOn(rule) {
                fire(rule, e, id: id, time: time, store, note: "\(pod): \(key)")
                risks.append(key)
            }
            let mounts = (spec["volumes"] as? [[String: Any]] ?? []).compactMap { ($0["hostPath"] as? [String: Any])?["path"] as? String }
                .filter(Self.isSensitiveHostPath)
            if !mounts.isEmpty, isOn(.sensitiveMountPod) {
                fire(.sensitiveMountPod, e, id: id, time: time, store, note: "\(pod): mounts \(mounts.joined(separator: ", "))")
                risks.append("mounting " + mounts.joined(separator: ", "))
            }
            if !risks.isEmpty, !name.isEmpty {
                if riskyPods.count >= RuleEngine.keyLimit { riskyPods.removeAll() }
                riskyPods[pod] = risks.joined(separator: ", ")
            }
        default: return
        }
    }

    /// Images from the Kubernetes project's and the usual cloud and CNI registries.
    static func isTrustedImage(_ image: String) -> Bool {
        [
            "registry.k8s.io/", "k8s.gcr.io/", "gcr.io/google-containers/", "gcr.io/google_containers/", "gke.gcr.io/",
            "mcr.microsoft.com/oss/kubernetes", "public.ecr.aws/eks/", "quay.io/cilium/", "quay.io/calico/", "docker.io/calico/",
            "calico/", "quay.io/coreos/", "ghcr.io/flannel-io/", "docker.io/flannel/",
        ].contains { image.hasPrefix($0) } || image.contains(".dkr.ecr.") && image.contains("/eks/")
    }

    /// Host paths Falco's `sensitive_mount` treats as sensitive.
    static func isSensitiveHostPath(_ path: String) -> Bool {
        var p = path
        while p.count > 1, p.hasSuffix("/") { p.removeLast() }
        return [
            "/", "/proc", "/etc", "/root", "/var/run/docker.sock", "/var/run/crio/crio.sock", "/run/containerd/containerd.sock",
            "/var/run/containerd/containerd.sock", "/home/admin", "/var/lib/kubelet", "/var/lib/kubelet/pki", "/etc/kubernetes",
            "/etc/kubernetes/manifests",
        ].contains(p)
    }

    // MARK: RBAC

    private func clusterRoleRules(_ e: RingEntry, id: AuditID, time: Int64, _ store: EventStore, _ body: inout Body) {
        let rules: [BuiltinRule] = [.wildcardClusterRole, .writeClusterRole, .podExecClusterRole].filter(isOn)
        guard !rules.isEmpty, let object = body.object(for: rules, self) else { return }
        let name = Self.objectName(object, e, store)
        let grants = object["rules"] as? [[String: Any]] ?? []
        let resources = Set(grants.flatMap { $0["resources"] as? [String] ?? [] })
        let verbs = Set(grants.flatMap { $0["verbs"] as? [String] ?? [] })
        if resources.contains("*") || verbs.contains("*"), isOn(.wildcardClusterRole) {
            let what = [resources.contains("*") ? "resources *" : nil, verbs.contains("*") ? "verbs *" : nil].compactMap { $0 }
            fire(.wildcardClusterRole, e, id: id, time: time, store, note: "\(name) grants \(what.joined(separator: " and "))")
        }
        let writeVerbs = verbs.intersection(["create", "update", "patch", "delete", "deletecollection"])
        if e.verb == ids.create, !writeVerbs.isEmpty, isOn(.writeClusterRole) {
            fire(.writeClusterRole, e, id: id, time: time, store, note: "\(name) grants \(writeVerbs.sorted().joined(separator: ", "))")
        }
        if e.verb == ids.create, resources.contains("pods/exec"), isOn(.podExecClusterRole) {
            fire(.podExecClusterRole, e, id: id, time: time, store, note: "\(name) grants pods/exec")
        }
    }

    // MARK: bursts and custom rules

    private func countDenial(_ e: RingEntry, id: AuditID, time: Int64, _ store: EventStore) {
        if denials.count >= RuleEngine.keyLimit, denials[e.user] == nil { denials.removeAll() }
        guard let burst = denials[e.user, default: Burst()].add(time, id, threshold: ruleSet.denialBurst, window: ruleSet.burstWindow)
        else { return }
        for w in burst { remember(.denialBurst, w) }
        fire(.denialBurst, e, id: id, time: time, store,
             note: "\(burst.count) denials of \(store.strings.string(e.user)) within \(ruleSet.burstWindow / 1_000_000) s")
    }

    private func countServerError(_ e: RingEntry, id: AuditID, time: Int64, _ store: EventStore) {
        guard let burst = serverErrors.add(time, id, threshold: ruleSet.serverErrorBurst, window: ruleSet.burstWindow) else { return }
        for w in burst { remember(.serverErrorBurst, w) }
        fire(.serverErrorBurst, e, id: id, time: time, store, note: "\(burst.count) answers of 5xx within \(ruleSet.burstWindow / 1_000_000) s")
    }

    private func customRule(_ k: Int, _ rule: CustomRule, _ e: RingEntry, id: AuditID, time: Int64, _ store: EventStore) {
        let index = BuiltinRule.allCases.count + k
        guard let threshold = rule.threshold else {
            fire(index: index, name: rule.name, severity: rule.severity, description: rule.description, e, id: id, time: time, store,
                 note: "\(store.strings.string(e.verb)) \(resourceText(e, store))")
            return
        }
        // Each request counts once.
        guard !matched[index].contains(id) else { return }
        let group = rule.groupBy.map { CustomRuleGroup.key($0, e, store) } ?? ""
        if customWindows[k].count >= RuleEngine.keyLimit, customWindows[k][group] == nil { customWindows[k].removeAll() }
        guard let burst = customWindows[k][group, default: Burst()].add(time, id, threshold: threshold, window: rule.window)
        else { return }
        for w in burst { rememberIndex(index, w) }
        let per = rule.groupBy.map { " by \($0.rawValue) \(group)" } ?? ""
        fire(index: index, name: rule.name, severity: rule.severity, description: rule.description, e, id: id, time: time, store,
             note: "\(burst.count) matching requests\(per) within \(rule.window / 1_000_000) s", force: true)
    }

    /// Requests of one group within a sliding window of event time. When `threshold` of them
    /// fall within one window, `add` returns them and the group stays quiet for a window (a
    /// steady stream is one alert a window, not one every `threshold` requests).
    struct Burst {
        private var recent: [(time: Int64, id: AuditID)] = []
        private var quietUntil = Int64.min

        mutating func add(_ time: Int64, _ id: AuditID, threshold: Int, window: Int64) -> [AuditID]? {
            guard time >= quietUntil, !recent.contains(where: { $0.id == id }) else { return nil }
            recent.append((time, id))
            recent.removeAll { $0.time <= time - window }
            guard recent.count >= threshold else { return nil }
            defer {
                recent.removeAll()
                quietUntil = time + window
            }
            return recent.map(\.id)
        }
    }

    // MARK: firing

    private func isOn(_ rule: BuiltinRule) -> Bool { on[rule.rawValue] }

    func fire(_ rule: BuiltinRule, _ e: RingEntry, id: AuditID, time: Int64, _ store: EventStore, note: String, force: Bool = false) {
        guard isOn(rule) else { return }
        fire(index: rule.rawValue, name: rule.name, severity: rule.severity, description: rule.description, e, id: id, time: time,
             store, note: note, force: force || rule == .denialBurst || rule == .serverErrorBurst || rule == .newUnknownUser)
    }

    /// Records a firing; a rule fires once per request unless `force` (bursts, whose requests
    /// were remembered already).
    func fire(
        index: Int, name: String, severity: Severity, description: String, _ e: RingEntry, id: AuditID, time: Int64,
        _ store: EventStore, note: String, force: Bool = false, from rule: DataRule? = nil, output: String? = nil
    ) {
        if !force, matched[index].contains(id) { return }
        rememberIndex(index, id)
        firings += 1
        var alert = alerts[name] ?? Alert(rule: name, severity: severity, description: description)
        if let rule {
            alert.origin = rule.origin
            alert.priority = rule.priority
            alert.tags = rule.tags
            alert.id = rule.id
        }
        alert.count += 1
        if alert.first == 0 || (time != 0 && time < alert.first) { alert.first = time }
        alert.last = max(alert.last, time)
        alert.lastFiring = firings
        let s = store.strings
        alert.examples.append(AlertExample(
            time: time == 0 ? "" : Timestamp.format(time), user: TerminalText.sanitize(store.actorName(e)), verb: s.string(e.verb),
            resource: resourceText(e, store), namespace: s.string(e.namespace), name: TerminalText.sanitize(s.string(e.name)),
            auditID: id.uuidString, note: TerminalText.sanitize(note), sourceIP: TerminalText.sanitize(s.string(e.sourceIP)),
            output: output.map(TerminalText.sanitize)))
        if alert.examples.count > exampleLimit { alert.examples.removeFirst() }
        alerts[name] = alert
        if severity >= .high, e.actor != 0, store.stats.unknown.isLearning(at: time) {
            baselines.suspect(e.actor)
            store.suspect(e.actor, at: time)
        }
        if severity >= .high { latestSevere = (firings, name) }
        if severity >= .medium, time != 0 {
            if severeFirings.count >= RuleEngine.severeFiringLimit { severeFirings.removeFirst(RuleEngine.severeFiringLimit / 4) }
            severeFirings.append((time, severity))
        }
    }

    func remember(_ rule: BuiltinRule, _ id: AuditID) { rememberIndex(rule.rawValue, id) }

    func alreadyFired(_ index: Int, _ id: AuditID) -> Bool { matched[index].contains(id) }

    private func rememberIndex(_ index: Int, _ id: AuditID) {
        guard matched[index].insert(id).inserted else { return }
        matchedOrder[index].append(id)
        if matchedOrder[index].count > RuleEngine.matchedLimit {
            let drop = matchedOrder[index].count / 2
            for old in matchedOrder[index].prefix(drop) { matched[index].remove(old) }
            matchedOrder[index].removeFirst(drop)
        }
    }

    /// Counts a request a body-reading rule could not look into.
    fileprivate func noBody(_ rules: [BuiltinRule]) {
        for r in rules { notEvaluated[r.name, default: 0] += 1 }
    }

    func noBody(_ name: String) { notEvaluated[name, default: 0] += 1 }

    /// Where the data rules' indices start (after the built-ins and the filter-language rules).
    var dataBase: Int { BuiltinRule.allCases.count + custom.count }

    // MARK: helpers

    private func resourceText(_ e: RingEntry, _ store: EventStore) -> String { Self.resourceText(e, store) }

    static func resourceText(_ e: RingEntry, _ store: EventStore) -> String {
        let s = store.strings
        if e.resource == 0 { return s.string(e.path) }
        var out = s.string(e.resource)
        if e.subresource != 0 { out += "/" + s.string(e.subresource) }
        if e.name != 0 { out += " " + s.string(e.name) }
        return TerminalText.sanitize(out)
    }

    private func inNamespace(_ e: RingEntry, _ store: EventStore) -> String {
        e.namespace == 0 ? "" : " in " + store.strings.string(e.namespace)
    }

    /// Service accounts, nodes and the control plane's own identities (`IdentityKind`).
    private func isServiceIdentity(_ user: UInt32, _ store: EventStore) -> Bool {
        switch identityKind(user, store) {
        case .serviceAccount, .node, .controlPlane: true
        default: false
        }
    }

    private func isControlPlane(_ user: UInt32, _ store: EventStore) -> Bool { identityKind(user, store) == .controlPlane }

    /// Falco's trusted identities for kube-system and kube-public: the control plane, nodes
    /// and kube-system's service accounts.
    private func isTrustedInKubeNamespaces(_ user: UInt32, _ store: EventStore) -> Bool {
        switch identityKind(user, store) {
        case .controlPlane, .node: true
        case .serviceAccount: store.strings.string(user).hasPrefix("system:serviceaccount:kube-system:")
        default: false
        }
    }

    static func objectName(_ object: [String: Any], _ e: RingEntry, _ store: EventStore) -> String {
        let metadata = object["metadata"] as? [String: Any]
        if let name = metadata?["name"] as? String, !name.isEmpty { return TerminalText.sanitize(name) }
        if e.name != 0 { return TerminalText.sanitize(store.strings.string(e.name)) }
        if let prefix = metadata?["generateName"] as? String { return TerminalText.sanitize(prefix) + "…" }
        return ""
    }

    /// What in a ConfigMap's data looks like a credential (Falco's list), or nil.
    static func credentialHint(_ data: Any?) -> String? {
        guard let data = data as? [String: Any] else { return nil }
        let words = ["aws_access_key_id", "aws-access-key-id", "aws_s3_access_key_id", "aws-s3-access-key-id", "password", "passphrase"]
        for (key, value) in data {
            let text = (key + " " + ((value as? String) ?? "")).lowercased()
            if let w = words.first(where: { text.contains($0) }) { return "\(w) (key \(TerminalText.sanitize(key)))" }
        }
        return nil
    }

    /// An event's request body, parsed at most once and only when a rule asks.
    struct Body {
        let raw: UnsafeBufferPointer<UInt8>
        let level: Level
        private var parsed: [String: Any]??

        init(raw: UnsafeBufferPointer<UInt8>, level: Level) {
            self.raw = raw
            self.level = level
        }

        mutating func object(for rule: BuiltinRule, _ engine: RuleEngine) -> [String: Any]? { object(for: [rule], engine) }

        /// Where the top-level `requestObject` value lies in `raw`, if it is an object.
        static func requestObject(in raw: UnsafeBufferPointer<UInt8>) -> Range<Int>? {
            guard let base = raw.baseAddress else { return nil }
            var c = JSONCursor(base: base, end: raw.count, maxDepth: 256)
            var found: Range<Int>?
            c.skipWhitespace()
            try? c.forEachMember(depth: 0) { (c: inout JSONCursor, key: Span) throws(MalformedKind) in
                let isBody = found == nil && c.equals(key, "requestObject")
                let start = c.i
                try c.skipValue(depth: 1)
                if isBody, base[start] == UInt8(ascii: "{") { found = start..<c.i }
            }
            return found
        }

        /// `requestObject`, or nil (counted as not evaluated for `rules` when the policy
        /// logged no body).
        mutating func object(for rules: [BuiltinRule], _ engine: RuleEngine) -> [String: Any]? {
            if parsed == nil {
                // Only `requestObject` is parsed into values: found with the decoder's cursor,
                // it spares Foundation the rest of the event (a response body is often bigger).
                let span = Body.requestObject(in: raw)
                parsed = .some(span.flatMap { s in
                    try? JSONSerialization.jsonObject(with: Data(UnsafeBufferPointer(rebasing: raw[s]))) as? [String: Any]
                })
            }
            if let object = parsed!, !object.isEmpty { return object }
            if level != .request && level != .requestResponse { engine.noBody(rules) }
            return nil
        }
    }
}

/// The group a threshold rule counts in, from its `groupBy` field.
enum CustomRuleGroup {
    static func key(_ field: Filter.Field, _ e: RingEntry, _ store: EventStore) -> String {
        let s = store.strings
        switch field {
        case .user: return s.string(e.user)
        case .verb: return s.string(e.verb)
        case .resource: return s.string(e.resource == 0 ? e.path : e.resource)
        case .subresource: return s.string(e.subresource)
        case .ns: return s.string(e.namespace)
        case .name: return s.string(e.name)
        case .ip: return s.string(e.sourceIP)
        case .agent: return s.string(e.userAgent)
        case .impersonated: return s.string(e.impersonatedUser)
        case .group: return s.string(e.groups)
        case .code: return String(e.code)
        case .uri: return FilterMatcher.uri(e, s)
        case .decision: return e.decision.name
        case .level: return e.level.name
        case .stage: return e.stage.name
        case .source: return Int(e.source) < store.sourceNames.count ? store.sourceNames[Int(e.source)] : ""
        case .latency, .time, .alert: return ""
        }
    }
}

extension RuleEngine {
    /// Marks every interned id the rules' tables refer to (`StringInterner.reclaim`).
    func mark(_ live: inout LiveStrings) {
        live.mark(all: denials.keys)
        baselines.mark(&live)
        failedLogins.mark(&live)
        anonymousDenials.mark(&live)
        enumeration.mark(&live)
        csrApprovals.mark(&live)
        secretsSweep.mark(&live)
        outsideUse.mark(&live)
    }

    /// Drops what was decided for ids a reclaim freed: they may now name someone else.
    func prune(_ live: LiveStrings) {
        for i in userVerdicts.indices where userVerdicts[i] != 0 && !live.contains(UInt32(i)) { userVerdicts[i] = 0 }
        for i in kinds.indices where kinds[i] != nil && !live.contains(UInt32(i)) { kinds[i] = nil }
        nodeNames = nodeNames.filter { live.contains($0.key) && live.contains($0.value) }
        baselines.prune(live)
    }
}
