import AuditCore

/// A histogram of the replayed span: bars of events, a line of denials, and an axis with
/// the replay cursor (▲) and the range ([ … ]); a `!` on the top row where an alert of
/// medium severity or higher fired, in its severity's colour.
enum TimelinePane {
    static let blocks: [Character] = [" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]

    static func draw(_ grid: inout CellGrid, _ r: Rect, _ t: TimelineInfo?, marks: [AlertMark] = []) {
        guard let t, !t.events.isEmpty, r.height >= 3, r.width >= 10 else {
            grid.putClipped("The timeline shows while replaying (audittop --replay FILES).", x: r.x, y: r.y, role: .dim, limit: r.width)
            return
        }
        let bars = r.height - 2
        let peak = max(t.events.max() ?? 1, 1)
        let deniedPeak = max(t.denied.max() ?? 1, 1)
        let inRange = { (x: Int) -> Bool in
            guard let s = t.rangeStart, let e = t.rangeEnd else { return false }
            return x >= t.column(s) && x <= t.column(e - 1)
        }
        for x in 0..<min(r.width, t.events.count) {
            // Eighths of a cell, stacked from the bottom row up.
            var level = t.events[x] * bars * 8 / peak
            if t.events[x] > 0 && level == 0 { level = 1 }
            for row in 0..<bars {
                let fill = min(8, max(0, level - row * 8))
                if fill > 0 {
                    grid.put(String(blocks[fill]), x: r.x + x, y: r.y + bars - 1 - row, role: inRange(x) ? .highlight : .accent, limit: 1)
                }
            }
            let d = t.denied[x]
            if d > 0 { grid.put(String(blocks[max(1, d * 8 / deniedPeak)]), x: r.x + x, y: r.y + bars, role: .bad, limit: 1) }
        }
        // Marks: the worst severity per column wins (marks come sorted by time, then severity).
        var worst: [Int: Severity] = [:]
        for mark in marks where mark.time >= t.first && mark.time <= t.last {
            let x = t.column(mark.time)
            if x >= 0, x < r.width { worst[x] = max(worst[x] ?? mark.severity, mark.severity) }
        }
        for (x, severity) in worst { grid.put("!", x: r.x + x, y: r.y, role: ListPanes.severityRole(severity), limit: 1) }
        // The axis: the span's ends, the range and the replay cursor.
        let axis = r.y + r.height - 1
        grid.put(ClockTime.format(t.first), x: r.x, y: axis, role: .dim, limit: 8)
        grid.putRight(ClockTime.format(t.last), right: r.x + r.width, y: axis, role: .dim)
        if let s = t.rangeStart, let e = t.rangeEnd {
            grid.put("[", x: r.x + t.column(s), y: axis, role: .key, limit: 1)
            grid.put("]", x: r.x + t.column(e - 1), y: axis, role: .key, limit: 1)
        }
        if let m = t.markedStart { grid.put("[", x: r.x + t.column(m), y: axis, role: .warn, limit: 1) }
        grid.put("▲", x: r.x + t.column(min(t.cursor, t.last)), y: axis, role: .highlight, limit: 1)
    }
}
