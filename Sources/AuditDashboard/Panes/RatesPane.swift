import AuditCore

/// Sparklines of total, read, write, 4xx and 5xx requests over the chosen window, with the
/// current, average and peak values.
enum RatesPane {
    static let blocks: [Character] = [" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]

    static func draw(_ grid: inout CellGrid, _ r: Rect, _ model: DashboardModel) {
        let series: [(String, Role, (RateBucket) -> Int32)] = [
            ("total", .accent, { $0.total }), ("read", .read, { $0.read }), ("write", .write, { $0.write }),
            ("4xx", .warn, { $0.count(.clientError) }), ("5xx", .bad, { $0.count(.serverError) }),
        ]
        let unit = model.rateBucketSeconds == 1 ? "/s" : "/min"
        let statsWidth = min(34, max(0, r.width - 16))
        let sparkWidth = max(0, r.width - 7 - statsWidth)
        var y = r.y
        for (label, role, value) in series where y < r.y + r.height {
            let values = model.rates.map { Int(value($0)) }
            grid.put(label, x: r.x, y: y, role: .header, limit: 6)
            let shown = Array(values.suffix(sparkWidth))
            let peak = max(values.max() ?? 0, 1)
            var line = ""
            for v in shown { line.append(blocks[v == 0 ? 0 : max(1, v * 8 / peak)]) }
            grid.put(line, x: r.x + 6, y: y, role: role, limit: sparkWidth)
            // The last bucket is still filling: "now" is the last complete one.
            let now = values.count >= 2 ? values[values.count - 2] : (values.last ?? 0)
            let average = values.isEmpty ? 0 : Double(values.reduce(0, +)) / Double(values.count)
            let stats = "now \(now) avg \(Format.number(average)) peak \(values.max() ?? 0)\(unit)"
            grid.putClipped(stats, x: r.x + r.width - statsWidth, y: y, role: .normal, limit: statsWidth)
            y += 1
        }
        if y < r.y + r.height {
            grid.putClipped("window \(model.rateWindow.title)  (w: 60 s / 10 min / 24 h)", x: r.x, y: y, role: .dim, limit: r.width)
        }
    }
}
