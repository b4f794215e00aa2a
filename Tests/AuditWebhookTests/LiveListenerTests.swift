import AuditCore
import AuditSources
import AuditWebhook
import Foundation
import NIOCore
import Testing

/// A listener on a real loopback port, decoding into a store on its own thread.
final class LiveListener {
    let listener: WebhookListener
    let store = SharedEventStore()
    let stop = StopSignal()
    let done = DispatchSemaphore(value: 0)
    let port: Int

    init(tls: Bool = false, settings: WebhookSettings = WebhookSettings()) throws {
        listener = WebhookListener(endpoint: WebhookEndpoint(url: "\(tls ? "https" : "http")://127.0.0.1:0/k8s-audit")!, settings: settings)
        try listener.start()
        port = listener.boundPort!
        let (l, s, st, d) = (listener, store, stop, done)
        Thread {
            l.run(into: s, stop: st)
            d.signal()
        }.start()
    }

    var url: String { "\(listener.endpoint.tls ? "https" : "http")://127.0.0.1:\(port)/k8s-audit" }

    func waitFor(_ condition: @escaping (EventStore) -> Bool) -> Bool {
        for _ in 0..<300 {
            if store.withStore(condition) { return true }
            usleep(10_000)
        }
        return false
    }

    deinit {
        stop.set()
        done.wait()
    }
}

/// curl, as a real HTTP client: returns the status code (or "000") and curl's exit code.
func curl(_ args: [String], body: String? = nil) throws -> (status: String, exit: Int32) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
    var all = ["-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "10"] + args
    var file: URL?
    if let body {
        file = FileManager.default.temporaryDirectory.appendingPathComponent("audittop-body-\(UUID().uuidString)")
        try Data(body.utf8).write(to: file!)
        all += ["--data-binary", "@\(file!.path)"]
    }
    p.arguments = all
    let out = Pipe()
    p.standardOutput = out
    p.standardError = FileHandle(forWritingAtPath: "/dev/null")
    try p.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    if let file { try? FileManager.default.removeItem(at: file) }
    return (String(decoding: data, as: UTF8.self), p.terminationStatus)
}

let json = ["-X", "POST", "-H", "Content-Type: application/json"]

func batch(_ ids: Range<Int>) -> String {
    let items = ids.map { n in
        #"{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"00000000-0000-4000-8000-\#(String(format: "%012d", n))","stage":"ResponseComplete","requestURI":"/api/v1/pods","verb":"list","user":{"username":"u\#(n % 3)"},"objectRef":{"resource":"pods"},"responseStatus":{"code":200}}"#
    }
    return #"{"kind":"EventList","apiVersion":"audit.k8s.io/v1","items":[\#(items.joined(separator: ","))]}"#
}

@Suite(.serialized) struct LiveListenerTests {
    @Test func aBatchIsIngestedAndARetriedOneCountsAsDuplicates() throws {
        let l = try LiveListener()
        #expect(try curl(json + [l.url], body: batch(0..<400)).status == "200")
        #expect(try curl(json + [l.url], body: batch(0..<400)).status == "200")
        #expect(try curl(json + [l.url], body: batch(400..<410)).status == "200")
        #expect(l.waitFor { $0.counters.ingested == 410 && $0.counters.duplicates == 400 })
        #expect(l.listener.stats.snapshot.batches == 3)
    }

    @Test func wrongMethodTypePathAndOversizeBodyGetTheirStatus() throws {
        var settings = WebhookSettings()
        settings.maxBody = 10_000
        let l = try LiveListener(settings: settings)
        #expect(try curl([l.url]).status == "405")
        #expect(try curl(["-X", "POST", "-H", "Content-Type: text/plain", l.url], body: "{}").status == "415")
        #expect(try curl(json + [l.url + "x"], body: "{}").status == "404")
        #expect(try curl(json + [l.url], body: batch(0..<100)).status == "413")
        #expect(try curl(json + [l.url], body: "hello").status == "400")
    }

    @Test func aTokenIsCheckedOnTheWire() throws {
        var settings = WebhookSettings()
        settings.token = "t0ken"
        let l = try LiveListener(settings: settings)
        #expect(try curl(json + [l.url], body: batch(0..<1)).status == "401")
        #expect(try curl(json + ["-H", "Authorization: Bearer nope", l.url], body: batch(0..<1)).status == "401")
        #expect(try curl(json + ["-H", "Authorization: Bearer t0ken", l.url], body: batch(0..<1)).status == "200")
    }

    @Test func aSlowLorisConnectionIsCutOff() throws {
        var settings = WebhookSettings()
        settings.headerTimeout = .milliseconds(500)
        let l = try LiveListener(settings: settings)
        let fd = try RawClient.connect(port: l.port)
        defer { close(fd) }
        RawClient.send(fd, "POST /k8s-audit HTTP/1.1\r\nHost: x\r\n")
        var closed = false
        for _ in 0..<30 where !closed {
            usleep(100_000)
            RawClient.send(fd, "X")  // one byte at a time, never finishing the headers
            closed = RawClient.isClosed(fd)
        }
        #expect(closed)
        #expect(l.listener.stats.snapshot.closedSlow >= 1)
    }

    @Test func fiveHundredConcurrentConnectionsAreAllAnswered() throws {
        // All 500 come from 127.0.0.1 and none has authenticated when it opens, so the
        // per-source cap (64 by default, tested in ConnectionFloodTests) would close the
        // oldest of them whenever the listener accepts faster than requests arrive. This
        // test is about capacity, so the cap is raised to the number of connections.
        var settings = WebhookSettings()
        settings.maxUnauthenticatedPerSource = 500
        let l = try LiveListener(settings: settings)
        let body = batch(0..<2)
        let request = "POST /k8s-audit HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
        var fds: [Int32] = []
        for _ in 0..<500 { fds.append(try RawClient.connect(port: l.port)) }
        defer { fds.forEach { close($0) } }
        for fd in fds { RawClient.send(fd, request) }
        var ok = 0
        for fd in fds where RawClient.readStatus(fd) == 200 { ok += 1 }
        #expect(ok == 500)
        #expect(l.waitFor { $0.counters.ingested == 2 && $0.counters.duplicates == 998 })
        let stats = l.listener.stats.snapshot
        #expect(stats.closedOverSourceCap == 0 && stats.closedForRoom == 0 && stats.refusedConnections == 0)
    }
}
