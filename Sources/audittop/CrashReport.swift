import CTerminalGuard
import Foundation

/// How a crash is reported: never interactively, never over the dashboard.
///
/// Swift's runtime catches SIGSEGV, SIGABRT, SIGBUS, SIGFPE, SIGILL and SIGTRAP and runs its
/// backtracer, configured by `SWIFT_BACKTRACE`, which it reads once, before `main`. Its
/// defaults suit a developer at a terminal: on a terminal it waits 30 s for a key and prints
/// over whatever is on the screen. So `main` first makes sure the variable says
/// `interactive=no` and where the backtrace goes, and if it had to add either, runs this
/// same program again with it (`execv` of the file `/proc/self/exe` names, same arguments,
/// same pid). The runtime offers no other way: its settings are read at start-up and then
/// write-protected.
///
/// Where it goes: with a terminal on stdout, to a file under `$XDG_STATE_HOME/audittop/`
/// (`~/.local/state/audittop/`), named `audittop-PID-….log`; with none (`collect` under a
/// supervisor, a pipe), to stderr. Settings already in `SWIFT_BACKTRACE` are kept, so
/// `SWIFT_BACKTRACE=interactive=yes` still debugs, and `enable=no` turns it all off.
enum CrashReport {
    /// Puts the backtracer's settings in place, re-executing once if they were missing.
    /// Call it first in `main`, before any thread starts; it returns when nothing had to change
    /// (or the re-exec failed, leaving the runtime's defaults).
    static func prepare() {
        let current = getenv("SWIFT_BACKTRACE").map { String(cString: $0) } ?? ""
        var settings = BacktraceSettings(current)
        guard settings["enable"] != "no" else { return }
        if settings["interactive"] == nil { settings["interactive"] = "no" }
        if settings["output-to"] == nil { settings["output-to"] = isatty(STDOUT_FILENO) == 1 ? crashFolder() ?? "stderr" : "stderr" }
        let wanted = settings.text
        if wanted != current {
            #if os(Linux)
            setenv("SWIFT_BACKTRACE", wanted, 1)
            // By its real path, so the process keeps its name (`audittop`, not `exe`) in ps,
            // pgrep and the crash file's name.
            let path = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? "/proc/self/exe"
            execv(access(path, X_OK) == 0 ? path : "/proc/self/exe", CommandLine.unsafeArgv)
            // The exec failed: go on with the runtime's defaults rather than not at all.
            setenv("SWIFT_BACKTRACE", current, 1)
            if current.isEmpty { unsetenv("SWIFT_BACKTRACE") }
            #endif
            return
        }
        let note: String
        switch settings["output-to"] ?? "stderr" {
        case "stderr", "stdout": note = "the backtrace follows\n"
        case let folder: note = "the backtrace is in \(folder)/audittop-\(getpid())-*.log\n"
        }
        var bytes = Array(note.utf8)
        bytes.withUnsafeMutableBufferPointer { buf in
            buf.withMemoryRebound(to: CChar.self) { audittop_guard_crash_note($0.baseAddress, $0.count) }
        }
    }

    /// `$XDG_STATE_HOME/audittop` (or `~/.local/state/audittop`), created private to the user;
    /// nil when it cannot be made, or its path would not survive `SWIFT_BACKTRACE`'s commas.
    static func crashFolder(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        let state = environment["XDG_STATE_HOME"].flatMap { $0.hasPrefix("/") ? $0 : nil }
            ?? environment["HOME"].flatMap { $0.hasPrefix("/") ? $0 + "/.local/state" : nil }
        guard let state else { return nil }
        let folder = state + "/audittop"
        guard !folder.contains(","), !folder.contains("=") else { return nil }
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            return nil
        }
        return access(folder, W_OK) == 0 ? folder : nil
    }

    /// For the crash tests: `AUDITTOP_TEST_CRASH=KIND` faults for real with KIND (segv, abort,
    /// bus, fpe, ill or trap) once the caller is up (the dashboard drawn, `collect`
    /// listening); `KIND:FILE` waits until FILE exists, so a test can first see the screen.
    /// Not an option: no one should meet it by accident.
    static func crashIfAsked() {
        guard let asked = testCrash else { return }
        if let trigger = asked.trigger, access(trigger, F_OK) != 0 { return }
        audittop_guard_crash_for_test(asked.signal)
    }

    private static let testCrash: (signal: Int32, trigger: String?)? = {
        guard let text = ProcessInfo.processInfo.environment["AUDITTOP_TEST_CRASH"] else { return nil }
        let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
        let signals = ["segv": SIGSEGV, "abort": SIGABRT, "bus": SIGBUS, "fpe": SIGFPE, "ill": SIGILL, "trap": SIGTRAP]
        guard let kind = parts.first, let signal = signals[kind] else { return nil }
        return (signal, parts.count > 1 ? parts[1] : nil)
    }()
}

/// `SWIFT_BACKTRACE`'s comma-separated `key=value` list, its order kept.
struct BacktraceSettings {
    private var pairs: [(key: String, value: String)] = []

    init(_ text: String) {
        for item in text.split(separator: ",") {
            let parts = item.split(separator: "=", maxSplits: 1)
            pairs.append((String(parts[0]), parts.count > 1 ? String(parts[1]) : ""))
        }
    }

    subscript(key: String) -> String? {
        get { pairs.last { $0.key == key }?.value }
        set {
            pairs.removeAll { $0.key == key }
            if let newValue { pairs.append((key, newValue)) }
        }
    }

    var text: String { pairs.map { "\($0.key)=\($0.value)" }.joined(separator: ",") }
}
