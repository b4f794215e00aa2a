import AuditCore

/// The panes of the dashboard, in the order of their number keys.
public enum PaneID: Int, CaseIterable, Sendable {
    case rates, denied, unknownUsers, stream, top, latency, alerts, timeline

    public var title: String { ["Rates", "Denied", "Unknown users", "Stream", "Top", "Latency", "Alerts", "Timeline"][rawValue] }
}

/// What the person at the keyboard has chosen: focus, selections, pause, filter, views.
/// Kept apart from the data so a key changes it without touching the store.
public struct DashboardState: Sendable, Equatable {
    public var focus = PaneID.stream
    /// Selected row per pane.
    public var selection: [PaneID: Int] = [:]
    public var paused = false
    /// The war-room wall is shown instead of the panes (`w`, `--wall`).
    public var wall = false
    /// The active filter, as parts joined by AND: what was typed after `/` (or `--filter`),
    /// then one term per drill-down. Shown as breadcrumbs; Backspace drops the last one.
    public var filterParts: [String] = []
    /// Filters applied before, oldest first, for ↑ ↓ in the `/` prompt.
    public var history: [String] = []
    /// Where ↑ ↓ are in `history` while the prompt is open.
    public var historyIndex: Int?
    public var rateWindow = DashboardModel.RateWindow.minute
    public var topDimension = TopDimension.users
    /// Denied pane shows groups (user + verb + resource) instead of the latest denials.
    public var deniedGrouped = false
    public var showHelp = false
    /// The event open in the detail view, by ring sequence number.
    public var detail: DetailState?
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

    /// The whole active filter as one text (parts in parentheses when they hold an `or`).
    public var filterText: String { DashboardState.join(filterParts) }

    static func join(_ parts: [String]) -> String {
        parts.map { part in
            parts.count > 1 && (try? Filter.parse(part)).map { if case .or = $0 { return true } else { return false } } == true
                ? "(" + part + ")" : part
        }.joined(separator: " ")
    }

    /// Adds a drill-down term to the filter and shows the Stream's newest matching events.
    public mutating func drillDown(_ term: String) {
        filterParts.append(term)
        selection[.stream] = 0
    }

    /// The panes there are now.
    public var panes: [PaneID] { timelineShown ? PaneID.allCases : PaneID.allCases.filter { $0 != .timeline } }

    public init() {}

    /// The selected row of `pane`.
    public func selected(_ pane: PaneID) -> Int { selection[pane] ?? 0 }
}

/// The detail view's state: which event, how far scrolled, what is searched.
public struct DetailState: Sendable, Equatable {
    public var sequence: Int
    public var scroll = 0
    public var search = ""
    public var match = 0

    public init(sequence: Int) { self.sequence = sequence }
}
