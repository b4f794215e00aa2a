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
    /// Per rule name (its examples made from `pending` first).
    public var alerts: [String: Alert] {
        settleExamples()
        return firing
    }
    /// Per rule name, as fired; the newest examples may still be in `pending`.
    var firing: [String: Alert] = [:]
    /// Per rule name: its latest firings whose examples are not made yet (most rules fire
    /// far more often than anyone reads their examples, so they are made when read).
    var pending: [String: [PendingExample]] = [:]
    let strings: StringInterner
    /// Firings in all; a new value means something fired.
    public private(set) var firings = 0
    /// Event times and severities of the latest firings of medium or higher (at most
    /// `severeFiringLimit`, oldest dropped first): the replay's timeline marks them.
    public private(set) var severeFirings: [(time: Int64, severity: Severity)] = []
    public static let severeFiringLimit = 4096
    /// The latest firing of high or critical severity: (firing number, rule).
    public private(set) var latestSevere: (firing: Int, rule: String)?
    /// Requests whose body a rule needed but the policy did not log, per rule name.
    public var notEvaluated: [String: Int] {
        var out: [String: Int] = [:]
        for (k, n) in noBodyCounts.enumerated() where n > 0 { out[preparedData[k].rule.name, default: 0] += n }
        return out
    }
    /// Per data rule: the requests counted in `notEvaluated`.
    private lazy var noBodyCounts = [Int](repeating: 0, count: preparedData.count)

    /// Per stateful detector (by raw value): turned on.
    private let on: [Bool]
    private let custom: [(rule: CustomRule, matcher: FilterMatcher)]
    /// Rules that are data (Falco, Sigma), prepared once.
    let preparedData: [PreparedRule]
    var dataIndex: DataRuleIndex
    /// Per data rule: its `gate`, and its matcher (held by `preparedData`), so the per-event
    /// loop reads two flat arrays.
    let dataGates: [UInt8]
    let dataEntryGates: [EntryGate?]
    let dataMatchers: [Unmanaged<ConditionMatcher>]
    /// Event strings' lowercased ids, for the Sigma rules (`lowercased`): direct-mapped by
    /// id, `id << 32 | lowercased id`.
    var foldCache = [UInt64](repeating: 0, count: RuleEngine.foldSlots)
    static let foldSlots = 4096
    var foldGeneration = 0
    var ids: Ids
    /// Per rule index (built-ins by raw value, then custom): auditIDs of the requests it fired
    /// on, bounded, for `alert=` filters and to fire once per request.
    private var matched: [Set<AuditID>]
    private var matchedOrder: [[AuditID]]
    private static let matchedLimit = 50_000
    private var customWindows: [[String: Burst]]
    let exampleLimit = 5
    /// Most keys (users, pods, groups) a burst or memory table holds; past it the table
    /// starts again empty.
    static let keyLimit = 10_000
    /// What is ordinary for each identity (learned, or loaded from `--baseline`).
    public let baselines = Baselines()
    /// Per user id: its kind, once decided.
    var kinds: [IdentityKind?] = []
    /// Kubelet identity → the id of its node's name (`system:node:NAME` → `NAME`).
    var nodeNames: [UInt32: UInt32] = [:]
    var denialBursts: DenialBurst
    var serverErrorBursts: ServerErrorBurst
    var unknownUsers = NewUnknownUser()
    var secretsEverywhere: SecretsListedEverywhere
    var execMemory: ExecIntoPrivileged
    var failedLogins = FailedAuthenticationBurst()
    var anonymousDenials = AnonymousDenied()
    var enumeration: RBACEnumeration
    var csrApprovals: CSRSelfApproval
    var secretsSweep: SecretsAcrossNamespaces
    var outsideUse = OutsideUse()
    /// Any of the identity rules is on (else their detectors are not run at all).
    let identityRulesOn: Bool
    /// The field reader, set to the event being looked at by the first rule that reads it.
    let fields = EventFields()

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
        self.strings = strings
        enumeration = RBACEnumeration(strings)
        csrApprovals = CSRSelfApproval(strings)
        secretsSweep = SecretsAcrossNamespaces(strings)
        denialBursts = DenialBurst(threshold: ruleSet.denialBurst, window: ruleSet.burstWindow)
        serverErrorBursts = ServerErrorBurst(threshold: ruleSet.serverErrorBurst, window: ruleSet.burstWindow)
        secretsEverywhere = SecretsListedEverywhere(strings)
        execMemory = ExecIntoPrivileged(strings)
        if let baseline { baselines.load(baseline, strings) }
        let enabled = ruleSet.builtins ? BuiltinRule.allCases.filter { !ruleSet.disabled.contains($0.name) } : []
        identityRulesOn = BuiltinRule.identityRules.contains { enabled.contains($0) }
        on = BuiltinRule.allCases.map { enabled.contains($0) }
        custom = ruleSet.custom.map { ($0, FilterMatcher($0.filter, reference: 0)) }
        // The built-in data rules, unless the rule files were loaded on top of them already.
        let builtinData = ruleSet.builtins && !ruleSet.builtinsInData ? BuiltinRules.rules : []
        preparedData = (builtinData + ruleSet.data).filter { $0.enabled && !($0.isBuiltin && ruleSet.disabled.contains($0.name)) }
            .map { PreparedRule($0, strings, textMatching: ruleSet.textMatching) }
        dataIndex = DataRuleIndex(preparedData)
        dataGates = preparedData.map(\.gate)
        dataEntryGates = preparedData.map(\.entryGate)
        dataMatchers = preparedData.map { Unmanaged.passUnretained($0.matcher) }
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
    /// `uri` is where `requestURI`'s text lies in `raw` (empty when the event has none), and
    /// `body` where `requestObject`'s value does (empty: none; nil: not known).
    func evaluate(_ e: RingEntry, id: AuditID, raw: UnsafeBufferPointer<UInt8>, uri: Span = .empty, body: Span? = nil, tokenNode: UInt32 = 0,
                  store: EventStore) {
        let time = e.received != 0 ? e.received : e.stageTime
        defer { fields.live = false }
        for (k, c) in custom.enumerated() where c.matcher.matches(e, in: store) {
            customRule(k, c.rule, e, id: id, time: time, store)
        }
        if !preparedData.isEmpty { dataRules(e, id: id, time: time, raw: raw, uri: uri, body: body, store) }
        // The detectors see each request once, at its deciding event (it carries the code and
        // the authorizer's decision).
        guard e.stage != .requestReceived, ruleSet.builtins else { return }
        let input = DetectorInput(
            entry: e, id: id, time: time, actor: e.actor, kind: identityKind(e.actor, store), tokenNode: tokenNode,
            denied: e.isDenied || e.code >= 400, learning: store.stats.unknown.isLearning(at: time), baselines: baselines,
            store: store, raw: raw, body: body, fields: fields)
        if isOn(.denialBurst) { report(denialBursts.look(at: input), input) }
        if isOn(.serverErrorBurst) { report(serverErrorBursts.look(at: input), input) }
        if isOn(.newUnknownUser) { report(unknownUsers.look(at: input), input) }
        if isOn(.secretsListedEverywhere) { report(secretsEverywhere.look(at: input), input) }
        if isOn(.execIntoPrivileged) { report(execMemory.look(at: input), input) }
        if identityRulesOn { identityRules(input) }
    }

    /// Fires what a detector found (a burst's requests are remembered for `alert=` filters).
    /// Inline: detectors find nothing for nearly every request, six calls per event.
    @inline(__always) func report(_ found: [Detection], _ i: DetectorInput) {
        guard !found.isEmpty else { return }
        for d in found {
            for r in d.requests { remember(d.rule, r) }
            fire(d.rule, i.entry, id: i.id, time: i.time, i.store, note: d.note, force: !d.requests.isEmpty)
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

    // MARK: rules in the filter language

    private func customRule(_ k: Int, _ rule: CustomRule, _ e: RingEntry, id: AuditID, time: Int64, _ store: EventStore) {
        let index = BuiltinRule.allCases.count + k
        guard let threshold = rule.threshold else {
            fire(index: index, name: rule.name, severity: rule.severity, description: rule.description, e, id: id, time: time, store,
                 note: nil)
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
             store, note: note, force: force)
    }

    /// Records a firing; a rule fires once per request unless `force` (bursts, whose requests
    /// were remembered already).
    func fire(
        index: Int, name: String, severity: Severity, description: String, _ e: RingEntry, id: AuditID, time: Int64,
        _ store: EventStore, note: String?, force: Bool = false, from rule: DataRule? = nil, output: String? = nil,
        deferred: DeferredOutput? = nil
    ) {
        if !force, matched[index].contains(id) { return }
        rememberIndex(index, id)
        firings += 1
        let number = firings
        func update(_ alert: inout Alert) {
            if let rule {
                alert.origin = rule.origin
                alert.priority = rule.isBuiltin ? nil : rule.priority
                alert.tags = rule.tags
                alert.id = rule.id
            }
            alert.count += 1
            if alert.first == 0 || (time != 0 && time < alert.first) { alert.first = time }
            alert.last = max(alert.last, time)
            alert.lastFiring = number
        }
        update(&firing[name, default: Alert(rule: name, severity: severity, description: description)])
        let limit = exampleLimit
        func keep(_ list: inout [PendingExample]) {
            list.append(PendingExample(entry: e, id: id, time: time, note: note, output: output, deferred: deferred))
            if list.count > limit { list.removeFirst() }
        }
        keep(&pending[name, default: []])
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
    func noBody(_ k: Int) { noBodyCounts[k] += 1 }

    /// Where the data rules' indices start (after the built-ins and the filter-language rules).
    var dataBase: Int { BuiltinRule.allCases.count + custom.count }

    // MARK: helpers

    private func resourceText(_ e: RingEntry, _ store: EventStore) -> String { Self.resourceText(e, store) }

    static func resourceText(_ e: RingEntry, _ store: EventStore) -> String { resourceText(e, store.strings) }

    static func resourceText(_ e: RingEntry, _ s: StringInterner) -> String {
        if e.resource == 0 { return TerminalText.sanitize(s.string(e.path)) }
        var out = s.string(e.resource)
        if e.subresource != 0 { out += "/" + s.string(e.subresource) }
        if e.name != 0 { out += " " + s.string(e.name) }
        return TerminalText.sanitize(out)
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
        // The pending examples' ids may be freed: their texts are made now.
        settleExamples()
        denialBursts.mark(&live)
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
        unknownUsers.prune(live)
        for i in kinds.indices where kinds[i] != nil && !live.contains(UInt32(i)) { kinds[i] = nil }
        nodeNames = nodeNames.filter { live.contains($0.key) && live.contains($0.value) }
        baselines.prune(live)
    }
}
