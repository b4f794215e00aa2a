import Foundation

/// A filter compiled against a store: each term remembers its verdict per interned string, so
/// testing a ring entry is mostly array lookups.
public final class FilterMatcher {
    public let filter: Filter
    /// "Now" for the filter's relative and clock times.
    public let reference: Int64
    private let root: Node
    /// Every term of `root`, whose caches a reclaim of interned strings makes stale.
    private let tests: [Test]
    /// The interner's epoch the caches were filled in.
    private var epoch = 0

    indirect enum Node {
        case all
        case and([Node])
        case or([Node])
        case not(Node)
        case test(Test)
    }

    /// Compiles `filter`. `reference` is "now" for relative and clock times (the feed's newest
    /// event time).
    public init(_ filter: Filter, reference: Int64) {
        self.filter = filter
        self.reference = reference
        root = FilterMatcher.compile(filter, reference: reference)
        tests = FilterMatcher.terms(of: root)
    }

    public func matches(_ e: RingEntry, in store: EventStore) -> Bool {
        if store.strings.epoch != epoch {
            // Ids were freed and may now name other strings: decide afresh.
            for t in tests { t.forgetVerdicts() }
            epoch = store.strings.epoch
        }
        return FilterMatcher.evaluate(root, e, store, self)
    }

    private static func terms(of node: Node) -> [Test] {
        switch node {
        case .all: return []
        case .and(let nodes), .or(let nodes): return nodes.flatMap(terms(of:))
        case .not(let n): return terms(of: n)
        case .test(let t): return [t]
        }
    }

    /// How many events in `store`'s ring match (what the `/` prompt shows while typing).
    public func count(in store: EventStore) -> Int {
        var n = 0
        var sequence = store.ring.firstSequence
        while sequence < store.ring.nextSequence {
            if let e = store.ring[sequence: sequence], matches(e, in: store) { n += 1 }
            sequence += 1
        }
        return n
    }

    private static func evaluate(_ node: Node, _ e: RingEntry, _ store: EventStore, _ m: FilterMatcher) -> Bool {
        switch node {
        case .all: return true
        case .and(let parts):
            for p in parts where !evaluate(p, e, store, m) { return false }
            return true
        case .or(let parts):
            for p in parts where evaluate(p, e, store, m) { return true }
            return false
        case .not(let inner): return !evaluate(inner, e, store, m)
        case .test(let t): return t.matches(e, store, m)
        }
    }

    private static func compile(_ f: Filter, reference: Int64) -> Node {
        switch f {
        case .all: return .all
        case .and(let parts): return .and(parts.map { compile($0, reference: reference) })
        case .or(let parts): return .or(parts.map { compile($0, reference: reference) })
        case .not(let inner): return .not(compile(inner, reference: reference))
        case .word(let w): return .test(Test(word: w))
        case .term(let t):
            let test = Test(term: t, reference: reference)
            return t.op == .notEqual ? .not(.test(test)) : .test(test)
        }
    }

    /// How a value is compared with a field's text: a list of exact values or globs, a regular
    /// expression, or a case-insensitive substring (bare words).
    enum TextTest {
        case any([Substring])
        case anyIgnoringCase([String])
        case regex(NSRegularExpression)
        case contains(String)

        func matches(_ s: String) -> Bool {
            switch self {
            case .any(let patterns): return patterns.contains { FilterValue.glob($0, Substring(s)) }
            case .anyIgnoringCase(let patterns): return patterns.contains { FilterValue.glob(Substring($0), Substring(s.lowercased())) }
            case .regex(let r): return r.firstMatch(in: s, range: NSRange(s.startIndex..., in: s)) != nil
            case .contains(let w): return s.lowercased().contains(w)
            }
        }
    }

    /// One term (or bare word), with its verdict caches.
    final class Test {
        enum Kind {
            case strings(StringField)
            case groups, resource, uri, source, level, stage, decision, alert, word
            case code(Filter.Operator, Int)
            case latency(Filter.Operator, Int64)
            case time(Filter.Operator, Int64)
        }

