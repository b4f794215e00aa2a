import AuditCore

/// What a snapshot of the store holds besides the data: the filter, the window, the open
/// event or story, and where the Stream's cursor stays. A session says it; the program takes
/// the snapshot.
public struct ViewRequest: Equatable, Sendable {
    public var filter = Filter.all
    public var window = DashboardModel.RateWindow.minute
    public var detail: Int?
    public var rawStages = false
    /// The Overview's suspects (two passes over the ring): only when the Overview or a story shows.
    public var overview = true
    public var story: String?
    /// The sequence of the Stream row the cursor stays on, when it is not following.
    public var anchor: Int?
    public var streamRows = 500
    public var topRows = 50

    public init() {}

    /// The same view, wherever the Stream's cursor is (a paused screen keeps its data when
    /// only the cursor moves).
    var ignoringAnchor: ViewRequest {
        var r = self
        r.anchor = nil
        return r
    }
}

extension DashboardModel {
    /// A snapshot of `shared` for `request`, in one critical section: the store's filter is
    /// changed first when the request's differs (rebuilt from the ring, then incremental).
    public static func snapshot(_ shared: SharedEventStore, _ request: ViewRequest) -> DashboardModel {
        shared.withStore { store in
            if (store.view?.filter ?? .all) != request.filter { store.setFilter(request.filter) }
            return DashboardModel(store: store, streamRows: request.streamRows, topRows: request.topRows,
                                  rateWindow: request.window, detail: request.detail, rawStages: request.rawStages,
                                  overview: request.overview, story: request.story, anchor: request.anchor)
        }
    }
}
