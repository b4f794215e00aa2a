import AuditCore

extension Report {
    /// Builds the report from a store's statistics; `limit` caps every top list.
    /// `rates: false` leaves the per-minute series empty (the screen draws its own).
    public init(store: EventStore, limit: Int = 10, rates withRates: Bool = true) {
        let s = store.strings
        let stats = store.visibleStats
        filter = store.view.map { $0.filter.text }
        matchingEvents = store.view.map { $0.count(in: store.ring) }
        func time(_ t: Int64?) -> String? { t.map(Timestamp.format) }
        func names(_ table: CountTable, none: String = "(none)") -> [NameCount] {
            table.top(limit).map { NameCount(name: $0.id == 0 ? none : s.string($0.id), count: $0.count) }
        }
        let counters = store.counters
        sources = Array(store.sourceNames.dropFirst())
        events = counters.ingested
        requests = counters.requests
        duplicates = counters.duplicates
        malformed = Malformed(
            total: counters.malformed.total,
            byKind: Dictionary(uniqueKeysWithValues: MalformedKind.allCases.map { ($0.description, counters.malformed[$0]) }))
        evicted = counters.evicted
        outsideTimeRange = counters.outsideTimeRange
        timeRange = TimeRange(first: time(stats.firstTime), last: time(stats.lastTime))

        var series = withRates ? stats.perMinute.series() : []
        if let first = stats.firstTime {
            let firstMinute = first / 1_000_000 - (first / 1_000_000) % 60
            series.removeAll { $0.time < firstMinute }
        }
        rates = Rates(
            bucketSeconds: 60,
            series: series.map {
                RatePoint(
                    time: Timestamp.format($0.time * 1_000_000), total: Int($0.total), read: Int($0.read),
                    write: Int($0.write), other: Int($0.other), clientErrors: Int($0.count(.clientError)),
                    serverErrors: Int($0.count(.serverError)), denied: Int($0.denied))
            })

        top = Top(
            users: names(stats.users), verbs: names(stats.verbs), resources: names(stats.resources),
            namespaces: names(stats.namespaces), userAgents: names(stats.userAgents),
            sourceIPs: names(stats.sourceIPs),
            codes: stats.codes.top(limit).map { NameCount(name: $0.id == 0 ? "(none)" : String(Int($0.id) - 1), count: $0.count) },
            sources: stats.sources.top(limit).map {
                NameCount(name: Int($0.id) < store.sourceNames.count ? store.sourceNames[Int($0.id)] : "", count: $0.count)
            })
        topErrorBound = stats.topErrorBound

        let groups = stats.denied.groups.sorted {
            $0.value.count != $1.value.count ? $0.value.count > $1.value.count : $0.value.lastSeen > $1.value.lastSeen
        }
        denied = Denied(
            total: stats.denied.total, byUser: names(stats.denied.byUser),
            groups: groups.prefix(limit).map {
                DeniedGroup(
                    user: $0.key.user == 0 ? "(none)" : s.string($0.key.user), verb: s.string($0.key.verb),
                    resource: s.string($0.key.resource), count: $0.value.count,
                    lastSeen: $0.value.lastSeen == 0 ? nil : Timestamp.format($0.value.lastSeen), reason: $0.value.reason)
            },
            latest: stats.denied.latest(limit))

        // By first sight in event time, so saved logs of several apiservers give the same
        // list whatever order they are read in.
        let firstSeen = stats.unknown.order.compactMap { stats.unknown.records[$0] }.sorted {
            if $0.firstSeen != $1.firstSeen { return $0.firstSeen < $1.firstSeen }
            if $0.user != $1.user { return s.string($0.user) < s.string($1.user) }
            return s.string($0.sourceIPKey) < s.string($1.sourceIPKey)
        }
        unknownUsers = firstSeen.map { u in
            return UnknownUserRow(
                user: s.string(u.user), firstSeen: u.firstSeen == 0 ? nil : Timestamp.format(u.firstSeen),
                lastSeen: u.lastSeen == 0 ? nil : Timestamp.format(u.lastSeen), requests: u.requests, denied: u.denied,
                anonymous: u.isAnonymous, verbs: u.verbs.map(s.string).sorted(), resources: u.resources.map(s.string).sorted(),
                sourceIPs: u.sourceIPs.map(s.string).sorted(), userAgents: u.userAgents.map(s.string).sorted(),
                lastRequest: s.string(u.lastVerb) + " " + s.string(u.lastResource), lastSourceIP: s.string(u.lastSourceIP),
                unauthenticated: u.isUnauthenticated, impersonatedBy: u.impersonators.map(s.string).sorted())
        }
        anonymous = Anonymous(requests: stats.anonymousRequests, denied: stats.anonymousDenied)
        var latency: [String: Latency] = [:]
        for (verb, h) in stats.latency where h.count > 0 {
            latency[s.string(verb)] = Latency(
                count: h.count, p50: h.quantile(0.5) ?? 0, p90: h.quantile(0.9) ?? 0, p99: h.quantile(0.99) ?? 0)
        }
        self.latency = latency
        let fired: [Alert] = store.rules.map { Array($0.alerts.values) } ?? []
        let ordered = fired.sorted { (a: Alert, b: Alert) -> Bool in
            if a.severity != b.severity { return a.severity > b.severity }
            if a.count != b.count { return a.count > b.count }
            return a.rule < b.rule
        }
        alerts = ordered.map { (a: Alert) -> AlertRow in
            AlertRow(rule: a.rule, severity: a.severity, description: a.description, count: a.count,
                     first: a.first == 0 ? nil : Timestamp.format(a.first), last: a.last == 0 ? nil : Timestamp.format(a.last),
                     examples: Array(a.examples.suffix(limit).reversed()), origin: a.origin, priority: a.priority,
                     output: a.examples.last?.output, tags: a.tags, id: a.id)
        }
        rulesNotEvaluated = store.rules?.notEvaluated ?? [:]
    }
}
