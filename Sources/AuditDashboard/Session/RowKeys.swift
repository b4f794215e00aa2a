import AuditCore

/// What identifies a pane's row across snapshots, so a cursor moved onto a row stays on it
/// while new data moves the rows (as lnav and k9s do), and where a live list's newest row is.
enum RowKeys {
    /// The key of every row of `pane`, in the order drawn.
    static func keys(_ pane: PaneID, _ m: DashboardModel, _ s: DashboardState) -> [String] {
        switch pane {
        case .stream: return m.stream.map { s.rawStages ? "#\($0.sequence)" : $0.auditID.uuidString }
        case .overview: return m.suspects.map(\.identity)
        case .denied:
            switch s.deniedView {
            case .byIdentity: return m.deniedByIdentity.map(\.user)
            case .latest: return m.latestDenied.map(\.auditID)
            case .grouped: return m.deniedGroups.map { "\($0.user)\u{0}\($0.verb)\u{0}\($0.resource)" }
            }
        case .unknownUsers: return m.unknownUsers.map { $0.unauthenticated || $0.anonymous ? "\($0.user)\u{0}\($0.lastSourceIP)" : $0.user }
        case .top: return (m.top[s.topDimension] ?? []).map(\.name)
        case .latency: return m.latency.map(\.verb)
        case .alerts: return m.alerts.map(\.rule)
        // The Rates cursor counts back from the newest bucket.
        case .rates: return m.rates.reversed().map { String($0.time) }
        case .timeline: return []
        }
    }

    /// Where a live list's newest row is while it follows: the Stream's last row, the latest
    /// denials' first; nil for the other panes, whose rows are ranked, not timed.
    static func followRow(_ pane: PaneID, _ m: DashboardModel, _ s: DashboardState) -> Int? {
        switch pane {
        case .stream: return max(0, m.stream.count - 1)
        case .denied where s.deniedView == .latest: return 0
        default: return nil
        }
    }
}

extension DashboardState {
    /// After the cursor of `pane` moved: on a live list's newest row it follows again, else it
    /// stays on the row it is on now.
    mutating func pinSelection(_ pane: PaneID, _ m: DashboardModel) {
        let keys = RowKeys.keys(pane, m, self)
        let row = selected(pane)
        if let newest = RowKeys.followRow(pane, m, self), row == newest || keys.isEmpty {
            pinned[pane] = nil
        } else {
            pinned[pane] = keys.indices.contains(row) ? keys[row] : nil
        }
    }

    /// A new model arrived: a pinned cursor finds its row again (or, when the row is gone,
    /// stays where it was and lets go); a following list's cursor goes to the newest row.
    mutating func followRows(_ m: DashboardModel) {
        for pane in PaneID.allCases {
            let keys = RowKeys.keys(pane, m, self)
            if let key = pinned[pane] {
                if let row = keys.firstIndex(of: key) {
                    selection[pane] = row
                } else {
                    pinned[pane] = nil
                    selection[pane] = max(0, min(selected(pane), keys.count - 1))
                }
            } else if let newest = RowKeys.followRow(pane, m, self) {
                selection[pane] = newest
            }
        }
    }

    /// The Stream's cursor is on a row of its own, not following: the sequence the next
    /// snapshot keeps in its rows.
    func streamAnchor(_ m: DashboardModel) -> Int? {
        guard pinned[.stream] != nil, m.stream.indices.contains(selected(.stream)) else { return nil }
        return m.stream[selected(.stream)].sequence
    }
}
