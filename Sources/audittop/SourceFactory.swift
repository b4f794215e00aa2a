import ArgumentParser
import AuditSimulator
import AuditSources
import AuditWebhook
import Foundation

/// Turns SOURCE arguments into live sources: files, `-`, `demo`, webhook URLs, and `--exec` commands.
/// Listeners bind here, so a busy port or bad TLS file is reported before anything starts.
enum SourceFactory {
    static func make(_ names: [String], execs: [String] = [], tail: Int?, rate: Double, flavor: Flavor = .kubeadm, maxLine: Int, webhook: WebhookOptions) throws -> [any LiveSource] {
        var sources: [any LiveSource] = execs.map { CommandSource(command: $0, maxLine: maxLine) }
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

/// `--exec CMD`, shared by the commands that follow sources.
struct ExecOptions: ParsableArguments {
    @Option(name: .customLong("exec"), help: ArgumentHelp(
        "Follow a command's output as a source, restarting it with backoff when it exits (repeatable).",
        discussion: "e.g. --exec 'aws logs tail /aws/eks/prod/cluster --log-stream-name-prefix kube-apiserver-audit --follow'",
        valueName: "command"))
    var commands: [String] = []

    /// The commands given: the flags', else the configuration file's `exec`.
    var resolved: [String] {
        if !commands.isEmpty { return commands }
        return Config.file.entries["exec"]?.value.split(separator: "\n").map(String.init).filter { !$0.isEmpty } ?? []
    }

    func validate() throws {
        if commands.contains(where: { $0.trimmingCharacters(in: .whitespaces).isEmpty }) {
            throw ValidationError("--exec needs a command, e.g. --exec 'kubectl logs -f -n kube-system kube-apiserver-cp-1'")
        }
    }
}
