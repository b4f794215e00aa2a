import AuditCore
import Foundation

/// Digits drawn with blocks, five rows high (ten at scale 2), for reading across a room.
public enum BigDigits {
    static let glyphs: [Character: [String]] = [
        "0": ["████", "█  █", "█  █", "█  █", "████"],
        "1": [" ██ ", "  █ ", "  █ ", "  █ ", " ███"],
        "2": ["████", "   █", "████", "█   ", "████"],
        "3": ["████", "   █", " ███", "   █", "████"],
        "4": ["█  █", "█  █", "████", "   █", "   █"],
        "5": ["████", "█   ", "████", "   █", "████"],
        "6": ["████", "█   ", "████", "█  █", "████"],
        "7": ["████", "   █", "  █ ", " █  ", " █  "],
        "8": ["████", "█  █", "████", "█  █", "████"],
        "9": ["████", "█  █", "████", "   █", "████"],
        ".": [" ", " ", " ", " ", "█"],
        "k": ["█   ", "█ █ ", "██  ", "█ █ ", "█  █"],
        "M": ["█   █", "██ ██", "█ █ █", "█   █", "█   █"],
    ]

    /// Twice the size when the screen is big (a war-room wall), else the plain size.
    public static func scale(width: Int, height: Int) -> Int { width >= 200 && height >= 55 ? 2 : 1 }

    /// A counter as at most five characters: `842`, `12.3k`, `1.2M`.
    public static func format(_ v: Double) -> String {
        let n = max(0, v)
        if n < 10_000 { return String(Int(n.rounded())) }
        if n < 1_000_000 { return n < 100_000 ? String(format: "%.1fk", n / 1000) : "\(Int(n / 1000))k" }
        return String(format: "%.1fM", n / 1_000_000)
    }

    /// Width in cells of `text` drawn at `scale`.
    public static func width(_ text: String, scale: Int) -> Int {
        text.reduce(0) { $0 + ((glyphs[$1]?.first?.count ?? 1) + 1) * scale }
    }

    /// Draws `text` with its top-left at (`x`, `y`), no wider than `limit`.
    static func draw(_ grid: inout CellGrid, _ text: String, x: Int, y: Int, scale: Int, role: Role, limit: Int) {
        var cx = x
        for c in text {
            guard let glyph = glyphs[c] else { continue }
            let w = (glyph[0].count + 1) * scale
            guard cx + w - scale <= x + limit else { return }
            for (row, line) in glyph.enumerated() {
                for (col, ch) in line.enumerated() where ch != " " {
                    for dy in 0..<scale {
                        for dx in 0..<scale {
                            grid.put("█", x: cx + col * scale + dx, y: y + row * scale + dy, role: role, limit: 1)
                        }
                    }
                }
            }
            cx += w
        }
    }
}
