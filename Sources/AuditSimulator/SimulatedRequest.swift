import AuditCore

/// One API request the simulator will write as one event (or two, for a long-running one).
struct SimulatedRequest {
    var who: Identity
    var verb: String
    var apiGroup = ""
    var version = "v1"
    var resource = ""
    var subresource = ""
    var namespace = ""
    var name = ""
    /// A path for a non-resource request (`/version`); empty for resource requests.
    var nonResourcePath = ""
    var query = ""
    var code = 200
    /// Authentication failed: no user, no authorization annotations.
    var unauthenticated = false
    var latency: Int64 = 2_000
    /// Bytes of request and response body to record (RequestResponse level); 0 for Metadata.
    var bodyBytes = 0
    /// Long-running: written as ResponseStarted now and ResponseComplete after `latency`.
    var longRunning = false

    var uri: String {
        if !nonResourcePath.isEmpty { return nonResourcePath + query }
        var s = apiGroup.isEmpty ? "/api/\(version)" : "/apis/\(apiGroup)/\(version)"
        if !namespace.isEmpty && resource != "namespaces" { s += "/namespaces/\(namespace)" }
        s += "/\(resource)"
        if !name.isEmpty { s += "/\(name)" }
        if !subresource.isEmpty { s += "/\(subresource)" }
        return s + query
    }

    var denied: Bool { code == 401 || code == 403 }

    /// The event for `stage`, one compact JSON line with its newline.
    func event(id: String, stage: String, received: Int64, stageTime: Int64, code: Int?, into w: inout EventWriter) {
        w.raw("{")
        w.field("kind", "Event", first: true)
        w.field("apiVersion", "audit.k8s.io/v1")
        w.field("level", bodyBytes > 0 ? "RequestResponse" : "Metadata")
        w.field("auditID", id)
        w.field("stage", stage)
        w.field("requestURI", uri)
        w.field("verb", verb)
        w.key("user")
        if unauthenticated {
            w.raw("{}")
        } else {
            w.raw("{")
            w.field("username", who.name, first: true)
            if who.name.hasPrefix("system:node:") || who.name.hasPrefix("system:serviceaccount:") {
                w.field("uid", uidFor(who.name))
            }
            w.key("groups")
            w.strings(who.groups)
            if who.name.hasPrefix("system:serviceaccount:") {
                w.raw(",\"extra\":{\"authentication.kubernetes.io/credential-id\":[\"JTI=\(uidFor(who.name + "jti"))\"],")
                w.raw("\"authentication.kubernetes.io/node-name\":[\"ip-10-0-1-12.eu-west-1.compute.internal\"],")
                w.raw("\"authentication.kubernetes.io/pod-name\":[\"\(who.name.split(separator: ":").last ?? "")-6d5f9c7b8-k4m2x\"]}")
            }
            w.raw("}")
        }
        w.key("sourceIPs")
        w.strings([who.ip])
        w.field("userAgent", who.agent)
        if nonResourcePath.isEmpty && !unauthenticated {
            w.key("objectRef")
            w.raw("{")
            w.field("resource", resource, first: true)
            if !namespace.isEmpty { w.field("namespace", namespace) }
            if !name.isEmpty { w.field("name", name) }
            if !apiGroup.isEmpty { w.field("apiGroup", apiGroup) }
            w.field("apiVersion", version)
            if !subresource.isEmpty { w.field("subresource", subresource) }
            w.raw("}")
        }
        if let code {
            w.key("responseStatus")
            if code >= 400 {
                let (reason, message) = failure(code)
                w.raw("{\"metadata\":{},\"status\":\"Failure\"")
                w.field("message", message)
                w.field("reason", reason)
                if !resource.isEmpty { w.raw(",\"details\":{\"kind\":\"\(resource)\"}") }
                w.raw(",\"code\":\(code)}")
            } else {
                w.raw("{\"metadata\":{},\"code\":\(code)}")
            }
        }
        if bodyBytes > 0 { body(into: &w) }
        w.field("requestReceivedTimestamp", timestamp(received))
        w.field("stageTimestamp", timestamp(stageTime))
        if !unauthenticated {
            w.key("annotations")
            w.raw("{")
            if denied {
                w.field("authorization.k8s.io/decision", "forbid", first: true)
                w.field("authorization.k8s.io/reason", "")
            } else {
                w.field("authorization.k8s.io/decision", "allow", first: true)
                w.field("authorization.k8s.io/reason", who.binding)
            }
            if resource == "pods" && verb == "create" && subresource.isEmpty {
                w.field("pod-security.kubernetes.io/enforce-policy", "restricted:latest")
            }
            w.raw("}")
        }
        w.raw("}\n")
    }

    private func failure(_ code: Int) -> (String, String) {
        switch code {
        case 401: return ("Unauthorized", "Unauthorized")
        case 403:
            let subject = who.name.hasPrefix("system:serviceaccount:") || who.name.hasPrefix("system:") ? who.name : who.name
            if !nonResourcePath.isEmpty {
                return ("Forbidden", "forbidden: User \"\(subject)\" cannot get path \"\(nonResourcePath)\"")
            }
            let scope = namespace.isEmpty ? "at the cluster scope" : "in the namespace \"\(namespace)\""
            let target = subresource.isEmpty ? resource : "\(resource)/\(subresource)"
            return ("Forbidden", "\(target)\(name.isEmpty ? "" : " \"\(name)\"") is forbidden: User \"\(subject)\" cannot \(verb) resource \"\(target)\" in API group \"\(apiGroup)\" \(scope)")
        case 404: return ("NotFound", "\(resource) \"\(name)\" not found")
        case 409: return ("Conflict", "Operation cannot be fulfilled on \(resource) \"\(name)\": the object has been modified; please apply your changes to the latest version and try again")
        default: return ("InternalError", "Internal error occurred: context deadline exceeded")
        }
    }

    /// A request and response body of about `bodyBytes`, shaped like a ConfigMap.
    private func body(into w: inout EventWriter) {
        let kind = resource == "configmaps" ? "ConfigMap" : (resource == "secrets" ? "Secret" : "Deployment")
        var filler = ""
        let line = "# generated settings block; value=0123456789abcdef0123456789abcdef\\n"
        let copies = max(1, bodyBytes / 2 / line.utf8.count)
        filler.reserveCapacity(copies * line.utf8.count)
        for _ in 0..<copies { filler += line }
        for key in ["requestObject", "responseObject"] {
            w.key(key)
            w.raw("{\"kind\":\"\(kind)\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"\(name)\",\"namespace\":\"\(namespace)\"")
            w.raw(",\"labels\":{\"app.kubernetes.io/managed-by\":\"Helm\"}},\"data\":{\"settings.conf\":\"")
            w.raw(filler)
            w.raw("\"}}")
        }
    }

    private func uidFor(_ s: String) -> String {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for u in s.utf8 { h = (h ^ UInt64(u)) &* 0x0000_0100_0000_01B3 }
        var rng = SplitMix(seed: h)
        return rng.uuid()
    }

    private func timestamp(_ micros: Int64) -> String {
        Timestamp.format(micros)
    }
}
