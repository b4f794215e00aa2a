import AuditCore
import AuditDashboard
import AuditSimulator
import AuditSources
import Foundation

/// `audittop-bench --dashboard`: the dashboard's figures. Frame compose time (snapshot under
/// the lock plus rendering at 200x60) with a full default ring while another thread ingests
/// 50,000 events/s; RSS with that ring full; and the real binary's CPU when no event arrives.
enum DashboardBench {
    static func run(audittop: String, ingest: Bool = true) throws {
        let store = SharedEventStore()
        let capacity = StoreConfiguration().capacity
        print("filling the default ring (\(capacity) events)...")
        var sim = Simulator(seed: 7, incidentAfter: 120_000_000)
        var framer = StreamDecoder()
        var chunk: [UInt8] = []
        for k in 0..<capacity {
            chunk.append(contentsOf: sim.next().line)
            if chunk.count > 1 << 20 || k == capacity - 1 {
                chunk.withUnsafeBufferPointer { store.feed($0, framer: &framer) }
                chunk.removeAll(keepingCapacity: true)
            }
        }
        let rssFull = residentMegabytes()
        let parts = store.withStore { s in
            (ring: s.ring.memoryBytes, raw: s.rawHeld, strings: s.strings.memoryBytes, strings_: s.strings.count, requests: s.requestTableBytes)
        }
        // 50,000 events/s: batches of 500 every 10 ms. They are generated before the frames
        // are timed, as the real binary reads them from a file rather than simulating them:
        // 120 batches, sent again and again with the first 8 digits of every auditID
        // rewritten per round, so none is a duplicate and each round's requests stay whole.
        print("generating the ingest's batches...")
        var batches: [(bytes: [UInt8], ids: [Int])] = []
        var live = Simulator(seed: 8, incidentAfter: 120_000_000)
        for _ in 0..<120 {
            var bytes: [UInt8] = []
            var ids: [Int] = []
            for _ in 0..<500 {
                let line = live.next().line
                if let at = auditIDOffset(line) { ids.append(bytes.count + at) }
                bytes.append(contentsOf: line)
            }
            batches.append((bytes, ids))
        }
        let stop = StopSignal()
        let prepared = batches
        let ingested = Thread {
            var framer = StreamDecoder()
            var next = Date()
            var round = 0
            while !stop.isSet {
                for (bytes, ids) in prepared where !stop.isSet {
                    var batch = bytes
                    if round > 0 {
                        let digits = Array(String(format: "%08x", round).utf8)
                        for at in ids { for k in 0..<8 { batch[at + k] = digits[k] } }
                    }
                    batch.withUnsafeBufferPointer { store.feed($0, framer: &framer) }
                    next += 0.01
                    let wait = next.timeIntervalSinceNow
                    if wait > 0 { usleep(useconds_t(wait * 1_000_000)) }
                }
                round += 1
            }
        }
        if ingest { ingested.start() }
        var info = StatusInfo()
        info.sources = [("bench", "following")]
        let before = store.withStore { $0.counters.ingested }
        let started = Date()
        // As the loop builds them: tiled at 200x60 (no suspects), and the Overview at 80x24.
        // Per frame: the whole compose, and its parts: waiting for the lock, the model, the render.
        var results: [(String, [Double], [[Double]])] = []
        for (width, height, overview) in [(200, 60, false), (80, 24, true)] {
            var times: [Double] = []
            var parts: [[Double]] = [[], [], []]
            var state = DashboardState()
            state.fit(width: width, height: height)
            for _ in 0..<200 {
                let t0 = DispatchTime.now().uptimeNanoseconds
                var locked: UInt64 = 0
                let model = store.withStore {
                    locked = DispatchTime.now().uptimeNanoseconds
                    return DashboardModel(store: $0, streamRows: 500, topRows: 50, overview: overview)
                }
                let modelled = DispatchTime.now().uptimeNanoseconds
                let grid = DashboardScreen.render(width: width, height: height, model: model, state: state, status: info)
                let t1 = DispatchTime.now().uptimeNanoseconds
                precondition(grid.width == width)
                times.append(Double(t1 - t0) / 1_000_000)
                for (k, ns) in [locked - t0, modelled - locked, t1 - modelled].enumerated() { parts[k].append(Double(ns) / 1_000_000) }
                usleep(50_000)
            }
            results.append(("\(width)x\(height)" + (overview ? " (the Overview)" : ""), times.sorted(), parts.map { $0.sorted() }))
        }
        stop.set()
        let rate = Double(store.withStore { $0.counters.ingested } - before) / Date().timeIntervalSince(started)
        print("")
        func p99(_ t: [Double]) -> Double { t[min(t.count - 1, t.count * 99 / 100)] }
        for (name, times, parts) in results {
            print("frame compose at " + name + String(format: ", full ring, ingesting %.0f events/s: median %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms (%d frames)",
                                                      rate, times[times.count / 2], times[times.count * 9 / 10], p99(times), times[times.count - 1], times.count))
            print(String(format: "  its parts, median / p99: waiting for the lock %.2f / %.2f ms, the model %.2f / %.2f ms, the render %.2f / %.2f ms",
                         parts[0][100], p99(parts[0]), parts[1][100], p99(parts[1]), parts[2][100], p99(parts[2])))
        }
        let budget = StoreConfiguration().rawBudget
        print(String(format: "RSS with the default ring full (%d events, %d MiB raw budget): %.0f MB", capacity, budget >> 20, rssFull))
        let mb = { (b: Int) in Double(b) / 1_000_000 }
        print(String(format: "  of which: ring %.1f MB; raw JSON %.1f MB holding %d events (%.1f MB uncompressed); %d interned strings %.1f MB; request table %.1f MB",
                     mb(parts.ring), mb(parts.raw.memory), parts.raw.events, mb(parts.raw.bytes), parts.strings_, mb(parts.strings), mb(parts.requests)))
        if ingest, let real = try realBinary(audittop, events: capacity + capacity / 4) {
            print(String(format: "audittop following a file of %d events, the ring full: RSS %.0f MB (%@); then idle: %.2f%% of one core over 5 s",
                         capacity + capacity / 4, real.rss, real.status, real.idle))
        }
    }

