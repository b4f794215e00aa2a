/// A small, fast, seedable random number generator (SplitMix64), so a seed always gives the
/// same log.
public struct SplitMix: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform double in [0, 1).
    mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }

    /// An exponentially distributed value with the given mean.
    mutating func exponential(mean: Double) -> Double { -mean * log1p(-unit()) }

    /// One of `items`, picked uniformly.
    mutating func pick<T>(_ items: [T]) -> T { items[Int(next() % UInt64(items.count))] }

    /// A random version-4 UUID.
    mutating func uuid() -> String {
        let a = next()
        let b = next()
        let hex = Array("0123456789abcdef".utf8)
        var s = [UInt8]()
        s.reserveCapacity(36)
        for k in 0..<32 {
            if k == 8 || k == 12 || k == 16 || k == 20 { s.append(UInt8(ascii: "-")) }
            var nibble = Int(((k < 16 ? a : b) >> UInt64(60 - 4 * (k % 16))) & 15)
            if k == 12 { nibble = 4 }
            if k == 16 { nibble = 8 | (nibble & 3) }
            s.append(hex[nibble])
        }
        return String(decoding: s, as: UTF8.self)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
