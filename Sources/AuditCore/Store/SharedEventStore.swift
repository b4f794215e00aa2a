import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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
    /// Readers waiting for the lock: the writer lets them in between pieces of a chunk.
    private let waiting = Atomic<Int>(0)
    /// The most a writer decodes in one hold of the lock (cut at a newline), so a frame
    /// waits a fraction of a millisecond, not a whole chunk's decoding.
    static let feedPiece = 64 << 10
    /// Raw-JSON blocks handed to a helper to compress, and what it gave back, for the store
    /// of `epoch` (a reset starts a new one, and the old store's blocks are dropped).
    private let handoff = Mutex<(epoch: Int, toPack: [(start: UInt64, bytes: [UInt8])], packed: [(RawStore.Packed, UInt64)])>((0, [], []))
    /// Guarded by `lock`: the store's epoch, and the first offset not yet handed over.
    private var storeEpoch = 0
    private var handedFrom: UInt64 = 0

    /// Wraps a new store with `configuration`.
    public init(configuration: StoreConfiguration = StoreConfiguration()) {
        store = EventStore(configuration: configuration)
    }

    /// Runs `body` with the store, holding the lock; keep `body` short and do not let the
    /// store escape it.
    public func withStore<R>(_ body: (EventStore) throws -> R) rethrows -> R {
        waiting.add(1, ordering: .relaxed)
        return try lock.withLock { _ in
            waiting.subtract(1, ordering: .relaxed)
            return try body(store)
        }
    }

    /// Cuts `chunk` into documents with `framer` and ingests them, under the lock.
    ///
    /// A large chunk goes in pieces of about `feedPiece` bytes, cut after a newline, with
    /// the lock released between them; a reader waiting then goes first (the lock is not
    /// fair, so the writer yields until the reader holds it).
    public func feed(_ chunk: UnsafeBufferPointer<UInt8>, framer: inout StreamDecoder) {
        guard let base = chunk.baseAddress, chunk.count > Self.feedPiece else {
            lock.withLock { _ in framer.feed(chunk, to: store) }
            return
        }
        var start = 0
        while start < chunk.count {
            let end = Self.pieceEnd(base, from: start, count: chunk.count)
            let piece = UnsafeBufferPointer(start: base + start, count: end - start)
            lock.withLock { _ in framer.feed(piece, to: store) }
            start = end
            while start < chunk.count && waiting.load(ordering: .relaxed) > 0 { sched_yield() }
        }
    }

    /// Where the piece of `base[start..<count]` fed next ends: after the last newline within
    /// `feedPiece` bytes, else after the first one beyond, else at the end.
    static func pieceEnd(_ base: UnsafePointer<UInt8>, from start: Int, count: Int) -> Int {
        let limit = start + feedPiece
        guard limit < count else { return count }
        // Backwards: events are a few kilobytes, so the last newline is near.
        var k = limit - 1
        while k >= start {
            if base[k] == 0x0A { return k + 1 }
            k -= 1
        }
        if let nl = memchr(base + limit, 0x0A, count - limit) {
            return nl.assumingMemoryBound(to: UInt8.self) - UnsafeMutablePointer(mutating: base) + 1
        }
        return count
    }

    /// Runs `body`, an ingest, with the store under the lock, as `withStore` does, and
    /// shares the raw JSON's compression with a helper thread that calls `helpCompress`
    /// (the webhook's decoding thread): first the blocks the helper compressed go in, then
    /// the blocks this ingest filled are handed to it. They stay readable meanwhile, and
    /// the store compresses them itself if too many wait (`RawStore.sealedLimit`).
    public func ingestHelped(_ body: (EventStore) -> Void) {
        let (epoch, packed) = handoff.withLock { h in
            defer { h.packed.removeAll() }
            return (h.epoch, h.packed)
        }
        let fresh: [(start: UInt64, bytes: [UInt8])] = lock.withLock { _ in
            if epoch == storeEpoch {
                for (p, start) in packed { _ = store.installRaw(p, start: start) }
            }
            body(store)
            let blocks = store.raw.sealedBlocks(from: handedFrom)
            if let last = blocks.last { handedFrom = last.start + 1 }
            return blocks
        }
        if !fresh.isEmpty { handoff.withLock { h in if h.epoch == epoch { h.toPack += fresh } } }
    }

    /// Compresses the raw-JSON blocks `ingestHelped` handed over, without the store's lock.
    public func helpCompress() {
        let (epoch, work) = handoff.withLock { h in
            defer { h.toPack.removeAll() }
            return (h.epoch, h.toPack)
        }
        guard !work.isEmpty else { return }
        var scratch: [UInt8] = []
        let done = work.map { (RawStore.pack($0.bytes, scratch: &scratch), $0.start) }
        handoff.withLock { h in if h.epoch == epoch { h.packed += done } }
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
            storeEpoch += 1
            handedFrom = 0
            handoff.withLock { $0 = (storeEpoch, [], []) }
            if let matcher { store.setFilter(matcher.filter, reference: matcher.reference) }
        }
    }

    /// The store's change counter, to decide whether a redraw is needed.
    public var generation: UInt64 { lock.withLock { _ in store.generation } }
}
