#if canImport(Glibc)
import Glibc
#endif
import AuditCore

/// Reads events from a descriptor until it ends: stdin (`-`) for the dashboard.
public final class StreamSource: LiveSource {
    public let name: String
    let fd: Int32
    let maxLine: Int
    // `status` is internally locked; the rest is read-only.
    private let status = SourceState("reading")

    public var state: String { status.current }

    public init(name: String = "stdin", fd: Int32 = 0, maxLine: Int = 4 << 20) {
        self.name = name
        self.fd = fd
        self.maxLine = maxLine
    }

    public func run(into store: SharedEventStore, stop: StopSignal) {
        let source = store.withStore { $0.addSource(name) }
        var framer = StreamDecoder(maxLine: maxLine)
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        var pollSet = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        while !stop.isSet {
            // Wait for input in short steps so a quit is never kept waiting.
            if poll(&pollSet, 1, 100) == 0 { continue }
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                status.current = "error: \(String(cString: strerror(errno)))"
                return
            }
            if n == 0 { break }
            buffer.withUnsafeBufferPointer { chunk in
                store.withStore { s in
                    s.currentSource = source
                    framer.feed(UnsafeBufferPointer(rebasing: chunk[0..<n]), to: s)
                }
            }
        }
        store.withStore { s in
            s.currentSource = source
            framer.finish(to: s)
        }
        status.current = "ended"
    }
}
