/// A rectangle of cells.
public struct Rect: Sendable, Equatable {
    public var x: Int
    public var y: Int
    public var width: Int
    public var height: Int

    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = max(width, 0)
        self.height = max(height, 0)
    }

    /// The inside of a box drawn on this rectangle's edge.
    public var inner: Rect { Rect(x: x + 1, y: y + 1, width: width - 2, height: height - 2) }
}

extension CellGrid {
    /// Draws a box around `rect` with `title` in its top edge.
    public mutating func box(_ rect: Rect, title: String, focused: Bool) {
        guard rect.width >= 2, rect.height >= 2 else { return }
        let role: Role = focused ? .focusTitle : .border
        let right = rect.x + rect.width - 1
        let bottom = rect.y + rect.height - 1
        for cx in rect.x...right {
            putCell("─", x: cx, y: rect.y, role: role)
            putCell("─", x: cx, y: bottom, role: role)
        }
        for cy in rect.y...bottom {
            putCell("│", x: rect.x, y: cy, role: role)
            putCell("│", x: right, y: cy, role: role)
        }
        putCell("┌", x: rect.x, y: rect.y, role: role)
        putCell("┐", x: right, y: rect.y, role: role)
        putCell("└", x: rect.x, y: bottom, role: role)
        putCell("┘", x: right, y: bottom, role: role)
        putClipped(" \(title) ", x: rect.x + 2, y: rect.y, role: focused ? .focusTitle : .title, limit: rect.width - 4)
    }
}
