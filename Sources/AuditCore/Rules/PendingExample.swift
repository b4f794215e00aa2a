/// A firing kept as the event's ring entry until its example is read: the texts of an
/// `AlertExample` are made only for the few latest firings anyone looks at.
struct PendingExample {
    var entry: RingEntry
    var id: AuditID
    var time: Int64
    /// Nil: the request itself (`get secrets NAME`).
    var note: String?
    var output: String?
}

extension RuleEngine {
    /// Makes the pending firings' examples (before a read, and before a reclaim frees the
    /// ids they hold).
    func settleExamples() {
        guard !pending.isEmpty else { return }
        for (name, list) in pending {
            guard var alert = firing.removeValue(forKey: name) else { continue }
            alert.examples += list.map(example)
            if alert.examples.count > exampleLimit { alert.examples.removeFirst(alert.examples.count - exampleLimit) }
            firing[name] = alert
        }
        pending.removeAll(keepingCapacity: true)
    }

    private func example(_ p: PendingExample) -> AlertExample {
        let s = strings, e = p.entry
        let resource = Self.resourceText(e, s)
        return AlertExample(
            time: p.time == 0 ? "" : Timestamp.format(p.time), user: TerminalText.sanitize(EventStore.actorName(e, s)),
            verb: s.string(e.verb), resource: resource, namespace: s.string(e.namespace), name: TerminalText.sanitize(s.string(e.name)),
            auditID: p.id.uuidString, note: TerminalText.sanitize(p.note ?? s.string(e.verb) + " " + resource),
            sourceIP: TerminalText.sanitize(s.string(e.sourceIP)),
            output: p.output.map(TerminalText.sanitize))
    }
}
