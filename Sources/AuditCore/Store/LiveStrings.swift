/// The interned ids still in use, as one bit per id: every holder of ids marks its own
/// before the interner frees the rest (`StringInterner.reclaim`), and caches keyed by id
/// then drop what was not marked.
public struct LiveStrings: Sendable {
    private var bits: [UInt64]

    /// Room for ids below `limit`.
    public init(limit: Int) { bits = Array(repeating: 0, count: (limit + 63) / 64) }

    /// Marks `id` as in use.
    @inline(__always) public mutating func mark(_ id: UInt32) {
        let i = Int(id)
        if i >> 6 >= bits.count { bits.append(contentsOf: repeatElement(0, count: (i >> 6) + 1 - bits.count)) }
        bits[i >> 6] |= 1 << UInt64(i & 63)
    }

    /// Marks every id of `ids`.
    public mutating func mark<S: Sequence>(all ids: S) where S.Element == UInt32 {
        for id in ids { mark(id) }
    }

    /// True when `id` was marked (id 0, the empty string, always is).
    @inline(__always) public func contains(_ id: UInt32) -> Bool {
        let i = Int(id)
        return id == 0 || (i >> 6 < bits.count && bits[i >> 6] & (1 << UInt64(i & 63)) != 0)
    }

    /// How many ids are marked.
    public var count: Int { bits.reduce(0) { $0 + $1.nonzeroBitCount } }
}
