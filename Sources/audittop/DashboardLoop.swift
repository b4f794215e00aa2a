import AuditCore
import AuditDashboard
import AuditSources
import AuditTerminal
import Foundation

/// The UI thread: reads input, feeds the `DashboardSession`, takes the snapshots it asks
/// for, does its effects and draws. Sources run on their own threads; only this thread
/// touches the terminal, and it never holds the store for longer than one snapshot.
struct DashboardLoop {
    let store: SharedEventStore
    let sources: [any LiveSource]
    let theme: Theme
    let settings: SessionSettings
    /// The known-users file `:known` appends to.
    let knownUsersFile: String
    /// Where `t` and `:theme` find themes.
    let themes: ThemeLibrary

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
        let replay = sources.lazy.compactMap { $0 as? ReplaySource }.first
        var session = DashboardSession(settings: settings, width: terminal.size.0, height: terminal.size.1, now: Self.now)
        var drawn = false
        while terminal.quitSignal == 0 {
            if let input = terminal.read(timeout: 50) {
                let given: SessionInput = switch input {
                case .resize: .resize(width: terminal.size.0, height: terminal.size.1)
                case .click(let x, let y): .click(x: x, y: y)
                case .key(let key): .key(key)
                }
                if session.needsModel(before: given) { snapshot(&session, terminal) }
                for effect in session.handle(given, now: Self.now) {
                    guard perform(effect, &session, terminal, replay) else { return }
                }
            }
            if drawn { CrashReport.crashIfAsked() }
            let now = Self.now
            switch session.plan(now: now, generation: store.generation) {
            case .wait: continue
            case .draw: break
            case .snapshotAndDraw:
                guard snapshot(&session, terminal) else { return }
            }
            if let filter = session.filterToCount {
                session.counted(store.withStore { FilterMatcher(filter, reference: $0.stats.lastTime ?? 0).count(in: $0) })
            }
            let (width, height) = terminal.size
            if session.width != width || session.height != height { session.resize(width: width, height: height) }
            session.update(now: now, ingested: store.withStore { $0.counters.ingested }, sources: sources.map { ($0.name, $0.state) },
                           replay: replay?.progress.map { ReplayProgress(speed: $0.speed, paused: $0.paused, percent: $0.percent, done: $0.done) },
                           timeline: replay?.timelineView(bins: max(1, width - 2)))
            terminal.draw(session.render())
            drawn = true
        }
    }

    /// Takes the snapshot the session asks for and hands it over; false when an effect of it
    /// quits.
    @discardableResult
    private func snapshot(_ session: inout DashboardSession, _ terminal: Terminal) -> Bool {
        let request = session.request
        for effect in session.receive(DashboardModel.snapshot(store, request), for: request) {
            guard perform(effect, &session, terminal, nil) else { return false }
        }
        return true
    }

    /// Does what the session asked; false to quit.
    private func perform(_ effect: SessionEffect, _ session: inout DashboardSession, _ terminal: Terminal, _ replay: ReplaySource?) -> Bool {
        switch effect {
        case .quit: return false
        case .bell: terminal.bell()
        case .cycleTheme:
            let names = themes.names
            let next = names[((names.firstIndex(of: terminal.currentTheme.name) ?? -1) + 1) % names.count]
            let (loaded, warning) = themes.load(next)
            terminal.use(loaded)
            session.say(warning ?? "theme: \(loaded.name) (\(terminal.depth == .none ? "no colour" : terminal.depth.rawValue + " colours"))")
        case .useTheme(let name):
            let (loaded, warning) = themes.load(name.isEmpty ? "default" : name)
            terminal.use(loaded)
            session.say(warning ?? "theme: \(loaded.name)")
        case .export(let file):
            let path = NSString(string: file).expandingTildeInPath
            let (written, missing, failure) = store.withStore { Export.write($0, to: path) }
            if let failure { session.say("export: \(failure)") } else {
                session.say("exported \(written) events to \(path)"
                    + (missing > 0 ? " (\(missing) more matched but their raw JSON was dropped by --raw-budget)" : ""))
            }
        case .addKnownUser(let user):
            if let failure = Export.append(line: user, to: knownUsersFile) {
                session.say("known: \(failure)")
            } else {
                store.withStore { $0.addKnownUser(user) }
                session.say("\(user) is known now (added to \(knownUsersFile))")
            }
        case .openAuditID(let id):
            if let sequence = store.withStore({ Self.find(auditID: id, in: $0) }) {
                session.openDetail(sequence: sequence)
            } else {
                session.say("that denial's event has left the ring (--capacity)")
            }
        case .replay(let action):
            guard let replay else { break }
            switch action {
            case .togglePause: replay.togglePause()
            case .faster: replay.faster()
            case .slower: replay.slower()
            case .stepOne: replay.stepOne()
            case .mark: replay.mark()
            case .clearRange: replay.clearRange()
            case .jump(let seconds): replay.jump(seconds: seconds)
            case .goTo(let text):
                if let t = replay.parseTarget(text) { replay.go(to: t) } else { session.say("go to: '\(text)' is not a time") }
            case .speed(let text):
                if let speed = ReplayClock.parseSpeed(text) { replay.setSpeed(speed) }
            }
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

    static var now: Double { Date().timeIntervalSince1970 }
}
