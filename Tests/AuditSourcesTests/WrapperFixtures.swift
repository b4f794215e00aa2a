import AuditCore
import AuditDashboard
import AuditSimulator
import AuditSources
import Foundation

/// The same events, written the way each log location and cloud service hands them out, and
/// what `report --format json` makes of a file.
enum WrapperFixtures {
    /// A simulated EKS cluster with its incident: one audit Event a line.
    static let lines: [[UInt8]] = {
        var sim = Simulator(seed: 11, flavor: .eks, incidentAfter: Int64(4_000.0 / 300 * 0.5 * 1_000_000))
        return (0..<4_000).map { _ in
            var line = sim.next().line
            if line.last == 0x0A { line.removeLast() }
            return line
        }
    }()

    /// An event that breaks part-way: what every wrapper's bad item holds.
    static let broken = Array(#"{"kind":"Event","apiVersion":"audit.k8s.io/v1","auditID":"b0rken","verb":"#.utf8)

    static func time(_ k: Int) -> String { String(format: "2026-12-03T14:%02d:%02d.%06dZ", k / 3600 % 60, k / 60 % 60, k % 1_000_000) }

    static func joined(_ lines: [[UInt8]]) -> [UInt8] { lines.flatMap { $0 + [0x0A] } }

    /// The lines with `broken` put in the middle, when `damaged`.
    static func items(damaged: Bool) -> [[UInt8]] {
        var items = lines
        if damaged { items.insert(broken, at: items.count / 2) }
        return items
    }

    /// kubelet's CRI log of an apiserver run with `--audit-log-path=-`: events on stdout,
    /// long ones split into `P` pieces, and klog lines on stderr between them.
    static func cri(damaged: Bool) -> [UInt8] {
        var out: [[UInt8]] = []
        for (k, line) in items(damaged: damaged).enumerated() {
            let prefix = Array("\(time(k)) stdout ".utf8)
            if k % 9 == 0 {
                out.append(Array("\(time(k)) stderr F I1203 14:00:00.000000       1 httplog.go:132] \"HTTP\" verb=\"GET\" URI=\"/livez\"".utf8))
            }
            if k % 5 == 0 && line.count > 300 {
                var at = 0
                while at < line.count {
                    let end = min(at + 128, line.count)
                    out.append(prefix + Array((end < line.count ? "P " : "F ").utf8) + line[at..<end])
                    at = end
                }
            } else {
                out.append(prefix + Array("F ".utf8) + line)
            }
        }
        return joined(out)
    }

    /// `kubectl logs --timestamps` of the apiserver pod: a timestamp before each line, and the
    /// apiserver's own klog lines among the events.
    static func kubectlTimestamps(damaged: Bool) -> [UInt8] {
        var out: [[UInt8]] = []
        for (k, line) in items(damaged: damaged).enumerated() {
            if k % 7 == 0 { out.append(Array("\(time(k)) W1203 14:00:00.000000       1 warnings.go:70] deprecated".utf8)) }
            out.append(Array("\(time(k)) ".utf8) + line)
        }
        return joined(out)
    }

    /// A syslog file (rsyslog's traditional format) with the apiserver's tag.
    static func syslog(damaged: Bool) -> [UInt8] {
        joined(items(damaged: damaged).map { Array("Dec  3 14:00:00 ip-10-0-1-13 kube-apiserver[812]: ".utf8) + $0 })
    }

    /// `journalctl -o short-iso`.
    static func journald(damaged: Bool) -> [UInt8] {
        joined(items(damaged: damaged).map { Array("2026-12-03T14:00:00+0000 ip-10-0-1-13 kube-apiserver[812]: ".utf8) + $0 })
    }

    /// `aws logs tail` (the log stream after the time), or without the stream
    /// (`--format short`, and CloudWatch's export to S3, gzipped by the caller).
    static func awsTail(stream: Bool, damaged: Bool) -> [UInt8] {
        joined(items(damaged: damaged).enumerated().map { k, line in
            Array("2026-12-03T14:00:\(String(format: "%02d", k % 60)).123000+00:00 ".utf8)
                + (stream ? Array("kube-apiserver-audit-0123456789abcdef0123456789abcdef ".utf8) : []) + line
        })
    }

    /// `{"message": "<line>", ...}` for CloudWatch's arrays.
    static func logEvent(_ line: [UInt8], _ k: Int) -> [String: Any] {
        ["id": "\(3_000_000 + k)", "timestamp": 1_796_000_000_000 + k, "message": String(decoding: line, as: UTF8.self)]
    }

    /// `aws logs filter-log-events` output, pretty-printed, one JSON value per page.
    static func filterLogEvents(damaged: Bool) throws -> [UInt8] {
        var out: [UInt8] = []
        let all = items(damaged: damaged)
        for page in stride(from: 0, to: all.count, by: 1_000) {
            let events = all[page..<min(page + 1_000, all.count)].enumerated().map { k, line in
                var e = logEvent(line, page + k)
                e["logStreamName"] = "kube-apiserver-audit-0123456789abcdef"
                e["ingestionTime"] = 1_796_000_000_500 + k
                e["eventId"] = "\(37_000_000 + page + k)"
                return e
            }
            let value: [String: Any] = ["events": events, "searchedLogStreams": [], "nextToken": "Bxkq6kVGFtq2y_Mo"]
            out += try JSONSerialization.data(withJSONObject: value, options: [.prettyPrinted]) + [0x0A]
        }
        return out
    }

    /// `aws logs get-log-events` responses (at most 1 MB each), compact, as a script that
    /// follows `nextForwardToken` saves them: one a line.
    static func getLogEvents(damaged: Bool) throws -> [UInt8] {
        var out: [UInt8] = []
        for (k, page) in pages(items(damaged: damaged), 500).enumerated() {
            let events = page.map { logEvent($0.line, $0.k) }
            let value: [String: Any] = ["events": events, "nextForwardToken": "f/\(k + 1)", "nextBackwardToken": "b/\(k)"]
            out += try JSONSerialization.data(withJSONObject: value) + [0x0A]
        }
        return out
    }

    /// `lines` cut into pages of `size`, each line with its index.
    static func pages(_ lines: [[UInt8]], _ size: Int) -> [[(k: Int, line: [UInt8])]] {
        stride(from: 0, to: lines.count, by: size).map { start in
            (start..<min(start + size, lines.count)).map { ($0, lines[$0]) }
        }
    }

    /// Subscription-filter records: `DATA_MESSAGE`s of 250 events, one control message first.
    static func dataMessages(damaged: Bool) throws -> [[UInt8]] {
        let control: [String: Any] = [
            "messageType": "CONTROL_MESSAGE", "owner": "CloudwatchLogs", "logGroup": "", "logStream": "",
            "subscriptionFilters": [], "logEvents": [["id": "", "timestamp": 1_796_000_000_000,
                "message": "CWL CONTROL MESSAGE: Checking health of destination Firehose."]],
        ]
        var records = [Array(try JSONSerialization.data(withJSONObject: control))]
        let all = items(damaged: damaged)
        for batch in stride(from: 0, to: all.count, by: 250) {
            let record: [String: Any] = [
                "messageType": "DATA_MESSAGE", "owner": "111122223333", "logGroup": "/aws/eks/prod/cluster",
                "logStream": "kube-apiserver-audit-0123456789abcdef", "subscriptionFilters": ["to-firehose"],
                "logEvents": all[batch..<min(batch + 250, all.count)].enumerated().map { k, line in logEvent(line, batch + k) },
            ]
            records.append(Array(try JSONSerialization.data(withJSONObject: record)))
        }
        return records
    }

    /// Firehose's S3 object: each record gzipped on its own, the members back to back.
    static func firehose(damaged: Bool) throws -> [UInt8] {
        try dataMessages(damaged: damaged).flatMap { try gzip($0) }
    }

    /// A Lambda's Kinesis event per line: `Records[].kinesis.data`, base64 of gzip.
    static func kinesisEvents(damaged: Bool) throws -> [UInt8] {
        var out: [UInt8] = []
        for (k, record) in try dataMessages(damaged: damaged).enumerated() {
            let value: [String: Any] = ["Records": [[
                "kinesis": ["partitionKey": "\(k)", "data": Data(try gzip(record)).base64EncodedString(), "sequenceNumber": "\(k)"],
                "eventSource": "aws:kinesis",
            ]]]
            out += try JSONSerialization.data(withJSONObject: value) + [0x0A]
        }
        return out
    }

    /// Kinesis records saved as text: one base64 record a line.
    static func base64Lines(damaged: Bool) throws -> [UInt8] {
        joined(try dataMessages(damaged: damaged).map { Array(Data(try gzip($0)).base64EncodedString().utf8) })
    }

    /// AKS's diagnostic-settings records (Event Hubs, storage): `properties.log` as a string,
    /// in batches under Event Hubs' 1 MB, one a line.
    static func azure(damaged: Bool) throws -> [UInt8] {
        var out: [UInt8] = []
        for page in pages(items(damaged: damaged), 400) {
            let records = page.map { item -> [String: Any] in
                ["category": "kube-audit", "operationName": "Microsoft.ContainerService/managedClusters/diagnosticLogs/Read",
                 "properties": ["log": String(decoding: item.line, as: UTF8.self), "stream": "stdout", "pod": "kube-apiserver-7d4f"]]
            }
            out += try JSONSerialization.data(withJSONObject: ["records": records]) + [0x0A]
        }
        return out
    }

    /// `bytes` compressed by the system's gzip.
    static func gzip(_ bytes: [UInt8]) throws -> [UInt8] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "gzip -c"]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        let writer = Thread { input.fileHandleForWriting.write(Data(bytes)); try? input.fileHandleForWriting.close() }
        writer.start()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Array(out)
    }

    /// Writes `bytes` to a new file and returns its path.
    static func file(_ bytes: [UInt8], _ name: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("audittop-wrap-\(UUID().uuidString)-\(name)").path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// `report --format json` of `bytes` written as a file, without the file's name.
    static func report(_ bytes: [UInt8], _ name: String) throws -> Report {
        let path = try file(bytes, name)
        defer { try? FileManager.default.removeItem(atPath: path) }
        var configuration = StoreConfiguration()
        configuration.rawBudget = 0
        let store = EventStore(configuration: configuration)
        try LogReader().read(path, into: store)
        var report = Report(store: store, limit: 20)
        report.sources = []
        report.top.sources = []
        return report
    }

    /// The top-level report fields where `a` and `b` differ, for a short failure message.
    static func differences(_ a: Report, _ b: Report) -> [String] {
        func fields(_ r: Report) -> [String: String] {
            let object = (try? JSONSerialization.jsonObject(with: JSONEncoder().encode(r))) as? [String: Any] ?? [:]
            return object.mapValues { value in
                (try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .fragmentsAllowed]))
                    .map { String(decoding: $0, as: UTF8.self) } ?? "\(value)"
            }
        }
        let x = fields(a), y = fields(b)
        return Set(x.keys).union(y.keys).sorted().filter { x[$0] != y[$0] }.map { key in
            "\(key): \(x[key]?.prefix(300) ?? "-") vs \(y[key]?.prefix(300) ?? "-")"
        }
    }
}
