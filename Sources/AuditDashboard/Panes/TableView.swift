import AuditCore

/// A column of a pane's table: a fixed width, or a share of what is left (`flex`).
struct Column {
    var title: String
    var width: Int
    var flex = 0
    var right = false
    /// Cut a long cell in the middle (names), not at its end.
    var middle = false
}

/// Draws a header and rows into a rectangle: columns sized to fit, long cells ending in
/// "…" (names in the middle), the selected row highlighted and kept in view.
enum TableView {
    static func draw(
        _ grid: inout CellGrid, _ r: Rect, columns: [Column], rows: [[String]], roles: [Role],
        selected: Int?, focused: Bool, empty: String = "(nothing yet)"
    ) {
        draw(&grid, r, columns: columns, count: rows.count, row: { rows[$0] }, role: { $0 < roles.count ? roles[$0] : .normal },
             selected: selected, focused: focused, empty: empty)
    }

    /// `draw` for long lists: `row(i)` and `role(i)` are asked only for the rows in view.
    static func draw(
        _ grid: inout CellGrid, _ r: Rect, columns: [Column], count: Int, row: (Int) -> [String], role roleOf: (Int) -> Role,
        selected: Int?, focused: Bool, empty: String = "(nothing yet)"
    ) {
        guard r.height >= 1, r.width >= 4 else { return }
        let widths = layout(columns, r.width)
        var x = r.x
        for (k, c) in columns.enumerated() where widths[k] > 0 {
            if c.right { grid.putRight(c.title, right: x + widths[k], y: r.y, role: .header) } else {
                grid.putClipped(c.title, x: x, y: r.y, role: .header, limit: widths[k])
            }
            x += widths[k] + 1
        }
        let visible = r.height - 1
        guard visible > 0 else { return }
        if count == 0 {
            grid.putClipped(empty, x: r.x, y: r.y + 1, role: .dim, limit: r.width)
            return
        }
        let sel = selected.map { min(max($0, 0), count - 1) }
        let first = sel.map { max(0, $0 - visible + 1) } ?? 0
        for (line, i) in (first..<min(count, first + visible)).enumerated() {
            let y = r.y + 1 + line
            let isSelected = focused && i == sel
            let role: Role = isSelected ? .selected : roleOf(i)
            let cells = row(i)
            if isSelected { grid.fill(x: r.x, y: y, width: r.width, height: 1, role: .selected) }
            var x = r.x
            for (k, c) in columns.enumerated() where widths[k] > 0 {
                let cell = k < cells.count ? cells[k] : ""
                if c.right {
                    let text = CellWidth.of(cell) > widths[k] ? String(cell.suffix(widths[k])) : cell
                    grid.putRight(text, right: x + widths[k], y: y, role: role)
                } else if c.middle {
                    grid.put(Ellipsis.middle(cell, width: widths[k]), x: x, y: y, role: role, limit: widths[k])
                } else {
                    grid.putClipped(cell, x: x, y: y, role: role, limit: widths[k])
                }
                x += widths[k] + 1
            }
        }
    }

    /// Column widths for `total` cells: fixed ones first (dropping trailing columns that do
    /// not fit), then flexible ones share the rest.
    static func layout(_ columns: [Column], _ total: Int) -> [Int] {
        var widths = columns.map(\.width)
        var used = 0
        for k in widths.indices {
            let need = widths[k] + (k > 0 ? 1 : 0)
            if used + need > total && columns[k].flex == 0 { widths[k] = 0 } else { used += need }
        }
        let flexTotal = columns.reduce(0) { $0 + $1.flex }
        let spare = max(0, total - used)
        if flexTotal > 0 {
            var given = 0
            for k in widths.indices where columns[k].flex > 0 {
                let extra = spare * columns[k].flex / flexTotal
                widths[k] += extra
                given += extra
            }
            if let last = widths.indices.last(where: { columns[$0].flex > 0 }) { widths[last] += spare - given }
        }
        // Never more than the space there is.
        var sum = 0
        for k in widths.indices {
            let room = total - sum - (k > 0 && widths[k] > 0 ? 1 : 0)
            widths[k] = max(0, min(widths[k], room))
            sum += widths[k] + (widths[k] > 0 && k > 0 ? 1 : 0)
        }
        return widths
    }
}

/// Times on screen: the clock time of an event (UTC, seconds).
enum ClockTime {
    static func format(_ micros: Int64) -> String {
        guard micros != 0 else { return "-" }
        let full = Timestamp.format(micros)
        return String(full.dropFirst(11).prefix(8))
    }

    static func fromReport(_ text: String?) -> String {
        guard let text, text.count >= 19 else { return "-" }
        return String(text.dropFirst(11).prefix(8))
    }
}
