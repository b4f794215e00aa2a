import AuditCore

/// The full event, pretty-printed and scrollable, with `/` search.
enum DetailPane {
    static func draw(_ grid: inout CellGrid, _ r: Rect, _ m: DashboardModel, _ d: DetailState) {
        grid.fill(x: r.x, y: r.y, width: r.width, height: r.height, role: .normal)
        let lines = m.detailLines
        var title = "Event \(m.detailTitle)"
        if !d.search.isEmpty {
            let hits = DetailPane.matches(lines, d.search)
            title += hits.isEmpty ? "  /\(d.search): no match" : "  /\(d.search): \(min(d.match, hits.count - 1) + 1) of \(hits.count)"
        }
        grid.box(r, title: title + "  (Esc back, / search, n/N next/previous)", focused: true)
        let inner = r.inner
        var y = inner.y
        if let note = m.detailNote {
            grid.putClipped(note, x: inner.x, y: y, role: .warn, limit: inner.width)
            y += 1
        }
        let first = min(max(0, d.scroll), max(0, lines.count - 1))
        let needle = d.search.lowercased()
        for line in lines.dropFirst(first) where y < inner.y + inner.height {
            var x = inner.x
            let hit = !needle.isEmpty && PrettyJSON.text(line).lowercased().contains(needle)
            for piece in line where x < inner.x + inner.width {
                x += grid.put(piece.text, x: x, y: y, role: hit ? .highlight : piece.role, limit: inner.x + inner.width - x)
            }
            y += 1
        }
    }

    /// Line numbers that contain `search` (case-insensitive).
    static func matches(_ lines: [[PrettyJSON.Piece]], _ search: String) -> [Int] {
        let needle = search.lowercased()
        guard !needle.isEmpty else { return [] }
        return lines.indices.filter { PrettyJSON.text(lines[$0]).lowercased().contains(needle) }
    }
}
