import AuditSimulator
import Foundation
import Testing

/// Commands as sources and finding the log, through the binary as a user runs it.
@Suite struct ManagedSourcesTests {
    static func events(_ count: Int) -> [UInt8] {
        var sim = Simulator(seed: 5, flavor: .kubeadm, incidentAfter: 2_000_000)
        return (0..<count).flatMap { _ in sim.next().line }
    }

    static func temporary(_ name: String, _ bytes: [UInt8]) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("audittop-e2e-\(UUID().uuidString)-\(name)")
        try Data(bytes).write(to: url)
        return url
    }

    @Test func reportReadsACommandsOutputLikeTheFileItPrints() throws {
        let plain = Self.events(3_000)
        // The apiserver's stdout as kubelet keeps it, which `kubectl logs` would print.
        let prefix = Array("2026-12-03T14:00:00.000000000Z stdout F ".utf8)
        var cri: [UInt8] = []
        for line in plain.split(separator: 0x0A) { cri += prefix + Array(line) + [0x0A] }
        let file = try Self.temporary("plain.jsonl", plain), pod = try Self.temporary("0.log", cri)
        defer { try? FileManager.default.removeItem(at: file); try? FileManager.default.removeItem(at: pod) }
        let direct = try Binary.run(["report", "--format", "json", file.path])
        let viaExec = try Binary.run(["report", "--format", "json", "--exec", "cat '\(pod.path)'"])
        #expect(direct.status == 0 && viaExec.status == 0, "\(viaExec.stderr)")
        func numbers(_ r: Binary.Result) throws -> [String: Int] {
            let json = try JSONSerialization.jsonObject(with: r.stdout) as? [String: Any] ?? [:]
            return ["events": json["events"] as? Int ?? -1, "requests": json["requests"] as? Int ?? -1,
                    "alerts": (json["alerts"] as? [Any])?.count ?? -1, "denied": (json["denied"] as? [String: Any])?["total"] as? Int ?? -1]
        }
        #expect(try numbers(viaExec) == numbers(direct))
        #expect(try numbers(direct)["events"] == 3_000)
    }

    @Test func aCommandThatFailsIsSaidWithItsOwnWords() throws {
        let r = try Binary.run(["report", "--exec", "no-such-tool-audittop logs tail"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("no-such-tool-audittop: not found"), "\(r.stderr)")
        #expect(r.stderr.contains("exited 127 with no audit events"), "\(r.stderr)")
        let empty = try Binary.run(["report", "--exec", " "])
        #expect(empty.status == 2 && empty.stderr.contains("--exec needs a command"), "\(empty.stderr)")
    }

    @Test func withNoLogOnTheMachineTheDashboardSaysWhereEachPlatformKeepsIt() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("audittop-e2e-root-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        let r = try Binary.run([], environment: ["AUDITTOP_ROOT": root.path], timeout: 30)
        #expect(r.status == 2)
        #expect(r.stderr.contains("no audit log found"), "\(r.stderr)")
        for needle in ["/var/lib/rancher/k3s/server/logs/audit.log", "aws logs tail", "gcloud logging tail", "OpenShift", "audittop demo"] {
            #expect(r.stderr.contains(needle), "\(needle)")
        }
    }
}