    /// Where the auditID's value starts in one event's line.
    static func auditIDOffset(_ line: [UInt8]) -> Int? {
        let key = Array(#""auditID":""#.utf8)
        guard line.count > key.count else { return nil }
        for i in 0...(line.count - key.count) where line[i] == key[0] && Array(line[i..<(i + key.count)]) == key {
            return i + key.count + 8 <= line.count ? i + key.count : nil
        }
        return nil
    }

    static func residentMegabytes() -> Double {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") })
        else { return 0 }
        return (Double(line.split(separator: " ")[1]) ?? 0) / 1024
    }

    /// The real binary at its defaults, following a file of `events` events that nobody
    /// writes to, in a detached tmux session: its RSS once it has read the file (a user's
    /// "RSS at defaults"), and its CPU share afterwards, from /proc.
    static func realBinary(_ audittop: String, events: Int) throws -> (rss: Double, status: String, idle: Double)? {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/tmux") else {
            print("(tmux not installed: the real binary not measured)")
            return nil
        }
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("audittop-bench-idle.log").path
        var sim = Simulator(seed: 1, incidentAfter: 1_000_000_000)
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: log) }
        let out = FileHandle(forWritingAtPath: log)!
        var text: [UInt8] = []
        for k in 0..<events {
            text.append(contentsOf: sim.next().line)
            if text.count > 4 << 20 || k == events - 1 {
                out.write(Data(text))
                text.removeAll(keepingCapacity: true)
            }
        }
        try out.close()
        let session = "audittop-bench-idle"
        shell(["tmux", "kill-session", "-t", session])
        shell(["tmux", "new-session", "-d", "-s", session, "-x", "200", "-y", "60", "TERM=xterm-256color exec \(audittop) \(log)"])
        defer { shell(["tmux", "kill-session", "-t", session]) }
        sleep(2)
        guard let pid = Int32(shell(["tmux", "list-panes", "-t", session, "-F", "#{pane_pid}"], capture: true).trimmingCharacters(in: .whitespacesAndNewlines)) else { return nil }
        // Read to the end: the status bar's event count stops moving.
        var rss = 0.0
        var last = "", same = 0
        for _ in 0..<180 {
            let bar = shell(["tmux", "capture-pane", "-p", "-t", session], capture: true).split(separator: "\n").first.map(String.init) ?? ""
            let count = bar.split(separator: "│").first { $0.contains(" events") }.map(String.init) ?? ""
            same = count == last && !count.isEmpty ? same + 1 : 0
            last = count
            if same >= 2 { break }
            sleep(1)
        }
        rss = resident(pid)
        let status = shell(["tmux", "capture-pane", "-p", "-t", session], capture: true).split(separator: "\n").first.map(String.init) ?? ""
        let a = cpuTicks(pid)
        sleep(5)
        let b = cpuTicks(pid)
        return (rss, status.trimmingCharacters(in: .whitespaces).prefix(100).description, Double(b - a) / Double(sysconf(Int32(_SC_CLK_TCK))) / 5 * 100)
    }

    static func resident(_ pid: Int32) -> Double {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") })
        else { return 0 }
        return (Double(line.split(separator: " ", omittingEmptySubsequences: true)[1]) ?? 0) / 1024
    }

    static func cpuTicks(_ pid: Int32) -> Int {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return 0 }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        return (Int(fields[11]) ?? 0) + (Int(fields[12]) ?? 0)
    }

    /// Runs `args` through the shell and returns its output. (popen, not Foundation's
    /// Process: a tmux client that starts the server was left a zombie that Process never
    /// reaped, and the benchmark waited forever.)
    @discardableResult
    static func shell(_ args: [String], capture: Bool = false) -> String {
        let command = args.map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(separator: " ")
            + (capture ? " 2>/dev/null" : " >/dev/null 2>&1")
        guard let pipe = popen(command, "r") else { return "" }
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = fread(&buffer, 1, buffer.count, pipe)
            if n <= 0 { break }
            out += buffer[0..<n]
        }
        pclose(pipe)
        return String(decoding: out, as: UTF8.self)
    }
}
