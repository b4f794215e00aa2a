/// A user nobody said to expect, with what they did. Anonymous and unauthenticated clients
/// are one record per source IP (`sourceIPKey`), since an IP is all that tells them apart.
public struct UnknownUser: Sendable {
    public var user: UInt32
    /// The source IP this record is kept for (anonymous and unauthenticated clients), else 0.
    public var sourceIPKey: UInt32 = 0
    public var firstSeen: Int64
    public var lastSeen: Int64
    public var requests = 0
    public var denied = 0
    /// Distinct verbs, resources, source IPs and agents, each capped at `UnknownUsers.setLimit`.
    public var verbs: [UInt32] = []
    public var resources: [UInt32] = []
    public var sourceIPs: [UInt32] = []
    public var userAgents: [UInt32] = []
    /// Who made requests as this user by impersonating it (`A` of `A→B`).
    public var impersonators: [UInt32] = []
    public var lastVerb: UInt32 = 0
    public var lastResource: UInt32 = 0
    public var lastSourceIP: UInt32 = 0
    /// `system:anonymous`, other than the allowed health probes.
    public var isAnonymous = false
    /// Requests with no username: failed authentication.
    public var isUnauthenticated: Bool { user == 0 }
}

/// Tells known users from unknown ones and keeps a record of each unknown one.
///
/// A username is known when the platform list matches it (`PlatformIdentities`: `system:`
/// identities, kubeadm's admins, `system:masters`, EKS, AKS, GKE and OpenShift's own), when
/// the known-users file matches it by name, glob or group, or when it was first seen within
/// the learning window of event time from the first event. With impersonation the identity is
/// the impersonated user, judged without the impersonator's groups and never learned. An
/// identity learning let pass that then sets off a high or critical rule is unknown again.
///
/// `system:anonymous` is unknown except on the allowed health probes (`AnonymousProbe`), and
/// is kept per source IP; so are requests with no username (failed authentication). At most
/// `recordLimit` records are kept: later newcomers are counted in `dropped`.
public struct UnknownUsers: Sendable {
    /// How many distinct values each per-user set keeps.
    public static let setLimit = 16
    /// How many unknown identities (and anonymous or unauthenticated IPs) are kept.
    public static let recordLimit = 10_000

    public var known: KnownUsers
    /// The platform's own identities (`PlatformIdentities.builtinList` unless changed).
    public var platform: KnownUsers
    /// Length of the learning window in microseconds, or nil when learning is off.
    public var learn: Int64?
    private var learningStart: Int64?
    /// Per user id: 0 not yet seen, 1 known, 2 unknown.
    private var verdicts: [UInt8] = []
    public private(set) var records: [UInt64: UnknownUser] = [:]
    /// Record keys in the order they were first seen.
    public private(set) var order: [UInt64] = []
    /// The identity of each record, in first-seen order (0 for unauthenticated clients).
    public var users: [UInt32] { order.compactMap { records[$0]?.user } }
    /// Unknown identities not recorded because `recordLimit` was reached.
    public private(set) var dropped = 0

    public init(known: KnownUsers = KnownUsers(), platform: KnownUsers = PlatformIdentities.builtinList, learn: Int64? = nil) {
        self.known = known
        self.platform = platform
        self.learn = learn
    }

    /// The record key of `user`; `sourceIP` counts only for anonymous and unauthenticated
    /// requests (pass 0 for anyone else).
    public static func key(_ user: UInt32, sourceIP: UInt32 = 0) -> UInt64 { UInt64(user) | UInt64(sourceIP) << 32 }

    /// Notes the start of event time, for the learning window.
    mutating func noteEventTime(_ t: Int64) {
        if learningStart == nil { learningStart = t }
    }

    /// True while `time` is inside the learning window.
    public func isLearning(at time: Int64) -> Bool {
        guard let learn, let start = learningStart else { return false }
        return time < start + learn
    }

    /// The event time learning started at (the first event's), once known.
    public var learningStarted: Int64? { learningStart }

    /// Decides on a named user at first sight; `name` and `groups` are only read then.
    mutating func isUnknown(
        _ user: UInt32, at time: Int64, impersonated: Bool = false, name: () -> String, groups: () -> [String]
    ) -> Bool {
        let i = Int(user)
        if i < verdicts.count, verdicts[i] != 0 { return verdicts[i] == 2 }
        if i >= verdicts.count { verdicts.append(contentsOf: repeatElement(0, count: i + 1 - verdicts.count + 256)) }
        let verdict = classify(name(), at: time, impersonated: impersonated, groups: groups)
        verdicts[i] = verdict
        return verdict == UnknownUsers.unknownVerdict
    }

    /// Verdicts: known (by a list or the platform), unknown, or known because it was seen
    /// while learning (which a later look could not tell again, so its id is kept).
    private static let knownVerdict: UInt8 = 1
    private static let unknownVerdict: UInt8 = 2
    private static let learnedVerdict: UInt8 = 3

    /// True when `user` was judged unknown (anonymous and unauthenticated clients aside).
    public func isUnknown(_ user: UInt32) -> Bool {
        Int(user) < verdicts.count && verdicts[Int(user)] == 2 && records[UnknownUsers.key(user)] != nil
    }

