/// Counts per interned string id, for one top-N dimension (users, verbs, agents...).
public struct CountTable: Sendable {
    private var counts: [Int] = []

    public init() {}

    /// Adds `n` (negative to take back) to `id`'s count.
    @inline(__always) public mutating func add(_ id: UInt32, _ n: Int = 1) {
        let i = Int(id)
        if i >= counts.count { counts.append(contentsOf: repeatElement(0, count: max(i + 1 - counts.count, counts.count / 2 + 64))) }
        counts[i] += n
    }

    /// `id`'s count.
    public func count(_ id: UInt32) -> Int { Int(id) < counts.count ? counts[Int(id)] : 0 }

    /// The number of ids with a count above zero.
    public var distinct: Int { counts.reduce(0) { $0 + ($1 > 0 ? 1 : 0) } }

    /// The `limit` largest counts, largest first; ties by smaller id (first seen) first.
    public func top(_ limit: Int) -> [(id: UInt32, count: Int)] {
        guard limit > 0 else { return [] }
        var best: [(id: UInt32, count: Int)] = []
        for (i, c) in counts.enumerated() where c > 0 {
            if best.count == limit, let last = best.last, c <= last.count { continue }
            var k = best.count
            while k > 0 && best[k - 1].count < c { k -= 1 }
            best.insert((UInt32(i), c), at: k)
            if best.count > limit { best.removeLast() }
        }
        return best
    }
}
