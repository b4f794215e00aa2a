import AuditCore
import AuditSources
import Foundation
import Testing

@Suite struct TeeWriterTests {
    func store(teeing tee: TeeWriter) -> EventStore {
        let store = EventStore()
        store.onIngest = { tee.append($0) }
        return store
    }

    @Test func rotatedFilesAreNamedLikeTheApiserversLogs() {
        let t = Timestamp.parse("2026-03-14T09:05:07.123456Z")!
        #expect(TeeWriter.rotatedName("/var/log/audittop/feed.log", at: t) == "/var/log/audittop/feed-2026-03-14T09-05-07.123.log")
        #expect(TeeWriter.rotatedName("feed", at: t) == "feed-2026-03-14T09-05-07.123")
    }

    @Test func everyAcceptedEventIsOneLineAndDuplicatesAreNotTeed() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("audittop-tee-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let tee = TeeWriter(path: dir.appendingPathComponent("feed.log").path)
        let s = store(teeing: tee)
        let pretty = "{\n  \"kind\": \"Event\",\n  \"level\": \"Metadata\",\n  \"auditID\": \"p-1\",\n  \"stage\": \"ResponseComplete\",\n  \"verb\": \"get\",\n  \"user\": {\"username\": \"a\\nb\"}\n}\n"
        s.ingest(text: pretty)
        s.ingest(text: Fixture.line(1) + "\n" + Fixture.line(1) + "\n" + Fixture.line(2) + "\n")
        tee.close()
        let lines = try String(contentsOfFile: tee.path, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 3)
        // The teed lines decode back to the same events.
        let back = EventStore()
        back.ingest(text: lines.joined(separator: "\n"))
        #expect(back.counters.ingested == 3 && back.counters.malformed.total == 0)
        #expect(back.requests(of: "a\nb") == 1)
    }

    @Test func theTeeRotatesPastItsMaximumSize() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("audittop-tee-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let tee = TeeWriter(path: dir.appendingPathComponent("feed.log").path, maxSize: 4096)
        let s = store(teeing: tee)
        for n in 0..<40 {
            s.ingest(text: Fixture.line(n) + "\n")
            tee.flush()
        }
        tee.close()
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
        #expect(files.count > 2)
        #expect(files.contains("feed.log"))
        #expect(files.filter { $0.hasPrefix("feed-") && $0.hasSuffix(".log") }.count == files.count - 1)
        var total = 0
        for f in files { total += try String(contentsOfFile: dir.appendingPathComponent(f).path, encoding: .utf8).split(separator: "\n").count }
        #expect(total == 40)
    }

    @Test func anUnwritableTeeReportsAnErrorAndTheFeedGoesOn() {
        let tee = TeeWriter(path: "/proc/audittop-cannot-write-here/feed.log")
        let s = store(teeing: tee)
        s.ingest(text: Fixture.line(1) + "\n" + Fixture.line(2) + "\n")
        tee.flush()
        #expect(tee.state.hasPrefix("tee error:"))
        #expect(tee.lost == 2 && tee.written == 0)
        #expect(s.counters.ingested == 2)
    }
}

extension EventStore {
    func requests(of user: String) -> Int { strings.lookup(user).map { stats.users.count($0) } ?? 0 }
}
