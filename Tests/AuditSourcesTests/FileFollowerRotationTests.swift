import AuditCore
import AuditSources
import Foundation
import Testing

/// Rotation of every kind, with each event counted by its number. The deterministic tests
/// follow with a slow poll and no inotify, so the rotation happens before the follower looks.
@Suite(.serialized) struct FileFollowerRotationTests {
    let dir: URL
    let path: String

    init() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("audittop-rotate-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        path = dir.appendingPathComponent("audit.log").path
    }

    func lines(_ range: Range<Int>) -> Data {
        Data(range.map { Fixture.line($0) + "\n" }.joined().utf8)
    }

    func append(_ data: Data, to file: String) throws {
        let h = try FileHandle(forWritingTo: URL(fileURLWithPath: file))
        try h.seekToEnd()
        try h.write(contentsOf: data)
        try h.close()
    }

    /// Copy-then-truncate as logrotate does it: the copy first, then the truncation.
    func copyTruncate(to copy: String) throws {
        try? FileManager.default.removeItem(atPath: copy)
        try FileManager.default.copyItem(atPath: path, toPath: copy)
        let h = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try h.truncate(atOffset: 0)
        try h.close()
    }

    func sibling(_ name: String) -> String { dir.appendingPathComponent(name).path }

    @Test(arguments: [2, 20])
    func copyTruncateReadsWhatWasNotYetReadFromTheCopyAndLosesNothing(linesAfter: Int) throws {
        // 2 lines after the truncation: the file is shorter than the old offset. 20: it has
        // already grown past it, which only its changed first bytes show.
        try lines(0..<4).write(to: URL(fileURLWithPath: path))
        let f = Following(path, interval: 1000, watchesChanges: false)
        #expect(f.wait("the first lines") { $0.counters.ingested == 4 })
        usleep(100_000)  // the follower is now in its long pause
        try append(lines(4..<8), to: path)
        try copyTruncate(to: sibling("audit.log.1"))
        try append(lines(8..<(8 + linesAfter)), to: path)
        #expect(f.wait("every line") { $0.counters.ingested == 8 + linesAfter })
        #expect(f.numbers == Array(0..<(8 + linesAfter)))
        #expect(f.duplicates == 0 && f.malformed == 0)
        #expect(f.follower.state.contains("caught up from audit.log.1"))
    }

    @Test func copyTruncateFindsTheCopyByItsFirstBytesWhateverItsNameAndGzipped() throws {
        try lines(100..<104).write(to: URL(fileURLWithPath: sibling("audit.log-20260101.gz")))
        try lines(0..<4).write(to: URL(fileURLWithPath: path))
        let f = Following(path, interval: 1000, watchesChanges: false)
        #expect(f.wait("the first lines") { $0.counters.ingested == 4 })
        usleep(100_000)  // the follower is now in its long pause
        try append(lines(4..<8), to: path)
        try copyTruncate(to: sibling("audit.log-20260314"))
        let gzip = Process()
        gzip.executableURL = URL(fileURLWithPath: "/bin/gzip")
        gzip.arguments = [sibling("audit.log-20260314")]
        try gzip.run()
        gzip.waitUntilExit()
        try append(lines(8..<10), to: path)
        #expect(f.wait("every line") { $0.counters.ingested == 10 })
        #expect(f.numbers == Array(0..<10))
        #expect(f.follower.state.contains("caught up from audit.log-20260314.gz"))
    }

    @Test func copyTruncateWithNoCopyLosesOnlyWhatWasNotYetReadNothingAfterTheTruncate() throws {
        try lines(0..<4).write(to: URL(fileURLWithPath: path))
        let f = Following(path, interval: 1000, watchesChanges: false)
        #expect(f.wait("the first lines") { $0.counters.ingested == 4 })
        usleep(100_000)  // the follower is now in its long pause
        try append(lines(4..<8), to: path)
        try copyTruncate(to: dir.appendingPathComponent("elsewhere.1").path)
        try append(lines(8..<30), to: path)
        #expect(f.wait("the lines after the truncation") { $0.counters.ingested == 26 })
        #expect(f.numbers == Array(0..<4) + Array(8..<30))
        #expect(f.duplicates == 0 && f.malformed == 0)
        #expect(f.follower.state.contains("no copy found"))
    }

    @Test func aPartialLastLineIsCompletedFromTheCopyAcrossCopyTruncate() throws {
        let line3 = Data((Fixture.line(3) + "\n").utf8)
        var start = lines(0..<3)
        start.append(line3.prefix(50))
        try start.write(to: URL(fileURLWithPath: path))
        let f = Following(path, interval: 1000, watchesChanges: false)
        #expect(f.wait("the complete lines") { $0.counters.ingested == 3 })
        usleep(100_000)
        try append(line3.dropFirst(50) + lines(4..<6), to: path)
        try copyTruncate(to: sibling("audit.log.1"))
        try append(lines(6..<8), to: path)
        #expect(f.wait("every line") { $0.counters.ingested == 8 })
        #expect(f.numbers == Array(0..<8))
        #expect(f.malformed == 0)
    }

