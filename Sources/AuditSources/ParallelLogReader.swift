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

/// Batches in order between the two threads, at most `limit` waiting.
public final class BatchQueue: @unchecked Sendable {
    // `condition` guards `items`.
    private let condition = NSCondition()
    private var items: [DecodedBatch?] = []
    let limit: Int

    public init(limit: Int) { self.limit = limit }

    /// Adds a batch (nil: the end), waiting while the queue is full.
    public func put(_ batch: DecodedBatch?) {
        condition.lock()
        while items.count >= limit { condition.wait() }
        items.append(batch)
        condition.broadcast()
        condition.unlock()
    }

    /// The next batch, waiting for one; nil at the end.
    public func take() -> DecodedBatch? {
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
