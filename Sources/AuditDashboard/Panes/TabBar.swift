import AuditCore

/// The row of tabs below 160 columns: each pane's number, title and count (`2 Denied 2437`,
/// `7 Alerts 3!` with 3 unacknowledged alerts of medium severity or higher).
public enum TabBar {
    /// One tab as drawn: where it starts, how wide it is, and its text.
    struct Tab {
        var pane: PaneID
        var x: Int
        var text: String
        /// The count, and where in the tab it starts: drawn apart from the title, an `N!` in
        /// its severity's colour.
        var count: String
        var countOffset: Int
    }

    /// Each pane's count for its tab ("" for none): what a click on the tab bar needs to
    /// find the tabs where they are drawn.
    public static func counts(_ m: DashboardModel, _ s: DashboardState) -> [PaneID: String] {
        let serious = m.openSerious(s)
        return [
            .denied: m.deniedTotal > 0 ? BigDigits.format(Double(m.deniedTotal)) : "",
            .unknownUsers: m.unknownUsers.isEmpty ? "" : String(m.unknownUsers.count),
            .alerts: serious > 0 ? "\(serious)!" : (m.alerts.isEmpty ? "" : String(m.alerts.count)),
            .overview: serious > 0 ? "\(serious)!" : "",
        ]
    }

    static let shortTitles: [PaneID: String] = [.unknownUsers: "Unknown", .latency: "Lat"]

    /// The tabs of `panes` with `counts`, fitted to `width`: padded when there is room, else
    /// closer together, else with shorter titles.
    static func layout(width: Int, panes: [PaneID], counts: [PaneID: String]) -> [Tab] {
        func texts(short: Bool) -> [String] {
            panes.map { pane in
                let title = short ? shortTitles[pane] ?? pane.title : pane.title
                let count = counts[pane] ?? ""
                return "\(pane.number) \(title)" + (count.isEmpty ? "" : " " + count)
            }
        }
        for (short, pad) in [(false, true), (false, false), (true, false)] {
            let t = texts(short: short).map { pad ? " \($0) " : $0 }
            let total = t.reduce(0) { $0 + CellWidth.of($1) } + (pad ? 0 : t.count - 1)
            if total <= width || short {
                var x = 0
                return zip(panes, t).map { pane, text in
                    defer { x += CellWidth.of(text) + (pad ? 0 : 1) }
                    let count = counts[pane] ?? ""
                    return Tab(pane: pane, x: x, text: text, count: count,
                               countOffset: CellWidth.of(text) - CellWidth.of(count) - (pad ? 1 : 0))
                }
            }
        }
        return []
    }

    static func draw(_ grid: inout CellGrid, _ r: Rect, _ m: DashboardModel, _ s: DashboardState) {
        let worst = m.alerts.first { $0.severity >= .medium && !s.isAcknowledged($0) }?.severity ?? .medium
        for tab in layout(width: r.width, panes: s.panes, counts: counts(m, s)) where tab.x < r.width {
            let role: Role = tab.pane == s.focus ? .focusTitle : .dim
            grid.put(tab.text, x: r.x + tab.x, y: r.y, role: role, limit: r.width - tab.x)
            if !tab.count.isEmpty {
                let offset = tab.countOffset
                let countRole = tab.count.hasSuffix("!") ? ListPanes.severityRole(worst) : .accent
                grid.put(tab.count, x: r.x + tab.x + offset, y: r.y, role: countRole, limit: r.width - tab.x - offset)
            }
        }
    }

    /// The tab at column `x`, if any.
    static func tab(atX x: Int, width: Int, panes: [PaneID], counts: [PaneID: String]) -> PaneID? {
        layout(width: width, panes: panes, counts: counts).first { x >= $0.x && x < $0.x + CellWidth.of($0.text) }?.pane
    }
}
