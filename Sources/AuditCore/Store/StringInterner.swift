#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A table giving each distinct string (users, verbs, resources, namespaces, agents, IPs,
/// groups) one small integer id, so a ring entry stores 4 bytes per field instead of a string.
///
/// Lookups hash the bytes straight from the decoder's buffer; a `String` is only built when a
/// view asks for one. Id 0 is the empty string, standing for an absent field. The table owns
/// its memory directly (no array copy-on-write checks on the hot path).
///
/// Memory is bounded by what is still in use: `reclaim` frees every id its holders did not
/// mark, compacts the bytes, and hands the freed ids out again, so ids stay below the number
/// of strings in use at the last reclaim plus what was added since.
public final class StringInterner {
    private struct Entry {
        var hash: UInt64
        var offset: Int
        var length: Int
    }

    private var arena: UnsafeMutablePointer<UInt8>
    private var arenaCount = 0
    private var arenaCapacity: Int
    private var entries: UnsafeMutablePointer<Entry>
    private var entryCount = 1
    private var entryCapacity: Int
    /// Open addressing: slot holds id + 1, or 0 when empty.
    private var slots: UnsafeMutablePointer<UInt32>
    private var mask: Int
    private var strings: [String?] = [""]
    /// Escaped spellings seen, and the id each one unescapes to.
    private var escapedForms: StringInterner?
    private var escapedTargets: [UInt32] = []
    /// Ids freed by `reclaim`, handed out again before new ones.
    private var freeIDs: [UInt32] = []
    /// Ids below this are never freed (the names the engine compares against).
    public private(set) var permanent: UInt32 = 1
    /// Escaped spellings remembered before that cache starts again.
    static let escapedFormLimit = 65_536
    /// Bumped by every `reclaim` that freed something: caches keyed by id compare it.
    public private(set) var epoch = 0

    public init() {
        arenaCapacity = 4096
        arena = .allocate(capacity: arenaCapacity)
        entryCapacity = 512
        entries = .allocate(capacity: entryCapacity)
        entries[0] = Entry(hash: 0, offset: 0, length: 0)
        slots = .allocate(capacity: 1024)
        slots.initialize(repeating: 0, count: 1024)
        mask = 1023
    }

    deinit {
        arena.deallocate()
        entries.deallocate()
        slots.deallocate()
    }

    /// The number of distinct strings, the empty one included.
    public var count: Int { entryCount - freeIDs.count }

    /// One more than the largest id handed out: arrays indexed by id need this many slots.
    public var idLimit: Int { entryCount }

    /// Makes every id handed out so far permanent: `reclaim` never frees them.
    public func pinAll() { permanent = UInt32(entryCount) }

    /// Bytes held by the table: the strings, their index and the hash slots.
    public var memoryBytes: Int {
        arenaCapacity + entryCapacity * MemoryLayout<Entry>.stride + (mask + 1) * 4 + strings.capacity * 16
            + (escapedForms?.memoryBytes ?? 0) + escapedTargets.capacity * 4
    }

    /// The id of the bytes `p[0..<n]`, adding them when new.
    public func intern(_ p: UnsafePointer<UInt8>, _ n: Int) -> UInt32 {
        if n == 0 { return 0 }
        let h = StringInterner.hash(p, n)
        var s = Int(truncatingIfNeeded: h) & mask
        while true {
            let slot = slots[s]
            if slot == 0 { break }
            let e = entries[Int(slot - 1)]
            if e.hash == h && e.length == n && memcmp(arena + e.offset, p, n) == 0 { return slot - 1 }
            s = (s + 1) & mask
        }
        if arenaCount + n > arenaCapacity { growArena(arenaCount + n) }
        (arena + arenaCount).update(from: p, count: n)
        let id: UInt32
        if let reused = freeIDs.popLast() {
            id = reused
        } else {
            if entryCount == entryCapacity { growEntries() }
            id = UInt32(entryCount)
            entryCount += 1
            strings.append(nil)
        }
        entries[Int(id)] = Entry(hash: h, offset: arenaCount, length: n)
        arenaCount += n
        slots[s] = id + 1
        if entryCount * 2 > mask + 1 { growSlots() }
        return id
    }

