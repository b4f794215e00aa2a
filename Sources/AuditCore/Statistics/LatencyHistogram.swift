/// A log-scale histogram of durations in microseconds, for p50/p90/p99 without keeping
/// samples: 16 buckets per power of two (about 6% wide), from 1 µs to days.
public struct LatencyHistogram: Sendable {
    private var buckets = [UInt32](repeating: 0, count: 16 * 61)
    /// Samples recorded.
    public private(set) var count = 0

    public init() {}

    static func index(_ micros: Int64) -> Int {
        let v = UInt64(max(micros, 0))
        if v < 16 { return Int(v) }
        let e = 63 - v.leadingZeroBitCount
        return (e - 3) * 16 + Int((v >> UInt64(e - 4)) & 15)
    }

    /// The middle of a bucket's range, in microseconds.
    static func value(_ index: Int) -> Double {
        if index < 16 { return Double(index) }
        let e = index / 16 + 3
        let sub = index % 16
        let low = Double(UInt64(16 + sub) << UInt64(e - 4))
        let width = Double(UInt64(1) << UInt64(e - 4))
        return low + width / 2
    }

    /// Records one duration.
    public mutating func record(_ micros: Int64) {
        buckets[min(LatencyHistogram.index(micros), buckets.count - 1)] += 1
        count += 1
    }

    /// The duration (seconds) below which `fraction` of the samples lie; nil when empty.
    public func quantile(_ fraction: Double) -> Double? {
        guard count > 0 else { return nil }
        let target = max(1, Int((fraction * Double(count)).rounded(.up)))
        var seen = 0
        for (i, n) in buckets.enumerated() where n > 0 {
            seen += Int(n)
            if seen >= target { return LatencyHistogram.value(i) / 1_000_000 }
        }
        return nil
    }
}
