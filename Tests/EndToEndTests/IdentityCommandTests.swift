import AuditTestSupport
import Foundation
import Testing

/// The platform list and baselines from the command line, run as a user would.
@Suite struct IdentityCommandTests {
    @Test func configPrintListsThePlatformIdentitiesAndTheirReplacement() throws {
        let home = try Binary.temporaryDirectory()
        let shown = try Binary.run(["config", "print"], environment: ["XDG_CONFIG_HOME": home.path])
        #expect(shown.status == 0)
        for entry in ["system:*", "kubernetes-admin", "group:system:masters", "eks:*", "aksService", "kube:admin",
                      "*@container-engine-robot.iam.gserviceaccount.com"] {
            #expect(shown.text.contains("#   \(entry)\n"), "\(entry)")
        }
        let off = try Binary.run(["config", "print", "--platform-identities", "none"], environment: ["XDG_CONFIG_HOME": home.path])
        #expect(off.text.contains("# platform identities: none (switched off)"))
        let missing = try Binary.run(["report", "-", "--platform-identities", "/no/such/file"], stdin: Data())
        #expect(missing.status == 2 && missing.stderr.contains("cannot read the platform identities file /no/such/file"))
    }

    /// One line of a request by `user` from `ip` at `second`.
    func line(_ n: Int, _ user: String, _ ip: String, second: Int) -> String {
        let t = String(format: "2026-03-14T09:%02d:%02d.000000Z", second / 60, second % 60)
        return #"{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"00000000-0000-4000-8000-\#(String(format: "%012d", n))","stage":"ResponseComplete","requestURI":"/api/v1/namespaces/web/pods","verb":"list","user":{"username":"\#(user)","groups":["system:authenticated"]},"sourceIPs":["\#(ip)"],"userAgent":"kubectl/v1.30.0","objectRef":{"resource":"pods","namespace":"web","apiVersion":"v1"},"responseStatus":{"metadata":{},"code":200},"requestReceivedTimestamp":"\#(t)","stageTimestamp":"\#(t)"}"# + "\n"
    }

    @Test func aBaselineLearnedTodayJudgesTomorrow() throws {
        let dir = try Binary.temporaryDirectory()
        let baseline = dir.appendingPathComponent("baseline.json").path
        let today = (0..<20).map { line($0, "alice@example.com", "192.0.2.10", second: $0 * 3) }.joined()
        let learned = try Binary.run(["report", "-", "--learn", "10m", "--baseline", baseline, "--format", "json"], stdin: Data(today.utf8))
        #expect(learned.status == 0, "\(learned.stderr)")
        let saved = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: baseline))) as? [String: Any])
        let alice = try #require((saved["identities"] as? [String: Any])?["alice@example.com"] as? [String: Any])
        #expect(alice["networks"] as? [String] == ["192.0.2.0/24"])
        #expect(alice["actions"] as? [String] == ["list pods"])
        // Tomorrow, no learning: the same network is ordinary, a new one is not.
        let tomorrow = [line(100, "alice@example.com", "192.0.2.77", second: 0), line(101, "alice@example.com", "198.51.100.9", second: 5)].joined()
        let judged = try Binary.run(["report", "-", "--baseline", baseline, "--format", "json"], stdin: Data(tomorrow.utf8))
        let alerts = try #require(try JSONSerialization.jsonObject(with: judged.stdout) as? [String: Any])["alerts"] as? [[String: Any]]
        let network = try #require(alerts?.first { $0["rule"] as? String == "Known Identity From A New Network" })
        #expect(network["count"] as? Int == 1)
        #expect(((network["examples"] as? [[String: Any]])?.first?["note"] as? String)?.contains("198.51.100.0/24") == true)
        // A damaged baseline is a clear error.
        try Data("{".utf8).write(to: URL(fileURLWithPath: baseline))
        let damaged = try Binary.run(["report", "-", "--baseline", baseline], stdin: Data(tomorrow.utf8))
        #expect(damaged.status == 2 && damaged.stderr.contains("cannot read the baseline"))
    }
}
