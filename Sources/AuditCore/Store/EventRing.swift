/// The newest events in arrival order, at most `capacity` of them; the oldest is evicted
/// first. Each event has a sequence number (0 for the first ever ingested) that stays valid
/// until it is evicted.
public struct EventRing {
    public let capacity: Int
    @usableFromInline var entries: ContiguousArray<RingEntry> = []
    /// Sequence number of the next event to arrive.
    public private(set) var nextSequence = 0

    public init(capacity: Int) {
        self.capacity = max(capacity, 1)
    }

    /// Events held now.
    public var count: Int { Swift.min(nextSequence, capacity) }

    /// Sequence number of the oldest event held.
    public var firstSequence: Int { nextSequence - count }

    /// Bytes held by the entries.
    public var memoryBytes: Int { entries.capacity * MemoryLayout<RingEntry>.stride }

    /// Adds `entry`, evicting the oldest when full; returns true when one was evicted.
    @discardableResult
    public mutating func append(_ entry: RingEntry) -> Bool {
        defer { nextSequence += 1 }
        if entries.count < capacity {
            entries.append(entry)
            return false
        }
        entries[nextSequence % capacity] = entry
        return true
    }

    /// The event with sequence number `sequence`, if still held. Inlinable: the panes walk
    /// the whole ring with it, and a call per entry cost more than the rest of the walk.
    @inlinable public subscript(sequence sequence: Int) -> RingEntry? {
        guard sequence >= firstSequence, sequence < nextSequence else { return nil }
        return entries[sequence % capacity]
    }

    /// Marks every interned id the held events refer to (`StringInterner.reclaim`).
    public func mark(_ live: inout LiveStrings) {
        for e in entries {
            live.mark(e.verb); live.mark(e.user); live.mark(e.groups); live.mark(e.impersonatedUser)
            live.mark(e.sourceIP); live.mark(e.userAgent); live.mark(e.apiGroup); live.mark(e.apiVersion)
            live.mark(e.resource); live.mark(e.subresource); live.mark(e.namespace); live.mark(e.name)
            live.mark(e.path); live.mark(e.statusReason); live.mark(e.decisionReason)
        }
    }
}
