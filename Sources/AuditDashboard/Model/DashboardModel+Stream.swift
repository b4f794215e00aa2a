import AuditCore

extension DashboardModel {
    /// The Stream's rows, newest first: the filter's events, else the ring's. One row per
    /// request: an earlier stage (`RequestReceived`, `ResponseStarted`) is left out when a
    /// later stage of the same request is in the ring, so a request seen only at
    /// `RequestReceived` still shows. With `rawStages`, every event is a row.
    static func streamRows(_ store: EventStore, limit: Int, rawStages: Bool) -> [EventRow] {
        var rows: [EventRow] = []
        var shown: Set<AuditID> = []
        func add(_ sequence: Int) {
            guard let e = store.ring[sequence: sequence] else { return }
            if !rawStages, !shown.insert(AuditID(high: e.auditIDHigh, low: e.auditIDLow)).inserted { return }
            rows.append(row(store, e, sequence))
        }
        if let view = store.view {
            // The filter's own list of matching events: no scan of the ring.
            for sequence in view.sequences(in: store.ring).reversed() {
                guard rows.count < limit else { break }
                add(sequence)
            }
        } else {
            var sequence = store.ring.nextSequence - 1
            while sequence >= store.ring.firstSequence && rows.count < limit {
                add(sequence)
                sequence -= 1
            }
        }
        return rows
    }
}

extension DashboardModel {
    static func row(_ store: EventStore, _ e: RingEntry, _ sequence: Int) -> EventRow {
        let s = store.strings
        return EventRow(
            sequence: sequence, time: e.received, user: e.user == 0 ? "(none)" : s.string(e.user),
            verb: s.string(e.verb), resource: e.resourceName(s), namespace: s.string(e.namespace),
            name: s.string(e.name), code: Int(e.code), denied: e.isDenied,
            source: Int(e.source) < store.sourceNames.count ? store.sourceNames[Int(e.source)] : "",
            impersonated: e.impersonatedUser == 0 ? "" : s.string(e.impersonatedUser), stage: e.stage,
            sourceIP: s.string(e.sourceIP))
    }

    /// The ring's latest denials of identities outside the platform (the store's platform
    /// list, `UnknownUsers.isPlatform`), newest first, one per request. Failed logins (no user)
    /// stay in the Denied pane: they are no one's story. Reads back from the newest event
    /// until `limit` are found, so a controller's steady 403s cannot push them out.
    static func outsideDenialRows(_ store: EventStore, limit: Int) -> [EventRow] {
        var platform: [UInt32: Bool] = [0: true]
        var rows: [EventRow] = []
        var shown: Set<AuditID> = []
        var sequence = store.ring.nextSequence - 1
        while sequence >= store.ring.firstSequence && rows.count < limit {
            defer { sequence -= 1 }
            guard let e = store.ring[sequence: sequence], e.isDenied else { continue }
            let skip = platform[e.actor] ?? {
                let p = store.stats.unknown.isPlatform(store.strings.string(e.actor))
                platform[e.actor] = p
                return p
            }()
            guard !skip, shown.insert(AuditID(high: e.auditIDHigh, low: e.auditIDLow)).inserted else { continue }
            rows.append(row(store, e, sequence))
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
