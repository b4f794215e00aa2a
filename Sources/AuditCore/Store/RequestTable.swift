import CAuditScan

/// What the store remembers of each recent request, by auditID: which stages arrived and
/// the outcome counted so far. It finds duplicates (the same auditID and stage again) and
/// lets a later stage replace an earlier one's outcome so each request counts once.
///
/// Memory is bounded: it remembers the most recent `window` requests (first-in, first-out),
/// far more than webhook retries (minutes) or rotated-file overlap need. Slots hold key and
/// value side by side so a lookup costs one cache miss.
///
/// A request is keyed by a 64-bit fingerprint of its auditID, hashed with a seed drawn when
/// the table is made, not by the 128-bit ID: 16 bytes a slot instead of 24, and 8 bytes per
/// request in the eviction order instead of 16 (12 MB less at the default window). Two of the
/// window's 500,000 requests share a fingerprint with odds of about one in 150 billion; the
/// seed keeps anyone from choosing IDs that do.
final class RequestTable {
    /// What was counted for a request.
    struct Outcome: Equatable {
        /// Bits `1 << Stage.rawValue` (0x80: a stage of unknown name), and
        /// `countedAsImpersonated`.
        var stages: UInt8 = 0
        /// The request was counted under the identity it impersonated.
        static let countedAsImpersonated: UInt8 = 0x40
        var rank: UInt8 = 0
        var code: Int16 = -1
        var denied = false
    }

    private struct Slot {
        var key: UInt64
        /// Bit 63: occupied; bits 0-7 stages, 8-15 rank, 16-31 code + 1, 32 denied.
        var value: UInt64
    }

    /// `mask + 1` slots from `audit_alloc_table`, owned by this table.
    private let slots: UnsafeMutablePointer<Slot>
    private let mask: Int
    private var order: [UInt64]
    private let seed = UInt64.random(in: .min ... .max)
    private var orderHead = 0
    private(set) var count = 0
    let window: Int

    init(window: Int) {
        self.window = max(window, 16)
        var size = 16
        while size < self.window * 2 { size <<= 1 }
        let bytes = size * MemoryLayout<Slot>.stride
        if let memory = audit_alloc_table(bytes) {
            slots = memory.bindMemory(to: Slot.self, capacity: size)
        } else {
            slots = .allocate(capacity: size)
            slots.initialize(repeating: Slot(key: 0, value: 0), count: size)
        }
        mask = size - 1
        order = []
        order.reserveCapacity(self.window)
    }

    deinit {
        audit_free_table(slots, (mask + 1) * MemoryLayout<Slot>.stride)
    }

    /// Bytes held by the table.
    var memoryBytes: Int { (mask + 1) * MemoryLayout<Slot>.stride + order.capacity * 8 }

    /// The fingerprint of `id`: both halves mixed with the seed, then finalised (murmur3's).
    @inline(__always) private func key(_ id: AuditID) -> UInt64 {
        var h = (id.high ^ seed) &* 0x9E37_79B9_7F4A_7C15 ^ id.low
        h = (h ^ (h >> 33)) &* 0xFF51_AFD7_ED55_8CCD
        h = (h ^ (h >> 33)) &* 0xC4CE_B9FE_1A85_EC53
        return h ^ (h >> 33)
    }

    @inline(__always) private func home(_ key: UInt64) -> Int { Int(truncatingIfNeeded: key >> 17) & mask }

    /// Starts loading `id`'s home slot into the cache, ahead of `find`.
    @inline(__always) func prefetch(_ id: AuditID) {
        audit_prefetch(slots + home(key(id)))
    }

    /// Finds `id`: its slot and whether it is there (else the free slot it would take).
    func find(_ id: AuditID) -> (index: Int, found: Bool) { find(key: key(id)) }

    private func find(key k: UInt64) -> (index: Int, found: Bool) {
        var i = home(k)
        while slots[i].value & (1 << 63) != 0 {
            if slots[i].key == k { return (i, true) }
            i = (i + 1) & mask
        }
        return (i, false)
    }

    /// The outcome stored at a slot `find` reported as found.
    func outcome(at index: Int) -> Outcome { RequestTable.unpack(slots[index].value) }

    /// The outcome stored for `id`, or nil for a request not seen (or forgotten).
    func outcome(of id: AuditID) -> Outcome? {
        let (i, found) = find(id)
        return found ? outcome(at: i) : nil
    }

    /// Stores `outcome` at the slot `find` returned for `id` (with no change in between),
    /// adding the request and forgetting the oldest when it is new.
    func store(_ id: AuditID, _ outcome: Outcome, at index: Int, found: Bool) {
        let k = key(id)
        slots[index] = Slot(key: k, value: RequestTable.pack(outcome))
        if found { return }
        count += 1
        if order.count < window {
            order.append(k)
        } else {
            remove(order[orderHead])
            order[orderHead] = k
            orderHead = (orderHead + 1) % window
            audit_prefetch(slots + home(order[orderHead]))  // the next one to be forgotten
        }
    }

    /// Stores `outcome` for `id`.
    func set(_ id: AuditID, _ outcome: Outcome) {
        let (i, found) = find(id)
        store(id, outcome, at: i, found: found)
    }

    /// Deletes `id` with backward-shift deletion, keeping probe chains intact.
    private func remove(_ k: UInt64) {
        var (i, found) = find(key: k)
        guard found else { return }
        count -= 1
        let s = slots
        do {
            var j = i
            while true {
                j = (j + 1) & mask
                guard s[j].value & (1 << 63) != 0 else { break }
                let k = home(s[j].key)
                let movable = i <= j ? (k <= i || k > j) : (k <= i && k > j)
                if movable {
                    s[i] = s[j]
                    i = j
                }
            }
            s[i].value = 0
        }
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
