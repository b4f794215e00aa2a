/// What the Timeline pane shows during a replay: events and denials per bin over the whole
/// loaded span, where the replay is, and the range that restricts every pane.
public struct TimelineInfo: Sendable, Equatable {
    public var events: [Int]
    public var denied: [Int]
    public var first: Int64
    public var last: Int64
    public var cursor: Int64
    public var markedStart: Int64?
    public var rangeStart: Int64?
    public var rangeEnd: Int64?

    public init(events: [Int], denied: [Int], first: Int64, last: Int64, cursor: Int64,
                markedStart: Int64? = nil, rangeStart: Int64? = nil, rangeEnd: Int64? = nil) {
        self.events = events
        self.denied = denied
        self.first = first
        self.last = last
        self.cursor = cursor
        self.markedStart = markedStart
        self.rangeStart = rangeStart
        self.rangeEnd = rangeEnd
    }

    /// The column of event time `t`, for `bins` columns.
    public func column(_ t: Int64) -> Int {
        let span = max(last - first, 1)
        return min(events.count - 1, max(0, Int((t - first) * Int64(events.count) / (span + 1))))
    }
}
