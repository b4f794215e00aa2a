import AuditCore
import AuditDashboard
import AuditSources
import AuditTerminal
import Foundation

/// The UI thread's loop: keys in, frames out. Sources run on their own threads; this loop
/// alone touches the terminal, redraws only when data changed or a key came (at most `fps`
/// times a second), and never waits on ingest for longer than one snapshot.
struct DashboardLoop {
    let store: SharedEventStore
    let sources: [any LiveSource]
    let theme: Theme
    let fps: Int
    /// The filter to start with (`--filter`), already checked.
    var filter: String? = nil
    /// Ring the terminal bell on a new high or critical alert.
    var bell = false
    /// The known-users file `:known` appends to.
    var knownUsersFile: String? = nil
    /// Where `t` and `:theme` find themes.
    var themes = ThemeLibrary(folders: [])
    /// Said in the hints line at the start (a theme that could not be used).
    var startMessage: String? = nil
    /// Start on the war-room wall (`--wall`), rotating its pane every `rotate` seconds.
    var wall = false
    var rotate = 15
    /// A kiosk: nothing that writes or changes settings, and q asks again (`--read-only`).
    var readOnly = false

    func run() throws {
        let terminal = try Terminal(theme: theme, noColour: ProcessInfo.processInfo.environment["NO_COLOR"] != nil)
        let stop = StopSignal()
        defer {
            stop.set()
            terminal.stop()
        }
        for source in sources {
            let store = self.store
            let thread = Thread { source.run(into: store, stop: stop) }
            thread.name = "source \(source.name)"
            thread.start()
        }
        var state = DashboardState()
        state.wall = wall
        state.fit(width: terminal.size.0, height: terminal.size.1)
        var wallInfo = WallInfo()
        wallInfo.rotateSeconds = rotate
        let wallStarted = Date().timeIntervalSinceReferenceDate
        var takeover: (alert: Report.AlertRow, until: Double)?
        var quitAsked = 0.0
        if let filter, !filter.isEmpty {
            state.filterParts = [filter]
            state.history = [filter]
        }
        var model = DashboardModel()
        var appliedFilter = ""
        var promptCount: (text: String, hint: String)?
        var seenSevere = 0
        var flash: (rule: String, until: Double)?
        var message: String? = startMessage
        var dirty = true
        var lastGeneration = UInt64.max
        var lastFrame = 0.0
        var lastTick = 0.0
        var samples: [(time: Double, ingested: Int)] = []
        var lastView: ViewKey?
        var goto: String?
        let replay = sources.lazy.compactMap { $0 as? ReplaySource }.first
        let frameInterval = 1.0 / Double(fps)
        /// A new filter is applied to the store: rebuilt from the ring, then incremental.
        func applyFilter() {
            guard state.filterText != appliedFilter else { return }
            appliedFilter = state.filterText
            let filter = (try? Filter.parse(appliedFilter)) ?? .all
            store.withStore { $0.setFilter(filter) }
        }
        /// A fresh model for the current filter, window and open event.
        func snapshot() {
            applyFilter()
            let shown = state
            model = store.withStore {
                DashboardModel(store: $0, streamRows: 500, topRows: 50, rateWindow: shown.rateWindow, detail: shown.detail?.sequence,
                               rawStages: shown.rawStages,
                               // Suspects take two passes over the ring: only for the Overview and the story's header.
                               overview: !shown.tiled && (shown.focus == .overview || shown.story != nil), story: shown.story?.identity)
            }
        }
        while terminal.quitSignal == 0 {
            if let input = terminal.read(timeout: 50) {
                switch input {
                case .resize:
                    state.fit(width: terminal.size.0, height: terminal.size.1)
                    dirty = true
                case .click(let x, let y):
                    let (width, height) = terminal.size
                    let counts = TabBar.counts(model, state)
                    if state.click(x: x, y: y, width: width, height: height, rows: rowCounts(model, state), tabCounts: counts) == .redraw {
                        dirty = true
                    }
                case .key(let key):
                    message = nil
                    if let replay, handleReplayKey(key, replay, &state, &goto) {
                        dirty = true
                        continue
                    }
                    if readOnly, key == .character("q"), state.prompt == nil, state.story == nil {
                        // A kiosk quits only when asked twice.
                        let now = Date().timeIntervalSinceReferenceDate
                        if now - quitAsked < 3 { return }
                        quitAsked = now
                        message = "read-only: press q again within 3 s to quit"
                        dirty = true
                        continue
                    }
                    if key == .character("t"), readOnly, state.prompt == nil, state.detail == nil, !state.showHelp {
                        message = "read-only: the theme stays"
                        dirty = true
                        continue
                    }
                    if key == .character("t"), state.prompt == nil, state.detail == nil, !state.showHelp {
                        // t cycles through the themes found.
                        let names = themes.names
                        let next = names[((names.firstIndex(of: terminal.currentTheme.name) ?? -1) + 1) % names.count]
                        let (loaded, warning) = themes.load(next)
                        terminal.use(loaded)
                        message = warning ?? "theme: \(loaded.name) (\(terminal.depth == .none ? "no colour" : terminal.depth.rawValue + " colours"))"
                        dirty = true
                        continue
                    }
                    // Enter acts on the rows of the current filter, even when keys come faster
                    // than frames (a filter changed by the key before has not been drawn yet).
                    if key == .enter, dirty || state.filterText != appliedFilter { snapshot() }
                    if handleEnter(key, &state, model) {
                        dirty = true
                    } else {
                        let (_, height) = terminal.size
                        let intent = state.handle(key, rows: rowCounts(model, state),
                                                  detailLines: model.detailLines.map(PrettyJSON.text), page: max(1, height - 7), model: model)
                        switch intent {
                        case .quit: return
                        case .redraw: dirty = true
                        case .command(let line):
                            dirty = true
                            guard let said = run(command: line, &state, terminal: terminal, replay: replay) else { return }
                            message = said
                        case .none: break
                        }
                    }
                }
            }
            if lastFrame > 0 { CrashReport.crashIfAsked() }
            let now = Date().timeIntervalSinceReferenceDate
            guard now - lastFrame >= frameInterval else { continue }
            let generation = store.generation
            let tick = now - lastTick >= 1
            guard dirty || tick || (generation != lastGeneration && !state.paused) else { continue }
            applyFilter()
            // While paused the data stays as it was; only a change of what is shown (filter,
            // window, the open event) takes a new snapshot.
            let view = ViewKey(filter: appliedFilter, window: state.rateWindow, detail: state.detail?.sequence,
                               rawStages: state.rawStages, overview: !state.tiled, story: state.story?.identity)
            if !state.paused || view != lastView || model.counters.ingested == 0 {
                lastView = view
                snapshot()
                lastGeneration = generation
            }
            let ingested = store.withStore { $0.counters.ingested }
            // A replay that starts over (going back, a new range) restarts the rate too.
            if let lastSample = samples.last, ingested < lastSample.ingested { samples.removeAll() }
            samples.append((now, ingested))
            samples.removeAll { now - $0.time > 2 }
            var status = StatusInfo()
            status.sources = sources.map { ($0.name, $0.state) }
            if let first = samples.first, now - first.time > 0.2 {
                status.eventsPerSecond = Double(ingested - first.ingested) / (now - first.time)
            }
            status.clock = Self.clock()
            status.waiting = state.paused ? ingested - model.counters.ingested : 0
            if let goto { status.prompt = "go to (14:32, RFC 3339, -5m): " + goto }
            // While a filter is typed: how many ring events it matches, or where it is wrong.
            if let text = state.prompt, state.promptKind == .filter {
                if promptCount?.text != text { promptCount = (text, Self.promptHint(text, store)) }
                status.promptHint = promptCount?.hint
            }
            // A new high or critical alert flashes the status bar (and rings with --bell).
            if let severe = model.latestSevere, severe.firing > seenSevere {
                if seenSevere > 0 || model.counters.ingested > 0 {
                    flash = (severe.rule, now + 5)
                    if let alert = model.alerts.first(where: { $0.rule == severe.rule }) { takeover = (alert, now + 6) }
                    if bell { terminal.bell() }
                }
                seenSevere = severe.firing
            }
            if let f = flash, f.until > now { status.flash = f.rule } else { flash = nil }
            // The wall: a sample of each counter a second, the pane in rotation, and a new
            // high or critical alert over everything for a few seconds.
            if tick || wallInfo.eventsPerSecond.isEmpty {
                let counters = WallScreen.counters(model, wallInfo)
                for (k, c) in counters.enumerated() {
                    switch k {
                    case 0: wallInfo.eventsPerSecond.append(c.value)
                    case 1: wallInfo.deniedPerMinute.append(c.value)
                    case 2: wallInfo.unknownUsers.append(c.value)
                    default: wallInfo.openAlerts.append(c.value)
                    }
                }
                for k in [0, 1, 2, 3] { Self.trim(&wallInfo, k) }
            }
            let rotation = WallInfo.rotation
            wallInfo.pane = rotation[Int((now - wallStarted) / Double(max(1, rotate))) % rotation.count]
            if let t = takeover, t.until > now, state.wall { wallInfo.takeover = t.alert } else {
                wallInfo.takeover = nil
                if let t = takeover, t.until <= now { takeover = nil }
            }
            status.message = message
            let (width, height) = terminal.size
            state.fit(width: width, height: height)
            if let replay {
                state.timelineShown = true
                model.timeline = replay.timelineView(bins: max(1, width - 2))
            }
            terminal.draw(DashboardScreen.render(width: width, height: height, model: model, state: state, status: status, wall: wallInfo))
            lastFrame = now
            if tick { lastTick = now }
            dirty = false
        }
    }

