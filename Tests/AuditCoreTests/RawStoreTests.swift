@testable import AuditCore
import Testing

/// The raw JSON budget: events in LZ4 blocks, the newest always held, each read back exactly.
@Suite struct RawStoreTests {
    /// Audit-like events of varying size, names new each time (as a real cluster's are).
    static func event(_ k: Int) -> [UInt8] {
        let name = "pod-\(k)-\(String(k &* 2_654_435_761 % 1_000_003, radix: 36))"
        let uri = "/api/v1/namespaces/ns-\(k % 40)/pods/\(name)?resourceVersion=\(k * 104_729)&timeout=\(k % 600)s"
            + (k % 3 == 0 ? "&watch=true" : "")
        return Array(Fixture.event(id: Fixture.id(k), user: "user-\(k % 97)", namespace: "ns-\(k % 40)", name: name, uri: uri,
                                   ip: "10.\(k % 7).\(k % 251).\(k % 13)", agent: "agent/\(k % 50) (linux/amd64)").utf8)
    }

    @Test func heldEventsReadBackExactlyAndTheNewestAreTheOnesHeld() {
        var store = RawStore(budget: 256 << 10)
        var offsets: [UInt64] = []
        let events = (0..<3_000).map(Self.event)
        for e in events { offsets.append(e.withUnsafeBufferPointer { store.append($0.baseAddress!, $0.count) }) }
        let held = offsets.indices.filter { store.contains(offsets[$0]) }
        #expect(!held.isEmpty)
        #expect(held == Array(held.first!..<events.count), "a suffix: the oldest go first")
        // Read out of order, then in order: both give the same bytes.
        for k in held.reversed() { #expect(store.read(offsets[k], events[k].count) == events[k]) }
        for k in held { #expect(store.read(offsets[k], events[k].count) == events[k]) }
        for k in 0..<held.first! { #expect(store.read(offsets[k], events[k].count) == nil) }
        // Compressed, the budget holds several times its size of JSON.
        let bytes = held.map { events[$0].count }.reduce(0, +)
        #expect(bytes > 3 * (256 << 10), "\(bytes) bytes of JSON held in a 256 KiB budget")
        // The buffers stay within the budget, plus a block of scratch and the block last read.
        #expect(store.memoryBytes <= (256 << 10) + 3 * store.blockSize)
    }

    @Test func largeIncompressibleAndOversizedEvents() {
        var store = RawStore(budget: 1 << 20)
        // Bytes no compressor can shrink: kept as they are.
        var x: UInt64 = 0x9E37_79B9_7F4A_7C15
        let noise = (0..<40_000).map { _ -> UInt8 in
            x ^= x << 13; x ^= x >> 7; x ^= x << 17
            return UInt8(truncatingIfNeeded: x)
        }
        let big = Array(repeating: UInt8(ascii: "a"), count: 300_000)   // larger than a block
        let small = Self.event(1)
        var at: [UInt64] = []
        for e in [small, noise, big, small, noise] { at.append(e.withUnsafeBufferPointer { store.append($0.baseAddress!, $0.count) }) }
        for (k, e) in [small, noise, big, small, noise].enumerated() { #expect(store.read(at[k], e.count) == e) }
        // Larger than the whole budget: never stored.
        let huge = [UInt8](repeating: 1, count: (1 << 20) + 1)
        #expect(huge.withUnsafeBufferPointer { store.append($0.baseAddress!, $0.count) } == RawStore.notStored)
        #expect(store.read(at[0], small.count) == small)
    }

    @Test func aZeroBudgetKeepsNothing() {
        var store = RawStore(budget: 0)
        let e = Self.event(3)
        #expect(e.withUnsafeBufferPointer { store.append($0.baseAddress!, $0.count) } == RawStore.notStored)
        #expect(store.memoryBytes == 0)
    }
}
