import Synchronization

/// An `EventStore` shared between one writer thread (a source) and readers (the screen).
///
/// The writer ingests in batches (a chunk of a file, a webhook body) under the lock; a
/// reader takes the lock only to copy out what it shows, so neither holds it for long:
/// a 1 MiB chunk decodes in a few milliseconds, and a snapshot copies tens of rows.
///
/// `@unchecked Sendable`: `lock` guards every access to `store`; nothing else is mutable.
public final class SharedEventStore: @unchecked Sendable {
    private let lock = Mutex(())
    private var store: EventStore

    /// Wraps a new store with `configuration`.
    public init(configuration: StoreConfiguration = StoreConfiguration()) {
        store = EventStore(configuration: configuration)
    }

    /// Runs `body` with the store, holding the lock; keep `body` short and do not let the
    /// store escape it.
    public func withStore<R>(_ body: (EventStore) throws -> R) rethrows -> R {
        try lock.withLock { _ in try body(store) }
    }

    /// Cuts `chunk` into documents with `framer` and ingests them, under the lock.
    public func feed(_ chunk: UnsafeBufferPointer<UInt8>, framer: inout StreamDecoder) {
        lock.withLock { _ in framer.feed(chunk, to: store) }
    }

    /// Ends a stream fed through `framer`, under the lock.
    public func finish(framer: inout StreamDecoder) {
        lock.withLock { _ in framer.finish(to: store) }
    }

    /// Replaces the store with an empty one, of the same configuration or a new one (a
    /// replay going back in time, or narrowed to a range, starts over).
    public func reset(configuration: StoreConfiguration? = nil) {
        lock.withLock { _ in
            // The new store keeps the old one's filter: what the panes show stays as asked.
            let matcher = store.view?.matcher
            store = EventStore(configuration: configuration ?? store.configuration)
            if let matcher { store.setFilter(matcher.filter, reference: matcher.reference) }
        }
    }

    /// The store's change counter, to decide whether a redraw is needed.
    public var generation: UInt64 { lock.withLock { _ in store.generation } }
}
