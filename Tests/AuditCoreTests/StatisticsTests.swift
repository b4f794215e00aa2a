import AuditCore
import Testing

@Suite struct StatisticsTests {
    @Test func ratesSplitByVerbClassAndCodeClassPerSecondAndPerMinute() {
        var lines: [String] = []
        let verbs = ["get", "list", "watch", "create", "patch", "delete", "deletecollection", "impersonate"]
        for (k, verb) in verbs.enumerated() {
            lines.append(Fixture.event(id: Fixture.id(k), verb: verb, code: k == 3 ? 503 : 200, received: "2026-03-14T09:00:0\(k % 2).500000Z"))
        }
        lines.append(Fixture.event(id: Fixture.id(99), code: 404, received: "2026-03-14T09:01:10.000000Z"))
        let store = Fixture.store(lines.joined(separator: "\n"))
        let seconds = store.stats.perSecond.series(last: 71)
        #expect(seconds.first?.time == Timestamp.parse("2026-03-14T09:00:00Z")! / 1_000_000)
        #expect(seconds[0].total == 4 && seconds[1].total == 4 && seconds[70].total == 1)
        #expect(seconds[0].read + seconds[1].read == 3)
        #expect(seconds[0].write + seconds[1].write == 4)
        #expect(seconds[0].other + seconds[1].other == 1)
        #expect(seconds[1].count(.serverError) == 1)
        #expect(seconds[70].count(.clientError) == 1)
        let minutes = store.stats.perMinute.series(last: 2)
        #expect(minutes.map(\.total) == [8, 1])
    }

    @Test func eventsOlderThanTheWindowAreLeftOutOfTheRateButCounted() {
        let old = Fixture.event(id: Fixture.id(1), received: "2026-03-14T08:00:00.000000Z")
        let new = Fixture.event(id: Fixture.id(2), received: "2026-03-14T09:00:00.000000Z")
        let store = Fixture.store(new + "\n" + old)
        #expect(store.stats.perSecond.series().reduce(0) { $0 + $1.total } == 1)
        #expect(store.stats.perMinute.series().reduce(0) { $0 + $1.total } == 2)
        #expect(store.counters.requests == 2)
    }

    @Test func deniedRequestsAreGroupedByUserVerbAndResource() {
        var lines: [String] = []
        for k in 0..<3 { lines.append(Fixture.event(id: Fixture.id(k), verb: "list", user: "eve", resource: "secrets", name: nil, code: 403, decision: "forbid")) }
        lines.append(Fixture.event(id: Fixture.id(10), verb: "get", user: "eve", resource: "secrets", code: 403, decision: "forbid"))
        lines.append(Fixture.event(id: Fixture.id(11), user: "", resource: nil, code: 401, decision: nil, uri: "/api"))
        lines.append(Fixture.event(id: Fixture.id(12), user: "bob", code: 200, decision: "forbid"))
        lines.append(Fixture.event(id: Fixture.id(13), user: "bob", code: 200))
        let store = Fixture.store(lines.joined(separator: "\n"))
        let d = store.stats.denied
        #expect(d.total == 6)
        let s = store.strings
        let listSecrets = DeniedRequests.Key(user: s.lookup("eve")!, verb: s.lookup("list")!, resource: s.lookup("secrets")!)
        #expect(d.groups[listSecrets]?.count == 3)
        #expect(d.byUser.count(s.lookup("eve")!) == 4)
        #expect(d.byUser.count(0) == 1)
        #expect(d.latest.count == 6)
        #expect(d.latest.first?.user == "bob")
    }

