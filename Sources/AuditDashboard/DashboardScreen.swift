import AuditCore

/// What the status bar says besides the model: source states, the live rate, the clock.
public struct StatusInfo: Sendable {
    /// Each source's name and state (`following`, `waiting`, `rotated`, `error: …`).
    public var sources: [(name: String, state: String)] = []
    public var eventsPerSecond: Double = 0
    /// Wall clock, `HH:MM:SS`.
    public var clock = ""
    /// Events that arrived while the view was paused.
    public var waiting = 0
    /// A line of input in progress (`/` filter), shown in place of the key hints.
    public var prompt: String?
    /// Beside the `/` prompt: how many ring events the typed filter matches, or its error.
    public var promptHint: String?
    /// A new high or critical alert, flashed in the status bar for a few seconds.
    public var flash: String?
    /// What the last `:` command did (or why it failed), until the next key.
    public var message: String?
    /// The right of the status bar: FOLLOW, SCROLL (N new), PAUSED, REPLAY 10x 42%, DONE
    /// (nil: FOLLOW or PAUSED from the state), and whether it is drawn as an alert.
    public var mode: String?
    public var modeAlert = false

    public init() {}
}

/// Composes the whole screen into a cell grid: status bar, incident strip, panes (tabs with
/// the Overview first below 160 columns, all at once from 160), key hints, and the detail,
/// story or help view on top.
public enum DashboardScreen {
    /// The smallest terminal the dashboard draws in; below it a polite message.
    public static let minimumWidth = 60
    public static let minimumHeight = 15

    public static func render(width: Int, height: Int, model: DashboardModel, state: DashboardState, status: StatusInfo,
                              wall: WallInfo? = nil) -> CellGrid {
        if state.wall, state.detail == nil, !state.showHelp, width >= minimumWidth, height >= minimumHeight {
            return WallScreen.render(width: width, height: height, model: model, state: state, status: status, wall: wall ?? WallInfo())
        }
        var grid = CellGrid(width: width, height: height)
        guard width >= minimumWidth, height >= minimumHeight else {
            let lines = ["audittop needs at least \(minimumWidth)x\(minimumHeight);", "this terminal is \(width)x\(height).", "Enlarge it, or press q to quit."]
            for (k, line) in lines.enumerated() where k < height {
                grid.putClipped(line, x: 0, y: k, role: .warn, limit: width)
            }
            return grid
        }
        statusBar(&grid, model, state, status)
        IncidentStrip.draw(&grid, y: 1, model, state)
        let body = bodyRect(width: width, height: height)
        if let detail = state.detail {
            DetailPane.draw(&grid, body, model, detail)
        } else if state.showHelp {
            HelpPane.draw(&grid, body, replay: state.timelineShown)
        } else if let story = state.story {
            StoryPane.draw(&grid, body, model.story ?? IdentityStory(identity: story.identity), story, suspects: model.suspects)
        } else if isTiled(width: width, height: height) {
            tiles(&grid, body, model, state)
        } else {
            tabs(&grid, body, model, state)
        }
        hints(&grid, y: height - 1, state, status)
        return grid
    }

    /// True when every pane fits at once (160x30 and up): no tabs, no Overview.
    public static func isTiled(width: Int, height: Int) -> Bool { width >= 160 && height >= 30 }

    /// Below the status bar and the incident strip, above the hints.
    static func bodyRect(width: Int, height: Int) -> Rect { Rect(x: 0, y: 2, width: width, height: height - 3) }

