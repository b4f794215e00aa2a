#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Wakes a follower as soon as its file or the file's directory changes (Linux inotify),
/// instead of at the next poll.
///
/// It watches the directory for files created, moved in or out, deleted or written (which
/// covers the followed name, a recreated file and a rotated copy), and the open file itself
/// wherever it has been moved or unlinked to. Events only end a wait early; the follower then
/// looks at the file as a poll would, so a missed or coalesced event costs at most one poll
/// interval. Where inotify is missing (another OS, no instances left) `wait` just sleeps.
final class InotifyWatch {
    private let directory: String
    #if os(Linux)
    private let queue: Int32
    private var directoryWatch: Int32 = -1
    private var fileWatch: Int32 = -1
    private var events = [UInt8](repeating: 0, count: 16 * 1024)
    #endif

    /// Watches the directory holding `path` (the directory may not exist yet); when not
    /// `enabled`, only sleeps.
    init(path: String, enabled: Bool = true) {
        let slash = path.lastIndex(of: "/")
        directory = slash.map { $0 == path.startIndex ? "/" : String(path[..<$0]) } ?? "."
        #if os(Linux)
        queue = enabled ? inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC)) : -1
        watchDirectory()
        #endif
    }

    deinit {
        #if os(Linux)
        if queue >= 0 { close(queue) }
        #endif
    }

    /// True when changes wake the follower; false when it polls.
    var isActive: Bool {
        #if os(Linux)
        return queue >= 0 && directoryWatch >= 0
        #else
        return false
        #endif
    }

    /// Watches the file open as `fd` (it stays watched after a rename or unlink), in place of
    /// the one watched before.
    func watchFile(_ fd: Int32) {
        #if os(Linux)
        guard queue >= 0 else { return }
        let mask = UInt32(IN_MODIFY | IN_ATTRIB | IN_MOVE_SELF | IN_DELETE_SELF)
        let wd = inotify_add_watch(queue, "/proc/self/fd/\(fd)", mask)
        if fileWatch >= 0, fileWatch != wd, fileWatch != directoryWatch { inotify_rm_watch(queue, fileWatch) }
        fileWatch = wd
        #endif
    }

    /// Waits up to `milliseconds` for a change, in short steps so `stop` is seen quickly.
    /// Returns early when something changed; every queued event is consumed.
    func wait(milliseconds: Int, unless stop: StopSignal) {
        #if os(Linux)
        if directoryWatch < 0 { watchDirectory() }
        guard isActive else {
            pause(milliseconds: milliseconds, unless: stop)
            return
        }
        var left = milliseconds
        while left > 0 && !stop.isSet {
            let step = min(left, 50)
            var entry = pollfd(fd: queue, events: Int16(POLLIN), revents: 0)
            if poll(&entry, 1, Int32(step)) > 0 {
                drain()
                return
            }
            left -= step
        }
        #else
        pause(milliseconds: milliseconds, unless: stop)
        #endif
    }

    #if os(Linux)
    private func watchDirectory() {
        guard queue >= 0 else { return }
        let mask = UInt32(IN_CREATE | IN_MOVED_FROM | IN_MOVED_TO | IN_DELETE | IN_MODIFY | IN_CLOSE_WRITE)
        directoryWatch = inotify_add_watch(queue, directory, mask)
    }

    /// Reads and discards the queued events: which one arrived does not matter.
    private func drain() {
        let queue = self.queue
        while events.withUnsafeMutableBytes({ read(queue, $0.baseAddress, $0.count) }) > 0 {}
    }
    #endif
}
