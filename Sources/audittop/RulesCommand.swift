import ArgumentParser
import AuditCore
import AuditSources
import Foundation

/// `audittop rules`: what rules would run, and whether a rules file loads.
struct RulesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rules",
        abstract: "List the loaded rules, check a rules file, or print the built-in rules.",
        subcommands: [List.self, Check.self, ShowBuiltin.self])

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Every rule that would run: its origin (built-in or file:line), severity and state.")

        @Option(help: ArgumentHelp("Rules to load, in order (repeatable): a file or folder.", valueName: "file-or-folder"))
        var rules: [String] = []

        @Flag(name: .customLong("no-builtin-rules"), help: "Leave the built-in rules out.")
        var noBuiltinRules = false

        func run() throws {
            let paths = rules.isEmpty ? (Config.file.value("rules", flag: nil)?.split(separator: "\n").map(String.init) ?? []) : rules
            let loaded = try RulesCommand.load(paths, builtins: !noBuiltinRules)
            print(RulesCommand.table(loaded.rules))
            for note in loaded.notes { print("note: \(note)") }
        }
    }

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate rules files: exit 0 and show what they would load, or exit 2 naming the file, line, item and column.")

        @Argument(help: ArgumentHelp("Rules files or folders (audittop, Falco or Sigma), read in order.", valueName: "file-or-folder"))
        var files: [String]

        func validate() throws {
            if files.isEmpty { throw ValidationError("give a rules file or folder to check") }
        }

        func run() throws {
            let loaded = try RulesCommand.load(files, builtins: true)
            for f in loaded.files { print("\(f.path): \(f.format), \(f.rules) rule\(f.rules == 1 ? "" : "s")") }
            var mine = loaded.rules
            mine.data.removeAll { $0.isBuiltin }
            mine.builtins = false
            mine.builtinsInData = false
            print("")
            print(RulesCommand.table(mine))
            for note in loaded.notes { print("note: \(note)") }
        }
    }

    struct ShowBuiltin: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show-builtin",
            abstract: "Print the built-in rules that are data (Falco's format, as JSON): a start for your own file.")

        func run() { print(BuiltinRules.text) }
    }

    /// The rule files loaded on top of the built-ins (so they may change them).
    static func load(_ paths: [String], builtins: Bool) throws -> RuleFiles.Loaded {
        var start = RuleSet()
        start.builtins = builtins
        do { return try RuleFiles.load(paths, into: start) } catch {
            FileHandle.standardError.write(Data("audittop: \(error)\n".utf8))
            throw ExitCode(2)
        }
    }

    /// One line per rule: name, origin, severity, the source's own word, state.
    static func table(_ set: RuleSet) -> String {
        var rows: [[String]] = []
        var data = set.data
        if set.builtins, !set.builtinsInData { data = BuiltinRules.rules + data }
        for r in data {
            let off = !r.enabled ? "off (enabled: false)" : r.isBuiltin && set.disabled.contains(r.name) ? "off (disabled)" : "on"
            rows.append([r.name, r.origin, r.severity.name, r.isBuiltin ? "" : r.priority, r.isBuiltin ? "audittop" : r.format.rawValue, off])
        }
        if set.builtins {
            for d in BuiltinRule.allCases {
                rows.append([d.name, "built-in (detector)", d.severity.name, "", "audittop", set.disabled.contains(d.name) ? "off (disabled)" : "on"])
            }
        }
        for c in set.custom {
            rows.append([c.name, "rules file", c.severity.name, "", "audittop", "on"])
        }
        let header = ["rule", "origin", "severity", "priority", "format", "state"]
        let widths = header.indices.map { k in ([header] + rows).map { $0[k].count }.max() ?? 0 }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { k, c in k == cells.count - 1 ? c : c.padding(toLength: widths[k], withPad: " ", startingAt: 0) }
                .joined(separator: "  ")
        }
        let on = rows.filter { $0.last == "on" }.count
        return ([line(header)] + rows.map(line)).joined(separator: "\n") + "\n\(rows.count) rules, \(on) on"
    }
}
