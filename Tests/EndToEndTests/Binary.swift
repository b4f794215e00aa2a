import AuditTestSupport
import Foundation

/// Runs the built `audittop` binary as a user would.
enum Binary {
    static var packageRoot: URL { CorpusLocation.packageRoot }

    /// `audittop` beside the test bundle (the same build), else in `.build/debug`.
    static var path: String {
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("audittop")
        if FileManager.default.isExecutableFile(atPath: beside.path) { return beside.path }
        return packageRoot.appendingPathComponent(".build/debug/audittop").path
    }

    static var corpus: URL { CorpusLocation.root }

    struct Result {
        var status: Int32
        var stdout: Data
        var stderr: String
        var text: String { String(decoding: stdout, as: UTF8.self) }
    }

    /// Runs `audittop ARGS`, feeding `stdin`, and waits for it: at most `timeout` seconds, after
    /// which it is killed (and the result says so in `stderr`), so a wedged binary fails its
    /// test instead of hanging the run.
    static func run(_ arguments: [String], stdin: Data? = nil, environment: [String: String] = [:], in directory: URL? = nil,
                    executable: String? = nil, timeout: Double = 120) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable ?? path)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env["SWIFT_BACKTRACE"] = "interactive=no"
        // A configuration file of the person running the tests must not change them.
        env["XDG_CONFIG_HOME"] = FileManager.default.temporaryDirectory.appendingPathComponent("audittop-no-config").path
        for (k, v) in environment { env[k] = v }
        process.environment = env
        if let directory { process.currentDirectoryURL = directory }
        let out = Pipe()
        let err = Pipe()
        let input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        let pid = process.processIdentifier
        LiveChildren.shared.add(pid)
        defer { LiveChildren.shared.remove(pid) }
        let finished = DispatchSemaphore(value: 0)
        let watchdog = Thread {
            if finished.wait(timeout: .now() + timeout) == .timedOut { kill(pid, SIGKILL) }
        }
        watchdog.start()
        let writer = Thread {
            if let stdin { input.fileHandleForWriting.write(stdin) }
            try? input.fileHandleForWriting.close()
        }
        writer.start()
        let errData = OutputCollector(err.fileHandleForReading)
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        finished.signal()
        var stderr = errData.finish()
        if process.terminationReason == .uncaughtSignal, process.terminationStatus == SIGKILL {
            stderr += "\n(killed by the test after \(Int(timeout)) s)"
        }
        return Result(status: process.terminationStatus, stdout: data, stderr: stderr)
    }

    /// A fresh temporary directory.
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("audittop-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
