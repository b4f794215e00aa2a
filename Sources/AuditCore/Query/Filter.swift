import Foundation

/// A query over audit events, as people type it in the dashboard (`/`), `report --filter`
/// and rules files: `user=*@example.com verb=delete,patch ns!=kube-system code>=400`.
///
/// Terms are `FIELD OP VALUE`; terms side by side must all match (`and` may be written), `or`
/// joins alternatives, `not` or a leading `-` negates, parentheses group. A bare word matches
/// as a substring of the user, verb, resource, namespace, name or URI.
public indirect enum Filter: Sendable, Equatable {
    case all
    case and([Filter])
    case or([Filter])
    case not(Filter)
    case term(Term)
    /// A bare word: a case-insensitive substring of user, verb, resource, namespace, name or URI.
    case word(String)

    /// One `FIELD OP VALUE` comparison.
    public struct Term: Sendable, Equatable {
        public var field: Field
        public var op: Operator
        /// As typed (a comma list for `=` and `!=`).
        public var value: String
        /// Column (1-based) of the value, for errors found when the filter is compiled.
        public var column: Int

        public init(field: Field, op: Operator, value: String, column: Int = 1) {
            self.field = field
            self.op = op
            self.value = value
            self.column = column
        }
    }

    public enum Operator: String, Sendable, CaseIterable {
        case equal = "=", notEqual = "!=", regex = "~", less = "<", lessOrEqual = "<=", greater = ">", greaterOrEqual = ">="

        /// An ordering comparison (numbers, durations, times).
        public var isOrdering: Bool { self == .less || self == .lessOrEqual || self == .greater || self == .greaterOrEqual }
    }

    /// The fields a term can name.
    public enum Field: String, Sendable, CaseIterable {
        case user, group, verb, resource, subresource, ns, name, code, uri, ip, agent, decision, level, stage, source,
            latency, time, impersonated
        /// The rule whose alert an event raised (for the Alerts pane's drill-down).
        case alert

        /// Compared as numbers (`<`, `>=` …), besides `=`.
        public var isOrdered: Bool { self == .code || self == .latency || self == .time }
    }

    /// A filter that could not be parsed: where (1-based column) and what was expected.
    public struct ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        public var column: Int
        public var message: String
        public var description: String { "column \(column): \(message)" }
    }

    /// Parses `text`; an empty text is `.all`.
    public static func parse(_ text: String) throws(ParseError) -> Filter {
        var parser = FilterParser(text)
        return try parser.parseAll()
    }

    /// The filter that matches when both do (`.all` is the identity).
    public static func && (a: Filter, b: Filter) -> Filter {
        switch (a, b) {
        case (.all, _): return b
        case (_, .all): return a
        case (.and(let x), .and(let y)): return .and(x + y)
        case (.and(let x), _): return .and(x + [b])
        case (_, .and(let y)): return .and([a] + y)
        default: return .and([a, b])
        }
    }

    /// The filter as text that parses back to it.
    public var text: String {
        switch self {
        case .all: return ""
        case .and(let parts): return parts.map { $0.grouped(inside: .and) }.joined(separator: " ")
        case .or(let parts): return parts.map { $0.grouped(inside: .or) }.joined(separator: " or ")
        case .not(let inner): return "-" + inner.grouped(inside: .not)
        case .term(let t): return t.field.rawValue + t.op.rawValue + Filter.quoted(t.value, afterOperator: true)
        case .word(let w): return Filter.quoted(w)
        }
    }

    private enum Context { case and, or, not }

    private func grouped(inside context: Context) -> String {
        switch (self, context) {
        case (.or, _), (.and, .not), (.and, .and): return "(" + text + ")"
        default: return text
        }
    }

    /// A value as typed: bare when it lexes back as one value, else in double quotes. After an
    /// operator a value may start with `-` or be `or`; as a bare word it may not, nor hold an
    /// operator (`a=b` bare is a term). Any whitespace the parser splits on is quoted.
    public static func quoted(_ value: String, afterOperator: Bool = false) -> String {
        let plain = !value.isEmpty && !value.contains { $0.isWhitespace || $0 == "\"" || $0 == "(" || $0 == ")" }
            && (afterOperator || !["or", "and", "not"].contains(value.lowercased()) && !value.hasPrefix("-")
                && !value.contains { "=!~<>".contains($0) })
        if plain { return value }
        return "\"" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}

/// A recursive-descent parser over characters, with 1-based columns for errors.
struct FilterParser {
    private let chars: [Character]
    private var pos = 0

    init(_ text: String) { chars = Array(text) }

    private var column: Int { pos + 1 }

    mutating func parseAll() throws(Filter.ParseError) -> Filter {
        skipSpace()
        if pos == chars.count { return .all }
        let f = try parseOr()
        skipSpace()
        if pos < chars.count {
            if chars[pos] == ")" { throw fail("unexpected ')' with no '(' before it") }
            throw fail("expected a term, 'or' or the end")
        }
        return f
    }

    private func fail(_ message: String, at column: Int? = nil) -> Filter.ParseError {
        Filter.ParseError(column: column ?? self.column, message: message)
    }

    private mutating func skipSpace() {
        while pos < chars.count, chars[pos].isWhitespace { pos += 1 }
    }

    /// The keyword `word` (case-insensitive) followed by a space, a parenthesis or the end.
    private func atKeyword(_ word: String) -> Bool {
        let n = word.count
        guard pos + n <= chars.count, String(chars[pos..<pos + n]).lowercased() == word else { return false }
        return pos + n == chars.count || chars[pos + n].isWhitespace || chars[pos + n] == "("
    }