    /// `latest(n)` (what a frame copies) is the first `n` of `latest`, before the ring of
    /// latest denials fills, once it has wrapped at every position, and out of time order.
    @Test func theNewestDenialsAreTheFirstOfTheLatest() {
        let keep = 7
        for total in [0, 3, 7, 8, 13, 14, 15, 20] {
            var lines: [String] = []
            for k in 0..<total {
                lines.append(Fixture.event(id: Fixture.id(k), user: "u\(k)", code: 403, decision: "forbid",
                                           received: "2026-03-14T09:00:\(String(format2(k))).000000Z"))
            }
            let store = Fixture.store(lines.joined(separator: "\n")) { $0.deniedKeep = keep }
            let d = store.stats.denied
            #expect(d.latest.count == min(total, keep))
            #expect(d.latest.first?.user == (total == 0 ? nil : "u\(total - 1)"))
            for n in 0...(keep + 2) { #expect(d.latest(n) == Array(d.latest.prefix(n)), "\(total) denials, \(n) newest") }
        }
        // An older denial arriving late: the list is sorted by event time instead.
        var lines = (0..<10).map { k in
            Fixture.event(id: Fixture.id(k), user: "u\(k)", code: 403, decision: "forbid", received: "2026-03-14T09:00:\(String(format2(k + 20))).000000Z")
        }
        lines.append(Fixture.event(id: Fixture.id(50), user: "late", code: 403, decision: "forbid", received: "2026-03-14T09:00:25.500000Z"))
        let d = Fixture.store(lines.joined(separator: "\n")) { $0.deniedKeep = keep }.stats.denied
        #expect(d.latest(3).map(\.user) == ["u9", "u8", "u7"])
        #expect(d.latest(keep).map(\.user).contains("late"))
        for n in 0...(keep + 2) { #expect(d.latest(n) == Array(d.latest.prefix(n))) }
    }

    /// Requests by resource key, with more resources and subresources than the key memo
    /// has slots (so they share slots), are each counted under their own key.
    @Test func everyResourceIsCountedUnderItsOwnKey() {
        var lines: [String] = []
        var expected: [String: Int] = [:]
        var n = 0
        for k in 0..<700 {
            let resource = "things\(k % 350)"
            let sub: String? = k < 350 ? nil : "status"
            for _ in 0..<(k % 5 + 1) {
                lines.append(Fixture.event(id: Fixture.id(n), resource: resource, subresource: sub))
                n += 1
            }
            expected[resource + (sub.map { "/" + $0 } ?? ""), default: 0] += k % 5 + 1
        }
        let store = Fixture.store(lines.joined(separator: "\n"))
        #expect(expected.count == 700)
        for (key, count) in expected {
            let id = store.strings.lookup(key)
            #expect(id != nil, "\(key)")
            #expect(store.stats.resources.count(id ?? 0) == count, "\(key)")
        }
    }

    private func format2(_ k: Int) -> String { k < 10 ? "0\(k)" : "\(k)" }

    @Test func latencyPercentilesPerVerbLeaveOutLongRunningRequests() {
        var lines: [String] = []
        for k in 1...100 {
            let ms = String(format3(k))
            lines.append(Fixture.event(id: Fixture.id(k), received: "2026-03-14T09:00:00.000000Z", stageTime: "2026-03-14T09:00:00.\(ms)000Z"))
        }
        lines.append(Fixture.event(id: Fixture.id(500), verb: "watch", stageTime: "2026-03-14T09:09:00.000000Z"))
        lines.append(Fixture.event(id: Fixture.id(501), stage: "ResponseComplete", verb: "get", code: 200,
                                   stageTime: "2026-03-14T09:09:00.000000Z", uri: "/api/v1/namespaces/default/pods/web-1/log?follow=true"))
        let store = Fixture.store(lines.joined(separator: "\n"))
        let get = store.stats.latency[store.strings.lookup("get")!]!
        // The log-follow request above has no subresource in its objectRef, so it is timed.
        #expect(get.count == 101)
        #expect(store.stats.latency[store.strings.lookup("watch")!] == nil)
        let p50 = get.quantile(0.5)!
        let p99 = get.quantile(0.99)!
        #expect(abs(p50 - 0.051) < 0.051 * 0.07)
        #expect(abs(p99 - 0.100) < 0.100 * 0.07)
    }

    @Test func logFollowWithTheLogSubresourceIsLongRunning() {
        let follow = Fixture.event(id: Fixture.id(1), subresource: "log", uri: "/api/v1/namespaces/default/pods/web-1/log?follow=true")
        let once = Fixture.event(id: Fixture.id(2), subresource: "log", uri: "/api/v1/namespaces/default/pods/web-1/log")
        let store = Fixture.store(follow + "\n" + once)
        #expect(store.stats.latency[store.strings.lookup("get")!]?.count == 1)
    }

    @Test func topListsRankByCountThenFirstSeen() {
        var table = CountTable()
        for (id, n) in [(5, 3), (2, 7), (9, 3), (1, 1)] { table.add(UInt32(id), n) }
        #expect(table.top(3).map(\.id) == [2, 5, 9])
        #expect(table.top(3).map(\.count) == [7, 3, 3])
        #expect(table.distinct == 4)
    }

    private func format3(_ n: Int) -> String {
        let s = String(n)
        return String(repeating: "0", count: 3 - s.count) + s
    }
}

@Suite struct UnknownUsersTests {
    func unknownNames(_ store: EventStore) -> [String] {
        store.stats.unknown.order.map { store.strings.string(store.stats.unknown.records[$0]!.user) }
    }

    /// The first record of the user called `name` (anonymous and unauthenticated clients
    /// have one per source IP).
    func record(_ store: EventStore, _ name: String) -> UnknownUser? {
        store.stats.unknown.order.lazy.compactMap { store.stats.unknown.records[$0] }.first { store.strings.string($0.user) == name }
    }

    @Test func systemIdentitiesAreKnownButAnonymousIsAlwaysFlagged() {
        let lines = [
            Fixture.event(id: Fixture.id(1), user: "system:kube-scheduler"),
            Fixture.event(id: Fixture.id(2), user: "system:serviceaccount:kube-system:coredns"),
            Fixture.event(id: Fixture.id(3), user: "system:anonymous", code: 403, decision: "forbid"),
            Fixture.event(id: Fixture.id(4), user: "", code: 401, decision: nil),
            Fixture.event(id: Fixture.id(5), user: "alice@example.com"),
        ]
        let store = Fixture.store(lines.joined(separator: "\n")) { $0.knownUsers = KnownUsers(text: "system:anonymous\n") }
        // The failed login (no username) is kept too, by its source IP.
        #expect(unknownNames(store) == ["system:anonymous", "", "alice@example.com"])
        #expect(record(store, "")?.isUnauthenticated == true)
        let anon = record(store, "system:anonymous")!
        #expect(anon.isAnonymous && anon.denied == 1)
        #expect(store.stats.anonymousRequests == 1 && store.stats.anonymousDenied == 1)
        #expect(store.stats.users.count(0) == 1)  // counted under (none)
    }

    @Test func theKnownUsersFileMatchesNamesGlobsAndGroups() {
        let file = """
            # people
            alice@example.com
            *@corp.example   # everyone at corp
            group:platform-team
            """
        let lines = [
            Fixture.event(id: Fixture.id(1), user: "alice@example.com"),
            Fixture.event(id: Fixture.id(2), user: "dan@corp.example"),
            Fixture.event(id: Fixture.id(3), user: "erin", groups: ["platform-team", "system:authenticated"]),
            Fixture.event(id: Fixture.id(4), verb: "list", user: "mallory@evil.example", code: 403, decision: "forbid", ip: "203.0.113.5"),
            Fixture.event(id: Fixture.id(5), verb: "delete", user: "mallory@evil.example", ip: "203.0.113.6"),
        ]
        let store = Fixture.store(lines.joined(separator: "\n")) { $0.knownUsers = KnownUsers(text: file) }
        #expect(unknownNames(store) == ["mallory@evil.example"])
        let m = record(store, "mallory@evil.example")!
        #expect(m.requests == 2 && m.denied == 1)
        #expect(m.verbs.map(store.strings.string) == ["list", "delete"])
        #expect(m.sourceIPs.map(store.strings.string) == ["203.0.113.5", "203.0.113.6"])
        #expect(m.firstSeen == Timestamp.parse("2026-03-14T09:00:00Z"))
    }

    @Test func usersFirstSeenInsideTheLearningWindowAreKnown() {
        let lines = [
            Fixture.event(id: Fixture.id(1), user: "early", received: "2026-03-14T09:00:00.000000Z"),
            Fixture.event(id: Fixture.id(2), user: "justInside", received: "2026-03-14T09:09:59.000000Z"),
            Fixture.event(id: Fixture.id(3), user: "late", received: "2026-03-14T09:10:00.000000Z"),
            Fixture.event(id: Fixture.id(4), user: "early", received: "2026-03-14T09:30:00.000000Z"),
        ]
        let store = Fixture.store(lines.joined(separator: "\n")) { $0.learn = 600_000_000 }
        #expect(unknownNames(store) == ["late"])
    }

    @Test func globsMatchLikeAShell() {
        #expect(Glob.matches("*@example.com", "a@example.com"))
        #expect(!Glob.matches("*@example.com", "a@example.com.evil"))
        #expect(Glob.matches("ci-?", "ci-7"))
        #expect(!Glob.matches("ci-?", "ci-77"))
        #expect(Glob.matches("a*b*c", "aXXbYYc"))
    }
}
