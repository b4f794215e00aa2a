/// A few interned ids, sorted: a linear or binary search, no hashing.
struct IDSet: Sendable {
    private let ids: [UInt32]

    init(_ values: some Sequence<UInt32>) { ids = Array(Set(values)).sorted() }

    @inline(__always) func contains(_ id: UInt32) -> Bool {
        if ids.count <= 16 {
            for x in ids where x == id { return true }
            return false
        }
        var lo = 0, hi = ids.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if ids[mid] < id { lo = mid + 1 } else { hi = mid }
        }
        return lo < ids.count && ids[lo] == id
    }

    var all: [UInt32] { ids }
}
