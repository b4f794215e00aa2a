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
    var sources: [String] = ["-"]

    @Option(help: "text (aligned, for people) or json (stable schema, for tools).")
    var format: OutputFormat = .text

    @Option(help: "Rows in each top list.")
    var top: Int = 10

    @Option(help: "Cores to use: 2 decodes on one thread while another counts (files only; stdin stays sequential).")
    var jobs: Int = ProcessInfo.processInfo.activeProcessorCount > 1 ? 2 : 1

    @OptionGroup var engine: EngineOptions

    func run() throws {
        do {
            let store = EventStore(configuration: try engine.configuration())
            let reader = LogReader(maxLine: engine.maxLine)
            let files: [String]
            do {
                files = try LogSet.expand(sources)
            } catch {
                throw CLIError("\(error)", code: 2)
            }
            for file in files {
                let outcome: LogReader.Outcome
                do {
                    if jobs > 1 && file != "-" {
                        outcome = try ParallelLogReader(maxLine: engine.maxLine).read(file, into: store)
                    } else {
                        outcome = try reader.read(file, into: store)
                    }
                } catch {
                    throw CLIError("\(error)", code: 2)
                }
                // Damage in one file of a set is said, and the rest still loads.
                if let problem = outcome.problem {
                    FileHandle.standardError.write(Data("audittop: \(file): \(problem)\n".utf8))
                }
            }
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
        } catch let error as CLIError {
            FileHandle.standardError.write(Data("audittop: \(error.description)\n".utf8))
            throw ExitCode(error.code)
        }
    }
}
