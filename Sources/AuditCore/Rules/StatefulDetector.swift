/// What a stateful detector found: the rule, what it saw, and the requests that make it up.
struct Detection {
    var rule: BuiltinRule
    var note: String
    /// The requests of a burst (remembered for `alert=` filters); empty for a single request.
    var requests: [AuditID] = []
}

/// What a detector may read about the request in front of it.
struct DetectorInput {
    var entry: RingEntry
    var id: AuditID
    /// Event time, microseconds.
    var time: Int64
    /// The identity the request acted as (`RingEntry.actor`) and its kind.
    var actor: UInt32
    var kind: IdentityKind
    /// The node a bound service-account token was issued for (`user.extra`), or 0.
    var tokenNode: UInt32
    /// The request was refused (401, 403, `forbid`, or any other 4xx).
    var denied: Bool
    /// The store's learning window is still open: baselines are being learned.
    var learning: Bool
    /// What is ordinary for each identity, and what addresses and agents are.
    var baselines: Baselines
    var store: EventStore
    /// The event's raw JSON (for the few detectors that read a body).
    var raw: UnsafeBufferPointer<UInt8>
    /// Where `requestObject`'s value lies in `raw` (empty: none; nil: not known).
    var body: Span?
    /// The event's field reader, shared with the data rules that read it first: a body
    /// scanned once serves every rule that reads it.
    unowned(unsafe) var fields: EventFields

    /// `body` with the event's field reader (set to this event now if no data rule did).
    func readFields<R>(_ body: (inout EventFieldReader) -> R) -> R {
        if !fields.live {
            fields.reader.restart(raw: raw, entry: nil, store: nil, engine: nil, uri: .empty, body: self.body)
            fields.live = true
        }
        return body(&fields.reader)
    }
}

/// The engine's one field reader, set to the event it is looking at by the first rule that
/// needs a field (`live`) and left for the rest of that event's rules.
final class EventFields {
    var reader = EventFieldReader(raw: UnsafeBufferPointer(start: nil, count: 0))
    var live = false
}

/// A rule that keeps state across requests (bursts, pairs, baselines). The engine shows it
/// each request once, at its deciding event; it answers with what it found (usually nothing).
///
/// Every detector bounds its own tables (`StatefulDetector.keyLimit` keys at most).
protocol StatefulDetector {
    mutating func look(at input: DetectorInput) -> [Detection]
    /// Marks every interned id its tables refer to, before a reclaim frees the rest.
    func mark(_ live: inout LiveStrings)
    /// Forgets what it decided for ids a reclaim freed (they may now name someone else).
    mutating func prune(_ live: LiveStrings)
}

extension StatefulDetector {
    mutating func prune(_ live: LiveStrings) {}

    /// Most keys (IPs, identities, names) one detector's table holds; past it, the table
    /// starts again empty (a burst in progress is then counted anew).
    static var keyLimit: Int { 10_000 }
}
