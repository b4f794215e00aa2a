import AuditCore
import AuditSimulator
import AuditSources
import AuditWebhook
import Foundation

/// `audittop-bench --webhook`: a load generator that behaves like kube-apiserver's batch
/// webhook client: several concurrent senders, each on its own keep-alive connection,
/// posting 400-event EventLists of realistic events, retrying any non-2xx answer with
/// backoff (5 attempts). It runs against a listener in this process on loopback and prints
/// events/s ingested, answer latency and the accounting of every event sent.
enum WebhookLoad {
    static func run(senders: Int, events: Int, url: String?) throws {
        if let url {
            guard let endpoint = WebhookEndpoint(url: url), !endpoint.tls else {
                Bench.fail("--url takes an http://HOST:PORT/PATH listener address")
            }
            return try sendOnly(to: endpoint, senders: senders, events: events)
        }
        let listener = WebhookListener(endpoint: WebhookEndpoint(url: "http://127.0.0.1:0/k8s-audit")!, settings: WebhookSettings())
        try listener.start()
        let port = listener.boundPort!
        let store = SharedEventStore()
        let stop = StopSignal()
        let drained = DispatchSemaphore(value: 0)
        Thread {
            listener.run(into: store, stop: stop)
            drained.signal()
        }.start()

        let bodies = makeBodies(events)
        let shares = (0..<senders).map { s in stride(from: s, to: bodies.count, by: senders).map { bodies[$0] } }
        print("sending with \(senders) senders to 127.0.0.1:\(port)...")
        return try measure(bodies: bodies, shares: shares, senders: senders, events: events, port: port, store: store, listener: listener,
                           stop: stop, drained: drained)
    }

    /// One POST body and the events in it (counted when made, not while sending, so the
    /// senders spend no CPU the listener could use).
    typealias Batch = (body: [UInt8], events: Int)

    /// 400-event EventList bodies of simulated events.
    static func makeBodies(_ events: Int) -> [Batch] {
        print("generating \(events) events in 400-event batches...")
        var sim = Simulator(seed: 11, incidentAfter: 60_000_000)
        var bodies: [Batch] = []
        var sent = 0
        while sent < events {
            let n = min(400, events - sent)
            var body = Array(#"{"kind":"EventList","apiVersion":"audit.k8s.io/v1","metadata":{},"items":["#.utf8)
            for k in 0..<n {
                if k > 0 { body.append(UInt8(ascii: ",")) }
                var line = sim.next().line
                line.removeLast()  // the newline
                body.append(contentsOf: line)
            }
            body.append(contentsOf: Array("]}".utf8))
            bodies.append((body, n))
            sent += n
        }
        return bodies
    }

    /// One sender thread per share of the batches, each on its own connection; returns
    /// when all have finished.
    static func sendAll(_ shares: [[Batch]], host: String, port: Int, path: String, results: Results) {
        let group = DispatchGroup()
        for share in shares {
            group.enter()
            Thread {
                Sender(host: host, port: port, path: path).send(share, results: results)
                group.leave()
            }.start()
        }
        group.wait()
    }

    /// Posts to a listener elsewhere (`audittop collect`, say) and prints the sender's side.
    static func sendOnly(to endpoint: WebhookEndpoint, senders: Int, events: Int) throws {
        let bodies = makeBodies(events)
        let shares = (0..<senders).map { s in stride(from: s, to: bodies.count, by: senders).map { bodies[$0] } }
        let results = Results()
        let started = Date()
        sendAll(shares, host: endpoint.host, port: endpoint.port, path: endpoint.path, results: results)
        let seconds = Date().timeIntervalSince(started)
        print(String(format: "sent %d events in %d batches to %@ in %.2f s (%.0f events/s)", events, bodies.count, endpoint.description,
                     seconds, Double(events) / seconds))
        print("accounting: \(events) sent; \(results.deliveredEvents) answered 200; retries \(results.retries); given up \(results.givenUpEvents)")
    }

    static func measure(bodies: [Batch], shares: [[Batch]], senders: Int, events: Int, port: Int, store: SharedEventStore,
                        listener: WebhookListener, stop: StopSignal, drained: DispatchSemaphore) throws {
        let results = Results()
        let started = Date()
        sendAll(shares, host: "127.0.0.1", port: port, path: "/k8s-audit", results: results)
        let sendSeconds = Date().timeIntervalSince(started)
        // Wait for everything answered 200 to be decoded.
        let delivered = results.deliveredEvents
        var counters = store.withStore { $0.counters }
        while counters.ingested + counters.duplicates + counters.malformed.total < delivered {
            usleep(10_000)
            counters = store.withStore { $0.counters }
        }
        let seconds = Date().timeIntervalSince(started)
        stop.set()
        drained.wait()
        let latencies = results.latencies.sorted()
        func pct(_ q: Double) -> Double { latencies.isEmpty ? 0 : latencies[min(latencies.count - 1, Int(Double(latencies.count) * q))] }
        print("")
        print(String(format: "%d senders, %d batches of up to 400 events: %.0f events/s ingested (sending took %.2f s, decoding done at %.2f s)",
                     senders, bodies.count, Double(counters.ingested) / seconds, sendSeconds, seconds))
        print(String(format: "answer latency: p50 %.1f ms, p99 %.1f ms, max %.1f ms over %d answers",
                     pct(0.5), pct(0.99), latencies.last ?? 0, latencies.count))
        print("accounting: \(events) sent; \(counters.ingested) ingested + \(counters.duplicates) duplicates + \(counters.malformed.total) malformed"
            + " = \(counters.ingested + counters.duplicates + counters.malformed.total); retries \(results.retries); given up \(results.givenUpEvents)")
        let answers = listener.stats.snapshot.answers.sorted { $0.key < $1.key }.map { "\($0.key)×\($0.value)" }.joined(separator: " ")
        print("answers by status: \(answers)")
    }

    /// What the senders saw, shared between them.
    final class Results: @unchecked Sendable {
        // `lock` guards every field.
        private let lock = NSLock()
        private var _latencies: [Double] = []
        private var _delivered = 0
        private var _retries = 0
        private var _givenUp = 0

        func record(latency: Double) { lock.withLock { _latencies.append(latency) } }
        func delivered(_ events: Int) { lock.withLock { _delivered += events } }
        func retried() { lock.withLock { _retries += 1 } }
        func gaveUp(_ events: Int) { lock.withLock { _givenUp += events } }
        var latencies: [Double] { lock.withLock { _latencies } }
        var deliveredEvents: Int { lock.withLock { _delivered } }
        var retries: Int { lock.withLock { _retries } }
        var givenUpEvents: Int { lock.withLock { _givenUp } }
    }
}

/// One keep-alive HTTP/1.1 connection posting batches, like one apiserver goroutine.
struct Sender {
    let host: String
    let port: Int
    let path: String

