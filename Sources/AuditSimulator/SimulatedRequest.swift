/// One API request the simulator writes as one event, or as several for a request whose
/// policy logs `RequestReceived` or a long-running one (ResponseStarted, then ResponseComplete).
struct SimulatedRequest {
    var who: Identity
    var verb: String
    var apiGroup = ""
    var version = "v1"
    var resource = ""
    var subresource = ""
    var namespace = ""
    var name = ""
    /// A path for a non-resource request (`/healthz`); empty for resource requests.
    var nonResourcePath = ""
    var query = ""
    var code = 200
    var latency: Int64 = 2_000
    /// The user the request impersonates (`Impersonate-User`), if any.
    var impersonated: Identity?
    /// The request body (raw JSON), logged at RequestResponse level.
    var requestObject: String?
    /// The response body (raw JSON); with `bodyBytes` and no objects, a filler ConfigMap-like body.
    var responseObject: String?
    /// Bytes of filler request and response body to record; 0 for none.
    var bodyBytes = 0
    /// Long-running: written as ResponseStarted now and ResponseComplete after `latency`.
    var longRunning = false
    /// The policy logs this request's RequestReceived stage too.
    var logReceived = false
    /// More annotations, raw: `,"key":"value"`.
    var annotations = ""

    /// A request with no `user` at all: authentication failed.
    var unauthenticated: Bool { who.name.isEmpty }

    var hasBody: Bool { requestObject != nil || responseObject != nil || bodyBytes > 0 }

    var uri: String {
        if !nonResourcePath.isEmpty { return nonResourcePath + query }
        var s = apiGroup.isEmpty ? "/api/\(version)" : "/apis/\(apiGroup)/\(version)"
        if !namespace.isEmpty && resource != "namespaces" { s += "/namespaces/\(namespace)" }
        s += "/\(resource)"
        // A create posts to the collection; the name is in the body (and the objectRef).
        if !name.isEmpty && (verb != "create" || !subresource.isEmpty) { s += "/\(name)" }
        if !subresource.isEmpty { s += "/\(subresource)" }
        return s + query
    }

    var denied: Bool { code == 401 || code == 403 }

    /// The event for `stage`, one compact JSON line with its newline, appended to `w`.
    func event(id: (UInt64, UInt64), stage: Stage, received: Int64, stageTime: Int64, into w: inout EventWriter) {
        let complete = stage == .responseComplete
        w.raw("{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",\"level\":\"")
        w.raw(!hasBody ? "Metadata" : (responseObject == nil && bodyBytes == 0 ? "Request" : "RequestResponse"))
        w.raw("\",\"auditID\":\"")
        w.uuid(id.0, id.1)
        w.raw("\",\"stage\":\"")
        w.raw(stage.rawValue)
        w.raw("\"")
        w.field("requestURI", uri)
        w.field("verb", verb)
        w.raw(",\"user\":")
        w.raw(who.userJSON)
        // Impersonation and authorization run after the RequestReceived event is written.
        let authorized = stage != .requestReceived && !unauthenticated
        if authorized, let impersonated {
            w.raw(",\"impersonatedUser\":{")
            w.field("username", impersonated.name, first: true)
            w.key("groups")
            w.strings(impersonated.groups)
            w.raw("}")
        }
        w.raw(",\"sourceIPs\":[")
        w.quoted(who.ip)
        w.raw("]")
        w.field("userAgent", who.agent)
        if nonResourcePath.isEmpty {
            w.raw(",\"objectRef\":{")
            w.field("resource", resource, first: true)
            if !namespace.isEmpty { w.field("namespace", namespace) }
            // A created object's name is read from the body, after RequestReceived.
            if !name.isEmpty && (stage != .requestReceived || verb != "create" || !subresource.isEmpty) { w.field("name", name) }
            if !apiGroup.isEmpty { w.field("apiGroup", apiGroup) }
            w.field("apiVersion", version)
            if !subresource.isEmpty { w.field("subresource", subresource) }
            w.raw("}")
        }
        if stage != .requestReceived {
            w.raw(",\"responseStatus\":{\"metadata\":{}")
            if code >= 400 {
                let (reason, message) = failure()
                w.raw(",\"status\":\"Failure\"")
                w.field("message", message)
                w.field("reason", reason)
                if !resource.isEmpty && code != 401 {
                    w.raw(",\"details\":{")
                    if !name.isEmpty { w.field("name", name, first: true); w.raw(",") }
                    w.raw("\"kind\":\"\(resource)\"}")
                }
            }
            w.raw(",\"code\":")
            w.number(code)
            w.raw("}")
        }
        if complete { body(complete: true, into: &w) }
        w.raw(",\"requestReceivedTimestamp\":")
        w.timestamp(received)
        w.raw(",\"stageTimestamp\":")
        w.timestamp(stageTime)
        if authorized {
            w.raw(",\"annotations\":{")
            if denied {
                w.raw("\"authorization.k8s.io/decision\":\"forbid\",\"authorization.k8s.io/reason\":\"\"")
            } else {
                w.raw("\"authorization.k8s.io/decision\":\"allow\"")
                w.field("authorization.k8s.io/reason", (impersonated ?? who).binding)
            }
            if !annotations.isEmpty { w.raw(annotations) }
            w.raw("}")
        }
        w.raw("}\n")
    }

