import Foundation

/// The network an address belongs to, as baselines learn it: /24 for IPv4, /64 for IPv6.
public enum NetworkPrefix {
    /// `10.0.1.17` → `10.0.1.0/24`; `2001:db8:1:2::5` → `2001:db8:1:2::/64`; "" for what is
    /// not an address.
    public static func of(_ address: String) -> String {
        if let v4 = ipv4(address) { return "\(v4.0).\(v4.1).\(v4.2).0/24" }
        guard let g = ipv6(address) else { return "" }
        // ::ffff:a.b.c.d is an IPv4 address.
        if let v4 = mapped(g) { return of(v4) }
        return canonical(Array(g.prefix(4)) + [0, 0, 0, 0]) + "/64"
    }

    /// True for 127.0.0.0/8, ::1 and their IPv4-mapped form.
    public static func isLoopback(_ address: String) -> Bool {
        if let (a, _, _, _) = ipv4(address) { return a == 127 }
        guard let g = ipv6(address) else { return false }
        if let v4 = mapped(g) { return isLoopback(v4) }
        return g.dropLast().allSatisfy { $0 == 0 } && g[7] == 1
    }

    /// The IPv4 address an IPv4-mapped IPv6 address (`::ffff:a.b.c.d`) stands for.
    static func mapped(_ g: [Int]) -> String? {
        guard g[0..<5].allSatisfy({ $0 == 0 }), g[5] == 0xFFFF else { return nil }
        return "\(g[6] >> 8).\(g[6] & 0xFF).\(g[7] >> 8).\(g[7] & 0xFF)"
    }

    /// RFC 5952 text of eight groups: lower-case hex, the longest run of two or more zero
    /// groups (the first of equals) written `::`.
    static func canonical(_ g: [Int]) -> String {
        var best = (start: -1, count: 0)
        var k = 0
        while k < 8 {
            guard g[k] == 0 else { k += 1; continue }
            var end = k
            while end < 8, g[end] == 0 { end += 1 }
            if end - k > best.count { best = (k, end - k) }
            k = end
        }
        let hex = g.map { String($0, radix: 16) }
        guard best.count >= 2 else { return hex.joined(separator: ":") }
        return hex[..<best.start].joined(separator: ":") + "::" + hex[(best.start + best.count)...].joined(separator: ":")
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
        if let v4 = mapped(g) { return isPrivate(v4) }
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
