/// What the store remembers of each recent request, by auditID: which stages arrived and
/// the outcome counted so far. It finds duplicates (the same auditID and stage again) and
/// lets a later stage replace an earlier one's outcome so each request counts once.
///
/// Memory is bounded: it remembers the most recent `window` requests (first-in, first-out),
/// far more than webhook retries (minutes) or rotated-file overlap need.
struct RequestTable {
    /// What was counted for a request.
    struct Outcome: Equatable {
        var stages: UInt8 = 0
        var rank: UInt8 = 0
        var code: Int16 = -1
        var denied = false
    }

    private var highs: [UInt64]
    private var lows: [UInt64]
    /// Bit 63: occupied; bits 0-7 stages, 8-15 rank, 16-31 code + 1, 32 denied.
    private var values: [UInt64]
    private var mask: Int
    private var order: [AuditID]
    private var orderHead = 0
    private(set) var count = 0
    let window: Int

    init(window: Int) {
        self.window = max(window, 16)
        var size = 16
        while size < self.window * 2 { size <<= 1 }
        highs = Array(repeating: 0, count: size)
        lows = Array(repeating: 0, count: size)
        values = Array(repeating: 0, count: size)
        mask = size - 1
        order = []
        order.reserveCapacity(self.window)
    }

    /// Bytes held by the table.
    var memoryBytes: Int { values.count * 24 + order.capacity * 16 }

    @inline(__always) private func home(_ id: AuditID) -> Int {
        Int(truncatingIfNeeded: (id.high ^ (id.low &* 0x9E37_79B9_7F4A_7C15)) >> 7) & mask
    }

    private func slot(of id: AuditID) -> (index: Int, found: Bool) {
        var s = home(id)
        while values[s] & (1 << 63) != 0 {
            if highs[s] == id.high && lows[s] == id.low { return (s, true) }
            s = (s + 1) & mask
        }
        return (s, false)
    }

    /// The outcome stored for `id`, or nil for a request not seen (or forgotten).
    func outcome(of id: AuditID) -> Outcome? {
        let (s, found) = slot(of: id)
        return found ? RequestTable.unpack(values[s]) : nil
    }

    /// Stores `outcome` for `id`, adding the request (and forgetting the oldest) when new.
    mutating func set(_ id: AuditID, _ outcome: Outcome) {
        let (s, found) = slot(of: id)
        if found {
            values[s] = RequestTable.pack(outcome)
            return
        }
        highs[s] = id.high
        lows[s] = id.low
        values[s] = RequestTable.pack(outcome)
        count += 1
        if order.count < window {
            order.append(id)
        } else {
            remove(order[orderHead])
            order[orderHead] = id
            orderHead = (orderHead + 1) % window
        }
    }

    /// Deletes `id` with backward-shift deletion, keeping probe chains intact.
    private mutating func remove(_ id: AuditID) {
        var (i, found) = slot(of: id)
        guard found else { return }
        count -= 1
        var j = i
        while true {
            j = (j + 1) & mask
            guard values[j] & (1 << 63) != 0 else { break }
            let k = home(AuditID(high: highs[j], low: lows[j]))
            let movable = i <= j ? (k <= i || k > j) : (k <= i && k > j)
            if movable {
                highs[i] = highs[j]
                lows[i] = lows[j]
                values[i] = values[j]
                i = j
            }
        }
        values[i] = 0
    }

    private static func pack(_ o: Outcome) -> UInt64 {
        1 << 63 | UInt64(o.stages) | UInt64(o.rank) << 8 | UInt64(UInt16(bitPattern: o.code &+ 1)) << 16
            | (o.denied ? 1 << 32 : 0)
    }

    private static func unpack(_ v: UInt64) -> Outcome {
        Outcome(
            stages: UInt8(v & 0xFF), rank: UInt8((v >> 8) & 0xFF),
            code: Int16(bitPattern: UInt16((v >> 16) & 0xFFFF)) &- 1, denied: v & (1 << 32) != 0)
    }
}
