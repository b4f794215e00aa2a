/// A rule's condition, whatever language it was written in: Falco's condition language and
/// Sigma's detections both compile to this tree, and one evaluator runs it.
public indirect enum Condition: Sendable, Equatable {
    case all([Condition])
    case any([Condition])
    case not(Condition)
    case constant(Bool)
    /// `field op values`. A field with no value in the event makes every test on it false
    /// (`!=` too), as in Falco; `not` then makes it true.
    case test(EventField, ConditionOperator, [String])

    /// Every field the condition reads.
    public var fields: [EventField] {
        switch self {
        case .all(let c), .any(let c): c.flatMap(\.fields)
        case .not(let c): c.fields
        case .constant: []
        case .test(let f, _, _): [f]
        }
    }

    /// The values `field` must equal for the condition to hold (from top-level `and`s and
    /// `or`s of `=`/`in` tests on it), or nil when any value could do. Lets the engine skip
    /// a rule for events whose verb or resource it cannot match.
    public func required(_ field: EventField) -> Set<String>? {
        switch self {
        case .test(let f, let op, let values) where f == field:
            switch op {
            case .equals, .in, .intersects: return Set(values)
            case .iequals: return Set(values.map { $0.lowercased() })
            default: return nil
            }
        case .all(let terms):
            var out: Set<String>?
            for t in terms {
                guard let r = t.required(field) else { continue }
                out = out.map { $0.intersection(r) } ?? r
            }
            return out
        case .any(let terms):
            var out = Set<String>()
            for t in terms {
                guard let r = t.required(field) else { return nil }
                out.formUnion(r)
            }
            return out
        case .constant(false): return []
        default: return nil
        }
    }

    /// The condition can hold only when `field` has a value: every test on a field with no
    /// value is false, so a top-level test on it (of any operator) demands one.
    func needsValue(_ field: EventField) -> Bool {
        switch self {
        case .test(let f, _, _): f == field
        case .all(let terms): terms.contains { $0.needsValue(field) }
        case .any(let terms): !terms.isEmpty && terms.allSatisfy { $0.needsValue(field) }
        case .constant(let value): !value
        case .not: false
        }
    }

    /// The condition can hold only when `field` has no value: a top-level
    /// `not field exists`.
    func needsNoValue(_ field: EventField) -> Bool {
        switch self {
        case .not(.test(let f, .exists, _)): f == field
        case .all(let terms): terms.contains { $0.needsNoValue(field) }
        case .any(let terms): !terms.isEmpty && terms.allSatisfy { $0.needsNoValue(field) }
        case .constant(let value): !value
        default: false
        }
    }

    /// Values `field` cannot have for the condition to hold (from top-level `not field = v`
    /// and `not field in (...)` tests), or nil when none is ruled out. With no value, such a
    /// test's `not` holds.
    func excluded(_ field: EventField) -> Set<String>? {
        switch self {
        case .not(.test(let f, .equals, let values)), .not(.test(let f, .in, let values)):
            return f == field ? Set(values) : nil
        case .all(let terms):
            let sets = terms.compactMap { $0.excluded(field) }
            return sets.isEmpty ? nil : sets.reduce(into: Set<String>()) { $0.formUnion($1) }
        case .any(let terms):
            var out: Set<String>?
            for t in terms {
                guard let e = t.excluded(field) else { return nil }
                out = out.map { $0.intersection(e) } ?? e
            }
            return out
        default: return nil
        }
    }
}

/// What a field test does with the field's value(s) and the test's values.
public enum ConditionOperator: String, Sendable, CaseIterable {
    case equals = "=", notEquals = "!=", less = "<", lessOrEqual = "<=", greater = ">", greaterOrEqual = ">="
    case `in`, intersects, contains, icontains, startswith, endswith, glob, pmatch, exists
    // Sigma's, case-insensitive as Sigma's plain values are (`regex` is not).
    case iequals, istartswith, iendswith, iglob, regex, cidr

    /// The operators Falco's condition language has, by their spelling there.
    static let falco: [String: ConditionOperator] = [
        "=": .equals, "==": .equals, "!=": .notEquals, "<": .less, "<=": .lessOrEqual, ">": .greater, ">=": .greaterOrEqual,
        "in": .in, "intersects": .intersects, "contains": .contains, "icontains": .icontains, "startswith": .startswith,
        "endswith": .endswith, "glob": .glob, "pmatch": .pmatch, "exists": .exists, "bcontains": .contains,
        "bstartswith": .startswith, "iglob": .iglob, "regex": .regex,
    ]

    /// Takes a list of values (`in (a, b)`) rather than one.
    var takesList: Bool { [.in, .intersects, .pmatch].contains(self) }
}

/// A field's value in one event: one string, or a list (Falco's list fields, arrays).
public enum FieldValue: Sendable, Equatable {
    case one(String)
    case list([String])

    /// As Falco's outputs print it: a list as `(a,b)`.
    public var text: String {
        switch self {
        case .one(let s): s
        case .list(let l): "(" + l.joined(separator: ",") + ")"
        }
    }
}
