import AuditCore

/// Everything the screen shows, copied out of the store in one short critical section so
/// panes draw without holding the store's lock.
public struct DashboardModel: Sendable {
    /// One event as a line of the Stream pane.
    public struct EventRow: Sendable, Equatable {
        public var sequence: Int
        public var time: Int64
        public var user: String
        public var verb: String
        public var resource: String
        public var namespace: String
        public var name: String
        public var code: Int
        public var denied: Bool
        public var source: String
    }

    /// How far back the Rates pane looks.
    public enum RateWindow: Int, Sendable, CaseIterable {
        case minute, tenMinutes, day

        public var title: String { ["60 s", "10 min", "24 h"][rawValue] }
    }

    public var counters = StoreCounters()
    public var ringCount = 0
    public var ringCapacity = 0
    public var sources: [String] = []
    /// Rate buckets for the chosen window, oldest first.
    public var rates: [RateBucket] = []
    public var rateWindow = RateWindow.minute
    /// Seconds per bucket in `rates`.
    public var rateBucketSeconds = 1
    public var latestDenied: [DeniedRequest] = []
    public var deniedGroups: [Report.DeniedGroup] = []
    public var deniedTotal = 0
    public var unknownUsers: [Report.UnknownUserRow] = []
    public var stream: [EventRow] = []
    public var top: [TopDimension: [Report.NameCount]] = [:]
    public var latency: [(verb: String, latency: Report.Latency)] = []
    /// Newest event time seen, microseconds.
    public var newestEventTime: Int64?
    /// The open event, pretty-printed: from its raw JSON, or its decoded fields when the
    /// raw body was dropped by the byte budget.
    public var detailLines: [[PrettyJSON.Piece]] = []
    public var detailTitle = ""
    /// Shown above the detail when the raw JSON is gone.
    public var detailNote: String?
    /// Rules that fired, newest first.
    public var alerts: [Report.AlertRow] = []
    /// Firings so far (a new value: something fired) and the latest high or critical rule.
    public var alertFirings = 0
    /// Requests a body-reading rule could not look into, per rule.
    public var rulesNotEvaluated: [String: Int] = [:]
    public var latestSevere: (firing: Int, rule: String)?
    /// Events in the ring matching the active filter (nil: no filter).
    public var matchingEvents: Int?
    /// The replay's timeline, set by the UI loop while replaying.
    public var timeline: TimelineInfo?

    public init() {}

    /// Copies what the panes need from `store`: `streamRows` newest events, `topRows` per
    /// list. Call under the store's lock; it touches only a bounded number of rows.
    public init(store: EventStore, streamRows: Int = 200, topRows: Int = 50, rateWindow: RateWindow = .minute,
                detail: Int? = nil) {
        let s = store.strings
        counters = store.counters
        ringCount = store.ring.count
        ringCapacity = store.ring.capacity
        sources = Array(store.sourceNames.dropFirst())
        self.rateWindow = rateWindow
        switch rateWindow {
        case .minute:
            rates = store.visibleStats.perSecond.series(last: 60)
            rateBucketSeconds = 1
        case .tenMinutes:
            rates = store.visibleStats.perSecond.series(last: 600)
            rateBucketSeconds = 1
        case .day:
            rates = store.visibleStats.perMinute.series(last: 1440)
            rateBucketSeconds = 60
        }
        newestEventTime = store.stats.lastTime
        let report = Report(store: store, limit: topRows)
        latestDenied = report.denied.latest
        deniedGroups = report.denied.groups
        deniedTotal = report.denied.total
        unknownUsers = report.unknownUsers
        top = [
            .users: report.top.users, .resources: report.top.resources, .namespaces: report.top.namespaces,
            .userAgents: report.top.userAgents, .sourceIPs: report.top.sourceIPs, .codes: report.top.codes,
            .verbs: report.top.verbs, .sources: report.top.sources,
        ]
        latency = report.latency.sorted { $0.value.count > $1.value.count }.map { ($0.key, $0.value) }
        var rows: [EventRow] = []
        func row(_ sequence: Int) -> EventRow? {
            guard let e = store.ring[sequence: sequence] else { return nil }
            return EventRow(
                sequence: sequence, time: e.received, user: e.user == 0 ? "(none)" : s.string(e.user),
                verb: s.string(e.verb), resource: e.resourceName(s), namespace: s.string(e.namespace),
                name: s.string(e.name), code: Int(e.code), denied: e.isDenied,
                source: Int(e.source) < store.sourceNames.count ? store.sourceNames[Int(e.source)] : "")
        }
        if let view = store.view {
            // The filter's own list of matching events: no scan of the ring.
            let matching = view.sequences(in: store.ring)
            matchingEvents = matching.count
            for sequence in matching.reversed() {
                guard rows.count < streamRows else { break }
                if let r = row(sequence) { rows.append(r) }
            }
        } else {
            var sequence = store.ring.nextSequence - 1
            while sequence >= store.ring.firstSequence && rows.count < streamRows {
                if let r = row(sequence) { rows.append(r) }
                sequence -= 1
            }
        }
        stream = rows
        if let rules = store.rules {
            let byRule = Dictionary(uniqueKeysWithValues: report.alerts.map { ($0.rule, $0) })
            alerts = rules.newestFirst.compactMap { byRule[$0.rule] }
            alertFirings = rules.firings
            latestSevere = rules.latestSevere
            rulesNotEvaluated = rules.notEvaluated
        }
        if let detail { loadDetail(store, detail) }
    }

