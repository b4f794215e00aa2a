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
        var model = DashboardModel()
        var dirty = true
        var lastGeneration = UInt64.max
        var lastFrame = 0.0
        var lastTick = 0.0
        var samples: [(time: Double, ingested: Int)] = []
        var lastView: ViewKey?
        var goto: String?
        let replay = sources.lazy.compactMap { $0 as? ReplaySource }.first
        let frameInterval = 1.0 / Double(fps)
        while terminal.quitSignal == 0 {
            if let input = terminal.read(timeout: 50) {
                switch input {
                case .resize:
                    dirty = true
                case .click(let x, let y):
                    let (width, height) = terminal.size
                    if state.click(x: x, y: y, width: width, height: height, rows: rowCounts(model, state)) == .redraw { dirty = true }
                case .key(let key):
                    if let replay, handleReplayKey(key, replay, &state, &goto)
                    {
                        dirty = true
                    } else if handleEnter(key, &state, model) {
                        dirty = true
                    } else {
                        let (_, height) = terminal.size
                        let intent = state.handle(key, rows: rowCounts(model, state),
                                                  detailLines: model.detailLines.map(PrettyJSON.text), page: max(1, height - 6))
                        if intent == .quit { return }
                        if intent == .redraw { dirty = true }
                    }
                }
            }
            let now = Date().timeIntervalSinceReferenceDate
            guard now - lastFrame >= frameInterval else { continue }
            let generation = store.generation
            let tick = now - lastTick >= 1
            guard dirty || tick || (generation != lastGeneration && !state.paused) else { continue }
            // While paused the data stays as it was; only a change of what is shown (filter,
            // window, the open event) takes a new snapshot.
            let view = ViewKey(filter: state.filter, window: state.rateWindow, detail: state.detail?.sequence)
            if !state.paused || view != lastView || model.counters.ingested == 0 {
                lastView = view
                let snapshot = state
                model = store.withStore {
                    DashboardModel(store: $0, streamRows: 500, topRows: 50, rateWindow: snapshot.rateWindow,
                                   filter: snapshot.filter, detail: snapshot.detail?.sequence)
                }
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
            let (width, height) = terminal.size
            if let replay {
                state.timelineShown = true
                model.timeline = replay.timelineView(bins: max(1, width - 2))
            }
            terminal.draw(DashboardScreen.render(width: width, height: height, model: model, state: state, status: status))
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
        guard state.prompt == nil, state.detail == nil, !state.showHelp else { return false }
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

    /// Enter on a row that stands for events: a Stream row or a latest denial opens the
    /// event; an unknown user or a top-list row filters the stream by it.
    private func handleEnter(_ key: Key, _ state: inout DashboardState, _ model: DashboardModel) -> Bool {
        guard key == .enter, state.detail == nil, state.prompt == nil, !state.showHelp else { return false }
        let row = state.selected(state.focus)
        switch state.focus {
        case .stream where row < model.stream.count:
            state.detail = DetailState(sequence: model.stream[row].sequence)
        case .denied where !state.deniedGrouped && row < model.latestDenied.count:
            let id = model.latestDenied[row].auditID
            guard let sequence = store.withStore({ DashboardLoop.find(auditID: id, in: $0) }) else { return false }
            state.detail = DetailState(sequence: sequence)
        case .unknownUsers where row < model.unknownUsers.count:
            state.filter = model.unknownUsers[row].user
            state.focus = .stream
            state.selection[.stream] = 0
        case .top:
            guard let rows = model.top[state.topDimension], row < rows.count else { return false }
            state.filter = rows[row].name
            state.focus = .stream
            state.selection[.stream] = 0
        default:
            return false
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
            .stream: m.stream.count, .denied: s.deniedGrouped ? m.deniedGroups.count : m.latestDenied.count,
            .unknownUsers: m.unknownUsers.count, .top: m.top[s.topDimension]?.count ?? 0, .latency: m.latency.count,
        ]
    }

    static func clock() -> String {
        let t = Int64(Date().timeIntervalSince1970 * 1_000_000)
        return String(Timestamp.format(t).dropFirst(11).prefix(8))
    }
}
