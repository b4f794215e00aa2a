import Foundation

/// The system's own words for why a file operation failed ("No such file or directory"),
/// for messages that say what to fix.
///
/// `text(of:)` reads a file, failing with that reason.
public enum SystemReason {
    /// The reason of the last failed system call (`errno`).
    public static var last: String { String(cString: strerror(errno)) }

    /// The reason inside a Foundation error: its POSIX code's text when it carries one.
    public static func of(_ error: any Error) -> String {
        let ns = error as NSError
        if ns.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(ns.code))) }
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        switch CocoaError.Code(rawValue: ns.code) {
        case .fileNoSuchFile, .fileReadNoSuchFile: return String(cString: strerror(ENOENT))
        case .fileReadNoPermission, .fileWriteNoPermission: return String(cString: strerror(EACCES))
        case .fileWriteOutOfSpace: return String(cString: strerror(ENOSPC))
        case .fileWriteVolumeReadOnly: return String(cString: strerror(EROFS))
        default: return ns.localizedDescription
        }
    }

    /// The text of `path`, or the system's reason it cannot be read.
    public static func text(of path: String) -> Result<String, ReadFailure> {
        do {
            return .success(try String(contentsOfFile: path, encoding: .utf8))
        } catch {
            return .failure(ReadFailure(reason: of(error)))
        }
    }

    public struct ReadFailure: Error {
        public var reason: String
    }
}
