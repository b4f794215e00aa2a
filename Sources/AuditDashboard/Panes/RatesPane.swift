import AuditCore

/// Sparklines of total, read, write, 4xx and 5xx requests over the chosen window, with the
/// current, average and peak values.
enum RatesPane {
    static let blocks: [Character] = [" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]

    /// `cursor` (when focused) counts buckets back from the newest: it is drawn under the
    /// sparklines and Enter filters to that bucket.
    static func draw(_ grid: inout CellGrid, _ r: Rect, _ model: DashboardModel, cursor: Int? = nil) {
        let series: [(String, Role, (RateBucket) -> Int32)] = [
            ("total", .accent, { $0.total }), ("read", .read, { $0.read }), ("write", .write, { $0.write }),
            ("4xx", .warn, { $0.count(.clientError) }), ("5xx", .bad, { $0.count(.serverError) }),
        ]
        let unit = model.rateBucketSeconds == 1 ? "/s" : "/min"
        let statsWidth = min(34, max(0, r.width - 16))
        let sparkWidth = max(0, r.width - 7 - statsWidth)
        var y = r.y
        // Averages count only the buckets since the data began, and not the newest one,
        // which is still filling (it is drawn dim, so its lower bar does not read as a drop).
        let started = model.rates.firstIndex { $0.total > 0 } ?? model.rates.count
        for (label, role, value) in series where y < r.y + r.height {
            let values = model.rates.map { Int(value($0)) }
            grid.put(label, x: r.x, y: y, role: .header, limit: 6)
            let shown = Array(values.suffix(sparkWidth))
            let peak = max(values.max() ?? 0, 1)
            var line = ""
            for v in shown { line.append(blocks[v == 0 ? 0 : max(1, v * 8 / peak)]) }
            let partial = line.isEmpty ? "" : String(line.removeLast())
            grid.put(line, x: r.x + 6, y: y, role: role, limit: sparkWidth)
            if !partial.isEmpty { grid.put(partial, x: r.x + 6 + shown.count - 1, y: y, role: .dim, limit: 1) }
            let complete = values.count > 1 ? Array(values[min(started, values.count - 1)..<(values.count - 1)]) : values
            let now = complete.last ?? 0
            let average = complete.isEmpty ? 0 : Double(complete.reduce(0, +)) / Double(complete.count)
            let stats = "now \(now) avg \(Format.number(average)) peak \(complete.max() ?? 0)\(unit)"
            grid.putClipped(stats, x: r.x + r.width - statsWidth, y: y, role: .normal, limit: statsWidth)
            y += 1
        }
        guard y < r.y + r.height else { return }
        if let cursor, !model.rates.isEmpty {
            let k = max(0, model.rates.count - 1 - cursor)
            let bucket = model.rates[k]
            let column = min(sparkWidth, model.rates.count) - 1 - cursor
            if column >= 0 { grid.put("▲", x: r.x + 6 + column, y: y, role: .accent, limit: 1) }
            let label = ClockTime.format(bucket.time * 1_000_000)
            let text = "\(label): \(bucket.total) requests, \(bucket.denied) denied  (←/→ move, Enter filters to it)"
            let x = column >= 0 && column + 2 + CellWidth.of(text) < sparkWidth ? r.x + 8 + column : r.x + 6 + max(0, sparkWidth)
            grid.putClipped(text, x: min(x, r.x + r.width - 1), y: y, role: .normal, limit: r.x + r.width - min(x, r.x + r.width - 1))
        } else {
            grid.putClipped("window \(model.rateWindow.title)  (r: 60 s / 10 min / 24 h)", x: r.x, y: y, role: .dim, limit: r.width)
        }
    }
}
