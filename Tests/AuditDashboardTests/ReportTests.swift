import AuditCore
import AuditDashboard
import AuditSimulator
import Foundation
import Testing

@Suite struct ReportTests {
    /// A store holding `count` simulated events.
    func simulated(_ count: Int, seed: UInt64 = 3) -> EventStore {
        var sim = Simulator(seed: seed, incidentAfter: 60_000_000)
        var text = ""
        for _ in 0..<count { text += String(decoding: sim.next().line, as: UTF8.self) }
        let store = EventStore()
        store.ingest(text: text)
        return store
    }

    @Test func theRateSeriesIsOneBucketPerMinuteFromTheFirstToTheLast() {
        let store = simulated(40_000)
        let report = Report(store: store)
        let times = report.rates.series.compactMap { Timestamp.parse($0.time) }
        #expect(times.count >= 2)
        for (a, b) in zip(times, times.dropFirst()) { #expect(b - a == 60_000_000) }
        #expect(report.rates.series.reduce(0) { $0 + $1.total } == report.requests)
        #expect(report.rates.series.reduce(0) { $0 + $1.denied } == report.denied.total)
    }

    @Test func topListsAreCappedAndSortedAndCodesAreNamed() {
        let report = Report(store: simulated(5_000), limit: 3)
        #expect(report.top.users.count == 3)
        #expect(report.top.users.map(\.count) == report.top.users.map(\.count).sorted(by: >))
        #expect(report.top.codes.allSatisfy { Int($0.name) != nil || $0.name == "(none)" })
        #expect(report.malformed.byKind.count == MalformedKind.allCases.count)
    }

    /// Saved logs of two apiservers (each in time order, overlapping in time) give the report
    /// of their events merged by event time, whichever set is read first.
    @Test func twoApiserversReadInEitherOrderReportAsIfMergedByTime() throws {
        func log(seed: UInt64) -> [(time: Int64, line: String)] {
            // Incidents apart in time: scripted steps of equal time have no one merge order.
            var sim = Simulator(seed: seed, incidentAfter: 30_000_000 + Int64(seed % 7) * 3_331)
            return (0..<30_000).map { _ in let e = sim.next(); return (e.time, String(decoding: e.line, as: UTF8.self)) }
        }
        // Seeds whose top lists have no tied counts: the report orders ties by first sighting,
        // so two logs read in either order can swap tied rows (seeds 11 and 12 tie
        // apps/replicasets with apps/deployments).
        let a = log(seed: 13)
        let b = log(seed: 14)
        func report(_ parts: [[(time: Int64, line: String)]]) throws -> String {
            var configuration = StoreConfiguration()
            configuration.deniedKeep = 50
            // Rules look at events in the order they come (bursts, first sightings).
            configuration.rules = .none
            let store = EventStore(configuration: configuration)
            for part in parts { store.ingest(text: part.map(\.line).joined()) }
            var r = Report(store: store, limit: 20)
            r.sources = []
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            return String(decoding: try encoder.encode(r), as: UTF8.self)
        }
        // Stable by time: a before b at equal times, as a reader of both would merge them.
        let merged = (a.map { ($0, 0) } + b.map { ($0, 1) }).enumerated().sorted {
            ($0.element.0.time, $0.offset) < ($1.element.0.time, $1.offset)
        }.map(\.element.0)
        let mergedReport = try report([merged])
        let ab = try report([a, b])
        #expect(ab.contains("\"denied\""))
        let ba = try report([b, a])
        let sameBothWays = ba == ab
        let sameAsMerged = ab == mergedReport
        #expect(sameBothWays)
        #expect(sameAsMerged)
        let decoded = try JSONDecoder().decode(Report.self, from: Data(ab.utf8))
        #expect(decoded.denied.latest.count == 20)
        #expect(!decoded.unknownUsers.isEmpty)
    }

    @Test func theReportRoundTripsThroughJSON() throws {
        let report = Report(store: simulated(3_000))
        let data = try JSONEncoder().encode(report)
        #expect(try JSONDecoder().decode(Report.self, from: data) == report)
    }

    @Test func textColumnsLineUpAndColourOnlyWhenAsked() {
        let report = Report(store: simulated(3_000))
        let plain = report.text(colour: false)
        #expect(!plain.contains("\u{1B}"))
        #expect(report.text(colour: true).contains("\u{1B}[1m"))
        let verbs = plain.components(separatedBy: "Top verbs\n")[1].components(separatedBy: "\n\n")[0].split(separator: "\n")
        let widths = Set(verbs.map(\.count))
        #expect(widths.count == 1, "\(verbs)")
    }
}
