import AuditCore
import AuditSimulator
import Testing

@testable import AuditDashboard

/// The Overview's facts about each suspect come from the ring's chain of that identity's
/// events. They must be what reading every held event plainly gives: first and last seen, distinct requests (an event
/// per stage, one request), denials and the last source IP.
@Suite struct IdentityFactsTests {
    @Test(arguments: [Flavor.kubeadm, .eks, .gke])
    func theFactsAreWhatEachHeldEventSays(_ flavor: Flavor) throws {
        // A ring smaller than the log, so evicted events must not count.
        var config = StoreConfiguration()
        config.capacity = 6_000
        let store = EventStore(configuration: config)
        var sim = Simulator(seed: 21, flavor: flavor, incidentAfter: 2_000_000)
        // In three parts with a reclaim after each: ids of identities gone from the ring
        // are freed and handed to new strings, whose chains must not reach the old events.
        for _ in 0..<3 {
            var text = ""
            for _ in 0..<3_000 { text += String(decoding: sim.next().line, as: UTF8.self) }
            store.ingest(text: text)
            store.reclaimStrings()
        }
        #expect(store.ring.count == 6_000)

        struct Expected { var first: Int64 = 0, last: Int64 = 0, ids: Set<AuditID> = [], denied = 0, ip: UInt32 = 0 }
        var expected: [UInt32: Expected] = [:]
        for q in store.ring.firstSequence..<store.ring.nextSequence {
            let e = try #require(store.ring[sequence: q])
            var x = expected[e.actor] ?? Expected()
            let t = e.received != 0 ? e.received : e.stageTime
            if x.first == 0 || (t != 0 && t < x.first) { x.first = t }
            x.last = max(x.last, t)
            x.ids.insert(AuditID(high: e.auditIDHigh, low: e.auditIDLow))
            if e.isDenied { x.denied += 1 }
            if e.sourceIP != 0 { x.ip = e.sourceIP }
            expected[e.actor] = x
        }
        // The busiest identities, a quiet one and one the ring does not hold.
        let byCount = expected.sorted { $0.value.ids.count > $1.value.ids.count }
        var names = Set(byCount.prefix(6).map { store.strings.string($0.key) })
        names.insert(store.strings.string(byCount.last!.key))
        names.insert("nobody@example.com")
        let facts = IdentityFacts.gather(store, identities: names, unknown: [])
        #expect(facts["nobody@example.com"] == nil)
        #expect(facts.count == names.count - 1)
        for (id, x) in byCount.prefix(6) + [byCount.last!] {
            let name = store.strings.string(id)
            let f = try #require(facts[name], "\(name)")
            #expect(f.firstSeen == x.first && f.lastSeen == x.last, "\(name)")
            #expect(f.requests == x.ids.count, "\(name)")
            #expect(f.denied == x.denied, "\(name)")
            #expect(f.lastSourceIP == (x.ip == 0 ? "" : store.strings.string(x.ip)), "\(name)")
        }
        // Some events come in two stages, so requests are fewer than events.
        let busiest = try #require(facts[store.strings.string(byCount[0].key)])
        #expect(busiest.requests > 0)
    }

    /// The Overview's latest denials outside the platform come from each identity's chain of
    /// denials, newest of all first. They must be what reading the ring back from its newest
    /// event gives: denied, someone's, not the platform's, one row per request.
    @Test(arguments: [Flavor.kubeadm, .eks, .gke])
    func theDenialsOutsideThePlatformAreTheNewestHeld(_ flavor: Flavor) throws {
        var config = StoreConfiguration()
        config.capacity = 6_000
        let store = EventStore(configuration: config)
        var sim = Simulator(seed: 5, flavor: flavor, incidentAfter: 1_000_000, incidentEvery: 3_000_000)
        for _ in 0..<3 {
            var text = ""
            for _ in 0..<4_000 { text += String(decoding: sim.next().line, as: UTF8.self) }
            store.ingest(text: text)
            store.reclaimStrings()
        }
        // Two people's denials interleaved with a controller's, some denied at two stages.
        var text = ""
        for k in 0..<40 {
            let user = ["alice@example.com", "bob@example.com", "system:kube-controller-manager"][k % 3]
            let time = "2030-01-01T00:00:\(String(format: "%02d", k)).000000Z"
            if k % 4 == 0 { text += auditLine(id: "deny-\(k)", stage: "ResponseStarted", user: user, resource: "secrets", code: 403, time: time) }
            text += auditLine(id: "deny-\(k)", user: user, resource: "secrets", code: 403, time: time)
        }
        store.ingest(text: text)
        var plain: [Int] = []
        var seen: Set<AuditID> = []
        for q in (store.ring.firstSequence..<store.ring.nextSequence).reversed() {
            let e = try #require(store.ring[sequence: q])
            guard e.isDenied, e.actor != 0, !store.stats.unknown.isPlatform(store.strings.string(e.actor)),
                seen.insert(AuditID(high: e.auditIDHigh, low: e.auditIDLow)).inserted
            else { continue }
            plain.append(q)
        }
        #expect(plain.count >= 30, "the denials are held")
        for limit in [1, 3, 10, 1_000] {
            let rows = DashboardModel.outsideDenialRows(store, limit: limit)
            #expect(rows.map(\.sequence) == Array(plain.prefix(limit)), "limit \(limit)")
        }
    }
}
