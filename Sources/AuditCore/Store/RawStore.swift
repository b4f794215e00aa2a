import CLZ4

/// The raw JSON of recent events, for the detail view and `:export`, within a byte budget.
///
/// Events are appended to an open block of up to 64 KiB. A full block is compressed with LZ4
/// (about 5x on audit JSON, whose keys repeat from event to event) into a circular buffer,
/// and the oldest blocks are overwritten first. The open block and the circular buffer
/// together stay within the budget. An event knows its logical offset (where it starts in the
/// stream of every byte ever appended, uncompressed) and its length. Its raw JSON is
/// available while its block has not been overwritten. A read decompresses the event's block,
/// and the last block read is kept, so reading the ring in order decompresses each block once.
///
/// A full block need not be compressed by the thread that filled it, under the store's lock:
/// it waits, readable as it is, among the `sealed` blocks, until some thread takes it
/// (`nextSealed`), compresses it without the lock (`pack`) and hands it back (`install`).
/// Blocks are installed oldest first, so the buffer ends up as if each had been compressed
/// at once. When more than `sealedLimit` wait, `append` compresses the oldest itself, so a
/// store holds at most that many blocks (1 MiB by default, a sixteenth of the budget at
/// most) over its budget.
struct RawStore {
    let budget: Int
    /// Uncompressed bytes per block: 64 KiB, or an eighth of a small budget.
    let blockSize: Int
    /// Bytes of the circular buffer of compressed blocks: the budget less the open block.
    private let capacity: Int

    /// The newest events, uncompressed, from logical offset `openStart`.
    private var open: [UInt8] = []
    private var openStart: UInt64 = 0
    /// Full blocks not compressed yet, oldest first (`sealedHead` on), each whole.
    private var sealed: [(start: UInt64, bytes: [UInt8])] = []
    private var sealedHead = 0
    /// Most blocks that wait: 16 (1 MiB) with the default budget, and never more than a
    /// sixteenth of the budget.
    let sealedLimit: Int
    /// The compressed blocks, circular; `written` counts every byte placed in it.
    private var compressed: [UInt8] = []
    private var written: UInt64 = 0
    /// The blocks held, oldest first, from index `first`.
    private var blocks: [Block] = []
    private var first = 0
    private var scratch: [UInt8] = []
    /// The last block read, decompressed.
    private var cached: (start: UInt64, bytes: [UInt8])?
    /// Total bytes ever appended: the logical offset of the next event.
    private(set) var head: UInt64 = 0

    private struct Block {
        /// Logical offset and length of its events.
        var start: UInt64
        var count: Int
        /// Where its bytes begin in `written`'s count, how many, and whether they are LZ4
        /// (an incompressible block is kept as it is).
        var at: UInt64
        var size: Int
        var lz4: Bool
    }

    /// Marks an event whose raw JSON was never stored (larger than the whole budget).
    static let notStored = UInt64.max

    init(budget: Int) {
        self.budget = max(budget, 0)
        blockSize = max(1, min(64 << 10, self.budget / 8))
        capacity = max(0, self.budget - blockSize)
        sealedLimit = max(1, min(16, self.budget / blockSize / 16))
    }

    /// Bytes held.
    var memoryBytes: Int {
        open.capacity + compressed.capacity + scratch.capacity + (cached?.bytes.capacity ?? 0)
            + sealed[sealedHead...].reduce(0) { $0 + $1.bytes.capacity }
    }

    /// Blocks held, and the uncompressed bytes in them and in the open block.
    var heldBlocks: Int { blocks.count - first }
    var heldBytes: Int { Int(head - oldest) }

    /// The oldest logical offset still held.
    var oldest: UInt64 {
        if first < blocks.count { return blocks[first].start }
        return sealedHead < sealed.count ? sealed[sealedHead].start : openStart
    }

    /// Full blocks waiting to be compressed.
    var sealedCount: Int { sealed.count - sealedHead }

    /// Appends `p[0..<n]`; returns its logical offset, or `notStored`.
    mutating func append(_ p: UnsafePointer<UInt8>, _ n: Int) -> UInt64 {
        guard n <= budget, n > 0 else { return RawStore.notStored }
        // An event never spans two blocks: the open block is closed first when it would not fit.
        if !open.isEmpty, open.count + n > blockSize { seal() }
        let offset = head
        if open.capacity < blockSize { open.reserveCapacity(blockSize) }
        if open.isEmpty { openStart = head }
        open.append(contentsOf: UnsafeBufferPointer(start: p, count: n))
        head += UInt64(n)
        if open.count >= blockSize { seal() }
        return offset
    }

    /// Closes the open block: it waits among the sealed blocks, and the oldest of those is
    /// compressed here when too many wait.
    private mutating func seal() {
        guard !open.isEmpty else { return }
        sealed.append((openStart, open))
        open = []
        open.reserveCapacity(blockSize)
        openStart = head
        while sealedCount > sealedLimit, let next = nextSealed {
            install(Self.pack(next.bytes, scratch: &scratch), start: next.start)
        }
    }

    /// The blocks waiting to be compressed that start at or after `offset`, oldest first.
    func sealedBlocks(from offset: UInt64) -> [(start: UInt64, bytes: [UInt8])] {
        sealed[sealedHead...].filter { $0.start >= offset }
    }

