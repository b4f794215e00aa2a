import AuditCore

/// The open event laid out for the screen: its pretty-printed lines, wrapped at the width or
/// not, as screen rows. The detail view draws it and its keys scroll it, so both agree on
/// what the last screenful is.
public struct DetailLayout: Sendable {
    public typealias Row = (line: Int, pieces: [PrettyJSON.Piece])
    public let lines: [[PrettyJSON.Piece]]
    public let width: Int
    public let wrap: Bool
    /// Rows that fit on the screen at once.
    public let page: Int
    public let rows: [Row]
    /// The widest line, in cells (for scrolling across unwrapped lines).
    public let widest: Int

    public init(lines: [[PrettyJSON.Piece]], width: Int, wrap: Bool, page: Int) {
        self.lines = lines
        self.width = max(1, width)
        self.wrap = wrap
        self.page = max(1, page)
        var rows: [Row] = []
        var widest = 0
        for (k, line) in lines.enumerated() {
            widest = max(widest, line.reduce(0) { $0 + CellWidth.of($1.text) })
            if wrap { rows += Self.wrapped(line, width: self.width).map { (k, $0) } } else { rows.append((k, line)) }
        }
        self.rows = rows
        self.widest = widest
    }

    /// The first row of the last screenful: where `G` stops.
    public var lastScroll: Int { max(0, rows.count - page) }

    /// The row a source line starts on.
    public func firstRow(ofLine line: Int) -> Int { rows.firstIndex { $0.line >= line } ?? max(0, rows.count - 1) }

    /// The first row of every line that contains `search` (case-insensitive).
    public func hits(_ search: String) -> [Int] {
        let needle = search.lowercased()
        guard !needle.isEmpty else { return [] }
        return lines.indices.filter { PrettyJSON.text(lines[$0]).lowercased().contains(needle) }.map(firstRow(ofLine:))
    }

    /// `line` cut into rows of at most `width` cells; a continuation row keeps the line's
    /// indentation, so a wrapped value still reads as part of its key.
    static func wrapped(_ line: [PrettyJSON.Piece], width: Int) -> [[PrettyJSON.Piece]] {
        let indent = line.first.map { $0.text.prefix { $0 == " " }.count } ?? 0
        let lead = min(indent, width / 2)
        var rows: [[PrettyJSON.Piece]] = []
        var row: [PrettyJSON.Piece] = []
        var used = 0
        for piece in line {
            var run = ""
            for ch in TerminalText.visible(piece.text) {
                let w = CellWidth.of(String(ch))
                if used + w > width, used > lead {
                    if !run.isEmpty { row.append((run, piece.role)) }
                    rows.append(row)
                    row = [(String(repeating: " ", count: lead), .normal)]
                    used = lead
                    run = ""
                }
                run.append(ch)
                used += w
            }
            if !run.isEmpty { row.append((run, piece.role)) }
        }
        rows.append(row)
        return rows
    }
}

/// The full event, pretty-printed and scrollable, with `/` search.
enum DetailPane {
    /// Rows of the detail view's text on a screen of `width` x `height` (the body, less the
    /// box and the note about dropped raw JSON).
    static func textRect(width: Int, height: Int, note: Bool) -> Rect {
        let inner = DashboardScreen.bodyRect(width: width, height: height).inner
        return Rect(x: inner.x, y: inner.y + (note ? 1 : 0), width: inner.width, height: max(1, inner.height - (note ? 1 : 0)))
    }

    static func draw(_ grid: inout CellGrid, _ r: Rect, _ m: DashboardModel, _ d: DetailState) {
        grid.fill(x: r.x, y: r.y, width: r.width, height: r.height, role: .normal)
        let text = textRect(width: grid.width, height: grid.height, note: m.detailNote != nil)
        let layout = DetailLayout(lines: m.detailLines, width: text.width, wrap: d.wrap, page: text.height)
        var title = "Event \(m.detailTitle)"
        if !d.search.isEmpty {
            let hits = layout.hits(d.search)
            title += hits.isEmpty ? "  /\(d.search): no match" : "  /\(d.search): \(min(d.match, hits.count - 1) + 1) of \(hits.count)"
        }
        if !d.wrap { title += d.column > 0 ? "  (no wrap, column \(d.column + 1))" : "  (no wrap)" }
        grid.box(r, title: title + "  (q back, w wrap, / search)", focused: true)
        if let note = m.detailNote {
            grid.putClipped(note, x: r.inner.x, y: r.inner.y, role: .warn, limit: r.inner.width)
        }
        let first = min(max(0, d.scroll), layout.lastScroll)
        let needle = d.search.lowercased()
        var y = text.y
        for row in layout.rows.dropFirst(first) where y < text.y + text.height {
            let hit = !needle.isEmpty && PrettyJSON.text(layout.lines[row.line]).lowercased().contains(needle)
            var x = text.x
            var skip = layout.wrap ? 0 : d.column
            for piece in row.pieces where x < text.x + text.width {
                var shown = TerminalText.visible(piece.text)
                if skip > 0 {
                    let cut = shown.prefix(skip)
                    skip -= cut.count
                    shown = String(shown.dropFirst(cut.count))
                }
                guard !shown.isEmpty else { continue }
                x += grid.put(shown, x: x, y: y, role: hit ? .highlight : piece.role, limit: text.x + text.width - x)
            }
            y += 1
        }
    }
}
