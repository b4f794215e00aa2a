import AuditTestSupport
import Foundation
import Testing

/// Community rules from the command line: `--rules` repeated, formats told apart by
/// content, `rules list` and `rules check`, and the alerts' own words in the report.
@Suite struct RulesCommandTests {
    static let falco = """
    - required_engine_version: 15
    - list: allowed_creators
      items: [alice]
    - macro: creates_namespace
      condition: ka.verb = create and ka.target.resource = namespaces
    - rule: Namespace By Stranger
      desc: a namespace was created by someone not on the list
      condition: creates_namespace and not ka.user.name in (allowed_creators)
      output: namespace %ka.target.name made by %ka.user.name (groups=%ka.user.groups)
      priority: ERROR
      source: k8s_audit
      tags: [k8s, test]
    - rule: Shell Spawned
      condition: evt.type = execve
      output: a syscall rule
      priority: WARNING
    """

    static let sigma = """
    title: Namespace Deleted
    id: 11111111-2222-3333-4444-555555555555
    status: test
    logsource:
        product: kubernetes
        service: audit
    detection:
        selection:
            verb: delete
            objectRef.resource: namespaces
        condition: selection
    level: high
    tags:
        - attack.impact
    """

    static func event(_ k: Int, user: String, verb: String, name: String) -> String {
        #"{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"00000000-0000-0000-0000-00000000000\#(k)","stage":"ResponseComplete","requestURI":"/api/v1/namespaces","verb":"\#(verb)","user":{"username":"\#(user)","groups":["devs","system:authenticated"]},"sourceIPs":["10.1.2.3"],"objectRef":{"resource":"namespaces","name":"\#(name)","apiVersion":"v1"},"responseStatus":{"code":201},"requestReceivedTimestamp":"2026-03-01T10:00:0\#(k).000000Z","stageTimestamp":"2026-03-01T10:00:0\#(k).100000Z","annotations":{"authorization.k8s.io/decision":"allow"}}"#
    }

    static func files() throws -> (dir: URL, falco: URL, sigma: URL, log: URL) {
        let dir = try Binary.temporaryDirectory()
        let falco = dir.appendingPathComponent("local_rules.yaml")
        try Self.falco.write(to: falco, atomically: true, encoding: .utf8)
        let sigmaDir = dir.appendingPathComponent("sigma")
        try FileManager.default.createDirectory(at: sigmaDir, withIntermediateDirectories: true)
        try Self.sigma.write(to: sigmaDir.appendingPathComponent("ns_deleted.yml"), atomically: true, encoding: .utf8)
        let log = dir.appendingPathComponent("audit.log")
        let lines = [event(1, user: "alice", verb: "create", name: "ok"), event(2, user: "mallory", verb: "create", name: "loot"),
                     event(3, user: "mallory", verb: "delete", name: "prod")]
        try (lines.joined(separator: "\n") + "\n").write(to: log, atomically: true, encoding: .utf8)
        return (dir, falco, sigmaDir, log)
    }

    @Test func falcoAndSigmaRulesFireInTheReportWithTheirOwnWords() throws {
        let f = try Self.files()
        let r = try Binary.run(["report", f.log.path, "--format", "json", "--no-builtin-rules", "--rules", f.falco.path, "--rules", f.sigma.path])
        #expect(r.status == 0, "\(r.stderr)")
        // The syscall rule is skipped with a note, not an error.
        #expect(r.stderr.contains("rule 'Shell Spawned' is for the syscall source; skipped"))
        let json = try #require(try JSONSerialization.jsonObject(with: r.stdout) as? [String: Any])
        let alerts = try #require(json["alerts"] as? [[String: Any]])
        #expect(Set(alerts.compactMap { $0["rule"] as? String }) == ["Namespace By Stranger", "Namespace Deleted"])
        let falco = try #require(alerts.first { $0["rule"] as? String == "Namespace By Stranger" })
        #expect(falco["priority"] as? String == "ERROR")
        #expect(falco["severity"] as? String == "high")
        #expect(falco["output"] as? String == "namespace loot made by mallory (groups=(devs,system:authenticated))")
        #expect((falco["origin"] as? String)?.hasSuffix("local_rules.yaml:6") == true)
        #expect(falco["tags"] as? [String] == ["k8s", "test"])
        let sigma = try #require(alerts.first { $0["rule"] as? String == "Namespace Deleted" })
        #expect(sigma["priority"] as? String == "high")
        #expect(sigma["id"] as? String == "11111111-2222-3333-4444-555555555555")
        #expect(sigma["tags"] as? [String] == ["attack.impact"])
    }