    /// The id of a span of a decoded event, unescaping it first when needed.
    ///
    /// Escaped strings repeat too (every RBAC reason quotes names), so their escaped form is
    /// remembered in `escapedForms` and unescaped only the first time.
    public func intern(_ span: Span, in base: UnsafePointer<UInt8>, scratch: inout [UInt8]) -> UInt32 {
        if span.count == 0 { return 0 }
        if !span.escaped { return intern(base + span.start, span.count) }
        if let forms = escapedForms, forms.count >= StringInterner.escapedFormLimit {
            escapedForms = nil
            escapedTargets = []
        }
        let forms = escapedForms ?? StringInterner()
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
                let e = entries[Int(slots[s] - 1)]
                if e.hash == h && e.length == buf.count && memcmp(arena + e.offset, p, buf.count) == 0 { return slots[s] - 1 }
                s = (s + 1) & mask
            }
            return nil
        }
    }

    /// The string with id `id`.
    public func string(_ id: UInt32) -> String {
        let i = Int(id)
        if let s = strings[i] { return s }
        let e = entries[i]
        let s = String(decoding: UnsafeBufferPointer(start: arena + e.offset, count: e.length), as: UTF8.self)
        strings[i] = s
        return s
    }

    /// Calls `body` with the bytes of id `id`.
    public func withBytes<R>(_ id: UInt32, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        let e = entries[Int(id)]
        return body(UnsafeBufferPointer(start: arena + e.offset, count: e.length))
    }

    /// Frees every id `live` does not mark (permanent ids and 0 stay), and compacts the
    /// strings' bytes into an arena sized for what is left. Returns how many were freed.
    ///
    /// Whoever keeps ids must have marked them: a freed id is handed out again for another
    /// string. Escaped spellings seen (a cache) are forgotten.
    @discardableResult
    public func reclaim(keeping live: LiveStrings) -> Int {
        var freed = 0
        var liveBytes = 0
        var isFree = [Bool](repeating: false, count: entryCount)
        for id in freeIDs { isFree[Int(id)] = true }
        for id in Int(permanent)..<max(entryCount, Int(permanent)) where !isFree[id] {
            if live.contains(UInt32(id)) {
                liveBytes += entries[id].length
            } else {
                entries[id] = Entry(hash: 0, offset: 0, length: 0)
                strings[id] = nil
                freeIDs.append(UInt32(id))
                isFree[id] = true
                freed += 1
            }
        }
        for id in 1..<min(Int(permanent), entryCount) { liveBytes += entries[id].length }
        guard freed > 0 else { return 0 }
        // Handed out lowest first, so ids (and arrays indexed by them) stay compact.
        freeIDs.sort(by: >)
        var capacity = 4096
        while capacity < liveBytes + liveBytes / 2 { capacity *= 2 }
        let compact = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
        var used = 0
        for id in 1..<entryCount where !isFree[id] {
            let e = entries[id]
            (compact + used).update(from: arena + e.offset, count: e.length)
            entries[id].offset = used
            used += e.length
        }
        arena.deallocate()
        arena = compact
        arenaCapacity = capacity
        arenaCount = used
        slots.initialize(repeating: 0, count: mask + 1)
        for id in 1..<entryCount where !isFree[id] {
            var s = Int(truncatingIfNeeded: entries[id].hash) & mask
            while slots[s] != 0 { s = (s + 1) & mask }
            slots[s] = UInt32(id + 1)
        }
        escapedForms = nil
        escapedTargets = []
        epoch += 1
        return freed
    }

    private func growArena(_ needed: Int) {
        var capacity = arenaCapacity * 2
        while capacity < needed { capacity *= 2 }
        let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
        bigger.update(from: arena, count: arenaCount)
        arena.deallocate()
        arena = bigger
        arenaCapacity = capacity
    }

    private func growEntries() {
        let bigger = UnsafeMutablePointer<Entry>.allocate(capacity: entryCapacity * 2)
        bigger.moveInitialize(from: entries, count: entryCount)
        entries.deallocate()
        entries = bigger
        entryCapacity *= 2
    }

    private func growSlots() {
        let size = (mask + 1) * 2
        slots.deallocate()
        slots = .allocate(capacity: size)
        slots.initialize(repeating: 0, count: size)
        mask = size - 1
        var isFree = [Bool](repeating: false, count: entryCount)
        for id in freeIDs { isFree[Int(id)] = true }
        for id in 1..<entryCount where !isFree[id] {
            var s = Int(truncatingIfNeeded: entries[id].hash) & mask
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
        if i < n {
            // The last 1-7 bytes: one unaligned load when the string is long enough,
            // shifted to drop the bytes already hashed.
            var tail: UInt64 = 0
            if n >= 8 {
                tail = raw.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self) >> UInt64((8 - (n - i)) * 8)
            } else {
                var shift: UInt64 = 0
                while i < n {
                    tail |= UInt64(p[i]) << shift
                    shift += 8
                    i += 1
                }
            }
            h ^= tail
        }
        h = h &* 0x94D0_49BB_1331_11EB
        h ^= h >> 29
        h = h &* 0xBF58_476D_1CE4_E5B9
        h ^= h >> 32
        return h
    }
}