    /// The status reason and message of a failed request, in the apiserver's words.
    private func failure() -> (String, String) {
        let subject = (impersonated ?? who).name
        switch code {
        case 401: return ("Unauthorized", "Unauthorized")
        case 403:
            if !nonResourcePath.isEmpty {
                return ("Forbidden", "forbidden: User \"\(subject)\" cannot \(verb) path \"\(nonResourcePath)\"")
            }
            let scope = namespace.isEmpty ? "at the cluster scope" : "in the namespace \"\(namespace)\""
            let target = subresource.isEmpty ? resource : "\(resource)/\(subresource)"
            return ("Forbidden", "\(target)\(name.isEmpty ? "" : " \"\(name)\"") is forbidden: User \"\(subject)\" cannot \(verb) resource \"\(target)\" in API group \"\(apiGroup)\" \(scope)")
        case 404: return ("NotFound", "\(resource) \"\(name)\" not found")
        case 409: return ("Conflict", "Operation cannot be fulfilled on \(resource) \"\(name)\": the object has been modified; please apply your changes to the latest version and try again")
        case 422: return ("Invalid", "\(resource) \"\(name)\" is invalid")
        default: return ("InternalError", "Internal error occurred: context deadline exceeded")
        }
    }

    /// The request and response bodies; filler ones are shaped like a ConfigMap of about `bodyBytes`.
    private func body(complete: Bool, into w: inout EventWriter) {
        if requestObject != nil || responseObject != nil {
            if let requestObject { w.raw(",\"requestObject\":"); w.raw(requestObject) }
            if complete, let responseObject { w.raw(",\"responseObject\":"); w.raw(responseObject) }
            return
        }
        guard bodyBytes > 0 else { return }
        let kind = resource == "configmaps" ? "ConfigMap" : (resource == "secrets" ? "Secret" : "Deployment")
        let line = "# generated settings block; value=0123456789abcdef0123456789abcdef\\n"
        let copies = max(1, bodyBytes / 2 / line.utf8.count)
        for key in complete ? ["requestObject", "responseObject"] : ["requestObject"] {
            w.key(key)
            w.raw("{\"kind\":\"\(kind)\",\"apiVersion\":\"v1\",\"metadata\":{")
            w.field("name", name, first: true)
            w.field("namespace", namespace)
            w.raw(",\"labels\":{\"app.kubernetes.io/managed-by\":\"Helm\"}},\"data\":{\"settings.conf\":\"")
            for _ in 0..<copies { w.raw(line) }
            w.raw("\"}}")
        }
    }
}

/// The stages of an audit event the simulator writes.
enum Stage: String {
    case requestReceived = "RequestReceived"
    case responseStarted = "ResponseStarted"
    case responseComplete = "ResponseComplete"
}
