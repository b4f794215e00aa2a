import AuditCore
import AuditSources
import Foundation
import Testing

/// Follows a real file on a background thread, as the dashboard does.
final class Following {
    let store = SharedEventStore()
    let stop = StopSignal()
    let follower: FileFollower
    let done = DispatchSemaphore(value: 0)

    /// Follows `path`; `interval` and `watchesChanges` as for `FileFollower` (a slow poll with
    /// no inotify lets a test rotate the file before the follower looks).
    init(_ path: String, tail: Int? = nil, interval: Int = 20, watchesChanges: Bool = true) {
        follower = FileFollower(path: path, tail: tail, interval: interval, watchesChanges: watchesChanges)
        let (store, stop, follower, done) = (self.store, self.stop, self.follower, self.done)
        Thread {
            follower.run(into: store, stop: stop)
            done.signal()
        }.start()
    }

    /// Waits (up to 5 s) until `condition` holds for the store.
    func wait(_ what: String, _ condition: @escaping (EventStore) -> Bool) -> Bool {
        for _ in 0..<500 {
            if store.withStore(condition) { return true }
            usleep(10_000)
        }
        Issue.record("timed out waiting for \(what)")
        return false
    }

    var ingested: Int { store.withStore { $0.counters.ingested } }
    var malformed: Int { store.withStore { $0.counters.malformed.total } }
    /// The number of every event in the ring (`Fixture.line(n)` names its pod `pod-n`), sorted.
    var numbers: [Int] {
        store.withStore { s in
            (s.ring.firstSequence..<s.ring.nextSequence).compactMap { s.ring[sequence: $0].flatMap { Int(s.strings.string($0.name).dropFirst(4)) } }
        }.sorted()
    }
    var duplicates: Int { store.withStore { $0.counters.duplicates } }

    deinit {
        stop.set()
        done.wait()
    }
}

@Suite(.serialized) struct FileFollowerTests {
    let dir: URL

    init() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("audittop-follow-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    func lines(_ range: Range<Int>) -> String {
        range.map { Fixture.line($0) + "\n" }.joined()
    }

    func append(_ text: String, to path: String) throws {
        let h = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try h.seekToEnd()
        try h.write(contentsOf: Data(text.utf8))
        try h.close()
    }

    @Test func existingContentLoadsThenNewLinesFollowAndAPartialLineWaits() throws {
        let path = dir.appendingPathComponent("audit.log").path
        try lines(0..<5).write(toFile: path, atomically: false, encoding: .utf8)
        let f = Following(path)
        #expect(f.wait("existing lines") { $0.counters.ingested == 5 })
        let next = Fixture.line(5)
        try append(String(next.prefix(40)), to: path)
        usleep(150_000)
        #expect(f.ingested == 5)
        #expect(f.store.withStore { $0.counters.malformed.total } == 0)
        try append(String(next.dropFirst(40)) + "\n", to: path)
        #expect(f.wait("the completed line") { $0.counters.ingested == 6 })
        #expect(f.follower.state == "following")
    }

    @Test func renameRotationReadsTheOldFileToItsEndThenTheNewOne() throws {
        let path = dir.appendingPathComponent("audit.log").path
        try lines(0..<3).write(toFile: path, atomically: false, encoding: .utf8)
        let f = Following(path)
        #expect(f.wait("first lines") { $0.counters.ingested == 3 })
        // The apiserver's last writes to the old file, then lumberjack renames it and starts anew.
        try append(lines(3..<6), to: path)
        try FileManager.default.moveItem(atPath: path, toPath: dir.appendingPathComponent("audit-2026-03-14T09-00-00.000.log").path)
        try lines(6..<9).write(toFile: path, atomically: false, encoding: .utf8)
        #expect(f.wait("both files") { $0.counters.ingested == 9 })
        try append(lines(9..<10), to: path)
        #expect(f.wait("the new file growing") { $0.counters.ingested == 10 })
        #expect(f.duplicates == 0)
    }

    @Test func copyThenTruncateStartsAgainAtZeroWithNothingReadTwice() throws {
        let path = dir.appendingPathComponent("audit.log").path
        try lines(0..<4).write(toFile: path, atomically: false, encoding: .utf8)
        let f = Following(path)
        #expect(f.wait("first lines") { $0.counters.ingested == 4 })
        try FileManager.default.copyItem(atPath: path, toPath: dir.appendingPathComponent("audit.log.1").path)
        let h = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try h.truncate(atOffset: 0)
        try h.close()
        usleep(100_000)
        try append(lines(4..<6), to: path)
        #expect(f.wait("lines after the truncation") { $0.counters.ingested == 6 })
        #expect(f.duplicates == 0)
    }

    @Test func aFileThatDoesNotExistYetIsWaitedForAndARecreatedOneFollowed() throws {
        let path = dir.appendingPathComponent("later.log").path
        let f = Following(path)
        usleep(100_000)
        #expect(f.follower.state == "waiting for the file")
        try lines(0..<2).write(toFile: path, atomically: false, encoding: .utf8)
        #expect(f.wait("the new file") { $0.counters.ingested == 2 })
        try FileManager.default.removeItem(atPath: path)
        usleep(100_000)
        try lines(2..<4).write(toFile: path, atomically: false, encoding: .utf8)
        #expect(f.wait("the recreated file") { $0.counters.ingested == 4 })
    }

    @Test func tailLoadsOnlyTheLastEvents() throws {
        let path = dir.appendingPathComponent("audit.log").path
        try lines(0..<50).write(toFile: path, atomically: false, encoding: .utf8)
        let f = Following(path, tail: 7)
        #expect(f.wait("the tail") { $0.counters.ingested == 7 })
        usleep(100_000)
        #expect(f.ingested == 7)
        let names = f.store.withStore { s in (s.ring.firstSequence..<s.ring.nextSequence).map { s.strings.string(s.ring[sequence: $0]!.name) } }
        #expect(names == (43..<50).map { "pod-\($0)" })
    }
}

enum Fixture {
    /// A one-line event numbered `n`.
    static func line(_ n: Int) -> String {
        let hex = String(n, radix: 16)
        let id = "00000000-0000-4000-8000-" + String(repeating: "0", count: 12 - hex.count) + hex
        return #"{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"\#(id)","stage":"ResponseComplete","requestURI":"/api/v1/namespaces/default/pods/pod-\#(n)","verb":"get","user":{"username":"alice"},"objectRef":{"resource":"pods","namespace":"default","name":"pod-\#(n)"},"responseStatus":{"code":200},"requestReceivedTimestamp":"2026-03-14T09:00:00.000000Z","stageTimestamp":"2026-03-14T09:00:00.001000Z"}"#
    }
}
