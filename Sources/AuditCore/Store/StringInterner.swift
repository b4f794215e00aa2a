#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A table giving each distinct string (users, verbs, resources, namespaces, agents, IPs,
/// groups) one small integer id, so a ring entry stores 4 bytes per field instead of a string.
///
/// Lookups hash the bytes straight from the decoder's buffer; a `String` is only built when a
/// view asks for one. Id 0 is the empty string, standing for an absent field.
public final class StringInterner {
    private var arena: [UInt8] = []
    private var offsets: [UInt32] = [0]
    private var lengths: [UInt32] = [0]
    private var hashes: [UInt64] = [0]
    private var strings: [String?] = [""]
    /// Open addressing: slot holds id + 1, or 0 when empty.
    private var slots: [UInt32]
    private var mask: Int

    /// Escaped spellings seen, and the id each one unescapes to.
    private var escapedForms: StringInterner?
    private var escapedTargets: [UInt32] = []

    public init() {
        slots = Array(repeating: 0, count: 1024)
        mask = 1023
    }

    private convenience init(cacheEscapes: Bool) { self.init() }

    /// The number of distinct strings, the empty one included.
    public var count: Int { offsets.count }

    /// Bytes held by the table: the strings, their index and the hash slots.
    public var memoryBytes: Int {
        arena.capacity + offsets.count * 24 + slots.count * 4 + (escapedForms?.memoryBytes ?? 0) + escapedTargets.count * 4
    }

    /// The id of the bytes `p[0..<n]`, adding them when new.
    public func intern(_ p: UnsafePointer<UInt8>, _ n: Int) -> UInt32 {
        if n == 0 { return 0 }
        let h = StringInterner.hash(p, n)
        var s = Int(truncatingIfNeeded: h) & mask
        while true {
            let slot = slots[s]
            if slot == 0 { break }
            let id = Int(slot - 1)
            if hashes[id] == h && lengths[id] == UInt32(n) {
                let equal = arena.withUnsafeBufferPointer { memcmp($0.baseAddress! + Int(offsets[id]), p, n) == 0 }
                if equal { return UInt32(id) }
            }
            s = (s + 1) & mask
        }
        let id = UInt32(offsets.count)
        offsets.append(UInt32(arena.count))
        lengths.append(UInt32(n))
        hashes.append(h)
        strings.append(nil)
        arena.append(contentsOf: UnsafeBufferPointer(start: p, count: n))
        slots[s] = id + 1
        if offsets.count * 2 > slots.count { grow() }
        return id
    }

    /// The id of a span of a decoded event, unescaping it first when needed.
    ///
    /// Escaped strings repeat too (every RBAC reason quotes names), so their escaped form is
    /// remembered in `escapedForms` and unescaped only the first time.
    public func intern(_ span: Span, in base: UnsafePointer<UInt8>, scratch: inout [UInt8]) -> UInt32 {
        if span.count == 0 { return 0 }
        if !span.escaped { return intern(base + span.start, span.count) }
        let forms = escapedForms ?? StringInterner(cacheEscapes: false)
        escapedForms = forms
        let form = Int(forms.intern(base + span.start, span.count))
        if form < escapedTargets.count, escapedTargets[form] != UInt32.max { return escapedTargets[form] }
        scratch.removeAll(keepingCapacity: true)
        JSONText.unescape(base: base, span: span, into: &scratch)
        let id = scratch.withUnsafeBufferPointer { $0.count == 0 ? 0 : intern($0.baseAddress!, $0.count) }
        if form >= escapedTargets.count {
            escapedTargets.append(contentsOf: repeatElement(UInt32.max, count: form + 1 - escapedTargets.count))
        }
        escapedTargets[form] = id
        return id
    }

    /// The id of `text`.
    public func intern(_ text: String) -> UInt32 {
        var copy = text
        return copy.withUTF8 { $0.count == 0 ? 0 : intern($0.baseAddress!, $0.count) }
    }

    /// The id of `text` if it is already in the table, without adding it.
    public func lookup(_ text: String) -> UInt32? {
        var copy = text
        return copy.withUTF8 { buf -> UInt32? in
            guard let p = buf.baseAddress, buf.count > 0 else { return 0 }
            let h = StringInterner.hash(p, buf.count)
            var s = Int(truncatingIfNeeded: h) & mask
            while slots[s] != 0 {
                let id = Int(slots[s] - 1)
                if hashes[id] == h && lengths[id] == UInt32(buf.count) {
                    let equal = arena.withUnsafeBufferPointer { memcmp($0.baseAddress! + Int(offsets[id]), p, buf.count) == 0 }
                    if equal { return UInt32(id) }
                }
                s = (s + 1) & mask
            }
            return nil
        }
    }

    /// The string with id `id`.
    public func string(_ id: UInt32) -> String {
        let i = Int(id)
        if let s = strings[i] { return s }
        let s = arena.withUnsafeBufferPointer {
            String(decoding: UnsafeBufferPointer(start: $0.baseAddress! + Int(offsets[i]), count: Int(lengths[i])), as: UTF8.self)
        }
        strings[i] = s
        return s
    }

    /// Calls `body` with the bytes of id `id`.
    public func withBytes<R>(_ id: UInt32, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        let i = Int(id)
        return arena.withUnsafeBufferPointer {
            body(UnsafeBufferPointer(start: $0.baseAddress! + Int(offsets[i]), count: Int(lengths[i])))
        }
    }

    private func grow() {
        let size = slots.count * 2
        slots = Array(repeating: 0, count: size)
        mask = size - 1
        for id in 1..<offsets.count {
            var s = Int(truncatingIfNeeded: hashes[id]) & mask
            while slots[s] != 0 { s = (s + 1) & mask }
            slots[s] = UInt32(id + 1)
        }
    }

    /// A fast 64-bit hash of a short byte string (eight bytes a step, then a final mix).
    @inline(__always)
    static func hash(_ p: UnsafePointer<UInt8>, _ n: Int) -> UInt64 {
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(n)
        var i = 0
        let raw = UnsafeRawPointer(p)
        while i + 8 <= n {
            let w = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            h = (h ^ w) &* 0xBF58_476D_1CE4_E5B9
            h ^= h >> 31
            i += 8
        }
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        while i < n {
            tail |= UInt64(p[i]) << shift
            shift += 8
            i += 1
        }
        h = (h ^ tail) &* 0x94D0_49BB_1331_11EB
        h ^= h >> 29
        h = h &* 0xBF58_476D_1CE4_E5B9
        h ^= h >> 32
        return h
    }
}
