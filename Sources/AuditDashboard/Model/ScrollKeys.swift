/// The keys that move through a long view (the detail view, a story): one line, a page, the
/// top or the bottom.
enum ScrollKeys {
    /// Moves `scroll` (0...`last`) for a movement key; false when `key` is not one.
    static func move(_ key: Key, _ scroll: inout Int, last: Int, page: Int) -> Bool {
        switch key {
        case .up, .character("k"): scroll = max(0, scroll - 1)
        case .down, .character("j"): scroll = min(last, scroll + 1)
        case .pageUp: scroll = max(0, scroll - page)
        case .pageDown: scroll = min(last, scroll + page)
        case .home, .character("g"): scroll = 0
        case .end, .character("G"): scroll = last
        default: return false
        }
        return true
    }
}
