import NIOCore
import NIOHTTP1
import NIOSSL

/// Answers one connection's requests: the audit webhook protocol.
///
/// POST to the listener's path with `Content-Type: application/json` and (when a token is
/// set) `Authorization: Bearer <token>`. The body is taken in and handed to the decoding
/// queue, and 200 goes back at once; decoding never delays the answer. Otherwise: 404 for
/// another path, 405 for another method, 401 for a missing or wrong token, 415 for another
/// content type, 413 for a body over the limit (said before reading it, then the connection
/// closes), 400 for a body that is not JSON at all, 503 when the decoding queue is full.
final class WebhookHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private enum State { case waiting, receiving, ignoring }

    private let path: String
    private let settings: WebhookSettings
    private let stats: WebhookStats
    private let queue: BodyQueue
    private var state = State.waiting
    private var body = ByteBuffer()
    private var keepAlive = true
    private var timeout: Scheduled<Void>?
    private var sender = ""
    /// The client certificate's CN, once the TLS handshake has shown one (mutual TLS).
    private var certificateName: String?

    init(path: String, settings: WebhookSettings, stats: WebhookStats, queue: BodyQueue) {
        self.path = path
        self.settings = settings
        self.stats = stats
        self.queue = queue
    }

    func channelActive(context: ChannelHandlerContext) {
        sender = context.remoteAddress?.ipAddress ?? ""
        arm(context, settings.requestTimeout)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        timeout?.cancel()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            arm(context, settings.requestTimeout)
            keepAlive = head.isKeepAlive
            if let status = refusal(head) {
                state = .ignoring
                respond(context, status, close: status == .payloadTooLarge || !keepAlive)
                return
            }
            state = .receiving
            let length = head.headers.first(name: "content-length").flatMap(Int.init) ?? 64 * 1024
            body = context.channel.allocator.buffer(capacity: min(max(length, 0), settings.maxBody))
        case .body(var part):
            guard state == .receiving else { return }
            if body.readableBytes + part.readableBytes > settings.maxBody {
                state = .ignoring
                respond(context, .payloadTooLarge, close: true)
                return
            }
            body.writeBuffer(&part)
        case .end:
            switch state {
            case .receiving: finish(context)
            case .ignoring, .waiting: state = .waiting
            }
        }
    }

    /// Why a request is refused from its head alone, or nil to take its body.
    private func refusal(_ head: HTTPRequestHead) -> HTTPResponseStatus? {
        let target = head.uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? head.uri
        if target != path { return .notFound }
        if head.method != .POST { return .methodNotAllowed }
        if let token = settings.token {
            let given = head.headers.first(name: "authorization") ?? ""
            guard given.hasPrefix("Bearer "), WebhookHandler.constantTimeEqual(Array(given.utf8.dropFirst(7)), Array(token.utf8)) else {
                return .unauthorized
            }
        }
        let type = head.headers.first(name: "content-type")?.split(separator: ";").first?
            .trimmingCharacters(in: .whitespaces).lowercased()
        if type != "application/json" { return .unsupportedMediaType }
        if let length = head.headers.first(name: "content-length").flatMap(Int.init), length > settings.maxBody {
            return .payloadTooLarge
        }
        return nil
    }

    private func finish(_ context: ChannelHandlerContext) {
        state = .waiting
        let bytes = Array(body.readableBytesView)
        body.clear()
        var k = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        while k < bytes.count && (bytes[k] == 0x20 || bytes[k] == 0x0A || bytes[k] == 0x0D || bytes[k] == 0x09) { k += 1 }
        guard k < bytes.count, bytes[k] == UInt8(ascii: "{") || bytes[k] == UInt8(ascii: "[") else {
            respond(context, .badRequest, close: !keepAlive)
            return
        }
        if certificateName == nil, settings.clientCA != nil,
            let tls = try? context.pipeline.syncOperations.handler(type: NIOSSLServerHandler.self),
            let der = try? tls.peerCertificate?.toDERBytes()
        {
            certificateName = CertificateName.subjectCommonName(der)
        }
        guard queue.put(bytes, source: certificateName) else {
            respond(context, .serviceUnavailable, close: !keepAlive)
            return
        }
        respond(context, .ok, close: !keepAlive, bytes: bytes.count)
    }

    private func respond(_ context: ChannelHandlerContext, _ status: HTTPResponseStatus, close: Bool, bytes: Int = 0) {
        stats.answered(Int(status.code), sender: sender, bytes: bytes)
        let text = status == .ok ? "" : "\(status.code) \(status.reasonPhrase)\n"
        var headers = HTTPHeaders()
        headers.add(name: "content-type", value: "text/plain; charset=utf-8")
        headers.add(name: "content-length", value: String(text.utf8.count))
        if close { headers.add(name: "connection", value: "close") }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
        if !text.isEmpty {
            var buffer = context.channel.allocator.buffer(capacity: text.utf8.count)
            buffer.writeString(text)
            context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        }
        let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if close {
            let channel = context.channel
            done.whenComplete { _ in channel.close(promise: nil) }
        } else {
            arm(context, settings.idleTimeout)
        }
    }

    /// (Re)starts the connection's clock: a request must arrive, and finish, in time.
    private func arm(_ context: ChannelHandlerContext, _ limit: TimeAmount) {
        timeout?.cancel()
        let stats = self.stats
        let channel = context.channel
        timeout = context.eventLoop.scheduleTask(in: limit) {
            stats.update { $0.closedSlow += 1 }
            channel.close(promise: nil)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if error is HTTPParserError {
            respond(context, .badRequest, close: true)
        } else {
            context.close(promise: nil)
        }
    }

    /// Compares secrets in time that depends only on their lengths.
    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var diff = UInt8(a.count == b.count ? 0 : 1)
        for k in 0..<max(a.count, b.count) {
            diff |= (k < a.count ? a[k] : 0) ^ (k < b.count ? b[k] : 0)
        }
        return diff == 0
    }
}

/// Closes connections over the limit as they open, and counts open ones.
final class ConnectionLimiter: ChannelInboundHandler {
    typealias InboundIn = NIOAny

    private let stats: WebhookStats
    private let limit: Int
    private var counted = false

    init(stats: WebhookStats, limit: Int) {
        self.stats = stats
        self.limit = limit
    }

    func channelActive(context: ChannelHandlerContext) {
        var over = false
        stats.update {
            if $0.openConnections >= limit {
                $0.refusedConnections += 1
                over = true
            } else {
                $0.openConnections += 1
            }
        }
        if over {
            context.close(promise: nil)
            return
        }
        counted = true
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        if counted { stats.update { $0.openConnections -= 1 } }
        context.fireChannelInactive()
    }
}
