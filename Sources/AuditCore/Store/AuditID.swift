import CAuditScan

/// A request's `auditID` as 128 bits: a UUID's own bits, or a hash of any other text.
public struct AuditID: Hashable, Sendable {
    public var high: UInt64
    public var low: UInt64

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// Reads `p[0..<n]`: 36-character UUIDs exactly, anything else by hashing.
    public init(_ p: UnsafePointer<UInt8>, _ n: Int) {
        if n == 36, let parsed = AuditID.uuid(p) {
            self = parsed
        } else {
            high = StringInterner.hash(p, n)
            // A second, different hash: the same bytes reversed in role by a seed change.
            var h: UInt64 = 0xC2B2_AE3D_27D4_EB4F
            for k in 0..<n { h = (h ^ UInt64(p[k])) &* 0x0000_0100_0000_01B3 }
            low = h | 1 << 63  // never equal to a UUID's variant bits pattern alone
        }
    }

    private static func uuid(_ p: UnsafePointer<UInt8>) -> AuditID? {
        var high: UInt64 = 0
        var low: UInt64 = 0
        return audit_parse_uuid(p, &high, &low) == 1 ? AuditID(high: high, low: low) : nil
    }

    /// The UUID text form, lower case, for display when the id came from a UUID.
    public var uuidString: String {
        String(unsafeUninitializedCapacity: 36) { out in
            let hex: StaticString = "0123456789abcdef"
            var at = 0
            for k in 0..<32 {
                if k == 8 || k == 12 || k == 16 || k == 20 {
                    out[at] = UInt8(ascii: "-")
                    at += 1
                }
                let word = k < 16 ? high : low
                let shift = UInt64(60 - 4 * (k % 16))
                out[at] = hex.utf8Start[Int((word >> shift) & 15)]
                at += 1
            }
            return at
        }
    }
}
