import AuditSimulator
import AuditTestSupport
import Foundation
import Testing

@testable import AuditCore

/// The decoder skips every value it does not read (bodies, managed fields, unknown keys) with
/// the C skip `audit_skip_json_value`. It must give what the Swift skip it replaced
/// (`JSONCursor.skipValueReference`) gives: the same end, or the same kind of malformed
/// input, for every input. These tests hold the two to each other on real and generated
/// events, whole and damaged, and hold both to outcomes worked out by hand.
@Suite struct SkipEquivalenceTests {
    /// One skip's outcome: where the value ends, or why it is malformed.
    enum Outcome: Equatable, CustomStringConvertible {
        case end(Int)
        case malformed(MalformedKind)
        var description: String {
            switch self {
            case .end(let i): "end \(i)"
            case .malformed(let k): "\(k)"
            }
        }
    }

    static func skip(_ bytes: [UInt8], from start: Int = 0, depth: Int = 0, maxDepth: Int = 256, reference: Bool) -> Outcome {
        bytes.withUnsafeBufferPointer { b in
            // An empty buffer still needs a base address to point a cursor at.
            let base = b.baseAddress ?? UnsafePointer(bitPattern: 1)!
            var c = JSONCursor(base: base, start: start, end: b.count, maxDepth: maxDepth)
            do throws(MalformedKind) {
                if reference { try c.skipValueReference(depth: depth) } else { try c.skipValue(depth: depth) }
                return .end(c.i)
            } catch {
                return .malformed(error)
            }
        }
    }

    /// Both skips on `bytes`, compared; returns the C skip's outcome.
    @discardableResult
    static func agree(_ bytes: [UInt8], from start: Int = 0, maxDepth: Int = 256, _ what: @autoclosure () -> String) -> Outcome {
        let fast = skip(bytes, from: start, maxDepth: maxDepth, reference: false)
        let slow = skip(bytes, from: start, maxDepth: maxDepth, reference: true)
        #expect(fast == slow, "\(what()): C skip \(fast), Swift skip \(slow)")
        return fast
    }

    /// Damaged copies of `line`: cut short, one byte replaced by a byte that matters to the
    /// grammar, or nesting allowed one level less than the line has. Deterministic.
    static func damaged(_ line: [UInt8], seed: UInt64, count: Int) -> [(String, [UInt8], Int)] {
        var rng = seed | 1
        func next() -> Int {
            rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17
            return Int(truncatingIfNeeded: rng >> 1)
        }
        let bytes: [UInt8] = Array("\"\\{}[]:,0-.eE+tfn \u{0}\u{1F}".utf8) + [0x80, 0xC3, 0xE2, 0xF0, 0xFF]
        var out: [(String, [UInt8], Int)] = []
        guard !line.isEmpty else { return out }
        for _ in 0..<count {
            let at = next() % line.count
            out.append(("cut at \(at)", Array(line[..<at]), 256))
            var changed = line
            let b = bytes[next() % bytes.count]
            changed[at] = b
            out.append(("byte \(at) = \(b)", changed, 256))
        }
        for depth in [1, 2, 3, 5] { out.append(("max depth \(depth)", line, depth)) }
        return out
    }

    /// Every line of every JSON-lines file in the corpus, whole and damaged.
    @Test(.needsCorpus) func theCSkipAgreesOnEveryCorpusFile() throws {
        let root = CorpusLocation.root
        let files = FileManager.default.enumerator(atPath: root.path)!.compactMap { $0 as? String }
            .filter { $0.hasSuffix(".jsonl") || $0.hasSuffix(".json") || $0.hasSuffix(".log") }.sorted()
        #expect(files.count >= 10)
        var lines = 0
        var skipped = 0
        for file in files {
            guard let data = FileManager.default.contents(atPath: root.appendingPathComponent(file).path), data.count < 64 << 20 else { continue }
            let bytes = [UInt8](data)
            // The whole file as one value (most are one event or an array of them), then each line.
            Self.agree(bytes, "\(file) whole")
            for (k, slice) in bytes.split(separator: 0x0A).enumerated() where k < 2_000 {
                let line = Array(slice)
                lines += 1
                if case .end = Self.agree(line, "\(file):\(k + 1)") { skipped += 1 }
                for (what, copy, depth) in Self.damaged(line, seed: UInt64(k + 1) &* 0x9E37_79B9, count: 8) {
                    Self.agree(copy, maxDepth: depth, "\(file):\(k + 1) \(what)")
                }
            }
        }
        #expect(lines > 1_000)
        // Most lines are whole JSON values: the comparison is not only of errors.
        #expect(skipped * 2 > lines)
    }

