import AuditSimulator
import Foundation

/// A simulated log parsed with Foundation's JSON parser (independent of the project's
/// decoder), one `Event` per line, for tests that measure what the simulator writes.
struct SimulatedLog: Sendable {
    /// The fields of one audit event the tests look at.
    struct Event: Sendable {
        var line: Int
        var bytes: Int
        var auditID: String
        var stage: String
        var level: String
        var uri: String
        var verb: String
        /// nil when the `user` object is empty (authentication failed).
        var user: String?
        var impersonated: String?
        var sourceIP: String
        var agent: String
        var resource: String
        var subresource: String
        var apiGroup: String
        var namespace: String
        var name: String
        var hasObjectRef: Bool
        var code: Int?
        var decision: String?
        var received: String
        var stageTime: String
        var requestObject: String?
        var hasBody: Bool
    }

    let events: [Event]
    let bytes: [UInt8]

    init(events count: Int, seed: UInt64 = 1, flavor: Flavor = .kubeadm, incidentAt fraction: Double = 0.6) {
        var sim = Simulator(seed: seed, flavor: flavor, incidentAfter: Int64(Double(count) / 300 * fraction * 1_000_000))
        var bytes: [UInt8] = []
        var events: [Event] = []
        events.reserveCapacity(count)
        for k in 0..<count {
            let line = sim.next().line
            bytes.append(contentsOf: line)
            let json = try! JSONSerialization.jsonObject(with: Data(line)) as! [String: Any]
            let user = json["user"] as? [String: Any] ?? [:]
            let ref = json["objectRef"] as? [String: Any]
            let status = json["responseStatus"] as? [String: Any]
            let annotations = json["annotations"] as? [String: String]
            let request = json["requestObject"].map { String(decoding: try! JSONSerialization.data(withJSONObject: $0), as: UTF8.self) }
            events.append(Event(
                line: k, bytes: line.count, auditID: json["auditID"] as! String, stage: json["stage"] as! String,
                level: json["level"] as! String, uri: json["requestURI"] as! String, verb: json["verb"] as! String,
                user: user["username"] as? String,
                impersonated: (json["impersonatedUser"] as? [String: Any])?["username"] as? String,
                sourceIP: (json["sourceIPs"] as! [String])[0], agent: json["userAgent"] as? String ?? "",
                resource: ref?["resource"] as? String ?? "", subresource: ref?["subresource"] as? String ?? "",
                apiGroup: ref?["apiGroup"] as? String ?? "", namespace: ref?["namespace"] as? String ?? "",
                name: ref?["name"] as? String ?? "", hasObjectRef: ref != nil,
                code: status?["code"] as? Int, decision: annotations?["authorization.k8s.io/decision"],
                received: json["requestReceivedTimestamp"] as! String, stageTime: json["stageTimestamp"] as! String,
                requestObject: request, hasBody: json["requestObject"] != nil || json["responseObject"] != nil))
        }
        self.events = events
        self.bytes = bytes
    }

    /// Events of one request's deciding stage (not RequestReceived, not ResponseStarted).
    var completed: [Event] { events.filter { $0.stage == "ResponseComplete" } }

    /// The incident's events of `user` (or with no user) from `ip`.
    func from(_ ip: String) -> [Event] { completed.filter { $0.sourceIP == ip } }
}
