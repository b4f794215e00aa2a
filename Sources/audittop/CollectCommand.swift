import ArgumentParser
import AuditCore
import AuditSources
import CTerminalGuard
import Foundation
import Logging

/// `audittop collect`: the same sources with no terminal, for a systemd unit or a pod.
struct CollectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "collect",
        abstract: "Run sources with no terminal, teeing accepted events to a file and logging status to stderr.",
        discussion: """
            For example: audittop collect http://127.0.0.1:9765/k8s-audit --tee /var/log/audittop/feed.log \
            SIGTERM or SIGINT stops it after everything received is decoded and written. \
            Watch the tee with: audittop /var/log/audittop/feed.log
            """)

    @Argument(help: "Sources: webhook listeners (http://HOST:PORT/PATH, https://...), files, - for stdin.")
    var sources: [String] = []

    @Option(help: "Append every accepted, non-duplicate event as one JSON line to this file.")
    var tee: String?

    @Option(name: .customLong("tee-max-size"), help: "Rotate the tee past this size (e.g. 100MB), apiserver-style.", transform: ByteCount.parse)
    var teeMaxSize: Int = 100_000_000

    @Option(name: .customLong("status-every"), help: "Interval between status lines (e.g. 10s).", transform: DurationText.parse)
    var statusEvery: Int64 = 10_000_000

    @OptionGroup var engine: EngineOptions

    @OptionGroup var webhook: WebhookOptions

    @OptionGroup var exec: ExecOptions

    func validate() throws {
        guard !sources.isEmpty || !exec.commands.isEmpty else { throw ValidationError("name at least one source (or --exec a command)") }
        guard statusEvery >= 100_000 else { throw ValidationError("--status-every must be at least 100ms") }
    }

    func run() throws {
        LoggingSystem.bootstrap(StreamLogHandler.standardError)
        var logger = Logger(label: "audittop.collect")
        logger.logLevel = .info
        do {
            let live = try SourceFactory.make(sources, execs: exec.resolved, tail: nil, rate: 300, maxLine: engine.maxLine, webhook: webhook)
            var configuration = try engine.configuration(live: true)
            // No screen to show events on: keep the ring small, keep no raw bodies.
            configuration.capacity = min(configuration.capacity, 10_000)
            configuration.rawBudget = 0
            let store = SharedEventStore(configuration: configuration)
            let teeWriter = tee.map { TeeWriter(path: $0, maxSize: teeMaxSize) }
            if let teeWriter {
                store.withStore { s in s.onIngest = { teeWriter.append($0) } }
            }
            audittop_guard_install("", 0)
            let stop = StopSignal()
            let finished = DispatchGroup()
            for source in live {
                finished.enter()
                let thread = Thread {
                    source.run(into: store, stop: stop)
                    finished.leave()
                }
                thread.name = "source \(source.name)"
                thread.start()
            }
            logger.info("collecting from \(live.map(\.name).joined(separator: ", "))\(tee.map { " into \($0)" } ?? "")")
            var last = store.withStore { $0.counters }
            var lastTime = Date()
            var nextStatus = Date(timeIntervalSinceNow: Double(statusEvery) / 1_000_000)
            while audittop_guard_quit_signal() == 0 {
                CrashReport.crashIfAsked()
                usleep(50_000)
                store.withStore { _ in teeWriter?.flush() }
                guard Date() >= nextStatus else { continue }
                nextStatus = Date(timeIntervalSinceNow: Double(statusEvery) / 1_000_000)
                let now = store.withStore { $0.counters }
                let elapsed = Date().timeIntervalSince(lastTime)
                logger.info("\(statusLine(now, since: last, elapsed: elapsed, sources: live, tee: teeWriter))")
                last = now
                lastTime = Date()
            }
            logger.info("stopping (signal \(audittop_guard_quit_signal())): draining what was received")
            stop.set()
            finished.wait()
            store.withStore { _ in teeWriter?.close() }
            try store.withStore { try engine.saveBaseline($0) }
            let total = store.withStore { $0.counters }
            logger.info("stopped: \(total.ingested) events, \(total.duplicates) duplicates, \(total.malformed.total) malformed\(teeWriter.map { ", \($0.written) written to \($0.path)" + ($0.lost > 0 ? ", \($0.lost) lost to write errors" : "") } ?? "")")
        } catch let error as CLIError {
            FileHandle.standardError.write(Data("audittop: \(error.description)\n".utf8))
            throw ExitCode(error.code)
        }
    }

    private func statusLine(_ now: StoreCounters, since last: StoreCounters, elapsed: Double, sources: [any LiveSource], tee: TeeWriter?) -> String {
        let rate = Double(now.ingested - last.ingested) / max(elapsed, 0.001)
        var parts = [
            String(format: "%.0f events/s", rate), "\(now.ingested) events", "\(now.duplicates) duplicates",
            "\(now.malformed.total) malformed",
        ]
        parts += sources.map { "\($0.name): \($0.state)" }
        if let tee { parts.append(tee.state) }
        return parts.joined(separator: "; ")
    }
}
