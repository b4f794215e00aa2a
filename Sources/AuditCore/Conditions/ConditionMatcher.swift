import Foundation

/// Reads fields of the event in front of a condition.
public protocol FieldReader {
    /// The field's value, or nil when the event has none.
    mutating func value(of field: EventField) -> FieldValue?
}

/// A condition compiled for evaluation: a flat program of steps over prepared tests, so an
/// evaluation walks two arrays and makes no copies. A test of a field the event's ring entry
/// holds reads it there, as an id or a number, and makes no text: ids are compared with the
/// values' ids, the response code and the time as numbers, the stage and the decision by a
/// table of results, the request URI's bytes where the decoder found them, and any other test
/// of a decoded field (`startswith`, `contains`, globs) is remembered per id.
final class ConditionMatcher {
    /// Where a test's field is read from.
    enum Access: UInt8 { case general, interned, code, rawTime, stage, decision, uri }

    private enum Kind: UInt8 { case all, any, not, constant, test }
    /// One node of the condition: `end` is where its subtree ends (the next sibling).
    private struct Step {
        var kind: Kind
        var flag = false
        var test: Int32 = 0
        var end: Int32 = 0
    }

    private let steps: UnsafeMutableBufferPointer<Step>
    private let tests: UnsafeMutableBufferPointer<ConditionTest>
    /// Per test, a direct-mapped table of results by interned id: `id << 2 | 2 | result`.
    private let memo: UnsafeMutableBufferPointer<UInt64>
    /// Per test: its field is in a request body (`EventField.isBody`).
    private let readsBody: [Bool]
    /// 256 slots (2 KiB) per test that uses it (one whose values have no ids): a realistic log's users and agents number in the hundreds,
    /// and 64 slots missed one lookup in six on it.
    private static let memoSlots = 256
    /// Response codes below this are tested by a table made when the rule is compiled.
    private static let codeCases: Int16 = 1000
    /// The interner and generation the memo's ids belong to.
    private var memoTag: (ObjectIdentifier, Int)?
    /// The whole condition's results by the values it reads, when it reads only the ring
    /// entry's ids and small fields.
    private let verdicts: VerdictMemo?

    /// `intern` gives the ids of values that decoded fields are compared with (nil: none).
    /// `byText`: every test reads its field's text (`RuleSet.textMatching`).
    init(_ condition: Condition, intern: ((String) -> UInt32)? = nil, byText: Bool = false) {
        var steps: [Step] = []
        var tests: [ConditionTest] = []
        Self.build(condition, intern, &steps, &tests)
        if byText { for k in tests.indices { tests[k].access = .general } }
        // Only the tests decided by a decoded field's text remember results by its id.
        var remembering = 0
        for k in tests.indices where tests[k].access == .interned && tests[k].ids == nil {
            tests[k].memoAt = remembering * Self.memoSlots
            remembering += 1
        }
        self.steps = .allocate(capacity: steps.count)
        _ = self.steps.initialize(from: steps)
        self.tests = .allocate(capacity: tests.count)
        _ = self.tests.initialize(from: tests)
        memo = .allocate(capacity: max(1, remembering) * Self.memoSlots)
        memo.initialize(repeating: 0)
        readsBody = tests.map { EventField.isBody($0.field) }
        verdicts = byText ? nil : VerdictMemo(self.tests)
    }

    deinit {
        steps.deinitialize().deallocate()
        tests.deinitialize().deallocate()
        memo.deallocate()
    }

    /// How dear a term is to evaluate: 0 ids only, 1 the ring entry, 2 audittop's own, 3 the
    /// raw JSON, 4 the request body. An `and`'s terms are tried cheapest first.
    static func cost(_ c: Condition) -> Int {
        c.fields.map { f -> Int in
            switch access(f) {
            case .interned: return 0
            case .code, .rawTime, .stage, .decision: return 1
            case .uri: return 2
            case .general:
                if case .audittop = f { return 2 }
                return EventField.isBody(f) ? 4 : 3
            }
        }.max() ?? 0
    }

