import AuditCore
import AuditSimulator
import AuditSources
import Foundation

/// The benchmark: time `audittop report` on a generated log against the peers in
/// `../shared/bench/peers.sh`, in the same run, and print medians and ratios.
///
///     swift build -c release && .build/release/audittop-bench [--events N] [--runs R]
///         [--log FILE] [--peers PATH] [--no-peers]
///     .build/release/audittop-bench --soak [--events N] [--sample N]
///     .build/release/audittop-bench --community-rules [--events N] [--runs R] [--corpus DIR]
@main
struct Bench {
    static func main() throws {
        let options = BenchOptions(arguments: Array(CommandLine.arguments.dropFirst()))
        let here = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        let audittop = here.appendingPathComponent("audittop").path
        guard FileManager.default.isExecutableFile(atPath: audittop) else {
            fail("no audittop binary beside \(here.path); run `swift build -c release` first")
        }
        if !here.path.contains("release") {
            print("warning: \(audittop) is not a release build; figures will be meaningless")
        }
        if options.set {
            var setOptions = options
            if setOptions.events == 1_000_000 { setOptions.events = 820_000 }  // about 1 GB
            try SetBench.run(audittop: audittop, options: setOptions)
            return
        }
        if options.webhook {
            try WebhookLoad.run(senders: options.senders, events: options.events == 1_000_000 ? 400_000 : options.events, url: options.url)
            return
        }
        if options.soak {
            try SoakBench.run(audittop: audittop, events: options.events == 1_000_000 ? 18_000_000 : options.events, sample: options.sample,
                              report: options.soakReport)
            return
        }
        if options.query {
            try QueryBench.run(runs: options.runs)
            return
        }
        if options.communityRules {
            try RulesBench.run(audittop: audittop, log: try options.log ?? generate(events: options.events), runs: options.runs,
                               corpus: options.corpus)
            return
        }
        if options.dashboard {
            try DashboardBench.run(audittop: audittop, ingest: !options.noIngest)
            return
        }
        // The realistic log is the headline; the low-cardinality one (the earlier simulator's
        // shape) shows what the engine does when names repeat. `--log` measures one file.
        var logs: [(title: String, path: String)] = []
        if let log = options.log {
            logs = [("log", log)]
        } else {
            logs = [("realistic log", try generate(events: options.events)),
                    ("low-cardinality log", try generate(events: options.events, lowCardinality: true))]
        }
        var sizes: [String: (events: Int, bytes: Int)] = [:]
        for (title, log) in logs {
            let bytes = (try FileManager.default.attributesOfItem(atPath: log)[.size] as? Int) ?? 0
            let events = try countLines(log)
            sizes[log] = (events, bytes)
            print("\(title): \(log) — \(events) events, \(bytes / 1_000_000) MB, \(try distinctNames(log)) distinct object names")
        }
        print("\(options.runs) runs each, alternated, medians\n")

        var results: [String: [String: [Measurement]]] = [:]
        for run in 1...options.runs {
            print("run \(run)/\(options.runs)...")
            for (_, log) in logs {
                results[log, default: [:]]["audittop", default: []].append(try measure(audittop, ["report", log, "--format", "json", "--jobs", "1"]))
                results[log, default: [:]]["audittop-2cores", default: []].append(try measure(audittop, ["report", log, "--format", "json", "--jobs", "2"]))
                if options.peers {
                    for (name, m) in try runPeers(options.peersScript, log) { results[log, default: [:]][name, default: []].append(m) }
                }
            }
        }
        for (title, log) in logs {
            print("\n## \(title)")
            Report.print(results: results[log] ?? [:], events: sizes[log]!.events, bytes: sizes[log]!.bytes, memory: try entryFootprint(log: log))
        }
    }

