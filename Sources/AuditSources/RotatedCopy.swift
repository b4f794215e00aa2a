#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import AuditCore
import Foundation

/// The copy that copy-then-truncate rotation left beside a followed file: where the lines
/// written between the follower's last read and the truncation still are.
///
/// It is found by content, not by name: a file in the same directory whose name starts like
/// the followed one (`audit.log.1`, `audit.log-20260101`, `audit-2026-03-14T09-00-00.000.log`,
/// each maybe `.gz`) and whose first bytes are the first bytes the follower read. Finding it
/// costs one directory listing and one 4 KiB read per candidate (a little inflating for a
/// gzipped one), once per truncation.
struct RotatedCopy {
    /// Where the copy is.
    let path: String
    let gzipped: Bool
    /// When it was last written, in nanoseconds.
    let modified: Int
    /// Which file it is (it keeps its identity when renamed, as `.1` to `.2`).
    let device: UInt64
    let inode: UInt64

    /// At most this many candidates, the most recently modified first, are opened.
    static let candidateLimit = 16

    /// Finds the copy of `file`, open as the followed `path`, holding at least its first
    /// `file.offset` bytes; nil when there is none.
    static func find(for file: FollowedFile, at path: String) -> RotatedCopy? {
        for candidate in candidates(besides: path, excluding: file).reversed().prefix(candidateLimit) {
            if !candidate.gzipped && candidate.size < file.offset { continue }
            if candidate.copy.begins(with: file.prefix) { return candidate.copy }
        }
        return nil
    }

    /// The copies written after this one with a name of the same shape (digits aside:
    /// `audit.log.2` then `audit.log.1`), oldest first, up to the first that begins like
    /// `live` (the followed file now, a generation not yet truncated): the generations a
    /// follower more than one rotation behind missed whole.
    func successors(besides path: String, excluding file: FollowedFile, live: [UInt8]) -> [RotatedCopy] {
        let shape = Self.shape(of: self.path)
        var found: [RotatedCopy] = []
        for candidate in Self.candidates(besides: path, excluding: file)
        where candidate.copy.modified > modified && (candidate.copy.inode, candidate.copy.device) != (inode, device)
            && Self.shape(of: candidate.copy.path) == shape
        {
            if !live.isEmpty && candidate.copy.begins(with: live) { break }
            found.append(candidate.copy)
            if found.count == Self.candidateLimit { break }
        }
        return found
    }

    /// Regular files beside `path` whose names start like its name, other than `file`,
    /// oldest first.
    private static func candidates(besides path: String, excluding file: FollowedFile) -> [(copy: RotatedCopy, size: off_t, gzipped: Bool)] {
        let slash = path.lastIndex(of: "/")
        let directory = slash.map { $0 == path.startIndex ? "/" : String(path[..<$0]) } ?? "."
        let base = slash.map { String(path[path.index(after: $0)...]) } ?? path
        let stem = String(base.prefix { $0 != "." })
        guard !stem.isEmpty, let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return [] }
        var found: [(copy: RotatedCopy, size: off_t, gzipped: Bool)] = []
        for name in names where name != base && name.hasPrefix(stem) {
            let candidate = directory == "/" ? "/" + name : directory + "/" + name
            var info = stat()
            guard stat(candidate, &info) == 0, info.st_mode & S_IFMT == S_IFREG, !file.isSameFile(as: info) else { continue }
            let gzipped = name.hasSuffix(".gz")
            found.append((RotatedCopy(
                path: candidate, gzipped: gzipped, modified: modifiedTime(info), device: UInt64(info.st_dev), inode: UInt64(info.st_ino)), info.st_size, gzipped))
        }
        return found.sorted { $0.copy.modified < $1.copy.modified }
    }

    /// The name without `.gz`, with each run of digits as one `#`.
    private static func shape(of path: String) -> String {
        var name = Substring(path.split(separator: "/").last ?? "")
        if name.hasSuffix(".gz") { name = name.dropLast(3) }
        var shape = ""
        for c in name where !(c.isASCII && c.isNumber && shape.last == "#") {
            shape.append(c.isASCII && c.isNumber ? "#" : c)
        }
        return shape
    }

    /// Reads the copy from `offset` to its end, handing the bytes to `body`; returns how many
    /// there were, or nil when the copy could not be read.
    func read(from offset: off_t, _ body: (UnsafeBufferPointer<UInt8>) -> Void) -> Int? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        var total = 0
        if !gzipped {
            var position = offset
            while true {
                let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, position) }
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { return n == 0 ? total : nil }
                buffer.withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[0..<n])) }
                position += off_t(n)
                total += n
            }
        }
        // Inflate from the start, skipping the first `offset` bytes of what comes out.
        let gzip = GzipStream()
        var skip = Int(offset)
        while true {
            let n = buffer.withUnsafeMutableBytes { readChunk(fd, $0) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return n == 0 ? total : nil }
            do {
                try buffer.withUnsafeBufferPointer { input throws(GzipStream.Failure) in
                    try gzip.feed(UnsafeBufferPointer(rebasing: input[0..<n])) { out in
                        let dropped = min(skip, out.count)
                        skip -= dropped
                        guard dropped < out.count else { return }
                        body(UnsafeBufferPointer(rebasing: out[dropped...]))
                        total += out.count - dropped
                    }
                }
            } catch {
                return total
            }
        }
    }

    /// True when the copy's first bytes are `prefix`.
    func begins(with prefix: [UInt8]) -> Bool {
        guard !prefix.isEmpty else { return false }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var head: [UInt8] = []
        var input = [UInt8](repeating: 0, count: 4096)
        let gzip = gzipped ? GzipStream() : nil
        while head.count < prefix.count {
            let n = input.withUnsafeMutableBytes { readChunk(fd, $0) }
            guard n > 0 else { return false }
            guard let gzip else {
                head.append(contentsOf: input[0..<n])
                continue
            }
            do {
                try input.withUnsafeBufferPointer { chunk throws(GzipStream.Failure) in
                    try gzip.feed(UnsafeBufferPointer(rebasing: chunk[0..<n])) { head.append(contentsOf: $0) }
                }
            } catch {
                return false
            }
        }
        return head.prefix(prefix.count).elementsEqual(prefix)
    }
}

/// Reads the next bytes of `fd` into `buffer` (`read` is shadowed inside `RotatedCopy`).
private func readChunk(_ fd: Int32, _ buffer: UnsafeMutableRawBufferPointer) -> Int {
    read(fd, buffer.baseAddress, buffer.count)
}

/// When the file was last written, in nanoseconds.
private func modifiedTime(_ info: stat) -> Int {
    #if os(Linux)
    Int(info.st_mtim.tv_sec) * 1_000_000_000 + Int(info.st_mtim.tv_nsec)
    #else
    Int(info.st_mtimespec.tv_sec) * 1_000_000_000 + Int(info.st_mtimespec.tv_nsec)
    #endif
}
