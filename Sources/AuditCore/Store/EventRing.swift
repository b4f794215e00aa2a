/// The newest events in arrival order, at most `capacity` of them; the oldest is evicted
/// first. Each event has a sequence number (0 for the first ever ingested) that stays valid
/// until it is evicted.
public struct EventRing {
    public let capacity: Int
    @usableFromInline var entries: ContiguousArray<RingEntry> = []
    /// Beside each entry, what the Overview's walks test first (`scan`).
    @usableFromInline var cells: ContiguousArray<RingCell> = []
    /// Sequence number of the next event to arrive.
    public private(set) var nextSequence = 0

    public init(capacity: Int) {
        self.capacity = max(capacity, 1)
        // Reserved at once, never grown: no copy of a full ring on the way, and the pages
        // become resident only as events fill them.
        entries.reserveCapacity(self.capacity)
        cells.reserveCapacity(self.capacity)
    }

    /// Events held now.
    public var count: Int { Swift.min(nextSequence, capacity) }

    /// Sequence number of the oldest event held.
    public var firstSequence: Int { nextSequence - count }

    /// Bytes held by the entries.
    public var memoryBytes: Int {
        entries.capacity * MemoryLayout<RingEntry>.stride + cells.capacity * MemoryLayout<RingCell>.stride
    }

    /// Adds `entry`, evicting the oldest when full; returns true when one was evicted.
    @discardableResult
    public mutating func append(_ entry: RingEntry) -> Bool {
        defer { nextSequence += 1 }
        let cell = RingCell(entry)
        if entries.count < capacity {
            entries.append(entry)
            cells.append(cell)
            return false
        }
        entries[nextSequence % capacity] = entry
        cells[nextSequence % capacity] = cell
        return true
    }

    /// The event with sequence number `sequence`, if still held. Inlinable: the panes walk
    /// the whole ring with it, and a call per entry cost more than the rest of the walk.
    @inlinable public subscript(sequence sequence: Int) -> RingEntry? {
        guard sequence >= firstSequence, sequence < nextSequence else { return nil }
        return entries[sequence % capacity]
    }

    /// Calls `body` with each held event and its sequence number, oldest first (newest first
    /// with `newestFirst`), until it returns false. One pass over the storage with no
    /// division per entry, as walks of the whole ring (the Overview's) need. The event comes
    /// as a pointer into the ring, valid only during the call: passed by value, each of its
    /// 112 bytes was copied before the first field was tested, half of a walk's instructions.
    @inlinable public func walk(newestFirst: Bool = false, _ body: (Int, UnsafePointer<RingEntry>) throws -> Bool) rethrows {
        let n = count
        guard n > 0 else { return }
        let first = firstSequence
        let last = nextSequence - 1
        let size = capacity
        try entries.withUnsafeBufferPointer { b in
            guard let base = b.baseAddress else { return }
            if newestFirst {
                var at = last % size
                for k in 0..<n {
                    guard try body(last - k, base + at) else { return }
                    at = at == 0 ? size - 1 : at - 1
                }
            } else {
                var at = first % size
                for k in 0..<n {
                    guard try body(first + k, base + at) else { return }
                    at += 1
                    if at == size { at = 0 }
                }
            }
        }
    }

    /// `walk`, handing each event's cell with the pointer to it: a body that tests the cell
    /// first reads the entry only when it matches. A walk of the full ring that tests an
    /// identity or a denial then reads 1.6 MB, not 22 (the Overview made three a frame).
    @inlinable public func scan(newestFirst: Bool = false, _ body: (Int, RingCell, UnsafePointer<RingEntry>) throws -> Bool) rethrows {
        let n = count
        guard n > 0 else { return }
        let first = firstSequence
        let last = nextSequence - 1
        let size = capacity
        try entries.withUnsafeBufferPointer { b in
            try cells.withUnsafeBufferPointer { c in
                guard let base = b.baseAddress, let cells = c.baseAddress else { return }
                if newestFirst {
                    var at = last % size
                    for k in 0..<n {
                        guard try body(last - k, cells[at], base + at) else { return }
                        at = at == 0 ? size - 1 : at - 1
                    }
                } else {
                    var at = first % size
                    for k in 0..<n {
                        guard try body(first + k, cells[at], base + at) else { return }
                        at += 1
                        if at == size { at = 0 }
                    }
                }
            }
        }
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

/// What a walk of the ring tests before it reads an entry: who acted (`RingEntry.actor`),
/// and whether the request was denied or made as someone else. 8 bytes beside each entry.
public struct RingCell: Equatable, Sendable {
    public var actor: UInt32
    public var denied: Bool
    public var impersonated: Bool

    @inlinable init(_ e: RingEntry) {
        actor = e.actor
        denied = e.isDenied
        impersonated = e.impersonatedUser != 0
    }
}