    /// Both generated logs, realistic and low-cardinality, in every flavor.
    @Test(arguments: [false, true])
    func theCSkipAgreesOnGeneratedLogs(_ low: Bool) {
        var ends = 0
        for flavor in Flavor.allCases {
            var sim = Simulator(seed: 7, flavor: flavor, incidentAfter: 5_000_000)
            sim.lowCardinality = low
            for k in 0..<1_500 {
                var line = sim.next().line
                #expect(line.last == 0x0A)
                line.removeLast()
                if case .end(let end) = Self.agree(line, "\(flavor) event \(k)") {
                    #expect(end == line.count)
                    ends += 1
                }
                if k % 25 == 0 {
                    // From inside the event too: each value after a colon, as the decoder
                    // skips members it does not read, at depth 1.
                    var starts = 0
                    for (at, b) in line.enumerated() where b == UInt8(ascii: ":") && starts < 60 {
                        starts += 1
                        let fast = Self.skip(line, from: at + 1, depth: 1, reference: false)
                        let slow = Self.skip(line, from: at + 1, depth: 1, reference: true)
                        #expect(fast == slow, "\(flavor) event \(k) from \(at + 1): C skip \(fast), Swift skip \(slow)")
                    }
                }
                if k % 5 == 0 {
                    for (what, copy, depth) in Self.damaged(line, seed: UInt64(k + 11), count: 4) {
                        Self.agree(copy, maxDepth: depth, "\(flavor) event \(k) \(what)")
                    }
                }
            }
        }
        #expect(ends == 1_500 * Flavor.allCases.count)
    }

    /// Each outcome, worked out by hand.
    @Test func eachOutcomeIsTheOneTheGrammarGives() {
        let cases: [(String, Outcome)] = [
            (#"{"a":[1,-2.5e+3,true,false,null,"x\u00e9\n"],"b":{}}"#, .end(52)),
            (#"  [ ]  "#, .end(5)),
            (#""plain" tail"#, .end(7)),
            (#"-0.1E9,"#, .end(6)),
            (#"{"a":tru"#, .malformed(.truncated)),
            (#"{"a":trux}"#, .malformed(.invalidJSON)),
            (#"[1,]"#, .malformed(.invalidJSON)),
            (#"[1}"#, .malformed(.invalidJSON)),
            (#"{"a" 1}"#, .malformed(.invalidJSON)),
            (#"{1:2}"#, .malformed(.invalidJSON)),
            (#"{"a":1"#, .malformed(.truncated)),
            (#"{"a":"#, .malformed(.truncated)),
            (#"-"#, .malformed(.truncated)),
            (#"-x"#, .malformed(.invalidJSON)),
            (#"1."#, .malformed(.truncated)),
            (#"1.e"#, .malformed(.invalidJSON)),
            (#"2e+"#, .malformed(.truncated)),
            (#""\u12G4""#, .malformed(.invalidJSON)),
            (#""\q""#, .malformed(.invalidJSON)),
            ("[\"a\u{0}\"]", .malformed(.nulByte)),
            ("[1,\u{0}]", .malformed(.nulByte)),
            ("\u{0}", .malformed(.nulByte)),
            ("", .malformed(.truncated)),
            ("   ", .malformed(.truncated)),
            ("}", .malformed(.invalidJSON)),
        ]
        for (text, expected) in cases {
            let got = Self.agree(Array(text.utf8), "\(text.debugDescription)")
            #expect(got == expected, "\(text.debugDescription)")
        }
        #expect(Self.agree([0x22, 0xC3, 0x28, 0x22], "bad UTF-8") == .malformed(.invalidUTF8))
        #expect(Self.agree([0x22, 0xE2, 0x82], "cut UTF-8") == .malformed(.truncated))
        // From an offset inside a larger buffer: the value's end, not the buffer's.
        #expect(Self.agree(Array(#"xx{"k":[1]}yy"#.utf8), from: 2, "offset 2") == .end(11))
    }

    /// Nesting: at the limit, one past it, and deeper than the C skip's fixed stack (where
    /// it hands over to the Swift skip).
    @Test func nestingIsCheckedAtTheSameLevel() {
        func nested(_ levels: Int) -> [UInt8] { Array(repeating: UInt8(ascii: "["), count: levels) + Array(repeating: UInt8(ascii: "]"), count: levels) }
        #expect(Self.agree(nested(4), maxDepth: 4, "4 in 4") == .end(8))
        #expect(Self.agree(nested(5), maxDepth: 4, "5 in 4") == .malformed(.tooDeep))
        #expect(Self.agree(Array(#"{"a":{"b":{}}}"#.utf8), maxDepth: 2, "objects 3 in 2") == .malformed(.tooDeep))
        let limit = JSONCursor.skipStackLevels
        #expect(Self.agree(nested(limit), maxDepth: limit, "the C skip's limit") == .end(2 * limit))
        #expect(Self.agree(nested(limit + 1), maxDepth: limit + 1, "past the C skip's stack") == .end(2 * limit + 2))
        #expect(Self.agree(nested(limit + 2), maxDepth: limit + 1, "too deep past the stack") == .malformed(.tooDeep))
        // Mixed objects and arrays, closed in the wrong order.
        #expect(Self.agree(Array(#"[{"a":[{}]]}"#.utf8), "crossed") == .malformed(.invalidJSON))
    }
}
