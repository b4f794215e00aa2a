import AuditTestSupport
import Foundation
import Testing

/// Mistakes on the command line, answered as a user needs: what is wrong, and exit 2.
@Suite struct CommandLineTests {
    @Test func aMistypedSubcommandIsAnsweredNotWaitedOn() throws {
        let r = try Binary.run(["reprot", "x.jsonl"], timeout: 20)
        #expect(r.status == 2)
        #expect(r.stderr.contains("audittop: no subcommand or file 'reprot'; did you mean 'report'?"))
        let far = try Binary.run(["zzzzzz"], timeout: 20)
        #expect(far.status == 2 && far.stderr.contains("subcommands: watch, report"))
    }

    @Test func usageErrorsExit2LikeEveryOtherError() throws {
        let flag = try Binary.run(["report", "--bogus", "x"], timeout: 20)
        #expect(flag.status == 2 && flag.stderr.contains("Unknown option '--bogus'"))
        let value = try Binary.run(["watch", "--fps", "0", "demo"], timeout: 20)
        #expect(value.status == 2 && value.stderr.contains("--fps must be 1-60"))
        let missing = try Binary.run(["report", "/no/such/audit.log"], timeout: 20)
        #expect(missing.status == 2 && missing.stderr.contains("No such file or directory"))
        // Every file an option names says the system's reason too.
        for option in ["--rules", "--known-users", "--platform-identities"] {
            let r = try Binary.run(["report", "-", option, "/no/such/file"], stdin: Data(), timeout: 20)
            #expect(r.status == 2 && r.stderr.contains("/no/such/file") && r.stderr.contains("No such file or directory"), "\(option): \(r.stderr)")
        }
    }

    @Test func durationsTakeBareSeconds() throws {
        let log = try Binary.temporaryDirectory().appendingPathComponent("d.jsonl")
        _ = try Binary.run(["demo", "--events", "2000", "--write", log.path], timeout: 60)
        // 0.05 is read as seconds (50 ms), and then refused for being under the floor.
        let bare = try Binary.run(["collect", log.path, "--status-every", "0.05"], timeout: 20)
        #expect(bare.status == 2 && bare.stderr.contains("--status-every must be at least 100ms"), "\(bare.stderr)")
        let report = try Binary.run(["report", log.path, "--learn", "90"], timeout: 60)
        #expect(report.status == 0, "\(report.stderr)")
        let wrong = try Binary.run(["report", log.path, "--learn", "soon"], timeout: 20)
        #expect(wrong.status == 2 && wrong.stderr.contains("'soon' is not a duration"))
    }

    @Test func helpFitsIn80Columns() throws {
        for command in [[], ["watch"], ["report"], ["demo"], ["collect"], ["webhook-config"], ["config", "print"], ["install"]] {
            let r = try Binary.run(command + ["--help"], environment: ["COLUMNS": "80"], timeout: 20)
            let long = r.text.split(separator: "\n").filter { $0.count > 80 }.map(String.init)
            #expect(r.status == 0 && long.isEmpty, "\(command): \(long)")
        }
    }

    @Test func webhookConfigOverHTTPSWithoutACASaysWhatTheApiserverNeeds() throws {
        let r = try Binary.run(["webhook-config", "--server", "https://10.0.0.5:9765/k8s-audit"], timeout: 20)
        #expect(r.status == 0)
        #expect(r.stderr.contains("no --ca") && r.stderr.contains("self-signed"))
        #expect(r.stderr.contains("sends no credentials"))
    }

    @Test func knownUsersAddedWithColonKnownAreReadOnTheNextStart() throws {
        let home = try Binary.temporaryDirectory()
        let folder = home.appendingPathComponent("audittop")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let log = home.appendingPathComponent("d.jsonl")
        _ = try Binary.run(["demo", "--events", "60000", "--write", log.path], timeout: 60)
        let before = try Binary.run(["report", log.path, "--format", "json"], environment: ["XDG_CONFIG_HOME": home.path])
        let unknown = try #require(try JSONSerialization.jsonObject(with: before.stdout) as? [String: Any])["unknownUsers"] as? [[String: Any]]
        let user = try #require(unknown?.first { ($0["anonymous"] as? Bool) != true }?["user"] as? String)
        // What :known writes: a line in the default file.
        try (user + "\n").write(to: folder.appendingPathComponent("known-users"), atomically: true, encoding: .utf8)
        let after = try Binary.run(["report", log.path, "--format", "json"], environment: ["XDG_CONFIG_HOME": home.path])
        let still = try #require(try JSONSerialization.jsonObject(with: after.stdout) as? [String: Any])["unknownUsers"] as? [[String: Any]]
        #expect(still?.contains { $0["user"] as? String == user } == false)
        #expect((still?.count ?? 0) == (unknown?.count ?? 0) - 1)
        let print = try Binary.run(["config", "print"], environment: ["XDG_CONFIG_HOME": home.path])
        #expect(print.text.contains("# known users: read from \(folder.path)/known-users (1 entries)"))
    }
}