    func send(_ bodies: [WebhookLoad.Batch], results: WebhookLoad.Results) {
        var fd: Int32 = -1
        for (body, events) in bodies {
            var attempt = 0
            var backoff = 0.01  // the apiserver starts at 10 s; scaled down for a benchmark
            while true {
                if fd < 0 { fd = connectLoopback() }
                let t0 = DispatchTime.now().uptimeNanoseconds
                let status = fd < 0 ? 0 : post(fd, body)
                results.record(latency: Double(DispatchTime.now().uptimeNanoseconds - t0) / 1_000_000)
                if status == 200 {
                    results.delivered(events)
                    break
                }
                if fd >= 0 { close(fd); fd = -1 }
                attempt += 1
                if attempt == 5 {
                    results.gaveUp(events)
                    break
                }
                results.retried()
                usleep(useconds_t(backoff * (0.8 + Double.random(in: 0..<0.4)) * 1_000_000))
                backoff *= 1.5
            }
        }
        if fd >= 0 { close(fd) }
    }

    private func connectLoopback() -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr(host)
        let r = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if r != 0 { close(fd); return -1 }
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        return fd
    }

    /// Sends one request and reads the answer; returns its status (0 on a broken connection).
    private func post(_ fd: Int32, _ body: [UInt8]) -> Int {
        let head = "POST \(path) HTTP/1.1\r\nHost: \(host)\r\nContent-Type: application/json\r\nContent-Length: \(body.count)\r\n\r\n"
        guard writeAll(fd, Array(head.utf8)), writeAll(fd, body) else { return 0 }
        var response: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n <= 0 { return 0 }
            response.append(contentsOf: buffer[0..<n])
            if let end = response.firstRange(of: Array("\r\n\r\n".utf8)) {
                let header = String(decoding: response[..<end.lowerBound], as: UTF8.self)
                let length = header.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-length:") }
                    .flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) } ?? 0
                while response.count < end.upperBound + length {
                    let m = recv(fd, &buffer, buffer.count, 0)
                    if m <= 0 { return 0 }
                    response.append(contentsOf: buffer[0..<m])
                }
                return Int(String(decoding: response[9..<12], as: UTF8.self)) ?? 0
            }
        }
    }

    private func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + done, $0.count - done, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return false }
            done += n
        }
        return true
    }
}
