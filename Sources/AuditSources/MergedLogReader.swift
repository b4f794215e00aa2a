#if canImport(Glibc)
import Glibc
#endif
import AuditCore
import Foundation

/// Reads the saved logs of several apiservers at once and ingests their events merged by
/// event time, as if one apiserver had written them all: one decoding thread per set (its
/// files in rotation order), and the calling thread takes the earliest event at the head of
/// any set next. Within a set, events keep the order they were written in.
public struct MergedLogReader {
    public var maxLine: Int
    public var chunkSize = 1 << 20

    public init(maxLine: Int = 4 << 20) { self.maxLine = maxLine }

    /// One set's decoded batches, as the merge walks them.
    private final class Stream {
        let queue = BatchQueue(limit: 4)
        let files: [ParallelLogReader.Input]
        let failures: [FailureBox]
        var sources: [UInt16] = []
        var batch: DecodedBatch?
        var next = 0
        var done = false
        /// Bytes of the set's files read before the current one, for progress.
        var bytesBefore = 0
        var lastTag = 0

        init(files: [ParallelLogReader.Input]) {
            self.files = files
            failures = files.map { _ in FailureBox() }
        }

        /// The item at the head, reading the next batch when this one is used up; nil at the end.
        func head() -> DecodedBatch.Item? {
            while !done {
                if let batch, next < batch.items.count { return batch.items[next] }
                batch?.release()
                batch = queue.take()
                next = 0
                if let batch {
                    if batch.tag != lastTag {
                        bytesBefore += files[lastTag].size
                        lastTag = batch.tag
                    }
                } else {
                    done = true
                }
            }
            return nil
        }
    }

    /// Reads `sets` (each a list of files in reading order) into `store`, merged by event
    /// time. Returns each file's outcome in the order given, or nil when a file is not one
    /// this reader takes (YAML, not a regular file): then read the sets one after another.
    public func read(
        sets: [[String]], into store: some LogSink, progress: ((Int) -> Void)? = nil
    ) throws(SourceError) -> [(path: String, outcome: LogReader.Outcome)]? {
        var opened: [[ParallelLogReader.Input]] = []
        func closeAll() { for set in opened { for f in set { close(f.fd) } } }
        for set in sets {
            var files: [ParallelLogReader.Input] = []
            for path in set {
                let input: ParallelLogReader.Input?
                do { input = try ParallelLogReader.Input.open(path) } catch {
                    for f in files { close(f.fd) }
                    closeAll()
                    throw error
                }
                guard let input else {
                    for f in files { close(f.fd) }
                    closeAll()
                    return nil
                }
                files.append(input)
            }
            opened.append(files)
        }
        let streams = opened.map(Stream.init)
        for stream in streams {
            stream.sources = stream.files.map { store.addSource($0.path) }
        }
        let producer = ParallelLogReader.Producer(maxLine: maxLine, chunkSize: chunkSize, maxDepth: store.maxDepth)
        for stream in streams {
            let (queue, files, failures) = (stream.queue, stream.files, stream.failures)
            Thread {
                for (k, file) in files.enumerated() { producer.decode(file, tag: k, into: queue, failure: failures[k]) }
                queue.put(nil)
            }.start()
        }
        var events = streams.map { [Int](repeating: 0, count: $0.files.count) }
        var lastProgress = 0
        while true {
            // The stream whose head comes first: anything that is not a dated event (a count
            // of damage, a document the store decodes itself, an undated event) goes at once.
            var best: Int?
            var bestTime = Int64.max
            for (k, stream) in streams.enumerated() {
                guard let item = stream.head() else { continue }
                let time: Int64
                if case .event(let i) = item, let batch = stream.batch {
                    time = batch.events[i].received ?? batch.events[i].stageTime ?? Int64.min
                } else {
                    time = Int64.min
                }
                if best == nil || time < bestTime {
                    best = k
                    bestTime = time
                }
                if time == Int64.min { break }
            }
            guard let k = best, let batch = streams[k].batch else { break }
            let stream = streams[k]
            store.currentSource = stream.sources[batch.tag]
            let before = store.accepted
            batch.ingest(item: stream.next, into: store)
            events[k][batch.tag] += store.accepted - before
            stream.next += 1
            if let progress, stream.next == batch.items.count {
                let done = streams.reduce(0) { $0 + $1.bytesBefore + ($1.batch?.bytesRead ?? 0) }
                if done > lastProgress {
                    lastProgress = done
                    progress(done)
                }
            }
        }
        var out: [(path: String, outcome: LogReader.Outcome)] = []
        for (k, stream) in streams.enumerated() {
            for (f, file) in stream.files.enumerated() {
                if let error = stream.failures[f].error { throw error }
                var outcome = LogReader.Outcome()
                outcome.bytes = file.size
                outcome.events = events[k][f]
                outcome.problem = ParallelLogReader.Producer.problem(stream.failures[f], events: outcome.events, bytes: file.size)
                out.append((file.path, outcome))
            }
        }
        return out
    }
}
