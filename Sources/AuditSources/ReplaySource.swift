#if canImport(Glibc)
import Glibc
#endif
import AuditCore
import Foundation
import Synchronization

/// Saved logs replayed at the pace they happened (or faster): every event is loaded, sorted
/// by `requestReceivedTimestamp` (so several apiservers' files interleave), and released into
/// the store as the replay clock passes its time. Going back in time rebuilds the store
/// from the first event, at full speed.
public final class ReplaySource: LiveSource {
    public let name: String
    let paths: [String]
    let maxLine: Int
    private let control: Mutex<Control>
    private let status = SourceState("loading")

    /// What the keys ask of the replay, and what it reports back.
    struct Control {
        var clock: ReplayClock
        var step = 0
        var seek: Int64?
        var first: Int64 = 0
        var last: Int64 = 0
        var total = 0
        /// A range being marked (its start), and the range in force.
        var markedStart: Int64?
        var range: (Int64, Int64)?
        var rangeChanged = false
        /// Events released so far, and whether loading is over.
        var released = 0
        var loaded = false
        /// Every event up to the end (`--until`) is released.
        var done = false
    }

    private let loaded = Mutex<ReplayTimeline?>(nil)

    /// The histogram over the whole loaded span, with the replay cursor and the range.
    public func timelineView(bins: Int) -> TimelineInfo? {
        guard bins > 0, let timeline = loaded.withLock({ $0 }), let first = timeline.times.first, let last = timeline.times.last else {
            return nil
        }
        let (events, denied) = timeline.histogram(bins: bins, first: first, last: last)
        return control.withLock { c in
            TimelineInfo(events: events, denied: denied, first: first, last: last, cursor: c.clock.position,
                         markedStart: c.markedStart, rangeStart: c.range?.0, rangeEnd: c.range?.1)
        }
    }

    /// `m`: marks the range's start at the replay position, then its end; every pane then
    /// counts only that range.
    public func mark() {
        control.withLock { c in
            // A jump just asked for (and not yet applied) is where the person means to mark.
            let now = min(max(c.seek ?? c.clock.position, c.first), c.last)
            if let start = c.markedStart {
                c.range = (min(start, now), max(start, now) + 1)
                c.markedStart = nil
                c.rangeChanged = true
            } else {
                c.markedStart = now
            }
        }
    }

    /// `c`: clears the range (and a half-marked one).
    public func clearRange() {
        control.withLock { c in
            c.markedStart = nil
            if c.range != nil {
                c.range = nil
                c.rangeChanged = true
            }
        }
    }

    public var state: String { status.current }

    /// The replay's speed (`10x`, `max`), whether it is paused, how much of it is released,
    /// and whether all of it is (nil while loading).
    public var progress: (speed: String, paused: Bool, percent: Int, done: Bool)? {
        control.withLock { c in
            guard c.loaded else { return nil }
            let done = c.done
            return (c.clock.speedText, c.clock.paused, c.total == 0 ? 100 : c.released * 100 / c.total, done)
        }
    }

    /// Where the replay starts and stops in event time (`--since` / `--until`), if set.
    let since: Int64?
    let until: Int64?

    public init(paths: [String], speed: Double?, maxLine: Int = 4 << 20, since: Int64? = nil, until: Int64? = nil) {
        self.paths = paths
        self.since = since
        self.until = until
        self.maxLine = maxLine
        name = "replay"
        control = Mutex(Control(clock: ReplayClock(start: 0, speed: speed)))
    }

    // MARK: keys

    public func togglePause() { control.withLock { $0.clock.paused.toggle() } }
    public func faster() { control.withLock { $0.clock.faster() } }
    public func slower() { control.withLock { $0.clock.slower() } }
    /// Sets the speed: a factor, or nil for as fast as possible.
    public func setSpeed(_ speed: Double?) { control.withLock { $0.clock.speed = speed } }
    /// One event forward (while paused).
    public func stepOne() { control.withLock { $0.step += 1 } }
    /// Moves the replay by `seconds` of event time (negative: back).
    public func jump(seconds: Int64) { control.withLock { $0.seek = ($0.seek ?? $0.clock.position) + seconds * 1_000_000 } }
    /// Goes to an event time.
    public func go(to time: Int64) { control.withLock { $0.seek = time } }
    /// The replay's current event time, and the loaded span.
    public var position: (now: Int64, first: Int64, last: Int64) {
        control.withLock { ($0.clock.position, $0.first, $0.last) }
    }

