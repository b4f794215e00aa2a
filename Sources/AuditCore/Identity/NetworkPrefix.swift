import Foundation

/// The network an address belongs to, as baselines learn it: /24 for IPv4, /64 for IPv6.
public enum NetworkPrefix {
    /// `10.0.1.17` → `10.0.1.0/24`; `2001:db8:1:2::5` → `2001:db8:1:2::/64`; "" for what is
    /// not an address.
    public static func of(_ address: String) -> String {
        if let v4 = ipv4(address) { return "\(v4.0).\(v4.1).\(v4.2).0/24" }
        guard let groups = ipv6(address) else { return "" }
        return groups.prefix(4).map { String($0, radix: 16) }.joined(separator: ":") + "::/64"
    }

    /// True for addresses that route only inside a site: RFC 1918, carrier-grade NAT,
    /// loopback, link-local and IPv6 unique-local. Pods, nodes and in-cluster clients use
    /// these; a service-account token used from any other address left the cluster.
    public static func isPrivate(_ address: String) -> Bool {
        if let (a, b, _, _) = ipv4(address) {
            return a == 10 || a == 127 || (a == 172 && (16...31).contains(b)) || (a == 192 && b == 168)
                || (a == 100 && (64...127).contains(b)) || (a == 169 && b == 254)
        }
        guard let g = ipv6(address) else { return false }
        if g[0] & 0xFE00 == 0xFC00 || g[0] & 0xFFC0 == 0xFE80 { return true }
        if g.dropLast().allSatisfy({ $0 == 0 }) && g[7] == 1 { return true }
        // ::ffff:a.b.c.d is an IPv4 address.
        if g[0..<5].allSatisfy({ $0 == 0 }) && g[5] == 0xFFFF {
            return isPrivate("\(g[6] >> 8).\(g[6] & 0xFF).\(g[7] >> 8).\(g[7] & 0xFF)")
        }
        return false
    }

    static func ipv4(_ s: String) -> (Int, Int, Int, Int)? {
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        let n = parts.compactMap { $0.count <= 3 ? Int($0) : nil }
        guard n.count == 4, n.allSatisfy({ (0...255).contains($0) }) else { return nil }
        return (n[0], n[1], n[2], n[3])
    }

    static func ipv6(_ s: String) -> [Int]? {
        guard s.contains(":"), s.count <= 45 else { return nil }
        let halves = s.components(separatedBy: "::")
        guard halves.count <= 2 else { return nil }
        func groups(_ part: String) -> [Int]? {
            if part.isEmpty { return [] }
            var out: [Int] = []
            for g in part.split(separator: ":", omittingEmptySubsequences: false) {
                if g.contains("."), let v4 = ipv4(String(g)) {
                    out += [v4.0 << 8 | v4.1, v4.2 << 8 | v4.3]
                    continue
                }
                guard g.count <= 4, let v = Int(g, radix: 16) else { return nil }
                out.append(v)
            }
            return out
        }
        guard let head = groups(halves[0]) else { return nil }
        if halves.count == 1 { return head.count == 8 ? head : nil }
        guard let tail = groups(halves[1]), head.count + tail.count < 8 else { return nil }
        return head + Array(repeating: 0, count: 8 - head.count - tail.count) + tail
    }
}
