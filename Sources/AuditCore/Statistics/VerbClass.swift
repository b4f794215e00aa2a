/// Reads, writes and everything else, the split the rate panes draw.
public enum VerbClass: Int, Sendable, CaseIterable {
    case read, write, other

    /// read: get, list, watch, head; write: create, update, patch, delete,
    /// deletecollection; anything else is other.
    public init(verb: String) {
        switch verb {
        case "get", "list", "watch", "head": self = .read
        case "create", "update", "patch", "delete", "deletecollection": self = .write
        default: self = .other
        }
    }
}

/// The class of an HTTP status code (1xx to 5xx), or none when the event has no code yet.
public enum CodeClass: Int, Sendable, CaseIterable {
    case none, informational, success, redirection, clientError, serverError

    public init(code: Int) {
        switch code {
        case 100..<200: self = .informational
        case 200..<300: self = .success
        case 300..<400: self = .redirection
        case 400..<500: self = .clientError
        case 500..<600: self = .serverError
        default: self = .none
        }
    }
}
