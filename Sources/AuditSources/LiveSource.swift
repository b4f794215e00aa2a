import AuditCore
import Synchronization

/// A source the dashboard follows live: it runs on its own thread, feeding a shared store,
/// until asked to stop.
public protocol LiveSource: AnyObject, Sendable {
    /// The name shown in the status bar and tagged on events.
    var name: String { get }
    /// What the source is doing now: `following`, `waiting`, `rotated`, `ended`, `error: …`.
    var state: String { get }
    /// Reads until `stop` is set (or the input ends), feeding `store`. Blocks.
    func run(into store: SharedEventStore, stop: StopSignal)
}

/// Asks sources to stop; shared between the UI thread and source threads.
public final class StopSignal: Sendable {
    private let flag = Atomic<Bool>(false)

    public init() {}

    public var isSet: Bool { flag.load(ordering: .acquiring) }

    public func set() { flag.store(true, ordering: .releasing) }
}

/// A state string readable from any thread.
final class SourceState: Sendable {
    private let value: Mutex<String>

    init(_ initial: String) { value = Mutex(initial) }

    var current: String {
        get { value.withLock { $0 } }
        set { value.withLock { $0 = newValue } }
    }
}

/// Sleeps in small steps so a stop request is seen quickly.
func pause(milliseconds: Int, unless stop: StopSignal) {
    var left = milliseconds
    while left > 0 && !stop.isSet {
        let step = min(left, 50)
        usleepMilliseconds(step)
        left -= step
    }
}

#if canImport(Glibc)
import Glibc
#endif

func usleepMilliseconds(_ ms: Int) { usleep(useconds_t(ms * 1000)) }