    /// Parses a `g` answer: `14:32` (on the replay's current day, UTC), a full RFC 3339
    /// time, or `-5m` / `+5m` relative to the replay's position.
    public func parseTarget(_ text: String) -> Int64? {
        FilterValue.time(text)?.resolve(reference: position.now)
    }

    // MARK: loading and pacing

    public func run(into store: SharedEventStore, stop: StopSignal) {
        let timeline: ReplayTimeline
        do {
            timeline = try ReplayTimeline.load(paths, maxLine: maxLine) { done in
                self.status.current = "loading \(done)%"
                return !stop.isSet
            }
        } catch {
            status.current = "error: \(error)"
            return
        }
        guard let first = timeline.times.first, let last = timeline.times.last else {
            status.current = "no events in \(paths.joined(separator: ", "))"
            return
        }
        let (since, until) = (self.since, self.until)
        control.withLock {
            // The range of --since / --until, within what was loaded.
            $0.first = max(first, since ?? first)
            $0.last = min(last, until ?? last)
            $0.total = timeline.times.count
            $0.clock.seek(to: $0.first)
        }
        loaded.withLock { $0 = timeline }
        let base = store.withStore { $0.configuration }
        var next = 0
        var wall = DispatchTime.now().uptimeNanoseconds
        while !stop.isSet {
            let now = DispatchTime.now().uptimeNanoseconds
            let elapsed = Double(now - wall) / 1e9
            wall = now
            let newRange = control.withLock { c -> (Int64, Int64)?? in
                guard c.rangeChanged else { return nil }
                c.rangeChanged = false
                return .some(c.range)
            }
            let (target, step, seek, paused) = control.withLock { c -> (Int64, Int, Int64?, Bool) in
                c.clock.advance(wallSeconds: elapsed)
                let s = (c.step, c.seek)
                c.step = 0
                c.seek = nil
                if let t = s.1 { c.clock.seek(to: min(max(t, c.first), c.last)) }
                return (c.clock.position, s.0, s.1, c.clock.paused)
            }
            // Start over (and replay up to the clock at full speed) for a new range, which
            // restricts every pane, or for a jump back in time.
            let backwards = seek.map { $0 < (next > 0 ? timeline.times[next - 1] : Int64.min) } ?? false
            if newRange != nil || backwards {
                var configuration = store.withStore { $0.configuration }
                if let range = newRange {
                    configuration.since = range.map { max($0.0, base.since ?? $0.0) } ?? base.since
                    configuration.until = range.map { min($0.1, base.until ?? $0.1) } ?? base.until
                }
                store.reset(configuration: configuration)
                next = 0
            }
            var released = 0
            let limit = step > 0 ? next + step : timeline.times.count
            // Paused, only a step, a jump or a new range releases events. (A step moves the
            // clock to the stepped event's time; an event of the same time must wait for
            // its own step, not come along on the next turn.)
            let byTime = !paused || seek != nil || newRange != nil || backwards
            store.withStore { s in
                s.currentSource = s.addSource(name)
                while next < limit && (step > 0 || (byTime && timeline.times[next] <= target)) && released < 200_000 {
                    timeline.withEvent(next) { s.document($0) }
                    next += 1
                    released += 1
                }
            }
            if step > 0, next > 0 { control.withLock { $0.clock.seek(to: timeline.times[next - 1]) } }
            let c = control.withLock { c in
                c.released = next
                c.loaded = true
                c.done = next >= timeline.times.count || timeline.times[next] > c.last
                return c
            }
            let percent = c.total == 0 ? 100 : next * 100 / c.total
            let clock = Timestamp.format(min(c.clock.position, c.last)).dropFirst(11).prefix(8)
            status.current = "\(clock) \(c.clock.paused ? "paused" : c.clock.speedText) \(percent)%"
            if released == 0 { usleep(20_000) }
        }
    }
}

/// Every event of a set of saved logs, sorted by time, kept as raw JSON in one buffer.
public final class ReplayTimeline: @unchecked Sendable {
    // Built once by `load`, then only read.
    /// The raw events, in blocks that are never moved or copied once written.
    private var blocks: [UnsafeMutableBufferPointer<UInt8>] = []
    private var used = 0
    private static let blockSize = 32 << 20
    private(set) var times: [Int64] = []
    private(set) var denied: [Bool] = []
    /// Where each event is: its block, offset and length.
    private var spans: [(block: Int32, start: Int32, count: Int32)] = []

