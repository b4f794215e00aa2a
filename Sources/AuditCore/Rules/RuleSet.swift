/// How bad an alert is.
public enum Severity: Int, Sendable, Comparable, CaseIterable, Codable {
    case info, low, medium, high, critical

    public var name: String { ["info", "low", "medium", "high", "critical"][rawValue] }

    public init?(name: String) {
        guard let s = Severity.allCases.first(where: { $0.name == name.lowercased() }) else { return nil }
        self = s
    }

    public static func < (a: Severity, b: Severity) -> Bool { a.rawValue < b.rawValue }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(name)
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let s = Severity(name: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "unknown severity \(text)"))
        }
        self = s
    }
}

/// A rule written in the filter language (from a rules file): it fires for each matching
/// request, or, with a threshold, when that many match within the window (per `groupBy`).
public struct CustomRule: Sendable {
    public var name: String
    public var severity: Severity
    public var description: String
    public var filter: Filter
    public var threshold: Int?
    /// Microseconds.
    public var window: Int64
    public var groupBy: Filter.Field?

    public init(
        name: String, severity: Severity, description: String = "", filter: Filter, threshold: Int? = nil,
        window: Int64 = 60_000_000, groupBy: Filter.Field? = nil
    ) {
        self.name = name
        self.severity = severity
        self.description = description
        self.filter = filter
        self.threshold = threshold
        self.window = window
        self.groupBy = groupBy
    }
}

/// Which detection rules run: the built-ins (minus any disabled) and rules from a file.
public struct RuleSet: Sendable {
    public var builtins = true
    /// Names of built-in rules turned off.
    public var disabled: Set<String> = []
    public var custom: [CustomRule] = []
    /// Rules that are data: Falco's and Sigma's, from `--rules` files, in load order.
    public var data: [DataRule] = []
    /// `data` holds the built-in data rules already (loaded in one book with the files, which
    /// may have changed or replaced them); else the engine adds `BuiltinRules.rules`.
    public var builtinsInData = false
    /// Denials by one user within `burstWindow` that make a burst.
    public var denialBurst = 10
    /// Answers of 500 and above within `burstWindow` that make a burst.
    public var serverErrorBurst = 10
    public var burstWindow: Int64 = 60_000_000
    /// Every test of a data rule reads its field as text, as the condition languages define
    /// it, and none of the ring entry's shortcuts (ids, numbers, remembered results) is taken.
    /// Slow; it is there so tests can show the shortcuts decide the same.
    public var textMatching = false

    public init() {}

    /// No rules at all.
    public static var none: RuleSet {
        var r = RuleSet()
        r.builtins = false
        return r
    }

    public var isEmpty: Bool { !builtins && custom.isEmpty && data.isEmpty }
}
