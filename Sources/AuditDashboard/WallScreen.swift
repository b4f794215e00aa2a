import AuditCore

/// What the war-room wall shows besides the model: the counters' recent history, the pane in
/// rotation, and an alert taking over the screen.
public struct WallInfo: Sendable {
    /// One sample a second, oldest first, per counter (`sample(_:)`).
    public var history: [WallCounter: [Double]] = [:]
    /// The pane shown below the counters now.
    public var pane = PaneID.stream
    /// Seconds between pane changes (`--rotate`).
    public var rotateSeconds = 15
    /// A new high or critical alert, shown over everything for a few seconds.
    public var takeover: Report.AlertRow?
    /// Samples kept per counter: ten minutes, wider than any sparkline.
    public static let historyLimit = 600

    public init() {}

    /// The panes the wall rotates through.
    public static let rotation: [PaneID] = [.stream, .alerts, .denied, .unknownUsers, .top, .latency]

    /// Takes one sample of every counter from `m`, keeping the newest `historyLimit`.
    public mutating func sample(_ m: DashboardModel) {
        for counter in WallCounter.allCases {
            var values = history[counter, default: []]
            values.append(counter.value(m))
            if values.count > Self.historyLimit { values.removeFirst(values.count - Self.historyLimit) }
            history[counter] = values
        }
    }

    /// Shows the pane whose turn it is `elapsed` seconds after the wall started.
    public mutating func rotate(elapsed: Double) {
        let turn = Int(max(0, elapsed) / Double(max(1, rotateSeconds)))
        pane = Self.rotation[turn % Self.rotation.count]
    }
}

/// The wall's four big counters.
public enum WallCounter: Int, CaseIterable, Sendable {
    case eventsPerSecond, deniedPerMinute, unknownUsers, alerts

    public var label: String { ["EVENTS/S", "DENIED/MIN", "UNKNOWN USERS", "ALERTS"][rawValue] }

    /// The counter's value now.
    public func value(_ m: DashboardModel) -> Double {
        switch self {
        case .eventsPerSecond:
            // The last complete second is "now": the newest bucket is still filling.
            return m.rates.count >= 2 ? Double(m.rates[m.rates.count - 2].total) : Double(m.rates.last?.total ?? 0)
        case .deniedPerMinute:
            if m.rateBucketSeconds == 60 { return Double(m.rates.last?.denied ?? 0) }
            return m.rates.suffix(61).dropLast().reduce(0) { $0 + Double($1.denied) }
        case .unknownUsers: return Double(m.unknownUsers.count)
        case .alerts: return Double(m.alerts.reduce(0) { $0 + $1.count })
        }
    }

    func role(_ m: DashboardModel, _ value: Double) -> Role {
        switch self {
        case .eventsPerSecond: .normal
        case .deniedPerMinute: value > 0 ? .denied : .normal
        case .unknownUsers: m.unknownUsers.isEmpty ? .normal : .unknownUser
        case .alerts: m.alerts.contains { $0.severity >= .high } ? .severityHigh : .normal
        }
    }
}

/// The war-room wall: the incident strip, four big counters with wide sparklines, the other panes in rotation
/// below, and a new high or critical alert over the whole screen for a few seconds.
public enum WallScreen {
    public static func render(width: Int, height: Int, model: DashboardModel, state: DashboardState, status: StatusInfo,
                              wall: WallInfo) -> CellGrid {
        var grid = CellGrid(width: width, height: height)
        DashboardScreen.statusBar(&grid, model, state, status)
        IncidentStrip.draw(&grid, y: 1, model, state)
        let body = DashboardScreen.bodyRect(width: width, height: height)
        if let alert = wall.takeover {
            takeover(&grid, body, alert)
        } else {
            let counters = countersHeight(body)
            drawCounters(&grid, Rect(x: body.x, y: body.y, width: body.width, height: counters), model, wall,
                         scale: BigDigits.scale(width: body.width, height: body.height), sparkRows: sparkRows(body))
            let rest = Rect(x: body.x, y: body.y + counters, width: body.width, height: body.height - counters)
            if rest.height >= 4 {
                var paneState = state
                paneState.focus = wall.pane
                DashboardScreen.pane(&grid, wall.pane, rest, model, paneState, focused: false)
                let note = " rotates every \(wall.rotateSeconds) s "
                if rest.width > CellWidth.of(note) + 4 { grid.putRight(note, right: rest.x + rest.width - 2, y: rest.y, role: .border) }
            }
        }
        if state.prompt != nil || status.prompt != nil || status.message != nil {
            DashboardScreen.hints(&grid, y: height - 1, state, status)
        } else {
            grid.putClipped("w leave the wall  t theme  / filter  ? help  q quit", x: 0, y: height - 1, role: .dim, limit: width)
        }
        return grid
    }

