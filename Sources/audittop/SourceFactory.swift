import AuditSimulator
import AuditSources
import AuditWebhook
import Foundation

/// Turns SOURCE arguments into live sources: files, `-`, `demo`, and webhook URLs.
/// Listeners bind here, so a busy port or bad TLS file is reported before anything starts.
enum SourceFactory {
    static func make(_ names: [String], tail: Int?, rate: Double, flavor: Flavor = .kubeadm, maxLine: Int, webhook: WebhookOptions) throws -> [any LiveSource] {
        var sources: [any LiveSource] = []
        for name in names {
            if name.hasPrefix("http://") || name.hasPrefix("https://") {
                guard let endpoint = WebhookEndpoint(url: name) else {
                    throw CLIError("'\(name)' is not a listener address; use http://HOST:PORT/PATH (e.g. http://127.0.0.1:9765/k8s-audit)", code: 2)
                }
                let listener = WebhookListener(endpoint: endpoint, settings: try webhook.settings(maxLine: maxLine))
                do {
                    try listener.start()
                } catch {
                    throw CLIError("\(error)", code: 2)
                }
                if listener.isUnprotected {
                    FileHandle.standardError.write(Data("audittop: warning: \(endpoint) accepts events from anyone who can reach it; add TLS client certificates (--client-ca) or a token (--token-file)\n".utf8))
                }
                sources.append(listener)
                continue
            }
            switch name {
            case "-": sources.append(StreamSource(maxLine: maxLine))
            case "demo": sources.append(DemoSource(rate: rate, flavor: flavor))
            default: sources.append(FileFollower(path: name, tail: tail, maxLine: maxLine))
            }
        }
        return sources
    }
}
