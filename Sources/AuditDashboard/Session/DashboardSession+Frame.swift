import AuditCore

/// What a frame needs, as `DashboardSession.plan` decides it.
public enum FramePlan: Equatable, Sendable {
    /// Nothing to draw yet (the frame rate's limit, or nothing changed).
    case wait
    /// Draw the model held (paused: the data stays as it was).
    case draw
    /// Take a snapshot for `request`, `receive` it, then draw.
    case snapshotAndDraw
}

extension DashboardSession {
    /// Whether a frame is due at `now` (seconds since 1970) with the store at `generation`:
    /// at most `fps` a second, when a key came, the data changed (unless paused) or a second
    /// passed (the clock, the wall's samples).
    public mutating func plan(now: Double, generation: UInt64) -> FramePlan {
        self.now = now
        guard now - lastFrame >= 1 / Double(max(1, settings.fps)) else { return .wait }
        let tick = now - lastTick >= 1
        guard dirty || tick || (generation != lastGeneration && !state.paused) else { return .wait }
        // While paused only a change of what is shown (filter, window, the open event) takes
        // a new snapshot.
        let changed = lastView.map { $0.ignoringAnchor != request.ignoringAnchor } ?? true
        guard !state.paused || changed || model.counters.ingested == 0 else { return .draw }
        lastGeneration = generation
        return .snapshotAndDraw
    }

    /// A snapshot taken for `request`. Cursors find their rows again, and a new high or
    /// critical alert flashes the status bar, takes over the wall, and rings with `--bell`.
    public mutating func receive(_ m: DashboardModel, for request: ViewRequest) -> [SessionEffect] {
        let timeline = model.timeline
        model = m
        if model.timeline == nil { model.timeline = timeline }
        lastView = request
        state.followRows(m)
        dirty = true
        guard let severe = m.latestSevere else { return [] }
        // A replay that starts over counts its firings from nothing.
        if severe.firing < seenSevere { seenSevere = 0 }
        guard severe.firing > seenSevere else { return [] }
        seenSevere = severe.firing
        flash = (severe.rule, now + 5)
        if let alert = m.alerts.first(where: { $0.rule == severe.rule }) { takeover = (alert, now + 6) }
        return settings.bell ? [.bell] : []
    }

    /// Once a frame, before `render`: what the sources say and how much is ingested (for the
    /// live rate), a replay's progress and timeline. Samples the wall's counters each second.
    public mutating func update(now: Double, ingested: Int, sources: [(name: String, state: String)] = [],
                                replay: ReplayProgress? = nil, timeline: TimelineInfo? = nil) {
        self.now = now
        // A replay that starts over (going back, a new range) restarts the rate too.
        if let last = rateSamples.last, ingested < last.ingested { rateSamples.removeAll() }
        rateSamples.append((now, ingested))
        rateSamples.removeAll { now - $0.time > 2 }
        if let first = rateSamples.first, now - first.time > 0.2 {
            eventsPerSecond = Double(ingested - first.ingested) / (now - first.time)
        }
        self.sources = sources
        self.replay = replay
        if let timeline { model.timeline = timeline }
        waiting = state.paused ? max(0, ingested - model.counters.ingested) : 0
        if now - lastTick >= 1 || wall.history.isEmpty {
            wall.sample(model)
            lastTick = now
        }
        wall.rotate(elapsed: now - started)
        if let t = takeover, t.until <= now { takeover = nil }
        wall.takeover = state.wall ? takeover?.alert : nil
        if let f = flash, f.until <= now { flash = nil }
        updatePromptHint()
        lastFrame = now
        dirty = false
    }

    /// The typed filter the `/` prompt wants counted in the ring, when it has changed and
    /// parses; the program answers with `counted`.
    public var filterToCount: Filter? {
        guard let text = state.prompt, state.promptKind == .filter, promptHint?.text != text,
              let filter = try? Filter.parse(text), filter != .all
        else { return nil }
        return filter
    }

    /// How many ring events the prompt's filter matches.
    public mutating func counted(_ matching: Int) {
        guard let text = state.prompt else { return }
        promptHint = (text, "\(matching) matching events in the ring")
        dirty = true
    }

    /// An empty or wrong filter is said at once; a good one waits for `counted`.
    mutating func updatePromptHint() {
        guard let text = state.prompt, state.promptKind == .filter else {
            promptHint = nil
            return
        }
        guard promptHint?.text != text else { return }
        do {
            if try Filter.parse(text) == .all { promptHint = (text, "empty: Enter clears the filter") }
        } catch {
            promptHint = (text, error.description)
        }
    }

    /// What the status bar says on the right: FOLLOW, SCROLL (N new), PAUSED, REPLAY, DONE.
    var mode: (text: String, alert: Bool) {
        if let replay {
            if replay.done { return ("DONE", false) }
            return (replay.paused ? "REPLAY PAUSED \(replay.percent)%" : "REPLAY \(replay.speed) \(replay.percent)%", replay.paused)
        }
        if state.paused { return ("PAUSED (\(waiting) waiting)", true) }
        if state.pinned[.stream] != nil, state.focus == .stream || state.tiled {
            return ("SCROLL (\(model.streamNewer) new)", true)
        }
        if state.focus == .denied, state.deniedView == .latest, state.pinned[.denied] != nil {
            return ("SCROLL (\(state.selected(.denied)) new)", true)
        }
        return ("FOLLOW", false)
    }

    /// The screen as it is now.
    public func render() -> CellGrid {
        var status = StatusInfo()
        status.sources = sources
        status.eventsPerSecond = eventsPerSecond
        status.clock = String(Timestamp.format(Int64(now * 1_000_000)).dropFirst(11).prefix(8))
        status.waiting = waiting
        status.mode = mode.text
        status.modeAlert = mode.alert
        if let goTo { status.prompt = "go to (14:32, RFC 3339, -5m): " + goTo }
        if let hint = promptHint, hint.text == state.prompt { status.promptHint = hint.hint }
        status.flash = flash?.rule
        status.message = message
        return DashboardScreen.render(width: width, height: height, model: model, state: state, status: status, wall: wall)
    }
}
