#if canImport(Glibc)
import Glibc
#endif

/// A shell command run in its own process group, with its stdout (and, when captured, its
/// stderr) in pipes and stdin from `/dev/null`, so it never reads the terminal. Stopping it
/// stops the whole group: what `sh -c` started goes too.
public final class ChildCommand {
    public let command: String
    public let pid: pid_t
    /// The read end of the command's stdout.
    public let stdout: Int32
    /// The read end of its stderr, or -1 when stderr is the caller's.
    public let stderr: Int32
    private var reaped: Int32?

    /// Starts `/bin/sh -c command`.
    /// - Throws: `SourceError` when it cannot be started at all.
    public init(_ command: String, captureStderr: Bool) throws(SourceError) {
        self.command = command
        var out: [Int32] = [-1, -1], err: [Int32] = [-1, -1]
        guard Self.pipe(&out) else { throw .system("exec", errno) }
        if captureStderr, !Self.pipe(&err) {
            let e = errno
            close(out[0]); close(out[1])
            throw .system("exec", e)
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, out[1], 1)
        if captureStderr { posix_spawn_file_actions_adddup2(&actions, err[1], 2) }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // Its own group (so it can be stopped whole), default signal handling and no
        // blocked signals, whatever the dashboard's threads had.
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        posix_spawnattr_setpgroup(&attributes, 0)
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attributes, &none)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for s in [SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGCHLD] { sigaddset(&defaults, s) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        let argv: [UnsafeMutablePointer<CChar>?] = [strdup("/bin/sh"), strdup("-c"), strdup(command), nil]
        defer { argv.forEach { free($0) } }
        var child: pid_t = 0
        let status = posix_spawn(&child, "/bin/sh", &actions, &attributes, argv, environ)
        close(out[1])
        if captureStderr { close(err[1]) }
        guard status == 0 else {
            close(out[0])
            if captureStderr { close(err[0]) }
            throw SourceError(source: "exec", reason: "cannot run /bin/sh: \(String(cString: strerror(status)))")
        }
        pid = child
        stdout = out[0]
        stderr = captureStderr ? err[0] : -1
    }

    /// A pipe whose ends are not inherited by other children.
    private static func pipe(_ fds: inout [Int32]) -> Bool {
        guard Glibc.pipe(&fds) == 0 else { return false }
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        return true
    }

    deinit {
        stop()
        close(stdout)
        if stderr >= 0 { close(stderr) }
    }

    /// Waits for the command to end; its exit status (128 + N for signal N).
    @discardableResult
    public func wait() -> Int32 {
        if let reaped { return reaped }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let code = status & 0x7F == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
        reaped = code
        return code
    }

    /// Stops the command's whole group: SIGTERM, then SIGKILL after a second.
    public func stop() {
        guard reaped == nil else { return }
        kill(-pid, SIGTERM)
        var status: Int32 = 0
        for _ in 0..<20 {
            if waitpid(pid, &status, WNOHANG) == pid {
                reaped = status & 0x7F == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
                kill(-pid, SIGKILL)
                return
            }
            usleep(50_000)
        }
        kill(-pid, SIGKILL)
        wait()
    }
}

/// The last line a command wrote to stderr, kept as it arrives (bounded: 300 bytes).
struct LastLine {
    private var current: [UInt8] = []
    private(set) var last = ""

    mutating func add(_ bytes: UnsafeBufferPointer<UInt8>) {
        for b in bytes {
            if b == 0x0A || b == 0x0D {
                if !current.isEmpty { last = String(decoding: current, as: UTF8.self) }
                current.removeAll(keepingCapacity: true)
            } else if current.count < 300 {
                current.append(b)
            }
        }
    }

    /// The last complete line, or the unfinished one when nothing else was written.
    var text: String { current.isEmpty ? last : String(decoding: current, as: UTF8.self) }
}
