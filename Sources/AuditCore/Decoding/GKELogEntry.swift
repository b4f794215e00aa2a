/// A Cloud Logging `LogEntry` whose `protoPayload` is a `google.cloud.audit.AuditLog`: how
/// GKE's Kubernetes audit log reaches Cloud Logging, and how `gcloud logging read`, sinks and
/// Pub/Sub hand it out. It is rewritten as the `audit.k8s.io/v1` Event it records, which then
/// decodes like any other.
///
/// | Event | from the LogEntry |
/// | --- | --- |
/// | `user.username` | `protoPayload.authenticationInfo.principalEmail` |
/// | `verb` | the last part of `protoPayload.methodName` (`io.k8s.core.v1.pods.exec.create`) |
/// | `objectRef` | `protoPayload.resourceName` (`core/v1/namespaces/NS/pods/NAME/exec`) |
/// | `requestURI` | rebuilt from `resourceName` (the query string is not logged) |
/// | `sourceIPs`, `userAgent` | `protoPayload.requestMetadata.callerIp`, `callerSuppliedUserAgent` |
/// | `responseStatus.code` | `protoPayload.status.code`, a gRPC code mapped to HTTP |
/// | `annotations` | `labels` (the authorizer's decision and reason among them) |
/// | `requestObject`, `responseObject` | `protoPayload.request`, `protoPayload.response` |
/// | both timestamps | `timestamp` (`receiveTimestamp` when it is missing) |
/// | `auditID` | `operation.id`, else `insertId` |
/// | `level` | `RequestResponse`, `Request` or `Metadata`, by which bodies are there |
/// | `stage` | `ResponseComplete`: Cloud Logging keeps one entry per request |
enum GKELogEntry {
    /// The Event JSON for the LogEntry object at `c` (which ends past it), or nil when its
    /// payload is not a Kubernetes audit record.
    static func event(_ c: inout JSONCursor, depth: Int) throws(MalformedKind) -> [UInt8]? {
        var entry = Parts()
        try c.forEachMember(depth: depth) { (c: inout JSONCursor, k: Span) throws(MalformedKind) in
            let d = depth + 1
            if c.equals(k, "protoPayload"), c.byte == UInt8(ascii: "{") {
                try payload(&c, depth: d, into: &entry)
            } else if c.equals(k, "insertId") {
                entry.insertID = try text(&c, depth: d)
            } else if c.equals(k, "timestamp") {
                entry.timestamp = try text(&c, depth: d)
            } else if c.equals(k, "receiveTimestamp") {
                entry.receiveTimestamp = try text(&c, depth: d)
            } else if c.equals(k, "labels"), c.byte == UInt8(ascii: "{") {
                entry.labels = try raw(&c, depth: d)
            } else if c.equals(k, "operation"), c.byte == UInt8(ascii: "{") {
                try c.forEachMember(depth: d) { (c: inout JSONCursor, k: Span) throws(MalformedKind) in
                    if c.equals(k, "id") { entry.operationID = try text(&c, depth: d + 1) } else { try c.skipValue(depth: d + 1) }
                }
            } else {
                try c.skipValue(depth: d)
            }
        }
        // Other Google Cloud audit records (the cluster's own API, IAM) are not the apiserver's.
        guard !entry.methodName.isEmpty, entry.serviceName.isEmpty || entry.serviceName == "k8s.io" else { return nil }
        return entry.eventJSON()
    }

    /// What the Event is made from.
    struct Parts {
        var insertID = "", operationID = "", timestamp = "", receiveTimestamp = ""
        var serviceName = "", methodName = "", resourceName = "", principal = "", callerIP = "", userAgent = ""
        var grpcCode = 0, statusMessage = ""
        var labels: [UInt8] = [], request: [UInt8] = [], response: [UInt8] = []
    }

