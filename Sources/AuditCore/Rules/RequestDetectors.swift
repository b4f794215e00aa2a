/// One user denied `threshold` requests within the window, unless its baseline says denials
/// are ordinary for it (or the learning window is open).
struct DenialBurst: StatefulDetector {
    var threshold: Int
    var window: Int64
    private var bursts: [UInt32: RuleEngine.Burst] = [:]

    init(threshold: Int, window: Int64) {
        self.threshold = threshold
        self.window = window
    }

    func mark(_ live: inout LiveStrings) { live.mark(all: bursts.keys) }

    mutating func look(at i: DetectorInput) -> [Detection] {
        let e = i.entry
        guard e.isDenied, e.user != 0, !i.learning, (i.baselines.profile(e.actor)?.denied ?? 0) == 0 else { return [] }
        if bursts.count >= Self.keyLimit, bursts[e.user] == nil { bursts.removeAll() }
        guard let burst = bursts[e.user, default: RuleEngine.Burst()].add(i.time, i.id, threshold: threshold, window: window) else { return [] }
        return [Detection(rule: .denialBurst,
                         note: "\(burst.count) denials of \(i.store.strings.string(e.user)) within \(window / 1_000_000) s", requests: burst)]
    }
}

/// `threshold` answers of 500 or above within the window, from anyone.
struct ServerErrorBurst: StatefulDetector {
    var threshold: Int
    var window: Int64
    private var burst = RuleEngine.Burst()

    init(threshold: Int, window: Int64) {
        self.threshold = threshold
        self.window = window
    }

    func mark(_ live: inout LiveStrings) {}

    mutating func look(at i: DetectorInput) -> [Detection] {
        guard i.entry.code >= 500, let found = burst.add(i.time, i.id, threshold: threshold, window: window) else { return [] }
        return [Detection(rule: .serverErrorBurst, note: "\(found.count) answers of 5xx within \(window / 1_000_000) s", requests: found)]
    }
}

/// The first request of a user the known-users list does not name. Judged at the deciding
/// stage: RequestReceived is written before impersonation runs.
struct NewUnknownUser: StatefulDetector {
    /// Per user id: 0 not yet looked at, 1 not unknown, 2 announced.
    private var verdicts: [UInt8] = []

    func mark(_ live: inout LiveStrings) {}

    mutating func prune(_ live: LiveStrings) {
        for k in verdicts.indices where verdicts[k] != 0 && !live.contains(UInt32(k)) { verdicts[k] = 0 }
    }

    mutating func look(at i: DetectorInput) -> [Detection] {
        let e = i.entry
        guard e.actor != 0 else { return [] }
        let u = Int(e.actor)
        if u >= verdicts.count { verdicts.append(contentsOf: repeatElement(0, count: u + 1 - verdicts.count + 256)) }
        guard verdicts[u] == 0 else { return [] }
        // The store classified the user when it counted the request, before this runs.
        let unknown = i.store.stats.unknown.isUnknown(e.actor)
        verdicts[u] = unknown ? 2 : 1
        guard unknown else { return [] }
        return [Detection(rule: .newUnknownUser, note: "first request: \(i.store.strings.string(e.verb)) \(RuleEngine.resourceText(e, i.store))")]
    }
}

/// Secrets listed or watched across every namespace by someone outside the control plane,
/// unless its baseline says it does so (or the learning window is open).
struct SecretsListedEverywhere: StatefulDetector {
    let secrets, list, watch: UInt32

    init(_ strings: StringInterner) {
        secrets = strings.intern("secrets")
        list = strings.intern("list")
        watch = strings.intern("watch")
    }

    func mark(_ live: inout LiveStrings) {}

    mutating func look(at i: DetectorInput) -> [Detection] {
        let e = i.entry
        guard e.resource == secrets, e.verb == list || e.verb == watch, !i.denied, e.namespace == 0, e.name == 0,
            IdentityKind(i.store.strings.string(e.user)) != .controlPlane, !i.learning,
            i.baselines.profile(e.actor)?.clusterWideSecrets != true
        else { return [] }
        return [Detection(rule: .secretsListedEverywhere, note: "\(i.store.strings.string(e.verb)) secrets in every namespace")]
    }
}

/// Exec or attach into a pod this feed saw created privileged, in a host namespace, or
/// mounting a sensitive host path: it remembers such pods (bounded) from their creation.
struct ExecIntoPrivileged: StatefulDetector {
    let pods, exec, attach, create, get: UInt32
    /// "namespace/name" → what was risky about the pod.
    private var risky: [String: String] = [:]
    private let sensitive = ConditionMatcher(.test(.falco(.volumeHostPaths, argument: nil), .intersects, BuiltinRules.sensitiveHostPaths))

    init(_ strings: StringInterner) {
        pods = strings.intern("pods")
        exec = strings.intern("exec")
        attach = strings.intern("attach")
        create = strings.intern("create")
        get = strings.intern("get")
    }

    func mark(_ live: inout LiveStrings) {}

    mutating func look(at i: DetectorInput) -> [Detection] {
        let e = i.entry
        guard e.resource == pods, !i.denied else { return [] }
        let s = i.store.strings
        if e.subresource == exec || e.subresource == attach, e.verb == create || e.verb == get {
            let pod = s.string(e.namespace) + "/" + s.string(e.name)
            guard let risk = risky[pod] else { return [] }
            return [Detection(rule: .execIntoPrivileged, note: "\(s.string(e.subresource)) into \(pod), created \(risk)")]
        }
        guard e.subresource == 0, e.verb == create else { return [] }
        let found: (name: String, risks: [String])? = i.readFields { reader in
            guard let name = reader.value(of: .audittop(.object))?.text, !name.hasSuffix("…") else { return nil }
            var risks: [String] = []
            if reader.value(of: .audittop(.privilegedContainers)) != nil { risks.append("privileged") }
            for (key, field) in [("hostNetwork", FalcoField.hostNetwork), ("hostPID", .hostPID), ("hostIPC", .hostIPC)]
            where reader.value(of: .falco(field, argument: nil)) == .one("true") {
                risks.append(key)
            }
            if sensitive.matches(&reader), case .list(let paths)? = reader.value(of: .falco(.volumeHostPaths, argument: nil)) {
                risks.append("mounting " + paths.filter { BuiltinRules.sensitiveHostPaths.contains($0) }.joined(separator: ", "))
            }
            return (name, risks)
        }
        guard let (name, risks) = found else { return [] }
        guard !risks.isEmpty else { return [] }
        if risky.count >= Self.keyLimit { risky.removeAll() }
        risky[s.string(e.namespace) + "/" + name] = risks.joined(separator: ", ")
        return []
    }
}