        /// The entry's interned-string fields (a switch, not a key path: key paths cost a
        /// metadata lookup on every event).
        enum StringField {
            case user, verb, subresource, namespace, name, sourceIP, userAgent, impersonatedUser

            func id(_ e: RingEntry) -> UInt32 {
                switch self {
                case .user: e.user
                case .verb: e.verb
                case .subresource: e.subresource
                case .namespace: e.namespace
                case .name: e.name
                case .sourceIP: e.sourceIP
                case .userAgent: e.userAgent
                case .impersonatedUser: e.impersonatedUser
                }
            }
        }

        let kind: Kind
        let text: TextTest
        /// Per interned id: 0 not yet decided, 1 no, 2 yes.
        private var verdicts: [UInt8] = []
        /// Word tests decide per field; these are their caches.
        private var wordVerdicts: [[UInt8]] = [[], [], [], [], [], []]
        private var keyVerdicts: [ResourceKey: Bool] = [:]
        /// For `alert=`: the numbers of the rules the value names.
        private var alertRules: [Int]?

        struct ResourceKey: Hashable {
            var group: UInt32
            var resource: UInt32
            var subresource: UInt32
        }

        /// Forgets every verdict kept by interned id.
        func forgetVerdicts() {
            verdicts = []
            wordVerdicts = [[], [], [], [], [], []]
            keyVerdicts = [:]
        }

        init(word: String) {
            kind = .word
            text = .contains(word.lowercased())
        }

        init(term t: Filter.Term, reference: Int64) {
            if t.op == .regex {
                text = (try? NSRegularExpression(pattern: t.value)).map(TextTest.regex) ?? .any([])
            } else if [.level, .stage, .decision, .verb].contains(t.field) {
                text = .anyIgnoringCase(t.value.lowercased().split(separator: ",").map(String.init))
            } else {
                text = .any(t.value.split(separator: ","))
            }
            switch t.field {
            case .user: kind = .strings(.user)
            case .verb: kind = .strings(.verb)
            case .subresource: kind = .strings(.subresource)
            case .ns: kind = .strings(.namespace)
            case .name: kind = .strings(.name)
            case .ip: kind = .strings(.sourceIP)
            case .agent: kind = .strings(.userAgent)
            case .impersonated: kind = .strings(.impersonatedUser)
            case .group: kind = .groups
            case .resource: kind = .resource
            case .uri: kind = .uri
            case .source: kind = .source
            case .level: kind = .level
            case .stage: kind = .stage
            case .decision: kind = .decision
            case .alert: kind = .alert
            case .code:
                kind = t.op.isOrdering ? .code(t.op, Int(t.value) ?? 0) : .code(.equal, 0)
            case .latency:
                kind = .latency(t.op, FilterValue.duration(t.value) ?? 0)
            case .time:
                kind = .time(t.op, FilterValue.time(t.value)?.resolve(reference: reference) ?? 0)
            }
        }

