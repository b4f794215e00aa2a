/// The panes of the dashboard, in the order of their number keys.
public enum PaneID: Int, CaseIterable, Sendable {
    case rates, denied, unknownUsers, stream, top, latency, timeline

    public var title: String { ["Rates", "Denied", "Unknown users", "Stream", "Top", "Latency", "Timeline"][rawValue] }
}

/// What the person at the keyboard has chosen: focus, selections, pause, filter, views.
/// Kept apart from the data so a key changes it without touching the store.
public struct DashboardState: Sendable, Equatable {
    public var focus = PaneID.stream
    /// Selected row per pane.
    public var selection: [PaneID: Int] = [:]
    public var paused = false
    /// The plain substring filter set with `/`.
    public var filter = ""
    public var rateWindow = DashboardModel.RateWindow.minute
    public var topDimension = TopDimension.users
    /// Denied pane shows groups (user + verb + resource) instead of the latest denials.
    public var deniedGrouped = false
    public var showHelp = false
    /// The event open in the detail view, by ring sequence number.
    public var detail: DetailState?
    /// Text being typed after `/` (the filter, or a search in the detail view), or nil.
    public var prompt: String?
    /// The prompt edits the detail view's search rather than the filter.
    public var editingDetailSearch = false
    /// A replay is running, so the Timeline pane (7) exists.
    public var timelineShown = false

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
