#if canImport(Glibc)
import Glibc
#endif
import AuditCore
import Foundation

/// Reads a saved log on two cores: a decoding thread reads, frames and parses JSON (and
/// auditIDs) into batches, while the calling thread ingests the batches in order into the
/// store. Results are the same as `LogReader`'s, event for event.
///
/// Used for regular files, gzipped (inflated on the decoding thread) or not; YAML and
/// anything that is not a regular file go through `LogReader` unchanged.
public struct ParallelLogReader {
    public var maxLine: Int
    public var chunkSize = 1 << 20

    public init(maxLine: Int = 4 << 20) { self.maxLine = maxLine }

    /// Reads `path` into `store` with a second thread decoding ahead.
    @discardableResult
    public func read(_ path: String, into store: some LogSink, progress: ((Int) -> Void)? = nil) throws(SourceError) -> LogReader.Outcome {
        guard let file = try Input.open(path) else {
            return try LogReader(maxLine: maxLine).read(path, into: store, progress: progress)
        }
        store.currentSource = store.addSource(path)
        let before = store.accepted
        let queue = BatchQueue(limit: 4)
        let failure = FailureBox()
        let producer = Producer(maxLine: maxLine, chunkSize: chunkSize, maxDepth: store.maxDepth)
        let thread = Thread {
            producer.decode(file, into: queue, failure: failure)
            queue.put(nil)
        }
        thread.start()
        var outcome = LogReader.Outcome()
        outcome.bytes = file.size
        while let batch = queue.take() {
            batch.ingest(into: store)
            batch.release()
            if batch.bytesRead > 0 { progress?(batch.bytesRead) }
        }
        if let error = failure.error { throw error }
        outcome.events = store.accepted - before
        outcome.problem = Producer.problem(failure, events: outcome.events, bytes: outcome.bytes)
        return outcome
    }

    /// A file the two-core path reads: regular, not YAML; open until `decode` closes it.
    struct Input: @unchecked Sendable {
        let fd: Int32
        let path: String
        let size: Int
        let gzipped: Bool

        /// Opens `path`; nil (closed again) when it is not a regular file or is YAML, which
        /// `LogReader` reads instead.
        static func open(_ path: String) throws(SourceError) -> Input? {
            let fd = Glibc.open(path, O_RDONLY)
            guard fd >= 0 else { throw .system(path, errno) }
            var head = [UInt8](repeating: 0, count: 4096)
            let peeked = head.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
            var info = stat()
            fstat(fd, &info)
            let gzipped = peeked >= 2 && head[0] == 0x1F && head[1] == 0x8B
            let supported = (info.st_mode & S_IFMT) == S_IFREG && peeked >= 0
                && (gzipped || !YAMLEvents.looksLikeYAML(head[0..<max(peeked, 0)]))
            guard supported else {
                close(fd)
                return nil
            }
            return Input(fd: fd, path: path, size: Int(info.st_size), gzipped: gzipped)
        }
    }

    /// The decoding side: reads, inflates, frames and decodes a file into batches.
    struct Producer: Sendable {
        let maxLine: Int
        let chunkSize: Int
        let maxDepth: Int

        /// Decodes `file` into `queue` (tagging batches with `tag`), then closes it. Damage
        /// goes to `failure`; the end of the file is not marked (the caller puts nil).
        func decode(_ file: Input, tag: Int = 0, into queue: BatchQueue, failure: FailureBox) {
            defer { close(file.fd) }
            var framer = StreamDecoder(maxLine: maxLine)
            let collector = BatchCollector(decoder: EventDecoder(maxDepth: maxDepth))
            let gzip = file.gzipped ? GzipStream() : nil
            var inflated = 0
            var fileBytes = 0
            /// Frames `bytes` (which the batch now owns) and hands the batch over.
            func deliver(_ chunk: UnsafeMutableBufferPointer<UInt8>, _ count: Int) {
                collector.begin(chunk: chunk)
                framer.feed(UnsafeBufferPointer(rebasing: chunk[0..<count]), to: collector)
                let batch = collector.end()
                batch.bytesRead = fileBytes
                batch.tag = tag
                queue.put(batch)
            }
            reading: while true {
                let chunk = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: chunkSize)
                let n = Glibc.read(file.fd, chunk.baseAddress, chunkSize)
                if n <= 0 {
                    chunk.deallocate()
                    if n < 0 { failure.set(SourceError.system(file.path, errno)) }
                    break
                }
                fileBytes += n
                guard let gzip else {
                    deliver(chunk, n)
                    continue
                }
                // Inflate here, on the decoding thread; each run of output becomes a batch.
                do throws(GzipStream.Failure) {
                    try gzip.feed(UnsafeBufferPointer(rebasing: chunk[0..<n])) { out in
                        inflated += out.count
                        let copy = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: out.count)
                        _ = copy.initialize(from: out)
                        deliver(copy, out.count)
                    }
                    chunk.deallocate()
                } catch {
                    chunk.deallocate()
                    if case .corrupt(let why) = error { failure.problem("corrupt gzip data (\(why)) after \(inflated) decompressed bytes") }
                    break reading
                }
            }
            if let gzip, failure.problemText == nil, !gzip.atMemberBoundary {
                failure.problem("the gzip data ends early (a truncated file) after \(inflated) decompressed bytes")
            }
            collector.begin(chunk: nil)
            framer.finish(to: collector)
            let last = collector.end()
            last.tag = tag
            queue.put(last)
        }

        /// What to say about a file once read: its damage, or that it held no events.
        static func problem(_ failure: FailureBox, events: Int, bytes: Int) -> String? {
            if let problem = failure.problemText { return "\(problem); kept the \(events) events before it" }
            guard events == 0 else { return nil }
            return bytes == 0 ? "the file is empty" : "no audit events in it"
        }
    }
}

