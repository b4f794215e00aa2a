import AuditCore
import Foundation
import Testing

/// The bounded tables behind the statistics: the top lists' Space-Saving sketch and the
/// interner's reclaim.
@Suite struct BoundedTablesTests {
    /// A deterministic stream of ids with a long tail: a few heavy ids and many rare ones.
    static func stream(_ n: Int, distinct: Int, seed: UInt64) -> [UInt32] {
        var x = seed
        var out: [UInt32] = []
        out.reserveCapacity(n)
        for _ in 0..<n {
            x = x &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let r = Double(x >> 11) / Double(1 << 53)
            // Roughly Zipf: id k with probability about 1 / k.
            out.append(UInt32(max(1, min(distinct, Int(pow(Double(distinct), r))))))
        }
        return out
    }

    @Test func countsAreExactWhileUnderCapacityAndTakeBacksLowerThem() {
        var table = CountTable(capacity: 500)
        var exact: [UInt32: Int] = [:]
        for (k, id) in Self.stream(50_000, distinct: 400, seed: 7).enumerated() {
            table.add(id)
            exact[id, default: 0] += 1
            if k % 7 == 0 {
                table.add(id, -1)
                exact[id]! -= 1
            }
        }
        #expect(!table.isApproximate)
        #expect(table.errorBound == 0)
        for (id, c) in exact { #expect(table.count(id) == c) }
        let top = table.top(10)
        let expected = exact.filter { $0.value > 0 }.sorted { $0.value > $1.value }.prefix(10).map(\.value)
        #expect(top.map(\.count) == Array(expected))
    }

    @Test func overCapacityEveryHeavyIdIsKeptAndNoCountIsOffByMoreThanTheBound() {
        let capacity = 200
        var table = CountTable(capacity: capacity)
        var exact: [UInt32: Int] = [:]
        let ids = Self.stream(200_000, distinct: 50_000, seed: 11)
        for id in ids {
            table.add(id)
            exact[id, default: 0] += 1
        }
        #expect(table.isApproximate)
        #expect(table.errorBound <= ids.count / capacity)
        for (id, c) in exact where c > ids.count / capacity {
            let kept = table.count(id)
            #expect(kept >= c, "heavy id \(id) (\(c)) must be kept")
            #expect(kept <= c + table.errorBound)
        }
        // The top of the list is the true top.
        let trueTop = exact.sorted { $0.value > $1.value }.prefix(5).map(\.key)
        #expect(Set(table.top(5).map(\.id)) == Set(trueTop))
    }

    @Test func reclaimFreesWhatIsNotMarkedKeepsTheRestAndReusesFreedIds() {
        let s = StringInterner()
        let pinned = s.intern("pods")
        s.pinAll()
        var ids: [UInt32] = []
        for k in 0..<10_000 { ids.append(s.intern("object-\(k)")) }
        #expect(s.count == 10_002)
        let bytesBefore = s.memoryBytes
        var live = LiveStrings(limit: s.idLimit)
        for (k, id) in ids.enumerated() where k % 10 == 0 { live.mark(id) }
        let freed = s.reclaim(keeping: live)
        #expect(freed == 9_000)
        #expect(s.count == 1_002)
        #expect(s.string(pinned) == "pods")
        for (k, id) in ids.enumerated() where k % 10 == 0 {
            #expect(s.string(id) == "object-\(k)")
            #expect(s.lookup("object-\(k)") == id)
        }
        #expect(s.lookup("object-1") == nil)
        #expect(s.memoryBytes < bytesBefore)
        // Freed ids are handed out again, lowest first: the id space does not grow.
        let limit = s.idLimit
        for k in 0..<9_000 { _ = s.intern("new-\(k)") }
        #expect(s.idLimit == limit)
        #expect(s.string(s.intern("new-5")) == "new-5")
        #expect(s.string(ids[10]) == "object-10")
    }

    @Test func storeStringsStayBoundedWhenEveryNameIsNew() {
        var c = StoreConfiguration()
        c.capacity = 1_000
        c.stringReclaimFloor = 4_096
        let store = EventStore(configuration: c)
        var text = ""
        for k in 0..<60_000 {
            text += #"{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"00000000-0000-0000-0000-"#
                + String(format: "%012d", k) + #"","stage":"ResponseComplete","requestURI":"/api/v1/namespaces/ns-\#(k % 50)/pods/pod-\#(k)?timeout=\#(k)s","verb":"get","user":{"username":"user-\#(k % 20)"},"sourceIPs":["10.0.\#(k % 7).\#(k % 250)"],"userAgent":"agent/\#(k)","objectRef":{"resource":"pods","namespace":"ns-\#(k % 50)","name":"pod-\#(k)","apiVersion":"v1"},"responseStatus":{"code":200},"requestReceivedTimestamp":"2026-01-01T00:00:00.000000Z","stageTimestamp":"2026-01-01T00:00:00.001000Z"}"#
                + "\n"
            if k % 5_000 == 4_999 {
                store.ingest(text: text)
                text = ""
                // At most: what the ring and the 10,000-counter top lists refer to, twice.
                #expect(store.strings.count <= 2 * (1_000 * 3 + 10_000 * 2 + 200) + 4_096)
            }
        }
        #expect(store.counters.ingested == 60_000)
        #expect(store.counters.stringsReclaimed > 30_000)
        #expect(store.strings.idLimit < 60_000)
        // The newest events still read back whole.
        let last = store.ring[sequence: store.ring.nextSequence - 1]!
        #expect(store.strings.string(last.name) == "pod-59999")
        #expect(store.strings.string(last.userAgent) == "agent/59999")
        #expect(store.stats.users.count(store.strings.lookup("user-3")!) == 3_000)
    }
}
