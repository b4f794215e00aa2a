import AuditCore
import AuditSimulator
import AuditSources
import AuditTestSupport
import Foundation
import Testing

/// The rule engine's shortcuts (ids, numbers, stage and decision tables, URI bytes, results
/// remembered per id, examples made when read) decide exactly what the condition languages'
/// text definitions decide: Falco's ruleset, SigmaHQ's rules and the built-ins, run once with
/// the shortcuts and once reading every field as text, fire the same alerts with the same
/// counts, times and examples.
@Suite(.needsCorpus) struct RuleShortcutTests {
    static func rules(byText: Bool) throws -> RuleSet {
        let paths = [FalcoRulesTests.path(FalcoRulesTests.ruleset), FalcoRulesTests.path("SigmaHQ__sigma/rules/application/kubernetes/audit")]
        var rules = try RuleFiles.load(paths, into: RuleSet()).rules
        rules.textMatching = byText
        return rules
    }

    struct Outcome: Equatable {
        var alerts: [String: [String]]
        var notEvaluated: [String: Int]
    }

    static func run(_ lines: [String], byText: Bool) throws -> Outcome {
        var c = StoreConfiguration()
        c.rules = try rules(byText: byText)
        let store = EventStore(configuration: c)
        for chunk in stride(from: 0, to: lines.count, by: 500) {
            store.ingest(text: lines[chunk..<min(chunk + 500, lines.count)].joined(separator: "\n") + "\n")
        }
        let engine = try #require(store.rules)
        let alerts = engine.alerts.mapValues { a in
            ["\(a.count) \(a.first) \(a.last) \(a.severity)"] + a.examples.map { "\($0)" }
        }
        return Outcome(alerts: alerts, notEvaluated: engine.notEvaluated)
    }

    static func expectSame(_ lines: [String], _ what: String, atLeast rules: Int) throws {
        let fast = try run(lines, byText: false)
        let slow = try run(lines, byText: true)
        #expect(fast.alerts.count >= rules, "\(what): only \(fast.alerts.keys.sorted()) fired")
        #expect(fast.notEvaluated == slow.notEvaluated, "\(what)")
        for name in Set(fast.alerts.keys).union(slow.alerts.keys).sorted() where fast.alerts[name] != slow.alerts[name] {
            Issue.record("\(what): \(name): \(fast.alerts[name] ?? []) ≠ \(slow.alerts[name] ?? [])")
        }
    }

    @Test func realEventsAndFalcosTraces() throws {
        var lines = try String(contentsOfFile: FalcoRulesTests.path("real-events.jsonl"), encoding: .utf8)
            .split(separator: "\n").map(String.init)
        let traces = try FileManager.default.contentsOfDirectory(atPath: FalcoRulesTests.path(FalcoRulesTests.traces)).sorted()
        for t in traces where t.hasSuffix(".json") { lines += try FalcoRulesTests.lines(String(t.dropLast(5))) }
        try Self.expectSame(lines, "real events and Falco's traces", atLeast: 30)
    }

    @Test(arguments: Flavor.allCases) func simulatedClusters(_ flavor: Flavor) throws {
        var sim = Simulator(seed: 17, flavor: flavor, incidentAfter: 4_000_000)
        let lines = (0..<6000).map { _ in String(decoding: sim.next().line.dropLast(), as: UTF8.self) }
        try Self.expectSame(lines, "\(flavor)", atLeast: 8)
    }
}