/// Decoded events of one chunk, with the memory their spans point into.
final class DecodedBatch: @unchecked Sendable {
    // Built by the decoding thread, then handed over whole through `BatchQueue` (whose lock
    // orders the hand-over) to the ingesting thread; never shared while being changed.
    enum Item {
        case event(DecodedEvent, AuditID?)
        case malformed(MalformedKind)
        /// A document the store decodes itself (its events point into decoder-made buffers).
        case document(UnsafeBufferPointer<UInt8>)
    }

    var items: [Item] = []
    var buffers: [UnsafeMutableBufferPointer<UInt8>] = []
    /// Bytes of the file read when this batch was made, for progress.
    var bytesRead = 0
    /// Which of a reader's files the batch comes from.
    var tag = 0

    func ingest(into store: some LogSink) {
        // Prefetch the request-table slot a few events ahead of the one being ingested.
        let ahead = 4
        for k in 0..<min(ahead, items.count) { prefetch(k, store) }
        for k in items.indices {
            if k + ahead < items.count { prefetch(k + ahead, store) }
            switch items[k] {
            case .event(var e, let id): store.ingest(&e, id: id)
            case .malformed(let kind): store.malformed(kind)
            case .document(let bytes): store.document(bytes)
            }
        }
    }

    private func prefetch(_ k: Int, _ store: some LogSink) {
        if case .event(_, let id?) = items[k] { store.prefetch(id) }
    }

    func release() {
        for b in buffers { b.deallocate() }
        buffers.removeAll()
    }
}

/// The decoding thread's sink: decodes each framed document and keeps its events, whose
/// spans point into memory the batch owns.
final class BatchCollector: DocumentSink, EventSink {
    let decoder: EventDecoder
    private var batch = DecodedBatch()
    private var chunk: UnsafeMutableBufferPointer<UInt8>?
    /// Items of the document being decoded, committed when it is done.
    private var pending: [DecodedBatch.Item] = []
    private var documentBase: UnsafePointer<UInt8>?
    private var outside = false
    private var decoding = false

    init(decoder: EventDecoder) { self.decoder = decoder }

    func begin(chunk: UnsafeMutableBufferPointer<UInt8>?) {
        self.chunk = chunk
        if let chunk { batch.buffers.append(chunk) }
    }

    func end() -> DecodedBatch {
        let done = batch
        batch = DecodedBatch()
        return done
    }

    func document(_ bytes: UnsafeBufferPointer<UInt8>) {
        var doc = bytes
        if !inChunk(bytes) {
            // Framed from the framer's own buffer (a line across chunks): keep a copy.
            doc = keep(bytes)
        }
        pending.removeAll(keepingCapacity: true)
        documentBase = doc.baseAddress
        outside = false
        decoding = true
        decoder.decode(doc, into: self)
        decoding = false
        if outside {
            // An Azure record's string: its events point into a buffer the decoder made
            // and freed. The store decodes this document itself, in its place.
            batch.items.append(.document(inChunk(doc) ? keep(doc) : doc))
        } else {
            batch.items.append(contentsOf: pending)
        }
    }

    /// Counted by the decoder (part of the current document) or by the framer (between
    /// documents: an over-long line), in order either way.
    func malformed(_ kind: MalformedKind) {
        if decoding { pending.append(.malformed(kind)) } else { batch.items.append(.malformed(kind)) }
    }

    func event(_ e: inout DecodedEvent) {
        guard e.base == documentBase else {
            outside = true
            return
        }
        let id = e.auditID.isEmpty ? nil : AuditID(e.base + e.auditID.start, e.auditID.count)
        pending.append(.event(e, id))
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

/// Batches in order between the two threads, at most `limit` waiting.
final class BatchQueue: @unchecked Sendable {
    // `condition` guards `items`.
    private let condition = NSCondition()
    private var items: [DecodedBatch?] = []
    let limit: Int

    init(limit: Int) { self.limit = limit }

    /// Adds a batch (nil: the end), waiting while the queue is full.
    func put(_ batch: DecodedBatch?) {
        condition.lock()
        while items.count >= limit { condition.wait() }
        items.append(batch)
        condition.broadcast()
        condition.unlock()
    }

    /// The next batch, waiting for one; nil at the end.
    func take() -> DecodedBatch? {
        condition.lock()
        while items.isEmpty { condition.wait() }
        let batch = items.removeFirst()
        condition.broadcast()
        condition.unlock()
        return batch
    }
}

/// An error from the decoding thread, for the caller.
final class FailureBox: @unchecked Sendable {
    // `lock` guards `stored` and `damage`.
    private let lock = NSLock()
    private var stored: SourceError?
    private var damage: String?

    func set(_ error: SourceError) { lock.withLock { stored = error } }
    var error: SourceError? { lock.withLock { stored } }
    /// Damage that stopped reading early (the events before it are kept).
    func problem(_ text: String) { lock.withLock { damage = text } }
    var problemText: String? { lock.withLock { damage } }
}
