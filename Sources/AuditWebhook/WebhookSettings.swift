import NIOCore

/// How a webhook listener accepts requests.
public struct WebhookSettings: Sendable {
    /// Largest body accepted (`--max-body`); larger ones get 413 without being read.
    public var maxBody = 32 << 20
    /// Largest single event accepted (`--max-line`, the file readers' limit too). A longer
    /// event in a body is counted as malformed `oversized` and skipped, and never teed, so
    /// whatever reads the tee back with the same limit reads all of it.
    public var maxEvent = 4 << 20
    /// When set, requests need `Authorization: Bearer <token>` (`--token-file`).
    public var token: String?
    /// Connections open at once. A new one past this closes the least recently used idle
    /// keep-alive connection, else the oldest that has sent no request yet, else itself.
    public var maxConnections = 1024
    /// Connections from one source IP that have not yet authenticated a request (a token
    /// checked, or any request accepted when no token is set); past this the source's oldest
    /// such connection is closed (`--max-unauthenticated`).
    public var maxUnauthenticatedPerSource = 64
    /// Time to send a complete request head: from the connection's opening (TLS handshake
    /// included), or from the first byte of the next request on a keep-alive connection
    /// (`--header-timeout`).
    public var headerTimeout = TimeAmount.seconds(5)
    /// Time for a request's body once its head is in; a slower client is cut off.
    public var bodyTimeout = TimeAmount.seconds(30)
    /// Time an idle keep-alive connection stays open.
    public var idleTimeout = TimeAmount.seconds(90)
    /// Bytes of bodies waiting to be decoded before new ones are refused with 503.
    public var queueLimit = 512 << 20
    /// PEM files for TLS (`--tls-cert`, `--tls-key`); client certificates are required and
    /// verified against `clientCA` when it is set (`--client-ca`).
    public var tlsCertificate: String?
    public var tlsKey: String?
    public var clientCA: String?

    public init() {}
}
