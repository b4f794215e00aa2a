/// Events written ahead of their time (later stages, incident steps, pod churn), kept in a
/// binary heap by event time; events of equal time come out in the order they went in.
struct PendingEvents {
    private struct Entry {
        var time: Int64
        var order: UInt64
        var line: [UInt8]
        func before(_ other: Entry) -> Bool { time < other.time || (time == other.time && order < other.order) }
    }

    private var heap: [Entry] = []
    private var counter: UInt64 = 0

    var isEmpty: Bool { heap.isEmpty }
    var count: Int { heap.count }
    /// The earliest event's time, or `Int64.max` when none waits.
    var nextTime: Int64 { heap.first?.time ?? .max }

    mutating func insert(_ time: Int64, _ line: [UInt8]) {
        counter += 1
        heap.append(Entry(time: time, order: counter, line: line))
        var k = heap.count - 1
        while k > 0 {
            let parent = (k - 1) / 2
            guard heap[k].before(heap[parent]) else { break }
            heap.swapAt(k, parent)
            k = parent
        }
    }

    /// Takes the earliest event out.
    mutating func removeFirst() -> (time: Int64, line: [UInt8]) {
        let top = heap[0]
        let last = heap.removeLast()
        if !heap.isEmpty {
            heap[0] = last
            var k = 0
            while true {
                let l = 2 * k + 1
                let r = l + 1
                var m = k
                if l < heap.count && heap[l].before(heap[m]) { m = l }
                if r < heap.count && heap[r].before(heap[m]) { m = r }
                if m == k { break }
                heap.swapAt(k, m)
                k = m
            }
        }
        return (top.time, top.line)
    }
}
