import Foundation

/// A process a test started and must not outlive it.
///
/// The child writes nothing to the test runner's own output (a child holding that pipe open
/// keeps `swift test` waiting forever); its stderr is collected. `stop()` ends it with SIGTERM,
/// then SIGKILL after a grace period; `deinit` does the same for a test that threw before
/// stopping it, and every child still running when the test process exits is killed then.
public final class ChildProcess: @unchecked Sendable {
    // Immutable after init, apart from Process's own internal locking.
    public let process = Process()
    private let errors: OutputCollector

    /// Starts `executable` with `arguments` and an empty stdin.
    public init(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) throws {
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env["SWIFT_BACKTRACE"] = "interactive=no"
        for (k, v) in environment { env[k] = v }
        process.environment = env
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        let err = Pipe()
        process.standardError = err
        try process.run()
        errors = OutputCollector(err.fileHandleForReading)
        LiveChildren.shared.add(process.processIdentifier)
    }

    /// The child's pid.
    public var pid: Int32 { process.processIdentifier }

    /// Sends SIGTERM, waits up to `grace` seconds, then SIGKILL; returns the exit status and
    /// what the child wrote to stderr.
    @discardableResult
    public func stop(grace: Double = 5) -> (status: Int32, stderr: String) {
        if process.isRunning {
            process.terminate()
            let deadline = Date().addingTimeInterval(grace)
            while process.isRunning && Date() < deadline { usleep(20_000) }
            if process.isRunning { kill(pid, SIGKILL) }
        }
        process.waitUntilExit()
        LiveChildren.shared.remove(pid)
        return (process.terminationStatus, errors.finish())
    }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        LiveChildren.shared.remove(process.processIdentifier)
    }
}

/// The pids of children still running, killed when the test process exits.
public final class LiveChildren: @unchecked Sendable {
    // `lock` guards `pids`.
    private let lock = NSLock()
    private var pids: Set<Int32> = []
    public static let shared: LiveChildren = {
        let children = LiveChildren()
        atexit { LiveChildren.shared.killAll() }
        return children
    }()

    public func add(_ pid: Int32) {
        lock.lock()
        pids.insert(pid)
        lock.unlock()
    }

    public func remove(_ pid: Int32) {
        lock.lock()
        pids.remove(pid)
        lock.unlock()
    }

    func killAll() {
        lock.lock()
        for pid in pids { kill(pid, SIGKILL) }
        lock.unlock()
    }
}

/// Reads a pipe on its own thread so a chatty child never blocks on a full pipe.
public final class OutputCollector: @unchecked Sendable {
    // `lock` guards `data`.
    private let lock = NSLock()
    private var data = Data()
    private var finished = false
    private let done = DispatchSemaphore(value: 0)

    public init(_ handle: FileHandle) {
        Thread {
            let d = handle.readDataToEndOfFile()
            self.lock.lock()
            self.data = d
            self.lock.unlock()
            self.done.signal()
        }.start()
    }

    /// Waits for the end of the pipe and returns what came through it.
    public func finish() -> String {
        lock.lock()
        let waited = finished
        lock.unlock()
        if !waited { done.wait() }
        lock.lock()
        defer { lock.unlock() }
        finished = true
        return String(decoding: data, as: UTF8.self)
    }
}
