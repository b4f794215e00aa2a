import AuditTestSupport
import AuditCore
import Foundation
import Testing

@Suite struct FilterParserTests {
    @Test func termsSideBySideAreAllRequired() throws {
        let f = try Filter.parse("user=*@example.com verb=delete,patch ns!=kube-system code>=400")
        guard case .and(let parts) = f else { Issue.record("not an and: \(f)"); return }
        #expect(parts.count == 4)
        #expect(parts[0] == .term(Filter.Term(field: .user, op: .equal, value: "*@example.com", column: 6)))
        #expect(parts[1] == .term(Filter.Term(field: .verb, op: .equal, value: "delete,patch", column: 25)))
        #expect(parts[2] == .term(Filter.Term(field: .ns, op: .notEqual, value: "kube-system", column: 42)))
        #expect(parts[3] == .term(Filter.Term(field: .code, op: .greaterOrEqual, value: "400", column: 60)))
    }

    @Test func andBindsTighterThanOrAndNotTighterThanBoth() throws {
        let f = try Filter.parse("verb=get user=a or -verb=list user=b")
        let get = Filter.term(.init(field: .verb, op: .equal, value: "get", column: 6))
        let a = Filter.term(.init(field: .user, op: .equal, value: "a", column: 15))
        let list = Filter.term(.init(field: .verb, op: .equal, value: "list", column: 26))
        let b = Filter.term(.init(field: .user, op: .equal, value: "b", column: 36))
        #expect(f == .or([.and([get, a]), .and([.not(list), b])]))
        let grouped = try Filter.parse("verb=get (user=a or user=b)")
        guard case .and(let parts) = grouped, case .or(let alternatives) = parts[1] else { Issue.record("\(grouped)"); return }
        #expect(alternatives.count == 2)
        #expect(try Filter.parse("not (verb=get or verb=list)").text == Filter.parse("-(verb=get or verb=list)").text)
        #expect(try Filter.parse("verb=get and user=a").text == "verb=get user=a")
    }

    /// Found by fuzzing (Fuzz/run.sh filter): a quoted word holding an operator or a line
    /// break printed bare, so its text parsed back as a term (an unknown field) or two words.
    @Test(arguments: ["\"kubuser=aem\"", "\"a!=b\"", "\"x~y\"", "\"code>3\"", "\"a\nb\"", "\"a\u{A0}b\"", "pod\" \"a<b\""])
    func quotedWordsPrintBackAsTheSameWords(_ typed: String) throws {
        let filter = try Filter.parse(typed)
        #expect(try Filter.parse(filter.text) == filter)
    }

    /// Found by fuzzing (Fuzz/run.sh filter): a duration too long for Int64 microseconds
    /// (`latency>5555…ms`, `infs`) trapped converting to Int64; it is now a mistake the parser
    /// reports.
    @Test(arguments: ["latency>55555555555555555555555555ms", "latency>infs", "latency>1e300", "time>=-99999999999999999d"])
    func aDurationTooLongToCountIsAParseErrorNotACrash(_ typed: String) {
        #expect(throws: Filter.ParseError.self) { try Filter.parse(typed) }
    }

    /// The longest offsets that still count in microseconds resolve without overflowing.
    @Test func theLongestTimeOffsetsSaturate() throws {
        let f = try Filter.parse("time>=+106751991d")
        guard case .term(let t) = f, let v = FilterValue.time(t.value) else { Issue.record("\(f)"); return }
        #expect(v.resolve(reference: 1_773_478_800_000_000) == .max)
        #expect(FilterValue.TimeValue.offset(.min).resolve(reference: -1) == .min)
    }

    @Test func bareWordsQuotesAndRegexParentheses() throws {
        #expect(try Filter.parse("secrets") == .word("secrets"))
        #expect(try Filter.parse("\"kube system\"") == .word("kube system"))
        #expect(try Filter.parse("name=\"my pod\"") == .term(.init(field: .name, op: .equal, value: "my pod", column: 6)))
        // The regex keeps its own parentheses; the group's closing one closes the group.
        let f = try Filter.parse("(user~^(alice|bob)$ or verb=get)")
        guard case .or(let parts) = f else { Issue.record("\(f)"); return }
        #expect(parts[0] == .term(.init(field: .user, op: .regex, value: "^(alice|bob)$", column: 7)))
    }

