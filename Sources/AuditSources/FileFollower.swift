#if canImport(Glibc)
import Glibc
#endif
import AuditCore

/// Follows an audit log like `tail -F`: loads what is there, then new lines as they land.
///
/// It follows the name, not the descriptor, and wakes on inotify events (Linux), with a poll
/// every `interval` as the fallback and the safety net. What each rotation does:
/// - *Rename* (lumberjack's `audit-<time>.log`) and *delete then recreate*: once the file at
///   the name is another one and has bytes in it, the writer has moved on; the old file is
///   read to its end through the descriptor still open, then the new one from its start.
/// - *Copy then truncate*: a truncation is noticed by the file's first bytes changing, even
///   when the new content has already grown past the old offset, and the new content is read
///   from 0. What was written between the last read and the truncation is read first from
///   the copy, a sibling whose first bytes match (see `RotatedCopy`); with no copy it is lost.
/// - A file that does not exist yet, or was removed, is waited for.
/// Nothing is read twice. The follower must notice each rotation before the next one.
public final class FileFollower: LiveSource {
    public let path: String
    public var name: String { path }
    public var state: String { status.current }
    /// Load only the last `tail` events of the existing content (nil: all of it).
    let tail: Int?
    let maxLine: Int
    /// How often to look for new bytes and for rotation without an inotify event, in milliseconds.
    let interval: Int
    /// False: poll only, never inotify.
    let watchesChanges: Bool
    // `status` is internally locked; the rest is read-only after init.
    private let status = SourceState("opening")

    /// Follows `path`, polling every `interval` ms when no inotify event comes first;
    /// `watchesChanges: false` polls only (as on systems without inotify).
    public init(path: String, tail: Int? = nil, maxLine: Int = 4 << 20, interval: Int = 100, watchesChanges: Bool = true) {
        self.path = path
        self.tail = tail
        self.maxLine = maxLine
        self.interval = interval
        self.watchesChanges = watchesChanges
    }

    public func run(into store: SharedEventStore, stop: StopSignal) {
        let target = Target(store: store, source: store.withStore { $0.addSource(path) })
        let watch = InotifyWatch(path: path, enabled: watchesChanges)
        var first = true
        var next: Int32 = -1
        while !stop.isSet {
            let fd = next >= 0 ? next : open(path, O_RDONLY | O_CLOEXEC)
            next = -1
            if fd < 0 {
                status.current = errno == ENOENT ? "waiting for the file" : "error: \(String(cString: strerror(errno)))"
                watch.wait(milliseconds: 250, unless: stop)
                continue
            }
            if first, let tail { seekToLast(tail, fd) }
            first = false
            next = follow(fd, into: target, watch: watch, stop: stop)
            close(fd)
        }
        if next >= 0 { close(next) }
    }

    /// Where bytes go: the shared store, tagged with this source.
    private struct Target {
        let store: SharedEventStore
        let source: UInt16

        func feed(_ chunk: UnsafeBufferPointer<UInt8>, _ framer: inout StreamDecoder) {
            store.withStore { s in
                s.currentSource = source
                framer.feed(chunk, to: s)
            }
        }

        func finish(_ framer: inout StreamDecoder) {
            store.withStore { s in
                s.currentSource = source
                framer.finish(to: s)
            }
        }
    }

    /// Reads `fd` until the name points at another file with bytes in it (rotated or
    /// recreated), returning that file open, or until stop or an error (returning -1).
    private func follow(_ fd: Int32, into target: Target, watch: InotifyWatch, stop: StopSignal) -> Int32 {
        var file = FollowedFile(fd)
        watch.watchFile(fd)
        var framer = StreamDecoder(maxLine: maxLine)
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        // What is already there loads first, with progress for a large file.
        let existing = file.sizeAtOpen
        let loadFrom = file.offset
        var loading = existing - loadFrom > 8 << 20
        status.current = loading ? "loading 0%" : "following"
        while !stop.isSet {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n > 0 {
                let truncated = file.wasTruncated()
                buffer.withUnsafeBufferPointer { all in
                    let chunk = UnsafeBufferPointer(rebasing: all[0..<n])
                    // After a truncation the chunk is either the old file's last bytes (kept) or
                    // the new content (read again from 0): the new content is still in place.
                    guard !truncated || !file.holds(chunk) else { return }
                    target.feed(chunk, &framer)
                    file.advance(over: chunk)
                }
                if truncated {
                    loading = false
                    recoverTruncation(&file, &framer, into: target)
                } else if loading {
                    loading = file.offset < existing
                    status.current = loading ? "loading \((file.offset - loadFrom) * 100 / (existing - loadFrom))%" : "following"
                }
                continue
            }
            if n < 0 {
                if errno == EINTR { continue }
                status.current = "error: \(String(cString: strerror(errno)))"
                return -1
            }
            // At the end: has the file been truncated, replaced or removed?
            if file.wasTruncated() {
                recoverTruncation(&file, &framer, into: target)
                continue
            }
            var named = stat()
            if stat(path, &named) != 0 {
                status.current = "waiting (file removed)"
                // Keep the old descriptor until a new file appears; it may still grow.
                watch.wait(milliseconds: interval, unless: stop)
                continue
            }
            if !file.isSameFile(as: named), let replacement = openReplacement(of: file) {
                // The writer has moved to the new file, so whatever it wrote to the old one is
                // there by now: read it to its end, then switch.
                while true {
                    let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                    if n < 0 && errno == EINTR { continue }
                    guard n > 0 else { break }
                    buffer.withUnsafeBufferPointer { target.feed(UnsafeBufferPointer(rebasing: $0[0..<n]), &framer) }
                }
                target.finish(&framer)
                status.current = "rotated"
                return replacement
            }
            watch.wait(milliseconds: interval, unless: stop)
        }
        return -1
    }

    /// The file now at the name, open, once it is another file with bytes in it (an empty one
    /// may have been created before the writer's last bytes reached the old one).
    private func openReplacement(of file: FollowedFile) -> Int32? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        var info = stat()
        if fstat(fd, &info) != 0 || file.isSameFile(as: info) || info.st_size == 0 {
            close(fd)
            status.current = "rotated; waiting for the new file's first line"
            return nil
        }
        return fd
    }

    /// After a truncation: reads what was missed from the rotated copy, if there is one, then
    /// starts again at 0 with a fresh decoder.
    private func recoverTruncation(_ file: inout FollowedFile, _ framer: inout StreamDecoder, into target: Target) {
        var recovered: String?
        if file.offset > 0, file.hasDistinctivePrefix, let copy = RotatedCopy.find(for: file, at: path),
            copy.read(from: file.offset, { target.feed($0, &framer) }) != nil
        {
            // The copy continues the line the decoder may hold a part of.
            target.finish(&framer)
            recovered = String(copy.path.split(separator: "/").last ?? "")
        }
        // Without a copy, a partial last line is gone.
        framer = StreamDecoder(maxLine: maxLine)
        file.restart()
        status.current = recovered.map { "truncated, caught up from \($0)" } ?? "truncated, no copy found"
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