    /// Distinct `objectRef.name` values in the log, found by bytes in the simulator's compact
    /// lines (the name follows `"objectRef":{` before its closing brace).
    static func distinctNames(_ path: String) throws -> Int {
        let data = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
        let open = Array(#""objectRef":{"#.utf8), key = Array(#""name":""#.utf8)
        var names = Set<Data>()
        data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            let b = raw.bindMemory(to: UInt8.self)
            func at(_ i: Int, _ word: [UInt8]) -> Bool {
                i + word.count <= b.count && word.indices.allSatisfy { b[i + $0] == word[$0] }
            }
            var i = 0
            while i < b.count {
                guard b[i] == UInt8(ascii: "\""), at(i, open) else { i += 1; continue }
                var k = i + open.count
                while k < b.count, b[k] != UInt8(ascii: "}"), !at(k, key) { k += 1 }
                if k < b.count, b[k] != UInt8(ascii: "}") {
                    let start = k + key.count
                    var end = start
                    while end < b.count, b[end] != UInt8(ascii: "\"") { end += 1 }
                    names.insert(Data(b[start..<end]))
                }
                i = k
            }
        }
        return names.count
    }

    static func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("audittop-bench: \(message)\n".utf8))
        exit(2)
    }

    /// Writes `events` simulated events to a temporary file (about 1.2 kB each).
    static func generate(events: Int, lowCardinality: Bool = false) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("audittop-bench-\(events)\(lowCardinality ? "-low" : "").jsonl").path
        if let size = try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int, size > 0,
            (try? countLines(path)) == events
        {
            return path
        }
        print("generating \(events) events into \(path)...")
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        var sim = Simulator(seed: 42, incidentAfter: Int64(Double(events) / 300 * 0.6 * 1_000_000))
        sim.lowCardinality = lowCardinality
        var buffer: [UInt8] = []
        for _ in 0..<events {
            buffer.append(contentsOf: sim.next().line)
            if buffer.count > 1 << 22 {
                handle.write(Data(buffer))
                buffer.removeAll(keepingCapacity: true)
            }
        }
        handle.write(Data(buffer))
        try handle.close()
        return path
    }

    static func countLines(_ path: String) throws -> Int {
        let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        var n = 0
        while let chunk = try handle.read(upToCount: 1 << 22), !chunk.isEmpty {
            n += chunk.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
        }
        return n
    }

    /// Wall seconds and peak RSS of one run, from GNU time.
    struct Measurement {
        var seconds: Double
        var kilobytes: Int
        /// User plus system CPU seconds; steadier than wall time on a shared VM.
        var cpu: Double = 0
    }

    static func measure(_ tool: String, _ args: [String]) throws -> Measurement {
        let timeFile = FileManager.default.temporaryDirectory.appendingPathComponent("audittop-bench-time").path
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/time")
        p.arguments = ["-f", "%e %M %U %S", "-o", timeFile, tool] + args
        p.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        try p.run()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { fail("\(tool) \(args.joined(separator: " ")) failed (\(p.terminationStatus))") }
        let parts = try String(contentsOfFile: timeFile, encoding: .utf8).split(whereSeparator: \.isWhitespace)
        let cpu = parts.count >= 4 ? (Double(parts[2]) ?? 0) + (Double(parts[3]) ?? 0) : 0
        return Measurement(seconds: Double(parts[0]) ?? 0, kilobytes: Int(parts[1]) ?? 0, cpu: cpu)
    }

    /// Runs peers.sh once; returns each tool's line.
    static func runPeers(_ script: String, _ log: String) throws -> [(String, Measurement)] {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/bash")
        p.arguments = [script, log]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        var rows: [(String, Measurement)] = []
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
            let f = line.split(whereSeparator: \.isWhitespace)
            // name  SECONDS s  KB KB
            if f.count >= 5, f[2] == "s", let s = Double(f[1]), let kb = Int(f[3]) {
                rows.append((String(f[0]), Measurement(seconds: s, kilobytes: kb)))
            } else {
                print("  peers: \(line)")
            }
        }
        return rows
    }

    /// Bytes per ring entry: the entry itself, and with its share of interned strings and
    /// the request table, after loading the log with the default configuration.
    static func entryFootprint(log: String) throws -> (stride: Int, withStrings: Double, withRequests: Double) {
        let store = EventStore()
        try LogReader().read(log, into: store)
        let n = Double(store.ring.count)
        let entries = Double(store.ring.memoryBytes)
        let strings = Double(store.strings.memoryBytes)
        let requests = Double(store.requestTableBytes)
        // The entry and the links the ring keeps beside it (`RingLinks`).
        return (MemoryLayout<RingEntry>.stride + MemoryLayout<RingLinks>.stride, (entries + strings) / n, (entries + strings + requests) / n)
    }
}
