import AuditCore

/// A store (or any sink) as a decoder's sink, with the size rule the file readers keep: an
/// event longer than `limit` bytes (`--max-line`) is counted as malformed `oversized` and
/// skipped, while the rest of its document is kept. So the webhook's tee, which writes each
/// event as one line, never holds a line its own reader would skip.
final class EventSizeRule<Sink: EventSink>: EventSink {
    let sink: Sink
    let limit: Int

    init(_ sink: Sink, limit: Int) {
        self.sink = sink
        self.limit = limit
    }

    func event(_ event: inout DecodedEvent) {
        if event.raw.count > limit {
            sink.malformed(.oversized)
        } else {
            sink.event(&event)
        }
    }

    func malformed(_ kind: MalformedKind) { sink.malformed(kind) }

    func sawAuditID(_ base: UnsafePointer<UInt8>, _ span: Span) { sink.sawAuditID(base, span) }
}
