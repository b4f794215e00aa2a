import AuditSimulator
import Foundation

/// `audittop-bench --soak`: feeds `audittop collect -` with simulated traffic in which every
/// object name is new (the worst case for interned strings), sampling the collector's RSS
/// every `sample` events, and prints the curve.
///
/// The default, 18,000,000 events, is an hour of a busy cluster at 5,000 events/s, fed as
/// fast as the collector takes it. The pipe blocks when the collector falls behind, so what
/// was written is what it has read, give or take the pipe's and the reader's buffers.
enum SoakBench {
    /// `report` instead of `collect`: `audittop report -` with its defaults (the dashboard's
    /// 200,000-event ring and 64 MiB of raw JSON), which ends by itself at the end of input.
    static func run(audittop: String, events: Int, sample: Int, report: Bool = false) throws {
        let collector = Process()
        collector.executableURL = URL(fileURLWithPath: audittop)
        collector.arguments = report ? ["report", "-", "--format", "json"] : ["collect", "-", "--status-every", "3600s"]
        let input = Pipe()
        let log = Pipe()
        collector.standardInput = input
        collector.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        collector.standardError = log
        try collector.run()
        let pid = collector.processIdentifier
        say("soak: \(events) events into `audittop \(collector.arguments![0]) -` (pid \(pid)), every object name new; RSS every \(sample)\n")
        say("   events    RSS MB   events/s")

        var sim = Simulator(seed: 23, incidentAfter: 600_000_000, incidentEvery: 1_800_000_000)
        var buffer: [UInt8] = []
        buffer.reserveCapacity(1 << 22)
        var samples: [(events: Int, megabytes: Double)] = []
        var started = Date()
        let out = input.fileHandleForWriting
        for k in 1...events {
            renameObject(sim.next().line, k, into: &buffer)
            if buffer.count >= 1 << 20 || k % sample == 0 {
                out.write(Data(buffer))
                buffer.removeAll(keepingCapacity: true)
            }
            if k % sample == 0 {
                let rss = residentMegabytes(pid)
                let rate = Double(sample) / Date().timeIntervalSince(started)
                started = Date()
                samples.append((k, rss))
                say(String(format: "%9d %9.1f %10.0f", k, rss, rate))
            }
        }
        out.write(Data(buffer))
        try out.close()
        // Give the collector a moment to read what is in the pipe, then stop it as an operator would.
        usleep(500_000)
        if !report { kill(pid, SIGTERM) }
        let stderr = log.fileHandleForReading.readDataToEndOfFile()
        collector.waitUntilExit()
        summarize(samples, events: events, stoppedLine: lastLine(stderr))
    }

    /// Prints a line at once (the curve is read while the soak runs, often through a pipe).
    static func say(_ text: String) { FileHandle.standardOutput.write(Data((text + "\n").utf8)) }

    /// Copies `line` with its `objectRef.name` (and the URI's last segment, when it is that
    /// name) made unique by appending `-s<k>`.
    static func renameObject(_ line: [UInt8], _ k: Int, into out: inout [UInt8]) {
        let key = Array(#""name":""#.utf8)
        guard let ref = find(Array(#""objectRef":{"#.utf8), in: line, from: 0),
            let at = find(key, in: line, from: ref), let end = line[(at + key.count)...].firstIndex(of: UInt8(ascii: "\""))
        else {
            out.append(contentsOf: line)
            return
        }
        out.append(contentsOf: line[..<end])
        out.append(contentsOf: Array("-s\(k)".utf8))
        out.append(contentsOf: line[end...])
    }

    static func find(_ needle: [UInt8], in hay: [UInt8], from: Int) -> Int? {
        guard hay.count >= needle.count, from <= hay.count - needle.count else { return nil }
        var i = from
        while i <= hay.count - needle.count {
            if hay[i] == needle[0], hay[i..<(i + needle.count)].elementsEqual(needle) { return i }
            i += 1
        }
        return nil
    }

    static func residentMegabytes(_ pid: Int32) -> Double {
        status(pid, "VmRSS:")
    }

    static func status(_ pid: Int32, _ field: String) -> Double {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let line = text.split(separator: "\n").first(where: { $0.hasPrefix(field) })
        else { return 0 }
        return (Double(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "0") ?? 0) / 1024
    }

    static func lastLine(_ data: Data) -> String {
        String(decoding: data, as: UTF8.self).split(separator: "\n").last(where: { $0.contains("stopped:") }).map(String.init) ?? "(no stop line)"
    }

    static func summarize(_ samples: [(events: Int, megabytes: Double)], events: Int, stoppedLine: String) {
        say("\ncollector: \(stoppedLine)")
        guard let first = samples.first, let last = samples.last else { return }
        let sizes = samples.map(\.megabytes).sorted()
        let median = sizes[sizes.count / 2]
        let deviation = sizes.map { abs($0 - median) / median * 100 }.max() ?? 0
        say(String(format: "RSS from %d to %d events: %.1f to %.1f MB, median %.1f MB, every sample within %.1f%% of it",
                     first.events, last.events, sizes.first!, sizes.last!, median, deviation))
        if let at3M = samples.first(where: { $0.events >= 3_000_000 }) {
            say(String(format: "at %d events: %.1f MB (aim: at most 200 MB): %@", at3M.events, at3M.megabytes,
                         at3M.megabytes <= 200 ? "met" : "MISSED"))
        }
        say("flat within ±10% from the first sample on (aim): \(deviation <= 10 ? "met" : "MISSED")")
    }
}
