/// A data rule with its matcher, and the verbs and resources it can match (as interned ids;
/// nil when any).
final class PreparedRule {
    let rule: DataRule
    let matcher: ConditionMatcher
    let resources: IDSet?
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
        resources = ids([.falco(.targetResource, argument: nil), .path(["objectRef", "resource"])])
        folds = rule.format == .sigma
        var stages: Set<Stage>?
        for f in [EventField.falco(.jsonValue, argument: "/stage"), .falco(.stage, argument: nil), .path(["stage"])] {
            guard let names = rule.condition.required(f) else { continue }
            let set = Set(Stage.allCases.filter { s in names.contains(s.name) || (rule.format == .sigma && names.contains(s.name.lowercased())) })
            stages = stages.map { $0.intersection(set) } ?? set
        }
        deferredOutput = !textMatching && rule.output.map { !$0.readsStoreState } ?? false
        gate = (stages.map { $0.reduce(0) { $0 | 1 << $1.rawValue } } ?? 0x7F) | (rule.readsBody ? Self.readsBodyBit : 0)
    }
}

/// The data rules by the resource they need: an event is shown only the rules that can
/// match its resource (and those that need none), in load order. Sigma's rules, which match
/// without case, are found by the event's resource lowercased when it has capitals.
struct DataRuleIndex {
    var byResource: [UInt32: [Int]] = [:]
    var anyResource: [Int] = []
    /// Sigma's rules by resource, for an event whose resource has capitals.
    var foldingByResource: [UInt32: [Int]] = [:]
    let folds: Bool

    init(_ rules: [PreparedRule]) {
        var all: Set<UInt32> = []
        for p in rules { all.formUnion(p.resources?.all ?? []) }
        for (k, p) in rules.enumerated() where p.resources == nil { anyResource.append(k) }
        for r in all {
            byResource[r] = rules.indices.filter { rules[$0].resources?.contains(r) ?? true }
            let folding = rules.indices.filter { rules[$0].folds && rules[$0].resources?.contains(r) == true }
            if !folding.isEmpty { foldingByResource[r] = folding }
        }
        folds = rules.contains { $0.folds }
    }

    /// The rules to show an event of `resource` (`folded`: its lowercased id).
    func candidates(_ resource: UInt32, folded: UInt32) -> [Int] {
        let exact = byResource[resource] ?? anyResource
        guard folded != resource, folded != 0, let more = foldingByResource[folded] else { return exact }
        return Array(Set(exact).union(more)).sorted()
    }
}

extension RuleEngine {
    /// Runs the data rules on one event. A rule is shown only events of a resource and a
    /// stage it can match (its verbs are the first thing its condition tests), and fires
    /// once per request; the event's raw JSON is read only by the rules that get that far
    /// and need more than the decoded fields.
    func dataRules(_ e: RingEntry, id: AuditID, time: Int64, raw: UnsafeBufferPointer<UInt8>, uri: Span, _ store: EventStore) {
        let candidates = dataIndex.candidates(e.resource, folded: dataIndex.folds && e.resource != 0 ? lowercased(e.resource, store.strings) : e.resource)
        guard !candidates.isEmpty else { return }
        var reader = EventFieldReader(raw: raw, entry: e, store: store, engine: self, uri: uri)
        let stage = UInt8(1) << e.stage.rawValue
        for k in candidates where dataGates[k] & stage != 0 {
            guard dataMatchers[k]._withUnsafeGuaranteedRef({ $0.matches(&reader) }) else {
                if dataGates[k] & PreparedRule.readsBodyBit != 0, e.stage != .requestReceived, reader.lacksBody,
                    preparedData[k].matcher.couldMatchWithoutBody(&reader)
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
            let output = rule.output?.render(&reader)
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
