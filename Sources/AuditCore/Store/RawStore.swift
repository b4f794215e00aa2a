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
struct RawStore {
    let budget: Int
    /// Uncompressed bytes per block: 64 KiB, or an eighth of a small budget.
    let blockSize: Int
    /// Bytes of the circular buffer of compressed blocks: the budget less the open block.
    private let capacity: Int

    /// The newest events, uncompressed, from logical offset `openStart`.
    private var open: [UInt8] = []
    private var openStart: UInt64 = 0
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
    }

    /// Bytes held.
    var memoryBytes: Int { open.capacity + compressed.capacity + scratch.capacity + (cached?.bytes.capacity ?? 0) }

    /// Blocks held, and the uncompressed bytes in them and in the open block.
    var heldBlocks: Int { blocks.count - first }
    var heldBytes: Int { Int(head - oldest) }

    /// The oldest logical offset still held.
    var oldest: UInt64 { first < blocks.count ? blocks[first].start : openStart }

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

    /// Compresses the open block into the circular buffer, overwriting the oldest blocks.
    private mutating func seal() {
        guard !open.isEmpty else { return }
        defer {
            open.removeAll(keepingCapacity: true)
            openStart = head
        }
        let bound = Int(LZ4_compressBound(Int32(open.count)))
        if scratch.count < bound { scratch = [UInt8](repeating: 0, count: bound) }
        let packed = open.withUnsafeBufferPointer { src in
            scratch.withUnsafeMutableBufferPointer { dst in
                src.baseAddress!.withMemoryRebound(to: CChar.self, capacity: src.count) { s in
                    dst.baseAddress!.withMemoryRebound(to: CChar.self, capacity: bound) { d in
                        Int(LZ4_compress_default(s, d, Int32(src.count), Int32(bound)))
                    }
                }
            }
        }
        let lz4 = packed > 0 && packed < open.count
        let size = lz4 ? packed : open.count
        guard size <= capacity else {
            // Larger than the whole buffer: these events' bodies are not kept, and neither is
            // anything older (the newest bodies are always the ones held).
            first = blocks.count
            return
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
        let source = lz4 ? scratch : open
        compressed.withUnsafeMutableBufferPointer { buf in
            source.withUnsafeBufferPointer { (buf.baseAddress! + position).update(from: $0.baseAddress!, count: size) }
        }
        blocks.append(Block(start: openStart, count: open.count, at: at, size: size, lz4: lz4))
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
