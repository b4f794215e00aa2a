#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CAuditScan

/// Follows keys through JSON bytes without building a tree: a member is found by skipping
/// its siblings with the decoder's cursor, and only the value at the end of the path is
/// parsed. The rules read a few leaves of a pod's body (its containers' images and security
/// contexts, its volumes' host paths); parsing the whole body into values for that cost more
/// than the rest of the event's work together.
///
/// Ranges are offsets into `base`, each holding one value that the caller knows is valid
/// JSON (the top-level scan validated it); a damaged value reads as missing.
struct RawJSONPath {
    let base: UnsafePointer<UInt8>
    /// The objects and arrays read so far, by where they start: each is scanned once however
    /// many paths go through it (a pod's rules read a dozen fields of its containers).
    private var objects: [Int: [(name: Span, value: Range<Int>)]] = [:]
    private var arrays: [Int: [Range<Int>]] = [:]
    /// Where the objects and arrays inside the large values read so far end. A scan of an
    /// object or array then steps over each member that is itself a container at once:
    /// without it, a path four levels into a pod's body skipped the innermost containers
    /// four times over, byte by byte.
    private var regions: [ContainerEnds] = []
    /// Values this long or longer are indexed before their first scan (shorter ones cost
    /// more to index than to skip).
    let indexFrom: Int

    init(base: UnsafePointer<UInt8>, indexFrom: Int = 512) {
        self.base = base
        self.indexFrom = indexFrom
        // A pod's rules read a dozen or so objects and arrays: no regrowing on the way.
        objects.reserveCapacity(32)
        arrays.reserveCapacity(16)
    }

    /// The value of member `key` of the object in `range` (the first, if repeated), or nil
    /// when it is not an object or has no such member.
    mutating func member(_ key: String, of range: Range<Int>) -> Range<Int>? {
        guard let members = members(of: range) else { return nil }
        var key = key
        return key.withUTF8 { k in members.first { Self.same($0.name, k, base) }?.value }
    }

    private mutating func members(of range: Range<Int>) -> [(name: Span, value: Range<Int>)]? {
        if let known = objects[range.lowerBound] { return known }
        guard first(range) == UInt8(ascii: "{") else { return nil }
        index(range)
        var c = JSONCursor(base: base, start: range.lowerBound, end: range.upperBound, maxDepth: 256)
        var out: [(name: Span, value: Range<Int>)] = []
        out.reserveCapacity(16)
        do {
            try c.forEachMember(depth: 0) { (c: inout JSONCursor, name: Span) throws(MalformedKind) in
                let start = c.i
                try skip(&c)
                out.append((name, start..<c.i))
            }
        } catch {
            return nil
        }
        objects[range.lowerBound] = out
        return out
    }

    /// The elements of the array in `range`, or nil when it is not an array.
    mutating func elements(of range: Range<Int>) -> [Range<Int>]? {
        if let known = arrays[range.lowerBound] { return known }
        guard first(range) == UInt8(ascii: "[") else { return nil }
        index(range)
        var c = JSONCursor(base: base, start: range.lowerBound, end: range.upperBound, maxDepth: 256)
        var out: [Range<Int>] = []
        out.reserveCapacity(8)
        do {
            try c.forEachElement(depth: 0) { (c: inout JSONCursor) throws(MalformedKind) in
                let start = c.i
                try skip(&c)
                out.append(start..<c.i)
            }
        } catch {
            return nil
        }
        arrays[range.lowerBound] = out
        return out
    }

    /// Skips the member or element at the cursor (which stands on its first byte): at once to
    /// its end when it is an indexed container, else with the validating skip.
    @inline(__always) private func skip(_ c: inout JSONCursor) throws(MalformedKind) {
        let b = c.i < c.end ? base[c.i] : 0
        if b == UInt8(ascii: "{") || b == UInt8(ascii: "["), let end = containerEnd(at: c.i), end <= c.end {
            c.i = end
        } else {
            try c.skipValue(depth: 1)
        }
    }

    /// One past the closing bracket of the indexed container opening at `offset`.
    private func containerEnd(at offset: Int) -> Int? {
        for r in regions where r.range.contains(offset) {
            return r.end(of: offset)
        }
        return nil
    }

    /// Indexes the containers in `range` unless it is short or already inside an index.
    private mutating func index(_ range: Range<Int>) {
        guard range.count >= indexFrom, !regions.contains(where: { $0.range.contains(range.lowerBound) }) else { return }
        if let found = ContainerEnds(base, range) { regions.append(found) }
    }

    /// The value in `range`, parsed.
    func value(_ range: Range<Int>) -> JSONValue? {
        JSONValue.parse(UnsafeBufferPointer(start: base + range.lowerBound, count: range.count))
    }

    /// The first byte of the value in `range`.
    func first(_ range: Range<Int>) -> UInt8? {
        var i = range.lowerBound
        while i < range.upperBound {
            let b = base[i]
            if b != 0x20 && b != 0x0A && b != 0x0D && b != 0x09 { return b }
            i += 1
        }
        return nil
    }

    /// The key `name` (as written, maybe escaped) is `key`.
    private static func same(_ name: Span, _ key: UnsafeBufferPointer<UInt8>, _ base: UnsafePointer<UInt8>) -> Bool {
        if name.escaped { return JSONText.string(base: base, span: name).utf8.elementsEqual(key) }
        guard name.count == key.count else { return false }
        return name.count == 0 || memcmp(base + name.start, key.baseAddress!, name.count) == 0
    }
}

/// The objects and arrays inside one JSON value, in the order they open, with where each
/// ends (`audit_index_json_containers`). At most `limit` are held; the rest are skipped
/// the usual way.
struct ContainerEnds {
    static let limit = 4096
    let range: Range<Int>
    private let opens: [Int]
    private let closes: [Int]

    init?(_ base: UnsafePointer<UInt8>, _ range: Range<Int>) {
        let capacity = min(Self.limit, range.count / 16 + 64)
        var opens = [Int](repeating: 0, count: capacity)
        var closes = [Int](repeating: 0, count: capacity)
        let found = opens.withUnsafeMutableBufferPointer { o in
            closes.withUnsafeMutableBufferPointer { c in
                audit_index_json_containers(base, range.upperBound, range.lowerBound, o.baseAddress!, c.baseAddress!, capacity)
            }
        }
        guard found > 0 else { return nil }
        opens.removeSubrange(found...)
        closes.removeSubrange(found...)
        self.range = range
        self.opens = opens
        self.closes = closes
    }

    /// How many containers are held.
    var count: Int { opens.count }

    /// One past the closing bracket of the container opening at `offset`, if it is held.
    func end(of offset: Int) -> Int? {
        var lo = 0
        var hi = opens.count
        while lo < hi {
            let mid = (lo + hi) >> 1
            if opens[mid] < offset { lo = mid + 1 } else { hi = mid }
        }
        guard lo < opens.count, opens[lo] == offset, closes[lo] > offset else { return nil }
        return closes[lo]
    }
}
