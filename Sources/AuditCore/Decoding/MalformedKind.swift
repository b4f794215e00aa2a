/// Why a piece of input was counted as malformed and skipped.
///
/// Every kind is counted separately so an operator can tell a truncated write from a wrong
/// file. None of them stops decoding: the bad document is skipped and the next one is read.
public enum MalformedKind: Int, Error, CaseIterable, Sendable, Codable, CustomStringConvertible {
    /// The document ended in the middle of a value (a cut-off line or body).
    case truncated
    /// The bytes are not JSON (and not the legacy text format).
    case invalidJSON
    /// Valid JSON, but not an audit Event, EventList or a known envelope.
    case notAnEvent
    /// A string held bytes that are not UTF-8.
    case invalidUTF8
    /// A raw NUL byte appeared inside the document.
    case nulByte
    /// A line or document longer than the configured limit (`--max-line`).
    case oversized
    /// Objects or arrays nested deeper than the decoder allows.
    case tooDeep

    /// The stable name used in reports (`malformed.byKind`).
    public var description: String {
        switch self {
        case .truncated: "truncated"
        case .invalidJSON: "invalidJSON"
        case .notAnEvent: "notAnEvent"
        case .invalidUTF8: "invalidUTF8"
        case .nulByte: "nulByte"
        case .oversized: "oversized"
        case .tooDeep: "tooDeep"
        }
    }
}

/// Counts of malformed input, by kind.
public struct MalformedCounts: Sendable, Equatable {
    /// One counter per `MalformedKind`, indexed by its raw value.
    public private(set) var byKind: [Int] = Array(repeating: 0, count: MalformedKind.allCases.count)

    public init() {}

    /// The number of documents of one kind.
    public subscript(kind: MalformedKind) -> Int { byKind[kind.rawValue] }

    /// All malformed documents together.
    public var total: Int { byKind.reduce(0, +) }

    /// Counts one more document of `kind`.
    public mutating func add(_ kind: MalformedKind, _ n: Int = 1) { byKind[kind.rawValue] += n }
}
