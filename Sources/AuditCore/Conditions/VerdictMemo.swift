/// A whole condition's result, remembered by the ring-entry values it reads. A condition
/// whose tests read only fields the ring entry holds as ids or small numbers (the user, the
/// verb, the stage, the response code, whether the event has a time) gives the same result
/// for every event with the same values: Falco's `Disallowed K8s User` reads the user and the
/// stage, and a realistic log has a few hundred users. So it is worked out once per set of
/// values in a direct-mapped table, and every other event with them costs one lookup.
///
/// A condition that reads anything else (the URI, the JSON, audittop's own fields, more than
/// three ids) gets no memo and is evaluated every time.
final class VerdictMemo {
    /// The ring entry's id fields the condition reads (at most three), as `Self.id` numbers
    /// them (0: none).
    private let fields: (UInt8, UInt8, UInt8)
    /// Which small fields it reads: `stageBit` and friends.
    private let parts: UInt8
    private static let stageBit: UInt8 = 1, decisionBit: UInt8 = 2, codeBit: UInt8 = 4, timeBit: UInt8 = 8
    /// Per slot: the key's two words, the second with `filled` and the result's bit.
    private let table: UnsafeMutableBufferPointer<UInt64>
    private static let slots = 512
    private static let filled: UInt64 = 1 << 62
    private static let hit: UInt64 = 1 << 63

    /// Nil when some test reads a field the memo cannot key on.
    init?(_ tests: UnsafeMutableBufferPointer<ConditionTest>) {
        var ids: [UInt8] = []
        var parts: UInt8 = 0
        for t in tests {
            switch t.access {
            case .interned:
                guard let f = t.decoded.map(Self.number), f != 0 else { return nil }
                if !ids.contains(f) { ids.append(f) }
            case .stage: parts |= Self.stageBit
            case .decision: parts |= Self.decisionBit
            case .code: parts |= Self.codeBit
            case .rawTime:
                // Only "is there a time" and comparisons with 0 depend on the time's sign alone.
                guard t.op == .exists || (t.numbers?.allSatisfy { $0 == 0 } ?? false && t.compare(number: 1) != nil) else { return nil }
                parts |= Self.timeBit
            case .uri, .general: return nil
            }
        }
        guard ids.count <= 3 else { return nil }
        ids += [0, 0, 0]
        fields = (ids[0], ids[1], ids[2])
        self.parts = parts
        table = .allocate(capacity: 2 * Self.slots)
        table.initialize(repeating: 0)
    }

    deinit { table.deallocate() }

    /// Forgets every result (the interner's ids changed generation).
    func clear() { table.update(repeating: 0) }

    /// The key of the values `e` gives the condition, or nil when it has no time (a time
    /// the decoder could not read is looked for in the JSON, which the key does not hold).
    @inline(__always) func key(_ e: borrowing RingEntry) -> (UInt64, UInt64)? {
        let k1 = UInt64(Self.id(fields.0, e)) | UInt64(Self.id(fields.1, e)) << 32
        var k2 = UInt64(Self.id(fields.2, e))
        guard parts != 0 else { return (k1, k2) }
        if parts & Self.stageBit != 0 { k2 |= UInt64(e.stage.rawValue) << 32 }
        if parts & Self.decisionBit != 0 { k2 |= UInt64(e.decision.rawValue) << 36 }
        if parts & Self.codeBit != 0 { k2 |= UInt64(UInt16(bitPattern: e.code &+ 1)) << 40 }
        if parts & Self.timeBit != 0 {
            guard e.stageTime != 0 else { return nil }
            k2 |= (e.stageTime > 0 ? 1 : 2) << 56
        }
        return (k1, k2)
    }

    @inline(__always) private func slot(_ key: (UInt64, UInt64)) -> Int {
        let h = (key.0 &* 0x9E37_79B9_7F4A_7C15) ^ (key.1 &* 0xC2B2_AE3D_27D4_EB4F)
        return 2 * Int(truncatingIfNeeded: h >> 55) & (2 * Self.slots - 1)
    }

    @inline(__always) func result(_ key: (UInt64, UInt64)) -> Bool? {
        let s = slot(key)
        let second = table[s + 1]
        guard second & Self.filled != 0, table[s] == key.0, second & ~(Self.filled | Self.hit) == key.1 else { return nil }
        return second & Self.hit != 0
    }

    @inline(__always) func remember(_ key: (UInt64, UInt64), _ result: Bool) {
        let s = slot(key)
        table[s] = key.0
        table[s + 1] = key.1 | Self.filled | (result ? Self.hit : 0)
    }

    /// The id fields, numbered from 1.
    private static func number(_ f: FalcoField) -> UInt8 {
        switch f {
        case .verb: 1
        case .userName: 2
        case .targetResource: 3
        case .targetSubresource: 4
        case .targetNamespace: 5
        case .targetName: 6
        case .userAgent: 7
        case .impersonatedUser: 8
        default: 0
        }
    }

    @inline(__always) private static func id(_ n: UInt8, _ e: borrowing RingEntry) -> UInt32 {
        switch n {
        case 0: 0
        case 1: e.verb
        case 2: e.user
        case 3: e.resource
        case 4: e.subresource
        case 5: e.namespace
        case 6: e.name
        case 7: e.userAgent
        default: e.impersonatedUser
        }
    }
}
