#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The file a follower has open: which file it is, how far it has been read, and the first
/// bytes read from it.
///
/// Those first bytes tell a file that was truncated and written again from one that only
/// grew, even when the new content is already longer than the old offset (the size alone
/// cannot), and they find the rotated copy of a truncated file.
struct FollowedFile {
    /// How many of the first bytes are remembered.
    static let prefixLimit = 4096

    let fd: Int32
    let device: UInt64
    let inode: UInt64
    /// The size when opened.
    let sizeAtOpen: off_t
    /// Where the next read starts: everything before it has been handed to the decoder.
    private(set) var offset: off_t
    /// The file's first `min(offset, prefixLimit)` bytes.
    private(set) var prefix: [UInt8] = []
    private var scratch = [UInt8](repeating: 0, count: FollowedFile.prefixLimit)

    /// Takes `fd` at its current position (the start, or the tail's start).
    init(_ fd: Int32) {
        self.fd = fd
        var info = stat()
        fstat(fd, &info)
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
        sizeAtOpen = info.st_size
        offset = lseek(fd, 0, SEEK_CUR)
        let known = Int(min(offset, off_t(Self.prefixLimit)))
        if known > 0 {
            let n = scratch.withUnsafeMutableBytes { pread(fd, $0.baseAddress, known, 0) }
            prefix = Array(scratch[0..<max(n, 0)])
        }
    }

    /// True when `info` describes this same file.
    func isSameFile(as info: stat) -> Bool {
        UInt64(info.st_ino) == inode && UInt64(info.st_dev) == device
    }

    /// True when the first bytes identify the file: a whole first line (an audit event's
    /// carries its auditID) or the full prefix.
    var hasDistinctivePrefix: Bool {
        prefix.count == Self.prefixLimit || prefix.contains(0x0A)
    }

    /// Records that `chunk`, read at `offset`, went to the decoder.
    mutating func advance(over chunk: UnsafeBufferPointer<UInt8>) {
        if prefix.count < Self.prefixLimit, Int(offset) == prefix.count {
            prefix.append(contentsOf: chunk.prefix(Self.prefixLimit - prefix.count))
        }
        offset += off_t(chunk.count)
    }

    /// True when the file is shorter than what was read, or no longer begins with the bytes
    /// read from it: it was truncated, and perhaps written again since.
    mutating func wasTruncated() -> Bool {
        var info = stat()
        if fstat(fd, &info) == 0 && info.st_size < offset { return true }
        return !startsWith(prefix)
    }

    /// True when the bytes at `offset` are `chunk`: what was just read belongs to the file
    /// as it is now (after a truncation: to its new content).
    mutating func holds(_ chunk: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = chunk.baseAddress else { return true }
        let fd = self.fd
        var done = 0
        while done < chunk.count {
            let size = min(chunk.count - done, scratch.count)
            let position = offset + off_t(done)
            let same = scratch.withUnsafeMutableBytes { s in
                pread(fd, s.baseAddress, size, position) == size && memcmp(s.baseAddress!, base + done, size) == 0
            }
            guard same else { return false }
            done += size
        }
        return true
    }

    /// The file's first bytes as they are now, when they hold a whole line (empty otherwise).
    mutating func currentStart() -> [UInt8] {
        let fd = self.fd
        let n = scratch.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        guard n > 0, n == scratch.count || scratch[0..<n].contains(0x0A) else { return [] }
        return Array(scratch[0..<n])
    }

    /// Starts again at the beginning, as a new file.
    mutating func restart() {
        lseek(fd, 0, SEEK_SET)
        offset = 0
        prefix.removeAll(keepingCapacity: true)
    }

    private mutating func startsWith(_ bytes: [UInt8]) -> Bool {
        guard !bytes.isEmpty else { return true }
        let fd = self.fd
        let n = scratch.withUnsafeMutableBytes { pread(fd, $0.baseAddress, bytes.count, 0) }
        guard n == bytes.count else { return false }
        return scratch.withUnsafeBytes { s in bytes.withUnsafeBytes { memcmp(s.baseAddress!, $0.baseAddress!, n) } } == 0
    }
}
