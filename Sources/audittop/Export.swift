import AuditCore
import AuditSources
import Foundation

/// Files the dashboard's `:` commands write.
enum Export {
    /// Writes the raw JSON of the ring events the filter matches (all of them with no
    /// filter), oldest first, one per line: a file `report` and `--replay` read back.
    /// Returns how many were written, how many matched but had no raw JSON kept, and a failure.
    static func write(_ store: EventStore, to path: String) -> (written: Int, missing: Int, failure: String?) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { return (0, 0, "cannot write \(path): \(SystemReason.last)") }
        let out = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        let sequences: [Int] = store.view.map { Array($0.sequences(in: store.ring)) }
            ?? Array(store.ring.firstSequence..<store.ring.nextSequence)
        var (written, missing) = (0, 0)
        var buffer: [UInt8] = []
        for sequence in sequences {
            guard let raw = store.rawJSON(sequence: sequence) else {
                missing += 1
                continue
            }
            buffer.append(contentsOf: raw)
            buffer.append(0x0A)
            written += 1
            if buffer.count > 1 << 20 {
                out.write(Data(buffer))
                buffer.removeAll(keepingCapacity: true)
            }
        }
        out.write(Data(buffer))
        return (written, missing, nil)
    }

    /// Where `:known` writes when no `--known-users` file was given.
    static var defaultKnownUsersFile: String { ConfigFile.folder() + "/known-users" }

    /// Appends one line to `path` (creating it and its folder); returns a failure.
    static func append(line: String, to path: String) -> String? {
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty {
            do { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) } catch {
                return "cannot make the folder \(folder): \(SystemReason.of(error))"
            }
        }
        let fd = open(path, O_RDWR | O_CREAT, 0o644)
        guard fd >= 0 else { return "cannot write \(path): \(SystemReason.last)" }
        let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        handle.seekToEndOfFile()
        // Keep lines whole even when the file did not end with a newline.
        if handle.offsetInFile > 0, let reader = FileHandle(forReadingAtPath: path) {
            reader.seek(toFileOffset: handle.offsetInFile - 1)
            let last = reader.readData(ofLength: 1)
            try? reader.close()
            if last != Data([0x0A]) { handle.write(Data([0x0A])) }
        }
        handle.write(Data((line + "\n").utf8))
        return nil
    }
}