    /// An identity that first appears through impersonation is not made known by learning.
    private func classify(_ name: String, at time: Int64, impersonated: Bool, groups: () -> [String]) -> UInt8 {
        if name.isEmpty || name == "system:anonymous" { return UnknownUsers.knownVerdict }
        if platform.contains(user: name) || known.contains(user: name) { return UnknownUsers.knownVerdict }
        let g = groups()
        if g.contains(where: { known.contains(group: $0) || platform.contains(group: $0) }) { return UnknownUsers.knownVerdict }
        if isLearning(at: time), !impersonated { return UnknownUsers.learnedVerdict }
        return UnknownUsers.unknownVerdict
    }

    /// Marks the ids the records refer to, and the identities learning made known.
    func mark(_ live: inout LiveStrings) {
        for r in records.values {
            live.mark(r.user)
            live.mark(r.sourceIPKey)
            live.mark(all: r.verbs)
            live.mark(all: r.resources)
            live.mark(all: r.sourceIPs)
            live.mark(all: r.userAgents)
            live.mark(all: r.impersonators)
            live.mark(r.lastVerb)
            live.mark(r.lastResource)
            live.mark(r.lastSourceIP)
        }
        for (i, v) in verdicts.enumerated() where v == UnknownUsers.learnedVerdict { live.mark(UInt32(i)) }
    }

    /// Forgets the verdicts of freed ids (a list can decide them again).
    mutating func prune(_ live: LiveStrings) {
        for i in verdicts.indices where verdicts[i] != 0 && !live.contains(UInt32(i)) { verdicts[i] = 0 }
    }

    /// Makes an identity that learning let pass unknown again, after it set off a rule of
    /// high or critical severity: learning never launders an attack. The platform's and the
    /// known-users file's identities stay known.
    mutating func suspect(_ user: UInt32, name: String, at time: Int64) {
        let i = Int(user)
        guard user != 0, i < verdicts.count, verdicts[i] == UnknownUsers.knownVerdict || verdicts[i] == UnknownUsers.learnedVerdict,
            name != "system:anonymous",
            !platform.contains(user: name), !known.contains(user: name)
        else { return }
        verdicts[i] = UnknownUsers.unknownVerdict
        if records[UnknownUsers.key(user)] == nil, records.count < UnknownUsers.recordLimit {
            records[UnknownUsers.key(user)] = UnknownUser(user: user, firstSeen: time, lastSeen: time)
            order.append(UnknownUsers.key(user))
        }
    }

    /// True for the platform's own identities as this store's list names them
    /// (`system:anonymous` never is one).
    public func isPlatform(_ name: String) -> Bool {
        name != "system:anonymous" && !name.isEmpty && platform.contains(user: name)
    }

    /// Forgets verdicts, e.g. after the known-users list changed.
    public mutating func reclassify() { verdicts.removeAll() }

    mutating func observe(
        _ key: UInt64, at time: Int64, verb: UInt32, resource: UInt32, sourceIP: UInt32, agent: UInt32,
        denied: Bool, anonymous: Bool, impersonator: UInt32
    ) {
        var r: UnknownUser
        if let existing = records[key] {
            r = existing
        } else {
            guard records.count < UnknownUsers.recordLimit else {
                dropped += 1
                return
            }
            r = UnknownUser(user: UInt32(truncatingIfNeeded: key), sourceIPKey: UInt32(truncatingIfNeeded: key >> 32),
                            firstSeen: time, lastSeen: time, isAnonymous: anonymous)
            order.append(key)
        }
        // The latest request by event time, whatever order saved logs are read in.
        if time >= r.lastSeen {
            r.lastVerb = verb
            r.lastResource = resource
            r.lastSourceIP = sourceIP
        }
        r.firstSeen = min(r.firstSeen, time)
        r.lastSeen = max(r.lastSeen, time)
        r.requests += 1
        if denied { r.denied += 1 }
        UnknownUsers.insert(verb, into: &r.verbs)
        UnknownUsers.insert(resource, into: &r.resources)
        UnknownUsers.insert(sourceIP, into: &r.sourceIPs)
        UnknownUsers.insert(agent, into: &r.userAgents)
        UnknownUsers.insert(impersonator, into: &r.impersonators)
        records[key] = r
    }

    /// Takes back one request counted for `key` (it turned out to act as someone else); a
    /// record left with no request goes.
    mutating func retract(_ key: UInt64, at time: Int64) {
        guard var r = records[key] else { return }
        r.requests -= 1
        if r.requests <= 0 {
            records[key] = nil
            order.removeAll { $0 == key }
            // Undecided again: the identity may yet show up in its own name.
            let i = Int(UInt32(truncatingIfNeeded: key))
            if i < verdicts.count { verdicts[i] = 0 }
        } else {
            records[key] = r
        }
    }

    mutating func changeDenied(_ key: UInt64, by delta: Int) {
        records[key]?.denied += delta
    }

    /// Drops a user from the unknown list (now known).
    public mutating func forget(_ user: UInt32) {
        let key = UnknownUsers.key(user)
        records[key] = nil
        order.removeAll { $0 == key }
        if Int(user) < verdicts.count { verdicts[Int(user)] = 1 }
    }

    private static func insert(_ id: UInt32, into set: inout [UInt32]) {
        if id != 0, set.count < setLimit, !set.contains(id) { set.append(id) }
    }
}
