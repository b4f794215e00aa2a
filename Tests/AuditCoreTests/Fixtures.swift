import AuditCore

/// Small events for tests, built field by field so each test shows what it varies.
enum Fixture {
    static func event(
        id: String = "11111111-2222-3333-4444-555555555555", stage: String = "ResponseComplete", verb: String = "get",
        user: String = "alice@example.com", groups: [String] = ["system:authenticated"], resource: String? = "pods",
        namespace: String? = "default", name: String? = "web-1", code: Int? = 200, decision: String? = "allow",
        received: String = "2026-03-14T09:00:00.000000Z", stageTime: String = "2026-03-14T09:00:00.004000Z",
        subresource: String? = nil, uri: String? = nil, ip: String = "10.0.0.1", agent: String = "kubectl/v1.29.2",
        apiGroup: String? = nil
    ) -> String {
        var fields: [String] = [
            #""kind":"Event""#, #""apiVersion":"audit.k8s.io/v1""#, #""level":"Metadata""#,
            #""auditID":"\#(id)""#, #""stage":"\#(stage)""#,
        ]
        let path = uri ?? "/api/v1/namespaces/\(namespace ?? "default")/\(resource ?? "")\(name.map { "/" + $0 } ?? "")"
        fields.append(#""requestURI":"\#(path)""#)
        fields.append(#""verb":"\#(verb)""#)
        let groupList = groups.map { "\"\($0)\"" }.joined(separator: ",")
        fields.append(user.isEmpty ? #""user":{}"# : #""user":{"username":"\#(user)","groups":[\#(groupList)]}"#)
        fields.append(#""sourceIPs":["\#(ip)"]"#)
        fields.append(#""userAgent":"\#(agent)""#)
        if let resource {
            var ref = [#""resource":"\#(resource)""#]
            if let namespace { ref.append(#""namespace":"\#(namespace)""#) }
            if let name { ref.append(#""name":"\#(name)""#) }
            if let apiGroup { ref.append(#""apiGroup":"\#(apiGroup)""#) }
            ref.append(#""apiVersion":"v1""#)
            if let subresource { ref.append(#""subresource":"\#(subresource)""#) }
            fields.append(#""objectRef":{\#(ref.joined(separator: ","))}"#)
        }
        if let code { fields.append(#""responseStatus":{"metadata":{},"code":\#(code)}"#) }
        fields.append(#""requestReceivedTimestamp":"\#(received)""#)
        fields.append(#""stageTimestamp":"\#(stageTime)""#)
        if let decision {
            fields.append(#""annotations":{"authorization.k8s.io/decision":"\#(decision)","authorization.k8s.io/reason":"RBAC: allowed by ClusterRoleBinding \"x\""}"#)
        }
        return "{" + fields.joined(separator: ",") + "}"
    }

    /// A store that has read `text` as one stream.
    static func store(_ text: String, configure: (inout StoreConfiguration) -> Void = { _ in }) -> EventStore {
        var c = StoreConfiguration()
        configure(&c)
        let store = EventStore(configuration: c)
        store.ingest(text: text)
        return store
    }

    /// A UUID-shaped id numbered `n`.
    static func id(_ n: Int) -> String {
        let hex = String(n, radix: 16)
        return "00000000-0000-4000-8000-" + String(repeating: "0", count: 12 - hex.count) + hex
    }
}

extension EventStore {
    /// The newest `n` ring entries, oldest first.
    func entries() -> [RingEntry] {
        (ring.firstSequence..<ring.nextSequence).compactMap { ring[sequence: $0] }
    }

    /// Requests counted for a user name.
    func requests(of user: String) -> Int {
        strings.lookup(user).map { stats.users.count($0) } ?? 0
    }
}