    private mutating func loadDetail(_ store: EventStore, _ sequence: Int) {
        guard let e = store.ring[sequence: sequence] else {
            detailNote = "This event has left the ring (--capacity); only newer events can be shown."
            return
        }
        let s = store.strings
        detailTitle = "#\(sequence) \(AuditID(high: e.auditIDHigh, low: e.auditIDLow).uuidString)"
        if Int(e.source) < store.sourceNames.count, !store.sourceNames[Int(e.source)].isEmpty {
            detailTitle += " from \(store.sourceNames[Int(e.source)])"
        }
        if let raw = store.rawJSON(sequence: sequence) {
            detailLines = PrettyJSON.lines(raw)
            return
        }
        detailNote = "The raw JSON was dropped by the byte budget (--raw-budget); these are the decoded fields."
        var fields: [(String, String)] = [
            ("stage", e.stage.name), ("level", e.level.name), ("verb", s.string(e.verb)), ("user", s.string(e.user)),
            ("groups", s.string(e.groups).replacingNewlines()), ("impersonatedUser", s.string(e.impersonatedUser)),
            ("sourceIP", s.string(e.sourceIP)), ("userAgent", s.string(e.userAgent)),
            ("resource", e.resourceName(s)), ("namespace", s.string(e.namespace)), ("name", s.string(e.name)),
            ("code", String(e.code)), ("reason", s.string(e.statusReason)), ("decision", e.decision.name),
            ("requestReceivedTimestamp", e.received == 0 ? "" : Timestamp.format(e.received)),
            ("stageTimestamp", e.stageTime == 0 ? "" : Timestamp.format(e.stageTime)),
        ]
        fields.removeAll { $0.1.isEmpty }
        var json: [UInt8] = [UInt8(ascii: "{")]
        for (k, (key, value)) in fields.enumerated() {
            if k > 0 { json.append(UInt8(ascii: ",")) }
            JSONText.appendQuoted(key, to: &json)
            json.append(UInt8(ascii: ":"))
            JSONText.appendQuoted(value, to: &json)
        }
        json.append(UInt8(ascii: "}"))
        detailLines = PrettyJSON.lines(json)
    }
}

/// The lists the Top pane switches between.
public enum TopDimension: Int, CaseIterable, Sendable {
    case users, resources, namespaces, userAgents, sourceIPs, codes, verbs, sources

    public var title: String {
        ["users", "resources", "namespaces", "agents", "source IPs", "codes", "verbs", "sources"][rawValue]
    }
}

extension String {
    func replacingNewlines() -> String { split(separator: "\n").joined(separator: ", ") }
}
