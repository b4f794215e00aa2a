/// A user nobody said to expect, with what they did.
public struct UnknownUser: Sendable {
    public var user: UInt32
    public var firstSeen: Int64
    public var lastSeen: Int64
    public var requests = 0
    public var denied = 0
    /// Distinct verbs, resources, source IPs and agents, each capped at `UnknownUsers.setLimit`.
    public var verbs: [UInt32] = []
    public var resources: [UInt32] = []
    public var sourceIPs: [UInt32] = []
    public var userAgents: [UInt32] = []
    public var lastVerb: UInt32 = 0
    public var lastResource: UInt32 = 0
    public var lastSourceIP: UInt32 = 0
    /// `system:anonymous`, always flagged.
    public var isAnonymous = false
}

/// Tells known users from unknown ones and keeps a record of each unknown one.
///
/// A username is known when it starts with `system:` (identities Kubernetes issues;
/// `system:anonymous` excepted, always unknown), matches the known-users file by name, glob
/// or group, or was first seen within the learning window of event time from the first
/// event. Any other non-empty username is unknown. An empty username (failed
/// authentication) is never an unknown user.
public struct UnknownUsers: Sendable {
    /// How many distinct values each per-user set keeps.
    public static let setLimit = 16

    public var known: KnownUsers
    /// Length of the learning window in microseconds, or nil when learning is off.
    public var learn: Int64?
    private var learningStart: Int64?
    /// Per user id: 0 not yet seen, 1 known, 2 unknown.
    private var verdicts: [UInt8] = []
    public private(set) var records: [UInt32: UnknownUser] = [:]
    /// Unknown users in the order they were first seen.
    public private(set) var order: [UInt32] = []

    public init(known: KnownUsers = KnownUsers(), learn: Int64? = nil) {
        self.known = known
        self.learn = learn
    }

    /// Notes the start of event time, for the learning window.
    mutating func noteEventTime(_ t: Int64) {
        if learningStart == nil { learningStart = t }
    }

    /// Decides on a user at first sight; `name` and `groups` are only read then.
    mutating func isUnknown(
        _ user: UInt32, at time: Int64, name: () -> String, groups: () -> [String]
    ) -> Bool {
        let i = Int(user)
        if i < verdicts.count, verdicts[i] != 0 { return verdicts[i] == 2 }
        if i >= verdicts.count { verdicts.append(contentsOf: repeatElement(0, count: i + 1 - verdicts.count + 256)) }
        let verdict = classify(name(), at: time, groups: groups)
        verdicts[i] = verdict ? 2 : 1
        return verdict
    }

    private func classify(_ name: String, at time: Int64, groups: () -> [String]) -> Bool {
        if name.isEmpty { return false }
        if name == "system:anonymous" { return true }
        if name.hasPrefix("system:") { return false }
        if known.contains(user: name) { return false }
        if groups().contains(where: known.contains(group:)) { return false }
        if let learn, let start = learningStart, time < start + learn { return false }
        return true
    }

    /// Forgets verdicts, e.g. after the known-users list changed.
    public mutating func reclassify() { verdicts.removeAll() }

    mutating func observe(
        _ user: UInt32, at time: Int64, verb: UInt32, resource: UInt32, sourceIP: UInt32, agent: UInt32,
        denied: Bool, anonymous: Bool
    ) {
        var r = records[user] ?? UnknownUser(user: user, firstSeen: time, lastSeen: time, isAnonymous: anonymous)
        if records[user] == nil { order.append(user) }
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
        records[user] = r
    }

    mutating func changeDenied(_ user: UInt32, by delta: Int) {
        records[user]?.denied += delta
    }

    /// Drops a user from the unknown list (now known).
    public mutating func forget(_ user: UInt32) {
        records[user] = nil
        order.removeAll { $0 == user }
        if Int(user) < verdicts.count { verdicts[Int(user)] = 1 }
    }

    private static func insert(_ id: UInt32, into set: inout [UInt32]) {
        if id != 0, set.count < setLimit, !set.contains(id) { set.append(id) }
    }
}
