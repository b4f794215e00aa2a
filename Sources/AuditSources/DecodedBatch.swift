import AuditCore

/// Decoded events of one chunk (or one request body), with the memory their spans point into:
/// made on one thread, ingested on another, so that decoding and counting run on two cores.
public final class DecodedBatch: @unchecked Sendable {
    // Built by the decoding thread, then handed over whole through `BatchQueue` (whose lock
    // orders the hand-over) to the ingesting thread; never shared while being changed.
    enum Item {
        /// The event at this index of `events` (its auditID at the same index of `ids`).
        case event(Int)
        case malformed(MalformedKind)
        /// A document the store decodes itself (its events point into decoder-made buffers).
        case document(UnsafeBufferPointer<UInt8>)
    }

    var items: [Item] = []
    /// The events, apart from `items` so each is copied once (into here) and ingested where
    /// it lies: a decoded event is some 800 bytes.
    var events: [DecodedEvent] = []
    var ids: [AuditID?] = []
    var buffers: [UnsafeMutableBufferPointer<UInt8>] = []
    /// What else holds memory the events point into (a webhook body's buffer).
    var owners: [AnyObject] = []
    /// Bytes of the file read when this batch was made, for progress.
    var bytesRead = 0
    /// Which of a reader's files the batch comes from.
    var tag = 0
    /// Events longer than this many bytes are counted as `oversized` and skipped.
    var maxEvent = Int.max
    /// Who sent it, when known (a webhook client certificate's name).
    public var sender: String?

    /// Ingests the batch's events in order; `release` then frees their memory.
    public func ingest(into store: some LogSink) {
        // Prefetch the request-table slot a few events ahead of the one being ingested.
        let ahead = 4
        let ids = self.ids
        for case let id? in ids.prefix(ahead) { store.prefetch(id) }
        events.withUnsafeMutableBufferPointer { events in
            for item in items {
                if case .event(let i) = item {
                    if i + ahead < ids.count, let next = ids[i + ahead] { store.prefetch(next) }
                    store.ingest(&events[i], id: ids[i])
                } else {
                    ingest(item, into: store)
                }
            }
        }
    }

    /// Ingests item `k` alone (a merge of several files takes their items in time order).
    func ingest(item k: Int, into store: some LogSink) {
        if case .event(let i) = items[k] {
            events.withUnsafeMutableBufferPointer { store.ingest(&$0[i], id: ids[i]) }
        } else {
            ingest(items[k], into: store)
        }
    }

    private func ingest(_ item: Item, into store: some LogSink) {
        switch item {
        case .event(let i): store.ingest(&events[i], id: ids[i])
        case .malformed(let kind): store.malformed(kind)
        case .document(let bytes):
            if maxEvent == .max {
                store.document(bytes)
            } else {
                EventDecoder(maxDepth: store.maxDepth).decode(bytes, into: EventSizeRule(store, limit: maxEvent))
            }
        }
    }

    /// Frees the memory the events pointed into; the batch is empty afterwards.
    public func release() {
        items.removeAll()
        events.removeAll()
        ids.removeAll()
        for b in buffers { b.deallocate() }
        buffers.removeAll()
        owners.removeAll()
    }
}

/// The decoding thread's sink: decodes each framed document and keeps its events, whose
/// spans point into memory the batch owns.
final class BatchCollector: DocumentSink, EventSink {
    let decoder: EventDecoder
    /// The decoder's timestamp memo for this owner's documents.
    private let times = TimestampMemoCell()
    /// Events longer than this many bytes are counted as `oversized` and skipped.
    let maxEvent: Int
    private var batch = DecodedBatch()
    private var chunk: UnsafeMutableBufferPointer<UInt8>?

    /// What changes per event, behind a pointer this class owns: Swift checks every access
    /// to a class's `var` at run time (exclusivity), four to six times per event here, which
    /// was 5% of the decoding thread's instructions; through a `let` pointer it does not.
    private struct State {
        var items: [DecodedBatch.Item] = []
        var events: [DecodedEvent] = []
        var ids: [AuditID?] = []
        /// Where the document being decoded began in items and events, to take its events
        /// back out when the store is to decode it instead.
        var itemsMark = 0
        var eventsMark = 0
        var documentBase: UnsafePointer<UInt8>?
        var outside = false
    }
    private let state: UnsafeMutablePointer<State>

    init(decoder: EventDecoder, maxEvent: Int = .max) {
        self.decoder = decoder
        self.maxEvent = maxEvent
        state = .allocate(capacity: 1)
        state.initialize(to: State())
    }

