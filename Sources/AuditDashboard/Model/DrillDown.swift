import AuditCore

/// Enter on a row that stands for a set of events: the filter term that selects them.
public enum DrillDown {
    /// The term for the focused pane's selected row, or nil when the row is not one
    /// (`(none)`, an empty list, or a pane whose Enter opens an event).
    public static func term(_ state: DashboardState, _ model: DashboardModel) -> String? {
        let row = state.selected(state.focus)
        func q(_ value: String) -> String { Filter.quoted(value) }
        switch state.focus {
        case .top:
            guard let rows = model.top[state.topDimension], row < rows.count, rows[row].name != "(none)" else { return nil }
            let name = rows[row].name
            let field: Filter.Field = switch state.topDimension {
            case .users: .user
            case .resources: .resource
            case .namespaces: .ns
            case .userAgents: .agent
            case .sourceIPs: .ip
            case .codes: .code
            case .verbs: .verb
            case .sources: .source
            }
            return "\(field.rawValue)=\(q(name))"
        case .unknownUsers:
            guard row < model.unknownUsers.count else { return nil }
            // Anonymous and unauthenticated clients are rows per source IP.
            let u = model.unknownUsers[row]
            if u.unauthenticated { return "ip=\(q(u.lastSourceIP)) code=401" }
            if u.anonymous { return "user=\(q(u.user)) ip=\(q(u.lastSourceIP))" }
            return "user=\(q(u.user))"
        case .denied where state.deniedView == .grouped:
            guard row < model.deniedGroups.count else { return nil }
            let g = model.deniedGroups[row]
            var terms = ["verb=\(q(g.verb))", "resource=\(q(g.resource))"]
            if g.user != "(none)" { terms.insert("user=\(q(g.user))", at: 0) }
            return terms.joined(separator: " ")
        case .rates:
            guard !model.rates.isEmpty else { return nil }
            let bucket = model.rates[max(0, model.rates.count - 1 - row)]
            let start = bucket.time * 1_000_000
            let end = start + Int64(model.rateBucketSeconds) * 1_000_000
            return "time>=\(Timestamp.format(start)) time<\(Timestamp.format(end))"
        case .alerts:
            guard row < model.alerts.count else { return nil }
            return "alert=\(q(model.alerts[row].rule))"
        default:
            return nil
        }
    }
}
