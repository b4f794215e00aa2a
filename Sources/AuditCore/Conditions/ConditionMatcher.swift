import Foundation

/// Reads fields of the event in front of a condition.
public protocol FieldReader {
    /// The field's value, or nil when the event has none.
    mutating func value(of field: EventField) -> FieldValue?
    /// The field's interned id when the event's ring entry holds it (0: no value), and the
    /// id of its lowercased string when `folded`; nil when the field is not one of those.
    mutating func decodedID(of field: EventField, folded: Bool) -> UInt32?
}

extension FieldReader {
    public mutating func decodedID(of field: EventField, folded: Bool) -> UInt32? { nil }
}

/// A condition prepared for evaluation: sets built, case folded, patterns compiled, once.
final class ConditionMatcher {
    private indirect enum Node {
        case all([Node]), any([Node]), not(Node), constant(Bool)
        case test(EventField, ConditionOperator, Test)
    }

    private struct Test {
        var values: [String]
        var set: Set<String>
        /// The values' interned ids, for tests on decoded fields (`=`, `!=`, `in`,
        /// `intersects`, Sigma's plain values): compared as ids, no string made.
        var ids: IDSet?
        var regexes: [NSRegularExpression] = []
        var networks: [CIDR] = []
        /// For `contains`/`icontains` of ASCII values: all values found in one pass.
        var needles: Needles?
        /// The field is one the ring entry holds as an id (decided once, here).
        var interned = false

        /// `s` is one of the values: a few are compared in turn (hashing a string costs more).
        @inline(__always) func has(_ s: String) -> Bool {
            values.count <= 8 ? values.contains(s) : set.contains(s)
        }
    }

    private let root: Node

    /// `intern` gives the ids of values that decoded fields are compared with (nil: none).
    init(_ condition: Condition, intern: ((String) -> UInt32)? = nil) {
        root = Self.build(condition, intern)
    }

