import NIOCore

/// How a webhook listener accepts requests.
public struct WebhookSettings: Sendable {
    /// Largest body accepted (`--max-body`); larger ones get 413 without being read.
    public var maxBody = 32 << 20
    /// When set, requests need `Authorization: Bearer <token>` (`--token-file`).
    public var token: String?
    /// Connections open at once; more are closed at once.
    public var maxConnections = 1024
    /// Time for a whole request, headers and body; a slower client is cut off.
    public var requestTimeout = TimeAmount.seconds(30)
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
