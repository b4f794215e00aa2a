import AuditCore

extension DashboardModel {
    /// The Stream's rows, oldest first and the newest last, as a log reads: the filter's
    /// events, else the ring's. One row per request: an earlier stage (`RequestReceived`,
    /// `ResponseStarted`) is left out when a later stage of the same request is in the ring,
    /// so a request seen only at `RequestReceived` still shows. With `rawStages`, every event
    /// is a row. With an `anchor` (the sequence of the row the cursor stays on), the rows end
    /// a little after it instead of at the newest, so it stays among them however much
    /// arrives; `newer` is then how many events came after it.
    static func streamRows(_ store: EventStore, limit: Int, rawStages: Bool, anchor: Int? = nil) -> (rows: [EventRow], newer: Int) {
        var rows: [EventRow] = []
        rows.reserveCapacity(min(limit, store.ring.count))
        var shown: Set<AuditID> = []
        if !rawStages { shown.reserveCapacity(min(limit, store.ring.count) * 2) }
        // A screenful of rows has a few dozen resources: each name is built once.
        var resources: [ResourceKey: String] = [:]
        func add(_ sequence: Int) {
            guard let e = store.ring[sequence: sequence] else { return }
            if !rawStages, !shown.insert(AuditID(high: e.auditIDHigh, low: e.auditIDLow)).inserted { return }
            let key = ResourceKey(group: e.apiGroup, resource: e.resource, subresource: e.subresource, path: e.path)
            let resource: String
            if let known = resources[key] {
                resource = known
            } else {
                resource = e.resourceName(store.strings)
                if resources.count < 4_096 { resources[key] = resource }
            }
            rows.append(row(store, e, sequence, resource: resource))
        }
        // Rows after the anchor kept in view: a screenful, so moving down still shows more.
        let after = limit / 4
        var newer = 0
        if let view = store.view {
            // The filter's own list of matching events: no scan of the ring.
            let sequences = view.sequences(in: store.ring)
            var end = sequences.endIndex
            if let anchor {
                let past = Self.firstIndex(in: sequences, after: anchor)
                newer = sequences.endIndex - past
                end = min(sequences.endIndex, past + after)
            }
            for sequence in sequences[..<end].reversed() {
                guard rows.count < limit else { break }
                add(sequence)
            }
        } else {
            var sequence = store.ring.nextSequence - 1
            if let anchor {
                newer = max(0, store.ring.nextSequence - 1 - anchor)
                sequence = min(sequence, max(anchor, store.ring.firstSequence) + after)
            }
            while sequence >= store.ring.firstSequence && rows.count < limit {
                add(sequence)
                sequence -= 1
            }
        }
        rows.reverse()
        return (rows, newer)
    }

    /// The ids a row's resource name is made of.
    struct ResourceKey: Hashable {
        var group, resource, subresource, path: UInt32
    }

    /// The index of the first of `sorted` that is greater than `value`.
    static func firstIndex(in sorted: ArraySlice<Int>, after value: Int) -> Int {
        var lo = sorted.startIndex
        var hi = sorted.endIndex
        while lo < hi {
            let mid = (lo + hi) / 2
            if sorted[mid] <= value { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }
}

extension DashboardModel {
    static func row(_ store: EventStore, _ e: RingEntry, _ sequence: Int, resource: String? = nil) -> EventRow {
        let s = store.strings
        return EventRow(
            sequence: sequence, time: e.received, user: e.user == 0 ? "(none)" : s.string(e.user),
            verb: s.string(e.verb), resource: resource ?? e.resourceName(s), namespace: s.string(e.namespace),
            name: s.string(e.name), code: Int(e.code), denied: e.isDenied,
            source: Int(e.source) < store.sourceNames.count ? store.sourceNames[Int(e.source)] : "",
            impersonated: e.impersonatedUser == 0 ? "" : s.string(e.impersonatedUser), stage: e.stage,
            sourceIP: s.string(e.sourceIP), auditID: AuditID(high: e.auditIDHigh, low: e.auditIDLow))
    }

    /// The ring's latest denials of identities outside the platform (the store's platform
    /// list, `UnknownUsers.isPlatform`), newest first, one per request. Failed logins (no user)
    /// stay in the Denied pane: they are no one's story. Reads back from the newest event
    /// until `limit` are found, so a controller's steady 403s cannot push them out.
    static func outsideDenialRows(_ store: EventStore, limit: Int) -> [EventRow] {
        var rows: [EventRow] = []
        guard limit > 0 else { return rows }
        // Each identity outside the platform that has a denial held, and its denials newest
        // first through the ring's chain of them: the newest of all is taken each time, so
        // only the rows shown (and each identity's next) are read, however many denials
        // the platform's own controllers pile up.
        var heads: [(sequence: Int, actor: UInt32)] = store.ring.deniedActors().compactMap { d in
            d.actor == 0 || store.stats.unknown.isPlatform(store.strings.string(d.actor)) ? nil : (d.newest, d.actor)
        }
        var shown: Set<AuditID> = []
        while rows.count < limit, let k = heads.indices.max(by: { heads[$0].sequence < heads[$1].sequence }) {
            let (sequence, actor) = heads[k]
            var next = -1
            store.ring.walk(.denied(actor), from: sequence) { q, p in
                if q < sequence { next = q; return false }
                let e = p.pointee
                if shown.insert(AuditID(high: e.auditIDHigh, low: e.auditIDLow)).inserted { rows.append(row(store, e, q)) }
                return true
            }
            if next < 0 { heads.remove(at: k) } else { heads[k].sequence = next }
        }
        return rows
    }
}

/// A place on the replay's timeline where an alert of medium severity or higher fired.
public struct AlertMark: Sendable, Equatable {
    /// Event time, microseconds.
    public var time: Int64
    public var severity: Severity

    public init(time: Int64, severity: Severity) {
        self.time = time
        self.severity = severity
    }
}
