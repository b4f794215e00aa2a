import AuditCore
import Testing

/// Collects what a `StreamDecoder` frames, for tests.
final class Collected: DocumentSink {
    var documents: [String] = []
    var malformed: [MalformedKind] = []
    func document(_ bytes: UnsafeBufferPointer<UInt8>) { documents.append(String(decoding: bytes, as: UTF8.self)) }
    func malformed(_ kind: MalformedKind) { malformed.append(kind) }
}

@Suite struct StreamDecoderTests {
    static func frame(_ text: String, chunk: Int, maxLine: Int = 4 << 20) -> Collected {
        let sink = Collected()
        var framer = StreamDecoder(maxLine: maxLine)
        let bytes = Array(text.utf8)
        var i = 0
        while i < bytes.count {
            let end = min(i + chunk, bytes.count)
            bytes[i..<end].withUnsafeBufferPointer { framer.feed($0, to: sink) }
            i = end
        }
        framer.finish(to: sink)
        return sink
    }

    @Test(arguments: [1, 2, 7, 64, 1 << 20])
    func linesAreFramedTheSameWhateverTheChunkSize(chunk: Int) {
        let text = "\u{FEFF}{\"a\":1}\r\n\n   \n{\"b\":\"x\\ny\"}\n{\"c\":3}"
        let sink = Self.frame(text, chunk: chunk)
        #expect(sink.documents == ["{\"a\":1}", "{\"b\":\"x\\ny\"}", "{\"c\":3}"])
        #expect(sink.malformed.isEmpty)
    }

    @Test(arguments: [1, 5, 4096])
    func prettyPrintedDocumentsAreFramedAsWholeValues(chunk: Int) {
        let text = "{\n  \"kind\": \"Event\",\n  \"user\": {\n    \"username\": \"a}{\"\n  }\n}\n[\n {\"x\": [1]},\n 2, \"s]\",\n [3]\n]\n"
        let sink = Self.frame(text, chunk: chunk)
        // A top-level array's elements come one by one; its scalars are no events.
        #expect(sink.documents.count == 3)
        #expect(sink.documents[0].hasSuffix("}\n}"))
        #expect(sink.documents.dropFirst() == ["{\"x\": [1]}", "[3]"])
        #expect(sink.malformed == [.notAnEvent, .notAnEvent])
    }

    @Test func anOverlongLineIsCountedAndItsNeighboursKept() {
        let long = "{\"x\":\"" + String(repeating: "a", count: 5000) + "\"}"
        for chunk in [3, 100, 1 << 16] {
            let sink = Self.frame("{\"a\":1}\n" + long + "\n{\"b\":2}\n", chunk: chunk, maxLine: 1024)
            #expect(sink.documents == ["{\"a\":1}", "{\"b\":2}"], "chunk \(chunk)")
            #expect(sink.malformed == [.oversized], "chunk \(chunk)")
        }
    }

    @Test func aTruncatedLineDoesNotTakeTheNextLineWithIt() {
        let good = Fixture.event(id: Fixture.id(1))
        let cut = String(Fixture.event(id: Fixture.id(2)).prefix(120))
        let store = Fixture.store(cut + "\n" + good + "\n" + cut)
        #expect(store.counters.ingested == 1)
        #expect(store.counters.malformed[.truncated] == 2)
    }

    @Test func aPartialLastLineWaitsForItsNewline() {
        let sink = Collected()
        var framer = StreamDecoder()
        var first = "{\"a\":1}\n{\"b\":"
        first.withUTF8 { framer.feed($0, to: sink) }
        #expect(sink.documents == ["{\"a\":1}"])
        #expect(framer.hasPartialInput)
        var second = "2}\n"
        second.withUTF8 { framer.feed($0, to: sink) }
        #expect(sink.documents == ["{\"a\":1}", "{\"b\":2}"])
        #expect(!framer.hasPartialInput)
    }

    @Test func blankInputYieldsNothing() {
        let sink = Self.frame("\n\n  \n\t\n", chunk: 3)
        #expect(sink.documents.isEmpty && sink.malformed.isEmpty)
    }
}