    @Test func textRoundTrips() throws {
        for text in ["user=*@example.com verb=delete,patch ns!=kube-system code>=400", "verb=get (user=a or user=b)",
                     "-(verb=get or verb=list) secrets", "name=\"my pod\" latency>1s time>=14:32", "verb=delete time>=-5m"] {
            let f = try Filter.parse(text)
            let again = try Filter.parse(f.text)
            #expect(again.text == f.text, "\(text)")
        }
    }

    @Test(arguments: [
        ("usr=alice", 1, "unknown field 'usr'"),
        ("verb=", 6, "expected a value after '='"),
        ("verb=get (user=a", 17, "expected ')' to close the '(' at column 10"),
        ("verb=get)", 9, "unexpected ')'"),
        ("user>alice", 5, "'>' compares numbers"),
        ("code>=abc", 7, "expected a status code"),
        ("latency>fast", 9, "expected a duration"),
        ("time>=noon", 7, "expected a time"),
        ("user~[a-", 6, "not a valid regular expression"),
        ("verb=get or", 12, "expected a term after 'or'"),
        ("=get", 1, "expected a field name before '='"),
        ("verb=get,,list", 6, "comma list"),
        ("name=\"open", 11, "expected '\"'"),
        ("- verb=get", 2, "expected a term right after '-'"),
    ])
    func errorsSayWhereAndWhatWasExpected(text: String, column: Int, message: String) {
        #expect(throws: Filter.ParseError.self) { try Filter.parse(text) }
        do {
            _ = try Filter.parse(text)
        } catch {
            #expect(error.column == column, "\(text): \(error)")
            #expect(error.message.contains(message), "\(text): \(error)")
        }
    }

    @Test func anEmptyFilterIsEverything() throws {
        #expect(try Filter.parse("   ") == .all)
    }

    @Test func globs() {
        #expect(FilterValue.glob("*@example.com", "alice@example.com"))
        #expect(!FilterValue.glob("*@example.com", "alice@example.org"))
        #expect(FilterValue.glob("system:*:kube-system:*", "system:serviceaccount:kube-system:coredns"))
        #expect(FilterValue.glob("a?c", "abc"))
        #expect(!FilterValue.glob("a?c", "abbc"))
        #expect(FilterValue.glob("*", ""))
    }
}

@Suite struct FilterMatchTests {
    /// Events that differ in one field at a time.
    let store: EventStore = {
        let lines = [
            Fixture.event(id: Fixture.id(1), verb: "get", user: "alice@example.com", resource: "pods", namespace: "default",
                          name: "web-1", code: 200),
            Fixture.event(id: Fixture.id(2), verb: "delete", user: "bob@example.org", groups: ["devs", "system:authenticated"],
                          resource: "secrets", namespace: "kube-system", name: "token", code: 403, decision: "forbid",
                          received: "2026-03-14T09:05:00.000000Z", stageTime: "2026-03-14T09:05:02.500000Z"),
            Fixture.event(id: Fixture.id(3), verb: "patch", user: "carol@example.com", resource: "deployments",
                          namespace: "payments", name: "api", code: 200, received: "2026-03-14T09:10:00.000000Z",
                          stageTime: "2026-03-14T09:10:00.300000Z", ip: "192.0.2.7", agent: "helm/v3.14.3", apiGroup: "apps"),
            Fixture.event(id: Fixture.id(4), stage: "ResponseStarted", verb: "create", user: "alice@example.com",
                          resource: "pods", namespace: "default", name: "web-1", code: 101, subresource: "exec"),
            Fixture.event(id: Fixture.id(5), verb: "get", user: "", resource: nil, namespace: nil, name: nil, code: 401,
                          decision: nil, uri: "/healthz"),
        ]
        return Fixture.store(lines.joined(separator: "\n") + "\n")
    }()

