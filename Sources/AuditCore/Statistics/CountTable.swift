/// Counts per interned string id, for one top-N dimension (users, verbs, agents...), in
/// bounded memory: a Space-Saving heavy-hitters sketch of `capacity` counters.
///
/// While at most `capacity` ids have been counted every count is exact. After that a new
/// id takes over the counter of the smallest one, inheriting its count as its possible
/// error (Metwally, Agrawal and El Abbadi, 2005). Then:
/// - every id counted more than `total / capacity` times is kept;
/// - a kept count is never below the true count, and above it by at most `errorBound`
///   (the largest count taken over, itself at most `total / capacity`).
///
/// Taking a count back (`add(id, -1)`: a later stage changed a request's outcome) lowers a
/// kept id's count; for an id no longer kept there is nothing to lower.
public struct CountTable: Sendable {
    /// Counters kept; also the most ids the table refers to.
    public let capacity: Int
    private var ids: [UInt32] = []
    private var counts: [Int] = []
    /// Per counter: when its id started being counted there (ties go to the older).
    private var since: [UInt64] = []
    private var nextSince: UInt64 = 0
    private var index = IDIndex()
    /// Counter positions as a min-heap by count, built once every counter is in use.
    private var heap: [Int32] = []
    private var heapSlot: [Int32] = []
    /// The largest count a new id took over: no kept count is high by more.
    public private(set) var errorBound = 0

    /// The default: exact for up to 10,000 distinct values per list.
    public static let defaultCapacity = 10_000

    public init(capacity: Int = CountTable.defaultCapacity) { self.capacity = max(capacity, 1) }

    /// Adds `n` (negative to take back) to `id`'s count.
    @inline(__always) public mutating func add(_ id: UInt32, _ n: Int = 1) {
        if let k = index.find(id) {
            counts[k] += n
            if !heap.isEmpty { n > 0 ? siftDown(Int(heapSlot[k])) : siftUp(Int(heapSlot[k])) }
        } else if n > 0 {
            insert(id, n)
        }
    }

    /// `id`'s count (0 when not kept).
    public func count(_ id: UInt32) -> Int { index.find(id).map { counts[$0] } ?? 0 }

    /// The number of ids kept with a count above zero (all distinct ids while under capacity).
    public var distinct: Int { counts.reduce(0) { $0 + ($1 > 0 ? 1 : 0) } }

    /// True once more distinct ids were counted than there are counters, so counts may be
    /// high by up to `errorBound`.
    public var isApproximate: Bool { errorBound > 0 }

    /// The `limit` largest counts, largest first; ties by the id counted first.
    public func top(_ limit: Int) -> [(id: UInt32, count: Int)] {
        guard limit > 0 else { return [] }
        var best: [(k: Int, count: Int)] = []
        for (k, c) in counts.enumerated() where c > 0 {
            if best.count == limit, let last = best.last, c < last.count || (c == last.count && since[k] > since[last.k]) {
                continue
            }
            var at = best.count
            while at > 0, best[at - 1].count < c || (best[at - 1].count == c && since[best[at - 1].k] > since[k]) { at -= 1 }
            best.insert((k, c), at: at)
            if best.count > limit { best.removeLast() }
        }
        return best.map { (ids[$0.k], $0.count) }
    }

    /// Marks every id the table refers to as still in use.
    public func mark(_ live: inout LiveStrings) {
        for id in ids { live.mark(id) }
    }

    private mutating func insert(_ id: UInt32, _ n: Int) {
        if ids.count < capacity {
            index.insert(id, at: ids.count)
            ids.append(id)
            counts.append(n)
            since.append(nextSince)
            nextSince += 1
            return
        }
        if heap.isEmpty { buildHeap() }
        // The smallest counter changes hands: its count becomes the newcomer's possible error.
        let k = Int(heap[0])
        let inherited = max(counts[k], 0)
        errorBound = max(errorBound, inherited)
        index.remove(ids[k])
        index.insert(id, at: k)
        ids[k] = id
        counts[k] = inherited + n
        since[k] = nextSince
        nextSince += 1
        siftDown(0)
    }

    private mutating func buildHeap() {
        heap = (0..<Int32(ids.count)).map { $0 }
        heapSlot = heap
        var i = heap.count / 2 - 1
        while i >= 0 {
            siftDown(i)
            i -= 1
        }
    }

    private mutating func siftDown(_ start: Int) {
        var i = start
        let n = heap.count
        while true {
            let l = 2 * i + 1
            guard l < n else { return }
            var m = l
            if l + 1 < n, counts[Int(heap[l + 1])] < counts[Int(heap[l])] { m = l + 1 }
            guard counts[Int(heap[m])] < counts[Int(heap[i])] else { return }
            swapHeap(i, m)
            i = m
        }
    }

    private mutating func siftUp(_ start: Int) {
        var i = start
        while i > 0 {
            let p = (i - 1) / 2
            guard counts[Int(heap[i])] < counts[Int(heap[p])] else { return }
            swapHeap(i, p)
            i = p
        }
    }

    private mutating func swapHeap(_ a: Int, _ b: Int) {
        heap.swapAt(a, b)
        heapSlot[Int(heap[a])] = Int32(a)
        heapSlot[Int(heap[b])] = Int32(b)
    }
}

/// An open-addressing map from id to counter position, sized for `CountTable`'s capacity:
/// one multiply and usually one probe per lookup.
struct IDIndex: Sendable {
    /// Per slot: id + 1 (0 empty), and the counter position.
    private var keys: [UInt32] = Array(repeating: 0, count: 64)
    private var values: [Int32] = Array(repeating: 0, count: 64)
    private var used = 0

    @inline(__always) private func home(_ id: UInt32) -> Int {
        Int(truncatingIfNeeded: (UInt64(id) &* 0x9E37_79B9_7F4A_7C15) >> 32) & (keys.count - 1)
    }

    @inline(__always) func find(_ id: UInt32) -> Int? {
        let key = id &+ 1
        var s = home(id)
        while true {
            let k = keys[s]
            if k == key { return Int(values[s]) }
            if k == 0 { return nil }
            s = (s + 1) & (keys.count - 1)
        }
    }

    mutating func insert(_ id: UInt32, at position: Int) {
        if (used + 1) * 2 > keys.count { grow() }
        var s = home(id)
        while keys[s] != 0 { s = (s + 1) & (keys.count - 1) }
        keys[s] = id &+ 1
        values[s] = Int32(position)
        used += 1
    }

    /// Removes `id`, shifting later entries of its run back (no tombstones).
    mutating func remove(_ id: UInt32) {
        let key = id &+ 1
        let mask = keys.count - 1
        var s = home(id)
        while keys[s] != key {
            if keys[s] == 0 { return }
            s = (s + 1) & mask
        }
        var hole = s
        var next = (s + 1) & mask
        while keys[next] != 0 {
            let h = home(keys[next] &- 1)
            // Move the entry back when its home is not in (hole, next].
            if (next > hole && (h <= hole || h > next)) || (next < hole && h <= hole && h > next) {
                keys[hole] = keys[next]
                values[hole] = values[next]
                hole = next
            }
            next = (next + 1) & mask
        }
        keys[hole] = 0
        used -= 1
    }

    private mutating func grow() {
        let oldKeys = keys
        let oldValues = values
        keys = Array(repeating: 0, count: oldKeys.count * 2)
        values = Array(repeating: 0, count: oldKeys.count * 2)
        used = 0
        for (s, k) in oldKeys.enumerated() where k != 0 { insert(k &- 1, at: Int(oldValues[s])) }
    }
}
