/// Sigma rules (the SigmaHQ specification) for the `kubernetes/audit` log source: their
/// selections over the Event's fields, compiled to a `Condition`.
public enum SigmaRule {
    /// True when `root` looks like a Sigma rule: a mapping with `logsource` and `detection`.
    public static func recognises(_ root: RuleNode) -> Bool { root["detection"] != nil && root["logsource"] != nil }

    /// The rule in `root`, or nil (with a note) when it is for another log source.
    public static func load(_ root: RuleNode, file: String) throws(RulesError) -> (rule: DataRule?, note: String?) {
        let title = root["title"]?.string ?? file
        func fail(_ message: String, _ node: RuleNode? = nil) -> RulesError {
            RulesError(file: file, line: node?.line ?? root.line, column: node?.column ?? 0, item: "sigma rule '\(title)'", message: message)
        }
        let source = root["logsource"]
        let product = source?["product"]?.string?.lowercased(), service = source?["service"]?.string?.lowercased()
        guard product == "kubernetes", service == nil || service == "audit" else {
            return (nil, "\(file): sigma rule '\(title)' is for log source \(product ?? "?")/\(service ?? "?"), not kubernetes/audit; skipped")
        }
        guard let detection = root["detection"], let entries = detection.mapping else { throw fail("'detection' is a mapping of selections and a condition") }
        var selections: [(name: String, condition: Condition)] = []
        for (name, value) in entries where name != "condition" && name != "timeframe" {
            selections.append((name, try selection(value, fail)))
        }
        guard let conditionNode = detection["condition"] else { throw fail("'detection' needs a 'condition'") }
        let texts = conditionNode.strings ?? []
        guard !texts.isEmpty else { throw fail("'condition' is text", conditionNode) }
        var alternatives: [Condition] = []
        for text in texts {
            do { alternatives.append(try SigmaConditionParser.parse(text, selections: selections)) } catch {
                throw fail("condition \(error)", conditionNode)
            }
        }
        let levelText = root["level"]?.string?.lowercased() ?? "medium"
        let severity: Severity = ["informational": .info, "low": .low, "medium": .medium, "high": .high, "critical": .critical][levelText] ?? .medium
        let rule = DataRule(
            name: title, severity: severity, description: root["description"]?.string ?? "",
            condition: alternatives.count == 1 ? alternatives[0] : .any(alternatives), format: .sigma,
            origin: "\(file):\(max(root.line, 1))", priority: levelText, tags: root["tags"]?.strings ?? [], id: root["id"]?.string)
        return (rule, nil)
    }

    /// A selection: a mapping (every field matches), a list of mappings (any does), or a list
    /// of keywords (found anywhere in the event, case-insensitively).
    static func selection(_ node: RuleNode, _ fail: (String, RuleNode?) -> RulesError) throws(RulesError) -> Condition {
        if let m = node.mapping {
            var terms: [Condition] = []
            for (key, value) in m { terms.append(try match(key, value, fail, at: node)) }
            return .all(terms)
        }
        if let items = node.sequence {
            if items.allSatisfy({ $0.mapping != nil }) {
                var alternatives: [Condition] = []
                for item in items { alternatives.append(try selection(item, fail)) }
                return .any(alternatives)
            }
            let words = items.compactMap(\.string)
            return .test(.falco(.jsonObject, argument: nil), .icontains, words)
        }
        if let word = node.string { return .test(.falco(.jsonObject, argument: nil), .icontains, [word]) }
        throw fail("a selection is a mapping of fields, a list of them, or a list of keywords", node)
    }

    /// How a field name Sigma's Kubernetes rules use maps onto the Event (see the README's
    /// mapping table); nil for an ordinary dotted path.
    static func mapped(_ field: String) -> [EventField]? {
        switch field {
        case "hostPath": [.falco(.volumeHostPaths, argument: nil)]
        case "capabilities": ContainerSet.allCases.map { .falco(.container($0, .addCapabilities), argument: nil) }
        case "apiGroup": [.path(["objectRef", "apiGroup"])]
        default: nil
        }
    }

    /// `field|modifier|…: value or [values]`.
    static func match(_ key: String, _ value: RuleNode, _ fail: (String, RuleNode?) -> RulesError, at node: RuleNode) throws(RulesError) -> Condition {
        let parts = key.split(separator: "|").map(String.init)
        guard let field = parts.first, !field.isEmpty else { throw fail("a selection key names a field", node) }
        let modifiers = Array(parts.dropFirst())
        let known: Set<String> = ["contains", "startswith", "endswith", "re", "all", "cidr", "exists", "cased"]
        if let bad = modifiers.first(where: { !known.contains($0) }) {
            throw fail("modifier '\(bad)' is not supported (contains, startswith, endswith, re, all, cidr, exists, cased)", value)
        }
        var values: [String?] = []
        if value.isNull { values = [nil] } else if let list = value.sequence {
            values = list.map { $0.isNull ? nil : $0.string }
        } else if let s = value.string { values = [s] } else { throw fail("the value of '\(key)' is a value or a list", value) }
        let fields: [EventField] = mapped(field) ?? [.path(field.split(separator: ".").map(String.init))]
        var tests: [Condition] = []
        for v in values {
            var alternatives: [Condition] = []
            for f in fields { alternatives.append(test(f, field, v, modifiers)) }
            tests.append(alternatives.count == 1 ? alternatives[0] : .any(alternatives))
        }
        if tests.count == 1 { return tests[0] }
        return modifiers.contains("all") ? .all(tests) : .any(merged(tests))
    }

