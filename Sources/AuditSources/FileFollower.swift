#if canImport(Glibc)
import Glibc
#endif
import AuditCore

/// Follows an audit log like `tail -F`: loads what is there, then new lines as they land.
///
/// It follows the name, not the descriptor. Rotation by rename (lumberjack's
/// `audit-<time>.log`): the old file is read to its end, then the new `audit.log` from its
/// start. Copy-then-truncate: the shrink is noticed and reading starts again at 0. A file
/// deleted and recreated later, or one that does not exist yet, is waited for. Nothing is
/// read twice and nothing is skipped, except what a truncation removed before it was read.
public final class FileFollower: LiveSource {
    public let path: String
    public var name: String { path }
    public var state: String { status.current }
    /// Load only the last `tail` events of the existing content (nil: all of it).
    let tail: Int?
    let maxLine: Int
    /// How often to look for new bytes and for rotation, in milliseconds.
    let interval: Int
    // `status` is internally locked; the rest is read-only after init.
    private let status = SourceState("opening")

    public init(path: String, tail: Int? = nil, maxLine: Int = 4 << 20, interval: Int = 100) {
        self.path = path
        self.tail = tail
        self.maxLine = maxLine
        self.interval = interval
    }

    public func run(into store: SharedEventStore, stop: StopSignal) {
        let source = store.withStore { $0.addSource(path) }
        var first = true
        while !stop.isSet {
            let fd = open(path, O_RDONLY)
            if fd < 0 {
                status.current = errno == ENOENT ? "waiting for the file" : "error: \(String(cString: strerror(errno)))"
                pause(milliseconds: 250, unless: stop)
                continue
            }
            if first, let tail { seekToLast(tail, fd) }
            first = false
            follow(fd, source: source, store: store, stop: stop)
            close(fd)
        }
    }

    /// Reads `fd` until the name points at another file (rotated or recreated) or stop.
    private func follow(_ fd: Int32, source: UInt16, store: SharedEventStore, stop: StopSignal) {
        var framer = StreamDecoder(maxLine: maxLine)
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        var opened = stat()
        fstat(fd, &opened)
        var offset = lseek(fd, 0, SEEK_CUR)
        // What is already there loads first, with progress for a large file.
        let existing = opened.st_size
        let loadFrom = offset
        status.current = existing - loadFrom > 8 << 20 ? "loading 0%" : "following"
        while !stop.isSet {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n > 0 {
                offset += off_t(n)
                if existing - loadFrom > 8 << 20 {
                    status.current = offset >= existing ? "following" : "loading \((offset - loadFrom) * 100 / (existing - loadFrom))%"
                }
                buffer.withUnsafeBufferPointer { chunk in
                    store.withStore { s in
                        s.currentSource = source
                        framer.feed(UnsafeBufferPointer(rebasing: chunk[0..<n]), to: s)
                    }
                }
                continue
            }
            if n < 0 && errno != EINTR {
                status.current = "error: \(String(cString: strerror(errno)))"
                return
            }
            // At the end: has the file been truncated, replaced or removed?
            var now = stat()
            if fstat(fd, &now) == 0 && now.st_size < offset {
                // Copy-then-truncate: start again at the beginning; a partial line is gone.
                lseek(fd, 0, SEEK_SET)
                offset = 0
                framer = StreamDecoder(maxLine: maxLine)
                status.current = "truncated, reading from 0"
                continue
            }
            var named = stat()
            if stat(path, &named) != 0 {
                status.current = "waiting (file removed)"
                // Keep the old descriptor until a new file appears; it may still grow.
                pause(milliseconds: interval, unless: stop)
                continue
            }
            if named.st_ino != opened.st_ino || named.st_dev != opened.st_dev {
                // Rotated by rename or recreated: the old file was read to its end above.
                store.withStore { s in
                    s.currentSource = source
                    framer.finish(to: s)
                }
                status.current = "rotated"
                return
            }
            pause(milliseconds: interval, unless: stop)
        }
    }

    /// Positions `fd` at the start of its last `events` lines.
    private func seekToLast(_ events: Int, _ fd: Int32) {
        let end = lseek(fd, 0, SEEK_END)
        var position = end
        var newlines = 0
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        // A trailing newline ends the last line; it does not start one.
        while position > 0 {
            let size = min(off_t(chunk.count), position)
            position -= size
            let n = chunk.withUnsafeMutableBytes { pread(fd, $0.baseAddress, Int(size), position) }
            guard n > 0 else { break }
            for k in stride(from: n - 1, through: 0, by: -1) where chunk[k] == 0x0A {
                if position + off_t(k) == end - 1 { continue }
                newlines += 1
                if newlines == events {
                    lseek(fd, position + off_t(k) + 1, SEEK_SET)
                    return
                }
            }
        }
        lseek(fd, 0, SEEK_SET)
    }
}
