import AuditCore

/// Builds one audit event as a compact JSON line, field by field, in the apiserver's order.
///
/// Numbers, timestamps and UUIDs are written as bytes straight into the buffer: the
/// benchmark generates a million events with it, and `String` formatting was most of the cost.
struct EventWriter {
    var out: [UInt8] = []
    /// The day whose `YYYY-MM-DDT` prefix is cached, and the prefix.
    private var day: Int64 = .min
    private var dayPrefix: [UInt8] = []
    private static let hex = Array("0123456789abcdef".utf8)

    init() { out.reserveCapacity(16_384) }

    mutating func raw(_ s: String) { out.append(contentsOf: s.utf8) }

    mutating func raw(_ bytes: [UInt8]) { out.append(contentsOf: bytes) }

    /// A JSON string; the simulator's strings need escaping only for quotes and backslashes.
    mutating func quoted(_ s: String) {
        out.append(UInt8(ascii: "\""))
        for u in s.utf8 {
            if u == UInt8(ascii: "\"") || u == UInt8(ascii: "\\") { out.append(UInt8(ascii: "\\")) }
            out.append(u)
        }
        out.append(UInt8(ascii: "\""))
    }

    mutating func field(_ key: String, _ value: String, first: Bool = false) {
        if !first { out.append(UInt8(ascii: ",")) }
        quoted(key)
        out.append(UInt8(ascii: ":"))
        quoted(value)
    }

    mutating func key(_ key: String) {
        out.append(UInt8(ascii: ","))
        quoted(key)
        out.append(UInt8(ascii: ":"))
    }

    mutating func strings(_ items: [String]) {
        out.append(UInt8(ascii: "["))
        for (k, s) in items.enumerated() {
            if k > 0 { out.append(UInt8(ascii: ",")) }
            quoted(s)
        }
        out.append(UInt8(ascii: "]"))
    }

    /// A non-negative integer in decimal.
    mutating func number(_ value: Int) {
        var n = max(0, value)
        var scale = 1
        while scale <= n / 10 { scale *= 10 }
        repeat {
            out.append(UInt8(ascii: "0") + UInt8(n / scale))
            n %= scale
            scale /= 10
        } while scale > 0
    }

    /// `n` lower-case hex digits of `value`, most significant first.
    mutating func hex(_ value: UInt64, digits n: Int) {
        for k in stride(from: n - 1, through: 0, by: -1) {
            out.append(Self.hex[Int((value >> UInt64(4 * k)) & 15)])
        }
    }

    /// A quoted RFC 3339 timestamp with microseconds, as the apiserver writes them.
    mutating func timestamp(_ micros: Int64) {
        let seconds = micros / 1_000_000
        let days = seconds / 86_400
        if days != day {
            day = days
            dayPrefix = Array(Timestamp.format(days * 86_400_000_000).utf8.prefix(11))
        }
        out.append(UInt8(ascii: "\""))
        out.append(contentsOf: dayPrefix)
        let secOfDay = Int(seconds - days * 86_400)
        two(secOfDay / 3600)
        out.append(UInt8(ascii: ":"))
        two(secOfDay / 60 % 60)
        out.append(UInt8(ascii: ":"))
        two(secOfDay % 60)
        out.append(UInt8(ascii: "."))
        var frac = Int(micros - seconds * 1_000_000)
        var scale = 100_000
        for _ in 0..<6 {
            out.append(UInt8(ascii: "0") + UInt8(frac / scale))
            frac %= scale
            scale /= 10
        }
        out.append(UInt8(ascii: "Z"))
        out.append(UInt8(ascii: "\""))
    }

    private mutating func two(_ v: Int) {
        out.append(UInt8(ascii: "0") + UInt8(v / 10))
        out.append(UInt8(ascii: "0") + UInt8(v % 10))
    }

    /// A version-4 UUID made of `a` and `b`, unquoted.
    mutating func uuid(_ a: UInt64, _ b: UInt64) {
        for k in 0..<32 {
            if k == 8 || k == 12 || k == 16 || k == 20 { out.append(UInt8(ascii: "-")) }
            var nibble = Int(((k < 16 ? a : b) >> UInt64(60 - 4 * (k % 16))) & 15)
            if k == 12 { nibble = 4 }
            if k == 16 { nibble = 8 | (nibble & 3) }
            out.append(Self.hex[nibble])
        }
    }
}
