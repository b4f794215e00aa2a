import ArgumentParser
import AuditCore
import AuditDashboard
import AuditSources
import Foundation

/// The configuration file, read once per run.
enum Config {
    /// `$XDG_CONFIG_HOME/audittop/config.yaml`, parsed. A mistake in it is fatal (exit 2):
    /// better than running with settings nobody asked for.
    nonisolated(unsafe) static var file = ConfigFile(path: ConfigFile.defaultPath(), entries: [:])

    /// Reads the file; called before any command runs.
    static func load() throws {
        do { file = try ConfigFile.load(ConfigFile.defaultPath()) } catch {
            FileHandle.standardError.write(Data("audittop: \(error)\n".utf8))
            throw ExitCode(2)
        }
    }

    static func number(_ text: String, _ key: String) throws -> Int {
        guard let n = Int(text) else { throw CLIError("\(file.path): \(key) is a whole number", code: 2) }
        return n
    }

    static func parsed<T>(_ text: String, _ key: String, _ parse: (String) throws -> T) throws -> T {
        do { return try parse(text) } catch { throw CLIError("\(file.path): \(key): \(error)", code: 2) }
    }

    static func flag(_ key: String) -> Bool { file.entries[key]?.value == "true" }
}

/// `audittop config print`: the effective configuration and where each value comes from.
struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Show the configuration file's effect.",
        subcommands: [Print.self])

    struct Print: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "print",
            abstract: "Print every setting's effective value and where it came from (command line, the file and its line, or the default).")

        @OptionGroup var display: DisplayOptions
        @OptionGroup var engine: EngineOptions

        func run() throws {
            try Config.load()
            var given: [String: String] = [:]
            given["theme"] = display.theme
            given["fps"] = display.fps.map(String.init)
            given["rotate"] = display.rotate.map(String.init)
            if display.wall { given["wall"] = "true" }
            if display.bell { given["bell"] = "true" }
            if display.readOnly { given["read-only"] = "true" }
            given["capacity"] = engine.capacity.map(String.init)
            given["raw-budget"] = engine.rawBudget.map(String.init)
            given["known-users"] = engine.knownUsers
            given["rules"] = engine.rules.isEmpty ? nil : engine.rules.joined(separator: "\n")
            given["filter"] = engine.filter
            given["learn"] = engine.learn.map { "\($0 / 1_000_000)s" }
            given["platform-identities"] = engine.platformIdentities
            given["baseline"] = engine.baseline
            let file = Config.file
            let exists = FileManager.default.fileExists(atPath: file.path)
            print("# \(file.path)\(exists ? "" : " (absent: built-in defaults)")")
            let rows = file.effective(commandLine: given)
            let width = rows.map { $0.key.count }.max() ?? 0
            for row in rows {
                let value: String = row.value.isEmpty ? "(none)" : row.value.replacingOccurrences(of: "\n", with: ", ")
                let key: String = row.key.padding(toLength: width, withPad: " ", startingAt: 0)
                let shown: String = value.padding(toLength: max(28, value.count), withPad: " ", startingAt: 0)
                print("\(key)  \(shown)  # \(row.origin)")
            }
            // The known-users file read at start, and the one :known appends to.
            if let read = engine.knownUsersToRead {
                let entries = (try? String(contentsOfFile: read, encoding: .utf8))
                    .map { $0.split(separator: "\n").filter { !$0.hasPrefix("#") && !$0.trimmingCharacters(in: .whitespaces).isEmpty }.count }
                print("# known users: read from \(read)" + (entries.map { " (\($0) entries)" } ?? " (cannot be read)")
                      + "; :known appends to \(engine.knownUsersFile)")
            } else {
                print("# known users: none yet; :known appends to \(engine.knownUsersFile), read on the next start")
            }
            // The identities known without being listed: the platform's own.
            let platform = rows.first { $0.key == "platform-identities" }?.value ?? ""
            if platform == "none" {
                print("# platform identities: none (switched off)")
            } else if !platform.isEmpty {
                print("# platform identities: from \(platform)")
            } else {
                print("# platform identities (built in; replace with --platform-identities FILE, or none):")
                for line in PlatformIdentities.builtin.split(separator: "\n") where !line.hasPrefix("#") { print("#   \(line)") }
            }
            // Where the theme comes from, or why it cannot be used.
            let themeName = rows.first { $0.key == "theme" }?.value ?? "default"
            let library = ThemeLibrary.standard(configFolder: ConfigFile.folder())
            if let path = library.file(for: themeName) {
                let (_, warning) = library.load(themeName)
                print("# theme file: \(path)" + (warning.map { " (\($0))" } ?? ""))
            } else {
                print("# theme file: none" + (themeName == "default" ? " (the built-in default)" : "; \(library.load(themeName).warning ?? "")"))
            }
        }
    }
}