    /// Alternatives that test one field with one operator become one test of all their
    /// values (`requestURI|contains` with 24 values reads and folds the URI once, not 24 times).
    static func merged(_ tests: [Condition]) -> [Condition] {
        var out: [Condition] = []
        for t in tests {
            if case .test(let f, let op, let values) = t, op != .exists, let last = out.last, case .test(let lf, let lop, let lvalues) = last,
                lf == f, lop == op
            {
                out[out.count - 1] = .test(f, op, lvalues + values)
            } else {
                out.append(t)
            }
        }
        return out
    }

    private static func test(_ f: EventField, _ name: String, _ v: String?, _ modifiers: [String]) -> Condition {
        guard let v else { return .not(.test(f, .exists, [])) }
        if modifiers.contains("exists") { return v.lowercased() == "true" ? .test(f, .exists, []) : .not(.test(f, .exists, [])) }
        if modifiers.contains("re") { return .test(f, .regex, [v]) }
        if modifiers.contains("cidr") { return .test(f, .cidr, [v]) }
        // `responseStatus.code: ALLOW`: a code is a number, so the author meant the
        // authorizer's decision (Kubernetes writes allow or forbid).
        if name == "responseStatus.code", Int(v) == nil, ["allow", "deny", "forbid"].contains(v.lowercased()) {
            return .test(.falco(.authDecision, argument: nil), .iequals, [v.lowercased() == "allow" ? "allow" : "forbid"])
        }
        let cased = modifiers.contains("cased")
        let wild = v.contains("*") || v.contains("?")
        let pattern: String
        if modifiers.contains("contains") {
            if !wild { return .test(f, cased ? .contains : .icontains, [v]) }
            pattern = "*" + v + "*"
        } else if modifiers.contains("startswith") {
            if !wild { return .test(f, cased ? .startswith : .istartswith, [v]) }
            pattern = v + "*"
        } else if modifiers.contains("endswith") {
            if !wild { return .test(f, cased ? .endswith : .iendswith, [v]) }
            pattern = "*" + v
        } else {
            if !wild { return .test(f, cased ? .equals : .iequals, [v]) }
            pattern = v
        }
        return .test(f, cased ? .glob : .iglob, [cased ? pattern : pattern.lowercased()])
    }
}

/// Sigma's condition: `and`, `or`, `not`, parentheses, selection names, and `1 of X*`,
/// `all of X*`, `N of …`, `… of them`.
struct SigmaConditionParser {
    private var words: [String]
    private var k = 0
    private let selections: [(name: String, condition: Condition)]

    static func parse(_ text: String, selections: [(name: String, condition: Condition)]) throws(ConditionError) -> Condition {
        if text.contains("|") { throw ConditionError(message: "aggregations ('|') are not supported", offset: 0) }
        var spaced = ""
        for c in text { spaced += c == "(" || c == ")" ? " \(c) " : String(c) }
        var p = SigmaConditionParser(words: spaced.split(whereSeparator: \.isWhitespace).map(String.init), selections: selections)
        let c = try p.or()
        guard p.k == p.words.count else { throw ConditionError(message: "unexpected '\(p.words[p.k])'", offset: p.k) }
        return c
    }

    private init(words: [String], selections: [(name: String, condition: Condition)]) {
        self.words = words
        self.selections = selections
    }

    private mutating func take(_ w: String) -> Bool {
        guard k < words.count, words[k].lowercased() == w else { return false }
        k += 1
        return true
    }

    private mutating func or() throws(ConditionError) -> Condition {
        var terms = [try and()]
        while take("or") { terms.append(try and()) }
        return terms.count == 1 ? terms[0] : .any(terms)
    }

    private mutating func and() throws(ConditionError) -> Condition {
        var terms = [try unary()]
        while take("and") { terms.append(try unary()) }
        return terms.count == 1 ? terms[0] : .all(terms)
    }

    private mutating func unary() throws(ConditionError) -> Condition {
        if take("not") { return .not(try unary()) }
        guard k < words.count else { throw ConditionError(message: "the condition ends early", offset: k) }
        let w = words[k]
        k += 1
        if w == "(" {
            let c = try or()
            guard take(")") else { throw ConditionError(message: "missing ')'", offset: k) }
            return c
        }
        if k < words.count, words[k].lowercased() == "of" {
            k += 1
            guard k < words.count else { throw ConditionError(message: "'of' needs selection names or 'them'", offset: k) }
            let target = words[k]
            k += 1
            let chosen = target.lowercased() == "them"
                ? selections.filter { !$0.name.hasPrefix("_") }
                : selections.filter { Glob.matches(target, $0.name) }
            guard !chosen.isEmpty else { throw ConditionError(message: "no selection matches '\(target)'", offset: k - 1) }
            let parts = chosen.map(\.condition)
            switch w.lowercased() {
            case "all": return .all(parts)
            case "1", "any": return .any(parts)
            default:
                guard let n = Int(w), n >= 1 else { throw ConditionError(message: "'\(w) of' is not a count", offset: k - 3) }
                return n == 1 ? .any(parts) : Self.atLeast(n, parts)
            }
        }
        guard let found = selections.first(where: { $0.name == w }) else {
            throw ConditionError(message: "no selection named '\(w)'", offset: k - 1)
        }
        return found.condition
    }

    /// At least `n` of `parts` (as an `or` of the `and`s of each choice of n).
    private static func atLeast(_ n: Int, _ parts: [Condition]) -> Condition {
        guard n <= parts.count else { return .constant(false) }
        if n == 0 { return .constant(true) }
        guard let first = parts.first else { return .constant(false) }
        let rest = Array(parts.dropFirst())
        return .any([.all([first, atLeast(n - 1, rest)]), atLeast(n, rest)])
    }
}
