/// A run of bytes inside the buffer a decoder is reading: a JSON string's contents (without
/// quotes) or a whole value.
///
/// `escaped` says the string contains backslash escapes and must be unescaped before use.
public struct Span: Sendable, Equatable {
    /// Offset of the first byte from the buffer's base.
    public var start: Int
    /// Number of bytes.
    public var count: Int
    /// The bytes hold JSON backslash escapes.
    public var escaped: Bool

    /// An empty span, standing for an absent or empty field.
    public static let empty = Span(start: 0, count: 0, escaped: false)

    @inlinable public init(start: Int, count: Int, escaped: Bool) {
        self.start = start
        self.count = count
        self.escaped = escaped
    }

    /// True when the field was absent or empty.
    @inlinable public var isEmpty: Bool { count == 0 }
}
