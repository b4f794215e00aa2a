#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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

    init(base: UnsafePointer<UInt8>) { self.base = base }

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
        var c = JSONCursor(base: base, start: range.lowerBound, end: range.upperBound, maxDepth: 256)
        var out: [(name: Span, value: Range<Int>)] = []
        do {
            try c.forEachMember(depth: 0) { (c: inout JSONCursor, name: Span) throws(MalformedKind) in
                let start = c.i
                try c.skipValue(depth: 1)
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
        var c = JSONCursor(base: base, start: range.lowerBound, end: range.upperBound, maxDepth: 256)
        var out: [Range<Int>] = []
        do {
            try c.forEachElement(depth: 0) { (c: inout JSONCursor) throws(MalformedKind) in
                let start = c.i
                try c.skipValue(depth: 1)
                out.append(start..<c.i)
            }
        } catch {
            return nil
        }
        arrays[range.lowerBound] = out
        return out
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