    /// The auditID numbers of the ring events `text` matches.
    func matching(_ text: String) throws -> [Int] {
        let m = FilterMatcher(try Filter.parse(text), reference: Timestamp.parse("2026-03-14T09:12:00Z")!)
        return store.entries().filter { m.matches($0, in: store) }.map { Int($0.auditIDLow & 0xFFFF) }
    }

    @Test(arguments: [
        ("user=alice@example.com", [1, 4]),
        ("user=*@example.com", [1, 3, 4]),
        ("user!=*@example.com", [2, 5]),
        ("user~^(bob|carol)@", [2, 3]),
        ("group=devs", [2]),
        ("verb=delete,patch", [2, 3]),
        ("verb=DELETE", [2]),
        ("resource=secrets", [2]),
        ("resource=apps/deployments", [3]),
        ("resource=deployments", [3]),
        ("resource=pods/exec", [4]),
        ("resource=/healthz", [5]),
        ("subresource=exec", [4]),
        ("ns=kube-system", [2]),
        ("ns!=kube-system", [1, 3, 4, 5]),
        ("name=web-*", [1, 4]),
        ("code>=400", [2, 5]),
        ("code<200", [4]),
        ("code=4*", [2, 5]),
        ("code=200,101", [1, 3, 4]),
        ("uri=/api/v1/namespaces/default/pods/web-1/exec", [4]),
        ("uri=/apis/apps/*", [3]),
        ("uri~healthz$", [5]),
        ("ip=192.0.2.*", [3]),
        ("agent=helm/*", [3]),
        ("decision=forbid", [2]),
        ("level=metadata", [1, 2, 3, 4, 5]),
        ("stage=ResponseStarted", [4]),
        ("latency>1s", [2]),
        ("latency<=300ms", [1, 3, 5]),
        ("time>=09:05", [2, 3]),
        ("time<2026-03-14T09:05:00Z", [1, 4, 5]),
        ("time>-5m", [3]),
        ("secrets", [2]),
        ("EXAMPLE.ORG", [2]),
        ("healthz", [5]),
        ("exec", [4]),
        ("user=*@example.com (verb=get or verb=patch)", [1, 3]),
        ("-ns=default code<400", [3]),
    ])
    func eachFieldAndOperator(text: String, expected: [Int]) throws {
        #expect(try matching(text) == expected, "\(text)")
    }
}

@Suite struct FilterViewTests {
    static var realEvents: URL { CorpusLocation.root.appendingPathComponent("real-events.jsonl") }