    private static func payload(_ c: inout JSONCursor, depth: Int, into entry: inout Parts) throws(MalformedKind) {
        try c.forEachMember(depth: depth) { (c: inout JSONCursor, k: Span) throws(MalformedKind) in
            let d = depth + 1
            if c.equals(k, "methodName") {
                entry.methodName = try text(&c, depth: d)
            } else if c.equals(k, "serviceName") {
                entry.serviceName = try text(&c, depth: d)
            } else if c.equals(k, "resourceName") {
                entry.resourceName = try text(&c, depth: d)
            } else if c.equals(k, "authenticationInfo"), c.byte == UInt8(ascii: "{") {
                try c.forEachMember(depth: d) { (c: inout JSONCursor, k: Span) throws(MalformedKind) in
                    if c.equals(k, "principalEmail") { entry.principal = try text(&c, depth: d + 1) } else { try c.skipValue(depth: d + 1) }
                }
            } else if c.equals(k, "requestMetadata"), c.byte == UInt8(ascii: "{") {
                try c.forEachMember(depth: d) { (c: inout JSONCursor, k: Span) throws(MalformedKind) in
                    if c.equals(k, "callerIp") {
                        entry.callerIP = try text(&c, depth: d + 1)
                    } else if c.equals(k, "callerSuppliedUserAgent") {
                        entry.userAgent = try text(&c, depth: d + 1)
                    } else {
                        try c.skipValue(depth: d + 1)
                    }
                }
            } else if c.equals(k, "status"), c.byte == UInt8(ascii: "{") {
                try c.forEachMember(depth: d) { (c: inout JSONCursor, k: Span) throws(MalformedKind) in
                    if c.equals(k, "code"), try c.peek() != UInt8(ascii: "\"") {
                        entry.grpcCode = try c.number() ?? 0
                    } else if c.equals(k, "message") {
                        entry.statusMessage = try text(&c, depth: d + 1)
                    } else {
                        try c.skipValue(depth: d + 1)
                    }
                }
            } else if c.equals(k, "request"), c.byte == UInt8(ascii: "{") {
                entry.request = try raw(&c, depth: d)
            } else if c.equals(k, "response"), c.byte == UInt8(ascii: "{") {
                entry.response = try raw(&c, depth: d)
            } else {
                try c.skipValue(depth: d)
            }
        }
    }

    /// A string value, unescaped; empty for any other value.
    private static func text(_ c: inout JSONCursor, depth: Int) throws(MalformedKind) -> String {
        let span = try c.stringOrSkip(depth: depth)
        return span.isEmpty ? "" : JSONText.string(base: c.base, span: span)
    }

    /// The bytes of the value at the cursor, as they are.
    private static func raw(_ c: inout JSONCursor, depth: Int) throws(MalformedKind) -> [UInt8] {
        let s = c.i
        try c.skipValue(depth: depth)
        return Array(UnsafeBufferPointer(start: c.base + s, count: c.i - s))
    }

    /// The HTTP status for a `google.rpc.Code`.
    static func httpCode(grpc: Int) -> Int {
        switch grpc {
        case 0: 200
        case 1: 499
        case 3: 422
        case 4: 504
        case 5: 404
        case 6: 409
        case 7: 403
        case 8: 429
        case 9: 400
        case 10: 409
        case 11: 400
        case 12: 501
        case 14: 503
        case 15: 500
        case 16: 401
        default: 500
        }
    }
}

extension GKELogEntry.Parts {
    /// The object a `resourceName` names: `GROUP/VERSION[/namespaces/NS]/RESOURCE[/NAME[/SUB]]`.
    struct Target {
        var group = "", version = "", namespace = "", resource = "", name = "", subresource = ""
    }

