import AuditCore
import AuditDashboard
import AuditSources
import AuditTestSupport
import Foundation
import Testing

/// GKE's audit log as Cloud Logging hands it out: the same requests as `LogEntry` records in
/// every form `gcloud` and sinks produce, against the Events GKE keeps of them.
@Suite struct GKEEntriesTests {
    typealias F = WrapperFixtures

    /// The simulated requests' last stage, as dictionaries (Foundation's parser, not ours).
    nonisolated(unsafe) static let requests: [[String: Any]] = F.lines.compactMap { line in
        guard let e = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any],
            e["stage"] as? String == "ResponseComplete",
            let ref = e["objectRef"] as? [String: Any], ref["resource"] is String, ref["apiVersion"] is String
        else { return nil }
        return e
    }

    /// The HTTP code a gRPC code stands for, after the apiserver's code went through GKE.
    static let roundTrip: [Int: Int] = [400: 400, 401: 401, 403: 403, 404: 404, 409: 409, 422: 422, 429: 429, 500: 500, 503: 503, 504: 504]
    static let grpc: [Int: Int] = [400: 9, 401: 16, 403: 7, 404: 5, 409: 6, 422: 3, 429: 8, 500: 13, 503: 14, 504: 4]

    static func path(_ ref: [String: Any]) -> String {
        let group = ref["apiGroup"] as? String ?? ""
        var parts = [group.isEmpty ? "core" : group, ref["apiVersion"] as! String]
        if let ns = ref["namespace"] as? String, !ns.isEmpty { parts += ["namespaces", ns] }
        parts.append(ref["resource"] as! String)
        if let name = ref["name"] as? String, !name.isEmpty { parts.append(name) }
        if let sub = ref["subresource"] as? String, !sub.isEmpty { parts.append(sub) }
        return parts.joined(separator: "/")
    }

    /// The LogEntry Cloud Logging stores for `e`.
    static func entry(_ e: [String: Any], _ k: Int) -> [String: Any] {
        let ref = e["objectRef"] as! [String: Any]
        let group = (ref["apiGroup"] as? String).flatMap { $0.isEmpty ? nil : $0 } ?? "core"
        let sub = (ref["subresource"] as? String).map { "." + $0 } ?? ""
        let method = "io.k8s.\(group).\(ref["apiVersion"]!).\(ref["resource"]!)\(sub).\(e["verb"]!)"
        let status = e["responseStatus"] as? [String: Any] ?? [:]
        let code = status["code"] as? Int ?? 200
        var grpcStatus: [String: Any] = [:]
        if code >= 300 { grpcStatus["code"] = grpc[code] ?? 2 }
        if let message = status["message"] { grpcStatus["message"] = message }
        var payload: [String: Any] = [
            "@type": "type.googleapis.com/google.cloud.audit.AuditLog",
            "authenticationInfo": ["principalEmail": (e["user"] as? [String: Any])?["username"] as? String ?? ""],
            "authorizationInfo": [["granted": code != 403, "permission": method, "resource": path(ref)]],
            "methodName": method, "resourceName": path(ref), "serviceName": "k8s.io", "status": grpcStatus,
            "requestMetadata": ["callerIp": (e["sourceIPs"] as? [String])?.first ?? "", "callerSuppliedUserAgent": e["userAgent"] ?? ""],
        ]
        if let body = e["requestObject"] { payload["request"] = body }
        if let body = e["responseObject"] { payload["response"] = body }
        let id = e["auditID"] as! String
        return [
            "insertId": id, "logName": "projects/prod-123/logs/cloudaudit.googleapis.com%2Factivity",
            "labels": e["annotations"] ?? [:], "operation": ["first": true, "last": true, "id": id, "producer": "k8s.io"],
            "protoPayload": payload, "receiveTimestamp": e["stageTimestamp"]!, "timestamp": e["requestReceivedTimestamp"]!,
            "resource": ["type": "k8s_cluster", "labels": ["cluster_name": "prod", "location": "europe-west1", "project_id": "prod-123"]],
        ]
    }

    /// The Event GKE keeps of `e`: no groups, one stage, one address, the path without its
    /// query, and one time.
    static func kept(_ e: [String: Any]) -> [String: Any] {
        var ref = e["objectRef"] as! [String: Any]
        var out = e
        if ref["resource"] as? String == "namespaces", let name = ref["name"] as? String, !name.isEmpty {
            ref["namespace"] = name
            out["objectRef"] = ref
        }
        for key in ["impersonatedUser", "sourceIPs", "responseStatus", "stageTimestamp", "level"] { out[key] = nil }
        out["user"] = ["username": (e["user"] as? [String: Any])?["username"] as? String ?? ""]
        if let ip = (e["sourceIPs"] as? [String])?.first { out["sourceIPs"] = [ip] }
        out["stageTimestamp"] = e["requestReceivedTimestamp"]
        out["level"] = e["requestObject"] != nil ? (e["responseObject"] != nil ? "RequestResponse" : "Request") : "Metadata"
        let group = ref["apiGroup"] as? String ?? ""
        var uri = group.isEmpty ? "/api/\(ref["apiVersion"]!)" : "/apis/\(group)/\(ref["apiVersion"]!)"
        if let ns = ref["namespace"] as? String, !ns.isEmpty, ref["resource"] as? String != "namespaces" { uri += "/namespaces/\(ns)" }
        uri += "/\(ref["resource"]!)"
        if let name = ref["name"] as? String, !name.isEmpty { uri += "/" + name }
        if let sub = ref["subresource"] as? String, !sub.isEmpty { uri += "/" + sub }
        out["requestURI"] = uri
        let status = e["responseStatus"] as? [String: Any] ?? [:]
        let code = status["code"] as? Int ?? 200
        var kept: [String: Any] = ["metadata": [:], "code": code < 300 ? 200 : roundTrip[code] ?? 500]
        if code >= 300 { kept["status"] = "Failure" }
        if let message = status["message"] { kept["message"] = message }
        out["responseStatus"] = kept
        return out
    }

    /// Block-style YAML, as `gcloud logging read` prints entries.
    static func yaml(_ value: Any, indent: String = "") -> String {
        func scalar(_ v: Any) -> String? {
            switch v {
            case let s as String: return "'" + s.replacingOccurrences(of: "'", with: "''") + "'"
            case let n as NSNumber:
                return String(cString: n.objCType) == "c" ? (n.boolValue ? "true" : "false") : "\(n)"
            case let d as [String: Any] where d.isEmpty: return "{}"
            case let a as [Any] where a.isEmpty: return "[]"
            default: return nil
            }
        }
        var out = ""
        if let d = value as? [String: Any] {
            for key in d.keys.sorted() {
                let k = "'" + key.replacingOccurrences(of: "'", with: "''") + "'"
                if let s = scalar(d[key]!) { out += "\(indent)\(k): \(s)\n" } else { out += "\(indent)\(k):\n" + yaml(d[key]!, indent: indent + "  ") }
            }
        } else if let a = value as? [Any] {
            for item in a {
                if let s = scalar(item) {
                    out += "\(indent)- \(s)\n"
                } else {
                    let inner = yaml(item, indent: indent + "  ")
                    out += indent + "- " + inner.dropFirst(indent.count + 2)
                }
            }
        }
        return out
    }

    static var entries: [[String: Any]] { requests.enumerated().map { entry($1, $0) } }

    static func json(_ value: Any, pretty: Bool = false) throws -> [UInt8] {
        Array(try JSONSerialization.data(withJSONObject: value, options: pretty ? [.prettyPrinted] : []))
    }

    static func form(_ name: String) throws -> [UInt8] {
        switch name {
        case "gcloud-json": return try json(entries, pretty: true) + [0x0A]
        case "ndjson": return F.joined(try entries.map { try json($0) })
        case "gcloud-yaml": return Array(entries.map { "---\n" + yaml($0) }.joined().utf8)
        case "pubsub-push":
            return F.joined(try entries.enumerated().map { k, e in
                try json(["message": ["data": Data(try json(e)).base64EncodedString(), "messageId": "\(9_000 + k)",
                                      "publishTime": "2026-03-14T09:00:00Z", "attributes": ["logging.googleapis.com/timestamp": "x"]],
                          "subscription": "projects/prod-123/subscriptions/audittop"])
            })
        default: fatalError(name)
        }
    }

    static let keptReport: Report = try! F.report(F.joined(try! requests.map { try json(kept($0)) }), "kept.jsonl")

    @Test(arguments: ["gcloud-json", "ndjson", "gcloud-yaml", "pubsub-push"])
    func everyFormOfTheEntriesReportsWhatGKEKeeps(_ name: String) throws {
        #expect(Self.requests.count > 3_000)
        let report = try F.report(try Self.form(name), name)
        #expect(report.malformed.total == 0, "\(name): \(report.malformed.byKind.filter { $0.value > 0 })")
        #expect(report.events == Self.requests.count)
        #expect(report == Self.keptReport, "\(name): \(F.differences(report, Self.keptReport))")
    }

    @Test func theEntriesCountTheSameUsersVerbsResourcesAndDenialsAsThePlainEvents() throws {
        let gke = try F.report(try Self.form("ndjson"), "ndjson")
        let plain = try F.report(F.joined(try Self.requests.map { try Self.json($0) }), "plain.jsonl")
        #expect(gke.top.users == plain.top.users)
        #expect(gke.top.verbs == plain.top.verbs)
        #expect(gke.top.resources == plain.top.resources)
        // Not the namespaces: a namespace's own requests name it in GKE's resourceName, as the
        // apiserver's objectRef does, where the simulator leaves it out.
        #expect(gke.top.userAgents == plain.top.userAgents)
        #expect(gke.denied.total == plain.denied.total && gke.denied.total > 50)
        #expect(Set(gke.alerts.map(\.rule)).isSuperset(of: ["Denial Burst"]))
    }

    @Test func aBrokenEntryAmongGoodOnesCostsOnlyItself() throws {
        var lines = try Self.entries.prefix(200).map { try Self.json($0) }
        lines.insert(Array(#"{"insertId":"x","protoPayload":{"methodName":"io.k8s.core.v1.pods.get","resourceName":"#.utf8), at: 100)
        lines.insert(Array(#"{"message":{"data":"not base64!"}}"#.utf8), at: 50)
        let report = try F.report(F.joined(lines), "damaged.jsonl")
        #expect(report.events == 200)
        #expect(report.malformed.total == 2)
    }

    @Test func theGRPCCodesMapToHTTP() {
        let expected = [0: 200, 3: 422, 5: 404, 6: 409, 7: 403, 8: 429, 13: 500, 14: 503, 16: 401]
        let sink = EventCollector()
        for (code, _) in expected {
            let entry = #"{"insertId":"i\#(code)","timestamp":"2026-01-01T00:00:00Z","protoPayload":{"methodName":"io.k8s.core.v1.pods.get","resourceName":"core/v1/namespaces/a/pods/b","status":{"code":\#(code)}}}"#
            Array(entry.utf8).withUnsafeBufferPointer { EventDecoder().decode($0, into: sink) }
        }
        #expect(Dictionary(uniqueKeysWithValues: sink.codes.map { (Int($0.id.dropFirst())!, $0.code) }) == expected)
    }

    @Test(.needsCorpus) func theRealGKEEntriesInTheCorpusDecode() throws {
        let folder = CorpusLocation.root.appendingPathComponent("GoogleCloudPlatform__khi/test/logs/k8s_audit")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".yaml") }.sorted()
        #expect(files.count == 3)
        var configuration = StoreConfiguration()
        configuration.rawBudget = 0
        let store = EventStore(configuration: configuration)
        for file in files { try LogReader().read(folder.appendingPathComponent(file).path, into: store) }
        let report = Report(store: store, limit: 20)
        #expect(report.events == 3 && report.malformed.total == 0)
        #expect(report.top.users.map { "\($0.name)=\($0.count)" }.sorted()
            == ["system:node:gke-sample-cluster-default-abcdefgh-abcd=2", "system:serviceaccount:kube-system:replicaset-controller=1"])
        #expect(report.top.verbs.map(\.name).sorted() == ["create", "patch"])
        #expect(report.top.resources.map(\.name).sorted() == ["pods", "pods/status"])
        #expect(report.top.namespaces.map(\.name) == ["1-2-deployment-update"])
        #expect(report.top.codes.map(\.name) == ["200"])
    }
}

/// The auditID and code of each decoded event.
final class EventCollector: EventSink {
    var codes: [(id: String, code: Int)] = []

    func event(_ event: inout DecodedEvent) {
        codes.append((JSONText.string(base: event.base, span: event.auditID), event.code))
    }
    func malformed(_ kind: MalformedKind) {}
}