    /// Fields the ring entry holds as interned ids.
    static func isInterned(_ field: EventField) -> Bool {
        switch field {
        case .falco(let f, nil): [.verb, .userName, .targetResource, .targetSubresource, .targetNamespace, .targetName, .userAgent, .impersonatedUser].contains(f)
        case .path(let keys): EventFieldReader.decodedPaths[keys].map { $0 != .responseCode && $0 != .stage } ?? false
        default: false
        }
    }

    static func access(_ field: EventField) -> Access {
        if isInterned(field) { return .interned }
        switch field {
        case .falco(.responseCode, nil), .path(["responseStatus", "code"]): return .code
        case .falco(.rawTime, nil): return .rawTime
        case .falco(.stage, nil), .falco(.jsonValue, "/stage"), .path(["stage"]): return .stage
        case .falco(.authDecision, nil): return .decision
        case .falco(.uri, nil), .path(["requestURI"]): return .uri
        default: return .general
        }
    }

    private static func build(_ c: Condition, _ intern: ((String) -> UInt32)?, _ steps: inout [Step], _ tests: inout [ConditionTest]) {
        let at = steps.count
        switch c {
        case .all(let terms):
            steps.append(Step(kind: .all))
            // Cheapest first: a test of an interned field is an id lookup and usually decides.
            for t in terms.enumerated().sorted(by: { (cost($0.element), $0.offset) < (cost($1.element), $1.offset) }) {
                build(t.element, intern, &steps, &tests)
            }
        case .any(let terms):
            steps.append(Step(kind: .any))
            for t in terms { build(t, intern, &steps, &tests) }
        case .not(let inner):
            steps.append(Step(kind: .not))
            build(inner, intern, &steps, &tests)
        case .constant(let b):
            steps.append(Step(kind: .constant, flag: b))
        case .test(let field, let op, let values):
            steps.append(Step(kind: .test, test: Int32(tests.count)))
            tests.append(prepare(field, op, values, intern))
        }
        steps[at].end = Int32(steps.count)
    }

    private static func prepare(_ field: EventField, _ op: ConditionOperator, _ values: [String], _ intern: ((String) -> UInt32)?) -> ConditionTest {
        var test = ConditionTest(field, op, values)
        test.access = access(field)
        switch test.access {
        case .interned:
            test.decoded = EventFieldReader.decodedField(field)
            if let intern, [.equals, .notEquals, .in, .intersects, .iequals].contains(op), !test.values.contains("") {
                test.ids = IDSet(test.values.map(intern))
            }
        case .stage:
            test.byCase = Stage.allCases.map { $0 != .unknown && test.one($0.name, op) }
        case .decision:
            test.byCase = [Decision.none, .allow, .forbid].map { $0 != .none && test.one($0.name, op) }
        case .code:
            // Every HTTP status, decided once from its text: `startswith 2` and Sigma's
            // non-numeric values need no text per event.
            let t = test
            test.byCase = (0..<Self.codeCases).map { t.compare(.one(String($0))) }
        default: break
        }
        return test
    }

    /// Whether whole results are remembered (`VerdictMemo`).
    var remembersVerdicts: Bool { verdicts != nil }

    func matches(_ reader: inout EventFieldReader) -> Bool {
        claimMemo(reader)
        if let verdicts, reader.entry != nil, let key = verdicts.key(reader.entry.unsafelyUnwrapped) {
            if let known = verdicts.result(key) { return known }
            let result = eval(0, &reader)
            verdicts.remember(key, result)
            return result
        }
        return eval(0, &reader)
    }

    /// True when the condition could hold had the request bodies' fields had values: it is
    /// evaluated in three-valued logic with their tests neither true nor false. Says whether
    /// a rule that reads request bodies was kept from judging a request its policy logged
    /// without one.
    func couldMatchWithoutBody(_ reader: inout EventFieldReader) -> Bool {
        claimMemo(reader)
        return truth(0, &reader) != false
    }

    /// Empties the memo when the reader's ids are another interner's or generation's.
    @inline(__always) private func claimMemo(_ reader: EventFieldReader) {
        guard let tag = reader.internTag, memoTag.map({ $0 != tag }) ?? true else { return }
        memo.update(repeating: 0)
        verdicts?.clear()
        memoTag = tag
    }