    /// `resourceName` read as a target, using `methodName` where the path alone is ambiguous
    /// (`core/v1/namespaces/NS` is the namespace NS; `.../namespaces/NS/pods` lists pods in NS).
    var target: Target? {
        let parts = resourceName.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count >= 3, parts[1].hasPrefix("v") else { return nil }
        var t = Target(group: parts[0] == "core" ? "" : parts[0], version: parts[1])
        var rest = Array(parts[2...])
        let method = methodName.split(separator: ".").map(String.init)
        let onNamespace = method.count >= 3 && (method[method.count - 2] == "namespaces" || method[method.count - 3] == "namespaces")
        if rest.count >= 3, rest[0] == "namespaces", !onNamespace {
            t.namespace = rest[1]
            rest.removeFirst(2)
        }
        t.resource = rest[0]
        if rest.count > 1 { t.name = rest[1] }
        if rest.count > 2 { t.subresource = rest[2...].joined(separator: "/") }
        if t.resource == "namespaces" && !t.name.isEmpty { t.namespace = t.name }
        return t
    }

    /// The request path the target came from.
    static func uri(_ t: Target) -> String {
        var path = t.group.isEmpty ? "/api/\(t.version)" : "/apis/\(t.group)/\(t.version)"
        if !t.namespace.isEmpty && t.resource != "namespaces" { path += "/namespaces/\(t.namespace)" }
        path += "/\(t.resource)"
        if !t.name.isEmpty { path += "/\(t.name)" }
        if !t.subresource.isEmpty { path += "/\(t.subresource)" }
        return path
    }

    func eventJSON() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(512 + labels.count + request.count + response.count)
        func field(_ key: String, _ value: String) {
            out.append(contentsOf: Array(",\"\(key)\":".utf8))
            JSONText.appendQuoted(value, to: &out)
        }
        func object(_ key: String, _ bytes: [UInt8]) {
            out.append(contentsOf: Array(",\"\(key)\":".utf8))
            out.append(contentsOf: bytes)
        }
        out.append(contentsOf: Array("{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\"".utf8))
        field("level", !request.isEmpty && !response.isEmpty ? "RequestResponse" : !request.isEmpty ? "Request" : "Metadata")
        field("auditID", operationID.isEmpty ? insertID : operationID)
        field("stage", "ResponseComplete")
        let t = target
        field("requestURI", t.map(Self.uri) ?? "/" + resourceName)
        field("verb", methodName.split(separator: ".").last.map(String.init) ?? methodName)
        out.append(contentsOf: Array(",\"user\":{\"username\":".utf8))
        JSONText.appendQuoted(principal, to: &out)
        out.append(UInt8(ascii: "}"))
        if !callerIP.isEmpty {
            out.append(contentsOf: Array(",\"sourceIPs\":[".utf8))
            JSONText.appendQuoted(callerIP, to: &out)
            out.append(UInt8(ascii: "]"))
        }
        if !userAgent.isEmpty { field("userAgent", userAgent) }
        if let t {
            out.append(contentsOf: Array(",\"objectRef\":{\"resource\":".utf8))
            JSONText.appendQuoted(t.resource, to: &out)
            if !t.namespace.isEmpty { field("namespace", t.namespace) }
            if !t.name.isEmpty { field("name", t.name) }
            if !t.group.isEmpty { field("apiGroup", t.group) }
            field("apiVersion", t.version)
            if !t.subresource.isEmpty { field("subresource", t.subresource) }
            out.append(UInt8(ascii: "}"))
        }
        let code = GKELogEntry.httpCode(grpc: grpcCode)
        out.append(contentsOf: Array(",\"responseStatus\":{\"metadata\":{},\"code\":\(code)".utf8))
        if code >= 300 { field("status", "Failure") }
        if !statusMessage.isEmpty { field("message", statusMessage) }
        out.append(UInt8(ascii: "}"))
        if !request.isEmpty { object("requestObject", request) }
        if !response.isEmpty { object("responseObject", response) }
        let time = timestamp.isEmpty ? receiveTimestamp : timestamp
        if !time.isEmpty {
            field("requestReceivedTimestamp", time)
            field("stageTimestamp", time)
        }
        if !labels.isEmpty { object("annotations", labels) }
        out.append(UInt8(ascii: "}"))
        return out
    }
}
