/// A data rule with its matcher, and the verbs and resources it can match (as interned ids;
/// nil when any).
struct PreparedRule {
    let rule: DataRule
    let matcher: ConditionMatcher
    let verbs: Set<UInt32>?
    let resources: Set<UInt32>?
    /// The sets hold lowercased values (Sigma matches without case): compare them with the
    /// event's verb and resource lowercased.
    let folds: Bool
    let readsBody: Bool

    init(_ rule: DataRule, _ strings: StringInterner) {
        self.rule = rule
        matcher = ConditionMatcher(rule.condition)
        func ids(_ fields: [EventField]) -> Set<UInt32>? {
            var out: Set<UInt32>?
            for f in fields {
                guard let values = rule.condition.required(f) else { continue }
                let set = Set(values.map { strings.intern($0) })
                out = out.map { $0.intersection(set) } ?? set
            }
            return out
        }
        verbs = ids([.falco(.verb, argument: nil), .path(["verb"])])
        resources = ids([.falco(.targetResource, argument: nil), .path(["objectRef", "resource"])])
        folds = rule.format == .sigma
        readsBody = rule.readsBody
    }
}

extension RuleEngine {
    /// Runs the data rules on one event. A rule is skipped for an event whose verb or
    /// resource it cannot match, and for a request it already fired on; the event's raw JSON
    /// is read only by the rules that get that far and need more than the decoded fields.
    func dataRules(_ e: RingEntry, id: AuditID, time: Int64, raw: UnsafeBufferPointer<UInt8>, _ store: EventStore) {
        var reader: EventFieldReader?
        var folded: (verb: UInt32, resource: UInt32)?
        for (k, p) in preparedData.enumerated() {
            if p.folds {
                if folded == nil { folded = (lowercased(e.verb, store.strings), lowercased(e.resource, store.strings)) }
                if let verbs = p.verbs, !verbs.contains(folded!.verb) { continue }
                if let resources = p.resources, !resources.contains(folded!.resource) { continue }
            } else {
                if let verbs = p.verbs, !verbs.contains(e.verb) { continue }
                if let resources = p.resources, !resources.contains(e.resource) { continue }
            }
            let index = dataBase + k
            if alreadyFired(index, id) { continue }
            if reader == nil { reader = EventFieldReader(raw: raw, entry: e, store: store, engine: self) }
            guard p.matcher.matches(&reader!) else {
                if p.readsBody, e.stage != .requestReceived, reader!.lacksBody,
                    p.matcher.couldMatch(&reader!, unknown: EventField.isBody)
                {
                    noBody(p.rule.name)
                }
                continue
            }
            let output = p.rule.output?.render(&reader!)
            fire(index: index, name: p.rule.name, severity: p.rule.severity, description: p.rule.description, e, id: id, time: time,
                 store, note: output ?? "\(store.strings.string(e.verb)) \(Self.resourceText(e, store))", from: p.rule, output: output)
        }
    }
}

extension RuleEngine {
    /// The id of `id`'s string lowercased (the same id when it has no capitals; 0 when the
    /// lowercased string was never interned, so no rule names it). Cached per id until the
    /// next reclaim.
    func lowercased(_ id: UInt32, _ strings: StringInterner) -> UInt32 {
        if foldGeneration != strings.epoch || foldCache.count >= 4096 {
            foldCache.removeAll(keepingCapacity: true)
            foldGeneration = strings.epoch
        }
        if let v = foldCache[id] { return v }
        let text = strings.string(id)
        let lower = text.lowercased()
        let v = lower == text ? id : strings.lookup(lower) ?? 0
        foldCache[id] = v
        return v
    }
}
