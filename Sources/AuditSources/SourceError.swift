#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A source that could not be read, with what to do about it.
public struct SourceError: Error, CustomStringConvertible, Sendable {
    /// The path or name of the source.
    public var source: String
    /// What went wrong, in the system's words.
    public var reason: String

    public init(source: String, reason: String) {
        self.source = source
        self.reason = reason
    }

    /// An error from `errno` after a failed call on `source`.
    static func system(_ source: String, _ code: Int32) -> SourceError {
        SourceError(source: source, reason: String(cString: strerror(code)))
    }

    public var description: String { "cannot read \(source): \(reason)" }
}
