import NIOCore

/// The first handler of every connection: lets it in through the listener's
/// `ConnectionTable` (or closes it), takes it out again when it closes, and tells the
/// handlers behind it, with a `BytesArrived` event, each time bytes come in: the webhook
/// handler starts a keep-alive connection's header clock from there.
final class ConnectionGate: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    /// The user event fired before each read is passed on.
    struct BytesArrived: Sendable {}

    private let table: ConnectionTable
    private var admitted = false

    init(table: ConnectionTable) { self.table = table }

    func channelActive(context: ChannelHandlerContext) {
        guard table.admit(context.channel, source: context.remoteAddress?.ipAddress ?? "") else {
            context.close(promise: nil)
            return
        }
        admitted = true
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        if admitted { table.remove(context.channel) }
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        context.fireUserInboundEventTriggered(BytesArrived())
        context.fireChannelRead(data)
    }
}
