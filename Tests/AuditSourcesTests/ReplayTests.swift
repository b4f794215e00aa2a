import AuditTestSupport
import AuditCore
import AuditSources
import Foundation
import Testing

@Suite struct ReplayTests {
    /// A log with one event per second of event time from 09:00:00, numbered from `first`.
    func log(_ name: String, seconds: Range<Int>, first: Int, in dir: URL) throws -> String {
        let path = dir.appendingPathComponent(name).path
        let text = seconds.enumerated().map { k, s in
            Fixture.line(first + k).replacingOccurrences(
                of: "2026-03-14T09:00:00.000000Z", with: String(format: "2026-03-14T09:%02d:%02d.000000Z", s / 60, s % 60)) + "\n"
        }.joined()
        try text.write(toFile: path, atomically: false, encoding: .utf8)
        return path
    }

    func folder() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("audittop-replay-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test func twoApiserversInterleaveByEventTime() throws {
        let dir = try folder()
        let a = try log("a.log", seconds: 0..<10, first: 0, in: dir)      // even numbers of events at 0..9 s
        let b = try log("b.log", seconds: 0..<10, first: 100, in: dir)
        let timeline = try ReplayTimeline.load([b, a], maxLine: 1 << 20) { _ in true }
        #expect(timeline.count == 20)
        let times = (0..<timeline.count).map(timeline.time)
        #expect(times == times.sorted())
    }

    @Test func pacingAtOneTimesAndTenTimesFollowsTheVirtualClock() throws {
        let dir = try folder()
        let timeline = try ReplayTimeline.load([try log("a.log", seconds: 0..<60, first: 0, in: dir)], maxLine: 1 << 20) { _ in true }
        let start = timeline.time(0)
        var clock = ReplayClock(start: start, speed: 1)
        #expect(timeline.released(until: clock.position) == 1)
        clock.advance(wallSeconds: 3.5)
        #expect(timeline.released(until: clock.position) == 4)   // events at 0, 1, 2, 3 s
        clock.speed = 10
        clock.advance(wallSeconds: 0.5)                           // 5 s of event time
        #expect(timeline.released(until: clock.position) == 9)
        clock.paused = true
        clock.advance(wallSeconds: 100)
        #expect(timeline.released(until: clock.position) == 9)
        clock.paused = false
        clock.speed = nil                                          // max
        clock.advance(wallSeconds: 0.001)
        #expect(timeline.released(until: clock.position) == 60)
    }

    @Test func speedsChangeInStepsAndParse() {
        var clock = ReplayClock(start: 0, speed: 1)
        clock.faster()
        #expect(clock.speedText == "2x")
        clock.slower()
        clock.slower()
        #expect(clock.speedText == "0.5x")
        #expect(ReplayClock.parseSpeed("10x") == .some(10))
        #expect(ReplayClock.parseSpeed("max") == .some(nil))
        #expect(ReplayClock.parseSpeed("fast") == nil)
    }

    @Test func goToTargetsParseClockTimesFullTimesAndOffsets() {
        let source = ReplaySource(paths: [], speed: 1)
        // Before loading, the position is 1970-01-01T00:00:00Z.
        #expect(source.parseTarget("14:32") == Int64(14 * 3600 + 32 * 60) * 1_000_000)
        #expect(source.parseTarget("2026-03-14T09:00:00Z") == Timestamp.parse("2026-03-14T09:00:00Z"))
        #expect(source.parseTarget("+5m") == 300_000_000)
        #expect(source.parseTarget("soon") == nil)
    }
}

@Suite struct LoadProgressTests {
    @Test func theProgressLineSaysBytesPercentRateAndTimeLeft() {
        let p = LoadProgress(total: 1_200_000_000)
        #expect(p.line(file: "audit.log", done: 300_000_000, seconds: 1) == "reading audit.log  300 MB of 1.2 GB  25%  300 MB/s  ETA 3 s")
        #expect(LoadProgress.size(999) == "999 B")
        #expect(LoadProgress.size(1_500) == "1.5 kB")
        #expect(LoadProgress.size(64_000_000) == "64 MB")
    }
}

