/// One denied request, as the Denied pane and the report list it.
public struct DeniedRequest: Sendable, Equatable, Codable {
    public var time: String
    public var user: String
    public var verb: String
    public var resource: String
    public var namespace: String
    public var name: String
    public var code: Int
    /// Why: the authorizer's reason, else the response message, else its reason word.
    public var reason: String
    public var sourceIP: String
    public var auditID: String
}

/// Denied requests (code 401 or 403, or decision `forbid`): the latest ones, and counts by
/// user, and by user + verb + resource.
public struct DeniedRequests: Sendable {
    /// Counts per user + verb + resource (interned ids).
    public struct Key: Hashable, Sendable {
        public var user: UInt32
        public var verb: UInt32
        public var resource: UInt32

        public init(user: UInt32, verb: UInt32, resource: UInt32) {
            self.user = user
            self.verb = verb
            self.resource = resource
        }
    }

    /// A group's count, when it was last seen and the last reason given.
    public struct Group: Sendable {
        public var count: Int
        public var lastSeen: Int64
        public var reason: String
    }

    /// How many of the latest denials are kept.
    public let keep: Int
    /// Denied requests in all.
    public private(set) var total = 0
    public private(set) var byUser = CountTable()
    /// At most `groupLimit` groups; past it the least recently seen tenth is dropped.
    public private(set) var groups: [Key: Group] = [:]
    public static let groupLimit = 10_000
    /// Groups dropped by the limit.
    public private(set) var droppedGroups = 0
    /// The kept denials with their event time. While denials arrive in time order this is a
    /// ring (oldest at `latestNext` once full); after one arrives out of order (saved logs of
    /// several apiservers) the oldest is found by time instead.
    private var latestRing: [(time: Int64, record: DeniedRequest)] = []
    private var latestNext = 0
    private var inTimeOrder = true
    private var newestTime = Int64.min

    public init(keep: Int = 500) { self.keep = max(keep, 1) }

    /// The `keep` newest denials by event time, newest first, whatever order they came in.
    public var latest: [DeniedRequest] {
        if inTimeOrder {
            if latestRing.count < keep { return latestRing.reversed().map(\.record) }
            return (latestRing[latestNext...] + latestRing[..<latestNext]).reversed().map(\.record)
        }
        return latestRing.sorted { a, b in
            a.time != b.time ? a.time > b.time : a.record.auditID > b.record.auditID
        }.map(\.record)
    }

    /// The `limit` newest of `latest`, without copying the rest.
    public func latest(_ limit: Int) -> [DeniedRequest] {
        guard inTimeOrder else { return Array(latest.prefix(limit)) }
        var out: [DeniedRequest] = []
        out.reserveCapacity(min(limit, latestRing.count))
        // Newest first: back from the slot before the next write, wrapping once when full.
        var k = (latestRing.count < keep ? latestRing.count : latestNext) - 1
        while out.count < min(limit, latestRing.count) {
            if k < 0 { k = latestRing.count - 1 }
            out.append(latestRing[k].record)
            k -= 1
        }
        return out
    }

    mutating func add(_ key: Key, at time: Int64, record: @autoclosure () -> DeniedRequest) {
        total += 1
        byUser.add(key.user)
        let r = record()
        if var g = groups[key] {
            g.count += 1
            if time >= g.lastSeen {
                g.lastSeen = time
                g.reason = r.reason
            }
            groups[key] = g
        } else {
            if groups.count >= DeniedRequests.groupLimit { dropStaleGroups() }
            groups[key] = Group(count: 1, lastSeen: time, reason: r.reason)
        }
        if time < newestTime { inTimeOrder = false } else { newestTime = time }
        if latestRing.count < keep {
            latestRing.append((time, r))
        } else if inTimeOrder {
            latestRing[latestNext] = (time, r)
            latestNext = (latestNext + 1) % keep
        } else if let oldest = latestRing.indices.min(by: { latestRing[$0].time < latestRing[$1].time }),
                  time > latestRing[oldest].time {
            latestRing[oldest] = (time, r)
        }
    }

    /// Drops the least recently seen tenth of the groups, so the next thousands of new ones
    /// cost nothing more.
    private mutating func dropStaleGroups() {
        let stale = groups.sorted { $0.value.lastSeen < $1.value.lastSeen }.prefix(DeniedRequests.groupLimit / 10)
        for (key, _) in stale { groups[key] = nil }
        droppedGroups += stale.count
    }

    /// Marks the ids the counts and groups refer to (`StringInterner.reclaim`).
    func mark(_ live: inout LiveStrings) {
        byUser.mark(&live)
        for key in groups.keys {
            live.mark(key.user)
            live.mark(key.verb)
            live.mark(key.resource)
        }
    }

    /// Takes back one denial (a later stage of the request was not denied).
    mutating func remove(_ key: Key) {
        total -= 1
        byUser.add(key.user, -1)
        if var g = groups[key] {
            g.count -= 1
            groups[key] = g.count > 0 ? g : nil
        }
    }
}
