#if canImport(Glibc)
import Glibc
#endif
import AuditCore
import Synchronization

/// Appends every accepted event, one JSON line each, to a file that audittop can follow or
/// replay later. Past `maxSize` the file is rotated with the apiserver's naming:
/// `feed.log` becomes `feed-2006-01-02T15-04-05.000.log` (UTC) and a new `feed.log` starts.
///
/// A write error (full disk, unwritable file) is reported in `state` and counted; the feed
/// goes on, and writing resumes when the file can be written again.
public final class TeeWriter: @unchecked Sendable {
    // `append`, `flush` and `close` run only under the store's lock (`append` is called from
    // `EventStore.onIngest`; callers wrap the others in `withStore`), which guards the file
    // state. `errorText` has its own lock so `state` can be read from any thread.
    public let path: String
    public let maxSize: Int
    private var fd: Int32 = -1
    private var size = 0
    private var buffer: [UInt8] = []
    private let errorText = Mutex<String?>(nil)
    private var lastError: String? {
        get { errorText.withLock { $0 } }
        set { errorText.withLock { $0 = newValue } }
    }
    /// Events written, and events lost to write errors.
    public private(set) var written = 0
    public private(set) var lost = 0

    public init(path: String, maxSize: Int = 100_000_000) {
        self.path = path
        self.maxSize = max(maxSize, 1024)
        buffer.reserveCapacity(1 << 20)
    }

    /// What the tee is doing: `writing FILE`, or the last error.
    public var state: String { lastError.map { "tee error: \($0)" } ?? "tee \(path)" }

    /// Adds one event (its raw JSON, which may span lines) as one line.
    public func append(_ raw: UnsafeBufferPointer<UInt8>) {
        for b in raw { buffer.append(b == 0x0A || b == 0x0D ? 0x20 : b) }
        buffer.append(0x0A)
        written += 1
        if buffer.count >= 1 << 20 { flush() }
    }

    /// Writes what is buffered, rotating first when the file would pass `maxSize`.
    public func flush() {
        guard !buffer.isEmpty else { return }
        if fd < 0 { openFile() }
        if fd >= 0 && size > 0 && size + buffer.count > maxSize { rotate() }
        guard fd >= 0 else { return dropBuffer() }
        var done = 0
        while done < buffer.count {
            let n = buffer.withUnsafeBytes { write(fd, $0.baseAddress! + done, $0.count - done) }
            if n < 0 {
                if errno == EINTR { continue }
                lastError = "\(path): \(String(cString: strerror(errno)))"
                Glibc.close(fd)
                fd = -1
                buffer.removeFirst(done)
                return dropBuffer()
            }
            done += n
        }
        size += done
        buffer.removeAll(keepingCapacity: true)
        lastError = nil
    }

    /// Flushes and closes the file.
    public func close() {
        flush()
        if fd >= 0 {
            fsync(fd)
            Glibc.close(fd)
            fd = -1
        }
    }

    private func dropBuffer() {
        lost += buffer.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
        written -= buffer.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
        buffer.removeAll(keepingCapacity: true)
    }

    private func openFile() {
        fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        if fd < 0 {
            lastError = "\(path): \(String(cString: strerror(errno)))"
            return
        }
        var info = stat()
        fstat(fd, &info)
        size = Int(info.st_size)
    }

    private func rotate() {
        Glibc.close(fd)
        fd = -1
        // Two rotations in one millisecond would share a name: never replace an older file.
        var when = TeeWriter.now()
        var rotated = TeeWriter.rotatedName(path, at: when)
        var info = stat()
        while stat(rotated, &info) == 0 {
            when += 1000
            rotated = TeeWriter.rotatedName(path, at: when)
        }
        if rename(path, rotated) != 0 { lastError = "cannot rotate \(path): \(String(cString: strerror(errno)))" }
        openFile()
    }

    /// `dir/feed.log` at a time → `dir/feed-2006-01-02T15-04-05.000.log` (UTC), as lumberjack
    /// names the apiserver's rotated logs.
    public static func rotatedName(_ path: String, at micros: Int64) -> String {
        let slash = path.lastIndex(of: "/").map { path.index(after: $0) } ?? path.startIndex
        let file = path[slash...]
        let dot = file.lastIndex(of: ".") ?? file.endIndex
        let stamp = Timestamp.format(micros).prefix(23).replacingColons()
        return String(path[..<slash]) + String(file[..<dot]) + "-" + stamp + String(file[dot...])
    }

    static func now() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1_000_000 + Int64(ts.tv_nsec) / 1000
    }
}

extension Substring {
    fileprivate func replacingColons() -> String { String(map { $0 == ":" ? "-" : $0 }) }
}
