@testable import AuditWebhook
import NIOCore
import NIOEmbedded
import NIOHTTP1
import Testing

/// The protocol without sockets: requests written into an EmbeddedChannel, answers read back.
@Suite struct WebhookHandlerTests {
    final class Harness {
        let channel = EmbeddedChannel()
        let stats = WebhookStats()
        let queue: BodyQueue

        init(settings: WebhookSettings = WebhookSettings()) throws {
            queue = BodyQueue(limit: settings.queueLimit)
            let table = ConnectionTable(stats: stats, limit: settings.maxConnections, perSource: settings.maxUnauthenticatedPerSource)
            try channel.pipeline.syncOperations.addHandler(
                WebhookHandler(path: "/k8s-audit", settings: settings, stats: stats, queue: queue, table: table))
            try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 40000)).wait()
        }

        /// Sends one request; returns the status of the answer and whether the connection closed.
        func send(method: HTTPMethod = .POST, uri: String = "/k8s-audit", headers: [(String, String)] = [("content-type", "application/json")],
                  body: String? = nil, bodyParts: [String]? = nil) throws -> (status: Int, closed: Bool) {
            var h = HTTPHeaders(headers)
            let parts = bodyParts ?? body.map { [$0] } ?? []
            if h.first(name: "content-length") == nil { h.add(name: "content-length", value: String(parts.joined().utf8.count)) }
            try channel.writeInbound(HTTPServerRequestPart.head(HTTPRequestHead(version: .http1_1, method: method, uri: uri, headers: h)))
            for part in parts where channel.isActive {
                try channel.writeInbound(HTTPServerRequestPart.body(ByteBuffer(string: part)))
            }
            if channel.isActive { try channel.writeInbound(HTTPServerRequestPart.end(nil)) }
            var status = 0
            while let part = try channel.readOutbound(as: HTTPServerResponsePart.self) {
                if case .head(let head) = part { status = Int(head.status.code) }
            }
            (channel.eventLoop as! EmbeddedEventLoop).run()
            return (status, !channel.isActive)
        }
    }

    static let event = #"{"kind":"Event","level":"Metadata","auditID":"a-1","stage":"ResponseComplete","requestURI":"/api","verb":"get","user":{"username":"u"}}"#

    @Test func aGoodBatchIsTakenInAndAnswered200() throws {
        let h = try Harness()
        let list = #"{"kind":"EventList","items":[\#(Self.event)]}"#
        #expect(try h.send(body: list).status == 200)
        #expect(try h.send(headers: [("content-type", "application/json; charset=utf-8")], body: "[\(Self.event)]").status == 200)
        #expect(h.queue.take(timeout: 0).map { String(buffer: $0.bytes) } == list)
        #expect(h.stats.snapshot.batches == 2)
    }

    @Test(arguments: [
        (HTTPMethod.GET, "/k8s-audit", "application/json", "{}", 405),
        (.PUT, "/k8s-audit", "application/json", "{}", 405),
        (.POST, "/elsewhere", "application/json", "{}", 404),
        (.POST, "/k8s-audit", "text/plain", "{}", 415),
        (.POST, "/k8s-audit", "", "{}", 415),
        (.POST, "/k8s-audit", "application/json", "not json", 400),
        (.POST, "/k8s-audit", "application/json", "", 400),
        (.POST, "/k8s-audit", "application/json", "\u{FEFF} \n x{}", 400),
        (.POST, "/k8s-audit", "application/json", " \r\n\t", 400),
    ])
    func refusedRequestsGetTheirStatusOnceAndTheConnectionCloses(_ method: HTTPMethod, _ uri: String, _ type: String, _ body: String, _ status: Int) throws {
        let h = try Harness()
        let headers = type.isEmpty ? [] : [("content-type", type)]
        let answer = try h.send(method: method, uri: uri, headers: headers, body: body)
        #expect(answer.status == status)
        #expect(answer.closed)
        #expect(h.queue.take(timeout: 0) == nil)
        #expect(h.stats.snapshot.requests == 1)
        #expect(h.stats.snapshot.answers == [status: 1])
    }

    /// A byte-order mark and whitespace before the JSON are allowed, and the body is queued
    /// as it came, the mark included (the decoder skips it).
    @Test func aBodyMayStartWithAByteOrderMarkAndWhitespace() throws {
        let h = try Harness()
        let body = "\u{FEFF} \r\n\t[\(Self.event)]"
        #expect(try h.send(body: body).status == 200)
        #expect(h.queue.take(timeout: 0).map { String(buffer: $0.bytes) } == body)
    }

    @Test func aGoodRequestKeepsTheConnectionForTheNext() throws {
        let h = try Harness()
        #expect(try h.send(body: Self.event) == (200, false))
        #expect(try h.send(body: Self.event) == (200, false))
    }

    @Test func aTokenIsRequiredWhenSet() throws {
        var settings = WebhookSettings()
        settings.token = "s3cret"
        let h = try Harness(settings: settings)
        #expect(try h.send(body: Self.event).status == 401)
        let wrong = try Harness(settings: settings)
        #expect(try wrong.send(headers: [("content-type", "application/json"), ("authorization", "Bearer wrong")], body: Self.event).status == 401)
        let right = try Harness(settings: settings)
        #expect(try right.send(headers: [("content-type", "application/json"), ("authorization", "Bearer s3cret")], body: Self.event).status == 200)
    }

    @Test func anOversizeBodyIs413FromItsLengthWithoutReadingIt() throws {
        var settings = WebhookSettings()
        settings.maxBody = 100
        let h = try Harness(settings: settings)
        let big = String(repeating: "x", count: 500)
        let answer = try h.send(headers: [("content-type", "application/json"), ("content-length", "500")], bodyParts: [big])
        #expect(answer.status == 413)
        #expect(answer.closed)
        #expect(h.stats.snapshot.answers == [413: 1])
    }

    @Test func aChunkedBodyGrowingPastTheLimitIs413Once() throws {
        var settings = WebhookSettings()
        settings.maxBody = 100
        let h = try Harness(settings: settings)
        let answer = try h.send(headers: [("content-type", "application/json"), ("content-length", "0")],
                                bodyParts: ["[", String(repeating: "1,", count: 80), "1]", String(repeating: "2,", count: 80)])
        #expect(answer.status == 413)
        #expect(answer.closed)
        #expect(h.stats.snapshot.answers == [413: 1])
    }

    @Test func aFullQueueAnswers503SoTheApiserverRetries() throws {
        var settings = WebhookSettings()
        settings.queueLimit = 200
        let h = try Harness(settings: settings)
        #expect(try h.send(body: Self.event).status == 200)
        #expect(try h.send(body: Self.event).status == 503)
    }

    @Test func tokensCompareInConstantTime() {
        #expect(WebhookHandler.constantTimeEqual(Array("abc".utf8), Array("abc".utf8)))
        #expect(!WebhookHandler.constantTimeEqual(Array("abc".utf8), Array("abd".utf8)))
        #expect(!WebhookHandler.constantTimeEqual(Array("abc".utf8), Array("abcd".utf8)))
        #expect(!WebhookHandler.constantTimeEqual([], Array("a".utf8)))
    }

    @Test(arguments: [
        ("http://:9765/k8s-audit", "http://127.0.0.1:9765/k8s-audit", true),
        ("http://0.0.0.0:9765/k8s-audit", "http://0.0.0.0:9765/k8s-audit", false),
        ("https://[::1]:8443/audit", "https://[::1]:8443/audit", true),
        ("http://10.0.0.5:80", "http://10.0.0.5:80/", false),
    ])
    func endpointsParseLikeFalcos(_ url: String, _ canonical: String, _ loopback: Bool) {
        let e = WebhookEndpoint(url: url)
        #expect(e?.description == canonical)
        #expect(e?.isLoopback == loopback)
    }

    @Test(arguments: ["ftp://x:1/a", "http://host/path", "http://host:99999/a", "k8s-audit"])
    func badEndpointsAreRejected(_ url: String) {
        #expect(WebhookEndpoint(url: url) == nil)
    }
}
