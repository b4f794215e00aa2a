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
        // 50,000 events/s: batches of 500 every 10 ms of fresh events (new auditIDs, so
        // none is a duplicate), generated on the ingest thread outside the store's lock.
        let stop = StopSignal()
        let ingested = Thread {
            var sim = Simulator(seed: 8, incidentAfter: 120_000_000)
            var framer = StreamDecoder()
            var batch: [UInt8] = []
            var next = Date()
            while !stop.isSet {
                batch.removeAll(keepingCapacity: true)
                for _ in 0..<500 { batch.append(contentsOf: sim.next().line) }
                batch.withUnsafeBufferPointer { store.feed($0, framer: &framer) }
                next += 0.01
                let wait = next.timeIntervalSinceNow
                if wait > 0 { usleep(useconds_t(wait * 1_000_000)) }
            }
        }
        if ingest { ingested.start() }
        var info = StatusInfo()
        info.sources = [("bench", "following")]
        let before = store.withStore { $0.counters.ingested }
        let started = Date()
        // As the loop builds them: tiled at 200x60 (no suspects), and the Overview at 80x24.
        var results: [(String, [Double])] = []
        for (width, height, overview) in [(200, 60, false), (80, 24, true)] {
            var times: [Double] = []
            var state = DashboardState()
            state.fit(width: width, height: height)
            for _ in 0..<100 {
                let t0 = DispatchTime.now().uptimeNanoseconds
                let model = store.withStore { DashboardModel(store: $0, streamRows: 500, topRows: 50, overview: overview) }
                let grid = DashboardScreen.render(width: width, height: height, model: model, state: state, status: info)
                let t1 = DispatchTime.now().uptimeNanoseconds
                precondition(grid.width == width)
                times.append(Double(t1 - t0) / 1_000_000)
                usleep(100_000)
            }
            results.append(("\(width)x\(height)" + (overview ? " (the Overview)" : ""), times.sorted()))
        }
        stop.set()
        let rate = Double(store.withStore { $0.counters.ingested } - before) / Date().timeIntervalSince(started)
        print("")
        for (name, times) in results {
            print("frame compose at " + name + String(format: ", full ring, ingesting %.0f events/s: median %.2f ms, p99 %.2f ms (100 frames)",
                                                      rate, times[times.count / 2], times[min(times.count - 1, times.count * 99 / 100)]))
        }
        print(String(format: "RSS with the default ring full (200,000 events, 64 MiB raw budget): %.0f MB", rssFull))
        if ingest, let idle = try idleCPU(audittop) { print(String(format: "audittop following an idle file: %.2f%% of one core over 5 s", idle)) }
    }

    static func residentMegabytes() -> Double {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") })
        else { return 0 }
        return (Double(line.split(separator: " ")[1]) ?? 0) / 1024
    }

    /// CPU share of the real binary following a file nobody writes to, measured from /proc
    /// while it runs in a detached tmux session.
    static func idleCPU(_ audittop: String) throws -> Double? {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/tmux") else {
            print("(tmux not installed: idle CPU not measured)")
            return nil
        }
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("audittop-bench-idle.log").path
        var sim = Simulator(seed: 1, incidentAfter: 1_000_000_000)
        var text: [UInt8] = []
        for _ in 0..<1000 { text.append(contentsOf: sim.next().line) }
        _ = FileManager.default.createFile(atPath: log, contents: Data(text))
        let session = "audittop-bench-idle"
        shell(["tmux", "kill-session", "-t", session])
        shell(["tmux", "new-session", "-d", "-s", session, "-x", "200", "-y", "60", "TERM=xterm-256color \(audittop) \(log)"])
        defer { shell(["tmux", "kill-session", "-t", session]) }
        sleep(2)
        guard let pid = Int32(shell(["tmux", "list-panes", "-t", session, "-F", "#{pane_pid}"], capture: true).trimmingCharacters(in: .whitespacesAndNewlines)) else { return nil }
        let a = cpuTicks(pid)
        sleep(5)
        let b = cpuTicks(pid)
        return Double(b - a) / Double(sysconf(Int32(_SC_CLK_TCK))) / 5 * 100
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
