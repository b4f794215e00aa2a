import NIOCore
import Synchronization

/// Every open connection of one listener, so that a new connection can be let in by closing
/// one that costs its client nothing to lose, and no source can hold many connections
/// without authenticating.
///
/// At `maxConnections`, a new connection closes, in this order: the least recently used idle
/// keep-alive connection, else the oldest connection that has not sent a request yet; when
/// every connection is in the middle of a request, the new one is closed instead. Past
/// `maxUnauthenticatedPerSource` unauthenticated connections from one IP, that IP's oldest
/// one is closed. Either way the newest connection is the one kept, so a sender that
/// connects and sends at once gets in however many idle sockets are held open.
final class ConnectionTable: Sendable {
    /// Where a connection is between its requests.
    enum Phase: Sendable {
        /// Open, and no byte of a request has arrived yet.
        case fresh
        /// A request is arriving or being answered.
        case busy
        /// Keep-alive, between requests.
        case idle
    }

    private struct Entry {
        let channel: any Channel
        let source: String
        var phase = Phase.fresh
        var authenticated = false
        /// When the phase last changed, as a tick of `State.clock`: lower is older.
        var since: UInt64
    }

    private struct State {
        var entries: [ObjectIdentifier: Entry] = [:]
        var unauthenticated: [String: Int] = [:]
        var clock: UInt64 = 0
    }

    private let state = Mutex(State())
    private let stats: WebhookStats
    private let limit: Int
    private let perSource: Int

    init(stats: WebhookStats, limit: Int, perSource: Int) {
        self.stats = stats
        self.limit = max(1, limit)
        self.perSource = max(1, perSource)
    }

    /// Registers a new connection from `source`, closing others to make room. False when it
    /// must be closed itself (every slot holds a request under way).
    func admit(_ channel: any Channel, source: String) -> Bool {
        var forRoom: (any Channel)?
        var overCap: (any Channel)?
        let admitted = state.withLock { s -> Bool in
            if s.entries.count >= limit {
                let victim = Self.oldest(s.entries, where: { $0.phase == .idle }) ?? Self.oldest(s.entries, where: { $0.phase == .fresh })
                guard let victim else { return false }
                forRoom = drop(victim, from: &s)
            }
            s.clock += 1
            s.entries[ObjectIdentifier(channel)] = Entry(channel: channel, source: source, since: s.clock)
            s.unauthenticated[source, default: 0] += 1
            if s.unauthenticated[source, default: 0] > perSource,
                let victim = Self.oldest(s.entries, where: { $0.source == source && !$0.authenticated })
            {
                overCap = drop(victim, from: &s)
            }
            return true
        }
        let closing = [forRoom, overCap].compactMap { $0 }
        stats.update {
            if admitted { $0.openConnections += 1 } else { $0.refusedConnections += 1 }
            $0.openConnections -= closing.count
            if forRoom != nil { $0.closedForRoom += 1 }
            if overCap != nil { $0.closedOverSourceCap += 1 }
        }
        // Outside the lock: closing runs channelInactive, which calls `remove`.
        for channel in closing { channel.close(promise: nil) }
        return admitted
    }

    /// Forgets a closed connection (a no-op for one already closed to make room).
    func remove(_ channel: any Channel) {
        let removed = state.withLock { s -> Bool in
            guard s.entries[ObjectIdentifier(channel)] != nil else { return false }
            _ = drop(ObjectIdentifier(channel), from: &s)
            return true
        }
        if removed { stats.update { $0.openConnections -= 1 } }
    }

    /// Records that the connection is now in `phase`.
    func set(_ channel: any Channel, _ phase: Phase) {
        state.withLock { s in
            guard s.entries[ObjectIdentifier(channel)] != nil else { return }
            s.clock += 1
            s.entries[ObjectIdentifier(channel)]!.phase = phase
            s.entries[ObjectIdentifier(channel)]!.since = s.clock
        }
    }

    /// Records that a request on the connection passed every check: it no longer counts
    /// against its source's cap.
    func authenticate(_ channel: any Channel) {
        state.withLock { s in
            guard let entry = s.entries[ObjectIdentifier(channel)], !entry.authenticated else { return }
            s.entries[ObjectIdentifier(channel)]!.authenticated = true
            s.unauthenticated[entry.source, default: 1] -= 1
            if s.unauthenticated[entry.source] == 0 { s.unauthenticated[entry.source] = nil }
        }
    }

    /// Connections registered now.
    var count: Int { state.withLock { $0.entries.count } }

    /// The entry that has been in its phase longest among those matching `test`.
    private static func oldest(_ entries: [ObjectIdentifier: Entry], where test: (Entry) -> Bool) -> ObjectIdentifier? {
        var best: (key: ObjectIdentifier, since: UInt64)?
        for (key, entry) in entries where test(entry) && entry.since < (best?.since ?? .max) {
            best = (key, entry.since)
        }
        return best?.key
    }

    /// Removes an entry and its share of its source's count; returns its channel.
    private func drop(_ key: ObjectIdentifier, from s: inout State) -> any Channel {
        let entry = s.entries.removeValue(forKey: key)!
        if !entry.authenticated {
            s.unauthenticated[entry.source, default: 1] -= 1
            if s.unauthenticated[entry.source] == 0 { s.unauthenticated[entry.source] = nil }
        }
        return entry.channel
    }
}
