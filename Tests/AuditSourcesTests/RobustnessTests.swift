import AuditTestSupport
import AuditCore
import AuditSources
import Foundation
import Testing

@Suite struct RobustnessTests {
    /// Real events interleaved with random junk lines: every real event survives, every junk
    /// line is counted once, whatever the seed.
    @Test(.needsCorpus, arguments: [1, 2, 3, 4, 5] as [UInt64])
    func junkBetweenRealEventsNeverCostsAGoodOne(seed: UInt64) throws {
        let data = try Data(contentsOf: Corpus.root.appendingPathComponent("real-events.jsonl"))
        let lines = data.split(separator: 0x0A)
        var rng = SeededRandom(seed: seed)
        var mixed = [UInt8]()
        var junk = 0
        for line in lines {
            mixed.append(contentsOf: line)
            mixed.append(0x0A)
            if rng.next() % 2 == 0 {
                var garbage = (0..<Int(1 + rng.next() % 300)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
                garbage.removeAll { $0 == 0x0A || $0 == 0x0D || $0 == 0x20 || $0 == 0x09 }
                if garbage.isEmpty || garbage.first == 0xEF { continue }
                // Half the junk is a real line cut short: the hardest neighbour to resync after.
                if rng.next() % 2 == 0 { garbage = Array(line.prefix(Int(rng.next() % UInt64(line.count)) + 1)) }
                if garbage.allSatisfy({ $0 == 0x20 }) { continue }
                mixed.append(contentsOf: garbage)
                mixed.append(0x0A)
                junk += 1
            }
        }
        let clean = EventStore()
        clean.ingest(text: String(decoding: data, as: UTF8.self))
        let store = EventStore()
        var framer = StreamDecoder()
        var offset = 0
        while offset < mixed.count {
            let n = min(Int(1 + rng.next() % 8192), mixed.count - offset)
            mixed[offset..<(offset + n)].withUnsafeBufferPointer { framer.feed($0, to: store) }
            offset += n
        }
        framer.finish(to: store)
        // A cut line can be a whole event when the cut lands after its closing brace; it is
        // then a duplicate of the line before it, never a loss.
        #expect(store.counters.ingested == clean.counters.ingested)
        #expect(store.counters.malformed.total + (store.counters.duplicates - clean.counters.duplicates) == junk)
    }

    @Test func aDocumentOfOnlyOpeningBracketsEndsAsTruncatedNotAHang() {
        let store = EventStore()
        store.ingest(text: String(repeating: "[", count: 200_000) + "\n")
        #expect(store.counters.malformed.total == 1)
        #expect(store.counters.ingested == 0)
    }
}

/// SplitMix64, for reproducible junk.
struct SeededRandom {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
