import AuditCore
import AuditDashboard
import AuditSimulator
import AuditSources
import Foundation
import Testing

/// The benchmark's two logs, small: `report`'s whole JSON is the same on one core and on
/// two, and the low-cardinality log differs from the realistic one only in its names.
@Suite struct GeneratedLogReportTests {
    static func write(events: Int, flavor: Flavor, lowCardinality: Bool) throws -> String {
        var sim = Simulator(seed: 42, flavor: flavor, incidentAfter: Int64(Double(events) / 300 * 0.6 * 1_000_000))
        sim.lowCardinality = lowCardinality
        var bytes: [UInt8] = []
        for _ in 0..<events { bytes += sim.next().line }
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("audittop-gen-\(flavor.rawValue)-\(lowCardinality)-\(UUID().uuidString).jsonl").path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// `report --format json` of the file, read on one core or two.
    static func report(_ path: String, cores: Int) throws -> String {
        var configuration = StoreConfiguration()
        configuration.rawBudget = 0
        let store = EventStore(configuration: configuration)
        if cores > 1 {
            var reader = ParallelLogReader()
            reader.chunkSize = 1 << 16
            try reader.read(path, into: store)
        } else {
            try LogReader().read(path, into: store)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(Report(store: store, limit: 20)), as: UTF8.self)
    }

    @Test(arguments: [(Flavor.kubeadm, false), (.kubeadm, true), (.eks, false), (.openshift, true)])
    func theReportIsTheSameOnOneCoreAndTwo(_ flavor: Flavor, _ low: Bool) throws {
        let path = try Self.write(events: 30_000, flavor: flavor, lowCardinality: low)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let one = try Self.report(path, cores: 1)
        let two = try Self.report(path, cores: 2)
        #expect(one.contains("\"alerts\""))
        #expect(one == two, "\(flavor) low=\(low)")
    }

    @Test func theLowCardinalityLogRepeatsNamesAndKeepsEverythingElse() throws {
        let realistic = SimulatedLog(events: 20_000)
        var sim = Simulator(seed: 1, flavor: .kubeadm, incidentAfter: Int64(20_000.0 / 300 * 0.6 * 1_000_000))
        sim.lowCardinality = true
        var bytes: [UInt8] = []
        for _ in 0..<20_000 { bytes += sim.next().line }
        let low = try bytes.split(separator: 0x0A).map { try JSONSerialization.jsonObject(with: Data($0)) as! [String: Any] }
        let lowNames = Set(low.compactMap { ($0["objectRef"] as? [String: Any])?["name"] as? String })
        let names = Set(realistic.events.map(\.name).filter { !$0.isEmpty })
        #expect(names.count > 2_000, "realistic: \(names.count) names")
        #expect(lowNames.count < names.count / 5, "low: \(lowNames.count) names against \(names.count)")
        #expect(!low.contains { ($0["requestURI"] as? String)?.contains("?") == true })
        // Same requests: the verbs and users line up event by event.
        #expect(low.count == realistic.events.count)
        #expect(zip(low, realistic.events).allSatisfy { ($0["verb"] as? String) == $1.verb })
    }
}
