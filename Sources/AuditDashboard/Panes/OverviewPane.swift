import AuditCore

/// The first screen below 160 columns: alert counts by severity, the most suspicious
/// identities (Enter opens one's story), and the latest denials outside the platform.
enum OverviewPane {
    static func draw(_ grid: inout CellGrid, _ r: Rect, _ m: DashboardModel, _ s: DashboardState, focused: Bool) {
        guard r.height >= 3, r.width >= 20 else { return }
        counts(&grid, Rect(x: r.x, y: r.y, width: r.width, height: 1), m, s)
        let rest = r.height - 2
        let suspectRows = m.outsideDenials.isEmpty ? rest : max(3, min(m.suspects.count + 2, rest * 3 / 5))
        grid.putClipped("Suspicious identities (Enter: story)", x: r.x, y: r.y + 1, role: .title, limit: r.width)
        TableView.draw(
            &grid, Rect(x: r.x, y: r.y + 2, width: r.width, height: suspectRows - 1),
            columns: [Column(title: "identity", width: 18, flex: 2, middle: true), Column(title: "why", width: 16, flex: 3),
                      Column(title: "reqs", width: 5, right: true), Column(title: "denied", width: 6, right: true),
                      Column(title: "last", width: 8), Column(title: "source IP", width: 15), Column(title: "first", width: 8)],
            rows: m.suspects.map {
                [IdentityName.short($0.identity), $0.reasons.joined(separator: ", "), String($0.requests), String($0.denied),
                 ClockTime.format($0.lastSeen), $0.lastSourceIP, ClockTime.format($0.firstSeen)]
            },
            roles: m.suspects.map { $0.severity.map(ListPanes.severityRole) ?? .unknownUser },
            selected: s.selected(.overview), focused: focused, empty: "no suspicious identity: no unknown user, no alert of medium or higher")
        let y = r.y + 1 + suspectRows
        guard r.y + r.height - y >= 3 else { return }
        grid.putClipped("Latest denials outside the platform (its identities: config print)", x: r.x, y: y, role: .title, limit: r.width)
        TableView.draw(
            &grid, Rect(x: r.x, y: y + 1, width: r.width, height: r.y + r.height - y - 1),
            columns: [Column(title: "time", width: 8), Column(title: "identity", width: 18, flex: 2, middle: true),
                      Column(title: "verb", width: 6), Column(title: "resource", width: 10, flex: 1),
                      Column(title: "namespace/name", width: 10, flex: 1), Column(title: "code", width: 4, right: true),
                      Column(title: "source IP", width: 15)],
            rows: m.outsideDenials.map {
                [ClockTime.format($0.time), IdentityName.display(user: $0.user, impersonated: $0.impersonated), $0.verb, $0.resource,
                 $0.namespace.isEmpty ? $0.name : "\($0.namespace)/\($0.name)", String($0.code), $0.sourceIP]
            },
            roles: m.outsideDenials.map { _ in .denied }, selected: nil, focused: false)
    }

    /// `Alerts  1 CRIT  2 HIGH  3 MED  4 low  0 info   5 unacknowledged`, each in its colour.
    static func counts(_ grid: inout CellGrid, _ r: Rect, _ m: DashboardModel, _ s: DashboardState) {
        var x = r.x + grid.put("Alerts ", x: r.x, y: r.y, role: .title, limit: r.width)
        for severity in Severity.allCases.reversed() {
            let n = m.alerts.filter { $0.severity == severity }.count
            let text = " \(n) \(ListPanes.severityTag(severity)) "
            x += grid.put(text, x: x, y: r.y, role: n > 0 ? ListPanes.severityRole(severity) : .dim, limit: r.x + r.width - x)
        }
        let open = m.alerts.filter { !s.isAcknowledged($0) }.count
        grid.putClipped("  \(open) unacknowledged", x: x, y: r.y, role: .dim, limit: r.x + r.width - x)
    }
}
