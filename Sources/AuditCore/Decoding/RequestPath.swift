/// The object a Kubernetes API path names, read from the path itself:
/// `/api/v1/namespaces/NS/pods/NAME/exec` or `/apis/GROUP/VERSION/RESOURCE/NAME`.
///
/// Used where an event has a URI but no `objectRef` (the legacy text format).
public struct RequestPath: Sendable, Equatable {
    public var apiGroup = ""
    public var apiVersion = ""
    public var namespace = ""
    public var resource = ""
    public var name = ""
    public var subresource = ""

    /// Parses `uri`; a non-resource path (`/healthz`) leaves every field empty.
    public init(uri: String) {
        let path = uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? ""
        var parts = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        guard let root = parts.first else { return }
        if root == "api", parts.count >= 2 {
            apiVersion = parts[1]
            parts.removeFirst(2)
        } else if root == "apis", parts.count >= 3 {
            apiGroup = parts[1]
            apiVersion = parts[2]
            parts.removeFirst(3)
        } else {
            return
        }
        if parts.count >= 2, parts[0] == "namespaces" {
            if parts.count == 2 {
                resource = "namespaces"
                name = parts[1]
                return
            }
            namespace = parts[1]
            parts.removeFirst(2)
        }
        if parts.count >= 1 { resource = parts[0] }
        if parts.count >= 2 { name = parts[1] }
        if parts.count >= 3 { subresource = parts[2] }
    }
}
