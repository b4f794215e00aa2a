import AuditCore
import AuditSources
import Foundation
import Testing

@Suite(.serialized) struct LogSetTests {
    let dir: URL

    init() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("audittop-set-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    /// Writes events `range` to `name` in `folder`, gzipped (by the gzip tool) when asked.
    @discardableResult
    func write(_ name: String, _ range: Range<Int>, gzip: Bool = false, folder: String = "") throws -> String {
        let base = folder.isEmpty ? dir : dir.appendingPathComponent(folder)
        try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
        let path = base.appendingPathComponent(name).path
        let text = range.map { Fixture.line($0) + "\n" }.joined()
        if gzip {
            let plain = path + ".plain"
            try text.write(toFile: plain, atomically: false, encoding: .utf8)
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/bin/sh")
            p.arguments = ["-c", "gzip -c '\(plain)' > '\(path)' && rm '\(plain)'"]
            try p.run()
            p.waitUntilExit()
        } else {
            try text.write(toFile: path, atomically: false, encoding: .utf8)
        }
        return path
    }

    /// Reads the set one way and the other (one core, two cores); both must agree.
    func read(_ args: [String]) throws -> (EventStore, [String: String]) {
        var results: [(EventStore, [String: String])] = []
        for parallel in [false, true] {
            let store = EventStore()
            var problems: [String: String] = [:]
            for file in try LogSet.expand(args) {
                let outcome = parallel ? try ParallelLogReader().read(file, into: store) : try LogReader().read(file, into: store)
                if let p = outcome.problem { problems[(file as NSString).lastPathComponent] = p }
            }
            results.append((store, problems))
        }
        #expect(results[0].0.counters == results[1].0.counters)
        #expect(results[0].1 == results[1].1)
        return results[1]
    }

    func names(_ store: EventStore) -> [Int] {
        (store.ring.firstSequence..<store.ring.nextSequence).map { Int(store.strings.string(store.ring[sequence: $0]!.name).dropFirst(4))! }
    }

    @Test func aRotatedSetWithMixedGzipReadsInTimeOrderWhateverTheArgumentOrder() throws {
        let a = try write("audit-2026-03-14T09-00-00.000.log.gz", 0..<10, gzip: true)
        let b = try write("audit-2026-03-14T10-00-00.000.log", 10..<20)
        let c = try write("audit-2026-03-14T11-00-00.000.log.gz", 20..<30, gzip: true)
        let current = try write("audit.log", 30..<40)
        let (store, problems) = try read([current, c, a, b])
        #expect(problems.isEmpty)
        #expect(names(store) == Array(0..<40))
        let (fromFolder, _) = try read([dir.path])
        #expect(names(fromFolder) == Array(0..<40))
        let (fromGlob, _) = try read([dir.path + "/audit*"])
        #expect(names(fromGlob) == Array(0..<40))
    }

    @Test func overlappingFilesCountTheirCommonEventsOnceAsDuplicates() throws {
        try write("audit-2026-03-14T09-00-00.000.log", 0..<30)
        try write("audit.log", 25..<40)
        let (store, _) = try read([dir.path])
        #expect(store.counters.ingested == 40)
        #expect(store.counters.duplicates == 5)
    }

    @Test func twoApiserversSetsAreBothRead() throws {
        try write("audit-2026-03-14T09-00-00.000.log", 0..<10, folder: "apiserver-a")
        try write("audit.log", 10..<20, folder: "apiserver-a")
        try write("audit-2026-03-14T08-00-00.000.log.gz", 100..<110, gzip: true, folder: "apiserver-b")
        try write("audit.log", 110..<120, folder: "apiserver-b")
        let (store, problems) = try read([dir.appendingPathComponent("apiserver-a").path, dir.appendingPathComponent("apiserver-b").path])
        #expect(problems.isEmpty)
        #expect(store.counters.ingested == 40)
        // The set that starts earlier (b, rotated at 08:00) is read first.
        #expect(names(store).prefix(10) == ArraySlice(100..<110))
    }

    /// Event `n` received at second `n` after 09:00 (the stage a millisecond later).
    static func timed(_ n: Int) -> String {
        let t = String(format: "2026-03-14T09:%02d:%02d", n / 60 % 60, n % 60)
        return Fixture.line(n).replacingOccurrences(of: "2026-03-14T09:00:00", with: t)
    }

    func writeTimed(_ name: String, _ numbers: [Int], folder: String, gzip: Bool = false) throws {
        let base = dir.appendingPathComponent(folder)
        try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
        let path = base.appendingPathComponent(name).path
        try numbers.map { Self.timed($0) + "\n" }.joined().write(toFile: path, atomically: false, encoding: .utf8)
        if gzip {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/bin/sh")
            p.arguments = ["-c", "gzip -c '\(path)' > '\(path).gz' && rm '\(path)'"]
            try p.run()
            p.waitUntilExit()
        }
    }

    @Test func twoApiserversSetsAreMergedByEventTime() throws {
        // Apiserver a has the even seconds, b the odd ones, each over two rotated files.
        try writeTimed("audit-2026-03-14T09-01-00.000.log", Array(stride(from: 0, to: 60, by: 2)), folder: "a", gzip: true)
        try writeTimed("audit.log", Array(stride(from: 60, to: 120, by: 2)), folder: "a")
        try writeTimed("audit-2026-03-14T09-01-00.000.log", Array(stride(from: 1, to: 60, by: 2)), folder: "b")
        try writeTimed("audit.log", Array(stride(from: 61, to: 120, by: 2)), folder: "b", gzip: true)
        let files = try LogSet.expand([dir.appendingPathComponent("b").path, dir.appendingPathComponent("a").path])
        let sets = LogSet.sets(files)
        #expect(sets.count == 2 && sets.allSatisfy { $0.count == 2 })
        let store = EventStore()
        let outcomes = try #require(try MergedLogReader().read(sets: sets, into: store))
        #expect(names(store) == Array(0..<120))
        #expect(outcomes.map(\.outcome.events) == [30, 30, 30, 30])
        #expect(outcomes.allSatisfy { $0.outcome.problem == nil })
        // Every event keeps its file as its source.
        #expect(Set(store.sourceNames.dropFirst()) == Set(files))
        // The same as one merged file read on its own.
        let one = EventStore()
        let merged = dir.appendingPathComponent("merged.log").path
        try (0..<120).map { Self.timed($0) + "\n" }.joined().write(toFile: merged, atomically: false, encoding: .utf8)
        try LogReader().read(merged, into: one)
        #expect(one.counters == store.counters)
        #expect(one.stats.perSecond.series() == store.stats.perSecond.series())
    }

    @Test func aMergeSaysWhatWasDamagedAndKeepsTheRest() throws {
        try writeTimed("audit-2026-03-14T09-01-00.000.log", Array(0..<2000), folder: "a", gzip: true)
        let gz = dir.appendingPathComponent("a/audit-2026-03-14T09-01-00.000.log.gz")
        let data = try Data(contentsOf: gz)
        try data.prefix(data.count / 2).write(to: gz)
        try writeTimed("audit.log", Array(5000..<5010), folder: "b")
        try "".write(to: dir.appendingPathComponent("b/audit-2026-03-14T08-00-00.000.log"), atomically: false, encoding: .utf8)
        let sets = LogSet.sets(try LogSet.expand([dir.appendingPathComponent("a").path, dir.appendingPathComponent("b").path]))
        let store = EventStore()
        let outcomes = try #require(try MergedLogReader().read(sets: sets, into: store))
        let byName = Dictionary(uniqueKeysWithValues: outcomes.map { (($0.path as NSString).lastPathComponent + "@" + (($0.path as NSString).deletingLastPathComponent as NSString).lastPathComponent, $0.outcome) })
        #expect(byName["audit-2026-03-14T09-01-00.000.log.gz@a"]?.problem?.contains("ends early") == true)
        #expect(byName["audit-2026-03-14T08-00-00.000.log@b"]?.problem == "the file is empty")
        #expect(byName["audit.log@b"]?.events == 10)
        #expect(names(store).suffix(10) == ArraySlice(5000..<5010))
    }

    @Test func aMergeLeavesYAMLToTheOneByOneReaders() throws {
        try writeTimed("audit.log", [1, 3], folder: "a")
        let yaml = dir.appendingPathComponent("b")
        try FileManager.default.createDirectory(at: yaml, withIntermediateDirectories: true)
        try "kind: Event\nauditID: 00000000-0000-4000-8000-000000000002\nverb: get\nstage: ResponseComplete\n"
            .write(to: yaml.appendingPathComponent("event.yaml"), atomically: false, encoding: .utf8)
        let sets = LogSet.sets(try LogSet.expand([dir.appendingPathComponent("a").path, yaml.path]))
        #expect(try MergedLogReader().read(sets: sets, into: EventStore()) == nil)
    }

    @Test func aTruncatedGzipKeepsWhatCameBeforeAndTheRestOfTheSetLoads() throws {
        let gz = try write("audit-2026-03-14T09-00-00.000.log.gz", 0..<2000, gzip: true)
        let data = try Data(contentsOf: URL(fileURLWithPath: gz))
        try data.prefix(data.count / 2).write(to: URL(fileURLWithPath: gz))
        try write("audit.log", 5000..<5010)
        let (store, problems) = try read([dir.path])
        let problem = try #require(problems["audit-2026-03-14T09-00-00.000.log.gz"])
        #expect(problem.contains("ends early"))
        #expect(problem.contains("kept the"))
        #expect(store.counters.ingested > 10 && store.counters.ingested < 2010)
        #expect(names(store).suffix(10) == ArraySlice(5000..<5010))
    }

    @Test func corruptGzipIsSaidAndAnEmptyFileToo() throws {
        let gz = try write("audit-2026-03-14T09-00-00.000.log.gz", 0..<500, gzip: true)
        var data = try Data(contentsOf: URL(fileURLWithPath: gz))
        for k in stride(from: data.count / 2, to: data.count / 2 + 64, by: 1) { data[k] ^= 0x5A }
        try data.write(to: URL(fileURLWithPath: gz))
        try write("audit.log", 0..<0)
        let (_, problems) = try read([dir.path])
        #expect(problems["audit-2026-03-14T09-00-00.000.log.gz"]?.contains("corrupt gzip data") == true)
        #expect(problems["audit.log"] == "the file is empty")
    }

    @Test func gzipIsDetectedByContentNotName() throws {
        let gz = try write("saved-feed", 0..<7, gzip: true)
        let (store, problems) = try read([gz])
        #expect(problems.isEmpty)
        #expect(store.counters.ingested == 7)
    }

    @Test func aGlobThatMatchesNothingIsAClearError() {
        #expect(throws: SourceError.self) { try LogSet.expand([dir.path + "/nothing-*.log"]) }
    }

    @Test func sinceAndUntilKeepOnlyEventsInTheRange() {
        var c = StoreConfiguration()
        c.since = Timestamp.parse("2026-03-14T09:00:00.000000Z")
        c.until = Timestamp.parse("2026-03-14T09:00:00.000001Z")
        let store = EventStore(configuration: c)
        // Fixture lines are all at 09:00:00.000000; one more at 10:00.
        store.ingest(text: Fixture.line(1) + "\n" + Fixture.line(2).replacingOccurrences(of: "T09:00:00.000000Z", with: "T10:00:00.000000Z"))
        #expect(store.counters.ingested == 1)
        #expect(store.counters.outsideTimeRange == 1)
    }
}
