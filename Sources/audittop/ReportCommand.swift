import ArgumentParser
import AuditCore
import AuditDashboard
import AuditSources
import Foundation

/// `audittop report`: reads sources to their end and prints the numbers.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Read audit logs to their end and print a summary (text or JSON).")

    enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
        case text, json
    }

    @Argument(help: "Audit logs: files (gzip or not), globs, folders of rotated sets; - reads stdin.")
    var sources: [String] = []

    @Option(help: "text (aligned, for people) or json (stable schema, for tools).")
    var format: OutputFormat = .text

    @Option(help: "Rows in each top list.")
    var top: Int = 10

    @Option(help: "Cores to use: 2 decodes on one thread while another counts (files only; stdin stays sequential).")
    var jobs: Int = ProcessInfo.processInfo.activeProcessorCount > 1 ? 2 : 1

    @OptionGroup var engine: EngineOptions

    @OptionGroup var exec: ExecOptions

    @Option(name: .customLong("fail-on"), help: "Exit 3 when an alert of at least this severity fired: info, low, medium, high, critical.",
            transform: { text in
                guard let s = Severity(name: text) else { throw ValidationError("--fail-on takes info, low, medium, high or critical") }
                return s
            })
    var failOn: Severity?

    func run() throws {
        try Config.load()
        do {
            var configuration = try engine.configuration()
            // A report has no detail view: keeping every event's raw JSON would only cost a
            // copy of the whole input and 64 MiB.
            configuration.rawBudget = 0
            let store = EventStore(configuration: configuration)
            // Set before reading, so every event is counted as it comes; relative times
            // (`time>=-2h`) are before now, as for --since.
            store.setFilter(try engine.parsedFilter(), reference: Int64(Date().timeIntervalSince1970 * 1_000_000))
            let reader = LogReader(maxLine: engine.maxLine)
            let files: [String]
            let execs = exec.resolved
            do {
                // No source at all reads stdin; commands alone read only their output.
                files = try LogSet.expand(sources.isEmpty && execs.isEmpty ? ["-"] : sources)
            } catch {
                throw CLIError("\(error)", code: 2)
            }
            // Progress on stderr when it is a terminal (quiet when piped or redirected).
            let sizes = files.map { file -> Int in
                guard file != "-", let attributes = try? FileManager.default.attributesOfItem(atPath: file) else { return 0 }
                return (attributes[.size] as? Int) ?? 0
            }
            let showProgress = isatty(2) == 1 && sizes.reduce(0, +) > 16 << 20
            let progress = LoadProgress(total: sizes.reduce(0, +))
            let started = Date()
            var doneBefore = 0
            var lastShown = Date.distantPast
            func say(_ file: String, _ outcome: LogReader.Outcome) {
                // Damage in one file of a set is said, and the rest still loads.
                if let problem = outcome.problem {
                    FileHandle.standardError.write(Data("\(showProgress ? "\r\u{1B}[K" : "")audittop: \(file): \(problem)\n".utf8))
                }
            }
            func show(_ name: String, _ done: Int) {
                guard Date().timeIntervalSince(lastShown) > 0.1 else { return }
                lastShown = Date()
                let line = progress.line(file: name, done: done, seconds: Date().timeIntervalSince(started))
                FileHandle.standardError.write(Data("\r\u{1B}[K\(line)".utf8))
            }
            // Several apiservers' sets are merged by event time, one reading thread per set.
            let sets = LogSet.sets(files)
            var merged = false
            if sets.count > 1, !files.contains("-") {
                do {
                    let outcomes = try MergedLogReader(maxLine: engine.maxLine).read(
                        sets: sets, into: store, progress: showProgress ? { show("\(sets.count) sets", $0) } : nil)
                    if let outcomes {
                        merged = true
                        for (file, outcome) in outcomes { say(file, outcome) }
                    }
                } catch {
                    throw CLIError("\(error)", code: 2)
                }
            }
            for (index, file) in files.enumerated() where !merged {
                let outcome: LogReader.Outcome
                let name = (file as NSString).lastPathComponent
                let show: ((Int) -> Void)? = showProgress ? { bytes in show(name, doneBefore + bytes) } : nil
                do {
                    if jobs > 1 && file != "-" {
                        outcome = try ParallelLogReader(maxLine: engine.maxLine).read(file, into: store, progress: show)
                    } else {
                        outcome = try reader.read(file, into: store, progress: show)
                    }
                    doneBefore += sizes[index]
                } catch {
                    throw CLIError("\(error)", code: 2)
                }
                say(file, outcome)
            }
            if showProgress { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
            // Each command runs once, to its end; its stderr is this command's.
            var failed: [String] = []
            for command in execs {
                do {
                    let child = try ChildCommand(command, captureStderr: false)
                    let outcome = try reader.read(descriptor: child.stdout, name: "exec: " + command, into: store)
                    let code = child.wait()
                    if code != 0 && outcome.events == 0 {
                        throw CLIError("--exec: '\(command)' exited \(code) with no audit events (its stderr is above)", code: 2)
                    }
                    if code != 0 { failed.append("'\(command)' exited \(code)") }
                    if code == 0 || outcome.events > 0 { say("exec: " + command, outcome) }
                } catch let error as CLIError {
                    throw error
                } catch {
                    throw CLIError("\(error)", code: 2)
                }
            }
            try engine.saveBaseline(store)
            let report = Report(store: store, limit: top)
            switch format {
            case .json:
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                var data = try encoder.encode(report)
                data.append(0x0A)
                FileHandle.standardOutput.write(data)
            case .text:
                FileHandle.standardOutput.write(Data(report.text(colour: isatty(1) != 0 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil).utf8))
            }
            if !failed.isEmpty {
                throw CLIError("--exec: " + failed.joined(separator: "; ") + " (its stderr is above)", code: 2)
            }
            if let failOn, let worst = report.alerts.map(\.severity).max(), worst >= failOn {
                FileHandle.standardError.write(Data("audittop: \(worst.name) alerts fired (--fail-on \(failOn.name))\n".utf8))
                throw ExitCode(3)
            }
        } catch let error as CLIError {
            FileHandle.standardError.write(Data("audittop: \(error.description)\n".utf8))
            throw ExitCode(error.code)
        }
    }
}
