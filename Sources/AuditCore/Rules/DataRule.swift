/// A rule that is data: a condition over an event's fields, from a Falco rules file, a Sigma
/// rule, or the built-in rules the binary carries (which are in Falco's format).
public struct DataRule: Sendable {
    public enum Format: String, Sendable { case falco, sigma }

    public var name: String
    public var severity: Severity
    public var description: String
    public var condition: Condition
    public var format: Format
    /// `built-in`, or `FILE:LINE` of the rule's item.
    public var origin: String
    /// Falco's priority word as written (`WARNING`), or Sigma's level.
    public var priority: String
    /// Falco's `output`, its `%field`s rendered per firing.
    public var output: OutputTemplate?
    public var tags: [String]
    /// Sigma's `id`.
    public var id: String?
    public var enabled: Bool

    public init(
        name: String, severity: Severity, description: String, condition: Condition, format: Format, origin: String,
        priority: String, output: OutputTemplate? = nil, tags: [String] = [], id: String? = nil, enabled: Bool = true
    ) {
        self.name = name
        self.severity = severity
        self.description = description
        self.condition = condition
        self.format = format
        self.origin = origin
        self.priority = priority
        self.output = output
        self.tags = tags
        self.id = id
        self.enabled = enabled
    }

    public var isBuiltin: Bool { origin == DataRule.builtinOrigin }
    public static let builtinOrigin = "built-in"

    /// Reads a request body (so says "needs request bodies" when a policy logs none).
    public var readsBody: Bool { condition.fields.contains(where: EventField.isBody) }
}

extension EventField {
    /// The field is read from the request body (`requestObject`).
    static func isBody(_ field: EventField) -> Bool {
        switch field {
        case .falco(let f, let argument): f.readsBody || (f == .jsonValue && argument?.hasPrefix("/requestObject") == true)
        case .path(let keys): keys.first == "requestObject"
        case .audittop(let f): f.readsBody
        }
    }
}

/// Falco's output line: text with `%field` (or `%field[arg]`) where each value goes.
public struct OutputTemplate: Sendable {
    public enum Piece: Sendable {
        case text(String)
        case field(EventField)
    }

    public var pieces: [Piece]
    public var source: String

    /// Parses `text`; an unknown field is an error naming it.
    public init(_ text: String) throws(ConditionError) {
        source = text
        pieces = []
        let s = Array(text.utf8)
        var literal: [UInt8] = []
        var i = 0
        while i < s.count {
            guard s[i] == UInt8(ascii: "%"), i + 1 < s.count, s[i + 1].isFieldStart else {
                literal.append(s[i])
                i += 1
                continue
            }
            var j = i + 1
            while j < s.count, s[j].isFieldByte { j += 1 }
            while j > i + 1, s[j - 1] == UInt8(ascii: ".") { j -= 1 }
            var name = String(decoding: s[(i + 1)..<j], as: UTF8.self)
            var argument: String?
            if j < s.count, s[j] == UInt8(ascii: "["), let close = s[j...].firstIndex(of: UInt8(ascii: "]")) {
                argument = String(decoding: s[(j + 1)..<close], as: UTF8.self)
                j = close + 1
            }
            if name.hasPrefix("(") { name.removeFirst() }
            let field = try FalcoFields.field(name, argument: argument, offset: i)
            if !literal.isEmpty { pieces.append(.text(String(decoding: literal, as: UTF8.self))); literal = [] }
            pieces.append(.field(field))
            i = j
        }
        if !literal.isEmpty { pieces.append(.text(String(decoding: literal, as: UTF8.self))) }
    }

    /// Some piece is an `audittop.*` field, whose value depends on what the store and the
    /// engine know when it is read (not on the event alone).
    var readsStoreState: Bool {
        pieces.contains { if case .field(.audittop) = $0 { true } else { false } }
    }

    /// The line for one event; a field with no value prints `<NA>`, as Falco's does.
    public func render(_ reader: inout some FieldReader) -> String {
        var out = ""
        for p in pieces {
            switch p {
            case .text(let t): out += t
            case .field(let f): out += reader.value(of: f)?.text ?? "<NA>"
            }
        }
        // Only a control byte or a non-ASCII one can be a line break: the bytes are checked
        // first, and the text's characters only when one is found.
        let mayBreak = out.withUTF8 { bytes in bytes.contains { ($0 >= 0x0A && $0 <= 0x0D) || $0 >= 0x80 } }
        guard mayBreak, out.contains(where: \.isNewline) else { return out }
        return out.split(whereSeparator: \.isNewline).joined(separator: " ")
    }
}

extension UInt8 {
    fileprivate var isFieldStart: Bool { (self >= 0x61 && self <= 0x7A) || (self >= 0x41 && self <= 0x5A) }
    fileprivate var isFieldByte: Bool {
        isFieldStart || (self >= 0x30 && self <= 0x39) || self == UInt8(ascii: "_") || self == UInt8(ascii: ".")
    }
}

/// Looks up Falco field names.
enum FalcoFields {
    static func field(_ name: String, argument: String?, offset: Int) throws(ConditionError) -> EventField {
        if let a = AudittopField(rawValue: name) {
            guard argument == nil else { throw ConditionError(message: "'\(name)' takes no argument", offset: offset) }
            return .audittop(a)
        }
        guard let f = FalcoField.byName[name] else {
            throw ConditionError(message: "unknown field '\(name)'" + (name.hasPrefix("ka.") || name.hasPrefix("jevt.") ? "" : " (not a k8s_audit field)"), offset: offset)
        }
        if f.needsArgument, argument == nil { throw ConditionError(message: "'\(name)' needs an argument in brackets", offset: offset) }
        if let argument, !f.needsArgument {
            guard f.takesIndex, Int(argument) != nil else {
                throw ConditionError(message: "'\(name)' takes no argument '[\(argument)]'", offset: offset)
            }
        }
        return .falco(f, argument: argument)
    }
}
