@testable import AuditCore
import Foundation
import Testing

/// The shortcuts that make Falco's and Sigma's rules cheap on every event: a condition's
/// result remembered by the ring-entry values it reads, response codes decided by a table,
/// and the request body found where the decoder saw it. Each is checked against the same
/// rules reading every field as text (`RuleSet.textMatching`), and against counts worked out
/// from the input.
@Suite struct RuleMemoTests {
    /// One event; `body` is the `requestObject` JSON (nil: none), put first or last.
    static func line(
        _ k: Int, user: String, name: String, code: Int? = 200, stage: String = "ResponseComplete", time: Bool = true,
        body: String? = nil, bodyFirst: Bool = false
    ) -> String {
        let id = String(format: "%08d-0000-4000-8000-%012d", k, k)
        var fields = [
            #""kind":"Event""#, #""apiVersion":"audit.k8s.io/v1""#, #""level":"\#(body == nil ? "Metadata" : "Request")""#,
            #""auditID":"\#(id)""#, #""stage":"\#(stage)""#, #""requestURI":"/api/v1/namespaces/ns/pods/\#(name)""#,
            #""verb":"create""#, #""user":{"username":"\#(user)"}"#, #""sourceIPs":["10.0.0.1"]"#,
            #""objectRef":{"resource":"pods","namespace":"ns","name":"\#(name)","apiVersion":"v1"}"#,
        ]
        if let code { fields.append(#""responseStatus":{"code":\#(code)}"#) }
        if time {
            fields.append(#""requestReceivedTimestamp":"2026-01-01T00:00:00.000000Z""#)
            fields.append(#""stageTimestamp":"2026-01-01T00:00:00.001000Z""#)
        }
        if let body {
            if bodyFirst { fields.insert(#""requestObject":\#(body)"#, at: 0) } else { fields.append(#""requestObject":\#(body)"#) }
        }
        return "{" + fields.joined(separator: ",") + "}"
    }

    /// A store that has ingested `lines` with `rules` alone, with the shortcuts or reading
    /// every field as text.
    static func run(_ rules: [DataRule], _ lines: [String], byText: Bool, configure: (inout StoreConfiguration) -> Void = { _ in })
        -> EventStore
    {
        var c = StoreConfiguration()
        var set = RuleSet()
        set.builtins = false
        set.data = rules
        set.textMatching = byText
        c.rules = set
        configure(&c)
        let store = EventStore(configuration: c)
        for chunk in stride(from: 0, to: lines.count, by: 1_000) {
            store.ingest(text: lines[chunk..<min(chunk + 1_000, lines.count)].joined(separator: "\n") + "\n")
        }
        return store
    }

    /// The alerts' counts after `lines`.
    static func counts(_ rules: [DataRule], _ lines: [String], byText: Bool) -> [String: Int] {
        run(rules, lines, byText: byText).rules?.alerts.mapValues(\.count) ?? [:]
    }

    static func matcher(_ condition: String) throws -> ConditionMatcher {
        ConditionMatcher(try Book.compile([Book.rule(condition)])[0].condition, intern: { _ in 1 })
    }

    @Test func onlyConditionsOnTheEntrysIdsAndSmallFieldsAreRemembered() throws {
        #expect(try Self.matcher(#"jevt.value[/stage] in (ResponseComplete) and not ka.user.name startswith "system:" and jevt.rawtime exists"#)
            .remembersVerdicts)
        #expect(try Self.matcher("ka.response.code startswith 2 and ka.auth.decision=allow and ka.verb=create").remembersVerdicts)
        // The URI, the body, a time compared with a moment, or more than three ids: evaluated each time.
        #expect(try !Self.matcher("ka.user.name=alice and ka.uri startswith /api").remembersVerdicts)
        #expect(try !Self.matcher("ka.req.pod.containers.privileged intersects (true)").remembersVerdicts)
        #expect(try !Self.matcher("jevt.rawtime > 1000").remembersVerdicts)
        #expect(try !Self.matcher("ka.user.name=a and ka.verb=b and ka.target.name=c and ka.target.namespace=d").remembersVerdicts)
    }

    @Test func rememberedResultsFollowEveryValueTheyRead() throws {
        let rules = try Book.compile([
            Book.rule(#"jevt.value[/stage] in (ResponseComplete) and not ka.user.name startswith "system:" and ka.response.code startswith 2"#, name: "ok"),
            Book.rule("ka.user.name in (mallory) and jevt.rawtime exists", name: "timed"),
            Book.rule("ka.response.code >= 400 and ka.user.name != alice", name: "failed"),
        ])
        let users = ["alice", "mallory", "system:kube-scheduler", "bob"]
        // The decoder keeps codes of three digits (a larger one reads as none, as absent).
        let codes: [Int?] = [200, 201, 403, 500, nil, 299, 2000]
        let stages = ["ResponseComplete", "ResponseStarted", "RequestReceived"]
        var lines: [String] = []
        var expected = ["ok": 0, "timed": 0, "failed": 0]
        for k in 0..<2_000 {
            let user = users[k % 4], code = codes[k % 7], stage = stages[(k / 4) % 3], timed = k % 11 != 0
            lines.append(Self.line(k, user: user, name: "pod-\(k % 13)", code: code, stage: stage, time: timed))
            let kept = code.flatMap { $0 < 1000 ? $0 : nil }
            if stage == "ResponseComplete", !user.hasPrefix("system:"), let kept, String(kept).hasPrefix("2") { expected["ok"]! += 1 }
            if user == "mallory", timed { expected["timed"]! += 1 }
            if let kept, kept >= 400, user != "alice" { expected["failed"]! += 1 }
        }
        let fast = Self.counts(rules, lines, byText: false)
        #expect(fast == expected)
        #expect(fast == Self.counts(rules, lines, byText: true))
    }

    /// Ids are reused once the interner reclaims: a result remembered by an old id must not
    /// answer for the new string that has it.
    @Test func rememberedResultsDoNotOutliveTheIdsTheyWereKeyedBy() throws {
        let rules = try Book.compile([Book.rule(#"ka.target.name startswith "hit-" and ka.user.name=alice"#, name: "hit")])
        var lines: [String] = []
        var expected = 0
        for k in 0..<30_000 {
            let name = (k % 3 == 0 ? "hit-" : "miss-") + String(k)
            lines.append(Self.line(k, user: k % 2 == 0 ? "alice" : "bob", name: name))
            if k % 3 == 0, k % 2 == 0 { expected += 1 }
        }
        let store = Self.run(rules, lines, byText: false) { c in
            c.capacity = 500
            c.stringReclaimFloor = 2_048
        }
        #expect(store.counters.stringsReclaimed > 10_000, "the run reused ids")
        #expect(store.rules?.alerts["hit"]?.count == expected)
    }

    @Test func theBodyIsReadWhereverItIsAndNotLookedForWhenAbsent() throws {
        let rules = try Book.compile([
            Book.rule("ka.req.pod.containers.privileged intersects (true)", name: "privileged"),
            Book.rule("ka.req.pod.volumes.hostpath intersects (/etc)", name: "hostpath"),
        ])
        let privileged = #"{"spec":{"containers":[{"name":"a","securityContext":{"privileged":true}}],"volumes":[{"hostPath":{"path":"/etc"}}]}}"#
        let plain = #"{"spec":{"containers":[{"name":"a"}]}}"#
        var lines: [String] = []
        for k in 0..<300 {
            let body: String? = [privileged, plain, nil][k % 3]
            lines.append(Self.line(k, user: "alice", name: "p-\(k)", body: body, bodyFirst: k % 2 == 0))
        }
        // A repeated key: the first value is the one read, as with Falco's JSON reader.
        lines.append(Self.line(900, user: "alice", name: "dup", body: privileged).dropLast() + #","requestObject":\#(plain)}"#)
        lines.append(Self.line(901, user: "alice", name: "dup2", body: plain).dropLast() + #","requestObject":\#(privileged)}"#)
        let fast = Self.counts(rules, lines, byText: false)
        #expect(fast == ["privileged": 101, "hostpath": 101])
        #expect(fast == Self.counts(rules, lines, byText: true))
    }

    @Test func theDecoderMarksWhereTheRequestBodyLies() {
        let body = #"{"spec":{"containers":[{"name":"a"}]}}"#
        for first in [true, false] {
            let text = Self.line(1, user: "alice", name: "p", body: body, bodyFirst: first)
            var spans: [String] = []
            let bytes = Array(text.utf8)
            bytes.withUnsafeBufferPointer { b in
                EventDecoder().decode(b, emit: { e in
                    spans.append(String(decoding: UnsafeBufferPointer(start: b.baseAddress! + e.requestObject.start, count: e.requestObject.count), as: UTF8.self))
                }, malformed: { _ in })
            }
            #expect(spans == [body])
        }
    }
}
