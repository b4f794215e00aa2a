/// The client product of a user agent: the agent without its version and platform, so
/// `kubectl/v1.29.2 (linux/amd64) kubernetes/4b8e819` and `kubectl/v1.30.0 …` are one product.
public enum ClientProduct {
    /// `curl/8.5.0` → `curl`, `python-requests/2.31.0` → `python-requests`,
    /// `kube-controller-manager/v1.29.0 (…)/system:serviceaccount:…` → `kube-controller-manager`.
    public static func of(_ agent: String) -> String {
        var end = agent.endIndex
        if let i = agent.firstIndex(where: { $0 == "/" || $0 == " " || $0 == "(" }) { end = i }
        return String(agent[..<end])
    }

    /// Generic HTTP tools and scripting clients: a service-account token used with one of
    /// these was most likely taken out of its pod.
    public static let genericTools: Set<String> = [
        "curl", "Wget", "wget", "python-requests", "python-urllib3", "Python-urllib", "python-httpx", "HTTPie", "httpie",
        "PostmanRuntime", "insomnia", "aiohttp", "okhttp", "axios", "node-fetch", "libcurl", "PowerShell",
    ]

    /// True when `product` is a generic tool.
    public static func isGenericTool(_ product: String) -> Bool {
        genericTools.contains(product) || product.hasPrefix("Mozilla")
    }
}
