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
        /// Who the request acted as (`impersonatedUser`), or "".
        public var impersonated = ""
        /// The stage this row shows: the latest one in the ring, unless raw stages are shown.
        public var stage = Stage.responseComplete
        public var sourceIP = ""
        /// The request's auditID.
        public var auditID = AuditID(high: 0, low: 0)
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
    /// The Stream's rows, oldest first, the newest last.
    public var stream: [EventRow] = []
    /// Events after the row the Stream's cursor stays on (`ViewRequest.anchor`).
    public var streamNewer = 0
    public var top: [TopDimension: [Report.NameCount]] = [:]
    public var latency: [(verb: String, latency: Report.Latency)] = []
    /// Newest event time seen, microseconds.
    public var newestEventTime: Int64?
    /// Event time left in the learning window (microseconds), while it is open: until then
    /// newcomers are learned as known, and the baseline rules wait.
    public var learningLeft: Int64?
    /// The open event, pretty-printed: from its raw JSON, or its decoded fields when the
    /// raw body was dropped by the byte budget.
    public var detailLines: [[PrettyJSON.Piece]] = []
    public var detailTitle = ""
    /// Shown above the detail when the raw JSON is gone.
    public var detailNote: String?
    /// Rules that fired, most severe first, then the latest firing first.
    public var alerts: [Report.AlertRow] = []
    /// Where alerts of medium severity or higher fired, for the timeline's marks.
    public var alertMarks: [AlertMark] = []
    /// Denials by identity, suspicious identities first (see `DeniedIdentity`).
    public var deniedByIdentity: [DeniedIdentity] = []
    /// The most suspicious identities, for the Overview (empty unless asked for).
    public var suspects: [Suspect] = []
    /// The latest denials of identities that are not the platform's own (`system:` users,
    /// `system:anonymous` aside; nor failed logins, which have no user), newest first.
    public var outsideDenials: [EventRow] = []
    /// The open identity's story (see `IdentityStory`).
    public var story: IdentityStory?
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

    /// Copies what the panes need from `store`: `streamRows` newest requests (every stage
    /// when `rawStages`), `topRows` per list, the Overview's suspects when `overview`, and the
    /// story of `story`. Call under the store's lock; only the suspects and a story read the
    /// whole ring.
    public init(store: EventStore, streamRows: Int = 200, topRows: Int = 50, rateWindow: RateWindow = .minute,
                detail: Int? = nil, rawStages: Bool = false, overview: Bool = true, story: String? = nil, anchor: Int? = nil) {
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
        if let learn = store.stats.unknown.learn, let start = store.stats.unknown.learningStarted, let now = store.stats.lastTime,
            now < start + learn
        {
            learningLeft = start + learn - now
        }
        let report = Report(store: store, limit: topRows, rates: false)
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
        matchingEvents = report.matchingEvents
        (stream, streamNewer) = Self.streamRows(store, limit: streamRows, rawStages: rawStages, anchor: anchor)
        if let rules = store.rules {
            // Most severe first; among equals the one that fired last.
            let lastFiring = rules.alerts.mapValues(\.lastFiring)
            alerts = report.alerts.sorted {
                $0.severity != $1.severity ? $0.severity > $1.severity : (lastFiring[$0.rule] ?? 0) > (lastFiring[$1.rule] ?? 0)
            }
            alertFirings = rules.firings
            latestSevere = rules.latestSevere
            rulesNotEvaluated = rules.notEvaluated
            alertMarks = rules.severeFirings.map { AlertMark(time: $0.time, severity: $0.severity) }
        }
        deniedByIdentity = DeniedIdentity.rows(store, alerts: alerts, unknown: unknownUsers, limit: topRows)
        if overview {
            suspects = Suspect.list(store, alerts: alerts, unknown: unknownUsers, limit: topRows)
            outsideDenials = Self.outsideDenialRows(store, limit: topRows)
        }
        if let story { self.story = IdentityStory(store, identity: story) }
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
