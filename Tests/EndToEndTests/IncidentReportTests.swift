import AuditTestSupport
import Foundation
import Testing

/// The acceptance run: an EKS cluster's incident log, then `report` with no options.
@Suite struct IncidentReportTests {
    /// Each planted step and a rule of medium severity or higher that must name it.
    static let indicators: [(step: String, rules: [String])] = [
        ("stolen token used from outside", ["Service Account Token Used From Outside"]),
        ("secrets swept namespace by namespace", ["Secrets Read Across New Namespaces"]),
        ("cluster-admin binding", ["Attach to cluster-admin Role"]),
        ("exec into kube-system", ["Attach/Exec Pod"]),
        ("privileged pod mounting /", ["Create Privileged Pod", "Create Sensitive Mount Pod"]),
        ("exec into the privileged pod", ["Attach/Exec Into Privileged Pod"]),
        ("temp-admin through impersonation", ["Impersonation"]),
        ("anonymous probes", ["Anonymous Request Denied"]),
        ("failed-login burst", ["Failed Authentication Burst"]),
        ("kube-system events deleted", ["K8s Events Deleted"]),
        ("token minted", ["Service Account Token Created"]),
        ("CSR self-approval", ["CSR Created And Approved By One Identity"]),
    ]

    @Test func anEKSIncidentLogShowsEveryIndicatorAndNoPlatformIdentityAmongUnknownUsers() throws {
        let dir = try Binary.temporaryDirectory()
        let log = dir.appendingPathComponent("inc.jsonl").path
        #expect(try Binary.run(["demo", "--write", log, "--events", "60000", "--flavor", "eks"]).status == 0)
        let result = try Binary.run(["report", log, "--format", "json", "--top", "50"])
        #expect(result.status == 0)
        let json = try #require(try JSONSerialization.jsonObject(with: result.stdout) as? [String: Any])
        let alerts = try #require(json["alerts"] as? [[String: Any]])
        let serious = Set(alerts.filter { ["medium", "high", "critical"].contains($0["severity"] as? String) }.compactMap { $0["rule"] as? String })
        for (step, rules) in Self.indicators {
            #expect(rules.allSatisfy(serious.contains), "\(step): \(rules) not among \(serious.sorted())")
        }
        // The attack's actors are named in the alerts.
        let actors = Set(alerts.flatMap { ($0["examples"] as? [[String: Any]] ?? []).compactMap { $0["user"] as? String } })
        #expect(actors.contains("system:serviceaccount:web:frontend"))
        #expect(actors.contains { $0.hasSuffix("→temp-admin") })
        let unknown = try #require(json["unknownUsers"] as? [[String: Any]]).compactMap { $0["user"] as? String }
        #expect(unknown.contains("temp-admin"))
        for name in unknown {
            let platform = name.hasPrefix("eks:") || (name.hasPrefix("system:") && name != "system:anonymous") || name == "kubernetes-admin"
            #expect(!platform, "\(name) is a platform identity")
        }
    }
}