    /// What a snapshot depends on besides the data.
    private struct ViewKey: Equatable {
        var filter: String
        var window: DashboardModel.RateWindow
        var detail: Int?
        var rawStages: Bool
        var overview: Bool
        var story: String?
    }

    /// Replay keys: space pause, +/- speed, . one event, [ ] one minute, { } ten minutes,
    /// g go to a time (typed at the bottom). Returns true when the key was the replay's.
    private func handleReplayKey(_ key: Key, _ replay: ReplaySource, _ state: inout DashboardState, _ goto: inout String?) -> Bool {
        if var text = goto {
            switch key {
            case .enter:
                if let t = replay.parseTarget(text) { replay.go(to: t) }
                goto = nil
            case .escape: goto = nil
            case .backspace:
                if !text.isEmpty { text.removeLast() }
                goto = text
            case .character(let c):
                text.append(c)
                goto = text
            default: break
            }
            return true
        }
        guard state.prompt == nil, state.detail == nil, state.story == nil, !state.showHelp else { return false }
        switch key {
        case .character(" "): replay.togglePause()
        case .character("+"), .character("="): replay.faster()
        case .character("-"): replay.slower()
        case .character("."): replay.stepOne()
        case .character("["): replay.jump(seconds: -60)
        case .character("]"): replay.jump(seconds: 60)
        case .character("{"): replay.jump(seconds: -600)
        case .character("}"): replay.jump(seconds: 600)
        case .character("g"): goto = ""
        case .character("m"): replay.mark()
        case .character("c"): replay.clearRange()
        default: return false
        }
        return true
    }

