import AuditCore
import AuditSources
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Dispatch
import Foundation
import Synchronization

/// A webhook listener as a live source: its event loop answers requests and queues bodies;
/// a thread of its own decodes them, and `run` counts them into the store on the source's thread.
public final class WebhookListener: LiveSource {
    public let endpoint: WebhookEndpoint
    public let settings: WebhookSettings
    public let stats = WebhookStats()
    private let queue: BodyQueue
    private let server = Mutex<(any Channel, MultiThreadedEventLoopGroup)?>(nil)
    private let failure = Mutex<String?>(nil)
    /// The last requests/s figure and what it was computed from (uptime ns, requests).
    private let rate = Mutex<(at: UInt64, requests: Int, perSecond: Double)>((0, 0, 0))

    public var name: String { endpoint.description }

    public init(endpoint: WebhookEndpoint, settings: WebhookSettings) {
        self.endpoint = endpoint
        self.settings = settings
        queue = BodyQueue(limit: settings.queueLimit)
    }

    /// True when anyone who can reach the address can post events: not loopback, no TLS
    /// client certificates and no token.
    public var isUnprotected: Bool {
        !endpoint.isLoopback && settings.token == nil && !(endpoint.tls && settings.clientCA != nil)
    }

    /// The port actually bound (useful with port 0).
    public var boundPort: Int? { server.withLock { $0?.0.localAddress?.port } }

    /// Binds the socket now, so a bad address or busy port is reported before anything else
    /// starts. Errors say what to do.
    public func start() throws {
        let tls = try makeTLSContext()
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let (path, settings, stats, queue) = (endpoint.path, self.settings, self.stats, self.queue)
        let table = ConnectionTable(stats: stats, limit: settings.maxConnections, perSource: settings.maxUnauthenticatedPerSource)
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.backlog, value: 1024)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let sync = channel.pipeline.syncOperations
                    try sync.addHandler(ConnectionGate(table: table))
                    if let tls { try sync.addHandler(NIOSSLServerHandler(context: tls)) }
                    // The handler answers parse errors itself, once: NIO's error handler
                    // would add a second 400.
                    try sync.configureHTTPServerPipeline(withPipeliningAssistance: false, withErrorHandling: false)
                    try sync.addHandler(WebhookHandler(path: path, settings: settings, stats: stats, queue: queue, table: table))
                }
            }
        do {
            let channel = try bootstrap.bind(host: endpoint.host, port: endpoint.port).wait()
            server.withLock { $0 = (channel, group) }
        } catch {
            try? group.syncShutdownGracefully()
            let hint = endpoint.port < 1024 ? "; use a port above 1023 or run as root" : "; is another process listening there?"
            throw WebhookError(description: "cannot listen on \(endpoint.host):\(endpoint.port): \(error)\(hint)")
        }
    }

    private func makeTLSContext() throws -> NIOSSLContext? {
        guard endpoint.tls else { return nil }
        guard let cert = settings.tlsCertificate, let key = settings.tlsKey else {
            throw WebhookError(description: "\(endpoint) is https: give --tls-cert and --tls-key")
        }
        do {
            var configuration = TLSConfiguration.makeServerConfiguration(
                certificateChain: try NIOSSLCertificate.fromPEMFile(cert).map { .certificate($0) },
                privateKey: .privateKey(try NIOSSLPrivateKey(file: key, format: .pem)))
            if let ca = settings.clientCA {
                configuration.trustRoots = .file(ca)
                configuration.certificateVerification = .noHostnameVerification
            }
            return try NIOSSLContext(configuration: configuration)
        } catch {
            throw WebhookError(description: "cannot load TLS files (\(cert), \(key)\(settings.clientCA.map { ", " + $0 } ?? "")): \(error)")
        }
    }

    public var state: String {
        if let failure = failure.withLock({ $0 }) { return "error: \(failure)" }
        let c = stats.snapshot
        let now = DispatchTime.now().uptimeNanoseconds
        let perSecond = rate.withLock { r -> Double in
            if now - r.at >= 1_000_000_000 {
                if r.at != 0 { r.perSecond = Double(c.requests - r.requests) / (Double(now - r.at) / 1e9) }
                r.at = now
                r.requests = c.requests
            }
            return r.perSecond
        }
        let answers = c.answers.sorted { $0.key < $1.key }.map { "\($0.key)×\($0.value)" }.joined(separator: " ")
        var s = "\(Int(perSecond.rounded())) req/s, \(c.batches) batches" + (answers.isEmpty ? "" : ", \(answers)") + (c.lastSender.isEmpty ? "" : ", last \(c.lastSender)")
        let closed = [(c.closedSlow, "slow"), (c.closedForRoom, "for room"), (c.closedOverSourceCap, "over the per-IP cap"), (c.refusedConnections, "at the limit")]
            .filter { $0.0 > 0 }.map { "\($0.0) \($0.1)" }
        if !closed.isEmpty { s += ", closed: " + closed.joined(separator: ", ") }
        if isUnprotected { s = "UNPROTECTED (no TLS client certs, no token), " + s }
        return s
    }

    public func run(into store: SharedEventStore, stop: StopSignal) {
        if server.withLock({ $0 == nil }) {
            do { try start() } catch {
                failure.withLock { $0 = "\(error)" }
                return
            }
        }
        let (source, maxDepth) = store.withStore { ($0.addSource(name), $0.configuration.maxDepth) }
        // Bodies are decoded on a thread of their own and counted on this one, under the
        // store's lock, so the two run on two cores.
        let decoded = BatchQueue(limit: 8)
        Thread { [self] in decode(into: decoded, store: store, maxDepth: maxDepth, stop: stop) }.start()
        while let batch = decoded.take() {
            store.ingestHelped { s in
                s.currentSource = batch.sender.map { s.addSource($0) } ?? source
                batch.ingest(into: s)
            }
            batch.release()
        }
        server.withLock { $0 = nil }
    }

    /// The decoding thread: decodes bodies until `stop`, then stops accepting, decodes
    /// whatever was already answered 200, and ends `decoded`.
    private func decode(into decoded: BatchQueue, store: SharedEventStore, maxDepth: Int, stop: StopSignal) {
        while !stop.isSet {
            guard let body = queue.take(timeout: 0.1) else { continue }
            decoded.put(batch(body, maxDepth: maxDepth))
            // The raw JSON the counting thread stored is compressed here, where there is time.
            store.helpCompress()
        }
        if let (channel, group) = server.withLock({ $0 }) {
            try? channel.close().wait()
            try? group.syncShutdownGracefully()
        }
        queue.close()
        while let body = queue.take(timeout: 0) { decoded.put(batch(body, maxDepth: maxDepth)) }
        decoded.put(nil)
    }

    /// One body decoded, tagged with its client certificate's CN when mutual TLS showed one;
    /// an event over `maxEvent` bytes is counted and skipped.
    private func batch(_ body: (source: String?, bytes: ByteBuffer), maxDepth: Int) -> DecodedBatch {
        let batch = body.bytes.withUnsafeReadableBytesWithStorageManagement { bytes, storage in
            DecodedBatch.decoding(bytes, owner: storage.takeUnretainedValue(), maxDepth: maxDepth, maxEvent: settings.maxEvent)
        }
        batch.sender = body.source
        return batch
    }
}

/// A listener that cannot start, with what to do about it.
public struct WebhookError: Error, CustomStringConvertible {
    public var description: String
}