    @Test func renameWhileTheWriterStillAppendsToTheOldFileLosesNothing() throws {
        try lines(0..<3).write(to: URL(fileURLWithPath: path))
        let f = Following(path)
        #expect(f.wait("the first lines") { $0.counters.ingested == 3 })
        // logrotate's `create`: rename, an empty new file, and the writer told to reopen later.
        let writer = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try writer.seekToEnd()
        try FileManager.default.moveItem(atPath: path, toPath: sibling("audit.log.1"))
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        usleep(150_000)
        try writer.write(contentsOf: lines(3..<6))
        try writer.close()
        try lines(6..<9).write(to: URL(fileURLWithPath: path))
        #expect(f.wait("both files") { $0.counters.ingested == 9 })
        #expect(f.numbers == Array(0..<9))
        #expect(f.duplicates == 0)
    }

    @Test func deleteAndRecreateReadsTheDeletedFileToItsEndFirst() throws {
        try lines(0..<3).write(to: URL(fileURLWithPath: path))
        let f = Following(path, interval: 1000, watchesChanges: false)
        #expect(f.wait("the first lines") { $0.counters.ingested == 3 })
        usleep(100_000)
        let writer = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try writer.seekToEnd()
        try FileManager.default.removeItem(atPath: path)
        try writer.write(contentsOf: lines(3..<6))
        try writer.close()
        try lines(6..<9).write(to: URL(fileURLWithPath: path))
        #expect(f.wait("both files") { $0.counters.ingested == 9 })
        #expect(f.numbers == Array(0..<9))
    }

    @Test func rapidRepeatedRotationsOfEveryKindLoseNothing() throws {
        try lines(0..<10).write(to: URL(fileURLWithPath: path))
        let f = Following(path)
        #expect(f.wait("the first lines") { $0.counters.ingested == 10 })
        var next = 10
        for round in 0..<60 {
            try append(lines(next..<(next + 20)), to: path)
            next += 20
            switch round % 3 {
            case 0: try copyTruncate(to: sibling("audit.log.\(round)"))
            case 1: try FileManager.default.moveItem(atPath: path, toPath: sibling("audit-\(round).log"))
            default: try FileManager.default.removeItem(atPath: path)
            }
            if round % 3 != 0 { _ = FileManager.default.createFile(atPath: path, contents: nil) }
            try append(lines(next..<(next + 5)), to: path)
            next += 5
            usleep(20_000)
        }
        #expect(f.wait("every line") { $0.counters.ingested == next })
        #expect(f.numbers == Array(0..<next))
        #expect(f.duplicates == 0 && f.malformed == 0)
    }

    @Test func copyTruncateSeveralRotationsBehindReadsTheMissedGenerationsFromTheirCopies() throws {
        try lines(0..<4).write(to: URL(fileURLWithPath: path))
        let f = Following(path, interval: 1000, watchesChanges: false)
        #expect(f.wait("the first lines") { $0.counters.ingested == 4 })
        usleep(100_000)
        // Two rotations, logrotate-style (.1 shifted to .2), before the follower looks again;
        // another log beside it, newer but named otherwise, is not a copy.
        try append(lines(4..<8), to: path)
        try copyTruncate(to: sibling("audit.log.1"))
        try append(lines(8..<12), to: path)
        usleep(20_000)
        try FileManager.default.moveItem(atPath: sibling("audit.log.1"), toPath: sibling("audit.log.2"))
        try copyTruncate(to: sibling("audit.log.1"))
        try append(lines(12..<14), to: path)
        usleep(20_000)
        try lines(500..<503).write(to: URL(fileURLWithPath: sibling("audit-webhook.log")))
        #expect(f.wait("every line") { $0.counters.ingested == 14 })
        usleep(100_000)
        #expect(f.numbers == Array(0..<14))
        #expect(f.duplicates == 0 && f.malformed == 0)
        #expect(f.follower.state.contains("caught up from audit.log.2, audit.log.1"))
    }

    @Test func aFollowerSeveralRenamesBehindReadsEveryGenerationInOrder() throws {
        // A first file large enough that the renames happen while it is still being read.
        try lines(0..<30_000).write(to: URL(fileURLWithPath: path))
        let f = Following(path)
        var next = 30_000
        for round in 0..<3 {
            usleep(150_000)
            try FileManager.default.moveItem(atPath: path, toPath: sibling("audit-\(round).log"))
            if round == 1 { try FileManager.default.removeItem(atPath: sibling("audit-\(round).log")) }
            try lines(next..<(next + 5)).write(to: URL(fileURLWithPath: path))
            next += 5
        }
        #expect(f.wait("every line") { $0.counters.ingested == next })
        #expect(f.duplicates == 0 && f.malformed == 0)
    }
}
