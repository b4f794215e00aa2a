import Foundation

/// Several ASCII substrings searched for in one pass over the text: a bitmap of the values'
/// first two bytes rules out nearly every position with one load, and only the positions it
/// lets through are checked against the values that begin there. With `foldCase` the text's
/// ASCII letters are compared lowercased, without making a lowercased copy.
struct Needles {
    private let values: [[UInt8]]
    /// Per pair of first bytes: the values that begin with it.
    private let byPair: [UInt16: [Int]]
    /// One bit per pair of first bytes (65,536 bits).
    private var pairs = [UInt64](repeating: 0, count: 1024)
    private let foldCase: Bool
    /// The bytes a value can begin with in the text (both cases of a letter with
    /// `foldCase`), when few: each is found with `memchr`, and only its positions checked.
    private let starts: [UInt8]?
    /// The longest run of three or more bytes that every value holds (`bin` in `/bin/sh`,
    /// `%2fusr%2fbin%2fcurl`, …): a text without it holds no value, which one quick search
    /// says before any value is tried.
    private let gate: [UInt8]?
    /// Where in `gate` the byte searched for is (one that is not a letter when it has one,
    /// with `foldCase`), and that byte in both its cases (the same twice when not a letter).
    private let anchor: Int
    private let anchorBytes: (UInt8, UInt8)

    /// Nil when a value is not ASCII or is shorter than two bytes (the plain search does those).
    init?(_ values: [String], foldCase: Bool) {
        let bytes = values.map { Array($0.utf8) }
        guard !bytes.isEmpty, bytes.allSatisfy({ $0.count >= 2 && $0.allSatisfy { $0 < 0x80 } }) else { return nil }
        self.values = bytes
        self.foldCase = foldCase
        var byPair: [UInt16: [Int]] = [:]
        for (k, v) in bytes.enumerated() {
            let pair = UInt16(v[0]) << 8 | UInt16(v[1])
            byPair[pair, default: []].append(k)
            pairs[Int(pair >> 6)] |= 1 << UInt64(pair & 63)
        }
        self.byPair = byPair
        var firsts = Set<UInt8>()
        for v in bytes {
            firsts.insert(v[0])
            if foldCase, v[0] >= 0x61, v[0] <= 0x7A { firsts.insert(v[0] - 0x20) }
        }
        starts = firsts.count <= 8 ? firsts.sorted() : nil
        let run = bytes.count > 1 ? Self.commonRun(bytes) : nil
        gate = run
        let isLetter = { (b: UInt8) in b >= 0x61 && b <= 0x7A }
        anchor = foldCase ? run?.firstIndex { !isLetter($0) } ?? 0 : 0
        let a = run?[anchor] ?? 0
        anchorBytes = foldCase && isLetter(a) ? (a, a - 0x20) : (a, a)
    }

    /// The longest run of at least three bytes found in every value, or nil.
    static func commonRun(_ values: [[UInt8]]) -> [UInt8]? {
        guard let shortest = values.min(by: { $0.count < $1.count }), shortest.count >= 3 else { return nil }
        for length in stride(from: shortest.count, through: 3, by: -1) {
            for start in 0...(shortest.count - length) {
                let run = Array(shortest[start..<(start + length)])
                if values.allSatisfy({ v in v.count >= length && (0...(v.count - length)).contains { v[$0..<($0 + length)].elementsEqual(run) } }) {
                    return run
                }
            }
        }
        return nil
    }

    /// True when `h` holds `gate` (its ASCII letters in either case with `foldCase`), found
    /// by `memchr` on its anchor byte.
    private func holdsGate(_ run: [UInt8], _ h: UnsafeBufferPointer<UInt8>, _ base: UnsafePointer<UInt8>) -> Bool {
        guard h.count >= run.count else { return false }
        let last = h.count - run.count + anchor  // the last position the anchor can be at
        if scan(for: anchorBytes.0, run, h, base, last) { return true }
        return anchorBytes.1 != anchorBytes.0 && scan(for: anchorBytes.1, run, h, base, last)
    }

    /// Each `b` up to `last`, checked as the gate's anchor.
    @inline(__always)
    private func scan(for b: UInt8, _ run: [UInt8], _ h: UnsafeBufferPointer<UInt8>, _ base: UnsafePointer<UInt8>, _ last: Int) -> Bool {
        var i = anchor
        while i <= last, let hit = memchr(base + i, Int32(b), last + 1 - i) {
            let at = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
            var j = 0
            while j < run.count, fold(h[at - anchor + j]) == run[j] { j += 1 }
            if j == run.count { return true }
            i = at + 1
        }
        return false
    }

    @inline(__always) private func fold(_ b: UInt8) -> UInt8 { foldCase && b >= 0x41 && b <= 0x5A ? b | 0x20 : b }

    func found(in text: String) -> Bool {
        var t = text
        return t.withUTF8 { found(in: $0) }
    }

    func found(in h: UnsafeBufferPointer<UInt8>) -> Bool {
        guard h.count >= 2, let base = h.baseAddress else { return false }
        if let gate, !holdsGate(gate, h, base) { return false }
        if let starts {
            for b in starts {
                var i = 0
                while i < h.count - 1, let hit = memchr(base + i, Int32(b), h.count - 1 - i) {
                    let at = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
                    if matchesAt(at, h) { return true }
                    i = at + 1
                }
            }
            return false
        }
        for i in 0..<(h.count - 1) where matchesAt(i, h) { return true }
        return false
    }

    /// A value begins at `i` of the text.
    @inline(__always) private func matchesAt(_ i: Int, _ h: UnsafeBufferPointer<UInt8>) -> Bool {
        let pair = UInt16(fold(h[i])) << 8 | UInt16(fold(h[i + 1]))
        guard pairs[Int(pair >> 6)] & (1 << UInt64(pair & 63)) != 0, let candidates = byPair[pair] else { return false }
        for k in candidates {
            let v = values[k]
            guard i + v.count <= h.count else { continue }
            var j = 2
            while j < v.count, fold(h[i + j]) == v[j] { j += 1 }
            if j == v.count { return true }
        }
        return false
    }
}
