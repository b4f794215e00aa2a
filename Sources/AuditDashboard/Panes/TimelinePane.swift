import AuditCore

/// What the Timeline pane shows during a replay: events and denials per bin over the whole
/// loaded span, where the replay is, and the range that restricts every pane.
public struct TimelineInfo: Sendable, Equatable {
    public var events: [Int]
    public var denied: [Int]
    public var first: Int64
    public var last: Int64
    public var cursor: Int64
    public var markedStart: Int64?
    public var rangeStart: Int64?
    public var rangeEnd: Int64?

    public init(events: [Int], denied: [Int], first: Int64, last: Int64, cursor: Int64,
                markedStart: Int64? = nil, rangeStart: Int64? = nil, rangeEnd: Int64? = nil) {
        self.events = events
        self.denied = denied
        self.first = first
        self.last = last
        self.cursor = cursor
        self.markedStart = markedStart
        self.rangeStart = rangeStart
        self.rangeEnd = rangeEnd
    }

    /// The column of event time `t`, for `bins` columns.
    func column(_ t: Int64) -> Int {
        let span = max(last - first, 1)
        return min(events.count - 1, max(0, Int((t - first) * Int64(events.count) / (span + 1))))
    }
}

/// A histogram of the replayed span: bars of events, a line of denials, and an axis with
/// the replay cursor (▲) and the range ([ … ]).
enum TimelinePane {
    static let blocks: [Character] = [" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]

    static func draw(_ grid: inout CellGrid, _ r: Rect, _ t: TimelineInfo?) {
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