    /// Kleene's logic: nil is unknown.
    private func truth(_ i: Int, _ reader: inout EventFieldReader) -> Bool? {
        let s = steps[i]
        switch s.kind {
        case .all, .any:
            let decisive = s.kind == .any
            var out: Bool? = !decisive
            var c = i + 1
            while c < Int(s.end) {
                let v = truth(c, &reader)
                if v == decisive { return decisive }
                if v == nil { out = nil }
                c = Int(steps[c].end)
            }
            return out
        case .not: return truth(i + 1, &reader).map { !$0 }
        case .constant: return s.flag
        case .test:
            if readsBody[Int(s.test)] { return nil }
            return run(Int(s.test), &reader)
        }
    }

    private func eval(_ i: Int, _ reader: inout EventFieldReader) -> Bool {
        let s = steps[i]
        switch s.kind {
        case .all:
            var c = i + 1
            while c < Int(s.end) {
                if !eval(c, &reader) { return false }
                c = Int(steps[c].end)
            }
            return true
        case .any:
            var c = i + 1
            while c < Int(s.end) {
                if eval(c, &reader) { return true }
                c = Int(steps[c].end)
            }
            return false
        case .not: return !eval(i + 1, &reader)
        case .constant: return s.flag
        case .test: return run(Int(s.test), &reader)
        }
    }

    /// Test `k` on the event: from the ring entry where it can, else from the field's text.
    /// The test is only ever borrowed here (its methods read its arrays in place): copying
    /// it would retain every one.
    private func run(_ k: Int, _ reader: inout EventFieldReader) -> Bool {
        let t = UnsafePointer(tests.baseAddress! + k)
        // The entry is read in place (a copy of it per test costs more than the test).
        if reader.entry != nil {
            switch t.pointee.access {
            case .interned:
                guard let f = t.pointee.decoded, let raw = reader.decodedID(f) else { break }
                if raw == 0 { return false }
                switch t.pointee.idTest(raw) {
                case .decided(let hit): return hit
                case .folded:
                    // The lowercased string's id (0 when it was never interned).
                    if let folded = reader.foldedID(raw) { return t.pointee.idTest(folded: folded) }
                case .byText: return remembered(k, raw, &reader)
                }
            case .code:
                let code = reader.entry.unsafelyUnwrapped.code
                guard code >= 0 else { return false }
                if code < Self.codeCases { return t.pointee.byCase(Int(code)) }
                if let hit = t.pointee.compare(number: Int64(code)) { return hit }
            case .rawTime:
                let time = reader.entry.unsafelyUnwrapped.stageTime
                if time != 0 {
                    if t.pointee.op == .exists { return true }
                    if let hit = t.pointee.compare(number: time &* 1000) { return hit }
                }
            case .stage: return t.pointee.byCase(Int(reader.entry.unsafelyUnwrapped.stage.rawValue))
            case .decision: return t.pointee.byCase(Int(reader.entry.unsafelyUnwrapped.decision.rawValue))
            case .uri:
                if t.pointee.hasNeedles, let hit = reader.withURIBytes({ t.pointee.needlesFound(in: $0) }) { return hit }
            case .general: break
            }
        }
        guard let value = reader.value(of: t.pointee.field) else { return false }
        return t.pointee.compare(value)
    }

    /// A test of a decoded field's text, remembered by the field's id.
    private func remembered(_ k: Int, _ id: UInt32, _ reader: inout EventFieldReader) -> Bool {
        // Borrowed in place, as in `run`: a copy of the test would retain every array it holds.
        let t = UnsafePointer(tests.baseAddress! + k)
        let slot = t.pointee.memoAt + Int((id &* 2_654_435_761) >> 24) & (Self.memoSlots - 1)
        let entry = memo[slot]
        if entry >> 2 == UInt64(id), entry & 2 != 0 { return entry & 1 != 0 }
        guard let value = reader.value(of: t.pointee.field) else {
            memo[slot] = UInt64(id) << 2 | 2
            return false
        }
        let hit = t.pointee.compare(value)
        memo[slot] = UInt64(id) << 2 | 2 | (hit ? 1 : 0)
        return hit
    }
}
