import Foundation

/// An IPv4 or IPv6 network (`10.0.0.0/8`, `fd00::/8`) for Sigma's `cidr` modifier.
struct CIDR {
    var bytes: [UInt8]
    var bits: Int

    init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1)
        guard let first = parts.first, let a = CIDR.address(String(first)) else { return nil }
        bytes = a
        bits = parts.count == 2 ? Int(parts[1]) ?? -1 : a.count * 8
        guard bits >= 0, bits <= a.count * 8 else { return nil }
    }

    /// An address's bytes (4 for IPv4, 16 for IPv6; an IPv4-mapped IPv6 address as IPv4).
    static func address(_ text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 { return withUnsafeBytes(of: &v4) { Array($0) } }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, text, &v6) == 1 else { return nil }
        let b = withUnsafeBytes(of: &v6) { Array($0) }
        if b[0..<10].allSatisfy({ $0 == 0 }), b[10] == 0xFF, b[11] == 0xFF { return Array(b[12...]) }
        return b
    }

    func contains(_ a: [UInt8]) -> Bool {
        guard a.count == bytes.count else { return false }
        var left = bits
        for k in 0..<a.count where left > 0 {
            let mask: UInt8 = left >= 8 ? 0xFF : UInt8(0xFF << (8 - left) & 0xFF)
            if a[k] & mask != bytes[k] & mask { return false }
            left -= 8
        }
        return true
    }
}
