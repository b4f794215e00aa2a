#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The files that took a followed name after the one being read, oldest first, each held
/// open as soon as it is seen.
///
/// A follower that lags behind its writer can be several renames or deletes behind; opening
/// each new file at the name when it is first seen (not when the old one is finished) keeps
/// every generation readable, even one already renamed again or unlinked.
struct FileSuccessors {
    private(set) var descriptors: [Int32] = []

    var isEmpty: Bool { descriptors.isEmpty }

    /// Opens the file at `path` when it is neither `current` nor one already held.
    mutating func notice(_ path: String, after current: FollowedFile) {
        var named = stat()
        guard stat(path, &named) == 0, !current.isSameFile(as: named), !holds(named) else { return }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return }
        var opened = stat()
        if fstat(fd, &opened) != 0 || current.isSameFile(as: opened) || holds(opened) {
            close(fd)
            return
        }
        descriptors.append(fd)
    }

    /// True when the writer has moved on from the current file: the next one has bytes in it,
    /// or has itself been replaced. (An empty new file may be created before the writer's last
    /// bytes reach the old one.)
    var writerMovedOn: Bool {
        guard let next = descriptors.first else { return false }
        var info = stat()
        return descriptors.count > 1 || (fstat(next, &info) == 0 && info.st_size > 0)
    }

    /// Hands over the oldest file held; the caller closes it.
    mutating func next() -> Int32? {
        descriptors.isEmpty ? nil : descriptors.removeFirst()
    }

    /// Closes every file held.
    mutating func closeAll() {
        for fd in descriptors { close(fd) }
        descriptors.removeAll()
    }

    private func holds(_ info: stat) -> Bool {
        descriptors.contains { fd in
            var held = stat()
            return fstat(fd, &held) == 0 && held.st_ino == info.st_ino && held.st_dev == info.st_dev
        }
    }
}