    @Test func theConfigurationFileListsRulesToo() throws {
        let f = try Self.files()
        let home = f.dir.appendingPathComponent("config")
        try FileManager.default.createDirectory(at: home.appendingPathComponent("audittop"), withIntermediateDirectories: true)
        try "rules:\n  - \(f.falco.path)\n  - \(f.sigma.path)\n".write(
            to: home.appendingPathComponent("audittop/config.yaml"), atomically: true, encoding: .utf8)
        let r = try Binary.run(["report", f.log.path, "--no-builtin-rules"], environment: ["XDG_CONFIG_HOME": home.path])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.text.contains("Namespace By Stranger") && r.text.contains("Namespace Deleted"))
    }

    @Test func rulesListShowsEveryRuleWithItsOrigin() throws {
        let f = try Self.files()
        let r = try Binary.run(["rules", "list", "--rules", f.falco.path, "--rules", f.sigma.path])
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.text.split(separator: "\n").map(String.init)
        let stranger = try #require(lines.first { $0.hasPrefix("Namespace By Stranger") })
        #expect(stranger.contains("local_rules.yaml:6") && stranger.contains("high") && stranger.contains("ERROR") && stranger.hasSuffix("on"))
        #expect(lines.contains { $0.hasPrefix("Create Privileged Pod") && $0.contains("built-in") })
        #expect(lines.contains { $0.hasPrefix("Denial Burst") && $0.contains("built-in (detector)") })
        #expect(lines.contains { $0.hasPrefix("Namespace Deleted") && $0.contains("ns_deleted.yml:1") })
        #expect(r.text.contains("note: ") && r.text.contains("Shell Spawned"))
    }

    @Test func rulesCheckValidatesAndNamesWhereAMistakeIs() throws {
        let f = try Self.files()
        let good = try Binary.run(["rules", "check", f.falco.path])
        #expect(good.status == 0, "\(good.stderr)")
        #expect(good.text.contains("local_rules.yaml: falco, 1 rule"))
        #expect(!good.text.contains("Create Privileged Pod"), "check shows the file's rules, not the built-ins")
        let bad = f.dir.appendingPathComponent("bad_rules.yaml")
        try """
        - rule: Broken
          condition: ka.verb = create and not_a_macro
          output: broken
          priority: WARNING
          source: k8s_audit
        """.write(to: bad, atomically: true, encoding: .utf8)
        let r = try Binary.run(["rules", "check", bad.path])
        #expect(r.status == 2)
        #expect(r.stderr.contains("bad_rules.yaml:2:35: rule 'Broken': condition column 22: undefined macro 'not_a_macro'"), "\(r.stderr)")
        // The same mistake stops a report before it reads anything.
        let report = try Binary.run(["report", f.log.path, "--rules", bad.path])
        #expect(report.status == 2 && report.stderr.contains("undefined macro 'not_a_macro'"))
        let notRules = f.dir.appendingPathComponent("notes.yaml")
        try "hello: world\n".write(to: notRules, atomically: true, encoding: .utf8)
        let unknown = try Binary.run(["rules", "check", notRules.path])
        #expect(unknown.status == 2 && unknown.stderr.contains("not a rules file audittop knows"))
    }

    @Test func noBuiltinRulesLeavesOnlyTheFiles() throws {
        let f = try Self.files()
        let with = try Binary.run(["rules", "list", "--rules", f.falco.path])
        let without = try Binary.run(["rules", "list", "--rules", f.falco.path, "--no-builtin-rules"])
        #expect(with.text.contains("Denial Burst") && !without.text.contains("Denial Burst"))
        #expect(without.text.contains("1 rules, 1 on"))
    }
}
