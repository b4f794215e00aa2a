import AuditCore

/// A screen's worth of cells that panes draw into; the terminal layer only copies it out.
/// Tests read it back as text (and a second grid of role letters).
public struct CellGrid: Sendable, Equatable {
    /// One cell: a character (possibly the left half of a wide one) and its role.
    public struct Cell: Sendable, Equatable {
        public var character: Character
        public var role: Role
        /// The right half of a wide character: drawn by its left neighbour.
        public var continuation: Bool
    }

    public let width: Int
    public let height: Int
    public private(set) var cells: [Cell]

    public init(width: Int, height: Int) {
        self.width = max(width, 0)
        self.height = max(height, 0)
        cells = Array(repeating: Cell(character: " ", role: .normal, continuation: false), count: self.width * self.height)
    }

    public subscript(x: Int, y: Int) -> Cell { cells[y * width + x] }

    /// Writes `text` at (`x`, `y`) in `role`, clipped to `limit` cells (and the grid's edge),
    /// after making it visible-safe; wide characters take two cells and are never split.
    /// Returns the cells written.
    @discardableResult
    public mutating func put(_ text: String, x: Int, y: Int, role: Role = .normal, limit: Int? = nil) -> Int {
        guard y >= 0, y < height, x < width else { return 0 }
        let end = min(width, x + (limit ?? width))
        var cx = max(x, 0)
        if Self.isPrintableASCII(text) {
            // Nearly every cell: one byte, one character, one cell, nothing to make safe.
            for b in text.utf8 {
                if cx >= end { break }
                set(cx, y, Character(Unicode.Scalar(b)), role)
                cx += 1
            }
            return cx - max(x, 0)
        }
        for ch in TerminalText.visible(text) {
            let w = ch.unicodeScalars.reduce(0) { $0 + CellWidth.of($1) }
            if w == 0 { continue }
            if cx + w > end {
                if cx < end && w == 2 { set(cx, y, " ", role) }
                break
            }
            set(cx, y, ch, role)
            if w == 2 { cells[y * width + cx + 1] = Cell(character: " ", role: role, continuation: true) }
            cx += w
        }
        return cx - max(x, 0)
    }

    /// Like `put`, ending with "…" when `text` does not fit in `limit` cells.
    @discardableResult
    public mutating func putClipped(_ text: String, x: Int, y: Int, role: Role = .normal, limit: Int) -> Int {
        guard limit > 0 else { return 0 }
        if Self.isPrintableASCII(text) {
            if text.utf8.count <= limit { return put(text, x: x, y: y, role: role, limit: limit) }
            let n = put(text, x: x, y: y, role: role, limit: limit - 1)
            return n + put("…", x: x + n, y: y, role: role, limit: 1)
        }
        let safe = TerminalText.visible(text)
        if CellWidth.of(safe) <= limit { return put(safe, x: x, y: y, role: role, limit: limit) }
        let n = put(safe, x: x, y: y, role: role, limit: limit - 1)
        return n + put("…", x: x + n, y: y, role: role, limit: 1)
    }

    /// Writes one character the code chose (a box's line, a mark) that takes one cell and
    /// needs no making safe; outside the grid it is dropped.
    mutating func putCell(_ c: Character, x: Int, y: Int, role: Role) {
        guard x >= 0, x < width, y >= 0, y < height else { return }
        set(x, y, c, role)
    }

    /// True when every byte of `text` is printable ASCII (a space to `~`): shown as it is,
    /// one cell a byte.
    static func isPrintableASCII(_ text: String) -> Bool {
        text.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F }
    }

    /// Text right-aligned so that it ends at `right` (exclusive).
    public mutating func putRight(_ text: String, right: Int, y: Int, role: Role = .normal) {
        let w = Self.isPrintableASCII(text) ? text.utf8.count : CellWidth.of(TerminalText.visible(text))
        put(text, x: right - w, y: y, role: role, limit: w)
    }

    /// Fills a rectangle's roles (and blanks it when `clear`).
    public mutating func fill(x: Int, y: Int, width w: Int, height h: Int, role: Role, clear: Bool = true) {
        for row in max(y, 0)..<min(y + h, height) {
            for col in max(x, 0)..<min(x + w, width) {
                if clear { cells[row * width + col] = Cell(character: " ", role: role, continuation: false) } else {
                    cells[row * width + col].role = role
                }
            }
        }
    }

    private mutating func set(_ x: Int, _ y: Int, _ c: Character, _ role: Role) {
        let i = y * width + x
        // Overwriting half of a wide character blanks its other half.
        if cells[i].continuation, x > 0 { cells[i - 1].character = " " }
        if x + 1 < width, cells[i + 1].continuation { cells[i + 1] = Cell(character: " ", role: role, continuation: false) }
        cells[i] = Cell(character: c, role: role, continuation: false)
    }

    /// The grid as text, one line per row, trailing spaces kept.
    public var text: String {
        (0..<height).map { row in
            String((0..<width).compactMap { col in self[col, row].continuation ? nil : self[col, row].character })
        }.joined(separator: "\n")
    }

    /// The roles as letters (see `Role.letter`), one line per row.
    public var roles: String {
        (0..<height).map { row in String((0..<width).map { self[$0, row].role.letter }) }.joined(separator: "\n")
    }
}
