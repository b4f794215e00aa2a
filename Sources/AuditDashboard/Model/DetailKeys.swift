import AuditCore

extension DashboardState {
    /// A key in the detail view: scroll (by screen rows, `G` to the last screenful), `w`
    /// wrap on and off, ← → (or `h` `l`) across unwrapped lines, `/` search, `n` `N` the next
    /// and previous match; `q`, Esc and Backspace close it.
    mutating func handleDetail(_ key: Key, _ open: DetailState, _ layout: DetailLayout) -> Intent {
        var d = open
        if ScrollKeys.move(key, &d.scroll, last: layout.lastScroll, page: max(1, layout.page)) {
            detail = d
            return .redraw
        }
        switch key {
        case .escape, .backspace, .character("q"):
            detail = nil
            return .redraw
        case .character("w"):
            d.wrap.toggle()
            d.column = 0
            // The same line stays at the top.
            let line = layout.rows.indices.contains(d.scroll) ? layout.rows[d.scroll].line : 0
            let other = DetailLayout(lines: layout.lines, width: layout.width, wrap: d.wrap, page: layout.page)
            d.scroll = min(other.firstRow(ofLine: line), other.lastScroll)
        case .left, .character("h"):
            guard !d.wrap else { return .none }
            d.column = max(0, d.column - max(1, layout.width / 4))
        case .right, .character("l"):
            guard !d.wrap else { return .none }
            d.column = min(max(0, layout.widest - layout.width), d.column + max(1, layout.width / 4))
        case .character("/"):
            prompt = ""
            promptKind = .detailSearch
            return .redraw
        case .character("n"), .character("N"):
            let hits = layout.hits(d.search)
            guard !hits.isEmpty else { return .none }
            d.match = (d.match + (key == .character("n") ? 1 : hits.count - 1)) % hits.count
            d.scroll = min(hits[d.match], layout.lastScroll)
        case .character("?"):
            showHelp = true
            return .redraw
        default: return .none
        }
        detail = d
        return .redraw
    }
}