    /// Keeps the wall's newest 600 samples of counter `k`.
    static func trim(_ wall: inout WallInfo, _ k: Int) {
        func cut(_ a: inout [Double]) { if a.count > 600 { a.removeFirst(a.count - 600) } }
        switch k {
        case 0: cut(&wall.eventsPerSecond)
        case 1: cut(&wall.deniedPerMinute)
        case 2: cut(&wall.unknownUsers)
        default: cut(&wall.openAlerts)
        }
    }

    /// The live count (or the error) beside the `/` prompt.
    static func promptHint(_ text: String, _ store: SharedEventStore) -> String {
        do {
            let filter = try Filter.parse(text)
            if case .all = filter { return "empty: Enter clears the filter" }
            let n = store.withStore { FilterMatcher(filter, reference: $0.stats.lastTime ?? 0).count(in: $0) }
            return "\(n) matching events in the ring"
        } catch {
            return error.description
        }
    }

    /// Runs a `:` command; returns what to say in the hints line, or nil to quit.
    private func run(command line: String, _ state: inout DashboardState, terminal: Terminal, replay: ReplaySource?) -> String? {
        let name = String(line.prefix { $0 != " " })
        let argument = String(line.dropFirst(name.count)).trimmingCharacters(in: .whitespaces)
        if readOnly, ["export", "known", "theme"].contains(name) { return "read-only: :\(name) is off" }
        switch name {
        case "q", "quit": return nil
        case "filter":
            do { _ = try Filter.parse(argument) } catch { return "filter: \(error)" }
            state.filterParts = argument.isEmpty ? [] : [argument]
            if !argument.isEmpty { state.history.append(argument) }
            state.selection[.stream] = 0
            return argument.isEmpty ? "filter cleared" : "filter set"
        case "clear":
            state.filterParts = []
            return "filter cleared"
        case "export":
            guard !argument.isEmpty else { return "export needs a file: :export /tmp/events.jsonl" }
            let path = NSString(string: argument).expandingTildeInPath
            let (written, missing, failure) = store.withStore { Export.write($0, to: path) }
            if let failure { return "export: \(failure)" }
            return "exported \(written) events to \(path)" + (missing > 0 ? " (\(missing) more matched but their raw JSON was dropped by --raw-budget)" : "")
        case "known":
            guard !argument.isEmpty else { return "known needs a user: :known alice@example.com" }
            let file = knownUsersFile ?? Export.defaultKnownUsersFile
            if let failure = Export.append(line: argument, to: file) { return "known: \(failure)" }
            store.withStore { $0.addKnownUser(argument) }
            return "\(argument) is known now (added to \(file))"
        case "theme":
            let (loaded, warning) = themes.load(argument.isEmpty ? "default" : argument)
            terminal.use(loaded)
            return warning ?? "theme: \(loaded.name)"
        case "speed":
            guard let replay else { return "speed: only a replay has a speed" }
            guard let speed = ReplayClock.parseSpeed(argument) else { return "speed takes 1x, 10x, 0.5x or max" }
            replay.setSpeed(speed)
            return "speed: \(argument)"
        default:
            return "unknown command :\(name); commands: " + Completion.commands.map(\.name).joined(separator: ", ")
        }
    }

