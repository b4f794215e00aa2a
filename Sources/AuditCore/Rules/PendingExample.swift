/// A firing kept as the event's ring entry until its example is read: the texts of an
/// `AlertExample` are made only for the few latest firings anyone looks at.
struct PendingExample {
    var entry: RingEntry
    var id: AuditID
    var time: Int64
    /// Nil: the request itself (`get secrets NAME`).
    var note: String?
    var output: String?
    /// The output still to render (`output` and `note` are then nil: the note is the output).
    var deferred: DeferredOutput?
}

/// A Falco output to render when its example is read: the template, and a copy of the
/// event's JSON (the ring entry is the example's).
struct DeferredOutput {
    let template: OutputTemplate
    let raw: [UInt8]
    let uri: Span

    func render(_ entry: RingEntry, _ engine: RuleEngine) -> String {
        raw.withUnsafeBufferPointer { bytes in
            var reader = EventFieldReader(raw: bytes, entry: entry, strings: engine.strings, store: nil, engine: engine, uri: uri)
            return template.render(&reader)
        }
    }
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
        let output = p.output ?? p.deferred?.render(e, self)
        return AlertExample(
            time: p.time == 0 ? "" : Timestamp.format(p.time), user: TerminalText.sanitize(EventStore.actorName(e, s)),
            verb: s.string(e.verb), resource: resource, namespace: s.string(e.namespace), name: TerminalText.sanitize(s.string(e.name)),
            auditID: p.id.uuidString, note: TerminalText.sanitize(p.note ?? output ?? s.string(e.verb) + " " + resource),
            sourceIP: TerminalText.sanitize(s.string(e.sourceIP)),
            output: output.map(TerminalText.sanitize))
    }
}
