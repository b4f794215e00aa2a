import AuditTestSupport
import AuditCore
import AuditSimulator
import AuditSources
import Foundation
import Testing

@Suite struct ParallelLogReaderTests {
    /// Everything the engine counted, in a comparable form.
    func fingerprint(_ s: EventStore) -> String {
        let st = s.stats
        let top = { (t: CountTable) in t.top(20).map { "\(s.strings.string($0.id))=\($0.count)" }.joined(separator: ",") }
        let ring = (s.ring.firstSequence..<s.ring.nextSequence).map { seq -> String in
            let e = s.ring[sequence: seq]!
            return "\(e.auditIDHigh):\(e.stage.rawValue):\(s.strings.string(e.user)):\(e.code)"
        }.joined(separator: ";")
        return "\(s.counters) \(top(st.users)) \(top(st.verbs)) \(top(st.resources)) \(st.denied.total) \(st.unknown.users.map(s.strings.string)) \(ring)"
    }

    @Test(.needsCorpus, arguments: try Corpus.entries().filter { $0.events > 0 })
    func eachCorpusFileGivesTheSameResultOnTwoCores(_ entry: Corpus.Entry) throws {
        let path = Corpus.root.appendingPathComponent(entry.path).path
        let one = EventStore()
        try LogReader().read(path, into: one)
        let two = EventStore()
        var reader = ParallelLogReader()
        reader.chunkSize = 4096
        try reader.read(path, into: two)
        #expect(fingerprint(one) == fingerprint(two), "\(entry.path)")
    }

    @Test(arguments: [1000, 4096, 65536, 1 << 20])
    func aSimulatedLogGivesTheSameResultWhateverTheChunkSize(chunk: Int) throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("audittop-par-\(chunk)-\(UUID().uuidString).log").path
        var sim = Simulator(seed: 5, incidentAfter: 20_000_000)
        var text: [UInt8] = []
        for k in 0..<12_000 {
            text.append(contentsOf: sim.next().line)
            if k % 997 == 0 { text.append(contentsOf: Array("not json\n{\"kind\":\"Event\",\"auditID\":\"x\",\"verb\":\"g\n".utf8)) }
        }
        try Data(text).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let one = EventStore()
        try LogReader(maxLine: 8192).read(path, into: one)
        let two = EventStore()
        var reader = ParallelLogReader(maxLine: 8192)
        reader.chunkSize = chunk
        try reader.read(path, into: two)
        #expect(one.counters.malformed.total > 0)
        #expect(one.counters.malformed[.oversized] > 0)
        #expect(fingerprint(one) == fingerprint(two))
    }
}
