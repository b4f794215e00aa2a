/// A condition in Falco's language, parsed but not yet resolved: macro names and list names
/// stay names until every file is loaded, since later files may append to or override them.
indirect enum FalcoExpr: Sendable {
    case and([FalcoExpr]), or([FalcoExpr]), not(FalcoExpr)
    case macro(String, offset: Int)
    case test(field: String, argument: String?, op: String, values: [FalcoOperand], list: Bool, offset: Int)
}

/// A value on a test's right side; a bare one may name a list (inside parentheses).
struct FalcoOperand: Sendable {
    var text: String
    var quoted: Bool
}

/// A mistake in a condition, at a byte offset into its text.
public struct ConditionError: Error, Sendable, CustomStringConvertible {
    public var message: String
    /// 0-based byte offset into the condition.
    public var offset: Int
    public var description: String { "column \(offset + 1): \(message)" }
}

/// Falco's condition grammar: `or` binds loosest, then `and`, then `not`; a test is
/// `field op value`, `field op (v1, v2, list)` or `field exists`; a bare name is a macro.
struct FalcoConditionParser {
    private let s: [UInt8]
    private var i = 0

    static func parse(_ text: String) throws(ConditionError) -> FalcoExpr {
        var p = FalcoConditionParser(s: Array(text.utf8))
        p.space()
        guard !p.atEnd else { throw ConditionError(message: "the condition is empty", offset: 0) }
        let e = try p.or()
        p.space()
        guard p.atEnd else { throw ConditionError(message: "unexpected '\(p.rest)'", offset: p.i) }
        return e
    }

    private init(s: [UInt8]) { self.s = s }

    private var atEnd: Bool { i >= s.count }
    private var rest: String { String(decoding: s[i..<min(s.count, i + 20)], as: UTF8.self) }

    private mutating func space() {
        while i < s.count, s[i] == 0x20 || s[i] == 0x0A || s[i] == 0x09 || s[i] == 0x0D { i += 1 }
    }

    private static func isWordByte(_ c: UInt8) -> Bool {
        (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == UInt8(ascii: "_")
            || c == UInt8(ascii: ".") || c >= 0x80
    }

    /// Consumes the keyword `word` when it stands alone here.
    private mutating func keyword(_ word: String) -> Bool {
        space()
        let w = Array(word.utf8)
        guard i + w.count <= s.count, Array(s[i..<i + w.count]) == w else { return false }
        if i + w.count < s.count, Self.isWordByte(s[i + w.count]) { return false }
        i += w.count
        return true
    }

    private mutating func or() throws(ConditionError) -> FalcoExpr {
        var terms = [try and()]
        while keyword("or") { terms.append(try and()) }
        return terms.count == 1 ? terms[0] : .or(terms)
    }

    private mutating func and() throws(ConditionError) -> FalcoExpr {
        var terms = [try unary()]
        while keyword("and") { terms.append(try unary()) }
        return terms.count == 1 ? terms[0] : .and(terms)
    }

    private mutating func unary() throws(ConditionError) -> FalcoExpr {
        if keyword("not") { return .not(try unary()) }
        return try primary()
    }

    private mutating func primary() throws(ConditionError) -> FalcoExpr {
        space()
        guard !atEnd else { throw ConditionError(message: "the condition ends where a test or '(' should be", offset: i) }
        if s[i] == UInt8(ascii: "(") {
            i += 1
            let e = try or()
            space()
            guard !atEnd, s[i] == UInt8(ascii: ")") else { throw ConditionError(message: "missing ')'", offset: i) }
            i += 1
            return e
        }
        let start = i
        while i < s.count, Self.isWordByte(s[i]) { i += 1 }
        guard i > start else { throw ConditionError(message: "unexpected '\(rest)'", offset: i) }
        let name = String(decoding: s[start..<i], as: UTF8.self)
        if ["and", "or", "not"].contains(name) { throw ConditionError(message: "'\(name)' where a test should be", offset: start) }
        var argument: String?
        if i < s.count, s[i] == UInt8(ascii: "[") {
            guard let close = s[i...].firstIndex(of: UInt8(ascii: "]")) else {
                throw ConditionError(message: "missing ']' after '\(name)['", offset: i)
            }
            argument = String(decoding: s[(i + 1)..<close], as: UTF8.self)
            i = close + 1
        }
        let afterName = i
        guard let op = self.op() else {
            guard argument == nil else { throw ConditionError(message: "an operator should follow '\(name)[\(argument!)]'", offset: afterName) }
            i = afterName
            return .macro(name, offset: start)
        }
        if op == "exists" { return .test(field: name, argument: argument, op: op, values: [], list: false, offset: start) }
        space()
        guard !atEnd else { throw ConditionError(message: "a value should follow '\(op)'", offset: i) }
        if s[i] == UInt8(ascii: "(") {
            i += 1
            var values: [FalcoOperand] = []
            space()
            if !atEnd, s[i] == UInt8(ascii: ")") {
                i += 1
            } else {
                while true {
                    values.append(try value(inList: true))
                    space()
                    guard !atEnd else { throw ConditionError(message: "missing ')' after the list", offset: i) }
                    if s[i] == UInt8(ascii: ",") { i += 1; continue }
                    if s[i] == UInt8(ascii: ")") { i += 1; break }
                    throw ConditionError(message: "expected ',' or ')' in the list", offset: i)
                }
            }
            return .test(field: name, argument: argument, op: op, values: values, list: true, offset: start)
        }
        return .test(field: name, argument: argument, op: op, values: [try value(inList: false)], list: false, offset: start)
    }

    /// An operator, if one comes next (else the position is left as it was).
    private mutating func op() -> String? {
        let save = i
        space()
        for symbol in ["==", "!=", "<=", ">=", "=", "<", ">"] {
            let w = Array(symbol.utf8)
            if i + w.count <= s.count, Array(s[i..<i + w.count]) == w {
                i += w.count
                return symbol
            }
        }
        for word in ["contains", "icontains", "bcontains", "startswith", "bstartswith", "endswith", "glob", "iglob", "pmatch",
                     "in", "intersects", "exists", "regex"] where keyword(word) {
            return word
        }
        i = save
        return nil
    }

    private mutating func value(inList: Bool) throws(ConditionError) -> FalcoOperand {
        space()
        guard !atEnd else { throw ConditionError(message: "a value is missing", offset: i) }
        let quote = s[i]
        if quote == UInt8(ascii: "\"") || quote == UInt8(ascii: "'") {
            var out: [UInt8] = []
            var k = i + 1
            while k < s.count, s[k] != quote {
                if s[k] == UInt8(ascii: "\\"), k + 1 < s.count { k += 1 }
                out.append(s[k])
                k += 1
            }
            guard k < s.count else { throw ConditionError(message: "unterminated string", offset: i) }
            i = k + 1
            return FalcoOperand(text: String(decoding: out, as: UTF8.self), quoted: true)
        }
        let start = i
        while i < s.count {
            let c = s[i]
            if c == 0x20 || c == 0x0A || c == 0x09 || c == 0x0D || c == UInt8(ascii: ")") || (inList && c == UInt8(ascii: ",")) { break }
            if c == UInt8(ascii: "(") { throw ConditionError(message: "unexpected '('", offset: i) }
            i += 1
        }
        guard i > start else { throw ConditionError(message: "a value is missing", offset: i) }
        return FalcoOperand(text: String(decoding: s[start..<i], as: UTF8.self), quoted: false)
    }
}
