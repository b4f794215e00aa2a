/// A data rule with its matcher, and the verbs and resources it can match (as interned ids;
/// nil when any).
final class PreparedRule {
    let rule: DataRule
    let matcher: ConditionMatcher
    let resources: IDSet?
    let verbs: IDSet?
    /// The sets hold lowercased values (Sigma matches without case): compare them with the
    /// event's verb and resource lowercased.
    let folds: Bool
    /// The stages the rule can match, one bit per stage (Falco's `kevt` asks for
    /// ResponseComplete; all stages when any), and `readsBodyBit`.
    let gate: UInt8
    static let readsBodyBit: UInt8 = 0x80
    /// Its output reads the event alone, so it can be rendered when the example is read,
    /// from a copy of the event's JSON (never with `RuleSet.textMatching`, whose run renders
    /// every output at once so that a test can compare the two).
    let deferredOutput: Bool
    /// What it demands of the entry's user, impersonated user and subresource (nil: nothing).
    let entryGate: EntryGate?

    init(_ rule: DataRule, _ strings: StringInterner, textMatching: Bool = false) {
        self.rule = rule
        matcher = ConditionMatcher(rule.condition, intern: { strings.intern($0) }, byText: textMatching)
        func ids(_ fields: [EventField]) -> IDSet? {
            var out: Set<UInt32>?
            for f in fields {
                guard let values = rule.condition.required(f) else { continue }
                let set = Set(values.map { strings.intern($0) })
                out = out.map { $0.intersection(set) } ?? set
            }
            return out.map(IDSet.init)
        }
        // Reading by text, as the languages define it, takes none of the shortcuts: every rule
        // is shown every event.
        resources = textMatching ? nil : ids([.falco(.targetResource, argument: nil), .path(["objectRef", "resource"])])
        verbs = textMatching ? nil : ids([.falco(.verb, argument: nil), .path(["verb"])])
        folds = rule.format == .sigma
        var stages: Set<Stage>?
        let stageFields = [EventField.falco(.jsonValue, argument: "/stage"), .falco(.stage, argument: nil), .path(["stage"])]
        func named(_ names: Set<String>) -> Set<Stage> {
            Set(Stage.allCases.filter { s in names.contains(s.name) || (rule.format == .sigma && names.contains(s.name.lowercased())) })
        }
        for f in stageFields where !textMatching {
            if let names = rule.condition.required(f) {
                stages = stages.map { $0.intersection(named(names)) } ?? named(names)
            }
            // `not ka.stage = RequestReceived` rules a stage out (an event with no stage
            // passes such a test).
            if let names = rule.condition.excluded(f) {
                stages = (stages ?? Set(Stage.allCases)).subtracting(named(names).subtracting([.unknown]))
            }
        }
        entryGate = textMatching ? nil : EntryGate(rule.condition, folds: folds) { strings.intern($0) }
        deferredOutput = !textMatching && rule.output.map { !$0.readsStoreState } ?? false
        gate = (stages.map { $0.reduce(0) { $0 | 1 << $1.rawValue } } ?? 0x7F) | (rule.readsBody ? Self.readsBodyBit : 0)
    }
}

extension RuleEngine {
    /// Runs the data rules on one event. A rule is shown only events of a resource, a verb
    /// and a stage it can match, and fires
    /// once per request; the event's raw JSON is read only by the rules that get that far
    /// and need more than the decoded fields.
    func dataRules(_ e: RingEntry, id: AuditID, time: Int64, raw: UnsafeBufferPointer<UInt8>, uri: Span, body: Span?, _ store: EventStore) {
        let candidates = dataIndex.candidates(resource: e.resource, verb: e.verb, epoch: store.strings.epoch) { lowercased($0, store.strings) }
        guard !candidates.isEmpty else { return }
        let stage = UInt8(1) << e.stage.rawValue
        for k in candidates where dataGates[k] & stage != 0 {
            if let gate = dataEntryGates[k], !gate.admits(e) { continue }
            // Set to this event when the first rule gets past its gates (most events reach
            // no matcher), and left for the detectors that read the same body.
            if !fields.live {
                fields.reader.restart(raw: raw, entry: e, store: store, engine: self, uri: uri, body: body)
                fields.live = true
            }
            guard dataMatchers[k]._withUnsafeGuaranteedRef({ $0.matches(&fields.reader) }) else {
                if dataGates[k] & PreparedRule.readsBodyBit != 0, e.stage != .requestReceived, fields.reader.lacksBody,
                    preparedData[k].matcher.couldMatchWithoutBody(&fields.reader)
                {
                    noBody(k)
                }
                continue
            }
            let index = dataBase + k
            if alreadyFired(index, id) { continue }
            let rule = preparedData[k].rule
            // Only the latest few firings of a rule keep their example, so an output is
            // rendered when it is read, from a copy of a JSON small enough to hold.
            if let template = rule.output, preparedData[k].deferredOutput, raw.count <= Self.deferredOutputBytes {
                let later = DeferredOutput(template: template, raw: Array(raw), uri: uri)
                fire(index: index, name: rule.name, severity: rule.severity, description: rule.description, e, id: id, time: time,
                     store, note: nil, from: rule, deferred: later)
                continue
            }
            let output = rule.output?.render(&fields.reader)
            fire(index: index, name: rule.name, severity: rule.severity, description: rule.description, e, id: id, time: time,
                 store, note: output, from: rule, output: output)
        }
    }
}

extension RuleEngine {
    /// Largest event whose JSON a firing keeps to render its output later; a larger one's
    /// output is rendered at once. At most `exampleLimit` copies per rule are held.
    static let deferredOutputBytes = 16 << 10

    /// The id of `id`'s string lowercased (the same id when it has no capitals; 0 when the
    /// lowercased string was never interned, so no rule names it). Cached per id until the
    /// next reclaim.
    func lowercased(_ id: UInt32, _ strings: StringInterner) -> UInt32 {
        if foldGeneration != strings.epoch {
            foldCache.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
            foldGeneration = strings.epoch
        }
        let slot = Int(id) & (Self.foldSlots - 1)
        let cached = foldCache[slot]
        if cached != 0, UInt32(cached >> 32) == id { return UInt32(truncatingIfNeeded: cached) }
        let text = strings.string(id)
        let lower = text.lowercased()
        let v = lower == text ? id : strings.lookup(lower) ?? 0
        foldCache[slot] = UInt64(id) << 32 | UInt64(v)
        return v
    }
}
