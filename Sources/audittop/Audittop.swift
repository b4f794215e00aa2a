import ArgumentParser
import Foundation

/// The `audittop` command: a live dashboard for Kubernetes API-server audit events, and the
/// tools around it.
@main
struct Audittop: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audittop",
        abstract: "Watch Kubernetes API-server audit events: who did what, who was denied, who nobody expected.",
        discussion: """
            Try it with no cluster:
              audittop demo                       (the live dashboard on the simulator)
              audittop /var/log/kubernetes/audit/audit.log
              audittop report demo.jsonl
            """,
        version: "0.7.0",
        subcommands: [DashboardCommand.self, ReportCommand.self, DemoCommand.self, CollectCommand.self, WebhookConfigCommand.self,
                      ConfigCommand.self, InstallCommand.self, RulesCommand.self],
        defaultSubcommand: DashboardCommand.self)

    /// Sets up crash reporting (which may run the program again), then parses and runs.
    /// Usage errors exit 2, as every other error does (not ArgumentParser's 64).
    static func main() {
        CrashReport.prepare()
        let arguments = Array(CommandLine.arguments.dropFirst())
        if let mistake = UsageCheck.unknownFirstArgument(arguments) {
            FileHandle.standardError.write(Data("audittop: \(mistake)\n".utf8))
            Self.exit(withError: ExitCode(2))
        }
        do {
            var command = try parseAsRoot(arguments)
            try command.run()
        } catch {
            let code = exitCode(for: error)
            if code == .validationFailure {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Self.exit(withError: ExitCode(2))
            }
            exit(withError: error)
        }
    }
}

/// The first argument must be a subcommand, an option, a source that exists, or a source
/// that names itself (`-`, `demo`, a URL, a glob).
enum UsageCheck {
    static var subcommands: [String] {
        Audittop.configuration.subcommands.compactMap { $0.configuration.commandName } + ["help"]
    }

    /// What is wrong with the first argument, or nil.
    static func unknownFirstArgument(_ arguments: [String]) -> String? {
        guard let first = arguments.first, !first.hasPrefix("-"), !subcommands.contains(first), !first.contains("://"),
              !first.contains(where: { "*?[/.".contains($0) }), !FileManager.default.fileExists(atPath: first)
        else { return nil }
        let near = subcommands.filter { distance($0, first) <= 2 }.min { distance($0, first) < distance($1, first) }
        return "no subcommand or file '\(first)'" + (near.map { "; did you mean '\($0)'?" } ?? "; subcommands: " + subcommands.joined(separator: ", "))
    }

    /// Edits (insert, delete, replace, swap two neighbours) from `a` to `b`.
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        guard !a.isEmpty, !b.isEmpty else { return max(a.count, b.count) }
        var d = (0...a.count).map { i in (0...b.count).map { j in i == 0 ? j : (j == 0 ? i : 0) } }
        for i in 1...a.count {
            for j in 1...b.count {
                d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] { d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1) }
            }
        }
        return d[a.count][b.count]
    }
}