    /// Enter on a row: an identity opens its story; a Stream row or a latest denial opens
    /// the event; anywhere else the row's term is added to the filter (drill-down).
    private func handleEnter(_ key: Key, _ state: inout DashboardState, _ model: DashboardModel) -> Bool {
        guard key == .enter, state.detail == nil, state.story == nil, state.prompt == nil, !state.showHelp else { return false }
        if state.openStoryOnEnter(model) { return true }
        let row = state.selected(state.focus)
        switch state.focus {
        case .stream where row < model.stream.count:
            state.detail = DetailState(sequence: model.stream[row].sequence)
        case .denied where state.deniedView == .latest && row < model.latestDenied.count:
            let id = model.latestDenied[row].auditID
            guard let sequence = store.withStore({ DashboardLoop.find(auditID: id, in: $0) }) else { return false }
            state.detail = DetailState(sequence: sequence)
        default:
            guard let term = DrillDown.term(state, model) else { return false }
            state.drillDown(term)
            state.focus = .stream
        }
        return true
    }

    /// The newest ring event with this auditID (searched newest first).
    static func find(auditID: String, in store: EventStore) -> Int? {
        var sequence = store.ring.nextSequence - 1
        while sequence >= store.ring.firstSequence {
            if let e = store.ring[sequence: sequence], AuditID(high: e.auditIDHigh, low: e.auditIDLow).uuidString == auditID {
                return sequence
            }
            sequence -= 1
        }
        return nil
    }

    private func rowCounts(_ m: DashboardModel, _ s: DashboardState) -> [PaneID: Int] {
        [
            .stream: m.stream.count, .overview: m.suspects.count,
            .denied: [m.deniedByIdentity.count, m.latestDenied.count, m.deniedGroups.count][s.deniedView.rawValue],
            .unknownUsers: m.unknownUsers.count, .top: m.top[s.topDimension]?.count ?? 0, .latency: m.latency.count,
            .alerts: m.alerts.count, .rates: m.rates.count,
        ]
    }

    static func clock() -> String {
        let t = Int64(Date().timeIntervalSince1970 * 1_000_000)
        return String(Timestamp.format(t).dropFirst(11).prefix(8))
    }
}
