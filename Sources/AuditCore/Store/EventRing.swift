import CAuditScan

/// The newest events in arrival order, at most `capacity` of them; the oldest is evicted
/// first. Each event has a sequence number (0 for the first ever ingested) that stays valid
/// until it is evicted.
public struct EventRing {
    public let capacity: Int
    @usableFromInline var entries: ContiguousArray<RingEntry> = []
    /// Beside each entry, how far back the previous held entry of the same actor, that
    /// actor's previous denied one and the previous impersonated one are (`walk(_:)`).
    @usableFromInline var links: ContiguousArray<RingLinks> = []
    /// The newest sequence of each actor, by interned id (-1: none yet). Indexed by id, so
    /// bounded by the interner; an id freed by a reclaim has no held entry, so its stale
    /// sequence is older than the ring and ends its chain at once.
    @usableFromInline var newestOfActor: [Int] = []
    /// The newest denied sequence of each actor, the same way.
    @usableFromInline var newestDeniedOfActor: [Int] = []
    @usableFromInline var newestImpersonated = -1
    /// Sequence number of the next event to arrive.
    public private(set) var nextSequence = 0

    public init(capacity: Int) {
        self.capacity = max(capacity, 1)
        // Reserved at once, never grown: no copy of a full ring on the way, and the pages
        // become resident only as events fill them.
        entries.reserveCapacity(self.capacity)
        links.reserveCapacity(self.capacity)
    }

    /// Events held now.
    public var count: Int { Swift.min(nextSequence, capacity) }

    /// Sequence number of the oldest event held.
    public var firstSequence: Int { nextSequence - count }

    /// Bytes held by the entries.
    public var memoryBytes: Int {
        entries.capacity * MemoryLayout<RingEntry>.stride + links.capacity * MemoryLayout<RingLinks>.stride
            + (newestOfActor.capacity + newestDeniedOfActor.capacity) * MemoryLayout<Int>.stride
    }

    /// Adds `entry`, evicting the oldest when full; returns true when one was evicted.
    @discardableResult
    public mutating func append(_ entry: RingEntry) -> Bool {
        defer { nextSequence += 1 }
        let sequence = nextSequence
        var link = RingLinks(actor: 0, denied: 0, impersonated: 0)
        let actor = Int(entry.actor)
        if actor >= newestOfActor.count {
            newestOfActor.append(contentsOf: repeatElement(-1, count: Swift.max(actor + 1 - newestOfActor.count, newestOfActor.count / 2 + 64)))
        }
        link.actor = RingLinks.distance(from: newestOfActor[actor], to: sequence)
        newestOfActor[actor] = sequence
        if entry.isDenied {
            if actor >= newestDeniedOfActor.count {
                newestDeniedOfActor.append(contentsOf: repeatElement(-1, count: newestOfActor.count - newestDeniedOfActor.count))
            }
            link.denied = RingLinks.distance(from: newestDeniedOfActor[actor], to: sequence)
            newestDeniedOfActor[actor] = sequence
        }
        if entry.impersonatedUser != 0 {
            link.impersonated = RingLinks.distance(from: newestImpersonated, to: sequence)
            newestImpersonated = sequence
        }
        if entries.count < capacity {
            entries.append(entry)
            links.append(link)
            return false
        }
        entries[sequence % capacity] = entry
        links[sequence % capacity] = link
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

    /// The held events of one chain, newest first.
    public enum Chain: Sendable {
        /// Those whose `RingEntry.actor` is this id.
        case actor(UInt32)
        /// This actor's denied ones.
        case denied(UInt32)
        case impersonated
    }

    /// Calls `body` with each held event of `chain` and its sequence number, newest first,
    /// until it returns false; from the event at `start` (one of the chain's) instead of
    /// the newest when given. It steps from each such event to the one before, so it reads
    /// only the chain's events: the Overview asks for a few identities' events, the latest
    /// denials outside the platform and the impersonations, and walking all 200,000 entries
    /// for them took 3 to 5 ms a frame.
    @inlinable public func walk(_ chain: Chain, from start: Int? = nil, _ body: (Int, UnsafePointer<RingEntry>) throws -> Bool) rethrows {
        var sequence: Int
        switch chain {
        case .actor(let id): sequence = Int(id) < newestOfActor.count ? newestOfActor[Int(id)] : -1
        case .denied(let id): sequence = Int(id) < newestDeniedOfActor.count ? newestDeniedOfActor[Int(id)] : -1
        case .impersonated: sequence = newestImpersonated
        }
        if let start, start < nextSequence { sequence = start }
        let first = firstSequence
        let size = capacity
        try entries.withUnsafeBufferPointer { b in
            try links.withUnsafeBufferPointer { l in
                guard let base = b.baseAddress, let links = l.baseAddress else { return }
                while sequence >= first, sequence >= 0 {
                    let at = sequence % size
                    let back: UInt32
                    switch chain {
                    case .actor: back = links[at].actor
                    case .denied: back = links[at].denied
                    case .impersonated: back = links[at].impersonated
                    }
                    // The next event's entry and links are asked for before this one is
                    // looked at: a chain's events lie far apart, and each read waits on memory.
                    let next = back == 0 ? -1 : sequence - Int(back)
                    if next >= first {
                        audit_prefetch(base + next % size)
                        audit_prefetch(links + next % size)
                    }
                    guard try body(sequence, base + at) else { return }
                    sequence = next
                }
            }
        }
    }

    /// The actors with a denied event held, newest denial first.
    public func deniedActors() -> [(actor: UInt32, newest: Int)] {
        let first = firstSequence
        var out: [(actor: UInt32, newest: Int)] = []
        for (id, newest) in newestDeniedOfActor.enumerated() where newest >= first && newest >= 0 {
            out.append((UInt32(id), newest))
        }
        return out.sorted { $0.newest > $1.newest }
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

/// How many sequences back an entry's previous entry of the same actor, that actor's
/// previous denied entry and the previous impersonated one are (0: none, or too far back to matter).
/// A chain is followed only from an entry that belongs to it, so the links of an entry
/// outside a chain are never read. 12 bytes beside each entry.
public struct RingLinks: Sendable {
    public var actor: UInt32
    public var denied: UInt32
    public var impersonated: UInt32

    @inlinable static func distance(from earlier: Int, to sequence: Int) -> UInt32 {
        earlier < 0 || sequence - earlier > Int(UInt32.max) ? 0 : UInt32(sequence - earlier)
    }
}
