import AuditCore
import AuditDashboard
import AuditSimulator
import AuditSources
import AuditTestSupport
import Foundation
import Testing

/// Reclaiming interned strings changes nothing anyone sees: the same input read with
/// reclaims every few thousand strings and with none gives the same report, alerts included.
/// The ring is kept small so strings really leave it and their ids are handed out again.
@Suite struct StringReclaimTests {
    static func configuration(reclaiming: Bool) -> StoreConfiguration {
        var c = StoreConfiguration()
        c.capacity = 200
        c.stringReclaimFloor = reclaiming ? 256 : Int.max
        return c
    }

    static func report(_ bytes: [UInt8], reclaiming: Bool) -> (Report, EventStore) {
        let store = EventStore(configuration: configuration(reclaiming: reclaiming))
        var framer = StreamDecoder()
        bytes.withUnsafeBufferPointer { framer.feed($0, to: store) }
        framer.finish(to: store)
        return (Report(store: store, limit: 25), store)
    }

    /// The first line where two reports' JSON differ, or nil when they are the same.
    static func difference(_ a: Report, _ b: Report) -> String? {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let left = String(decoding: (try? encoder.encode(a)) ?? Data(), as: UTF8.self).split(separator: "\n")
        let right = String(decoding: (try? encoder.encode(b)) ?? Data(), as: UTF8.self).split(separator: "\n")
        for (k, line) in left.enumerated() where k >= right.count || right[k] != line {
            return "line \(k + 1): \(line) vs \(k < right.count ? String(right[k]) : "(end)")"
        }
        return left.count == right.count ? nil : "the second is longer"
    }

    @Test(arguments: [Flavor.kubeadm, .eks, .openshift])
    func aSimulatedLogGivesTheSameReportWithAndWithoutReclaims(flavor: Flavor) {
        var sim = Simulator(seed: 5, flavor: flavor, incidentAfter: 60_000_000)
        var bytes: [UInt8] = []
        for _ in 0..<40_000 { bytes.append(contentsOf: sim.next().line) }
        let (reclaimed, store) = Self.report(bytes, reclaiming: true)
        let (plain, reference) = Self.report(bytes, reclaiming: false)
        #expect(store.counters.stringsReclaimed > 10_000)
        #expect(reference.counters.stringsReclaimed == 0)
        #expect(!reclaimed.alerts.isEmpty)
        #expect(Self.difference(reclaimed, plain) == nil)
    }

    static let corpusFiles: [String] = (try? Corpus.entries().map(\.path)) ?? []

    @Test(.needsCorpus, arguments: corpusFiles)
    func aCorpusFileGivesTheSameReportWithAndWithoutReclaims(path: String) throws {
        let reclaimed = try Corpus.read(path) { $0 = Self.configuration(reclaiming: true) }
        let plain = try Corpus.read(path) { $0 = Self.configuration(reclaiming: false) }
        #expect(Self.difference(Report(store: reclaimed, limit: 25), Report(store: plain, limit: 25)) == nil)
    }
}
