/// The stage of a request an event reports.
public enum Stage: UInt8, Sendable, CaseIterable {
    case unknown = 0, requestReceived, responseStarted, responseComplete, panic

    /// How final the stage is: a request's outcome comes from its highest-ranked event.
    public var rank: UInt8 {
        switch self {
        case .unknown: 0
        case .requestReceived: 1
        case .responseStarted: 2
        case .responseComplete, .panic: 3
        }
    }

    /// The name Kubernetes writes (`ResponseComplete`).
    public var name: String {
        switch self {
        case .unknown: ""
        case .requestReceived: "RequestReceived"
        case .responseStarted: "ResponseStarted"
        case .responseComplete: "ResponseComplete"
        case .panic: "Panic"
        }
    }

    init(_ text: String) {
        self = Stage.allCases.first { $0.name == text && $0 != .unknown } ?? .unknown
    }
}

/// The audit level an event was recorded at.
public enum Level: UInt8, Sendable, CaseIterable {
    case unknown = 0, none, metadata, request, requestResponse

    /// The name Kubernetes writes (`RequestResponse`).
    public var name: String {
        switch self {
        case .unknown: ""
        case .none: "None"
        case .metadata: "Metadata"
        case .request: "Request"
        case .requestResponse: "RequestResponse"
        }
    }

    init(_ text: String) {
        self = Level.allCases.first { $0.name == text && $0 != .unknown } ?? .unknown
    }
}

/// The authorizer's verdict from the `authorization.k8s.io/decision` annotation.
public enum Decision: UInt8, Sendable {
    case none = 0, allow, forbid

    /// The annotation's value, or "" when absent.
    public var name: String {
        switch self {
        case .none: ""
        case .allow: "allow"
        case .forbid: "forbid"
        }
    }
}

/// One event in the ring: every field the panes and statistics use, as interned ids and
/// numbers, in 112 bytes. The raw JSON lives apart in `RawStore`, within its own budget.
public struct RingEntry: Sendable {
    public var auditIDHigh: UInt64
    public var auditIDLow: UInt64
    /// `requestReceivedTimestamp`, microseconds since 1970 (0 when unknown).
    public var received: Int64
    /// `stageTimestamp`, microseconds since 1970 (0 when unknown).
    public var stageTime: Int64
    /// Where the raw JSON starts in the `RawStore`'s logical byte stream.
    public var rawOffset: UInt64
    public var rawLength: UInt32
    public var verb: UInt32
    public var user: UInt32
    /// The user's groups, one interned string of names joined by newlines.
    public var groups: UInt32
    public var impersonatedUser: UInt32
    public var sourceIP: UInt32
    public var userAgent: UInt32
    public var apiGroup: UInt32
    public var apiVersion: UInt32
    public var resource: UInt32
    public var subresource: UInt32
    public var namespace: UInt32
    public var name: UInt32
    /// `requestURI` without its query string, for requests with no object (`/healthz`);
    /// 0 for resource requests, whose path follows from the object fields.
    public var path: UInt32
    /// `responseStatus.reason` (e.g. `Forbidden`).
    public var statusReason: UInt32
    /// `authorization.k8s.io/reason`, kept for denied requests only (an allowed request's
    /// RBAC reason is in its raw JSON).
    public var decisionReason: UInt32
    /// Which source the event came from (an index into the store's source names).
    public var source: UInt16
    /// `responseStatus.code`, or -1 when absent.
    public var code: Int16
    public var stage: Stage
    public var level: Level
    public var decision: Decision
    /// `RingEntry.deniedFlag` and friends.
    public var flags: UInt8

    /// The request was denied (401, 403 or decision `forbid`).
    public static let deniedFlag: UInt8 = 1
    /// The request is long-running (watch, exec, attach, port-forward, proxy, log follow).
    public static let longRunningFlag: UInt8 = 2

    /// True when the request was denied.
    public var isDenied: Bool { flags & RingEntry.deniedFlag != 0 }

    /// Who the request acted as: the impersonated user when there is one, else the user.
    /// Statistics, unknown users, baselines and the rules count requests by it.
    public var actor: UInt32 { impersonatedUser != 0 ? impersonatedUser : user }
}

extension RingEntry {
    /// What the panes and the `resource` filter call the event's target:
    /// `group/resource[/subresource]` (the core group without a prefix), or the path of a
    /// request with no object (`/healthz`).
    public func resourceName(_ s: StringInterner) -> String {
        if resource == 0 { return s.string(path) }
        var name = s.string(resource)
        if subresource != 0 { name += "/" + s.string(subresource) }
        if apiGroup != 0 { name = s.string(apiGroup) + "/" + name }
        return name
    }
}
