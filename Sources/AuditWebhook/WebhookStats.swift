import Synchronization

/// What a listener has answered, for the status bar and the collector's log lines.
public struct WebhookCounts: Sendable, Equatable {
    public var requests = 0
    /// Bodies accepted (answered 200).
    public var batches = 0
    public var bytes = 0
    /// Answers by HTTP status code.
    public var answers: [Int: Int] = [:]
    public var lastSender = ""
    public var openConnections = 0
    /// Connections closed for being too slow: a head past the header timeout, or a body
    /// past the body timeout.
    public var closedSlow = 0
    /// Connections closed to let a new one in at `--max-connections` (idle keep-alive ones
    /// first, then ones that had sent nothing).
    public var closedForRoom = 0
    /// Connections closed because their source IP had too many unauthenticated ones open.
    public var closedOverSourceCap = 0
    /// New connections closed at once: every slot held a request under way.
    public var refusedConnections = 0
}

/// Counts shared between the event loop (writer) and the UI or collector (readers).
public final class WebhookStats: Sendable {
    private let counts = Mutex(WebhookCounts())

    public init() {}

    public var snapshot: WebhookCounts { counts.withLock { $0 } }

    func update(_ body: (inout WebhookCounts) -> Void) { counts.withLock { body(&$0) } }

    func answered(_ status: Int, sender: String, bytes: Int = 0) {
        counts.withLock {
            $0.requests += 1
            $0.answers[status, default: 0] += 1
            if status == 200 {
                $0.batches += 1
                $0.bytes += bytes
            }
            $0.lastSender = sender
        }
    }
}