    /// How dear a term is to evaluate: 0 ids only, 1 the ring entry, 2 audittop's own, 3 the
    /// raw JSON, 4 the request body. An `and`'s terms are tried cheapest first.
    static func cost(_ c: Condition) -> Int {
        c.fields.map { f -> Int in
            if isInterned(f) { return 0 }
            switch f {
            case .falco(let x, _) where [.stage, .authDecision, .responseCode, .rawTime].contains(x): return 1
            case .falco(.jsonValue, "/stage"?): return 1
            case .audittop: return 2
            default: return EventField.isBody(f) ? 4 : 3
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

    private static func build(_ c: Condition, _ intern: ((String) -> UInt32)?) -> Node {
        switch c {
        case .all(let terms):
            // Cheapest first: a test of an interned field is an id lookup and usually decides.
            return .all(terms.enumerated().sorted { (cost($0.element), $0.offset) < (cost($1.element), $1.offset) }.map { build($0.element, intern) })
        case .any(let terms): return .any(terms.map { build($0, intern) })
        case .not(let inner): return .not(build(inner, intern))
        case .constant(let b): return .constant(b)
        case .test(let field, let op, let values):
            let folded = [.icontains, .iequals, .istartswith, .iendswith, .iglob].contains(op) ? values.map { $0.lowercased() } : values
            var test = Test(values: folded, set: Set(folded))
            if let intern, isInterned(field), [.equals, .notEquals, .in, .intersects, .iequals].contains(op), !folded.contains("") {
                test.ids = IDSet(folded.map(intern))
                test.interned = true
            }
            if op == .contains || op == .icontains { test.needles = Needles(folded, foldCase: op == .icontains) }
            if op == .regex { test.regexes = values.compactMap { try? NSRegularExpression(pattern: $0) } }
            if op == .cidr { test.networks = values.compactMap(CIDR.init) }
            return .test(field, op, test)
        }
    }

    func matches(_ reader: inout some FieldReader) -> Bool { Self.eval(root, &reader) }

    /// True when the condition could hold had the fields `unknown` names had values: it is
    /// evaluated in three-valued logic with their tests neither true nor false. Says whether
    /// a rule that reads request bodies was kept from judging a request its policy logged
    /// without one.
    func couldMatch(_ reader: inout some FieldReader, unknown: (EventField) -> Bool) -> Bool {
        Self.truth(root, &reader, unknown) != false
    }

    /// Kleene's logic: nil is unknown.
    private static func truth(_ node: Node, _ reader: inout some FieldReader, _ unknown: (EventField) -> Bool) -> Bool? {
        switch node {
        case .all(let terms):
            var out: Bool? = true
            for t in terms {
                switch truth(t, &reader, unknown) {
                case false?: return false
                case nil: out = nil
                default: break
                }
            }
            return out
        case .any(let terms):
            var out: Bool? = false
            for t in terms {
                switch truth(t, &reader, unknown) {
                case true?: return true
                case nil: out = nil
                default: break
                }
            }
            return out
        case .not(let inner): return truth(inner, &reader, unknown).map { !$0 }
        case .constant(let b): return b
        case .test(let field, _, _):
            if unknown(field) { return nil }
            return eval(node, &reader)
        }
    }

    private static func eval(_ node: Node, _ reader: inout some FieldReader) -> Bool {
        switch node {
        case .all(let terms):
            for t in terms where !eval(t, &reader) { return false }
            return true
        case .any(let terms):
            for t in terms where eval(t, &reader) { return true }
            return false
        case .not(let inner): return !eval(inner, &reader)
        case .constant(let b): return b
        case .test(let field, let op, let test):
            if test.interned, let ids = test.ids, let id = reader.decodedID(of: field, folded: op == .iequals) {
                guard id != 0 || op == .iequals && reader.decodedID(of: field, folded: false) != 0 else { return false }
                switch op {
                case .notEquals: return !ids.contains(id)
                default: return ids.contains(id)
                }
            }
            guard let value = reader.value(of: field) else { return false }
            return compare(value, op, test)
        }
    }

    private static func compare(_ value: FieldValue, _ op: ConditionOperator, _ test: Test) -> Bool {
        switch (value, op) {
        case (_, .exists): return true
        case (.list(let items), .in): return items.allSatisfy { test.has($0) }
        case (.list(let items), .intersects): return items.contains { test.has($0) }
        case (.list(let items), .notEquals): return !items.contains { one($0, .equals, test) }
        case (.list(let items), _): return items.contains { one($0, op, test) }
        case (.one(let s), _): return one(s, op, test)
        }
    }

    private static func one(_ s: String, _ op: ConditionOperator, _ test: Test) -> Bool {
        switch op {
        case .equals: return s == test.values.first
        case .notEquals: return s != test.values.first
        case .less, .lessOrEqual, .greater, .greaterOrEqual:
            guard let rhs = test.values.first else { return false }
            let order: Int
            if let a = Double(s), let b = Double(rhs) { order = a < b ? -1 : a > b ? 1 : 0 } else { order = s < rhs ? -1 : s > rhs ? 1 : 0 }
            switch op {
            case .less: return order < 0
            case .lessOrEqual: return order <= 0
            case .greater: return order > 0
            default: return order >= 0
            }
        case .in, .intersects: return test.has(s)
        case .contains:
            if let n = test.needles { return n.found(in: s) }
            return test.values.contains { Self.find($0, in: s) }
        case .startswith: return test.values.contains { s.hasPrefix($0) }
        case .endswith: return test.values.contains { s.hasSuffix($0) }
        case .icontains:
            if let n = test.needles { return n.found(in: s) }
            let l = Self.folded(s)
            return test.values.contains { Self.find($0, in: l) }
        case .iequals: return test.has(Self.folded(s))
        case .istartswith:
            let l = Self.folded(s)
            return test.values.contains { l.hasPrefix($0) }
        case .iendswith:
            let l = Self.folded(s)
            return test.values.contains { l.hasSuffix($0) }
        case .glob: return test.values.contains { Glob.matches(Array(s.utf8), Array($0.utf8)) }
        case .iglob:
            let l = Array(s.lowercased().utf8)
            return test.values.contains { Glob.matches(l, Array($0.utf8)) }
        case .pmatch:
            return test.values.contains { p in
                s == p || p == "/" && s.hasPrefix("/") || s.hasPrefix(p.hasSuffix("/") ? p : p + "/")
            }
        case .regex:
            let range = NSRange(s.startIndex..., in: s)
            return test.regexes.contains { $0.firstMatch(in: s, range: range) != nil }
        case .cidr:
            guard let address = CIDR.address(s) else { return false }
            return test.networks.contains { $0.contains(address) }
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

/// Shell-style patterns: `*` any run, `?` one byte, `[...]` a class, `\` escapes the next
/// character (Falco's `glob`, Sigma's wildcards, known-users patterns).
public enum Glob {
    public static func matches(_ pattern: String, _ text: String) -> Bool { matches(Array(text.utf8), Array(pattern.utf8)) }

    static func matches(_ s: [UInt8], _ p: [UInt8]) -> Bool {
        var i = 0, j = 0, star = -1, mark = 0
        while i < s.count {
            if j < p.count, p[j] == UInt8(ascii: "*") {
                star = j; mark = i; j += 1; continue
            }
            if j < p.count, let width = step(s[i], p, j) {
                i += 1; j += width; continue
            }
            if star >= 0 {
                mark += 1; i = mark; j = star + 1; continue
            }
            return false
        }
        while j < p.count, p[j] == UInt8(ascii: "*") { j += 1 }
        return j == p.count
    }

    /// How many pattern bytes match the byte `c` at `j`, or nil.
    private static func step(_ c: UInt8, _ p: [UInt8], _ j: Int) -> Int? {
        switch p[j] {
        case UInt8(ascii: "?"): return 1
        case UInt8(ascii: "\\") where j + 1 < p.count: return p[j + 1] == c ? 2 : nil
        case UInt8(ascii: "["):
            guard let close = p[(j + 1)...].firstIndex(of: UInt8(ascii: "]")), close > j + 1 else { return p[j] == c ? 1 : nil }
            var k = j + 1
            var negate = false
            if p[k] == UInt8(ascii: "!") || p[k] == UInt8(ascii: "^") { negate = true; k += 1 }
            var hit = false
            while k < close {
                if k + 2 < close, p[k + 1] == UInt8(ascii: "-") {
                    if c >= p[k] && c <= p[k + 2] { hit = true }
                    k += 3
                } else {
                    if c == p[k] { hit = true }
                    k += 1
                }
            }
            return hit != negate ? close - j + 1 : nil
        default: return p[j] == c ? 1 : nil
        }
    }
}

/// An IPv4 or IPv6 network (`10.0.0.0/8`, `fd00::/8`) for Sigma's `cidr` modifier.
struct CIDR {
    var bytes: [UInt8]
    var bits: Int

    init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1)
        guard let first = parts.first, let a = CIDR.address(String(first)) else { return nil }
        bytes = a
        bits = parts.count == 2 ? Int(parts[1]) ?? -1 : a.count * 8
        guard bits >= 0, bits <= a.count * 8 else { return nil }
    }

    /// An address's bytes (4 for IPv4, 16 for IPv6; an IPv4-mapped IPv6 address as IPv4).
    static func address(_ text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 { return withUnsafeBytes(of: &v4) { Array($0) } }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, text, &v6) == 1 else { return nil }
        let b = withUnsafeBytes(of: &v6) { Array($0) }
        if b[0..<10].allSatisfy({ $0 == 0 }), b[10] == 0xFF, b[11] == 0xFF { return Array(b[12...]) }
        return b
    }

    func contains(_ a: [UInt8]) -> Bool {
        guard a.count == bytes.count else { return false }
        var left = bits
        for k in 0..<a.count where left > 0 {
            let mask: UInt8 = left >= 8 ? 0xFF : UInt8(0xFF << (8 - left) & 0xFF)
            if a[k] & mask != bytes[k] & mask { return false }
            left -= 8
        }
        return true
    }
}

/// Several ASCII substrings searched for in one pass over the text: each position whose two
/// bytes begin some value is checked against those values only. With `foldCase` the text's
/// ASCII letters are compared lowercased, without making a lowercased copy.
struct Needles {
    private let values: [[UInt8]]
    /// Per pair of first bytes: the values that begin with it.
    private let byPair: [UInt16: [Int]]
    private var first = [Bool](repeating: false, count: 256)
    private let foldCase: Bool

    /// Nil when a value is not ASCII or is shorter than two bytes (the plain search does those).
    init?(_ values: [String], foldCase: Bool) {
        let bytes = values.map { Array($0.utf8) }
        guard !bytes.isEmpty, bytes.allSatisfy({ $0.count >= 2 && $0.allSatisfy { $0 < 0x80 } }) else { return nil }
        self.values = bytes
        self.foldCase = foldCase
        var pairs: [UInt16: [Int]] = [:]
        for (k, v) in bytes.enumerated() {
            pairs[UInt16(v[0]) << 8 | UInt16(v[1]), default: []].append(k)
            first[Int(v[0])] = true
        }
        byPair = pairs
    }

    @inline(__always) private func fold(_ b: UInt8) -> UInt8 { foldCase && b >= 0x41 && b <= 0x5A ? b | 0x20 : b }

    func found(in text: String) -> Bool {
        var t = text
        return t.withUTF8 { h in
            guard h.count >= 2 else { return false }
            for i in 0..<(h.count - 1) where first[Int(fold(h[i]))] {
                guard let candidates = byPair[UInt16(fold(h[i])) << 8 | UInt16(fold(h[i + 1]))] else { continue }
                for k in candidates {
                    let v = values[k]
                    guard i + v.count <= h.count else { continue }
                    var j = 2
                    while j < v.count, fold(h[i + j]) == v[j] { j += 1 }
                    if j == v.count { return true }
                }
            }
            return false
        }
    }
}

/// A few interned ids, sorted: a linear or binary search, no hashing.
struct IDSet: Sendable {
    private let ids: [UInt32]

    init(_ values: some Sequence<UInt32>) { ids = Array(Set(values)).sorted() }

    @inline(__always) func contains(_ id: UInt32) -> Bool {
        if ids.count <= 16 {
            for x in ids where x == id { return true }
            return false
        }
        var lo = 0, hi = ids.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if ids[mid] < id { lo = mid + 1 } else { hi = mid }
        }
        return lo < ids.count && ids[lo] == id
    }

    var all: [UInt32] { ids }
}
