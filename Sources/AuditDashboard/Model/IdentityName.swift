import AuditCore

/// Identities as the screen shows them: shortened by kind, keeping the part that tells them
/// apart, and cut in the middle when a column is still too narrow. Every pane and the wall
/// use it, so a name reads the same everywhere.
///
/// | kind | full | shown |
/// | --- | --- | --- |
/// | service account | `system:serviceaccount:web:frontend` | `sa:web/frontend` |
/// | node | `system:node:ip-10-0-1-13.eu-west-1.compute.internal` | `node:ip-10-0-1-13` |
/// | control plane | `system:kube-scheduler` | `kube-scheduler` |
/// | AWS IAM (EKS) | `arn:aws:sts::111122223333:assumed-role/Admin/alice` | `Admin/alice` |
/// | Google service account (GKE) | `name@project.iam.gserviceaccount.com` | `name@project` |
/// | anything else (emails, `system:anonymous`) | kept whole | |
public enum IdentityName {
    /// `name` shortened by kind (see the table above); never longer than `name`.
    public static func short(_ name: String) -> String {
        if name.hasPrefix("system:serviceaccount:") {
            let rest = name.dropFirst("system:serviceaccount:".count)
            guard let colon = rest.firstIndex(of: ":") else { return name }
            return "sa:" + rest[..<colon] + "/" + rest[rest.index(after: colon)...]
        }
        if name.hasPrefix("system:node:") {
            return "node:" + host(String(name.dropFirst("system:node:".count)))
        }
        if name.hasPrefix("system:kube-") || name == "system:apiserver" {
            return String(name.dropFirst("system:".count))
        }
        if name.hasPrefix("arn:aws:") || name.hasPrefix("arn:aws-") {
            return awsPrincipal(name)
        }
        for suffix in [".iam.gserviceaccount.com", ".gserviceaccount.com"] where name.hasSuffix(suffix) && name.contains("@") {
            return String(name.dropLast(suffix.count))
        }
        return name
    }

    /// Who an alert's example names, as the strip and the Alerts pane show it: the identity
    /// shortened, or for anonymous and unauthenticated clients, their address.
    public static func actor(_ e: AlertExample) -> String {
        if e.user.isEmpty { return e.sourceIP.isEmpty ? "" : "unauthenticated " + e.sourceIP }
        if e.user == "system:anonymous", !e.sourceIP.isEmpty { return "anonymous " + e.sourceIP }
        return short(e.user)
    }

    /// `name` shortened by kind, then cut in the middle to `width` cells when still too long.
    public static func fit(_ name: String, width: Int) -> String {
        Ellipsis.middle(short(name), width: width)
    }

    /// A request's identity: the user, or `user→impersonated` when it acted as someone else,
    /// both sides shortened (and each cut in the middle when `width` is too small for both).
    public static func display(user: String, impersonated: String = "", width: Int = .max) -> String {
        let a = short(user)
        guard !impersonated.isEmpty else { return Ellipsis.middle(a, width: width) }
        let b = short(impersonated)
        let whole = a + "→" + b
        guard CellWidth.of(TerminalText.visible(whole)) > width else { return whole }
        let room = max(2, width - 1)
        let left = max(1, min(CellWidth.of(a), room / 2))
        return Ellipsis.middle(a, width: left) + "→" + Ellipsis.middle(b, width: max(1, room - left))
    }

    /// A node's host name without its domain, unless it is an IP address.
    static func host(_ name: String) -> String {
        guard let dot = name.firstIndex(of: "."), !name.allSatisfy({ $0.isNumber || $0 == "." }) else { return name }
        return String(name[..<dot])
    }

    /// The part of an AWS ARN after the account: `assumed-role/Admin/alice` → `Admin/alice`,
    /// `user/bob` → `user/bob`, `role/NodeRole` → `role/NodeRole`.
    static func awsPrincipal(_ arn: String) -> String {
        let parts = arn.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        guard parts.count == 6 else { return arn }
        let resource = parts[5]
        if resource.hasPrefix("assumed-role/") { return String(resource.dropFirst("assumed-role/".count)) }
        return String(resource)
    }
}

/// Cutting text to a width without losing both ends.
public enum Ellipsis {
    /// `text` made visible-safe and, when wider than `width` cells, cut in the middle with
    /// "…": a third of the room for the head, the rest for the tail, where names differ
    /// most (`dev-te…ractor.example`).
    public static func middle(_ text: String, width: Int) -> String {
        let safe = TerminalText.visible(text)
        guard width > 0 else { return "" }
        guard CellWidth.of(safe) > width else { return safe }
        if width == 1 { return "…" }
        let headRoom = (width - 1) / 3
        let tailRoom = width - 1 - headRoom
        var head = ""
        var used = 0
        for c in safe {
            let w = CellWidth.of(String(c))
            if used + w > headRoom { break }
            head.append(c)
            used += w
        }
        var tail: [Character] = []
        used = 0
        for c in safe.reversed() {
            let w = CellWidth.of(String(c))
            if used + w > tailRoom { break }
            tail.append(c)
            used += w
        }
        return head + "…" + String(tail.reversed())
    }
}
