@testable import AuditCore
import Foundation
import Synchronization
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

    /// Compresses every waiting block, as a helping thread would.
    static func drain(_ store: inout RawStore) {
        var scratch: [UInt8] = []
        while let next = store.nextSealed {
            let placed = store.install(RawStore.pack(next.bytes, scratch: &scratch), start: next.start)
            #expect(placed)
        }
    }

    /// Blocks compressed by another thread, early or late, end up where compressing each at
    /// once puts them: the same events held, the same bytes read, waiting blocks readable
    /// meanwhile, and a stale or repeated hand-back ignored.
    @Test func blocksCompressedElsewhereGoWhereTheyWouldHaveGone() {
        let events = (0..<4_000).map(Self.event)
        var alone = RawStore(budget: 512 << 10)
        var helped = RawStore(budget: 512 << 10)
        #expect(alone.sealedLimit == 1)
        var scratch: [UInt8] = []
        var offsets: [UInt64] = []
        var stale: (RawStore.Packed, UInt64)?
        for (k, e) in events.enumerated() {
            let a = e.withUnsafeBufferPointer { alone.append($0.baseAddress!, $0.count) }
            let h = e.withUnsafeBufferPointer { helped.append($0.baseAddress!, $0.count) }
            #expect(a == h)
            offsets.append(a)
            // The helper comes by now and then, and sometimes takes a block but is too late.
            if k % 53 == 0, let next = helped.nextSealed {
                let packed = RawStore.pack(next.bytes, scratch: &scratch)
                if k % 3 == 0 {
                    stale = (packed, next.start)
                } else {
                    let placed = helped.install(packed, start: next.start)
                    #expect(placed)
                }
            }
            if k % 211 == 0, let (packed, start) = stale {
                // Still the oldest waiting, it goes in; compressed by `append` meanwhile, not.
                let waiting = helped.nextSealed?.start == start
                let placed = helped.install(packed, start: start)
                #expect(placed == waiting)
                stale = nil
            }
            if k % 401 == 0 {
                // Waiting or not, what is held reads back.
                for j in stride(from: k, through: 0, by: -17) where helped.contains(offsets[j]) {
                    #expect(helped.read(offsets[j], events[j].count) == events[j], "event \(j) at \(k)")
                }
            }
        }
        Self.drain(&alone)
        Self.drain(&helped)
        #expect(alone.oldest == helped.oldest)
        let held = offsets.indices.filter { alone.contains(offsets[$0]) }
        #expect(held.count > 100)
        #expect(held == offsets.indices.filter { helped.contains(offsets[$0]) })
        for k in held { #expect(helped.read(offsets[k], events[k].count) == events[k]) }
        // A block handed back twice goes in once.
        var twice = RawStore(budget: 512 << 10)
        var k = 0
        while twice.nextSealed == nil {
            _ = events[k].withUnsafeBufferPointer { twice.append($0.baseAddress!, $0.count) }
            k += 1
        }
        let next = twice.nextSealed!
        let packed = RawStore.pack(next.bytes, scratch: &scratch)
        let first = twice.install(packed, start: next.start)
        let second = twice.install(packed, start: next.start)
        #expect(first && !second)
        #expect(twice.read(offsets[0], events[0].count) == events[0])
    }

    /// Nobody helping, the blocks waiting stay within `sealedLimit`.
    @Test func withoutHelpAtMostTheLimitWaits() {
        var store = RawStore(budget: 20 << 20)
        #expect(store.sealedLimit == 16)
        for k in 0..<6_000 {
            let e = Self.event(k)
            _ = e.withUnsafeBufferPointer { store.append($0.baseAddress!, $0.count) }
            #expect(store.sealedCount <= 16)
        }
        #expect(store.sealedCount == 16)
    }
}

/// A thread compressing the raw JSON while another ingests, as the webhook's decoding and
/// counting threads do: every event held reads back exactly, and the budget holds as before.
@Suite struct SharedRawCompressionTests {
    @Test func compressingBesideTheIngestKeepsEveryHeldEventExact() {
        var c = StoreConfiguration()
        c.rawBudget = 1 << 20
        c.capacity = 50_000
        let shared = SharedEventStore(configuration: c)
        let lines = (0..<20_000).map { String(decoding: RawStoreTests.event($0), as: UTF8.self) }
        let done = Atomic<Bool>(false)
        let finished = DispatchSemaphore(value: 0)
        let helper = Thread {
            while !done.load(ordering: .acquiring) { shared.helpCompress() }
            finished.signal()
        }
        helper.start()
        for chunk in stride(from: 0, to: lines.count, by: 250) {
            let text = lines[chunk..<(chunk + 250)].joined(separator: "\n") + "\n"
            shared.ingestHelped { $0.ingest(text: text) }
        }
        done.store(true, ordering: .releasing)
        finished.wait()
        // What is still waiting: handed over, compressed, put in by the next ingest.
        shared.helpCompress()
        shared.ingestHelped { _ in }
        shared.withStore { s in
            #expect(s.raw.sealedCount == 0)
            var held = 0
            for seq in s.ring.firstSequence..<s.ring.nextSequence {
                guard let raw = s.rawJSON(sequence: seq) else { continue }
                held += 1
                #expect(raw == Array(lines[seq].utf8), "event \(seq)")
            }
            #expect(held > 2_000, "\(held) events' JSON in 1 MiB")
            #expect(s.rawJSON(sequence: s.ring.nextSequence - 1) == Array(lines.last!.utf8), "the newest is held")
            #expect(s.raw.memoryBytes <= (1 << 20) + (3 + s.raw.sealedLimit) * s.raw.blockSize)
        }
    }
}
