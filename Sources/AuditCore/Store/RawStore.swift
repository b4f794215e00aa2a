/// The raw JSON of recent events, for the detail view, within a byte budget.
///
/// A circular buffer: each event's bytes are appended at a growing logical offset, and once
/// the budget is full the oldest bytes are overwritten first. An event knows its offset and
/// length; its raw JSON is available while it has not been overwritten.
struct RawStore {
    let budget: Int
    private var bytes: [UInt8] = []
    /// Total bytes ever written: the logical offset of the next write.
    private(set) var head: UInt64 = 0

    /// Marks an event whose raw JSON was never stored (larger than the whole budget).
    static let notStored = UInt64.max

    init(budget: Int) { self.budget = max(budget, 0) }

    /// Bytes held.
    var memoryBytes: Int { bytes.capacity }

    /// The oldest logical offset still held.
    var oldest: UInt64 { head > UInt64(budget) ? head - UInt64(budget) : 0 }

    /// Appends `p[0..<n]`; returns its logical offset, or `notStored`.
    mutating func append(_ p: UnsafePointer<UInt8>, _ n: Int) -> UInt64 {
        guard n <= budget, n > 0 else { return RawStore.notStored }
        let offset = head
        // Exactly the budget, once: growth by doubling would hold up to twice the budget.
        // Untouched pages of the reservation cost no memory until written.
        if bytes.capacity < budget { bytes.reserveCapacity(budget) }
        if bytes.count < budget {
            let fits = min(n, budget - bytes.count)
            bytes.append(contentsOf: UnsafeBufferPointer(start: p, count: fits))
            if fits < n { write(p + fits, n - fits, at: 0) }
        } else {
            write(p, n, at: Int(head % UInt64(budget)))
        }
        head += UInt64(n)
        return offset
    }

    private mutating func write(_ p: UnsafePointer<UInt8>, _ n: Int, at position: Int) {
        bytes.withUnsafeMutableBufferPointer { buf in
            let first = min(n, budget - position)
            (buf.baseAddress! + position).update(from: p, count: first)
            if first < n { buf.baseAddress!.update(from: p + first, count: n - first) }
        }
    }

    /// True while the bytes at `offset` are still held.
    func contains(_ offset: UInt64) -> Bool { offset != RawStore.notStored && offset >= oldest }

    /// The bytes at `offset`, or nil when they were overwritten or never stored.
    func read(_ offset: UInt64, _ n: Int) -> [UInt8]? {
        guard contains(offset), budget > 0 else { return nil }
        let position = Int(offset % UInt64(budget))
        let first = min(n, budget - position)
        var out = Array(bytes[position..<(position + first)])
        if first < n { out.append(contentsOf: bytes[0..<(n - first)]) }
        return out
    }
}
