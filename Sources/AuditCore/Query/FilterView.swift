/// The events a filter matches and their statistics, counted as the store counts everything:
/// built from the ring when the filter is set, then kept up to date as events arrive.
public final class FilterView {
    public let matcher: FilterMatcher
    public internal(set) var stats: Statistics
    /// Ring sequences of the matching events, oldest first (evicted ones are dropped lazily).
    private var matching: [Int] = []
    /// How many of `matching` have left the ring.
    private var dropped = 0
    /// Outcome per request among the matching events (for stages and duplicates).
    private var requests: [AuditID: RequestTable.Outcome] = [:]
    private let requestLimit: Int

    public var filter: Filter { matcher.filter }

    init(_ matcher: FilterMatcher, store: EventStore) {
        self.matcher = matcher
        stats = store.emptyStatistics()
        requestLimit = max(store.configuration.capacity * 2, 1024)
        var sequence = store.ring.firstSequence
        while sequence < store.ring.nextSequence {
            if let e = store.ring[sequence: sequence], matcher.matches(e, in: store) {
                count(e, sequence: sequence, id: AuditID(high: e.auditIDHigh, low: e.auditIDLow), store: store) {
                    FilterView.message(store, sequence)
                }
            }
            sequence += 1
        }
    }

    /// Sequences of the matching events still in the ring, oldest first.
    public func sequences(in ring: EventRing) -> ArraySlice<Int> {
        while dropped < matching.count, matching[dropped] < ring.firstSequence { dropped += 1 }
        return matching[dropped...]
    }

    /// How many events in the ring match.
    public func count(in ring: EventRing) -> Int { sequences(in: ring).count }

    /// A newly ingested event: counted when it matches.
    func add(_ e: RingEntry, sequence: Int, id: AuditID, message: @autoclosure () -> String, store: EventStore) {
        guard matcher.matches(e, in: store) else { return }
        count(e, sequence: sequence, id: id, store: store, message)
    }

    private func count(_ e: RingEntry, sequence: Int, id: AuditID, store: EventStore, _ message: () -> String) {
        matching.append(sequence)
        // Forget evicted sequences now and then, so the list stays about the ring's size.
        if matching.count > 2 * store.ring.capacity + 1024 {
            matching.removeFirst(sequences(in: store.ring).startIndex)
            dropped = 0
        }
        let stageBit: UInt8 = e.stage == .unknown ? 0x80 : 1 << e.stage.rawValue
        let previous = requests[id]
        if let previous, previous.stages & stageBit != 0 { return }
        if requests.count >= requestLimit { requests.removeAll(keepingCapacity: true) }
        requests[id] = store.account(e, stageBit: stageBit, previous: previous, message: message(), into: &stats)
    }

    /// `responseStatus.message` of a ring event, from its raw JSON when still kept (the
    /// Denied pane's reason); only asked for denied requests. Read with the store's own
    /// decoder: a few microseconds, where a general JSON parse of the event costs ten times more.
    static func message(_ store: EventStore, _ sequence: Int) -> String {
        guard let raw = store.rawJSON(sequence: sequence) else { return "" }
        var message = ""
        raw.withUnsafeBufferPointer { bytes in
            store.decoder.decode(bytes, emit: { e in message = e.string(e.message) }, malformed: { _ in })
        }
        return message
    }
}
