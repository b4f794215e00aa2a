import ArgumentParser
import AuditCore
import AuditDashboard
import AuditSimulator
import AuditSources
import AuditTerminal
import Foundation

/// `audittop [SOURCE...]`: the live dashboard.
struct DashboardCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "The live dashboard (the default command): follow audit logs and watch them.",
        discussion: """
            SOURCE is a file to follow like tail -F (through rotation), - for stdin, demo for the \
            built-in simulator, or a webhook listener: http://HOST:PORT/PATH or https://... \
            (an empty HOST means 127.0.0.1). --exec CMD follows a command's output (aws logs tail, \
            gcloud logging tail, kubectl logs -f). With no SOURCE, the apiserver's --audit-log-path \
            and the paths of kubeadm, k3s, RKE2 and OpenShift are tried.
            """)

    @Argument(help: "Files to follow, - for stdin, or demo.")
    var sources: [String] = []

    @Option(help: "Load only the last N events of each file, then follow.")
    var tail: Int?

    @Flag(help: "Replay saved logs (files, globs, folders; gzip or not) at the pace they happened.")
    var replay = false

    @Option(help: "Replay speed: 1x (default), any factor like 10x, or max.")
    var speed: String = "1x"

    @Option(help: "Events per second of the demo source.")
    var rate: Double = 300

    @Option(help: "Platform of the demo source: kubeadm (default), eks, aks, gke or openshift.")
    var flavor: String = "kubeadm"

    @OptionGroup var display: DisplayOptions

    @OptionGroup var engine: EngineOptions

    @OptionGroup var webhook: WebhookOptions

    @OptionGroup var exec: ExecOptions

    func validate() throws {
        guard ReplayClock.parseSpeed(speed) != nil else { throw ValidationError("--speed takes 1x, 10x, 0.5x or max") }
        if replay && sources.isEmpty { throw ValidationError("--replay needs the saved logs to replay") }
        if let tail, tail < 0 { throw ValidationError("--tail cannot be negative") }
        guard Flavor(rawValue: flavor) != nil else {
            throw ValidationError("unknown --flavor '\(flavor)'; use one of \(Flavor.allCases.map(\.rawValue).joined(separator: ", "))")
        }
    }

    func run() throws {
        try Config.load()
        do {
            let fps = try display.fps ?? Config.file.entries["fps"].map { try Config.number($0.value, "fps") } ?? 10
            let rotate = try display.rotate ?? Config.file.entries["rotate"].map { try Config.number($0.value, "rotate") } ?? 15
            guard (1...60).contains(fps) else { throw CLIError("fps must be 1-60", code: 2) }
            let live = try makeSources()
            let themes = ThemeLibrary.standard(configFolder: ConfigFile.folder())
            let (loadedTheme, themeWarning) = themes.load(Config.file.value("theme", flag: display.theme) ?? "default")
            // A broken theme is said, and the default is used: it never stops the dashboard.
            if let themeWarning { FileHandle.standardError.write(Data("audittop: \(themeWarning)\n".utf8)) }
            let store = SharedEventStore(configuration: try engine.configuration(live: true))
            var settings = SessionSettings()
            settings.fps = fps
            settings.rotate = rotate
            settings.filter = try engine.parsedFilter()
            settings.bell = display.bell || Config.flag("bell")
            settings.wall = display.wall || Config.flag("wall")
            settings.readOnly = display.readOnly || Config.flag("read-only")
            settings.startMessage = themeWarning
            settings.replay = live.contains { $0 is ReplaySource }
            let loop = DashboardLoop(store: store, sources: live, theme: loadedTheme, settings: settings,
                                     knownUsersFile: engine.knownUsersFile, themes: themes)
            try loop.run()
            try store.withStore { try engine.saveBaseline($0) }
        } catch let error as CLIError {
            FileHandle.standardError.write(Data("audittop: \(error.description)\n".utf8))
            throw ExitCode(error.code)
        } catch let error as TerminalError {
            FileHandle.standardError.write(Data("audittop: \(error.description)\n".utf8))
            throw ExitCode(2)
        }
    }

    func makeSources() throws -> [any LiveSource] {
        if replay {
            do {
                _ = try LogSet.expand(sources)
            } catch {
                throw CLIError("\(error)", code: 2)
            }
            return [ReplaySource(paths: sources, speed: ReplayClock.parseSpeed(speed)!, maxLine: engine.maxLine,
                                 since: engine.since, until: engine.until)]
        }
        var names = sources
        if names.isEmpty, let configured = Config.file.entries["sources"]?.value {
            names = configured.split(separator: "\n").map(String.init)
        }
        let execs = exec.resolved
        if names.isEmpty && execs.isEmpty {
            let discovery = LogDiscovery()
            let result = discovery.find()
            guard !result.found.isEmpty else {
                throw CLIError("""
                    no audit log found on this machine (looked for --audit-log-path in \(LogDiscovery.configFiles.joined(separator: ", ")), \
                    then at \(result.tried.count) usual paths). Where each platform keeps it, and the command that watches it:
                    \(LogDiscovery.table)
                    Name a file (audittop /path/to/audit.log), or try `audittop demo`.
                    """, code: 2)
            }
            names = result.found.map { discovery.root + $0 }
        }
        return try SourceFactory.make(names, execs: execs, tail: tail, rate: rate, flavor: Flavor(rawValue: flavor) ?? .kubeadm, maxLine: engine.maxLine, webhook: webhook)
    }
}

/// How the dashboard looks and behaves, shared with `config print`.
struct DisplayOptions: ParsableArguments {
    @Option(help: "A theme: a name (default, light, high-contrast, solarized-dark, colorblind, monochrome, or one of yours) or a path to a YAML file.")
    var theme: String?

    @Option(help: "Most frames drawn per second (default 10).")
    var fps: Int?

    @Flag(help: "Ring the terminal bell when a high or critical alert fires.")
    var bell = false

    @Flag(help: "Start on the war-room wall: big counters, the panes in rotation (w toggles it).")
    var wall = false

    @Option(help: "Seconds between the wall's pane changes (default 15).")
    var rotate: Int?

    @Flag(name: .customLong("read-only"), help: "A kiosk: no export, :known or theme change, and q asks again.")
    var readOnly = false

    func validate() throws {
        if let fps, !(1...60).contains(fps) { throw ValidationError("--fps must be 1-60") }
        if let rotate, rotate < 1 { throw ValidationError("--rotate must be at least 1 second") }
    }
}
