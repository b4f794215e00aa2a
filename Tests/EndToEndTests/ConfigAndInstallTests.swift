import AuditTestSupport
import Foundation
import Testing

/// The configuration file, `config print`, `--version` and `install`, run as a user would.
@Suite(.serialized) struct ConfigAndInstallTests {
    func configHome(_ text: String) throws -> URL {
        let home = try Binary.temporaryDirectory()
        let folder = home.appendingPathComponent("audittop")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try text.write(to: folder.appendingPathComponent("config.yaml"), atomically: true, encoding: .utf8)
        return home
    }

    @Test func configPrintSaysWhereEachValueComesFrom() throws {
        let home = try configHome("theme: light\ncapacity: 5000\nwall: true\nsources: [demo]\n")
        let r = try Binary.run(["config", "print", "--fps", "20"], environment: ["XDG_CONFIG_HOME": home.path])
        #expect(r.status == 0)
        let lines = r.text.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).map(String.init) }
        func row(_ key: String) -> [String]? { lines.first { $0.first == key } }
        #expect(row("theme") == ["theme", "light", "#", "config.yaml:1"])
        #expect(row("capacity") == ["capacity", "5000", "#", "config.yaml:2"])
        #expect(row("wall") == ["wall", "true", "#", "config.yaml:3"])
        #expect(row("sources") == ["sources", "demo", "#", "config.yaml:4"])
        #expect(row("fps") == ["fps", "20", "#", "command", "line"])
        #expect(row("rotate") == ["rotate", "15", "#", "default"])
        #expect(r.text.contains("# theme file: ") && r.text.contains("Themes/light.yaml"))
    }

    @Test(.needsCorpus) func theFileSetsDefaultsAndFlagsWin() throws {
        let log = Binary.corpus.appendingPathComponent("real-events.jsonl").path
        let home = try configHome("capacity: 10\n")
        let small = try Binary.run(["report", log, "--format", "json"], environment: ["XDG_CONFIG_HOME": home.path])
        let json = try #require(try JSONSerialization.jsonObject(with: small.stdout) as? [String: Any])
        #expect((json["evicted"] as? Int ?? 0) > 0)
        let flag = try Binary.run(["report", log, "--format", "json", "--capacity", "100000"], environment: ["XDG_CONFIG_HOME": home.path])
        let flagged = try #require(try JSONSerialization.jsonObject(with: flag.stdout) as? [String: Any])
        #expect(flagged["evicted"] as? Int == 0)
    }

    @Test(arguments: [
        ("theme: light\ncolour: red\n", "config.yaml:2: unknown key 'colour'; keys: sources, theme"),
        ("fps: fast\n", "config.yaml:1: fps is a whole number above 0"),
        ("wall: sometimes\n", "config.yaml:1: wall is true or false"),
    ])
    func aBadConfigurationIsAClearErrorAndExitTwo(text: String, message: String) throws {
        let home = try configHome(text)
        let r = try Binary.run(["report", "-"], stdin: Data(), environment: ["XDG_CONFIG_HOME": home.path])
        #expect(r.status == 2)
        #expect(r.stderr.contains(home.path + "/audittop/" + message), "\(r.stderr)")
    }

    @Test func aBrokenThemeIsNamedAndTheDefaultIsUsed() throws {
        let dir = try Binary.temporaryDirectory()
        let theme = dir.appendingPathComponent("broken.yaml")
        try "name: broken\nroles:\n  error: {fg: 999}\n".write(to: theme, atomically: true, encoding: .utf8)
        let r = try Binary.run(["config", "print", "--theme", theme.path])
        #expect(r.status == 0)
        #expect(r.text.contains("broken.yaml:3: role 'error': fg must be a colour"))
        #expect(r.text.contains("using the default theme"))
    }

    @Test func versionAndCompletions() throws {
        let version = try Binary.run(["--version"])
        #expect(version.status == 0 && version.text.split(separator: ".").count == 3)
        for shell in ["bash", "zsh", "fish"] {
            let r = try Binary.run(["--generate-completion-script", shell])
            #expect(r.status == 0 && r.text.contains("audittop") && r.text.contains("report"), "\(shell)")
        }
    }

    @Test func installPutsTheBinaryThemesAndCompletionsUnderAPrefix() throws {
        let prefix = try Binary.temporaryDirectory().appendingPathComponent("usr-local")
        let r = try Binary.run(["install", "--prefix", prefix.path], in: Binary.packageRoot)
        #expect(r.status == 0, "\(r.stderr)")
        let fm = FileManager.default
        for file in ["bin/audittop", "share/audittop/themes/light.yaml", "share/audittop/themes/monochrome.yaml",
                     "share/audittop/themes/README.md", "share/bash-completion/completions/audittop",
                     "share/zsh/site-functions/_audittop", "share/fish/vendor_completions.d/audittop.fish"] {
            #expect(fm.fileExists(atPath: prefix.appendingPathComponent(file).path), "\(file)")
        }
        // The installed binary finds the installed themes from any folder.
        let elsewhere = try Binary.temporaryDirectory()
        let installed = prefix.appendingPathComponent("bin/audittop").path
        let print = try Binary.run(["config", "print", "--theme", "high-contrast"], in: elsewhere, executable: installed)
        #expect(print.text.contains("# theme file: " + prefix.path + "/share/audittop/themes/high-contrast.yaml"), "\(print.text)")
        // PREFIX from the environment works too.
        let viaEnv = try Binary.temporaryDirectory().appendingPathComponent("opt")
        let e = try Binary.run(["install"], environment: ["PREFIX": viaEnv.path], in: Binary.packageRoot)
        #expect(e.status == 0 && fm.fileExists(atPath: viaEnv.appendingPathComponent("bin/audittop").path))
    }
}
