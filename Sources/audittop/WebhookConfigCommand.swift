import ArgumentParser
import AuditSources
import Foundation

/// `audittop webhook-config`: the kubeconfig for the apiserver's audit webhook backend.
struct WebhookConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "webhook-config",
        abstract: "Print the kubeconfig for kube-apiserver's --audit-webhook-config-file (flags to add go to stderr).",
        usage: """
            audittop webhook-config --server <url> [--ca <file>] [--path <path>]
                   [--client-cert <file> --client-key <file> | --token-file <file>]
            """)

    @Option(help: "Where audittop listens, as the apiserver will reach it (e.g. https://10.0.0.5:9765/k8s-audit).")
    var server: String

    @Option(help: "CA (PEM) that signed audittop's --tls-cert, for the apiserver to trust.")
    var ca: String?

    @Option(name: .customLong("client-cert"), help: "Client certificate (PEM) the apiserver presents (mutual TLS).")
    var clientCert: String?

    @Option(name: .customLong("client-key"), help: "Key (PEM) of --client-cert.")
    var clientKey: String?

    @Option(name: .customLong("token-file"), help: "File holding the bearer token audittop expects (--token-file there too).")
    var tokenFile: String?

    @Option(help: "Where the kubeconfig will live on the control-plane node (for the flags printed).")
    var path: String = "/etc/kubernetes/audittop-webhook.yaml"

    func validate() throws {
        guard server.hasPrefix("https://") || server.hasPrefix("http://") else {
            throw ValidationError("--server must be an http:// or https:// URL")
        }
        if (clientCert == nil) != (clientKey == nil) { throw ValidationError("--client-cert and --client-key go together") }
        if clientCert != nil && tokenFile != nil { throw ValidationError("use either client certificates or a token, not both") }
    }

    func run() throws {
        var user: [String] = []
        if let clientCert, let clientKey {
            user = ["    client-certificate: \(absolute(clientCert))", "    client-key: \(absolute(clientKey))"]
        } else if let tokenFile {
            let read = SystemReason.text(of: tokenFile)
            guard case .success(let text) = read, case let token = text.trimmingCharacters(in: .whitespacesAndNewlines), !token.isEmpty
            else {
                let why = if case .failure(let f) = read { f.reason } else { "it is empty" }
                FileHandle.standardError.write(Data("audittop: cannot read a token from \(tokenFile): \(why)\n".utf8))
                throw ExitCode(2)
            }
            user = ["    token: \(token)"]
        }
        var cluster = ["    server: \(server)"]
        if let ca { cluster.append("    certificate-authority: \(absolute(ca))") }
        let kubeconfig = """
            apiVersion: v1
            kind: Config
            clusters:
            - name: audittop
              cluster:
            \(cluster.joined(separator: "\n"))
            users:
            - name: kube-apiserver
              user:\(user.isEmpty ? " {}" : "\n" + user.joined(separator: "\n"))
            contexts:
            - name: audittop
              context:
                cluster: audittop
                user: kube-apiserver
            current-context: audittop

            """
        FileHandle.standardOutput.write(Data((kubeconfig.hasSuffix("\n") ? kubeconfig : kubeconfig + "\n").utf8))
        var notes = """
            # Save the above as \(path) on each control-plane node, then add to kube-apiserver:
            #   --audit-policy-file=/etc/kubernetes/audit-policy.yaml
            #   --audit-webhook-config-file=\(path)
            #   --audit-webhook-mode=batch
            #   --audit-webhook-batch-max-size=400
            #   --audit-webhook-batch-max-wait=5s
            # and mount /etc/kubernetes (or these files) into the kube-apiserver static pod.

            """
        if server.hasPrefix("http://") {
            notes += "# warning: \(server) is plain HTTP; events (with tokens in request bodies) cross the network unencrypted.\n"
        } else if ca == nil {
            notes += """
                # note: no --ca. The apiserver will check audittop's certificate against the node's system trust
                # store, so a self-signed certificate (the usual case) fails the handshake and no event arrives.
                # Pass --ca with the CA that signed the certificate given to audittop --tls-cert.

                """
        }
        if clientCert == nil && tokenFile == nil {
            notes += "# note: no --client-cert or --token-file, so `user: {}`: the apiserver sends no credentials,\n"
                + "# which audittop accepts only when it runs without --token-file and --client-ca.\n"
        }
        FileHandle.standardError.write(Data(notes.utf8))
    }

    private func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
    }
}