@Suite struct TimelineTests {
    @Test func theHistogramCountsEventsAndDenialsPerBin() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("audittop-tl-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent("a.log").path
        // 10 events at 0..9 s; those at 5 s and later are denied.
        let text = (0..<10).map { s -> String in
            var line = Fixture.line(s).replacingOccurrences(of: "2026-03-14T09:00:00.000000Z", with: String(format: "2026-03-14T09:00:%02d.000000Z", s))
            if s >= 5 { line = line.replacingOccurrences(of: #""code":200"#, with: #""code":403"#) }
            return line + "\n"
        }.joined()
        try text.write(toFile: path, atomically: false, encoding: .utf8)
        let timeline = try ReplayTimeline.load([path], maxLine: 1 << 20) { _ in true }
        let (events, denied) = timeline.histogram(bins: 2, first: timeline.time(0), last: timeline.time(9))
        #expect(events == [5, 5])
        #expect(denied == [0, 5])
    }

    @Test func aMarkedRangeRestrictsTheStoreAndClearingRestoresIt() throws {
        // 60 events, one a second from 09:00:00.
        let run = try ReplayRun(events: 60) { $0 }
        defer { run.stop() }
        let replay = run.replay
        func wait(_ ingested: Int) -> Bool { run.wait(ingested, settle: false) }
        #expect(wait(60))
        // Mark 09:00:10 to 09:00:19 (the end is inclusive of the second marked).
        replay.go(to: Timestamp.parse("2026-03-14T09:00:10Z")!)
        replay.mark()
        replay.go(to: Timestamp.parse("2026-03-14T09:00:19Z")!)
        replay.mark()
        #expect(wait(10))
        let view = try #require(replay.timelineView(bins: 60))
        #expect(view.rangeStart == Timestamp.parse("2026-03-14T09:00:10Z"))
        #expect(view.events.reduce(0, +) == 60)
        replay.clearRange()
        #expect(wait(60))
        #expect(replay.timelineView(bins: 60)?.rangeStart == nil)
    }
}

/// Paused, `.` releases one event, even when the next has the same time (a request's stages
/// often do): it waits for its own step.
@Suite struct ReplayStepTests {
    @Test func aStepReleasesOneEventWhenTheNextHasTheSameTime() throws {
        // 20 events, two a second from 09:00:00.
        let run = try ReplayRun(events: 20) { $0 / 2 }
        defer { run.stop() }
        let replay = run.replay
        func wait(_ ingested: Int) -> Bool { run.wait(ingested, settle: true) }
        #expect(wait(20))
        replay.togglePause()
        replay.go(to: Timestamp.parse("2026-03-14T09:00:00Z")!)
        #expect(wait(2))
        replay.stepOne()
        #expect(wait(3))
        replay.stepOne()
        #expect(wait(4))
        replay.stepOne()
        #expect(wait(5))
        replay.togglePause()
        #expect(wait(20))
    }
}

@Suite struct ReplayEqualsReportTests {
    @Test(.needsCorpus) func aMaxSpeedReplayEndsWithTheReportsNumbers() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("audittop-rr-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let corpus = Corpus.root.appendingPathComponent("real-events.jsonl").path
        let lines = try String(contentsOfFile: corpus, encoding: .utf8).split(separator: "\n")
        // Two overlapping files of one set.
        try (lines[0..<150].joined(separator: "\n") + "\n").write(toFile: dir.appendingPathComponent("audit-2025-01-01T00-00-00.000.log").path, atomically: false, encoding: .utf8)
        try (lines[120...].joined(separator: "\n") + "\n").write(toFile: dir.appendingPathComponent("audit.log").path, atomically: false, encoding: .utf8)

        let report = EventStore()
        for file in try LogSet.expand([dir.path]) { try LogReader().read(file, into: report) }

        let shared = SharedEventStore()
        let replay = ReplaySource(paths: [dir.path], speed: nil)
        let stop = StopSignal()
        let done = DispatchSemaphore(value: 0)
        Thread {
            replay.run(into: shared, stop: stop)
            done.signal()
        }.start()
        let total = report.counters.ingested + report.counters.duplicates
        for _ in 0..<500 where shared.withStore({ $0.counters.ingested + $0.counters.duplicates }) < total { usleep(10_000) }
        stop.set()
        done.wait()
        shared.withStore { s in
            #expect(s.counters.ingested == report.counters.ingested)
            #expect(s.counters.duplicates == report.counters.duplicates)
            #expect(s.counters.requests == report.counters.requests)
            #expect(s.stats.denied.total == report.stats.denied.total)
            let top = { (st: EventStore) in st.stats.users.top(10).map { "\(st.strings.string($0.id))=\($0.count)" } }
            #expect(top(s) == top(report))
            #expect(Set(s.stats.unknown.users.map(s.strings.string)) == Set(report.stats.unknown.users.map(report.strings.string)))
        }
    }
}

/// A replay at full speed of `events` events into a shared store, running on its own thread;
/// event `k` is at second `second(k)` after 09:00:00.
struct ReplayRun {
    let store = SharedEventStore()
    let replay: ReplaySource
    let stopSignal = StopSignal()
    let done = DispatchSemaphore(value: 0)

    init(events: Int, second: (Int) -> Int) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("audittop-replay-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent("a.log").path
        let text = (0..<events).map { k in
            Fixture.line(k).replacingOccurrences(of: "2026-03-14T09:00:00.000000Z", with: String(format: "2026-03-14T09:00:%02d.000000Z", second(k))) + "\n"
        }.joined()
        try text.write(toFile: path, atomically: false, encoding: .utf8)
        replay = ReplaySource(paths: [path], speed: nil)
        let (replay, store, done, stop) = (replay, store, done, stopSignal)
        Thread {
            replay.run(into: store, stop: stop)
            done.signal()
        }.start()
    }

    func stop() {
        stopSignal.set()
        done.wait()
    }

    /// Waits up to 3 s for the store to hold `ingested` events; with `settle`, it must
    /// still hold that many 0.2 s later.
    func wait(_ ingested: Int, settle: Bool) -> Bool {
        for _ in 0..<300 where store.withStore({ $0.counters.ingested }) != ingested { usleep(10_000) }
        if settle { usleep(200_000) }
        return store.withStore { $0.counters.ingested } == ingested
    }
}
