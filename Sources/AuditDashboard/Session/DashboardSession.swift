import AuditCore

/// The interactive dashboard as a value: input goes in (`handle`), what changed is in
/// `state`, what the program must do comes out as `SessionEffect`s, and `render` draws the
/// screen. It touches no terminal, file or thread, so every key path is tested without one;
/// the executable only reads input, feeds the session, takes the snapshots it asks for
/// (`request`) and draws.
public struct DashboardSession: Sendable {
    public let settings: SessionSettings
    public internal(set) var state = DashboardState()
    /// The newest snapshot (`receive`).
    public internal(set) var model = DashboardModel()
    public internal(set) var wall = WallInfo()
    public private(set) var width: Int
    public private(set) var height: Int
    /// What the hints line says until the next key (a command's outcome).
    public internal(set) var message: String?
    /// The `@` go-to-time prompt of a replay, while it is typed.
    public internal(set) var goTo: String?
    /// The sources' names and states, the live rate, and a replay's progress (`update`).
    public internal(set) var sources: [(name: String, state: String)] = []
    public internal(set) var eventsPerSecond = 0.0
    public internal(set) var replay: ReplayProgress?
    /// Events ingested that the paused screen does not show yet.
    public internal(set) var waiting = 0
    /// The count (or the error) shown beside the `/` prompt, for the text it was made for.
    var promptHint: (text: String, hint: String)?
    var flash: (rule: String, until: Double)?
    var takeover: (alert: Report.AlertRow, until: Double)?
    var seenSevere = 0
    var quitAsked = -Double.infinity
    var dirty = true
    var lastFrame = -Double.infinity
    var lastTick = -Double.infinity
    var lastGeneration = UInt64.max
    var lastView: ViewRequest?
    var rateSamples: [(time: Double, ingested: Int)] = []
    var now: Double
    let started: Double

    public init(settings: SessionSettings = SessionSettings(), width: Int, height: Int, now: Double = 0) {
        self.settings = settings
        self.width = width
        self.height = height
        self.now = now
        started = now
        message = settings.startMessage
        state.wall = settings.wall
        state.timelineShown = settings.replay
        state.setFilter(settings.filter)
        if !state.filterTerms.isEmpty { state.history = [settings.filter.text] }
        wall.rotateSeconds = settings.rotate
        state.fit(width: width, height: height)
    }

    /// What the next snapshot should hold.
    public var request: ViewRequest {
        var r = ViewRequest()
        r.filter = state.filter
        r.window = state.rateWindow
        r.detail = state.detail?.sequence
        r.rawStages = state.rawStages
        r.overview = !state.tiled && (state.focus == .overview || state.story != nil)
        r.story = state.story?.identity
        r.anchor = state.streamAnchor(model)
        return r
    }

    /// One input. Returns what the program must do.
    public mutating func handle(_ input: SessionInput, now: Double) -> [SessionEffect] {
        self.now = now
        switch input {
        case .resize(let w, let h):
            resize(width: w, height: h)
            return []
        case .click(let x, let y):
            guard state.click(x: x, y: y, width: width, height: height, rows: rowCounts, tabCounts: TabBar.counts(model, state)) == .redraw
            else { return [] }
            state.pinSelection(state.focus, model)
            dirty = true
            return []
        case .key(let key):
            message = nil
            let effects = handleKey(key)
            dirty = true
            return effects
        }
    }

    public mutating func resize(width: Int, height: Int) {
        self.width = width
        self.height = height
        state.fit(width: width, height: height)
        dirty = true
    }

    /// Says `text` in the hints line (what an effect did, or why it failed).
    public mutating func say(_ text: String) {
        message = text
        dirty = true
    }

    /// Opens the event with ring sequence `sequence` (the answer to `.openAuditID`).
    public mutating func openDetail(sequence: Int) {
        state.detail = DetailState(sequence: sequence)
        dirty = true
    }

    /// True when `input` acts on the rows on screen and they are older than the state they
    /// are for (a key that changed the filter has not been drawn yet): take a snapshot and
    /// `receive` it first, so Enter opens what the person sees.
    public func needsModel(before input: SessionInput) -> Bool {
        guard input == .key(.enter) else { return false }
        return lastView.map { $0.ignoringAnchor != request.ignoringAnchor } ?? true
    }

    /// How many rows each pane has in the model.
    var rowCounts: [PaneID: Int] {
        let m = model
        return [
            .stream: m.stream.count, .overview: m.suspects.count,
            .denied: [m.deniedByIdentity.count, m.latestDenied.count, m.deniedGroups.count][state.deniedView.rawValue],
            .unknownUsers: m.unknownUsers.count, .top: m.top[state.topDimension]?.count ?? 0, .latency: m.latency.count,
            .alerts: m.alerts.count, .rates: m.rates.count,
        ]
    }

    /// Rows of a page in the panes (the body less its box, header and tab bar).
    var page: Int { max(1, height - 7) }

    /// The open event as laid out on this screen.
    var detailLayout: DetailLayout? {
        guard let d = state.detail else { return nil }
        let text = DetailPane.textRect(width: width, height: height, note: model.detailNote != nil)
        return DetailLayout(lines: model.detailLines, width: text.width, wrap: d.wrap, page: text.height)
    }
}
