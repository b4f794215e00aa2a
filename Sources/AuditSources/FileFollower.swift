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
/// Nothing is read twice. Behind its writer, the follower still reads every generation in
/// order: each file that takes the name is opened as soon as it is seen (`FileSuccessors`),
/// and after a copy-then-truncate the later copies are read whole (`RotatedCopy.successors`).
/// With no copy, a truncation must be noticed before the next one.
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
        var successors = FileSuccessors()
        while !stop.isSet {
            let fd = successors.next() ?? open(path, O_RDONLY | O_CLOEXEC)
            if fd < 0 {
                status.current = errno == ENOENT ? "waiting for the file" : "error: \(String(cString: strerror(errno)))"
                watch.wait(milliseconds: 250, unless: stop)
                continue
            }
            if first, let tail { seekToLast(tail, fd) }
            first = false
            follow(fd, into: target, watch: watch, successors: &successors, stop: stop)
            close(fd)
        }
        successors.closeAll()
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

    /// Reads `fd` until the writer has moved on to a file that took the name (rotated or
    /// recreated, held in `successors`) and `fd` is read to its end, or until stop or an error.
    private func follow(_ fd: Int32, into target: Target, watch: InotifyWatch, successors: inout FileSuccessors, stop: StopSignal) {
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
                successors.notice(path, after: file)
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
                return
            }
            // At the end: has the file been truncated, replaced or removed?
            if file.wasTruncated() {
                recoverTruncation(&file, &framer, into: target)
                continue
            }
            successors.notice(path, after: file)
            if successors.writerMovedOn {
                // Whatever the writer wrote to this file came before its first bytes in the
                // next one, so it is here by now: read it to its end, then switch.
                while true {
                    let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                    if n < 0 && errno == EINTR { continue }
                    guard n > 0 else { break }
                    buffer.withUnsafeBufferPointer { target.feed(UnsafeBufferPointer(rebasing: $0[0..<n]), &framer) }
                }
                target.finish(&framer)
                status.current = "rotated"
                return
            }
            var named = stat()
            if !successors.isEmpty {
                status.current = "rotated; waiting for the new file's first line"
            } else if stat(path, &named) != 0 {
                // Keep the old descriptor until a new file appears; it may still grow.
                status.current = "waiting (file removed)"
            }
            watch.wait(milliseconds: interval, unless: stop)
        }
    }

    /// After a truncation: reads what was missed from the rotated copy, if there is one, then
    /// starts again at 0 with a fresh decoder.
    private func recoverTruncation(_ file: inout FollowedFile, _ framer: inout StreamDecoder, into target: Target) {
        var recovered: [String] = []
        if file.offset > 0, file.hasDistinctivePrefix, let copy = RotatedCopy.find(for: file, at: path),
            copy.read(from: file.offset, { target.feed($0, &framer) }) != nil
        {
            // The copy continues the line the decoder may hold a part of.
            target.finish(&framer)
            recovered.append(copy.path)
            // More than one rotation behind: the generations in between are copies too.
            for missed in copy.successors(besides: path, excluding: file, live: file.currentStart()) {
                var whole = StreamDecoder(maxLine: maxLine)
                guard missed.read(from: 0, { target.feed($0, &whole) }) != nil else { break }
                target.finish(&whole)
                recovered.append(missed.path)
            }
        }
        // Without a copy, a partial last line is gone.
        framer = StreamDecoder(maxLine: maxLine)
        file.restart()
        let names = recovered.map { String($0.split(separator: "/").last ?? "") }
        status.current = names.isEmpty ? "truncated, no copy found" : "truncated, caught up from \(names.joined(separator: ", "))"
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
