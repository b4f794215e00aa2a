import ArgumentParser

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
                      ConfigCommand.self, InstallCommand.self],
        defaultSubcommand: DashboardCommand.self)

    /// Sets up crash reporting (which may run the program again), then parses and runs.
    static func main() {
        CrashReport.prepare()
        main(nil)
    }
}
