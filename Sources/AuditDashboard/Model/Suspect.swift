import AuditCore

/// An identity the Overview points at, with why and what it did: first and last seen, the
/// latest source IP, its requests and denials.
public struct Suspect: Sendable, Equatable {
    /// The full name (`user.username`).
    public var identity: String
    /// Why it is here, most telling first: `HIGH Attach/Exec Pod`, `unknown user`,
    /// `impersonated by sa:ci/deployer`. Every reason comes from `SuspectReasons`.
    public var reasons: [String]
    /// Event times, microseconds (0 when not seen in the ring).
    public var firstSeen: Int64
    public var lastSeen: Int64
    public var lastSourceIP: String
    public var requests: Int
    public var denied: Int
    /// The most severe alert it is the actor of, if any: orders and colours the row.
    public var severity: Severity?

    /// The suspects in `store`, worst first: by alert severity, then unknown before known,
    /// then the latest seen first; at most `limit`.
    static func list(_ store: EventStore, alerts: [Report.AlertRow], unknown: [Report.UnknownUserRow], limit: Int) -> [Suspect] {
        let reasons = SuspectReasons.collect(store, alerts: alerts, unknown: unknown)
        guard !reasons.isEmpty else { return [] }
        let facts = IdentityFacts.gather(store, identities: Set(reasons.keys), unknown: unknown)
        var out: [Suspect] = reasons.map { identity, found in
            let f = facts[identity] ?? IdentityFacts()
            return Suspect(
                identity: identity, reasons: found.map(\.text), firstSeen: f.firstSeen, lastSeen: f.lastSeen,
                lastSourceIP: f.lastSourceIP, requests: f.requests, denied: f.denied, severity: found.compactMap(\.severity).max())
        }
        out.sort {
            let a = $0.severity?.rawValue ?? -1, b = $1.severity?.rawValue ?? -1
            if a != b { return a > b }
            return $0.lastSeen != $1.lastSeen ? $0.lastSeen > $1.lastSeen : $0.identity < $1.identity
        }
        return Array(out.prefix(limit))
    }
}

/// The one place reasons for suspicion are found. Each source adds `(identity, reason)`;
/// a new kind of reason (a new network, a token used from outside) is one more source here.
enum SuspectReasons {
    struct Reason: Equatable {
        var text: String
        /// Set when the reason is an alert: the suspect's row takes the worst one.
        var severity: Severity?
    }

    static func collect(_ store: EventStore, alerts: [Report.AlertRow], unknown: [Report.UnknownUserRow]) -> [String: [Reason]] {
        var out: [String: [Reason]] = [:]
        func add(_ identity: String, _ reason: Reason) {
            guard !identity.isEmpty, out[identity]?.contains(reason) != true else { return }
            out[identity, default: []].append(reason)
        }
        // Actors of alerts of medium severity or higher (alerts come most severe first).
        for alert in alerts where alert.severity >= .medium {
            for example in alert.examples {
                // `A→B`: the identity is B, the one A acted as.
                // No username: the client is its address.
                let identity = example.user.isEmpty ? (example.sourceIP.isEmpty ? "" : "unauthenticated " + example.sourceIP)
                    : example.user.split(separator: "→").last.map(String.init) ?? example.user
                add(identity, Reason(text: "\(ListPanes.severityTag(alert.severity)) \(alert.rule)", severity: alert.severity))
            }
        }
        // Users nobody said to expect.
        // Anonymous and unauthenticated clients are told apart by address.
        for u in unknown {
            if u.unauthenticated {
                add(IdentityFacts.key(u), Reason(text: "failed logins"))
            } else {
                add(u.user, Reason(text: u.anonymous ? "anonymous from \(u.lastSourceIP)" : "unknown user"))
            }
        }
        // Identities someone acted as.
        let s = store.strings
        for (impersonated, by) in impersonations(store) {
            add(s.string(impersonated), Reason(text: "impersonated by " + IdentityName.short(s.string(by))))
        }
        return out
    }

    /// Impersonated user → the latest user who acted as them, from the ring.
    static func impersonations(_ store: EventStore) -> [UInt32: UInt32] {
        var out: [UInt32: UInt32] = [:]
        store.ring.walk(.impersonated) { _, e in
            // Newest first: the first seen is the latest.
            if out[e.pointee.impersonatedUser] == nil { out[e.pointee.impersonatedUser] = e.pointee.user }
            return true
        }
        return out
    }
}

/// What an identity did, as the Overview and the story header say it.
struct IdentityFacts {
    var firstSeen: Int64 = 0
    var lastSeen: Int64 = 0
    var lastSourceIP = ""
    var requests = 0
    var denied = 0

    /// The name a suspect row goes by: the identity, or for failed logins (no username)
    /// `unauthenticated IP`, one row per address.
    static func key(_ u: Report.UnknownUserRow) -> String {
        u.unauthenticated ? "unauthenticated " + u.lastSourceIP : u.user
    }

    /// Facts for `identities`: an unknown user's from its record (which outlives the ring),
    /// anyone else's from its events in the ring (requests counted once, at their latest stage).
    static func gather(_ store: EventStore, identities: Set<String>, unknown: [Report.UnknownUserRow]) -> [String: IdentityFacts] {
        var out: [String: IdentityFacts] = [:]
        for u in unknown where identities.contains(IdentityFacts.key(u)) && out[IdentityFacts.key(u)] == nil {
            out[IdentityFacts.key(u)] = IdentityFacts(
                firstSeen: u.firstSeen.flatMap(Timestamp.parse) ?? 0, lastSeen: u.lastSeen.flatMap(Timestamp.parse) ?? 0,
                lastSourceIP: u.lastSourceIP, requests: u.requests, denied: u.denied)
        }
        // Each identity's own events, newest first, through the ring's chain of its events:
        // a walk of the whole ring per frame for a few identities took 3 to 5 ms.
        for name in identities where out[name] == nil {
            guard let id = store.strings.lookup(name), id != 0 else { continue }
            var f = IdentityFacts()
            var lastIP: UInt32 = 0
            var requests = Set<AuditID>(minimumCapacity: 256)
            store.ring.walk(.actor(id)) { _, p in
                let e = p.pointee
                let t = e.received != 0 ? e.received : e.stageTime
                if f.firstSeen == 0 || (t != 0 && t < f.firstSeen) { f.firstSeen = t }
                f.lastSeen = max(f.lastSeen, t)
                if lastIP == 0 { lastIP = e.sourceIP }
                requests.insert(AuditID(high: e.auditIDHigh, low: e.auditIDLow))
                if e.isDenied { f.denied += 1 }
                return true
            }
            guard !requests.isEmpty else { continue }
            f.requests = requests.count
            if lastIP != 0 { f.lastSourceIP = store.strings.string(lastIP) }
            out[name] = f
        }
        return out
    }
}
