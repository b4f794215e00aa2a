import AuditTestSupport
import AuditSimulator
import Foundation
import Testing

@Suite(.serialized) struct ReportCommandTests {
    func json(_ result: Binary.Result) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: result.stdout) as! [String: Any]
    }

    @Test(.needsCorpus) func reportOnTheCorpusPrintsTheDocumentedJSONSchema() throws {
        let file = Binary.corpus.appendingPathComponent("real-events.jsonl").path
        let r = try Binary.run(["report", file, "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        let report = try json(r)
        for key in ["events", "requests", "duplicates", "malformed", "timeRange", "rates", "top", "denied", "unknownUsers", "anonymous", "latency"] {
            #expect(report[key] != nil, "missing \(key)")
        }
        #expect(report["events"] as? Int == 218)
        #expect(report["duplicates"] as? Int == 20)
        #expect((report["malformed"] as? [String: Any])?["total"] as? Int == 0)
        let top = report["top"] as! [String: [[String: Any]]]
        for key in ["users", "verbs", "resources", "namespaces", "userAgents", "sourceIPs", "codes"] { #expect(top[key] != nil, "top.\(key)") }
        #expect(top["users"]?.first?["name"] as? String == "minikube-user")
        #expect(top["users"]?.first?["count"] as? Int == 38)
        let latency = report["latency"] as! [String: [String: Any]]
        #expect(latency["get"]?["p50"] is Double)
        #expect(latency["watch"] == nil)
        let time = report["timeRange"] as! [String: String]
        #expect(time["first"] == "2017-09-11T19:55:05.000000Z")
    }

    @Test func aMissingFileIsOneLineOnStderrAndExitCode2() throws {
        let r = try Binary.run(["report", "/nonexistent/audit.log"])
        #expect(r.status == 2)
        #expect(r.stderr == "audittop: cannot read /nonexistent/audit.log: No such file or directory\n")
        #expect(r.stdout.isEmpty)
    }

    @Test(.needsCorpus) func stdinIsReadWithDash() throws {
        let data = try Data(contentsOf: Binary.corpus.appendingPathComponent("real-events.jsonl"))
        let r = try Binary.run(["report", "-", "--format", "json"], stdin: data)
        #expect(r.status == 0)
        #expect(try json(r)["events"] as? Int == 218)
    }

    @Test func badLinesAreCountedByKindAndGoodOnesKept() throws {
        let good = #"{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"a-1","stage":"ResponseComplete","requestURI":"/api","verb":"get","user":{"username":"u"}}"#
        var bytes = Data()
        bytes.append(Data((good + "\n").utf8))
        bytes.append(Data(#"{"kind":"Event","auditID":"a-2","verb":"#.utf8)); bytes.append(0x0A)
        bytes.append(Data("not json at all\n".utf8))
        bytes.append(Data(#"{"kind":"Pod"}"#.utf8)); bytes.append(0x0A)
        bytes.append(Data(#"{"kind":"Event","auditID":"a-3","verb":"g"#.utf8)); bytes.append(contentsOf: [0xFF, 0x22, 0x7D, 0x0A])
        bytes.append(Data(good.replacingOccurrences(of: "a-1", with: "a-4").utf8)); bytes.append(0x0A)
        let dir = try Binary.temporaryDirectory()
        let file = dir.appendingPathComponent("mixed.log")
        try bytes.write(to: file)
        let r = try Binary.run(["report", file.path, "--format", "json"])
        let report = try json(r)
        #expect(report["events"] as? Int == 2)
        let malformed = report["malformed"] as! [String: Any]
        let kinds = malformed["byKind"] as! [String: Int]
        #expect(malformed["total"] as? Int == 4)
        #expect(kinds["truncated"] == 1 && kinds["invalidJSON"] == 1 && kinds["notAnEvent"] == 1 && kinds["invalidUTF8"] == 1)
    }

    @Test func textOutputStripsEscapeSequencesButJSONKeepsExactStrings() throws {
        let evil = #"{"kind":"Event","level":"Metadata","auditID":"e-1","stage":"ResponseComplete","requestURI":"/api","verb":"get","user":{"username":"evil\u001b[2J\u001b]0;owned\u0007name"},"responseStatus":{"code":403}}"#
        let dir = try Binary.temporaryDirectory()
        let file = dir.appendingPathComponent("evil.log")
        try Data((evil + "\n").utf8).write(to: file)
        let text = try Binary.run(["report", file.path])
        #expect(text.status == 0)
        #expect(!text.stdout.contains(0x1B))
        #expect(!text.stdout.contains(0x07))
        #expect(text.text.contains("evilname"))
        let json = try json(try Binary.run(["report", file.path, "--format", "json"]))
        let users = (json["top"] as! [String: [[String: Any]]])["users"]!
        #expect(users.first?["name"] as? String == "evil\u{1B}[2J\u{1B}]0;owned\u{07}name")
    }
}

@Suite(.serialized) struct DemoCommandTests {
    @Test func theDemoLogShowsTheIncidentInAlertsDenialsAndUnknownUsers() throws {
        let dir = try Binary.temporaryDirectory()
        let file = dir.appendingPathComponent("demo.jsonl").path
        let w = try Binary.run(["demo", "--write", file, "--events", "100000"])
        #expect(w.status == 0, "\(w.stderr)")
        let size = try FileManager.default.attributesOfItem(atPath: file)[.size] as! Int
        // About 1 kB an event, like real ones.
        #expect(size > 80_000_000 && size < 160_000_000)
        let r = try Binary.run(["report", file, "--format", "json"])
        let report = try JSONSerialization.jsonObject(with: r.stdout) as! [String: Any]
        #expect(report["events"] as? Int == 100_000)
        let unknown = report["unknownUsers"] as! [[String: Any]]
        let anonymous = try #require(unknown.first { $0["user"] as? String == "system:anonymous" && $0["anonymous"] as? Bool == true })
        #expect((anonymous["denied"] as? Int ?? 0) >= 4)
        // The stolen token's denied secret lists, and the alerts of its steps.
        let denied = report["denied"] as! [String: Any]
        let groups = denied["groups"] as! [[String: Any]]
        #expect(groups.contains { $0["user"] as? String == "system:serviceaccount:web:frontend" && $0["resource"] as? String == "secrets" })
        let alerts = (report["alerts"] as! [[String: Any]]).compactMap { $0["rule"] as? String }
        for rule in ["Attach/Exec Pod", "Attach/Exec Into Privileged Pod", "Attach to cluster-admin Role", "Create Privileged Pod",
                     "Create Sensitive Mount Pod", "Impersonation", "K8s Events Deleted"] {
            #expect(alerts.contains(rule), "\(rule)")
        }
        let counts = report["anonymous"] as! [String: Int]
        #expect(counts["denied"]! > 0)
        // With a learning window, the people seen from the start are known; the anonymous
        // identity stays unknown, with the scanner's address among its sources.
        let text = try Binary.run(["report", file, "--learn", "1m"]).text
        let section = try #require(text.range(of: "Unknown users: ").map { text[$0.lowerBound...] }?.split(separator: "\n\n").first)
        // The people are known now; the scanner (anonymous and failed logins, per address)
        // and temp-admin, seen only through impersonation, are not.
        #expect(section.contains("system:anonymous") && section.contains("198.51.100.77"))
        #expect(section.contains("temp-admin"))
        #expect(!section.contains("alice@example.com"))
    }

    @Test func theSameSeedWritesTheSameLog() throws {
        let a = try Binary.run(["demo", "--events", "2000", "--seed", "7"])
        let b = try Binary.run(["demo", "--events", "2000", "--seed", "7"])
        let c = try Binary.run(["demo", "--events", "2000", "--seed", "8"])
        #expect(a.stdout == b.stdout)
        #expect(a.stdout != c.stdout)
        #expect(a.stdout.split(separator: 0x0A).count == 2000)
    }

    @Test func aFlavorWritesItsPlatformsIdentitiesTheSameWayEachTime() throws {
        let a = try Binary.run(["demo", "--events", "3000", "--flavor", "eks"])
        let b = try Binary.run(["demo", "--events", "3000", "--flavor", "eks"])
        #expect(a.status == 0 && a.stdout == b.stdout)
        #expect(a.text.contains("\"username\":\"eks:node-manager\"") && a.text.contains(".eu-west-1.compute.internal"))
        #expect(!a.text.contains("k8s-worker-01"))
        let bad = try Binary.run(["demo", "--events", "10", "--flavor", "minikube"])
        #expect(bad.status != 0 && bad.stderr.contains("kubeadm, eks, aks, gke, openshift"))
    }
}

@Suite(.serialized) struct EngineOptionTests {
    func report(_ args: [String], file: String) throws -> [String: Any] {
        let r = try Binary.run(["report", file, "--format", "json"] + args)
        #expect(r.status == 0, "\(r.stderr)")
        return try JSONSerialization.jsonObject(with: r.stdout) as! [String: Any]
    }

    @Test(.needsCorpus) func capacityBoundsTheRingButNotTheCounts() throws {
        let file = Binary.corpus.appendingPathComponent("real-events.jsonl").path
        let r = try report(["--capacity", "10"], file: file)
        #expect(r["events"] as? Int == 218)
        #expect(r["evicted"] as? Int == 208)
    }

    @Test(.needsCorpus) func maxLineSkipsLongerLinesAsOversized() throws {
        let file = Binary.corpus.appendingPathComponent("real-events.jsonl").path
        let lengths = try Data(contentsOf: URL(fileURLWithPath: file)).split(separator: 0x0A).map(\.count)
        let r = try report(["--max-line", "64KiB"], file: file)
        let kinds = (r["malformed"] as! [String: Any])["byKind"] as! [String: Int]
        #expect(kinds["oversized"] == lengths.filter { $0 > 64 * 1024 }.count)
        #expect(kinds["oversized"]! > 0)
    }

    @Test(.needsCorpus) func knownUsersFileRemovesUsersFromTheUnknownList() throws {
        let dir = try Binary.temporaryDirectory()
        let known = dir.appendingPathComponent("known.txt")
        try Data("minikube-user\n*admin\ngroup:system:masters\n".utf8).write(to: known)
        let file = Binary.corpus.appendingPathComponent("real-events.jsonl").path
        let r = try report(["--known-users", known.path], file: file)
        let users = (r["unknownUsers"] as! [[String: Any]]).map { $0["user"] as! String }
        #expect(!users.contains("minikube-user") && !users.contains("kube:admin") && !users.contains("admin"))
        #expect(users.contains("system:anonymous"))
        let missing = try Binary.run(["report", file, "--known-users", "/nonexistent/known.txt"])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("/nonexistent/known.txt"))
    }

    @Test func badOptionValuesAreRefusedWithAHint() throws {
        let r = try Binary.run(["report", "-", "--raw-budget", "lots"])
        #expect(r.status != 0)
        #expect(r.stderr.contains("64MiB"))
        let d = try Binary.run(["report", "-", "--learn", "soon"])
        #expect(d.status != 0)
        #expect(d.stderr.contains("10m"))
    }
}

@Suite(.serialized) struct WebhookCommandTests {
    @Test func webhookConfigPrintsAKubeconfigAndTheFlagsToAdd() throws {
        let r = try Binary.run(["webhook-config", "--server", "https://10.0.0.5:9765/k8s-audit", "--ca", "/etc/audittop/ca.pem",
                                "--client-cert", "/etc/kubernetes/pki/audittop-client.pem", "--client-key", "/etc/kubernetes/pki/audittop-client.key"])
        #expect(r.status == 0)
        let lines = r.text.split(separator: "\n").map(String.init)
        #expect(lines.contains("    server: https://10.0.0.5:9765/k8s-audit"))
        #expect(lines.contains("    certificate-authority: /etc/audittop/ca.pem"))
        #expect(lines.contains("    client-key: /etc/kubernetes/pki/audittop-client.key"))
        #expect(lines.last == "current-context: audittop")
        #expect(r.stderr.contains("--audit-webhook-config-file=/etc/kubernetes/audittop-webhook.yaml"))
        #expect(r.stderr.contains("--audit-webhook-batch-max-size=400"))
        let both = try Binary.run(["webhook-config", "--server", "https://x:1/a", "--client-cert", "c", "--client-key", "k", "--token-file", "t"])
        #expect(both.status != 0)
    }

    @Test(.needsCorpus) func collectTeesExactlyTheUniqueEventsAndReportAgrees() throws {
        let dir = try Binary.temporaryDirectory()
        let tee = dir.appendingPathComponent("feed.log").path
        let port = 20000 + Int.random(in: 0..<20000)
        let url = "http://127.0.0.1:\(port)/k8s-audit"
        // Stopped on every path: a throw below ends the collector with the test.
        let collector = try ChildProcess(Binary.path, ["collect", url, "--tee", tee, "--status-every", "1s"])
        defer { collector.stop() }
        usleep(800_000)
        let corpus = try String(contentsOf: Binary.corpus.appendingPathComponent("real-events.jsonl"), encoding: .utf8)
            .split(separator: "\n").map(String.init)
        // Two batches that overlap, sent twice each (as retries would be).
        let first = "{\"kind\":\"EventList\",\"items\":[" + corpus[0..<150].joined(separator: ",") + "]}"
        let second = "{\"kind\":\"EventList\",\"items\":[" + corpus[100...].joined(separator: ",") + "]}"
        for body in [first, second, first, second] {
            let r = try Binary.post(url, body: body)
            #expect(r == 200)
        }
        usleep(500_000)
        let (status, log) = collector.stop()  // SIGTERM: collect drains and exits 0
        #expect(status == 0, "\(log)")
        #expect(log.contains("events/s"))
        let report = try Binary.run(["report", tee, "--format", "json"])
        let json = try JSONSerialization.jsonObject(with: report.stdout) as! [String: Any]
        // The corpus holds 218 unique auditID+stage pairs.
        #expect(json["events"] as? Int == 218)
        #expect(json["duplicates"] as? Int == 0)
        let lines = try String(contentsOfFile: tee, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 218)
    }
}

extension Binary {
    /// POSTs `body` as JSON with curl; returns the HTTP status.
    static func post(_ url: String, body: String) throws -> Int {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("audittop-post-\(UUID().uuidString)")
        try Data(body.utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        p.arguments = ["-s", "-o", "/dev/null", "-w", "%{http_code}", "-X", "POST", "-H", "Content-Type: application/json",
                       "--data-binary", "@\(file.path)", url]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Int(String(decoding: data, as: UTF8.self)) ?? 0
    }
}

@Suite(.serialized) struct SavedSetTests {
    @Test(.needsCorpus) func reportReadsAFolderWithGzipSaysWhatIsDamagedAndHonoursSince() throws {
        let dir = try Binary.temporaryDirectory()
        let corpus = Binary.corpus.appendingPathComponent("real-events.jsonl").path
        let sh = { (command: String) in
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/bin/sh")
            p.arguments = ["-c", command]
            try p.run()
            p.waitUntilExit()
        }
        try sh("cd '\(dir.path)' && head -100 '\(corpus)' | gzip -c > audit-2025-01-01T00-00-00.000.log.gz && tail -n +101 '\(corpus)' > audit.log && printf 'garbage' | gzip -c | head -c 12 > audit-2025-01-02T00-00-00.000.log.gz")
        let r = try Binary.run(["report", dir.path, "--format", "json"])
        #expect(r.status == 0)
        let json = try JSONSerialization.jsonObject(with: r.stdout) as! [String: Any]
        #expect(json["events"] as? Int == 218)
        #expect(json["duplicates"] as? Int == 20)
        #expect(r.stderr.contains("audit-2025-01-02T00-00-00.000.log.gz: the gzip data ends early"))
        let since = try Binary.run(["report", dir.path, "--format", "json", "--since", "2023-01-01T00:00:00Z"])
        let sinceJSON = try JSONSerialization.jsonObject(with: since.stdout) as! [String: Any]
        let kept = sinceJSON["events"] as! Int
        #expect(kept > 0 && kept < 218)
        #expect(sinceJSON["outsideTimeRange"] as? Int == 218 + 20 - kept - (sinceJSON["duplicates"] as! Int))
        let bad = try Binary.run(["report", dir.path, "--since", "yesterday-ish"])
        #expect(bad.status != 0)
        #expect(bad.stderr.contains("-2h"))
    }

    /// Two apiservers' folders (one gzipped rotation each) give the report of one log holding
    /// both, merged by time: alerts, latest denials and unknown users included.
    @Test func twoApiserversFoldersReportLikeOneMergedLog() throws {
        let dir = try Binary.temporaryDirectory()
        var logs: [[String]] = []
        for (k, name) in ["apiserver-a", "apiserver-b"].enumerated() {
            let folder = dir.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            // The incidents start apart: their scripted steps would otherwise share exact times,
            // and events of equal time have no one merge order.
            var sim = Simulator(seed: UInt64(31 + k), incidentAfter: 20_000_000 + Int64(k) * 3_331)
            let events = (0..<12_000).map { _ in String(decoding: sim.next().line, as: UTF8.self) }
            logs.append(events)
            try events.prefix(6000).joined().write(
                to: folder.appendingPathComponent("audit-2026-03-14T09-00-20.000.log"), atomically: false, encoding: .utf8)
            try events.dropFirst(6000).joined().write(
                to: folder.appendingPathComponent("audit.log"), atomically: false, encoding: .utf8)
        }
        // The reference: one file holding both logs, merged by requestReceivedTimestamp the
        // way two sorted lists merge (each log keeps its own order; the fixed-width RFC 3339
        // text compares as the time does).
        func received(_ line: String) -> Substring {
            guard let r = line.range(of: #""requestReceivedTimestamp":""#) else { return "" }
            return line[r.upperBound...].prefix(27)
        }
        var merged: [String] = []
        var (i, j) = (0, 0)
        while i < logs[0].count || j < logs[1].count {
            if j == logs[1].count || i < logs[0].count && received(logs[0][i]) <= received(logs[1][j]) {
                merged.append(logs[0][i])
                i += 1
            } else {
                merged.append(logs[1][j])
                j += 1
            }
        }
        let one = dir.appendingPathComponent("merged.log")
        try merged.joined().write(to: one, atomically: false, encoding: .utf8)
        func report(_ paths: [String]) throws -> [String: Any] {
            let r = try Binary.run(["report"] + paths + ["--format", "json", "--top", "50"])
            #expect(r.status == 0)
            var json = try #require(try JSONSerialization.jsonObject(with: r.stdout) as? [String: Any])
            json["sources"] = nil
            var top = json["top"] as? [String: Any]
            top?["sources"] = nil
            json["top"] = top
            return json
        }
        let a = dir.appendingPathComponent("apiserver-a").path
        let b = dir.appendingPathComponent("apiserver-b").path
        let folders = try report([b, a])
        let file = try report([one.path])
        #expect(NSDictionary(dictionary: folders).isEqual(to: file))
        #expect((folders["alerts"] as? [Any])?.isEmpty == false)
        #expect(NSDictionary(dictionary: try report([a, b])).isEqual(to: file))
    }
}
