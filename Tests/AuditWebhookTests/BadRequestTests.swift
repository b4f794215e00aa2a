import AuditCore
@testable import AuditWebhook
import Foundation
import Testing

/// One audit event as a batch item, with room for a long user agent.
func item(_ n: Int, userAgent: String = "kubectl") -> String {
    #"{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"00000000-0000-4000-8000-\#(String(format: "%012d", n))","stage":"ResponseComplete","requestURI":"/api/v1/pods","verb":"list","user":{"username":"u\#(n % 3)"},"userAgent":"\#(userAgent)","objectRef":{"resource":"pods"},"responseStatus":{"code":200}}"#
}

/// The events the store passed to the tee (`onIngest`), by length; written by the store's
/// hook and read by the test, both under the store's lock.
final class TeeProbe {
    var lengths: [Int] = []
}

/// Requests that are wrong on purpose, on real sockets: each gets one answer, counted once,
/// and a bad part of a batch costs only itself.
@Suite(.serialized) struct BadRequestTests {
    /// Sends `request` on a new connection; everything answered until the close, and
    /// whether the connection closed.
    func exchange(_ l: LiveListener, _ request: [UInt8]) throws -> (answers: [String], closed: Bool) {
        let fd = try RawClient.connect(port: l.port)
        defer { close(fd) }
        RawClient.send(fd, request)
        let (text, closed) = RawClient.readToClose(fd)
        let answers = text.components(separatedBy: "HTTP/1.1 ").dropFirst().map { String($0.prefix(3)) }
        return (answers, closed)
    }

    @Test(arguments: [[UInt8(0)], [0xFF], [0xC3, 0x28]])
    func aBadByteInTheFirstOfAHundredItemsCostsOnlyThatItem(_ bad: [UInt8]) throws {
        let l = try LiveListener()
        let first = Array(item(0, userAgent: "kube@ctl").utf8)
        let at = first.firstIndex(of: UInt8(ascii: "@"))!  // inside the user agent's string
        var body = Array(#"{"kind":"EventList","apiVersion":"audit.k8s.io/v1","items":["#.utf8)
        body += first[..<at] + bad + first[(at + 1)...]
        for n in 1..<100 { body += Array(",\(item(n))".utf8) }
        body += Array("]}".utf8)
        #expect(try exchange(l, RawClient.post(body, keepAlive: false)).answers == ["200"])
        #expect(l.waitFor { $0.counters.ingested == 99 })
        #expect(l.store.withStore { $0.counters.malformed.total } == 1)
    }

    @Test func anEventOverMaxLineInABatchIsCountedOversizedSkippedAndNotTeed() throws {
        var settings = WebhookSettings()
        settings.maxEvent = 2048
        let l = try LiveListener(settings: settings)
        let tee = TeeProbe()
        l.store.withStore { $0.onIngest = { tee.lengths.append($0.count) } }
        let items = (0..<10).map { item($0, userAgent: $0 == 3 ? String(repeating: "x", count: 5000) : "kubectl") }
        let body = #"{"kind":"EventList","items":[\#(items.joined(separator: ","))]}"#
        #expect(try exchange(l, RawClient.post(Array(body.utf8), keepAlive: false)).answers == ["200"])
        #expect(l.waitFor { $0.counters.ingested == 9 })
        #expect(l.store.withStore { $0.counters.malformed[.oversized] } == 1)
        #expect(l.store.withStore { _ in tee.lengths.count } == 9)
        #expect(l.store.withStore { _ in tee.lengths.allSatisfy { $0 <= 2048 } })
    }

    @Test func aNegativeContentLengthGetsOne400AndACloseCountedOnce() throws {
        let l = try LiveListener()
        let request = "POST /k8s-audit HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: -5\r\n\r\n{}\r\n\r\n"
        let answer = try exchange(l, Array(request.utf8))
        #expect(answer.answers == ["400"])
        #expect(answer.closed)
        #expect(l.waitForStats { $0.answers == [400: 1] && $0.requests == 1 })
    }

    @Test func aDeclaredOversizeBodyGetsOne413AndACloseCountedOnce() throws {
        var settings = WebhookSettings()
        settings.maxBody = 1 << 20
        let l = try LiveListener(settings: settings)
        let head = "POST /k8s-audit HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 40000000\r\n\r\n"
        let answer = try exchange(l, Array(head.utf8) + [UInt8](repeating: 0x20, count: 10_000))
        #expect(answer.answers == ["413"])
        #expect(answer.closed)
        #expect(l.waitForStats { $0.answers == [413: 1] && $0.requests == 1 })
    }

    @Test func aChunkedBodyGrowingPastTheLimitGetsOne413CountedOnce() throws {
        var settings = WebhookSettings()
        settings.maxBody = 1000
        let l = try LiveListener(settings: settings)
        var request = "POST /k8s-audit HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
        for _ in 0..<4 { request += "200\r\n" + String(repeating: " ", count: 512) + "\r\n" }
        let answer = try exchange(l, Array(request.utf8))
        #expect(answer.answers == ["413"])
        #expect(answer.closed)
        #expect(l.waitForStats { $0.answers == [413: 1] && $0.requests == 1 })
    }

    @Test func garbageAfterAGoodRequestGetsOne400AndTheGoodOneIsKept() throws {
        let l = try LiveListener()
        let answer = try exchange(l, RawClient.post(Array(batch(0..<1).utf8)) + Array("NOT HTTP AT ALL\r\n\r\n".utf8))
        #expect(answer.answers == ["200", "400"])
        #expect(answer.closed)
        #expect(l.waitForStats { $0.answers == [200: 1, 400: 1] && $0.requests == 2 })
        #expect(l.waitFor { $0.counters.ingested == 1 })
    }

    @Test func aBodyThatIsNotJSONIs400AndCloses() throws {
        let l = try LiveListener()
        let answer = try exchange(l, RawClient.post(Array("hello, not json".utf8)))
        #expect(answer.answers == ["400"])
        #expect(answer.closed)
        #expect(l.waitForStats { $0.answers == [400: 1] && $0.batches == 0 })
    }

    @Test func aWrongTokenIs401AndCloses() throws {
        var settings = WebhookSettings()
        settings.token = "t0ken"
        let l = try LiveListener(settings: settings)
        let answer = try exchange(l, RawClient.post(Array(batch(0..<1).utf8), token: "nope"))
        #expect(answer.answers == ["401"])
        #expect(answer.closed)
    }
}
