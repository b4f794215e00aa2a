#if canImport(Glibc)
import Glibc
#endif
import AuditCore

/// `--exec 'CMD'`: a command whose stdout is followed as a source (`aws logs tail --follow`,
/// `gcloud logging tail`, `kubectl logs -f`). When it exits it is started again, after 1 s,
/// then twice as long each time up to a minute; a run that lasted a minute starts the wait
/// over. Its last stderr line is in `state` (`error: LINE (exit N, restart in 4 s)`), so the
/// status bar says why it stopped.
public final class CommandSource: LiveSource {
    public let name: String
    let command: String
    let maxLine: Int
    /// The first wait before a restart, in milliseconds.
    let firstBackoff: Int
    let maxBackoff: Int
    // `status` is internally locked; the rest is read-only.
    private let status = SourceState("starting")

    public var state: String { status.current }

    public init(command: String, maxLine: Int = 4 << 20, firstBackoff: Int = 1_000, maxBackoff: Int = 60_000) {
        self.command = command
        name = "exec: " + command
        self.maxLine = maxLine
        self.firstBackoff = firstBackoff
        self.maxBackoff = maxBackoff
    }

    public func run(into store: SharedEventStore, stop: StopSignal) {
        let source = store.withStore { $0.addSource(name) }
        var backoff = firstBackoff
        var runs = 0
        while !stop.isSet {
            let child: ChildCommand
            do {
                child = try ChildCommand(command, captureStderr: true)
            } catch {
                status.current = "error: \(error)"
                return
            }
            runs += 1
            status.current = runs == 1 ? "running" : "running (restart \(runs - 1))"
            let started = monotonicMilliseconds()
            var stderr = LastLine()
            follow(child, into: store, source: source, stderr: &stderr, stop: stop)
            if stop.isSet {
                child.stop()
                break
            }
            let code = child.wait()
            if monotonicMilliseconds() - started > 60_000 { backoff = firstBackoff }
            // What it said comes first: on a narrow status bar the end is what gets cut.
            let again = "exit \(code), restart in \(Self.seconds(backoff))"
            if code == 0 {
                // A clean end (a `kubectl logs -f` whose pod went away) is not an error.
                status.current = "ended, restart in \(Self.seconds(backoff))"
            } else {
                status.current = stderr.text.isEmpty ? "error: \(again)" : "error: \(stderr.text) (\(again))"
            }
            pause(milliseconds: backoff, unless: stop)
            backoff = min(backoff * 2, maxBackoff)
        }
        status.current = "stopped"
    }

    /// Reads the command's stdout into the store, and its stderr into `stderr`, until both end.
    private func follow(_ child: ChildCommand, into store: SharedEventStore, source: UInt16, stderr: inout LastLine, stop: StopSignal) {
        var framer = StreamDecoder(maxLine: maxLine)
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        var fds = [pollfd(fd: child.stdout, events: Int16(POLLIN), revents: 0), pollfd(fd: child.stderr, events: Int16(POLLIN), revents: 0)]
        var open = 2
        while open > 0 && !stop.isSet {
            if poll(&fds, 2, 100) <= 0 { continue }
            for k in 0..<2 where fds[k].fd >= 0 && fds[k].revents != 0 {
                let n = buffer.withUnsafeMutableBytes { read(fds[k].fd, $0.baseAddress, $0.count) }
                if n < 0 && (errno == EINTR || errno == EAGAIN) { continue }
                if n <= 0 {
                    fds[k].fd = -1
                    open -= 1
                    continue
                }
                buffer.withUnsafeBufferPointer { chunk in
                    let bytes = UnsafeBufferPointer(rebasing: chunk[0..<n])
                    if k == 1 {
                        stderr.add(bytes)
                        let line = stderr.text
                        if !line.isEmpty { status.current = "running: " + line }
                    } else {
                        store.withStore { s in
                            s.currentSource = source
                            framer.feed(bytes, to: s)
                        }
                    }
                }
            }
        }
        store.withStore { s in
            s.currentSource = source
            framer.finish(to: s)
        }
    }

    static func seconds(_ ms: Int) -> String { ms % 1000 == 0 ? "\(ms / 1000) s" : "\(Double(ms) / 1000) s" }
}

func monotonicMilliseconds() -> Int {
    var t = timespec()
    clock_gettime(CLOCK_MONOTONIC, &t)
    return t.tv_sec * 1000 + t.tv_nsec / 1_000_000
}
