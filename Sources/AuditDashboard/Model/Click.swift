import AuditCore

extension DashboardState {
    /// A click at (`x`, `y`) on a screen of `width` x `height`: focuses the pane there (or
    /// the tab) and selects the row under the pointer.
    /// `tabCounts` are the tabs' counts as drawn (`TabBar.counts`).
    public mutating func click(x: Int, y: Int, width: Int, height: Int, rows: [PaneID: Int], tabCounts: [PaneID: String] = [:]) -> Intent {
        guard detail == nil, prompt == nil, story == nil else { return .none }
        if showHelp {
            showHelp = false
            return .redraw
        }
        if y == DashboardScreen.tabRow, !DashboardScreen.isTiled(width: width, height: height),
           let pane = DashboardScreen.tab(atX: x, width: width, panes: panes, counts: tabCounts) {
            focus = pane
            return .redraw
        }
        for (pane, rect) in DashboardScreen.paneRects(width: width, height: height, state: self, alerts: rows[.alerts] ?? 0)
        where x >= rect.x && x < rect.x + rect.width && y >= rect.y && y < rect.y + rect.height {
            focus = pane
            // Rows start below the box's top edge and the header (Top has its list tabs too).
            let visible = rect.height - 3 - (pane == .top ? 1 : 0)
            let line = y - rect.y - 2 - (pane == .top ? 1 : 0)
            let count = rows[pane] ?? 0
            if line >= 0, line < visible, count > 0 {
                let first = max(0, selected(pane) - visible + 1)
                selection[pane] = min(count - 1, first + line)
            }
            return .redraw
        }
        return .none
    }
}
