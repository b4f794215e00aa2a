#if canImport(Glibc)
import Glibc
#endif
import AuditCore
import Foundation

/// Saved audit logs as responders get them: files, globs and folders, holding rotated sets
/// (`audit-2026-03-14T09-00-00.000.log`, maybe `.gz`) beside the current `audit.log`.
public enum LogSet {
    /// The files named by `arguments`, in reading order: each rotated set oldest first by
    /// the time in its names, the current file last. `-` (stdin) stays where it is.
    public static func expand(_ arguments: [String]) throws(SourceError) -> [String] {
        var files: [String] = []
        for argument in arguments {
            if argument == "-" {
                files.append(argument)
            } else if argument.contains(where: { "*?[".contains($0) }) {
                let matches = glob(argument)
                guard !matches.isEmpty else { throw SourceError(source: argument, reason: "no file matches this pattern") }
                files += matches
            } else if isDirectory(argument) {
                let names = ((try? FileManager.default.contentsOfDirectory(atPath: argument)) ?? []).filter { !$0.hasPrefix(".") }
                let paths = names.map { (argument.hasSuffix("/") ? argument : argument + "/") + $0 }.filter { !isDirectory($0) }
                guard !paths.isEmpty else { throw SourceError(source: argument, reason: "the folder holds no files") }
                files += paths
            } else {
                files.append(argument)
            }
        }
        var seen = Set<String>()
        files = files.filter { seen.insert($0).inserted }
        return order(files)
    }

    /// `files` (in `expand`'s order) cut into their rotated sets: one per apiserver folder or
    /// base name. Stdin is a set of its own.
    public static func sets(_ files: [String]) -> [[String]] {
        var out: [[String]] = []
        var last: String?
        for file in files {
            let key = file == "-" ? "-" : member(file).set
            if key != last || file == "-" { out.append([]) }
            out[out.count - 1].append(file)
            last = key
        }
        return out
    }

    /// A file's place in its rotated set.
    struct Member {
        var path: String
        /// The set: folder + base name + extension, without the rotation time or `.gz`.
        var set: String
        /// Microseconds of the rotation time in the name; nil for the current file.
        var rotated: Int64?
    }

    /// Parses lumberjack's `BASE-2006-01-02T15-04-05.000.EXT[.gz]`.
    static func member(_ path: String) -> Member {
        let slash = path.lastIndex(of: "/").map { path.index(after: $0) } ?? path.startIndex
        let folder = String(path[..<slash])
        var name = String(path[slash...])
        if name.hasSuffix(".gz") { name.removeLast(3) }
        let dot = name.lastIndex(of: ".") ?? name.endIndex
        let stem = name[..<dot]
        let ext = String(name[dot...])
        // The rotation stamp is 23 characters: 2006-01-02T15-04-05.000
        if stem.count > 24 {
            let stampStart = stem.index(stem.endIndex, offsetBy: -23)
            let stamp = String(stem[stampStart...])
            if stem[stem.index(before: stampStart)] == "-" {
                var iso = Array(stamp)
                if iso.count == 23, iso[13] == "-", iso[16] == "-" {
                    iso[13] = ":"
                    iso[16] = ":"
                    if let t = Timestamp.parse(String(iso) + "Z") {
                        return Member(path: path, set: folder + String(stem[..<stem.index(before: stampStart)]) + ext, rotated: t)
                    }
                }
            }
        }
        return Member(path: path, set: folder + String(stem) + ext, rotated: nil)
    }

    /// Sets in the order their oldest file begins; within a set, rotated files by time and
    /// the current one last.
    static func order(_ paths: [String]) -> [String] {
        if paths.contains("-") && paths.count == 1 { return paths }
        let members = paths.map(member)
        var sets: [String: [Member]] = [:]
        var firstSeen: [String] = []
        for m in members {
            if sets[m.set] == nil { firstSeen.append(m.set) }
            sets[m.set, default: []].append(m)
        }
        func start(_ set: String) -> Int64 { sets[set]!.compactMap(\.rotated).min() ?? Int64.max }
        let orderedSets = firstSeen.enumerated().sorted { a, b in
            start(a.element) != start(b.element) ? start(a.element) < start(b.element) : a.offset < b.offset
        }.map(\.element)
        return orderedSets.flatMap { set in
            sets[set]!.sorted { a, b in
                switch (a.rotated, b.rotated) {
                case let (x?, y?): return x < y
                case (_?, nil): return true
                case (nil, _?): return false
                case (nil, nil): return a.path < b.path
                }
            }.map(\.path)
        }
    }

    static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    static func glob(_ pattern: String) -> [String] {
        var g = glob_t()
        defer { globfree(&g) }
        guard Glibc.glob(pattern, 0, nil, &g) == 0 else { return [] }
        return (0..<Int(g.gl_pathc)).compactMap { g.gl_pathv[$0].map { String(cString: $0) } }.filter { !isDirectory($0) }
    }
}
