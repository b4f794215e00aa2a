import AuditCore

/// What `audittop report --format json` prints: the engine's numbers after reading every
/// source. The schema is stable; fields are only ever added. Strings are exact (JSON-escaped,
/// not sanitised); times are RFC 3339 UTC; durations are seconds.
public struct Report: Codable, Sendable, Equatable {
    /// A name and how many requests it had.
    public struct NameCount: Codable, Sendable, Equatable {
        public var name: String
        public var count: Int
    }

    public struct Malformed: Codable, Sendable, Equatable {
        public var total: Int
        /// Every `MalformedKind` by its name, zeros included.
        public var byKind: [String: Int]
    }

    public struct TimeRange: Codable, Sendable, Equatable {
        public var first: String?
        public var last: String?
    }

    /// One bucket of the per-minute series.
    public struct RatePoint: Codable, Sendable, Equatable {
        public var time: String
        public var total: Int
        public var read: Int
        public var write: Int
        public var other: Int
        public var clientErrors: Int
        public var serverErrors: Int
        public var denied: Int
    }

    public struct Rates: Codable, Sendable, Equatable {
        public var bucketSeconds: Int
        /// Per minute from the first to the last minute with requests, within the last 24 h
        /// of event time.
        public var series: [RatePoint]
    }

    public struct Top: Codable, Sendable, Equatable {
        public var users: [NameCount]
        public var verbs: [NameCount]
        public var resources: [NameCount]
        public var namespaces: [NameCount]
        public var userAgents: [NameCount]
        public var sourceIPs: [NameCount]
        public var codes: [NameCount]
        /// By source (file, stdin, listener), when events came from more than one.
        public var sources: [NameCount]
    }

    public struct DeniedGroup: Codable, Sendable, Equatable {
        public var user: String
        public var verb: String
        public var resource: String
        public var count: Int
        public var lastSeen: String?
        public var reason: String
    }

    public struct Denied: Codable, Sendable, Equatable {
        public var total: Int
        public var byUser: [NameCount]
        public var groups: [DeniedGroup]
        public var latest: [DeniedRequest]
    }

    public struct UnknownUserRow: Codable, Sendable, Equatable {
        public var user: String
        public var firstSeen: String?
        public var lastSeen: String?
        public var requests: Int
        public var denied: Int
        public var anonymous: Bool
        public var verbs: [String]
        public var resources: [String]
        public var sourceIPs: [String]
        public var userAgents: [String]
        /// The verb and resource of the user's latest request by event time, e.g. `get secrets`.
        public var lastRequest: String
        public var lastSourceIP: String
        /// Requests with no username (failed authentication), kept per source IP; `user` is "".
        public var unauthenticated = false
        /// Who made requests as this user by impersonating it.
        public var impersonatedBy: [String] = []
    }

    public struct Anonymous: Codable, Sendable, Equatable {
        public var requests: Int
        public var denied: Int
    }

    public struct Latency: Codable, Sendable, Equatable {
        public var count: Int
        public var p50: Double
        public var p90: Double
        public var p99: Double
    }

    /// One detection rule that fired: how often, when, and the newest examples.
    public struct AlertRow: Codable, Sendable, Equatable {
        public var rule: String
        public var severity: Severity
        public var description: String
        public var count: Int
        public var first: String?
        public var last: String?
        public var examples: [AlertExample]
        /// `built-in`, or the rules file and line the rule comes from.
        public var origin: String
        /// The rule's own word for its severity: a Falco priority (`WARNING`) or a Sigma
        /// level; nil for audittop's built-ins, whose word is `severity`.
        public var priority: String?
        /// The newest firing's rendered Falco output line.
        public var output: String?
        public var tags: [String]
        /// A Sigma rule's id.
        public var id: String?
    }

    public var sources: [String]
    /// The filter every count below is restricted to (`--filter`); nil when none.
    public var filter: String?
    /// Events in the ring matching the filter; nil when none.
    public var matchingEvents: Int?
    /// Events ingested, duplicates excluded.
    public var events: Int
    /// Distinct requests (auditIDs).
    public var requests: Int
    public var duplicates: Int
    public var malformed: Malformed
    /// Events evicted from the ring (the report's numbers still count them).
    public var evicted: Int
    /// Events skipped for falling outside `--since` / `--until`.
    public var outsideTimeRange: Int
    public var timeRange: TimeRange
    public var rates: Rates
    public var top: Top
    public var denied: Denied
    public var unknownUsers: [UnknownUserRow]
    public var anonymous: Anonymous
    /// Per verb; long-running requests (watch, exec, attach, port-forward, proxy, log
    /// follow) are left out.
    public var latency: [String: Latency]
    /// 0 when every count in `top` and `denied.byUser` is exact. Else some list had more
    /// distinct values than its 10,000 counters (a Space-Saving sketch): every value counted
    /// more than requests / 10,000 times is listed, and a count is high by at most this much.
    public var topErrorBound: Int = 0
    /// Rules that fired, most severe first (alerts ignore `--filter`: they are about the feed).
    public var alerts: [AlertRow]
    /// Requests a rule needed the body of but the audit policy did not log it, per rule.
    public var rulesNotEvaluated: [String: Int]
}
