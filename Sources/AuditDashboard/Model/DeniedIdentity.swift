import AuditCore

/// One identity's denials, for the Denied pane's default view: how many, what was tried
/// most, when last, and why.
public struct DeniedIdentity: Sendable, Equatable {
    public var user: String
    public var count: Int
    /// The verb and resource denied most often, e.g. `list secrets`.
    public var mostTried: String
    /// Other verb + resource pairs denied.
    public var otherPairs: Int
    /// Event time of the latest denial, microseconds.
    public var lastSeen: Int64
    /// The latest denial's reason.
    public var reason: String
    /// An unknown user, or the actor of a high or critical alert: such rows come first.
    public var suspicious: Bool

    /// The rows for `store`'s visible denials: suspicious identities first, then by count
    /// (then latest first), at most `limit`.
    static func rows(_ store: EventStore, alerts: [Report.AlertRow], unknown: [Report.UnknownUserRow], limit: Int) -> [DeniedIdentity] {
        let s = store.strings
        var byUser: [UInt32: [(key: DeniedRequests.Key, group: DeniedRequests.Group)]] = [:]
        for (key, group) in store.visibleStats.denied.groups { byUser[key.user, default: []].append((key, group)) }
        let severe = Set(alerts.filter { $0.severity >= .high }.flatMap { $0.examples.map(\.user) })
        let unknownNames = Set(unknown.map(\.user))
        var rows: [DeniedIdentity] = byUser.map { user, groups in
            let name = user == 0 ? "(none)" : s.string(user)
            let top = groups.max { $0.group.count != $1.group.count ? $0.group.count < $1.group.count : $0.group.lastSeen < $1.group.lastSeen }!
            let latest = groups.max { $0.group.lastSeen < $1.group.lastSeen }!
            return DeniedIdentity(
                user: name, count: groups.reduce(0) { $0 + $1.group.count },
                mostTried: s.string(top.key.verb) + " " + s.string(top.key.resource), otherPairs: groups.count - 1,
                lastSeen: latest.group.lastSeen, reason: latest.group.reason,
                suspicious: unknownNames.contains(name) || severe.contains(name))
        }
        rows.sort {
            if $0.suspicious != $1.suspicious { return $0.suspicious }
            if $0.count != $1.count { return $0.count > $1.count }
            return $0.lastSeen != $1.lastSeen ? $0.lastSeen > $1.lastSeen : $0.user < $1.user
        }
        return Array(rows.prefix(limit))
    }
}
