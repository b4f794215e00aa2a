import AuditCore
import AuditSimulator
import Foundation
import Testing

/// A busy cluster's ordinary traffic, with no attack in it, as the rules see it: at most two
/// rules of medium severity or higher may fire, on every platform, learning or not.
@Suite struct OrdinaryTrafficTests {
    static func store(_ flavor: Flavor, learn: Int64?) -> EventStore {
        // The incident would start after ten hours: 60,000 events are about three minutes.
        var sim = Simulator(seed: 41, flavor: flavor, incidentAfter: 36_000_000_000)
        var text = ""
        text.reserveCapacity(80 << 20)
        for _ in 0..<60_000 { text += String(decoding: sim.next().line, as: UTF8.self) }
        var c = StoreConfiguration()
        c.learn = learn
        let store = EventStore(configuration: c)
        store.ingest(text: text)
        return store
    }

    @Test(arguments: Flavor.allCases)
    func atMostTwoSeriousRulesFireOnOrdinaryTraffic(flavor: Flavor) throws {
        for learn in [nil, 600_000_000] as [Int64?] {
            let store = Self.store(flavor, learn: learn)
            let serious = (store.rules?.alerts.values ?? [:].values).filter { $0.severity >= .medium }.map(\.rule).sorted()
            #expect(serious.count <= 2, "\(flavor), learning \(learn != nil): \(serious)")
            // And no platform identity is an unknown user.
            let unknown = store.stats.unknown.users.map(store.strings.string)
            #expect(!unknown.contains { $0.hasPrefix("eks:") || ($0.hasPrefix("system:") && $0 != "system:anonymous") },
                    "\(flavor): \(unknown)")
        }
    }
}