    /// The corpus's real events, parsed independently with Foundation.
    func realObjects() throws -> [[String: Any]] {
        let text = try String(contentsOf: FilterViewTests.realEvents, encoding: .utf8)
        return text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    @Test(.needsCorpus) func aFilterOnRealEventsCountsWhatAnIndependentReadingCounts() throws {
        let text = try String(contentsOf: FilterViewTests.realEvents, encoding: .utf8)
        let objects = try realObjects()
        // `user=` names an identity: the user, or the user it impersonated.
        func users(_ o: [String: Any]) -> [String] {
            [(o["user"] as? [String: Any])?["username"] as? String ?? ""]
                + [(o["impersonatedUser"] as? [String: Any])?["username"] as? String].compactMap { $0 }
        }
        func code(_ o: [String: Any]) -> Int { (o["responseStatus"] as? [String: Any])?["code"] as? Int ?? -1 }
        func ns(_ o: [String: Any]) -> String { (o["objectRef"] as? [String: Any])?["namespace"] as? String ?? "" }
        let cases: [(String, ([String: Any]) -> Bool)] = [
            ("user=system:serviceaccount:*", { users($0).contains { $0.hasPrefix("system:serviceaccount:") } }),
            ("code>=400", { code($0) >= 400 }),
            ("verb=get,list", { ["get", "list"].contains($0["verb"] as? String ?? "") }),
            ("ns!=kube-system", { ns($0) != "kube-system" }),
            ("-user=system:* or code>=400", { !users($0).contains { $0.hasPrefix("system:") } || code($0) >= 400 }),
        ]
        let store = Fixture.store(text)
        #expect(store.counters.ingested + store.counters.duplicates == objects.count)
        for (query, independent) in cases {
            store.setFilter(try Filter.parse(query))
            let view = try #require(store.view)
            // Duplicates (same auditID and stage) are not in the ring; count them out.
            var seen = Set<String>()
            let expected = objects.filter { o in
                seen.insert("\(o["auditID"] ?? "")|\(o["stage"] ?? "")").inserted && independent(o)
            }.count
            #expect(view.count(in: store.ring) == expected, "\(query)")
        }
    }

    @Test(.needsCorpus) func theViewIsTheStatisticsOfAStoreHoldingOnlyTheMatchingEvents() throws {
        let text = try String(contentsOf: FilterViewTests.realEvents, encoding: .utf8)
        let query = "code>=400 or verb=delete"
        // Filter first, then ingest: kept up to date incrementally.
        let incremental = EventStore()
        incremental.setFilter(try Filter.parse(query))
        incremental.ingest(text: text)
        // Ingest first, then filter: rebuilt from the ring.
        let rebuilt = Fixture.store(text)
        rebuilt.setFilter(try Filter.parse(query))
        // Only the matching lines, in a store of their own.
        let m = FilterMatcher(try Filter.parse(query), reference: 0)
        let all = Fixture.store(text)
        let entries = all.entries()
        let keep = entries.indices.filter { m.matches(entries[$0], in: all) }
        let only = Fixture.store(keep.compactMap { all.rawJSON(sequence: all.ring.firstSequence + $0) }
            .map { String(decoding: $0, as: UTF8.self) }.joined(separator: "\n") + "\n")
        for store in [incremental, rebuilt] {
            let v = store.visibleStats
            #expect(v.users.top(50).map(\.count) == only.stats.users.top(50).map(\.count))
            #expect(v.denied.total == only.stats.denied.total)
            #expect(v.codes.top(50).map(\.count) == only.stats.codes.top(50).map(\.count))
            #expect(v.perMinute.series().map(\.total) == only.stats.perMinute.series().map(\.total))
            #expect(v.unknown.order.count == only.stats.unknown.order.count)
        }
        // The rebuilt view reads each denial's reason back from the raw JSON; it must say what
        // the incremental one heard as the events arrived.
        #expect(!rebuilt.visibleStats.denied.latest.isEmpty)
        #expect(rebuilt.visibleStats.denied.latest == incremental.visibleStats.denied.latest)
        #expect(rebuilt.visibleStats.denied.latest.contains { !$0.reason.isEmpty })
        #expect(only.counters.ingested > 0)
        #expect(only.counters.ingested < all.counters.ingested)
        rebuilt.setFilter(.all)
        #expect(rebuilt.view == nil)
        #expect(rebuilt.visibleStats.users.top(50).map(\.count) == all.stats.users.top(50).map(\.count))
    }

    @Test func aStoreThatStartsOverKeepsItsFilter() throws {
        let shared = SharedEventStore()
        let line = Fixture.event(id: Fixture.id(1), verb: "delete", received: "2026-03-14T09:10:00.000000Z") + "\n"
        shared.withStore { $0.ingest(text: line) }
        shared.withStore { $0.setFilter(try! Filter.parse("verb=delete time>=-5m")) }
        shared.reset()
        let (filter, reference) = shared.withStore { ($0.view?.filter.text, $0.view?.matcher.reference) }
        #expect(filter == "verb=delete time>=-5m")
        #expect(reference == Timestamp.parse("2026-03-14T09:10:00Z"))
        shared.withStore { $0.ingest(text: line) }
        #expect(shared.withStore { $0.view?.count(in: $0.ring) } == 1)
    }
}
