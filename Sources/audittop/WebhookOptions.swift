import ArgumentParser
import AuditSources
import AuditWebhook
import Foundation

/// Options of webhook listeners (`http://…` and `https://…` sources).
struct WebhookOptions: ParsableArguments {
    @Option(name: .customLong("max-body"), help: "Largest webhook body accepted (e.g. 32MiB); larger: 413.", transform: ByteCount.parse)
    var maxBody: Int = 32 << 20

    @Option(name: .customLong("token-file"), help: "Require Authorization: Bearer <the token in this file>.")
    var tokenFile: String?

    @Option(name: .customLong("tls-cert"), help: "Certificate (PEM) for https:// listeners.")
    var tlsCert: String?

    @Option(name: .customLong("tls-key"), help: "Private key (PEM) for https:// listeners.")
    var tlsKey: String?

    @Option(name: .customLong("client-ca"), help: "Require client certificates signed by this CA (PEM).")
    var clientCA: String?

    @Option(name: .customLong("max-connections"), help: "Connections open at once per listener; at the limit idle keep-alive ones close first.")
    var maxConnections: Int = 1024

    @Option(name: .customLong("max-unauthenticated"), help: "Connections per source IP with no request authenticated yet; past it the oldest closes.")
    var maxUnauthenticated: Int = 64

    @Option(name: .customLong("header-timeout"), help: "Time a connection has to send a complete request head (e.g. 5s).", transform: DurationText.parse)
    var headerTimeout: Int64 = 5_000_000

    func validate() throws {
        guard headerTimeout >= 100_000 else { throw ValidationError("--header-timeout must be at least 100ms (e.g. 5s)") }
    }

    /// The listener settings; `maxLine` (`--max-line`) is also the largest event accepted.
    func settings(maxLine: Int) throws -> WebhookSettings {
        var s = WebhookSettings()
        s.maxBody = maxBody
        s.maxEvent = maxLine
        s.maxConnections = max(1, maxConnections)
        s.maxUnauthenticatedPerSource = max(1, maxUnauthenticated)
        s.headerTimeout = .microseconds(headerTimeout)
        s.tlsCertificate = tlsCert
        s.tlsKey = tlsKey
        s.clientCA = clientCA
        if let tokenFile {
            let text: String
            switch SystemReason.text(of: tokenFile) {
            case .success(let t): text = t
            case .failure(let f): throw CLIError("cannot read the token file \(tokenFile): \(f.reason)", code: 2)
            }
            let token = text.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !token.isEmpty else { throw CLIError("the token file \(tokenFile) is empty", code: 2) }
            s.token = token
        }
        return s
    }
}