    deinit {
        for b in blocks { b.deallocate() }
    }

    /// Loads `paths` (files, globs, folders) and sorts their events by time (stable, so
    /// events of one file keep their order). `progress` gets percents and can stop it.
    public static func load(_ paths: [String], maxLine: Int, progress: (Int) -> Bool) throws -> ReplayTimeline {
        let files = try LogSet.expand(paths)
        let timeline = ReplayTimeline()
        let collector = TimelineCollector(timeline: timeline)
        for (k, file) in files.enumerated() {
            guard progress(k * 100 / max(files.count, 1)) else { break }
            try ParallelLogReader(maxLine: maxLine).read(file, into: collector)
        }
        let order = timeline.times.indices.sorted { (timeline.times[$0], $0) < (timeline.times[$1], $1) }
        timeline.times = order.map { timeline.times[$0] }
        timeline.spans = order.map { timeline.spans[$0] }
        timeline.denied = order.map { timeline.denied[$0] }
        return timeline
    }

    fileprivate func append(_ raw: UnsafeBufferPointer<UInt8>, time: Int64, denied: Bool) {
        self.denied.append(denied)
        if blocks.isEmpty || used + raw.count > blocks[blocks.count - 1].count {
            blocks.append(.allocate(capacity: max(ReplayTimeline.blockSize, raw.count)))
            used = 0
        }
        let block = blocks[blocks.count - 1]
        _ = UnsafeMutableBufferPointer(rebasing: block[used..<used + raw.count]).initialize(from: raw)
        spans.append((Int32(blocks.count - 1), Int32(used), Int32(raw.count)))
        used += raw.count
        times.append(time)
    }

    /// Calls `body` with event `k`'s raw JSON.
    public func withEvent<R>(_ k: Int, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        let span = spans[k]
        return body(UnsafeBufferPointer(start: blocks[Int(span.block)].baseAddress! + Int(span.start), count: Int(span.count)))
    }

    public var count: Int { times.count }

    /// Events and denied events per bin over `first...last`, `bins` bins.
    public func histogram(bins: Int, first: Int64, last: Int64) -> (events: [Int], denied: [Int]) {
        var events = [Int](repeating: 0, count: max(bins, 1))
        var denials = events
        let span = max(last - first, 1)
        for k in times.indices where times[k] >= first && times[k] <= last {
            let bin = min(bins - 1, Int((times[k] - first) * Int64(bins) / (span + 1)))
            events[bin] += 1
            if denied[k] { denials[bin] += 1 }
        }
        return (events, denials)
    }

    /// How many events have a time at or before `time` (the ones a replay at that point has
    /// released).
    public func released(until time: Int64) -> Int {
        var lo = 0
        var hi = times.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if times[mid] <= time { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }
    public func time(_ k: Int) -> Int64 { times[k] }
}

/// The replay loader's sink: keeps every decoded event (duplicates too, so a replay counts
/// them as `report` does) on the timeline, and nothing else.
private final class TimelineCollector: LogSink {
    let timeline: ReplayTimeline
    let decoder = EventDecoder()
    var currentSource: UInt16 = 0
    private(set) var accepted = 0
    var maxDepth: Int { StoreConfiguration().maxDepth }

    init(timeline: ReplayTimeline) { self.timeline = timeline }

    func addSource(_ name: String) -> UInt16 { 0 }
    func prefetch(_ id: AuditID) {}
    func ingest(_ e: inout DecodedEvent, id: AuditID?) { event(&e) }
    func document(_ bytes: UnsafeBufferPointer<UInt8>) { decoder.decode(bytes, into: self) }
    /// Input that is not an event never reaches the timeline, so a replay counts events only
    /// (`report` on the same files counts what was malformed).
    func malformed(_ kind: MalformedKind) {}

    func event(_ e: inout DecodedEvent) {
        accepted += 1
        let denied = e.code == 401 || e.code == 403 || e.string(e.decision) == "forbid"
        timeline.append(UnsafeBufferPointer(start: e.base + e.raw.start, count: e.raw.count),
                        time: e.received ?? e.stageTime ?? 0, denied: denied)
    }
}
