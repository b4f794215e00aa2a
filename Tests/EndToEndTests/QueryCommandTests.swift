import AuditTestSupport
import Foundation
import Testing

/// `report --filter`, alerts, `--rules` and `--fail-on`, run as a user would.
@Suite struct QueryCommandTests {
    static var falcoTraces: [String] {
        let folder = Binary.corpus.appendingPathComponent("falcosecurity__falco/test/trace_files/k8s_audit")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { $0.hasSuffix(".json") }.sorted().map { folder.appendingPathComponent($0).path }
    }

    func json(_ result: Binary.Result) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: result.stdout) as? [String: Any])
    }

    @Test(.needsCorpus) func theFalcoTracesReportTheAlertsTheyWereRecordedFor() throws {
        let result = try Binary.run(["report"] + Self.falcoTraces + ["--format", "json"])
        #expect(result.status == 0)
        let alerts = try #require(try json(result)["alerts"] as? [[String: Any]])
        let rules = Set(alerts.compactMap { $0["rule"] as? String })
        for expected in [
            "Anonymous Request Allowed", "Attach/Exec Pod", "Create Privileged Pod", "Create HostNetwork Pod",
            "Create Sensitive Mount Pod", "Attach to cluster-admin Role", "ClusterRole With Wildcard Created",
            "ClusterRole With Write Privileges Created", "ClusterRole With Pod Exec Created", "System ClusterRole Modified/Deleted",
            "K8s Serviceaccount Created in Kube Namespace", "Pod Created in Kube Namespace", "Create NodePort Service",
            "Create/Modify Configmap With Private Credentials",
        ] {
            #expect(rules.contains(expected), "\(expected)")
        }
        // The traces' users are all in system:masters, a platform identity: none is new.
        #expect(!rules.contains("New Unknown User"))
        // Every alert has the schema's fields, with examples.
        for alert in alerts {
            #expect(Set(alert.keys).isSuperset(of: ["rule", "severity", "count", "first", "last", "examples", "description"]))
            #expect((alert["examples"] as? [Any])?.isEmpty == false)
        }
        let exec = try #require(alerts.first { $0["rule"] as? String == "Attach/Exec Pod" })
        #expect(exec["severity"] as? String == "high")
        #expect(exec["count"] as? Int == 2)
    }

    @Test(.needsCorpus) func failOnExitsThreeWhenAnAlertThatBadFired() throws {
        let exec = Self.falcoTraces.filter { $0.hasSuffix("/exec_pod.json") }
        let high = try Binary.run(["report"] + exec + ["--fail-on", "high"])
        #expect(high.status == 3)
        #expect(high.stderr.contains("high alerts fired"))
        #expect(high.text.contains("Attach/Exec Pod"))
        let critical = try Binary.run(["report"] + exec + ["--fail-on", "critical"])
        #expect(critical.status == 0)
        let quiet = try Binary.run(["report"] + exec + ["--fail-on", "low", "--no-rules"])
        #expect(quiet.status == 0)
        let bad = try Binary.run(["report"] + exec + ["--fail-on", "severe"])
        #expect(bad.status != 0 && bad.stderr.contains("--fail-on"))
    }

    @Test(.needsCorpus) func reportFilterCountsOnlyMatchingEvents() throws {
        let log = Binary.corpus.appendingPathComponent("real-events.jsonl").path
        let all = try json(try Binary.run(["report", log, "--format", "json"]))
        let filtered = try json(try Binary.run(["report", log, "--format", "json", "--filter", "code>=400"]))
        #expect(filtered["filter"] as? String == "code>=400")
        let matching = try #require(filtered["matchingEvents"] as? Int)
        #expect(matching > 0)
        // The codes list of the filtered report holds only 4xx and 5xx.
        let codes = try #require((filtered["top"] as? [String: Any])?["codes"] as? [[String: Any]])
        #expect(!codes.isEmpty)
        #expect(codes.allSatisfy { Int($0["name"] as? String ?? "") ?? 0 >= 400 })
        // Totals of the feed stay the feed's.
        #expect(filtered["events"] as? Int == all["events"] as? Int)
        let text = try Binary.run(["report", log, "--filter", "code>=400"])
        #expect(text.text.contains("Filter     code>=400 (\(matching) matching events"))
    }

    @Test(.needsCorpus) func relativeTimesInReportAreBeforeNow() throws {
        let log = Binary.corpus.appendingPathComponent("real-events.jsonl").path
        let recent = try json(try Binary.run(["report", log, "--format", "json", "--filter", "time>=-5m"]))
        #expect(recent["matchingEvents"] as? Int == 0)
        let all = try json(try Binary.run(["report", log, "--format", "json", "--filter", "time>=-36500d"]))
        #expect((all["matchingEvents"] as? Int ?? 0) > 200)
    }

    @Test func aFilterMistakeIsExitTwoWithTheColumn() throws {
        let result = try Binary.run(["report", "-", "--filter", "verb=get usr=bob"], stdin: Data())
        #expect(result.status == 2)
        #expect(result.stderr.contains("--filter: column 10: unknown field 'usr'"))
        #expect(result.stderr.contains("         ^"))
    }

    @Test(.needsCorpus) func aRulesFileAddsRulesAndDisablesBuiltIns() throws {
        let dir = try Binary.temporaryDirectory()
        let rules = dir.appendingPathComponent("rules.yaml")
        try """
            disable: [Attach/Exec Pod]
            rules:
              - name: Exec by a person
                severity: critical
                description: someone ran a command in a pod
                filter: subresource=exec -user=system:*
            """.write(to: rules, atomically: true, encoding: .utf8)
        let exec = Self.falcoTraces.filter { $0.hasSuffix("/exec_pod.json") }
        let result = try Binary.run(["report"] + exec + ["--format", "json", "--rules", rules.path])
        #expect(result.status == 0)
        let alerts = try #require(try json(result)["alerts"] as? [[String: Any]])
        let names = alerts.compactMap { $0["rule"] as? String }
        #expect(names.contains("Exec by a person"))
        #expect(!names.contains("Attach/Exec Pod"))
        #expect(alerts.first { $0["rule"] as? String == "Exec by a person" }?["severity"] as? String == "critical")
    }

    @Test(arguments: [
        ("rules:\n  - name: Broken\n    severity: high\n    filter: usr=bob\n", "rules.yaml:4: rule 'Broken': filter column 1: unknown field 'usr'"),
        ("rules:\n  - name: No severity\n    filter: verb=get\n", "rules.yaml:2: rule 'No severity': severity must be one of"),
        ("rules:\n  - name: Typo\n    severity: low\n    filtr: verb=get\n", "rules.yaml:4: rule 'Typo': unknown key 'filtr'"),
        ("disable: [No Such Rule]\n", "rules.yaml:1: 'No Such Rule' is not a built-in rule"),
        ("rules: [\n", "rules.yaml:2: not valid YAML"),
    ])
    func aBadRulesFileNamesTheRuleAndLineAndExitsTwo(text: String, message: String) throws {
        let dir = try Binary.temporaryDirectory()
        let rules = dir.appendingPathComponent("rules.yaml")
        try text.write(to: rules, atomically: true, encoding: .utf8)
        let result = try Binary.run(["report", "-", "--rules", rules.path], stdin: Data())
        #expect(result.status == 2)
        #expect(result.stderr.contains(dir.path + "/" + message), "\(result.stderr)")
    }
}
