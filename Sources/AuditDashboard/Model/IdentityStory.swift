import AuditCore

/// Everything the ring holds about one identity, for the story view: when it was first
/// seen, the networks and agents it came from, and every request it made in time order with
/// the alerts that fired on each.
public struct IdentityStory: Sendable, Equatable {
    /// One request of the story.
    public struct Line: Sendable, Equatable {
        public var sequence: Int
        /// `requestReceivedTimestamp`, microseconds.
        public var time: Int64
        public var verb: String
        public var resource: String
        public var namespace: String
        public var name: String
        public var code: Int
        public var denied: Bool
        public var sourceIP: String
        /// `user→impersonated` when the request was made as someone else, else "".
        public var actingAs: String
        /// Rules that fired on the request, and the worst one's severity.
        public var alerts: [String]
        public var severity: Severity?
        /// New against the identity's baseline (a verb, resource or network it never used).
        /// Set only by `IdentityStory.markNew`; false until baselines exist.
        public var isNew = false
    }

    public var identity: String
    /// Event times, microseconds; `firstSeen` is the unknown-users record's when there is one
    /// (it outlives the ring), else the earliest request in the ring.
    public var firstSeen: Int64 = 0
    public var lastSeen: Int64 = 0
    public var requests = 0
    public var denied = 0
    /// Source IPs grouped by /24 (IPv6: /64), most requests first, e.g. `203.0.113.0/24`.
    public var networks: [Report.NameCount] = []
    public var agents: [Report.NameCount] = []
    /// The requests, oldest first, one line per request (its latest stage); at most
    /// `lineLimit`, the newest kept.
    public var lines: [Line] = []
    /// Requests left out for `lineLimit`.
    public var dropped = 0

    /// How the Overview names a client that never authenticated: this, then its address.
    static let unauthenticatedPrefix = "unauthenticated "

    /// The most lines a story keeps.
    public static let lineLimit = 5000

    /// A story with nothing in it yet.
    public init(identity: String) { self.identity = identity }

    /// The story of `identity` from one pass over the ring: requests by it, or made as it.
    public init(_ store: EventStore, identity: String) {
        self.identity = identity
        let s = store.strings
        // A client that never authenticated is a story by its address (`unauthenticated IP`,
        // as the Overview names it): its requests carry no user.
        let address = identity.hasPrefix(Self.unauthenticatedPrefix) ? s.lookup(String(identity.dropFirst(Self.unauthenticatedPrefix.count))) : nil
        guard let id = address == nil ? s.lookup(identity) : 0 else { return }
        func byIdentity(_ e: RingEntry) -> Bool {
            if let address { return e.user == 0 && e.sourceIP == address }
            return e.user == id || e.impersonatedUser == id
        }
        var index: [AuditID: Int] = [:]
        var ips: [String: Int] = [:], agentCounts: [String: Int] = [:]
        var sequence = store.ring.firstSequence
        while sequence < store.ring.nextSequence {
            defer { sequence += 1 }
            guard let e = store.ring[sequence: sequence], byIdentity(e) else { continue }
            let auditID = AuditID(high: e.auditIDHigh, low: e.auditIDLow)
            let fired = store.alertRules(firedOn: auditID)
            let line = Line(
                sequence: sequence, time: e.received != 0 ? e.received : e.stageTime, verb: s.string(e.verb),
                resource: e.resourceName(s), namespace: s.string(e.namespace), name: s.string(e.name), code: Int(e.code),
                denied: e.isDenied, sourceIP: s.string(e.sourceIP),
                actingAs: e.impersonatedUser == 0 ? "" : IdentityName.display(user: s.string(e.user), impersonated: s.string(e.impersonatedUser)),
                alerts: fired, severity: fired.compactMap { store.rules?.alerts[$0]?.severity }.max())
            // A later stage of a request takes its earlier one's line.
            if let k = index[auditID] {
                lines[k] = line
                continue
            }
            index[auditID] = lines.count
            lines.append(line)
            if e.sourceIP != 0 { ips[line.sourceIP, default: 0] += 1 }
            if e.userAgent != 0 { agentCounts[s.string(e.userAgent), default: 0] += 1 }
        }
        lines.sort { $0.time != $1.time ? $0.time < $1.time : $0.sequence < $1.sequence }
        requests = lines.count
        denied = lines.filter(\.denied).count
        firstSeen = lines.first?.time ?? 0
        lastSeen = lines.last?.time ?? 0
        if address == nil, let record = store.visibleStats.unknown.records[UnknownUsers.key(id)], record.firstSeen != 0 { firstSeen = min(firstSeen == 0 ? .max : firstSeen, record.firstSeen) }
        var nets: [String: Int] = [:]
        for (ip, n) in ips { nets[Self.network(ip), default: 0] += n }
        networks = Self.ranked(nets)
        agents = Self.ranked(agentCounts)
        if address == nil { Self.markNew(&lines, store, identity: id) }
        if lines.count > Self.lineLimit {
            dropped = lines.count - Self.lineLimit
            lines.removeFirst(dropped)
        }
    }

    /// Marks the lines that are new against the identity's baseline: a network, a namespace
    /// or a verb × resource it did not use while learning. Without a baseline nothing is new.
    static func markNew(_ lines: inout [Line], _ store: EventStore, identity: UInt32) {
        guard let profile = store.rules?.baselines.profile(identity) else { return }
        let s = store.strings
        for k in lines.indices {
            let line = lines[k]
            let network = s.lookup(network(line.sourceIP)) ?? 0
            let namespace = line.namespace.isEmpty ? 0 : s.lookup(line.namespace) ?? UInt32.max
            let action = Baselines.Action.parse(line.verb + " " + line.resource) { s.lookup($0) }
            lines[k].isNew = (network != 0 && !profile.networks.contains(network))
                || (namespace != 0 && !profile.namespaces.contains(namespace)) || !(action.map(profile.actions.contains) ?? false)
        }
    }

    /// The /24 of an IPv4 address (`203.0.113.0/24`), the /64 of an IPv6 one, else the text.
    public static func network(_ ip: String) -> String {
        let n = NetworkPrefix.of(ip)
        return n.isEmpty ? ip : n
    }

    static func ranked(_ counts: [String: Int]) -> [Report.NameCount] {
        counts.map { Report.NameCount(name: $0.key, count: $0.value) }
            .sorted { $0.count != $1.count ? $0.count > $1.count : $0.name < $1.name }
    }
}
