import AuditCore

/// The store as a decoder's sink, with the size rule the file readers keep: an event longer
/// than `limit` bytes (`--max-line`) is counted as malformed `oversized` and skipped, while
/// the rest of its batch is kept. So the tee, which writes each event as one line, never
/// holds a line its own reader would skip.
final class EventSizeRule: EventSink {
    private let store: EventStore
    private let limit: Int

    init(store: EventStore, limit: Int) {
        self.store = store
        self.limit = limit
    }

    func event(_ event: inout DecodedEvent) {
        if event.raw.count > limit {
            store.malformed(.oversized)
        } else {
            store.event(&event)
        }
    }

    func malformed(_ kind: MalformedKind) { store.malformed(kind) }

    func sawAuditID(_ base: UnsafePointer<UInt8>, _ span: Span) { store.sawAuditID(base, span) }
}