    static func statusBar(_ grid: inout CellGrid, _ m: DashboardModel, _ s: DashboardState, _ info: StatusInfo) {
        grid.fill(x: 0, y: 0, width: grid.width, height: 1, role: .status)
        let c = m.counters
        let fill = m.ringCapacity > 0 ? m.ringCount * 100 / m.ringCapacity : 0
        // Counters first: they matter most and have a bounded width; sources go last.
        // A source in error goes first: a dead feed makes every other number stale.
        let ordered = info.sources.filter { $0.state.hasPrefix("error") } + info.sources.filter { !$0.state.hasPrefix("error") }
        let sources = ordered.map { "\(shortSourceName($0.name)): \($0.state)" }.joined(separator: ", ")
        // Below 120 columns the counters go without separators, and evicted and malformed
        // only when there are any, so they still fit at 80.
        let narrow = grid.width < 120
        let losses = narrow
            ? (c.evicted > 0 ? "evicted \(c.evicted) " : "") + (c.malformed.total > 0 ? "malformed \(c.malformed.total) " : "") + "dup \(c.duplicates)"
            : "evicted \(c.evicted) malformed \(c.malformed.total) dup \(c.duplicates)"
        let counters = ["\(c.ingested) events", "\(Format.number(info.eventsPerSecond))/s", "ring \(fill)%", losses]
        var parts = narrow ? [counters.joined(separator: " ")] : ["audittop"] + counters
        // A filtered view says so first: every number on screen depends on it.
        if !s.filterTerms.isEmpty {
            let filter = "filter: " + s.filterTerms.map(\.text).joined(separator: " › ") + (m.matchingEvents.map { " (\($0) events)" } ?? "")
            parts.insert(filter, at: narrow ? 0 : 1)
        }
        if let flash = info.flash { parts.insert("ALERT \(flash)", at: narrow ? 0 : 1) }
        // While learning, newcomers count as known: say so, and for how long.
        if let left = m.learningLeft { parts.insert("learning \(max(1, (left + 59_999_999) / 60_000_000))m", at: narrow ? 0 : 1) }
        if info.sources.contains(where: { $0.state.hasPrefix("error") }) {
            parts.insert(sources, at: (narrow ? 0 : 1) + (info.flash != nil ? 1 : 0))
        } else {
            parts.append(sources.isEmpty ? "no source" : sources)
        }
        let alert = info.flash != nil || info.sources.contains { $0.state.hasPrefix("error") || $0.state.hasPrefix("waiting") }
        let mode = info.mode ?? (s.paused ? "PAUSED (\(info.waiting) waiting)" : "FOLLOW")
        let modeAlert = info.mode == nil ? s.paused : info.modeAlert
        let right = "\(info.clock) \(mode)"
        let rightWidth = CellWidth.of(right)
        grid.putClipped(parts.joined(separator: " │ "), x: 0, y: 0, role: alert ? .statusAlert : .status, limit: grid.width - rightWidth - 1)
        grid.putRight(right, right: grid.width, y: 0, role: modeAlert ? .statusAlert : .status)
    }

    /// A source as the status bar names it: a file by its last component, a listener by its
    /// URL, a command (`exec: aws logs tail ...`) by its program.
    static func shortSourceName(_ name: String) -> String {
        if name.contains("://") { return name }
        if name.hasPrefix("exec: ") {
            let program = name.dropFirst(6).split(separator: " ").first.map(String.init) ?? ""
            return "exec " + (program.split(separator: "/").last.map(String.init) ?? program)
        }
        return name.split(separator: "/").last.map(String.init) ?? name
    }

    static func hints(_ grid: inout CellGrid, y: Int, _ s: DashboardState, _ info: StatusInfo) {
        if let prompt = s.prompt {
            let line = s.promptKind.sigil + prompt + "▏"
            let used = grid.putClipped(line, x: 0, y: y, role: .key, limit: grid.width)
            if let hint = s.promptError ?? info.promptHint, used + 3 < grid.width {
                grid.putClipped("  " + hint, x: used, y: y, role: s.promptError != nil ? .bad : .dim, limit: grid.width - used)
            }
            return
        }
        if let message = info.message {
            grid.putClipped(message, x: 0, y: y, role: .highlight, limit: grid.width)
            return
        }
        if let prompt = info.prompt {
            grid.putClipped(prompt + "▏", x: 0, y: y, role: .key, limit: grid.width)
            return
        }
        let text = s.detail != nil
            ? "↑↓ PgUp/PgDn g/G scroll  w wrap" + (s.detail?.wrap == false ? "  ←→ h/l across" : "") + "  / search  n/N next/previous  q/Esc back"
            : s.story != nil
            ? "↑↓ PgUp/PgDn g/G scroll   Enter open the request   f filter on this identity   Esc/q back"
            : s.timelineShown
            ? "space pause  +/- speed  . step  [ ] { } jump  @ go to  m/c range  ? help  q quit  0-8 pane  Enter open  / filter"
            : "0-7 pane  Tab focus  ↑↓ move  G follow  Enter open  s story  a ack  / filter  ⌫ undo  : command  space pause  w wall  ? help  q quit"
        grid.putClipped(text, x: 0, y: y, role: .dim, limit: grid.width)
    }

    /// Where each visible pane is drawn, for turning a click into a pane and row.
    public static func paneRects(width: Int, height: Int, state: DashboardState, alerts: Int = 0) -> [PaneID: Rect] {
        guard width >= minimumWidth, height >= minimumHeight, state.detail == nil, state.story == nil, !state.showHelp else { return [:] }
        let body = bodyRect(width: width, height: height)
        if isTiled(width: width, height: height) {
            return Dictionary(uniqueKeysWithValues: tileLayout(body, timeline: state.timelineShown, alerts: alerts))
        }
        return [state.focus: Rect(x: body.x, y: body.y + 1, width: body.width, height: body.height - 1)]
    }

    /// The row of the tab bar below 160 columns (under the status bar and the strip).
    public static let tabRow = 2

    /// The tab a click on the tab bar lands on; `counts` as `TabBar.counts` gives them.
    public static func tab(atX x: Int, width: Int, panes: [PaneID] = DashboardState().panes, counts: [PaneID: String] = [:]) -> PaneID? {
        TabBar.tab(atX: x, width: width, panes: panes, counts: counts)
    }

