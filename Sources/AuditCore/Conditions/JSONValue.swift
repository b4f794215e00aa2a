import Foundation

/// A JSON document as a tree, for the rules that read an event's bodies (`ka.req.*`,
/// `jevt.value[...]`, Sigma's dotted paths). Parsed with the decoder's own cursor, so it
/// validates exactly as the decoder does; built only when a rule asks for such a field.
public indirect enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    /// The number as written (`3`, `-1.5e3`): rules compare text.
    case number(String)
    case string(String)
    case array([JSONValue])
    case object([Member])

    public struct Member: Sendable, Equatable {
        public var key: String
        public var value: JSONValue
    }

    /// Parses one JSON value filling `bytes` (whitespace around it allowed), or nil.
    public static func parse(_ bytes: UnsafeBufferPointer<UInt8>, maxDepth: Int = 256) -> JSONValue? {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return nil }
        var c = JSONCursor(base: base, end: bytes.count, maxDepth: maxDepth)
        guard let value = try? read(&c, depth: 0) else { return nil }
        c.skipWhitespace()
        return c.atEnd ? value : nil
    }

    public static func parse(_ text: String) -> JSONValue? {
        var bytes = Array(text.utf8)
        return bytes.withUnsafeMutableBufferPointer { parse(UnsafeBufferPointer($0)) }
    }

    private static func read(_ c: inout JSONCursor, depth: Int) throws(MalformedKind) -> JSONValue {
        let first = try c.peek()
        switch first {
        case UInt8(ascii: "\""):
            let span = try c.string()
            return .string(JSONText.string(base: c.base, span: span))
        case UInt8(ascii: "{"):
            var members: [Member] = []
            try c.forEachMember(depth: depth) { (c: inout JSONCursor, key: Span) throws(MalformedKind) in
                let name = JSONText.string(base: c.base, span: key)
                members.append(Member(key: name, value: try read(&c, depth: depth + 1)))
            }
            return .object(members)
        case UInt8(ascii: "["):
            var items: [JSONValue] = []
            try c.forEachElement(depth: depth) { (c: inout JSONCursor) throws(MalformedKind) in
                items.append(try read(&c, depth: depth + 1))
            }
            return .array(items)
        case UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"):
            let start = c.i
            try c.literal()
            switch c.base[start] {
            case UInt8(ascii: "t"): return .bool(true)
            case UInt8(ascii: "f"): return .bool(false)
            default: return .null
            }
        default:
            let start = c.i
            _ = try c.number()
            return .number(String(decoding: UnsafeBufferPointer(start: c.base + start, count: c.i - start), as: UTF8.self))
        }
    }

    /// The member `key` of an object (the first, if repeated), or nil.
    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.key == key }?.value
    }

    /// The value a JSON pointer (RFC 6901: `/requestObject/spec/0`) names, or nil.
    public func pointer(_ path: String) -> JSONValue? {
        if path.isEmpty { return self }
        guard path.hasPrefix("/") else { return nil }
        var here = self
        for raw in path.dropFirst().split(separator: "/", omittingEmptySubsequences: false) {
            let token = raw.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
            switch here {
            case .object: guard let next = here[token] else { return nil }; here = next
            case .array(let items):
                guard let k = Int(token), k >= 0, k < items.count else { return nil }
                here = items[k]
            default: return nil
            }
        }
        return here
    }

    public var array: [JSONValue]? { if case .array(let a) = self { a } else { nil } }
    public var isNull: Bool { self == .null }

    /// A string's own text; any other value as compact JSON (how Falco's plugins render them).
    public var text: String {
        if case .string(let s) = self { return s }
        return json
    }

    /// Compact JSON text.
    public var json: String {
        var out: [UInt8] = []
        write(&out)
        return String(decoding: out, as: UTF8.self)
    }

    private func write(_ out: inout [UInt8]) {
        switch self {
        case .null: out += Array("null".utf8)
        case .bool(let b): out += Array((b ? "true" : "false").utf8)
        case .number(let n): out += Array(n.utf8)
        case .string(let s): JSONText.appendQuoted(s, to: &out)
        case .array(let items):
            out.append(UInt8(ascii: "["))
            for (k, item) in items.enumerated() {
                if k > 0 { out.append(UInt8(ascii: ",")) }
                item.write(&out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            for (k, m) in members.enumerated() {
                if k > 0 { out.append(UInt8(ascii: ",")) }
                JSONText.appendQuoted(m.key, to: &out)
                out.append(UInt8(ascii: ":"))
                m.value.write(&out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }
}
