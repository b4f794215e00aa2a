/// Everything counted as requests arrive, kept up to date incrementally (never by rescanning
/// the ring). Top lists, rates, denials, latency and unknown users count requests: one per
/// auditID, with the outcome of its latest stage.
public struct Statistics: Sendable {
    public var perSecond = RateSeries.perSecond()
    public var perMinute = RateSeries.perMinute()
    public var users = CountTable()
    public var verbs = CountTable()
    /// By `group/resource[/subresource]` (core group: `resource[/subresource]`), or the path
    /// of a non-resource request (`/healthz`).
    public var resources = CountTable()
    public var namespaces = CountTable()
    public var userAgents = CountTable()
    public var sourceIPs = CountTable()
    /// By code + 1; index 0 counts requests with no code.
    public var codes = CountTable()
    /// By source (`RingEntry.source`): which file or listener the requests came through.
    public var sources = CountTable()
    public var denied = DeniedRequests()
    /// Per verb id, for at most `latencyVerbLimit` verbs (Kubernetes has a dozen).
    public var latency: [UInt32: LatencyHistogram] = [:]
    public static let latencyVerbLimit = 64
    public var unknown = UnknownUsers()
    public var anonymousRequests = 0
    public var anonymousDenied = 0
    /// Earliest and latest `requestReceivedTimestamp` seen, microseconds.
    public var firstTime: Int64?
    public var lastTime: Int64?

    public init() {}

    /// Marks every interned id the statistics refer to (`StringInterner.reclaim`).
    public func mark(_ live: inout LiveStrings) {
        for table in [users, verbs, resources, namespaces, userAgents, sourceIPs] { table.mark(&live) }
        denied.mark(&live)
        live.mark(all: latency.keys)
        unknown.mark(&live)
    }

    /// Drops what was kept by ids a reclaim freed.
    public mutating func prune(_ live: LiveStrings) { unknown.prune(live) }

    /// True when a top list holds more distinct values than its counters: its counts may
    /// be high by up to `topErrorBound`.
    public var topErrorBound: Int {
        [users, verbs, resources, namespaces, userAgents, sourceIPs, codes, sources, denied.byUser].map(\.errorBound).max() ?? 0
    }
}

/// Totals of what the store took in and let go.
public struct StoreCounters: Sendable, Equatable {
    /// Events ingested (duplicates excluded).
    public var ingested = 0
    /// Distinct requests (auditIDs) among them.
    public var requests = 0
    /// Events whose auditID and stage were already seen.
    public var duplicates = 0
    /// Events evicted from the ring to make room.
    public var evicted = 0
    /// Events in the ring whose raw JSON was dropped by the byte budget.
    public var rawDropped = 0
    /// Events skipped for falling outside `--since` / `--until`.
    public var outsideTimeRange = 0
    /// Interned strings freed because nothing referred to them any more.
    public var stringsReclaimed = 0
    public var malformed = MalformedCounts()

    public init() {}
}

/// How big the store may grow and how it classifies users.
public struct StoreConfiguration: Sendable {
    /// Events kept in the ring (`--capacity`).
    public var capacity = 200_000
    /// Bytes of memory for the raw JSON kept for the detail view and `:export`, compressed
    /// (`--raw-budget`): about 90,000 events of a realistic log.
    public var rawBudget = 20 << 20
    /// Recent requests remembered for de-duplication and stage merging.
    public var requestWindow = 500_000
    /// Latest denials kept.
    public var deniedKeep = 500
    public var knownUsers = KnownUsers()
    /// The platform's own identities, known by default (`--platform-identities`).
    public var platformIdentities = PlatformIdentities.builtinList
    /// What each identity did before, from `--baseline FILE`: the rules judge against it from
    /// the first event, and learning adds to it.
    public var baseline: BaselineFile?
    /// Learning window, microseconds of event time (`--learn`); nil is off.
    public var learn: Int64?
    /// Nesting allowed in a document.
    public var maxDepth = 256
    /// Only events received at or after this time (microseconds) are ingested (`--since`).
    public var since: Int64?
    /// Only events received before this time (microseconds) are ingested (`--until`).
    public var until: Int64?
    /// Detection rules run on every event (`--rules`, `--no-rules`).
    public var rules = RuleSet()
    /// Interned strings at which the first reclaim runs; after one, at twice what was left
    /// in use. Strings the ring and the bounded statistics no longer refer to are freed then.
    public var stringReclaimFloor = 1 << 18

    public init() {}
}
