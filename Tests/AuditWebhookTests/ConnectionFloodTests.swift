@testable import AuditWebhook
import Foundation
import Testing

extension LiveListener {
    /// Waits up to 10 s for the listener's counters to satisfy `condition`.
    func waitForStats(_ condition: (WebhookCounts) -> Bool) -> Bool {
        for _ in 0..<1000 {
            if condition(listener.stats.snapshot) { return true }
            usleep(10_000)
        }
        return false
    }

    /// Posts one event with `token` on a new connection from `from`; the status and the
    /// seconds from connecting to the answer.
    func timedPost(from: String = "127.0.0.1", token: String?) throws -> (status: Int, seconds: Double) {
        let start = Date()
        let fd = try RawClient.connect(port: port, from: from)
        defer { close(fd) }
        RawClient.send(fd, RawClient.post(Array(batch(5000..<5001).utf8), token: token))
        let status = RawClient.readStatus(fd)
        return (status, Date().timeIntervalSince(start))
    }
}

/// Clients that hold connections without sending: idle floods, the per-IP cap, eviction at
/// the limit and the header clock, on real sockets.
@Suite(.serialized) struct ConnectionFloodTests {
    static let enoughFiles = "needs 4,096 open files; raise the hard limit (ulimit -Hn) to run it"

    @Test(.enabled(if: FileLimit.raise(to: 4096), Comment(rawValue: enoughFiles)))
    func elevenHundredIdleSocketsFromTheSendersOwnIPDoNotDelayIt() throws {
        var settings = WebhookSettings()
        settings.token = "t0ken"
        let l = try LiveListener(settings: settings)
        var fds: [Int32] = []
        defer { fds.forEach { close($0) } }
        for _ in 0..<1100 { fds.append(try RawClient.connect(port: l.port)) }
        // 64 are held; every older one was closed as the cap was passed.
        #expect(l.waitForStats { $0.openConnections == 64 && $0.closedOverSourceCap == 1036 })
        let answer = try l.timedPost(token: "t0ken")
        #expect(answer.status == 200)
        #expect(answer.seconds < 1, "answered in \(answer.seconds) s")
        #expect(l.waitFor { $0.counters.ingested == 1 })
    }

    @Test(.enabled(if: FileLimit.raise(to: 4096), Comment(rawValue: enoughFiles)))
    func elevenHundredIdleSocketsFromTwentyIPsFillEverySlotButTheSenderGetsIn() throws {
        var settings = WebhookSettings()
        settings.token = "t0ken"
        let l = try LiveListener(settings: settings)
        var fds: [Int32] = []
        defer { fds.forEach { close($0) } }
        for k in 0..<1100 { fds.append(try RawClient.connect(port: l.port, from: "127.0.0.\(2 + k % 20)")) }
        // 55 from each IP, under the cap: the limit closes the oldest to let the newest in.
        #expect(l.waitForStats { $0.openConnections == 1024 && $0.closedForRoom == 76 })
        let answer = try l.timedPost(token: "t0ken")
        #expect(answer.status == 200)
        #expect(answer.seconds < 1, "answered in \(answer.seconds) s")
        #expect(l.listener.stats.snapshot.refusedConnections == 0)
    }

    @Test func unauthenticatedConnectionsAreCappedPerSourceIPAndTheOldestGo() throws {
        var settings = WebhookSettings()
        settings.maxUnauthenticatedPerSource = 10
        let l = try LiveListener(settings: settings)
        let sender = try RawClient.connect(port: l.port, from: "127.0.0.5")
        defer { close(sender) }
        RawClient.send(sender, RawClient.post(Array(batch(0..<1).utf8)))
        #expect(RawClient.readStatus(sender) == 200)
        let neighbour = try RawClient.connect(port: l.port, from: "127.0.0.6")
        defer { close(neighbour) }
        var idle: [Int32] = []
        defer { idle.forEach { close($0) } }
        for _ in 0..<30 { idle.append(try RawClient.connect(port: l.port, from: "127.0.0.5")) }
        #expect(l.waitForStats { $0.closedOverSourceCap == 20 })
        #expect(idle.prefix(20).allSatisfy { RawClient.waitClosed($0, within: 2) })
        #expect(idle.suffix(10).allSatisfy { !RawClient.isClosed($0) })
        // Neither the authenticated connection from that IP nor another IP's is touched.
        #expect(!RawClient.isClosed(neighbour))
        RawClient.send(sender, RawClient.post(Array(batch(1..<2).utf8)))
        #expect(RawClient.readStatus(sender) == 200)
    }

    @Test func anIdleKeepAliveConnectionIsClosedFirstAtTheLimit() throws {
        var settings = WebhookSettings()
        settings.maxConnections = 8
        let l = try LiveListener(settings: settings)
        let keptAlive = try RawClient.connect(port: l.port)
        defer { close(keptAlive) }
        RawClient.send(keptAlive, RawClient.post(Array(batch(0..<1).utf8)))
        #expect(RawClient.readStatus(keptAlive) == 200)
        var fresh: [Int32] = []
        defer { fresh.forEach { close($0) } }
        for k in 0..<8 { fresh.append(try RawClient.connect(port: l.port, from: "127.0.1.\(k + 1)")) }
        // The eighth fresh one took the idle keep-alive connection's slot, not a fresh one's.
        #expect(RawClient.waitClosed(keptAlive, within: 2))
        #expect(fresh.allSatisfy { !RawClient.isClosed($0) })
        // With no idle connection left, the oldest that has sent nothing goes next.
        fresh.append(try RawClient.connect(port: l.port, from: "127.0.1.100"))
        #expect(RawClient.waitClosed(fresh[0], within: 2))
        #expect(l.waitForStats { $0.closedForRoom == 2 && $0.openConnections == 8 })
    }

    @Test func aSilentConnectionIsClosedAfterTheHeaderTimeout() throws {
        var settings = WebhookSettings()
        settings.headerTimeout = .milliseconds(300)
        let l = try LiveListener(settings: settings)
        let start = Date()
        let fd = try RawClient.connect(port: l.port)
        defer { close(fd) }
        #expect(RawClient.waitClosed(fd, within: 5))
        let seconds = Date().timeIntervalSince(start)
        #expect(seconds >= 0.25 && seconds < 3, "closed after \(seconds) s")
        #expect(l.waitForStats { $0.closedSlow == 1 && $0.openConnections == 0 })
    }

    @Test func aKeepAliveConnectionIdlesLongerButItsNextHeadIsTimedFromItsFirstByte() throws {
        var settings = WebhookSettings()
        settings.headerTimeout = .milliseconds(300)
        let l = try LiveListener(settings: settings)
        let fd = try RawClient.connect(port: l.port)
        defer { close(fd) }
        RawClient.send(fd, RawClient.post(Array(batch(0..<1).utf8)))
        #expect(RawClient.readStatus(fd) == 200)
        usleep(800_000)  // idle past the header timeout: an idle keep-alive connection stays
        #expect(!RawClient.isClosed(fd))
        RawClient.send(fd, "POST /k8s-audit HTTP/1.1\r\n")
        var closed = false
        for _ in 0..<30 where !closed {
            usleep(100_000)
            RawClient.send(fd, "X")
            closed = RawClient.isClosed(fd)
        }
        #expect(closed)
        #expect(l.listener.stats.snapshot.closedSlow == 1)
    }
}
