import Foundation

/// Reads fields of the event in front of a condition.
public protocol FieldReader {
    /// The field's value, or nil when the event has none.
    mutating func value(of field: EventField) -> FieldValue?
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
        var regexes: [NSRegularExpression] = []
        var networks: [CIDR] = []
    }

    private let root: Node

    init(_ condition: Condition) {
        root = Self.build(condition)
    }

    private static func build(_ c: Condition) -> Node {
        switch c {
        case .all(let terms): return .all(terms.map(build))
        case .any(let terms): return .any(terms.map(build))
        case .not(let inner): return .not(build(inner))
        case .constant(let b): return .constant(b)
        case .test(let field, let op, let values):
            let folded = [.icontains, .iequals, .istartswith, .iendswith, .iglob].contains(op) ? values.map { $0.lowercased() } : values
            var test = Test(values: folded, set: Set(folded))
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
            guard let value = reader.value(of: field) else { return false }
            return compare(value, op, test)
        }
    }

    private static func compare(_ value: FieldValue, _ op: ConditionOperator, _ test: Test) -> Bool {
        switch (value, op) {
        case (_, .exists): return true
        case (.list(let items), .in): return items.allSatisfy { test.set.contains($0) }
        case (.list(let items), .intersects): return items.contains { test.set.contains($0) }
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
        case .in, .intersects: return test.set.contains(s)
        case .contains: return test.values.contains { s.contains($0) }
        case .startswith: return test.values.contains { s.hasPrefix($0) }
        case .endswith: return test.values.contains { s.hasSuffix($0) }
        case .icontains:
            let l = s.lowercased()
            return test.values.contains { $0.isEmpty || l.contains($0) }
        case .iequals: return test.set.contains(s.lowercased())
        case .istartswith:
            let l = s.lowercased()
            return test.values.contains { l.hasPrefix($0) }
        case .iendswith:
            let l = s.lowercased()
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