    /// The oldest block waiting to be compressed (its bytes are shared, not copied).
    var nextSealed: (start: UInt64, bytes: [UInt8])? { sealedHead < sealed.count ? sealed[sealedHead] : nil }

    /// A block as it goes into the buffer: LZ4, or as it is when that does not make it smaller.
    struct Packed: Sendable {
        var bytes: [UInt8]
        var size: Int
        var count: Int
        var lz4: Bool
    }

    /// Compresses `block`; needs no store, so it runs on any thread, without the lock.
    static func pack(_ block: [UInt8], scratch: inout [UInt8]) -> Packed {
        let bound = Int(LZ4_compressBound(Int32(block.count)))
        if scratch.count < bound { scratch = [UInt8](repeating: 0, count: bound) }
        let packed = block.withUnsafeBufferPointer { src in
            scratch.withUnsafeMutableBufferPointer { dst in
                src.baseAddress!.withMemoryRebound(to: CChar.self, capacity: src.count) { s in
                    dst.baseAddress!.withMemoryRebound(to: CChar.self, capacity: bound) { d in
                        Int(LZ4_compress_default(s, d, Int32(src.count), Int32(bound)))
                    }
                }
            }
        }
        let lz4 = packed > 0 && packed < block.count
        return Packed(bytes: lz4 ? scratch : block, size: lz4 ? packed : block.count, count: block.count, lz4: lz4)
    }

    /// Places the compressed form of the sealed block that starts at `start` in the circular
    /// buffer, overwriting the oldest blocks. Only the oldest waiting block goes in; any other
    /// (one `append` already compressed itself meanwhile) is ignored. True when it went in.
    @discardableResult
    mutating func install(_ packed: Packed, start: UInt64) -> Bool {
        guard let next = nextSealed, next.start == start, next.bytes.count == packed.count else { return false }
        sealed[sealedHead] = (start, [])
        sealedHead += 1
        if sealedHead == sealed.count {
            sealed.removeAll(keepingCapacity: true)
            sealedHead = 0
        }
        let size = packed.size
        guard size <= capacity else {
            // Larger than the whole buffer: these events' bodies are not kept, and neither is
            // anything older (the newest bodies are always the ones held).
            first = blocks.count
            return true
        }
        if compressed.capacity < capacity { compressed.reserveCapacity(capacity) }
        // A block is kept whole: one that would wrap starts again at the buffer's beginning.
        var at = written
        if Int(at % UInt64(capacity)) + size > capacity { at += UInt64(capacity) - at % UInt64(capacity) }
        written = at + UInt64(size)
        // The blocks whose bytes the new one covers go.
        let floor = written > UInt64(capacity) ? written - UInt64(capacity) : 0
        while first < blocks.count, blocks[first].at < floor { first += 1 }
        if first > 1024, first * 2 > blocks.count {
            blocks.removeFirst(first)
            first = 0
        }
        let position = Int(at % UInt64(capacity))
        if compressed.count < position + size { compressed.append(contentsOf: repeatElement(0, count: position + size - compressed.count)) }
        compressed.withUnsafeMutableBufferPointer { buf in
            packed.bytes.withUnsafeBufferPointer { (buf.baseAddress! + position).update(from: $0.baseAddress!, count: size) }
        }
        blocks.append(Block(start: start, count: packed.count, at: at, size: size, lz4: packed.lz4))
        return true
    }

    /// True while the bytes at `offset` are still held.
    func contains(_ offset: UInt64) -> Bool { offset != RawStore.notStored && offset >= oldest }

    /// The bytes at `offset`, or nil when they were overwritten or never stored.
    mutating func read(_ offset: UInt64, _ n: Int) -> [UInt8]? {
        guard contains(offset), budget > 0, offset + UInt64(n) <= head else { return nil }
        if offset >= openStart, !open.isEmpty {
            let from = Int(offset - openStart)
            return Array(open[from..<(from + n)])
        }
        for k in sealed.indices[sealedHead...] where offset >= sealed[k].start && offset - sealed[k].start < UInt64(sealed[k].bytes.count) {
            let from = Int(offset - sealed[k].start)
            guard from + n <= sealed[k].bytes.count else { return nil }
            return Array(sealed[k].bytes[from..<(from + n)])
        }
        // The block holding `offset`: the last one starting at or before it.
        var lo = first, hi = blocks.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if blocks[mid].start <= offset { lo = mid + 1 } else { hi = mid }
        }
        guard lo > first else { return nil }
        let block = blocks[lo - 1]
        guard offset + UInt64(n) <= block.start + UInt64(block.count) else { return nil }
        if cached?.start != block.start {
            guard let bytes = unpack(block) else { return nil }
            cached = (block.start, bytes)
        }
        let from = Int(offset - block.start)
        return Array(cached!.bytes[from..<(from + n)])
    }

    private func unpack(_ block: Block) -> [UInt8]? {
        let position = Int(block.at % UInt64(capacity))
        if !block.lz4 { return Array(compressed[position..<(position + block.size)]) }
        var out = [UInt8](repeating: 0, count: block.count)
        let got = compressed.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                (src.baseAddress! + position).withMemoryRebound(to: CChar.self, capacity: block.size) { s in
                    dst.baseAddress!.withMemoryRebound(to: CChar.self, capacity: block.count) { d in
                        LZ4_decompress_safe(s, d, Int32(block.size), Int32(block.count))
                    }
                }
            }
        }
        return Int(got) == block.count ? out : nil
    }
}
