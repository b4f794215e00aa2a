import NIOCore
import NIOHTTP1
import NIOSSL

/// Answers one connection's requests: the audit webhook protocol.
///
/// POST to the listener's path with `Content-Type: application/json` and (when a token is
/// set) `Authorization: Bearer <token>`. The body is taken in and handed to the decoding
/// queue, and 200 goes back at once; decoding never delays the answer. Otherwise: 404 for
/// another path, 405 for another method, 401 for a missing or wrong token, 415 for another
/// content type, 413 for a body over the limit (said before reading it when the length is
/// given), 400 for a request HTTP cannot parse or a body that is not JSON at all, 503 when
/// the decoding queue is full. A bad request gets that one answer, is counted once, and the
/// connection closes; nothing it sends afterwards is read.
///
/// Clocks: the head must be complete within `headerTimeout` of the connection opening (or
/// of the next request's first byte on a keep-alive connection), the body within
/// `bodyTimeout` of the head, and an idle keep-alive connection closes after `idleTimeout`.
final class WebhookHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    /// Between requests, in a request's head or body, or answered for the last time.
    private enum State { case idle, head, body, closing }

    private let path: String
    private let settings: WebhookSettings
    private let stats: WebhookStats
    private let queue: BodyQueue
    private let table: ConnectionTable
    private var state = State.idle
    /// Requests answered on this connection, so far.
    private var served = 0
    private var body = ByteBuffer()
    private var keepAlive = true
    private var timeout: Scheduled<Void>?
    private var sender = ""
    /// The client certificate's CN, once the TLS handshake has shown one (mutual TLS).
    private var certificateName: String?

    init(path: String, settings: WebhookSettings, stats: WebhookStats, queue: BodyQueue, table: ConnectionTable) {
        self.path = path
        self.settings = settings
        self.stats = stats
        self.queue = queue
        self.table = table
    }

    func channelActive(context: ChannelHandlerContext) {
        sender = context.remoteAddress?.ipAddress ?? ""
        arm(context, settings.headerTimeout, slow: true)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        state = .closing
        timeout?.cancel()
        context.fireChannelInactive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard event is ConnectionGate.BytesArrived else { return context.fireUserInboundEventTriggered(event) }
        guard state == .idle else { return }
        state = .head
        // A fresh connection's head clock runs from its opening; a keep-alive one's from here.
        if served > 0 {
            table.set(context.channel, .busy)
            arm(context, settings.headerTimeout, slow: true)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            guard state == .idle || state == .head else { return }
            table.set(context.channel, .busy)
            keepAlive = head.isKeepAlive
            if let status = refusal(head) {
                respond(context, status, close: true)
                return
            }
            table.authenticate(context.channel)
            state = .body
            arm(context, settings.bodyTimeout, slow: true)
            if head.headers.first(name: "expect")?.lowercased() == "100-continue" {
                context.writeAndFlush(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .continue))), promise: nil)
            }
            let length = head.headers.first(name: "content-length").flatMap(Int.init) ?? 64 * 1024
            body = context.channel.allocator.buffer(capacity: min(max(length, 0), settings.maxBody))
        case .body(var part):
            guard state == .body else { return }
            if body.readableBytes + part.readableBytes > settings.maxBody {
                respond(context, .payloadTooLarge, close: true)
                return
            }
            body.writeBuffer(&part)
        case .end:
            guard state == .body else { return }
            finish(context)
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
        let bytes = body
        body = ByteBuffer()
        let view = bytes.readableBytesView
        var k = view.starts(with: [0xEF, 0xBB, 0xBF]) ? view.startIndex + 3 : view.startIndex
        while k < view.endIndex && (view[k] == 0x20 || view[k] == 0x0A || view[k] == 0x0D || view[k] == 0x09) { k += 1 }
        guard k < view.endIndex, view[k] == UInt8(ascii: "{") || view[k] == UInt8(ascii: "[") else {
            respond(context, .badRequest, close: true)
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
        respond(context, .ok, close: !keepAlive, bytes: bytes.readableBytes)
    }

    /// Sends the request's one answer and counts it; `close` makes it the connection's last.
    private func respond(_ context: ChannelHandlerContext, _ status: HTTPResponseStatus, close: Bool, bytes: Int = 0) {
        guard state != .closing, context.channel.isActive else { return }
        state = close ? .closing : .idle
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
            // A client that never takes its answer is closed anyway, uncounted.
            arm(context, settings.headerTimeout, slow: false)
            let channel = context.channel
            done.whenComplete { _ in channel.close(promise: nil) }
        } else {
            served += 1
            table.set(context.channel, .idle)
            arm(context, settings.idleTimeout, slow: false)
        }
    }

    /// (Re)starts the connection's one clock; when it runs out the connection closes, and
    /// with `slow` it is counted as too slow.
    private func arm(_ context: ChannelHandlerContext, _ limit: TimeAmount, slow: Bool) {
        timeout?.cancel()
        let stats = self.stats
        let channel = context.channel
        timeout = context.eventLoop.scheduleTask(in: limit) {
            if slow && channel.isActive { stats.update { $0.closedSlow += 1 } }
            channel.close(promise: nil)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // After a final answer, whatever else goes wrong is part of closing.
        guard state != .closing else { return }
        if error is HTTPParserError {
            respond(context, .badRequest, close: true)
        } else {
            state = .closing
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
