#if canImport(Glibc)
import Glibc
#endif
import AuditCore
import AuditSources
import Foundation
import Testing

/// `--exec`: a command's output followed as a source, restarted when it exits, its stderr
/// in the state the status bar shows.
@Suite struct CommandSourceTests {
    /// A script that prints three events with ids of its own run, says why on stderr, and exits 3.
    static func script(_ body: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("audittop-exec-\(UUID().uuidString).sh").path
        try ("#!/bin/sh\n" + body).write(toFile: path, atomically: true, encoding: .utf8)
        chmod(path, 0o755)
        return path
    }

    static let threeEvents = #"""
        for k in 1 2 3; do
          printf '{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"run-%s-%s","stage":"ResponseComplete","requestURI":"/api/v1/pods","verb":"list","user":{"username":"alice"},"responseStatus":{"code":200},"requestReceivedTimestamp":"2026-12-03T14:00:00.000000Z","stageTimestamp":"2026-12-03T14:00:00.001000Z"}\n' $$ $k
        done
        """#

    /// Runs `source` on its own thread until `until` holds (or 10 s), then stops it; returns
    /// the store and every state seen.
    static func run(_ source: CommandSource, until: @escaping (EventStore, String) -> Bool) -> (SharedEventStore, [String]) {
        let store = SharedEventStore()
        let stop = StopSignal()
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            source.run(into: store, stop: stop)
            done.signal()
        }
        thread.start()
        var states: [String] = []
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            let state = source.state
            if states.last != state { states.append(state) }
            if store.withStore({ until($0, state) }) { break }
            usleep(20_000)
        }
        stop.set()
        #expect(done.wait(timeout: .now() + 5) == .success, "the source did not stop")
        return (store, states)
    }

    @Test func aCommandThatExitsIsRestartedAndItsStderrShown() throws {
        let path = try Self.script(Self.threeEvents + "\necho 'token expired: run aws sso login' >&2\nexit 3\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let source = CommandSource(command: path, firstBackoff: 100, maxBackoff: 400)
        let (store, states) = Self.run(source) { store, state in store.accepted >= 12 && state.contains("0.4 s") }
        #expect(store.withStore { $0.accepted } >= 12, "\(states)")
        #expect(states.contains { $0.hasPrefix("error: token expired: run aws sso login (exit 3, restart in") }, "\(states)")
        // Three exits, each wait twice the last, up to the most.
        for wait in ["0.1 s", "0.2 s", "0.4 s"] {
            #expect(states.contains { $0.hasSuffix("(exit 3, restart in \(wait))") }, "\(states)")
        }
        #expect(source.name == "exec: " + path)
    }

    @Test func aCommandThatEndsCleanlyIsRestartedWithoutAnError() throws {
        let path = try Self.script(Self.threeEvents + "\nexit 0\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let source = CommandSource(command: path, firstBackoff: 100)
        let (store, states) = Self.run(source) { store, _ in store.accepted >= 6 }
        #expect(store.withStore { $0.accepted } >= 6)
        #expect(states.contains("ended, restart in 0.1 s"), "\(states)")
        #expect(!states.contains { $0.hasPrefix("error") }, "\(states)")
    }

    @Test func aCommandThatCannotRunSaysSo() throws {
        let source = CommandSource(command: "no-such-command-audittop --follow", firstBackoff: 100)
        let (store, states) = Self.run(source) { _, state in state.hasPrefix("error:") }
        #expect(store.withStore { $0.accepted } == 0)
        #expect(states.contains { $0.hasPrefix("error: ") && $0.contains("no-such-command-audittop: not found") && $0.contains("exit 127") }, "\(states)")
    }

    @Test func stoppingTheSourceStopsTheCommandAndWhatItStarted() throws {
        let pidFile = FileManager.default.temporaryDirectory.appendingPathComponent("audittop-exec-\(UUID().uuidString).pid").path
        let path = try Self.script(Self.threeEvents + "\nsleep 60 &\necho $! > \(pidFile)\nwait\n")
        defer { try? FileManager.default.removeItem(atPath: path); try? FileManager.default.removeItem(atPath: pidFile) }
        let source = CommandSource(command: path)
        let (store, _) = Self.run(source) { store, _ in store.accepted >= 3 && FileManager.default.fileExists(atPath: pidFile) }
        #expect(store.withStore { $0.accepted } == 3)
        let sleeper = pid_t(try String(contentsOfFile: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        #expect(sleeper > 0)
        // Killed with its group; once init has reaped it, it is gone.
        var alive = true
        for _ in 0..<50 where alive {
            alive = kill(sleeper, 0) == 0 && !(try! String(contentsOfFile: "/proc/\(sleeper)/stat", encoding: .utf8)).contains(") Z ")
            if alive { usleep(50_000) }
        }
        #expect(!alive, "the command's child \(sleeper) outlived the source")
    }
}
