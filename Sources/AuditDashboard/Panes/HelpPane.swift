import AuditCore

/// Every key, in one place.
enum HelpPane {
    static let keys: [(String, String)] = [
        ("0-7 (8)", "jump to a pane (0: the Overview, below 160 columns; 8: the timeline)"),
        ("Tab / Shift-Tab", "next / previous pane"), ("↑ ↓  j k", "move the selection; it then stays on its row (SCROLL)"),
        ("PgUp PgDn", "move a page"), ("g G  Home End", "first / last row; G and End follow the newest again"),
        ("Enter", "an identity: its story; an event: open it; elsewhere add the row to the filter"),
        ("s", "the story of the row's identity (an alert's actor), else of the strip's"),
        ("a", "acknowledge the strip's alert (it comes back if its rule fires again)"),
        ("Backspace", "drop the filter's last term"), ("Esc", "back; clear the filter"),
        ("space", "pause the view (ingest goes on)"), ("/", "filter: user=*@example.com verb=delete,patch code>=400 (↑↓ history, Tab fields)"),
        (":", "command: filter, clear, export FILE, known USER, theme NAME, speed S, q (Tab completes)"),
        ("← →  h l", "top: previous / next list; rates: move the cursor over time; detail: across"),
        ("r", "rates window: 60 s, 10 min, 24 h"), ("w", "the war-room wall: big counters, panes in rotation"),
        ("t", "next theme"), ("v", "denied: by identity, latest, or by user + verb + resource"),
        ("R", "stream: every stage of a request, or one row per request"),
        ("f", "story: filter on its identity"),
        ("w  n N", "detail: wrap long lines or not; next / previous match"), ("?", "this help"),
        ("q  Ctrl-C", "quit (q closes a detail view, a story or this help first)"),
    ]

    /// Keys of a replay, which take over space.
    static let replayKeys: [(String, String)] = [
        ("space", "replay: pause / resume"), ("+ -", "replay: faster / slower"), (".", "replay: one event forward"),
        ("[ ]  { }", "replay: one / ten minutes back, forward"), ("@", "replay: go to a time (14:32, RFC 3339, -5m)"),
        ("m  c", "timeline: mark a range's start, then end / clear it"),
    ]

    static func draw(_ grid: inout CellGrid, _ r: Rect, replay: Bool) {
        grid.box(r, title: "Keys (any key closes)", focused: true)
        let all = replay ? replayKeys + keys.filter { $0.0 != "space" } : keys
        for (k, (key, what)) in all.enumerated() where k < r.inner.height {
            grid.put(key, x: r.inner.x + 1, y: r.inner.y + k, role: .key, limit: 18)
            grid.putClipped(what, x: r.inner.x + 20, y: r.inner.y + k, role: .normal, limit: r.inner.width - 21)
        }
    }
}
