import ArgumentParser
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

    @Option(name: .customLong("max-connections"), help: "Connections open at once per listener.")
    var maxConnections: Int = 1024

    func settings() throws -> WebhookSettings {
        var s = WebhookSettings()
        s.maxBody = maxBody
        s.maxConnections = max(1, maxConnections)
        s.tlsCertificate = tlsCert
        s.tlsKey = tlsKey
        s.clientCA = clientCA
        if let tokenFile {
            guard let text = try? String(contentsOfFile: tokenFile, encoding: .utf8) else {
                throw CLIError("cannot read the token file \(tokenFile)", code: 2)
            }
            let token = text.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !token.isEmpty else { throw CLIError("the token file \(tokenFile) is empty", code: 2) }
            s.token = token
        }
        return s
    }
}