    /// The four counters: their values now, and the history their sparklines draw.
    public static func counters(_ m: DashboardModel, _ wall: WallInfo) -> [(label: String, value: Double, history: [Double], role: Role)] {
        WallCounter.allCases.map { c in
            let value = c.value(m)
            return (c.label, value, wall.history[c] ?? [], c.role(m, value))
        }
    }

    /// Rows for the counters: label, digits (5 rows, or 10 when there is room), sparkline.
    static func countersHeight(_ body: Rect) -> Int {
        let scale = BigDigits.scale(width: body.width, height: body.height)
        let one = 1 + 5 * scale + sparkRows(body) + 1
        return body.width >= 4 * minimumCell(scale) ? one : 2 * one
    }

    /// Sparklines are two rows high when the screen has room, else one.
    static func sparkRows(_ body: Rect) -> Int { body.height >= 30 ? 2 : 1 }

    static func minimumCell(_ scale: Int) -> Int { 7 * 5 * scale + 4 }

    static func drawCounters(_ grid: inout CellGrid, _ r: Rect, _ m: DashboardModel, _ wall: WallInfo, scale: Int, sparkRows: Int) {
        let items = counters(m, wall)
        let across = r.width >= 4 * minimumCell(scale) ? 4 : 2
        let cellWidth = r.width / across
        let cellHeight = across == 4 ? r.height : r.height / 2
        for (k, item) in items.enumerated() {
            let cell = Rect(x: r.x + (k % across) * cellWidth, y: r.y + (k / across) * cellHeight, width: cellWidth, height: cellHeight)
            grid.putClipped(item.label, x: cell.x + 2, y: cell.y, role: .title, limit: cell.width - 2)
            let text = BigDigits.format(item.value)
            BigDigits.draw(&grid, text, x: cell.x + 2, y: cell.y + 1, scale: scale, role: item.role, limit: cell.width - 3)
            let sparkY = cell.y + 1 + 5 * scale
            sparkline(&grid, item.history, x: cell.x + 2, y: sparkY, width: cell.width - 4, rows: sparkRows)
        }
    }

    /// A sparkline `rows` high over the newest `width` samples, coloured low to high by the
    /// theme's sparkline roles.
    static func sparkline(_ grid: inout CellGrid, _ values: [Double], x: Int, y: Int, width: Int, rows: Int) {
        guard width > 0, rows > 0 else { return }
        let shown = Array(values.suffix(width))
        let peak = max(shown.max() ?? 0, 1)
        // A counter that has not moved draws at half height: steady, not maxed out.
        let flat = shown.count > 1 && shown.allSatisfy { $0 == shown[0] } && shown[0] > 0
        let blocks: [Character] = [" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]
        for (i, v) in shown.enumerated() {
            let level = flat ? 4 * rows : Int((v / peak * Double(8 * rows)).rounded())
            let role = flat ? Role.sparkline[1] : Role.sparkline[min(3, Int(v / peak * 4))]
            for row in 0..<rows {
                // Row 0 is the top: it fills only above the rows below it.
                let filled = level - (rows - 1 - row) * 8
                let c = blocks[max(0, min(8, filled))]
                grid.put(String(c), x: x + width - shown.count + i, y: y + row, role: role, limit: 1)
            }
        }
    }

    /// A new high or critical alert over the whole body.
    static func takeover(_ grid: inout CellGrid, _ r: Rect, _ alert: Report.AlertRow) {
        let role: Role = alert.severity == .critical ? .severityCritical : .statusAlert
        grid.fill(x: r.x, y: r.y, width: r.width, height: r.height, role: role)
        let example = alert.examples.first
        let lines = [
            "\(alert.severity.name.uppercased()) ALERT",
            "",
            alert.rule,
            alert.description,
            "",
            example.map { "\(IdentityName.short($0.user)): \($0.note)" } ?? "",
            example.map { "at \($0.time)" } ?? "",
            "",
            "\(alert.count) so far  (w leaves the wall; 7 is the Alerts pane)",
        ]
        let top = r.y + max(0, (r.height - lines.count) / 2)
        for (k, line) in lines.enumerated() where top + k < r.y + r.height {
            let w = min(CellWidth.of(TerminalText.visible(line)), r.width - 2)
            grid.putClipped(line, x: r.x + max(1, (r.width - w) / 2), y: top + k, role: role, limit: r.width - 2)
        }
    }
}