        func matches(_ e: RingEntry, _ store: EventStore, _ m: FilterMatcher) -> Bool {
            switch kind {
            // `user=` names an identity: the user, or the user it impersonated.
            case .strings(.user) where e.impersonatedUser != 0:
                return verdict(e.user, store, &verdicts) || verdict(e.impersonatedUser, store, &verdicts)
            case .strings(let field): return verdict(field.id(e), store, &verdicts)
            case .groups:
                return verdict(e.groups, store, &verdicts) { names in
                    names.split(separator: "\n").contains { self.text.matches(String($0)) }
                }
            case .resource:
                if e.resource == 0 { return verdict(e.path, store, &verdicts) }
                let key = ResourceKey(group: e.apiGroup, resource: e.resource, subresource: e.subresource)
                if let known = keyVerdicts[key] { return known }
                let v = text.matches(store.strings.string(e.resource)) || text.matches(e.resourceName(store.strings))
                keyVerdicts[key] = v
                return v
            case .uri: return text.matches(FilterMatcher.uri(e, store.strings))
            case .source:
                let names = store.sourceNames
                return text.matches(Int(e.source) < names.count ? names[Int(e.source)] : "")
            case .level: return text.matches(e.level.name)
            case .stage: return text.matches(e.stage.name)
            case .decision: return text.matches(e.decision.name)
            case .alert:
                guard let rules = store.rules else { return false }
                // Which rules the value names, decided once: then one lookup per named rule.
                if alertRules == nil { alertRules = rules.ruleNames.indices.filter { text.matches(rules.ruleNames[$0]) } }
                let id = AuditID(high: e.auditIDHigh, low: e.auditIDLow)
                return alertRules!.contains { rules.fired($0, on: id) }
            case .code(let op, let n):
                if case .equal = op, case .any = text { return e.code >= 0 && text.matches(String(e.code)) }
                if case .regex = text { return e.code >= 0 && text.matches(String(e.code)) }
                return e.code >= 0 && FilterMatcher.compare(Int64(e.code), op, Int64(n))
            case .time(let op, let n):
                let t = e.received != 0 ? e.received : e.stageTime
                return t != 0 && FilterMatcher.compare(t, op, n)
            case .latency(let op, let n):
                guard e.received != 0, e.stageTime != 0, e.stage.rank == 3 else { return false }
                return FilterMatcher.compare(e.stageTime - e.received, op, n)
            case .word:
                // Fields in wordVerdicts order: user, verb, namespace, name, resource, path.
                if e.user != 0, verdict(e.user, store, &wordVerdicts[0]) { return true }
                if e.verb != 0, verdict(e.verb, store, &wordVerdicts[1]) { return true }
                if e.namespace != 0, verdict(e.namespace, store, &wordVerdicts[2]) { return true }
                if e.name != 0, verdict(e.name, store, &wordVerdicts[3]) { return true }
                if e.resource != 0, verdict(e.resource, store, &wordVerdicts[4]) { return true }
                if e.path != 0, verdict(e.path, store, &wordVerdicts[5]) { return true }
                if e.subresource != 0, text.matches(store.strings.string(e.subresource)) { return true }
                return false
            }
        }

        private func verdict(
            _ id: UInt32, _ store: EventStore, _ cache: inout [UInt8], _ decide: ((String) -> Bool)? = nil
        ) -> Bool {
            let i = Int(id)
            if i < cache.count, cache[i] != 0 { return cache[i] == 2 }
            if i >= cache.count { cache.append(contentsOf: repeatElement(0, count: i + 1 - cache.count + 1024)) }
            let s = id == 0 ? "" : store.strings.string(id)
            let v = decide?(s) ?? text.matches(s)
            cache[i] = v ? 2 : 1
            return v
        }
    }

    static func compare(_ a: Int64, _ op: Filter.Operator, _ b: Int64) -> Bool {
        switch op {
        case .less: return a < b
        case .lessOrEqual: return a <= b
        case .greater: return a > b
        case .greaterOrEqual: return a >= b
        case .equal: return a == b
        case .notEqual: return a != b
        case .regex: return false
        }
    }

    /// The request's path, rebuilt from the object fields for resource requests (the ring
    /// keeps the path only for requests with no object): `/api/v1/namespaces/default/pods/x/exec`.
    public static func uri(_ e: RingEntry, _ s: StringInterner) -> String {
        if e.resource == 0 { return e.path == 0 ? "" : s.string(e.path) }
        var out = e.apiGroup == 0 ? "/api/" : "/apis/" + s.string(e.apiGroup) + "/"
        out += e.apiVersion == 0 ? "v1" : s.string(e.apiVersion)
        if e.namespace != 0 { out += "/namespaces/" + s.string(e.namespace) }
        out += "/" + s.string(e.resource)
        if e.name != 0 { out += "/" + s.string(e.name) }
        if e.subresource != 0 { out += "/" + s.string(e.subresource) }
        return out
    }
}
