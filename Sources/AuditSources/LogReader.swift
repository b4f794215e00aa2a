#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import AuditCore

/// Reads a saved audit log (a file, or `-` for stdin) to its end into an `EventStore`.
///
/// Bytes are read in large chunks with `read(2)` and cut into documents by a
/// `StreamDecoder`, so memory stays bounded whatever the file's size. A file that is
/// neither JSON nor the legacy text format but YAML (an event copied out of a ticket) is
/// converted by `YAMLEvents` first.
public struct LogReader {
    /// Bytes read per `read(2)` call.
    public var chunkSize = 1 << 20
    /// The longest line or document accepted (`--max-line`).
    public var maxLine: Int

    public init(maxLine: Int = 4 << 20) {
        self.maxLine = maxLine
    }

    /// What reading one file gave: its bytes, the events it held, and any damage found.
    public struct Outcome: Sendable {
        public var bytes = 0
        /// Events ingested or found to be duplicates while reading this file.
        public var events = 0
        /// Damage that stopped reading early, or a file with no events, said for a person.
        public var problem: String?
    }

    /// Reads `path` (or stdin for `-`) into `store`, tagging events with the source's name.
    /// Gzip is detected by content. A damaged file (truncated or corrupt gzip) keeps the
    /// events before the damage and says so in `Outcome.problem`.
    /// - Throws: when the file cannot be opened or read at all.
    @discardableResult
    public func read(_ path: String, into store: some LogSink, progress: ((Int) -> Void)? = nil) throws(SourceError) -> Outcome {
        let fd: Int32
        if path == "-" {
            fd = 0
        } else {
            fd = open(path, O_RDONLY)
            guard fd >= 0 else { throw .system(path, errno) }
            var info = stat()
            if fstat(fd, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR {
                close(fd)
                throw SourceError(source: path, reason: "is a directory; name the log files in it")
            }
        }
        defer { if fd != 0 { close(fd) } }
        return try read(descriptor: fd, name: path == "-" ? "stdin" : path, into: store, progress: progress)
    }

    /// Reads an open descriptor (a pipe from `--exec`, stdin) to its end into `store`, as
    /// `read(_:into:progress:)` reads a file; `name` tags its events and names it in errors.
    public func read(descriptor fd: Int32, name path: String, into store: some LogSink, progress: ((Int) -> Void)? = nil) throws(SourceError) -> Outcome {
        store.currentSource = store.addSource(path)
        let before = store.accepted
        var framer = StreamDecoder(maxLine: maxLine)
        var buffer = [UInt8](repeating: 0, count: chunkSize)
        var outcome = Outcome()
        var gzip: GzipStream?
        var first = true
        var inflated = 0
        reading: while true {
            let n = try readChunk(fd, path, into: &buffer)
            if n == 0 { break }
            outcome.bytes += n
            progress?(outcome.bytes)
            if first {
                first = false
                if n >= 2 && buffer[0] == 0x1F && buffer[1] == 0x8B {
                    gzip = GzipStream()
                } else if YAMLEvents.looksLikeYAML(buffer[0..<n]) {
                    var documents = YAMLEvents.Splitter(maxLine: maxLine)
                    documents.feed(buffer[0..<n], to: store)
                    while true {
                        let more = try readChunk(fd, path, into: &buffer)
                        if more == 0 { break }
                        outcome.bytes += more
                        progress?(outcome.bytes)
                        documents.feed(buffer[0..<more], to: store)
                    }
                    documents.finish(to: store)
                    outcome.events = store.accepted - before
                    if outcome.events == 0 { outcome.problem = "no audit events in it" }
                    return outcome
                }
            }
            if let gzip {
                do {
                    try buffer.withUnsafeBufferPointer { chunk throws(GzipStream.Failure) in
                        try gzip.feed(UnsafeBufferPointer(rebasing: chunk[0..<n])) { out in
                            inflated += out.count
                            framer.feed(out, to: store)
                        }
                    }
                } catch {
                    if case .corrupt(let why) = error {
                        outcome.problem = "corrupt gzip data (\(why)) after \(inflated) decompressed bytes"
                    }
                    break reading
                }
            } else {
                buffer.withUnsafeBufferPointer { framer.feed(UnsafeBufferPointer(rebasing: $0[0..<n]), to: store) }
            }
        }
        if let gzip, outcome.problem == nil, !gzip.atMemberBoundary {
            outcome.problem = "the gzip data ends early (a truncated file) after \(inflated) decompressed bytes"
        }
        framer.finish(to: store)
        outcome.events = store.accepted - before
        if let problem = outcome.problem {
            outcome.problem = "\(problem); kept the \(outcome.events) events before it"
        } else if outcome.events == 0 {
            outcome.problem = outcome.bytes == 0 ? "the file is empty" : "no audit events in it"
        }
        return outcome
    }

    /// One `read(2)` into `buffer`, retried on EINTR; 0 at the end of the input.
    private func readChunk(_ fd: Int32, _ path: String, into buffer: inout [UInt8]) throws(SourceError) -> Int {
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n >= 0 { return n }
            if errno != EINTR { throw .system(path, errno) }
        }
    }
}