    static func tabs(_ grid: inout CellGrid, _ r: Rect, _ m: DashboardModel, _ s: DashboardState) {
        TabBar.draw(&grid, Rect(x: r.x, y: r.y, width: r.width, height: 1), m, s)
        pane(&grid, s.focus, Rect(x: r.x, y: r.y + 1, width: r.width, height: r.height - 1), m, s, focused: true)
    }

    /// Three bands: Rates, Denied and Alerts; Unknown users, Top and Latency; the Stream below.
    /// The top band grows with the alerts (up to 45% of the body) so that every alert of an
    /// incident shows at once; the Stream gives up the rows.
    static func tiles(_ grid: inout CellGrid, _ r: Rect, _ m: DashboardModel, _ s: DashboardState) {
        for (id, rect) in tileLayout(r, timeline: s.timelineShown, alerts: m.alerts.count) { pane(&grid, id, rect, m, s, focused: id == s.focus) }
    }

    static func tileLayout(_ r: Rect, timeline: Bool = false, alerts: Int = 0) -> [(PaneID, Rect)] {
        let band = max(9, r.height * 3 / 10)
        // An alert a row, under the box's edge and the header.
        let top = max(band, min(alerts + 3, r.height * 45 / 100, r.height - band - 8))
        let rowA = Rect(x: r.x, y: r.y, width: r.width, height: top)
        let rowB = Rect(x: r.x, y: r.y + top, width: r.width, height: band)
        let rowC = Rect(x: r.x, y: r.y + top + band, width: r.width, height: r.height - top - band)
        // Alerts get the widest share of the top band: rule, actor and target must all show.
        let ratesWidth = r.width * 22 / 100
        let alertsWidth = r.width * 40 / 100
        let unknownWidth = r.width / 2
        let topWidth = (r.width - unknownWidth) / 2
        let layout: [(PaneID, Rect)] = [
            (.rates, Rect(x: rowA.x, y: rowA.y, width: ratesWidth, height: top)),
            (.denied, Rect(x: rowA.x + ratesWidth, y: rowA.y, width: r.width - ratesWidth - alertsWidth, height: top)),
            (.alerts, Rect(x: rowA.x + r.width - alertsWidth, y: rowA.y, width: alertsWidth, height: top)),
            (.unknownUsers, Rect(x: rowB.x, y: rowB.y, width: unknownWidth, height: band)),
            (.top, Rect(x: rowB.x + unknownWidth, y: rowB.y, width: topWidth, height: band)),
            (.latency, Rect(x: rowB.x + unknownWidth + topWidth, y: rowB.y, width: r.width - unknownWidth - topWidth, height: band)),
        ]
        // While replaying, the Timeline takes a band above the Stream.
        guard timeline, rowC.height >= 14 else { return layout + [(.stream, rowC)] }
        return layout + [
            (.timeline, Rect(x: rowC.x, y: rowC.y, width: rowC.width, height: 7)),
            (.stream, Rect(x: rowC.x, y: rowC.y + 7, width: rowC.width, height: rowC.height - 7)),
        ]
    }

    static func pane(_ grid: inout CellGrid, _ id: PaneID, _ r: Rect, _ m: DashboardModel, _ s: DashboardState, focused: Bool) {
        var title = "\(id.number) \(id.title)"
        switch id {
        case .denied: title += " (\(m.deniedTotal), \(s.deniedView.title))"
        case .unknownUsers: title += " (\(m.unknownUsers.count))"
        case .rates: title += " \(m.rateWindow.title)"
        case .stream where s.rawStages: title += " (every stage; R: one row per request)"
        case .alerts:
            let serious = m.openSerious(s)
            title += " (\(m.alerts.reduce(0) { $0 + $1.count }))" + (serious > 0 ? " \(serious)!" : "")
        case .timeline: title += "  (m mark start/end at the replay position, c clear)"
        default: break
        }
        grid.box(r, title: title, focused: focused)
        let inner = r.inner
        switch id {
        case .rates: RatesPane.draw(&grid, inner, m, cursor: focused ? s.selected(.rates) : nil)
        case .alerts: ListPanes.alerts(&grid, inner, m, s, focused: focused)
        case .denied: ListPanes.denied(&grid, inner, m, s, focused: focused)
        case .unknownUsers: ListPanes.unknownUsers(&grid, inner, m, s, focused: focused)
        case .stream: ListPanes.stream(&grid, inner, m, s, focused: focused)
        case .top: ListPanes.top(&grid, inner, m, s, focused: focused)
        case .latency: ListPanes.latency(&grid, inner, m, s, focused: focused)
        case .timeline: TimelinePane.draw(&grid, inner, m.timeline, marks: m.alertMarks)
        case .overview: OverviewPane.draw(&grid, inner, m, s, focused: focused)
        }
    }
}

