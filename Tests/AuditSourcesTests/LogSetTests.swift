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
