import Foundation

/// One `field op values` test, prepared once: values folded for the case-insensitive
/// operators, sets built, patterns compiled. `compare` is the test on a value as text, the
/// definition every fast path of `ConditionMatcher` must agree with.
struct ConditionTest {
    let field: EventField
    let op: ConditionOperator
    let values: [String]
    let set: Set<String>
    /// The values' interned ids, for tests on decoded fields (`=`, `!=`, `in`, `intersects`,
    /// Sigma's plain values): compared as ids, no string made.
    var ids: IDSet?
    var regexes: [NSRegularExpression] = []
    var networks: [CIDR] = []
    /// For `contains`/`icontains` of ASCII values: all values found in one pass.
    var needles: Needles?
    /// The values as integers, when each is one written plainly (`403`, not `0403`): tests of
    /// the response code and the time compare numbers, no text made.
    var numbers: [Int64]?
    /// The ring entry's field, for a test of a decoded field.
    var decoded: FalcoField?
    /// Where the matcher reads the field from (decided once, here).
    var access: ConditionMatcher.Access = .general
    /// For fields with few values (the stage, the decision, the code): the result per value.
    var byCase: [Bool] = []
    /// Where the matcher's memo of this test's results by id starts (-1: it keeps none).
    var memoAt = -1

    init(_ field: EventField, _ op: ConditionOperator, _ raw: [String]) {
        self.field = field
        self.op = op
        let folded = [.icontains, .iequals, .istartswith, .iendswith, .iglob].contains(op) ? raw.map { $0.lowercased() } : raw
        values = folded
        set = Set(folded)
        if op == .contains || op == .icontains { needles = Needles(folded, foldCase: op == .icontains) }
        if op == .regex { regexes = raw.compactMap { try? NSRegularExpression(pattern: $0) } }
        if op == .cidr { networks = raw.compactMap(CIDR.init) }
        let ints = raw.compactMap { v in Int64(v).flatMap { String($0) == v ? $0 : nil } }
        if !raw.isEmpty, ints.count == raw.count { numbers = ints }
    }

    /// What the values' ids say of a decoded field's id.
    enum IDVerdict { case decided(Bool), folded, byText }

    /// The test on a decoded field's id: decided by the values' ids, or needing the id of
    /// the field's text lowercased (`iequals`), or only decidable on the text.
    @inline(__always) func idTest(_ id: UInt32) -> IDVerdict {
        guard let ids else { return .byText }
        switch op {
        case .iequals: return .folded
        case .notEquals: return .decided(!ids.contains(id))
        default: return .decided(ids.contains(id))
        }
    }

    @inline(__always) func idTest(folded id: UInt32) -> Bool { ids?.contains(id) ?? false }

    @inline(__always) func byCase(_ k: Int) -> Bool { k < byCase.count && byCase[k] }

    var hasNeedles: Bool { needles != nil }

    func needlesFound(in bytes: UnsafeBufferPointer<UInt8>) -> Bool { needles?.found(in: bytes) ?? false }

    /// `s` is one of the values: a few are compared in turn (hashing a string costs more).
    @inline(__always) func has(_ s: String) -> Bool {
        values.count <= 8 ? values.contains(s) : set.contains(s)
    }

    func compare(_ value: FieldValue) -> Bool {
        switch (value, op) {
        case (_, .exists): return true
        case (.list(let items), .in): return items.allSatisfy { has($0) }
        case (.list(let items), .intersects): return items.contains { has($0) }
        case (.list(let items), .notEquals): return !items.contains { one($0, .equals) }
        case (.list(let items), _): return items.contains { one($0, op) }
        case (.one(let s), _): return one(s, op)
        }
    }

    /// The test on a number (`numbers` is set): what `compare` says of its text.
    func compare(number n: Int64) -> Bool? {
        guard let numbers, let first = numbers.first else { return nil }
        switch op {
        case .equals: return n == first
        case .notEquals: return n != first
        case .in, .intersects, .iequals: return numbers.contains(n)
        case .less: return n < first
        case .lessOrEqual: return n <= first
        case .greater: return n > first
        case .greaterOrEqual: return n >= first
        case .exists: return true
        default: return nil
        }
    }

    func one(_ s: String, _ op: ConditionOperator) -> Bool {
        switch op {
        case .equals: return s == values.first
        case .notEquals: return s != values.first
        case .less, .lessOrEqual, .greater, .greaterOrEqual:
            guard let rhs = values.first else { return false }
            let order: Int
            if let a = Double(s), let b = Double(rhs) { order = a < b ? -1 : a > b ? 1 : 0 } else { order = s < rhs ? -1 : s > rhs ? 1 : 0 }
            switch op {
            case .less: return order < 0
            case .lessOrEqual: return order <= 0
            case .greater: return order > 0
            default: return order >= 0
            }
        case .in, .intersects: return has(s)
        case .contains:
            if let n = needles { return n.found(in: s) }
            return values.contains { Self.find($0, in: s) }
        case .startswith: return values.contains { s.hasPrefix($0) }
        case .endswith: return values.contains { s.hasSuffix($0) }
        case .icontains:
            if let n = needles { return n.found(in: s) }
            let l = Self.folded(s)
            return values.contains { Self.find($0, in: l) }
        case .iequals: return has(Self.folded(s))
        case .istartswith:
            let l = Self.folded(s)
            return values.contains { l.hasPrefix($0) }
        case .iendswith:
            let l = Self.folded(s)
            return values.contains { l.hasSuffix($0) }
        case .glob: return values.contains { Glob.matches(Array(s.utf8), Array($0.utf8)) }
        case .iglob:
            let l = Array(s.lowercased().utf8)
            return values.contains { Glob.matches(l, Array($0.utf8)) }
        case .pmatch:
            return values.contains { p in
                s == p || p == "/" && s.hasPrefix("/") || s.hasPrefix(p.hasSuffix("/") ? p : p + "/")
            }
        case .regex:
            let range = NSRange(s.startIndex..., in: s)
            return regexes.contains { $0.firstMatch(in: s, range: range) != nil }
        case .cidr:
            guard let address = CIDR.address(s) else { return false }
            return networks.contains { $0.contains(address) }
        case .exists: return true
        }
    }

    /// `s` lowercased, without a copy when it has no capitals (most fields have none).
    static func folded(_ s: String) -> String {
        var plain = true
        for b in s.utf8 where (b >= 0x41 && b <= 0x5A) || b >= 0x80 {
            plain = false
            break
        }
        return plain ? s : s.lowercased()
    }

    /// Byte-wise substring search (`String.contains` goes through Foundation's locale-aware
    /// search once Foundation is imported: ten times slower).
    static func find(_ needle: String, in haystack: String) -> Bool {
        if needle.isEmpty { return true }
        var h = haystack, n = needle
        return h.withUTF8 { hb in
            n.withUTF8 { nb in
                guard nb.count <= hb.count, let hp = hb.baseAddress, let np = nb.baseAddress else { return false }
                let first = Int32(np[0]), last = hb.count - nb.count
                var i = 0
                while i <= last {
                    guard let hit = memchr(hp + i, first, last - i + 1) else { return false }
                    let at = hp.distance(to: hit.assumingMemoryBound(to: UInt8.self))
                    if memcmp(hp + at, np, nb.count) == 0 { return true }
                    i = at + 1
                }
                return false
            }
        }
    }
}