    private mutating func parseOr() throws(Filter.ParseError) -> Filter {
        var parts = [try parseAnd()]
        while true {
            skipSpace()
            guard atKeyword("or") else { break }
            pos += 2
            skipSpace()
            guard pos < chars.count, chars[pos] != ")" else { throw fail("expected a term after 'or'") }
            parts.append(try parseAnd())
        }
        return parts.count == 1 ? parts[0] : .or(parts)
    }

    private mutating func parseAnd() throws(Filter.ParseError) -> Filter {
        var parts = [try parseUnary()]
        while true {
            skipSpace()
            if pos == chars.count || chars[pos] == ")" || atKeyword("or") { break }
            if atKeyword("and") {
                pos += 3
                skipSpace()
                guard pos < chars.count, chars[pos] != ")" else { throw fail("expected a term after 'and'") }
            }
            parts.append(try parseUnary())
        }
        return parts.count == 1 ? parts[0] : .and(parts)
    }

    private mutating func parseUnary() throws(Filter.ParseError) -> Filter {
        skipSpace()
        guard pos < chars.count else { throw fail("expected a term") }
        if atKeyword("not") {
            pos += 3
            skipSpace()
            guard pos < chars.count else { throw fail("expected a term after 'not'") }
            return .not(try parseUnary())
        }
        if chars[pos] == "-" {
            pos += 1
            guard pos < chars.count, !chars[pos].isWhitespace else { throw fail("expected a term right after '-'") }
            return .not(try parseUnary())
        }
        return try parsePrimary()
    }

    private mutating func parsePrimary() throws(Filter.ParseError) -> Filter {
        if chars[pos] == "(" {
            let open = column
            pos += 1
            skipSpace()
            guard pos < chars.count else { throw fail("expected a term after '('") }
            guard chars[pos] != ")" else { throw fail("expected a term inside '( )'") }
            let inner = try parseOr()
            skipSpace()
            guard pos < chars.count, chars[pos] == ")" else { throw fail("expected ')' to close the '(' at column \(open)") }
            pos += 1
            return inner
        }
        if chars[pos] == ")" { throw fail("unexpected ')' with no '(' before it") }
        let start = column
        if chars[pos] == "\"" { return .word(try quotedValue()) }
        // A field name, or a bare word.
        var word = ""
        while pos < chars.count, !chars[pos].isWhitespace, !"()=!~<>\"".contains(chars[pos]) {
            word.append(chars[pos])
            pos += 1
        }
        guard let op = peekOperator() else {
            guard !word.isEmpty else { throw fail("expected a field, a word or '('") }
            // A bare word ends at a space or a parenthesis; '!' alone is part of it.
            while pos < chars.count, !chars[pos].isWhitespace, !"()".contains(chars[pos]) {
                word.append(chars[pos])
                pos += 1
            }
            return .word(word)
        }
        guard !word.isEmpty else { throw fail("expected a field name before '\(op.rawValue)'") }
        guard let field = Filter.Field(rawValue: word.lowercased()) else {
            throw fail("unknown field '\(word)'; fields: \(Filter.Field.allCases.map(\.rawValue).joined(separator: ", "))", at: start)
        }
        let opColumn = column
        pos += op.rawValue.count
        let valueColumn = column
        guard pos < chars.count, !chars[pos].isWhitespace, chars[pos] != ")" else {
            throw fail("expected a value after '\(op.rawValue)'")
        }
        let value = chars[pos] == "\"" ? try quotedValue() : unquotedValue()
        if op.isOrdering && !field.isOrdered {
            throw fail("'\(op.rawValue)' compares numbers, durations or times; \(field.rawValue) takes =, != or ~", at: opColumn)
        }
        let term = Filter.Term(field: field, op: op, value: value, column: valueColumn)
        try FilterValue.check(term)
        return .term(term)
    }

    private func peekOperator() -> Filter.Operator? {
        guard pos < chars.count else { return nil }
        let next = pos + 1 < chars.count ? chars[pos + 1] : " "
        switch chars[pos] {
        case "=": return .equal
        case "~": return .regex
        case "!": return next == "=" ? .notEqual : nil
        case "<": return next == "=" ? .lessOrEqual : .less
        case ">": return next == "=" ? .greaterOrEqual : .greater
        default: return nil
        }
    }

    /// A value up to the next space. Closing parentheses at its end that it did not open
    /// close groups instead (`(user=a or user=b)`), so a regex can still hold `(a|b)`.
    private mutating func unquotedValue() -> String {
        var value: [Character] = []
        var depth = 0
        while pos < chars.count, !chars[pos].isWhitespace {
            let c = chars[pos]
            if c == "(" { depth += 1 }
            if c == ")" {
                if depth == 0 { break }
                depth -= 1
            }
            value.append(c)
            pos += 1
        }
        return String(value)
    }

    private mutating func quotedValue() throws(Filter.ParseError) -> String {
        let open = column
        pos += 1
        var value = ""
        while pos < chars.count, chars[pos] != "\"" {
            if chars[pos] == "\\", pos + 1 < chars.count { pos += 1 }
            value.append(chars[pos])
            pos += 1
        }
        guard pos < chars.count else { throw fail("expected '\"' to close the quote at column \(open)") }
        pos += 1
        return value
    }
}
