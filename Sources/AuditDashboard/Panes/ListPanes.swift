import AuditCore

/// The Denied, Unknown users, Stream, Top, Latency and Alerts panes: tables over the model.
enum ListPanes {
    /// Alerts by rule, most severe first, then the latest firing; each with its latest actor
    /// and target. An acknowledged alert is dimmed.
    static func alerts(_ grid: inout CellGrid, _ r: Rect, _ m: DashboardModel, _ s: DashboardState, focused: Bool) {
        if m.alerts.isEmpty {
            if r.height > 0 { grid.putClipped("no rule has fired", x: r.x, y: r.y, role: .dim, limit: r.width) }
        } else {
            TableView.draw(
                &grid, r,
                // Narrow, the rule, its actor and the count matter most; the rest drops off.
                columns: [Column(title: "sev", width: 4), Column(title: "rule", width: 18, flex: 1),
                          Column(title: "actor", width: 20, flex: 2, middle: true), Column(title: "count", width: 5, right: true),
                          Column(title: "target", width: 10, flex: 2), Column(title: "last", width: 8)],
                rows: m.alerts.map {
                    let e = $0.examples.first
                    return [severityTag($0.severity), $0.rule, e.map(IdentityName.actor) ?? "", String($0.count),
                            e.map(Incident.target) ?? "", ClockTime.fromReport($0.last)]
                },
                roles: m.alerts.map { s.isAcknowledged($0) ? .dim : severityRole($0.severity) }, selected: s.selected(.alerts),
                focused: focused)
        }
        // Rules that needed request bodies the policy did not log say so, on the last line.
        if !m.rulesNotEvaluated.isEmpty, r.height > m.alerts.count + 2 {
            let text = "not evaluated (no request bodies logged): "
                + m.rulesNotEvaluated.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
            grid.putClipped(text, x: r.x, y: r.y + r.height - 1, role: .dim, limit: r.width)
        }
    }

    static func severityTag(_ s: Severity) -> String { ["info", "low", "MED", "HIGH", "CRIT"][s.rawValue] }

    static func severityRole(_ s: Severity) -> Role {
        [.severityInfo, .severityLow, .severityMedium, .severityHigh, .severityCritical][s.rawValue]
    }

    static func denied(_ grid: inout CellGrid, _ r: Rect, _ m: DashboardModel, _ s: DashboardState, focused: Bool) {
        switch s.deniedView {
        case .byIdentity:
            TableView.draw(
                &grid, r,
                columns: [Column(title: "identity", width: 14, flex: 2, middle: true), Column(title: "count", width: 6, right: true),
                          Column(title: "most tried", width: 12, flex: 1), Column(title: "last", width: 8),
                          Column(title: "reason", width: 10, flex: 2)],
                rows: m.deniedByIdentity.map {
                    [IdentityName.short($0.user), String($0.count), $0.mostTried + ($0.otherPairs > 0 ? " +\($0.otherPairs)" : ""),
                     ClockTime.format($0.lastSeen), $0.reason]
                },
                roles: m.deniedByIdentity.map { $0.suspicious ? .denied : .normal }, selected: s.selected(.denied), focused: focused)
        case .grouped:
            TableView.draw(
                &grid, r,
                columns: [Column(title: "user", width: 12, flex: 2, middle: true), Column(title: "verb", width: 6),
                          Column(title: "resource", width: 10, flex: 1),
                          Column(title: "count", width: 6, right: true), Column(title: "last", width: 8)],
                rows: m.deniedGroups.map { [IdentityName.short($0.user), $0.verb, $0.resource, String($0.count), ClockTime.fromReport($0.lastSeen)] },
                roles: m.deniedGroups.map { _ in .denied }, selected: s.selected(.denied), focused: focused)
        case .latest:
            TableView.draw(
                &grid, r,
                columns: [Column(title: "time", width: 8), Column(title: "user", width: 10, flex: 2, middle: true), Column(title: "verb", width: 6),
                          Column(title: "resource", width: 8, flex: 1), Column(title: "ns", width: 8), Column(title: "code", width: 4, right: true),
                          Column(title: "reason", width: 10, flex: 2)],
                rows: m.latestDenied.map {
                    [ClockTime.fromReport($0.time), IdentityName.short($0.user), $0.verb, $0.resource, $0.namespace, String($0.code), $0.reason]
                },
                roles: m.latestDenied.map { _ in .denied }, selected: s.selected(.denied), focused: focused)
        }
    }

