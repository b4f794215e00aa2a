import AuditCore
import AuditSimulator
import AuditSources
import Foundation

/// `audittop-bench --set`: time to final statistics for a rotated set of 10 files totalling
/// about 1 GB uncompressed, half of them gzipped, with `report --jobs 1` and `--jobs 2`;
/// the peers run on the same events as one uncompressed file, in the same run.
enum SetBench {
    static func run(audittop: String, options: BenchOptions) throws {
        let events = options.events
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("audittop-bench-set-\(events)")
        let all = dir.appendingPathComponent("all-uncompressed.jsonl.txt").path
        let set = dir.appendingPathComponent("set")
        if !FileManager.default.fileExists(atPath: all) {
            try? FileManager.default.removeItem(at: dir)
            try FileManager.default.createDirectory(at: set, withIntermediateDirectories: true)
            print("generating a rotated set of 10 files (\(events) events, half gzipped) in \(set.path)...")
            var sim = Simulator(seed: 21, incidentAfter: Int64(Double(events) / 300 * 0.6 * 1_000_000))
            _ = FileManager.default.createFile(atPath: all, contents: nil)
            let whole = try FileHandle(forWritingTo: URL(fileURLWithPath: all))
            for file in 0..<10 {
                var lines: [UInt8] = []
                var firstTime: Int64 = 0
                for k in 0..<(events / 10) {
                    let (time, line) = sim.next()
                    if k == 0 { firstTime = time }
                    lines.append(contentsOf: line)
                }
                try whole.write(contentsOf: lines)
                // Rotated files are named for when they were rotated: the next file's start.
                let name = file == 9 ? "audit.log" : "audit-" + lumberjack(firstTime + 60_000_000) + ".log"
                let path = set.appendingPathComponent(name).path
                try Data(lines).write(to: URL(fileURLWithPath: path))
                if file % 2 == 1 && file != 9 { try shell("gzip -f '\(path)'") }
            }
            try whole.close()
        }
        let bytes = (try FileManager.default.attributesOfItem(atPath: all)[.size] as? Int) ?? 0
        let onDisk = try FileManager.default.contentsOfDirectory(atPath: set.path).reduce(0) {
            $0 + ((try? FileManager.default.attributesOfItem(atPath: set.appendingPathComponent($1).path)[.size] as? Int) ?? 0)
        }
        print("set: \(set.path) — \(events) events, \(bytes / 1_000_000) MB uncompressed, \(onDisk / 1_000_000) MB on disk; \(options.runs) runs each\n")
        var results: [String: [Bench.Measurement]] = [:]
        for run in 1...options.runs {
            print("run \(run)/\(options.runs)...")
            results["audittop", default: []].append(try Bench.measure(audittop, ["report", set.path, "--format", "json", "--jobs", "1"]))
            results["audittop-2cores", default: []].append(try Bench.measure(audittop, ["report", set.path, "--format", "json", "--jobs", "2"]))
            results["replay-max", default: []].append(replayAtMaxSpeed(set.path))
            if options.peers {
                for (name, m) in try Bench.runPeers(options.peersScript, all) { results[name, default: []].append(m) }
            }
        }
        Report.print(results: results, events: events, bytes: bytes, memory: nil)
    }

    /// Time to final statistics of `--replay --speed max`, run in process (the dashboard
    /// itself needs a terminal): loading, sorting by time, and releasing every event. Memory
    /// is not measured here (the benchmark's own process), so it shows as 0.
    static func replayAtMaxSpeed(_ path: String) -> Bench.Measurement {
        let started = DispatchTime.now().uptimeNanoseconds
        let store = SharedEventStore()
        let source = ReplaySource(paths: [path], speed: nil)
        let stop = StopSignal()
        let thread = Thread { source.run(into: store, stop: stop) }
        thread.start()
        while !source.state.hasSuffix(" 100%") { usleep(2_000) }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        stop.set()
        let ingested = store.withStore { $0.counters.ingested + $0.counters.duplicates }
        print(String(format: "  replay --speed max: %.2f s, %d events", seconds, ingested))
        return Bench.Measurement(seconds: seconds, kilobytes: 0)
    }

    /// `2006-01-02T15-04-05.000`, as lumberjack names rotated files.
    static func lumberjack(_ micros: Int64) -> String {
        String(Timestamp.format(micros).prefix(23)).replacingOccurrences(of: ":", with: "-")
    }

    static func shell(_ command: String) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", command]
        try p.run()
        p.waitUntilExit()
    }
}
