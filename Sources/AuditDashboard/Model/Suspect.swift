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
        store.ring.scan { _, cell, e in
            if cell.impersonated { out[e.pointee.impersonatedUser] = e.pointee.user }
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
    /// anyone else's from one pass over the ring (requests counted once, at their latest stage).
    static func gather(_ store: EventStore, identities: Set<String>, unknown: [Report.UnknownUserRow]) -> [String: IdentityFacts] {
        var out: [String: IdentityFacts] = [:]
        for u in unknown where identities.contains(IdentityFacts.key(u)) && out[IdentityFacts.key(u)] == nil {
            out[IdentityFacts.key(u)] = IdentityFacts(
                firstSeen: u.firstSeen.flatMap(Timestamp.parse) ?? 0, lastSeen: u.lastSeen.flatMap(Timestamp.parse) ?? 0,
                lastSourceIP: u.lastSourceIP, requests: u.requests, denied: u.denied)
        }
        // Each identity read from the ring gets a slot, found by its id in a flat table: the
        // pass neither hashes nor copies anything per entry but the matching ones' fields.
        var slotOf = [Int32](repeating: -1, count: store.strings.idLimit)
        var names: [String] = []
        for name in identities where out[name] == nil {
            if let id = store.strings.lookup(name), Int(id) < slotOf.count, slotOf[Int(id)] < 0 {
                slotOf[Int(id)] = Int32(names.count)
                names.append(name)
            }
        }
        guard !names.isEmpty else { return out }
        var firstSeen = [Int64](repeating: 0, count: names.count)
        var lastSeen = [Int64](repeating: 0, count: names.count)
        var denied = [Int](repeating: 0, count: names.count)
        var lastIP = [UInt32](repeating: 0, count: names.count)
        // Each event's request, counted once after the pass.
        var requests = [[AuditID]](repeating: [], count: names.count)
        slotOf.withUnsafeBufferPointer { slotOf in
            store.ring.scan { _, cell, p in
                let actor = Int(cell.actor)
                guard actor < slotOf.count, case let k = Int(slotOf[actor]), k >= 0 else { return true }
                let e = p.pointee
                let t = e.received != 0 ? e.received : e.stageTime
                if firstSeen[k] == 0 || (t != 0 && t < firstSeen[k]) { firstSeen[k] = t }
                lastSeen[k] = max(lastSeen[k], t)
                if e.sourceIP != 0 { lastIP[k] = e.sourceIP }
                requests[k].append(AuditID(high: e.auditIDHigh, low: e.auditIDLow))
                if e.isDenied { denied[k] += 1 }
                return true
            }
        }
        for (k, name) in names.enumerated() where !requests[k].isEmpty {
            var distinct = Set<AuditID>(minimumCapacity: requests[k].count)
            for id in requests[k] { distinct.insert(id) }
            var f = IdentityFacts(firstSeen: firstSeen[k], lastSeen: lastSeen[k], requests: distinct.count, denied: denied[k])
            if lastIP[k] != 0 { f.lastSourceIP = store.strings.string(lastIP[k]) }
            out[name] = f
        }
        return out
    }
}
