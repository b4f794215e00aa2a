import AuditCore

/// The panes of the dashboard: 1-8 in the order of their number keys, then the Overview (0).
public enum PaneID: Int, CaseIterable, Sendable {
    case rates, denied, unknownUsers, stream, top, latency, alerts, timeline, overview

    public var title: String {
        ["Rates", "Denied", "Unknown users", "Stream", "Top", "Latency", "Alerts", "Timeline", "Overview"][rawValue]
    }

    /// The number key that focuses the pane (0 for the Overview).
    public var number: Int { self == .overview ? 0 : rawValue + 1 }
}

/// How the Denied pane groups its rows (`v` cycles).
public enum DeniedView: Int, Sendable, CaseIterable {
    /// One row per identity, suspicious ones first: a controller's steady 403s sink.
    case byIdentity
    /// The latest denials, newest first.
    case latest
    /// One row per user + verb + resource.
    case grouped

    public var title: String { ["by identity", "latest", "grouped"][rawValue] }
}

/// What the person at the keyboard has chosen: focus, selections, pause, filter, views.
/// Kept apart from the data so a key changes it without touching the store.
public struct DashboardState: Sendable, Equatable {
    /// The Overview below 160 columns; the loop moves it to Alerts when every pane shows.
    public var focus = PaneID.overview
    /// Selected row per pane.
    public var selection: [PaneID: Int] = [:]
    public var paused = false
    /// The war-room wall is shown instead of the panes (`w`, `--wall`).
    public var wall = false
    /// The active filter as the terms it ANDs: what was typed after `/` (or `--filter`),
    /// split at its top-level ANDs, then the terms of each drill-down. Shown as breadcrumbs;
    /// Backspace drops the last one. The text is derived from them (`filterText`).
    public var filterTerms: [Filter] = []
    /// Filters applied before, oldest first, for ↑ ↓ in the `/` prompt.
    public var history: [String] = []
    /// Where ↑ ↓ are in `history` while the prompt is open.
    public var historyIndex: Int?
    public var rateWindow = DashboardModel.RateWindow.minute
    public var topDimension = TopDimension.users
    /// How the Denied pane groups its rows.
    public var deniedView = DeniedView.byIdentity
    /// Alerts acknowledged with `a`: rule → its count then. A rule that fires again is back.
    public var acknowledged: [String: Int] = [:]
    /// The Stream shows every stage of a request (`R`), not one row per request.
    public var rawStages = false
    /// The identity whose story is open (Enter on an identity), and how far it is scrolled.
    public var story: StoryState?
    /// Every pane is on screen at once (160x30 and up), so there is no Overview tab; set by
    /// `fit(width:height:)`.
    public var tiled = false
    public var showHelp = false
    /// The event open in the detail view, by ring sequence number.
    public var detail: DetailState?
    /// Rows whose cursor was moved, by pane: the row's key (`RowKeys`), so the cursor stays
    /// on its row while new data moves the rows. The Stream and the latest denials follow
    /// the newest row while they have none.
    public var pinned: [PaneID: String] = [:]
    /// Text being typed after `/` or `:`, or nil.
    public var prompt: String?
    /// What the prompt is for.
    public var promptKind = PromptKind.filter
    /// Why the typed filter cannot be applied (shown under the prompt until it is fixed).
    public var promptError: String?
    /// A replay is running, so the Timeline pane (7) exists.
    public var timelineShown = false

    /// What a line typed at the bottom is for.
    public enum PromptKind: Sendable, Equatable {
        /// `/`: the filter language.
        case filter
        /// `:`: a command (`:export FILE`).
        case command
        /// `/` in the detail view: a search in the event.
        case detailSearch

        public var sigil: String { self == .command ? ":" : "/" }
    }

    /// The whole active filter.
    public var filter: Filter { filterTerms.reduce(Filter.all, &&) }

    /// The whole active filter as one text (a term in parentheses when it holds an `or`).
    public var filterText: String { filter.text }

    /// Replaces the filter with `filter`'s terms.
    public mutating func setFilter(_ filter: Filter) { filterTerms = Self.terms(filter) }

    /// The terms a filter ANDs: none for `.all`.
    static func terms(_ filter: Filter) -> [Filter] {
        switch filter {
        case .all: []
        case .and(let parts): parts
        default: [filter]
        }
    }

    /// Adds a drill-down's terms to the filter; false (and nothing changes) when `term` is
    /// not in the filter language.
    @discardableResult
    public mutating func drillDown(_ term: String) -> Bool {
        do {
            filterTerms += Self.terms(try Filter.parse(term))
            return true
        } catch {
            return false
        }
    }

    /// The panes there are now, in tab order: the Overview first (below 160 columns), the
    /// Timeline last (while replaying).
    public var panes: [PaneID] {
        (tiled ? [] : [.overview]) + PaneID.allCases.filter { $0 != .overview && ($0 != .timeline || timelineShown) }
    }

    /// Fits the state to a screen of `width` x `height`: from 160x30 every pane is tiled and
    /// the Overview's focus moves to the Alerts pane.
    public mutating func fit(width: Int, height: Int) {
        tiled = DashboardScreen.isTiled(width: width, height: height)
        if tiled, focus == .overview { focus = .alerts }
    }

    public init() {}

    /// The selected row of `pane`.
    public func selected(_ pane: PaneID) -> Int { selection[pane] ?? 0 }
}

/// The story view's state: whose story, how far scrolled.
public struct StoryState: Sendable, Equatable {
    /// The identity's full name (`user.username`).
    public var identity: String
    /// The selected request; it starts past the end, at the newest.
    public var scroll = Int.max

    public init(identity: String) { self.identity = identity }
}

/// The detail view's state: which event, how far scrolled, what is searched.
public struct DetailState: Sendable, Equatable {
    public var sequence: Int
    /// The first screen row shown (of the wrapped rows when `wrap`).
    public var scroll = 0
    /// Long lines wrap (`w` turns it off, for ← → scrolling).
    public var wrap = true
    /// Columns scrolled right while lines do not wrap.
    public var column = 0
    public var search = ""
    public var match = 0

    public init(sequence: Int) { self.sequence = sequence }
}