    deinit {
        state.deinitialize(count: 1)
        state.deallocate()
    }

    /// The next chunk the framer's documents come from, which the batch now owns.
    func begin(chunk: UnsafeMutableBufferPointer<UInt8>?) {
        self.chunk = chunk
        if let chunk { batch.buffers.append(chunk) }
    }

    /// Documents come from `bytes`, which `owner` holds; the batch keeps `owner`.
    func begin(owner: AnyObject, bytes: UnsafeBufferPointer<UInt8>) {
        // Only read, to tell whether a document lies in it.
        chunk = UnsafeMutableBufferPointer(mutating: bytes)
        batch.owners.append(owner)
    }

    func end() -> DecodedBatch {
        let done = batch
        done.maxEvent = maxEvent
        done.items = state.pointee.items
        done.events = state.pointee.events
        done.ids = state.pointee.ids
        batch = DecodedBatch()
        state.pointee = State()
        // The next chunk holds about as many events: room for them up front, so the arrays
        // are not copied as they grow (8% of the decoding thread's instructions when they were).
        expect(done.events.count + done.events.count / 8)
        return done
    }

    /// Makes room for `count` events in the batch being built (bounded: a hint, not a limit).
    func expect(_ count: Int) {
        let count = min(count, 1 << 13)
        state.pointee.items.reserveCapacity(count)
        state.pointee.events.reserveCapacity(count)
        state.pointee.ids.reserveCapacity(count)
    }

    func document(_ bytes: UnsafeBufferPointer<UInt8>) {
        var doc = bytes
        if !inChunk(bytes) {
            // Framed from the framer's own buffer (a line across chunks): keep a copy.
            doc = keep(bytes)
        }
        state.pointee.itemsMark = state.pointee.items.count
        state.pointee.eventsMark = state.pointee.events.count
        state.pointee.documentBase = doc.baseAddress
        state.pointee.outside = false
        decoder.decode(doc, into: self, times: times.pointer)
        if state.pointee.outside {
            // An Azure record's string: its events point into a buffer the decoder made
            // and freed. The store decodes this document itself, in its place.
            let s = state
            s.pointee.items.removeLast(s.pointee.items.count - s.pointee.itemsMark)
            s.pointee.events.removeLast(s.pointee.events.count - s.pointee.eventsMark)
            s.pointee.ids.removeLast(s.pointee.ids.count - s.pointee.eventsMark)
            s.pointee.items.append(.document(inChunk(doc) ? keep(doc) : doc))
        }
    }

    /// Counted by the decoder (part of the current document) or by the framer (between
    /// documents: an over-long line), in order either way.
    func malformed(_ kind: MalformedKind) { state.pointee.items.append(.malformed(kind)) }

    func event(_ e: inout DecodedEvent) {
        let s = state
        guard e.base == s.pointee.documentBase else {
            s.pointee.outside = true
            return
        }
        if e.raw.count > maxEvent {
            s.pointee.items.append(.malformed(.oversized))
            return
        }
        s.pointee.items.append(.event(s.pointee.events.count))
        s.pointee.ids.append(e.auditID.isEmpty ? nil : AuditID(e.base + e.auditID.start, e.auditID.count))
        s.pointee.events.append(e)
    }

    private func inChunk(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let chunk, let start = chunk.baseAddress, let base = bytes.baseAddress else { return false }
        return base >= UnsafePointer(start) && base + bytes.count <= UnsafePointer(start) + chunk.count
    }

    private func keep(_ bytes: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        let copy = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: max(bytes.count, 1))
        _ = copy.initialize(from: bytes)
        batch.buffers.append(copy)
        return UnsafeBufferPointer(rebasing: copy[0..<bytes.count])
    }
}

extension DecodedBatch {
    /// Decodes one document (a webhook's request body: an `EventList` or a single event).
    /// The batch keeps `owner`, which holds the bytes, alive until `release`, so nothing is
    /// copied. Events longer than `maxEvent` bytes are counted as `oversized` and skipped, the
    /// rest of the document kept.
    public static func decoding(_ body: UnsafeRawBufferPointer, owner: AnyObject, maxDepth: Int, maxEvent: Int) -> DecodedBatch {
        let collector = BatchCollector(decoder: EventDecoder(maxDepth: maxDepth), maxEvent: maxEvent)
        let bytes = body.bindMemory(to: UInt8.self)
        // Audit events are rarely under 512 bytes of JSON.
        collector.expect(bytes.count / 512 + 1)
        collector.begin(owner: owner, bytes: bytes)
        collector.document(bytes)
        return collector.end()
    }
}
