/// A rules document as a tree of scalars, sequences and mappings, with where each node
/// starts: what the Falco and Sigma loaders read. YAML files become one in AuditSources; the
/// built-in rules, which the core carries itself, are JSON and become one here.
public struct RuleNode: Sendable {
    public indirect enum Kind: Sendable {
        case null
        case scalar(String)
        case sequence([RuleNode])
        case mapping([(key: String, value: RuleNode)])
    }

    public var kind: Kind
    /// 1-based line and column (0 when unknown).
    public var line: Int
    public var column: Int

    public init(_ kind: Kind, line: Int = 0, column: Int = 0) {
        self.kind = kind
        self.line = line
        self.column = column
    }

    public var string: String? { if case .scalar(let s) = kind { s } else { nil } }
    public var sequence: [RuleNode]? { if case .sequence(let s) = kind { s } else { nil } }
    public var mapping: [(key: String, value: RuleNode)]? { if case .mapping(let m) = kind { m } else { nil } }
    public var isNull: Bool { if case .null = kind { true } else { false } }

    public subscript(key: String) -> RuleNode? { mapping?.first { $0.key == key }?.value }

    /// A scalar, or each scalar of a sequence.
    public var strings: [String]? {
        if let s = string { return [s] }
        return sequence?.compactMap(\.string)
    }

    /// The tree of a JSON value (no positions).
    public init(json: JSONValue) {
        switch json {
        case .null: self.init(.null)
        case .bool(let b): self.init(.scalar(b ? "true" : "false"))
        case .number(let n): self.init(.scalar(n))
        case .string(let s): self.init(.scalar(s))
        case .array(let items): self.init(.sequence(items.map(RuleNode.init(json:))))
        case .object(let members): self.init(.mapping(members.map { ($0.key, RuleNode(json: $0.value)) }))
        }
    }
}

/// A mistake in a rules file: the file, the line and column, the item, and what is wrong.
public struct RulesError: Error, Sendable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int
    public var item: String?
    public var message: String

    public init(file: String, line: Int, column: Int = 0, item: String? = nil, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.item = item
        self.message = message
    }

    public var description: String {
        "\(file):\(line)" + (column > 0 ? ":\(column)" : "") + ": " + (item.map { "\($0): " } ?? "") + message
    }
}
