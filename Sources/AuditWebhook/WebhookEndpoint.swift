/// Where a webhook listener listens, in Falco's k8saudit notation:
/// `http://HOST:PORT/PATH` or `https://…`. An empty host means 127.0.0.1: unlike Falco,
/// nothing listens beyond this machine unless asked (`http://0.0.0.0:9765/k8s-audit`).
public struct WebhookEndpoint: Sendable, Equatable, CustomStringConvertible {
    public var tls: Bool
    public var host: String
    public var port: Int
    public var path: String

    /// Parses `url`; nil when it is not an http(s) URL with a port.
    public init?(url: String) {
        let scheme: String
        if url.hasPrefix("http://") { scheme = "http" } else if url.hasPrefix("https://") { scheme = "https" } else { return nil }
        tls = scheme == "https"
        var rest = Substring(url.dropFirst(scheme.count + 3))
        let slash = rest.firstIndex(of: "/") ?? rest.endIndex
        let authority = rest[..<slash]
        rest = rest[slash...]
        path = rest.isEmpty ? "/" : String(rest)
        var hostPart = Substring("")
        var portPart = Substring("")
        if authority.hasPrefix("[") {
            // [::1]:9765
            guard let close = authority.firstIndex(of: "]") else { return nil }
            hostPart = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            guard after.hasPrefix(":") else { return nil }
            portPart = after.dropFirst()
        } else {
            guard let colon = authority.lastIndex(of: ":") else { return nil }
            hostPart = authority[..<colon]
            portPart = authority[authority.index(after: colon)...]
        }
        guard let port = Int(portPart), (0...65535).contains(port) else { return nil }
        self.port = port
        host = hostPart.isEmpty ? "127.0.0.1" : String(hostPart)
    }

    /// True for addresses only this machine can reach.
    public var isLoopback: Bool { host == "127.0.0.1" || host == "::1" || host == "localhost" || host.hasPrefix("127.") }

    public var description: String {
        "\(tls ? "https" : "http")://\(host.contains(":") ? "[\(host)]" : host):\(port)\(path)"
    }
}