    static func unknownUsers(_ grid: inout CellGrid, _ r: Rect, _ m: DashboardModel, _ s: DashboardState, focused: Bool) {
        let newest = m.newestEventTime ?? 0
        let rows = m.unknownUsers
        TableView.draw(
            &grid, r,
            columns: [Column(title: "user", width: 12, flex: 2, middle: true), Column(title: "first", width: 8),
                      Column(title: "reqs", width: 5, right: true),
                      Column(title: "denied", width: 6, right: true), Column(title: "last verb/resource", width: 12, flex: 1),
                      Column(title: "source IP", width: 15)],
            rows: rows.map {
                [$0.unauthenticated ? "(unauthenticated)" : IdentityName.short($0.user), ClockTime.fromReport($0.firstSeen), String($0.requests), String($0.denied),
                 $0.lastRequest, $0.lastSourceIP]
            },
            // Arrivals within the last minute of event time stand out.
            roles: rows.map { row in
                let first = row.firstSeen.flatMap(Timestamp.parse) ?? 0
                return newest - first < 60_000_000 ? .unknownUser : (row.denied > 0 ? .warn : .normal)
            },
            selected: s.selected(.unknownUsers), focused: focused)
    }

    /// One row per request; with `R`, every stage, with a stage column.
    static func stream(_ grid: inout CellGrid, _ r: Rect, _ m: DashboardModel, _ s: DashboardState, focused: Bool) {
        var columns = [Column(title: "time", width: 8), Column(title: "code", width: 4, right: true), Column(title: "verb", width: 6),
                       Column(title: "user", width: 12, flex: 2, middle: true), Column(title: "resource", width: 10, flex: 1),
                       Column(title: "namespace/name", width: 12, flex: 2)]
        if s.rawStages { columns.insert(Column(title: "stage", width: 8), at: 1) }
        TableView.draw(
            &grid, r, columns: columns,
            // Only the rows in view are formatted: the Stream holds hundreds.
            count: m.stream.count,
            row: { i in
                let e = m.stream[i]
                var row = [ClockTime.format(e.time), e.code < 0 ? "-" : String(e.code), e.verb,
                           IdentityName.display(user: e.user, impersonated: e.impersonated), e.resource,
                           e.namespace.isEmpty ? e.name : "\(e.namespace)/\(e.name)"]
                if s.rawStages { row.insert(Self.stageTag(e.stage), at: 1) }
                return row
            },
            role: { i in
                let e = m.stream[i]
                return e.denied ? .denied : (e.code >= 500 ? .bad : (e.code >= 400 ? .warn : .normal))
            },
            // Following, the newest row (the last) is the cursor's, so it is always in view.
            selected: s.pinned[.stream] == nil ? max(0, m.stream.count - 1) : s.selected(.stream), focused: focused,
            empty: m.matchingEvents == nil ? "(nothing yet)" : "no event in the ring matches the filter (Backspace or Esc to widen it)")
    }

    static func top(_ grid: inout CellGrid, _ r: Rect, _ m: DashboardModel, _ s: DashboardState, focused: Bool) {
        guard r.height > 0 else { return }
        var tabs = ""
        for d in TopDimension.allCases { tabs += d == s.topDimension ? "[\(d.title)] " : "\(d.title) " }
        grid.putClipped(tabs + " (←/→)", x: r.x, y: r.y, role: .dim, limit: r.width)
        let rows = m.top[s.topDimension] ?? []
        let peak = max(rows.first?.count ?? 1, 1)
        let barWidth = max(0, min(20, r.width / 4))
        TableView.draw(
            &grid, Rect(x: r.x, y: r.y + 1, width: r.width, height: r.height - 1),
            columns: [Column(title: s.topDimension.title, width: 10, flex: 1, middle: s.topDimension == .users),
                      Column(title: "requests", width: 9, right: true),
                      Column(title: "", width: barWidth)],
            rows: rows.map { [s.topDimension == .users ? IdentityName.short($0.name) : $0.name, String($0.count), String(repeating: "█", count: max(1, $0.count * barWidth / peak))] },
            roles: rows.map { _ in .normal }, selected: s.selected(.top), focused: focused)
    }

    static func latency(_ grid: inout CellGrid, _ r: Rect, _ m: DashboardModel, _ s: DashboardState, focused: Bool) {
        TableView.draw(
            &grid, r,
            columns: [Column(title: "verb", width: 8, flex: 1), Column(title: "count", width: 8, right: true),
                      Column(title: "p50", width: 7, right: true), Column(title: "p90", width: 7, right: true),
                      Column(title: "p99", width: 7, right: true)],
            rows: m.latency.map { [$0.verb, String($0.latency.count), Format.seconds($0.latency.p50), Format.seconds($0.latency.p90), Format.seconds($0.latency.p99)] },
            roles: m.latency.map { $0.latency.p99 >= 1 ? .warn : .normal }, selected: s.selected(.latency), focused: focused)
    }

    /// A stage in the Stream's raw view (`R`), in eight cells.
    static func stageTag(_ stage: Stage) -> String {
        switch stage {
        case .requestReceived: "received"
        case .responseStarted: "started"
        case .responseComplete: "complete"
        case .panic: "panic"
        case .unknown: ""
        }
    }
}
