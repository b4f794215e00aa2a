import AuditCore

/// The alert the incident strip holds: the most severe unacknowledged one (the latest
/// firing among equals), with how many other alerts still wait to be acknowledged.
public struct Incident: Sendable, Equatable {
    public var alert: Report.AlertRow
    /// Other unacknowledged alerts, of any severity.
    public var others: Int
    /// Alerts acknowledged and not fired since.
    public var acknowledged: Int

    /// Who did it: the user of the rule's latest example ("" for a burst of no one).
    public var actor: String { alert.examples.first?.user ?? "" }

    /// What it was done to: `verb resource namespace/name` of the latest example.
    public var target: String { alert.examples.first.map(Incident.target) ?? "" }

    /// When it last fired, `HH:MM:SS` of event time.
    public var time: String { ClockTime.fromReport(alert.last) }

    /// `resource namespace/name` of an example, as the strip and the Alerts pane say it.
    public static func target(_ e: AlertExample) -> String {
        let (resource, object) = targetParts(e)
        return [resource, object].filter { !$0.isEmpty }.joined(separator: " ")
    }

    /// The resource (`pods/exec`, or a path) and the object (`namespace/name`) of an example.
    /// The engine writes the object's name after the resource; it is taken from the fields.
    static func targetParts(_ e: AlertExample) -> (resource: String, object: String) {
        let resource = e.resource.split(separator: " ", maxSplits: 1).first.map(String.init) ?? ""
        let object = e.namespace.isEmpty ? e.name : (e.name.isEmpty ? e.namespace + "/" : e.namespace + "/" + e.name)
        return (resource, object)
    }
}

extension DashboardModel {
    /// The strip's alert under `state`'s acknowledgements, or nil when every alert is
    /// acknowledged (or none fired). `alerts` is already most severe first, then latest.
    public func incident(_ state: DashboardState) -> Incident? {
        let open = alerts.filter { !state.isAcknowledged($0) }
        guard let first = open.first else { return nil }
        return Incident(alert: first, others: open.count - 1, acknowledged: alerts.count - open.count)
    }

    /// Unacknowledged alerts of medium severity or higher: the `!` count on the tabs.
    public func openSerious(_ state: DashboardState) -> Int {
        alerts.filter { $0.severity >= .medium && !state.isAcknowledged($0) }.count
    }
}

extension DashboardState {
    /// True when `alert` was acknowledged and has not fired since (its count then).
    public func isAcknowledged(_ alert: Report.AlertRow) -> Bool {
        acknowledged[alert.rule].map { $0 >= alert.count } ?? false
    }

    /// Acknowledges `alert` as it is now: it leaves the strip until its rule fires again.
    public mutating func acknowledge(_ alert: Report.AlertRow) {
        acknowledged[alert.rule] = alert.count
    }
}
