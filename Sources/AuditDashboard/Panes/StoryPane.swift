import AuditCore

/// An identity's story: who (and why it is suspect), first seen, networks, agents, then
/// every request it made in the ring in time order, with the alerts that fired on each.
enum StoryPane {
    static func draw(_ grid: inout CellGrid, _ r: Rect, _ story: IdentityStory, _ state: StoryState, suspects: [Suspect]) {
        grid.box(r, title: "Story of \(IdentityName.fit(story.identity, width: max(10, r.width - 40)))  (Esc back, f filter)", focused: true)
        let inner = r.inner
        guard inner.height >= 4 else { return }
        let reasons = suspects.first { $0.identity == story.identity }?.reasons ?? []
        let header = [
            ("identity", story.identity + (reasons.isEmpty ? "" : "   (" + reasons.joined(separator: ", ") + ")")),
            ("seen", "first \(ClockTime.format(story.firstSeen))  last \(ClockTime.format(story.lastSeen))  "
                + "\(story.requests) requests in the ring, \(story.denied) denied"
                + (story.dropped > 0 ? " (the oldest \(story.dropped) not shown)" : "")),
            ("networks", list(story.networks)),
            ("agents", list(story.agents)),
        ]
        for (k, (label, value)) in header.enumerated() {
            grid.put(label, x: inner.x, y: inner.y + k, role: .header, limit: 9)
            grid.putClipped(value, x: inner.x + 10, y: inner.y + k, role: k == 0 && !reasons.isEmpty ? .unknownUser : .normal,
                            limit: inner.width - 10)
        }
        // "as" (impersonation) only when a request of the story was made as someone else.
        let impersonation = story.lines.contains { !$0.actingAs.isEmpty }
        var columns = [Column(title: "", width: 1), Column(title: "time", width: 8), Column(title: "code", width: 4, right: true),
                       Column(title: "verb", width: 6), Column(title: "resource", width: 10, flex: 1),
                       Column(title: "namespace/name", width: 10, flex: 2), Column(title: "alerts", width: 12, flex: 2),
                       Column(title: "source IP", width: 15)]
        if impersonation { columns.append(Column(title: "as", width: 10, flex: 1, middle: true)) }
        TableView.draw(
            &grid, Rect(x: inner.x, y: inner.y + header.count, width: inner.width, height: inner.height - header.count),
            columns: columns,
            rows: story.lines.map {
                [$0.isNew ? "+" : "", ClockTime.format($0.time), $0.code < 0 ? "-" : String($0.code), $0.verb, $0.resource,
                 $0.namespace.isEmpty ? $0.name : "\($0.namespace)/\($0.name)", $0.alerts.joined(separator: ", "), $0.sourceIP, $0.actingAs]
            },
            roles: story.lines.map { line in
                line.severity.map(ListPanes.severityRole) ?? (line.denied ? .denied : (line.isNew ? .highlight : .normal))
            },
            selected: state.scroll, focused: true, empty: "no request by this identity is in the ring")
    }

    /// `203.0.113.0/24 (13), 198.51.100.0/24 (2)`.
    static func list(_ items: [Report.NameCount]) -> String {
        items.isEmpty ? "-" : items.map { "\($0.name) (\($0.count))" }.joined(separator: ", ")
    }
}
